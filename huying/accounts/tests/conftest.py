"""Helpers for the accounts tests (the named people live in the root conftest.py)."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django_otp.oath import TOTP, totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from huying.accounts.models import User
from huying.accounts.tests.factories import PASSWORD


def code_for(device: TOTPDevice, offset_steps: int = 0) -> str:
    """The 6-digit code the person's phone shows now (or ``offset_steps`` periods later)."""
    if offset_steps == 0:
        return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    generator = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    generator.time = time.time() + offset_steps * device.step
    return f"{generator.token():06d}"


def post_login(client: Client, username: str, password: str = PASSWORD, **extra: str):
    return client.post("/accounts/login/", {"username": username, "password": password, **extra})


@pytest.fixture
def bob_totp(bob: User) -> TOTPDevice:
    """Bob (agency staff) has turned on two-factor login."""
    return TOTPDevice.objects.create(user=bob, name="default", confirmed=True)


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client
