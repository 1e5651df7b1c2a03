"""POST /api/v1/auth/token: a script logs in with login name and password (and the
two-factor code) and gets an API token, under the same django-axes lockout as the form."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from huying.accounts.models import ApiToken
from huying.core.tests.cache import clear_cache

URL = "/api/v1/auth/token"
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fresh_lockouts() -> None:
    clear_cache()


@pytest.fixture
def bob_with_password(bob: Any) -> Any:
    bob.set_password(PASSWORD)
    bob.save()
    return bob


def _post(client: Client, **body: Any) -> Any:
    return client.post(URL, body, content_type="application/json")


def test_login_name_and_password_give_a_working_token(bob_with_password):
    response = _post(Client(), username="bob", password=PASSWORD, name="nightly export")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "nightly export"
    token = ApiToken.objects.get(pk=body["id"])
    assert token.user == bob_with_password
    me = Client().get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {body['secret']}")
    assert me.status_code == 200
    assert me.json()["username"] == "bob"


@pytest.mark.parametrize(("username", "password"), [("bob", "wrong"), ("nobody", PASSWORD)])
def test_a_wrong_login_is_401_in_the_error_format_and_makes_no_token(bob_with_password, username, password):
    response = _post(Client(), username=username, password=password)
    assert response.status_code == 401
    assert set(response.json()) == {"message", "errors"}
    assert not ApiToken.objects.exists()


def test_the_lockout_of_the_login_form_applies(bob_with_password, settings):
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _post(client, username="bob", password="wrong").status_code == 401
    locked = _post(client, username="bob", password="wrong")
    assert locked.status_code == 429
    assert locked["Content-Type"].startswith("application/json")
    assert set(locked.json()) == {"message", "errors"}
    assert int(locked["Retry-After"]) > 0
    # Locked: even the right password gets no token, from the API or the login form.
    again = _post(client, username="bob", password=PASSWORD)
    assert again.status_code == 429
    assert not ApiToken.objects.exists()
    form = client.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    assert form.status_code == 429


def test_failures_on_the_form_count_for_the_api(bob_with_password, settings):
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "bob", "password": "wrong"})
    assert _post(client, username="bob", password=PASSWORD).status_code == 429


@pytest.fixture
def bob_with_two_factor(bob_with_password: Any) -> TOTPDevice:
    return TOTPDevice.objects.create(user=bob_with_password, name="app", confirmed=True)


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def test_two_factor_needs_the_code(bob_with_two_factor):
    missing = _post(Client(), username="bob", password=PASSWORD)
    assert missing.status_code == 401
    assert "otp_token" in missing.json()["errors"]
    assert not ApiToken.objects.exists()
    right = _post(Client(), username="bob", password=PASSWORD, otp_token=_code(bob_with_two_factor))
    assert right.status_code == 201, right.content


def test_a_wrong_code_is_401_and_makes_no_token(bob_with_two_factor):
    wrong = _post(Client(), username="bob", password=PASSWORD, otp_token="12345x")
    assert wrong.status_code == 401
    assert "otp_token" in wrong.json()["errors"]
    assert not ApiToken.objects.exists()


def test_wrong_codes_run_into_the_lockout(bob_with_two_factor, settings):
    client = Client()
    statuses = [
        _post(client, username="bob", password=PASSWORD, otp_token="12345x").status_code
        for _attempt in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses[-1] == 429
    assert _post(client, username="bob", password=PASSWORD, otp_token=_code(bob_with_two_factor)).status_code == 429


def test_a_role_that_must_use_two_factor_gets_no_token_for_a_password_alone(admin, settings):
    """REQUIRE_2FA on (production): an administrator without two-factor login set up gets
    403 and no token; the password alone would otherwise go round the requirement."""
    settings.REQUIRE_2FA = True
    admin.set_password(PASSWORD)
    admin.save()
    response = _post(Client(), username=admin.username, password=PASSWORD, name="script")
    assert response.status_code == 403, response.content
    assert "two-factor" in response.json()["message"].lower() or "双因素认证" in response.json()["message"]
    assert not ApiToken.objects.filter(user=admin).exists()
    settings.REQUIRE_2FA = False
    assert _post(Client(), username=admin.username, password=PASSWORD, name="script").status_code == 201
