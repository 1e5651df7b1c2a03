"""Logging in and out: passwords, lockout, safe redirects, CSRF, headers, password change."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.test import Client

from huying.accounts.actions import do_set_user_active
from huying.accounts.tests.conftest import post_login
from huying.accounts.tests.factories import PASSWORD
from huying.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_login_with_password_logs_in_and_lands_home(client, alice):
    response = post_login(client, "alice")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/accounts/profile/").context["user"] == alice
    assert AuditEntry.objects.filter(action="user.login", object_id=str(alice.pk)).exists()


def test_wrong_password_shows_the_form_again(client, alice):
    response = post_login(client, "alice", "wrong-password")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_inactive_person_cannot_log_in(client, alice, admin):
    do_set_user_active(admin, alice, False)
    response = post_login(client, "alice")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_safe_next_url_is_followed(client, alice):
    response = post_login(client, "alice", next="/accounts/profile/")
    assert response["Location"] == "/accounts/profile/"


@pytest.mark.parametrize("evil", ["https://evil.example/", "//evil.example/x", "http://evil.example"])
def test_foreign_next_url_is_ignored(client, alice, evil):
    response = post_login(client, "alice", next=evil)
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_anonymous_is_sent_to_login_with_next(client):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/accounts/profile/")


# --- lockout ---------------------------------------------------------------------------------
def test_four_failures_do_not_lock(client, alice):
    for _ in range(4):
        assert post_login(client, "alice", "wrong").status_code == 200
    response = post_login(client, "alice")
    assert response.status_code == 302


def test_fifth_failure_locks_out_even_the_right_password(client, alice):
    for _ in range(4):
        post_login(client, "alice", "wrong")
    response = post_login(client, "alice", "wrong")
    assert response.status_code in (403, 429)
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    response = post_login(client, "alice")
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session


def test_lockout_page_says_how_long_to_wait_in_chinese(client, alice):
    for _ in range(5):
        response = post_login(client, "alice", "wrong")
    text = response.content.decode()
    assert re.search(r"15\s*分钟", text), text


def test_lockout_page_in_english(alice):
    client = Client()
    client.cookies["django_language"] = "en"
    for _ in range(5):
        response = post_login(client, "alice", "wrong")
    assert "Please wait 15 minutes before trying again." in response.content.decode()


def test_lockout_is_per_login_name(client, alice, bob):
    for _ in range(5):
        post_login(client, "alice", "wrong")
    assert post_login(client, "bob").status_code == 302


def test_success_resets_the_failure_count(client, alice):
    for _ in range(4):
        post_login(client, "alice", "wrong")
    assert post_login(client, "alice").status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        assert post_login(client, "alice", "wrong").status_code == 200
    assert post_login(client, "alice").status_code == 302


@pytest.mark.real_hasher
def test_passwords_are_hashed_with_argon2(alice):
    alice.set_password("Whatever-2026")
    assert alice.password.startswith("argon2")


def test_axes_never_stores_the_password(client, alice):
    post_login(client, "alice", "My-Secret-Guess-42")
    attempt = AccessAttempt.objects.get(username="alice")
    assert "My-Secret-Guess-42" not in attempt.post_data
    assert "My-Secret-Guess-42" not in attempt.get_data


# --- logout ----------------------------------------------------------------------------------
def test_logout_needs_post(client, alice):
    client.force_login(alice)
    assert client.get("/accounts/logout/").status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


# --- password change -------------------------------------------------------------------------
def test_password_change(client, alice):
    client.force_login(alice)
    assert client.get("/accounts/password/").status_code == 200
    new = "Another-Long-Pass-2026"
    response = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    alice.refresh_from_db()
    assert alice.check_password(new)
    # Still logged in after the change.
    assert client.get("/accounts/profile/").status_code == 200
    entry = AuditEntry.objects.get(action="user.password_change")
    assert entry.object_id == str(alice.pk)
    assert new not in str(entry.changes) and PASSWORD not in str(entry.changes)


def test_password_change_with_wrong_old_password_changes_nothing(client, alice):
    client.force_login(alice)
    response = client.post(
        "/accounts/password/",
        {"old_password": "nope", "new_password1": "Another-Long-Pass-2026", "new_password2": "Another-Long-Pass-2026"},
    )
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
    assert not AuditEntry.objects.filter(action="user.password_change").exists()


def test_password_change_needs_login(client):
    assert client.get("/accounts/password/").status_code == 302


# --- CSRF, headers, cookies ------------------------------------------------------------------
def test_login_enforces_csrf(alice):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
    client.get("/accounts/login/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/accounts/people/new/", {"username": "eve", "real_name": "伊芙"}),
        ("/accounts/tokens/", {"name": "app"}),
        ("/accounts/logout/", {}),
        ("/accounts/password/", {"old_password": PASSWORD}),
    ],
)
def test_forms_enforce_csrf(admin, url, data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    assert client.post(url, data).status_code == 403
    assert "_auth_user_id" in client.session


def test_security_headers(client):
    response = client.get("/accounts/login/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_http_only(client, alice):
    response = post_login(client, "alice")
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


# --- lockout per address, over all login names ----------------------------------------------
def test_failures_over_many_names_lock_the_address(client, alice, bob, settings):
    """charlie-style guessing: a few tries at each of many names never reaches the limit of
    one name, but AXES_IP_FAILURE_LIMIT failures from one address lock the address."""
    settings.AXES_IP_FAILURE_LIMIT = 8
    for index in range(7):
        assert post_login(client, f"guess{index}", "wrong").status_code == 200
    response = post_login(client, "guess7", "wrong")  # the eighth failure from this address
    assert response.status_code in (403, 429)
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    # Now every name is refused from this address, the right password too …
    assert post_login(client, "alice").status_code in (403, 429)
    assert "_auth_user_id" not in client.session
    # … while the same person from another address logs in.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert post_login(other, "bob").status_code == 302


def test_failures_below_the_address_limit_do_not_lock(client, alice, settings):
    settings.AXES_IP_FAILURE_LIMIT = 8
    for index in range(7):
        post_login(client, f"guess{index}", "wrong")
    assert post_login(client, "alice").status_code == 302
