"""Passwords and tokens never reach the log."""

from __future__ import annotations

import logging

import pytest

from huying.accounts.tests.conftest import post_login
from huying.core.logs import ScrubSecretsFilter, scrub

SECRET_PASSWORD = "Zq7-very-secret-guess"


@pytest.mark.django_db
def test_failed_login_logs_the_username_but_never_the_password(client, alice, caplog):
    caplog.set_level(logging.DEBUG)
    for _ in range(5):
        post_login(client, "alice", SECRET_PASSWORD)
    assert any(r.name.startswith("axes") and r.levelno == logging.WARNING for r in caplog.records)
    assert any("alice" in r.getMessage() for r in caplog.records if r.name.startswith("axes"))
    for record in caplog.records:
        assert SECRET_PASSWORD not in record.getMessage()
        assert SECRET_PASSWORD not in str(record.args)
    assert SECRET_PASSWORD not in caplog.text


@pytest.mark.django_db
def test_failed_second_step_never_logs_the_code(client, bob, bob_totp, caplog):
    caplog.set_level(logging.DEBUG)
    post_login(client, "bob")
    client.post("/accounts/login/verify/", {"otp_token": "424242"})
    assert "424242" not in caplog.text


@pytest.mark.parametrize(
    ("message", "secret"),
    [
        ("login failed password=hunter2 user=alice", "hunter2"),
        ("POST data: {'password': 'hunter2'}", "hunter2"),
        ("Authorization: Bearer hy_abcDEF123", "hy_abcDEF123"),
        ("otp_token=123456&next=/", "123456"),
        ("api_key: s3cr3t", "s3cr3t"),
    ],
)
def test_scrub_removes_secrets(message, secret):
    cleaned = scrub(message)
    assert secret not in cleaned
    assert "***" in cleaned


def test_scrub_keeps_ordinary_text():
    assert scrub("AXES: New login failure by {username: 'alice'}") == "AXES: New login failure by {username: 'alice'}"


def test_filter_rewrites_records_with_arguments():
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "request %s failed", ("password=hunter2",), None)
    assert ScrubSecretsFilter().filter(record) is True
    assert "hunter2" not in record.getMessage()
    assert record.getMessage() == "request password=*** failed"


def test_configured_console_handler_scrubs(capsys):
    from django.conf import settings

    assert "scrub" in settings.LOGGING["handlers"]["console"]["filters"]
    handler = next(h for h in logging.getLogger().handlers if any(isinstance(f, ScrubSecretsFilter) for f in h.filters))
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "Authorization: Bearer %s", ("hy_leak",), None)
    for log_filter in handler.filters:
        log_filter.filter(record)  # type: ignore[union-attr]
    assert "hy_leak" not in record.getMessage()
