"""Two-factor login: enrolment (who may), confirmation, backup codes, the second login step."""

from __future__ import annotations

import base64
import re

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from huying.accounts.actions import do_start_two_factor
from huying.accounts.tests.conftest import as_user, code_for, post_login
from huying.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


# --- who may enrol ---------------------------------------------------------------------------
@pytest.mark.parametrize("person", ["alice", "dora"])
def test_members_and_public_are_refused(request, person):
    user = request.getfixturevalue(person)
    client = as_user(user)
    response = client.get("/accounts/two-factor/")
    assert response.status_code == 403
    assert "staff, leaders and administrators" in response.content.decode() or "工作人员" in response.content.decode()
    assert client.post("/accounts/two-factor/start/").status_code == 403
    assert not TOTPDevice.objects.filter(user=user).exists()


@pytest.mark.parametrize("person", ["bob", "charlie", "admin"])
def test_staff_and_admins_may_enrol(request, person):
    user = request.getfixturevalue(person)
    client = as_user(user)
    assert client.get("/accounts/two-factor/").status_code == 200


def test_anonymous_is_sent_to_login(client):
    assert client.get("/accounts/two-factor/").status_code == 302
    assert client.post("/accounts/two-factor/start/").status_code == 302


# --- enrolment -------------------------------------------------------------------------------
def test_enrolment_shows_qr_code_and_secret_then_confirms_with_backup_codes(bob):
    client = as_user(bob)
    response = client.post("/accounts/two-factor/start/")
    assert response.status_code == 302
    device = TOTPDevice.objects.get(user=bob)
    assert not device.confirmed

    page = client.get("/accounts/two-factor/").content.decode()
    match = re.search(r'<img class="qr-code" src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert match, page
    svg = base64.b64decode(match.group(1)).decode()
    assert svg.startswith("<svg") or svg.startswith("<?xml")
    secret = base64.b32encode(device.bin_key).decode()
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in page
    assert "<script" not in page.split("</head>")[1]

    response = client.post("/accounts/two-factor/confirm/", {"otp_token": code_for(device)})
    assert response.status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    codes = response.context["backup_codes"]
    assert len(codes) == 10
    assert all(code in response.content.decode() for code in codes)
    assert StaticToken.objects.filter(device__user=bob).count() == 10
    # The session that just proved the device is verified.
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    # Shown once: the page does not show them again.
    again = client.get("/accounts/two-factor/").content.decode()
    assert not any(code in again for code in codes)
    actions = list(AuditEntry.objects.filter(object_id=str(bob.pk)).values_list("action", flat=True))
    assert "two_factor.start" in actions and "two_factor.enable" in actions
    assert all(code not in str(e.changes) for e in AuditEntry.objects.all() for code in codes)


def test_wrong_confirmation_code_changes_nothing(bob):
    client = as_user(bob)
    client.post("/accounts/two-factor/start/")
    device = TOTPDevice.objects.get(user=bob)
    wrong = f"{(int(code_for(device)) + 1) % 1000000:06d}"
    response = client.post("/accounts/two-factor/confirm/", {"otp_token": wrong})
    assert response.status_code == 400
    assert "otp_token" in response.context["form"].errors
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticDevice.objects.filter(user=bob).exists()
    assert not AuditEntry.objects.filter(action="two_factor.enable").exists()


def test_disable_needs_a_current_code(bob, bob_totp):
    client = as_user(bob)
    response = client.post("/accounts/two-factor/disable/", {"otp_token": "000000"})
    assert response.status_code == 400
    assert TOTPDevice.objects.filter(user=bob).exists()
    bob_totp.throttle_reset()
    response = client.post("/accounts/two-factor/disable/", {"otp_token": code_for(bob_totp)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=bob).exists()
    assert AuditEntry.objects.filter(action="two_factor.disable", object_id=str(bob.pk)).exists()


def test_new_backup_codes_replace_old_ones(bob, bob_totp):
    client = as_user(bob)
    first = client.post("/accounts/two-factor/backup-codes/", {"otp_token": code_for(bob_totp)}).context["backup_codes"]
    second = client.post("/accounts/two-factor/backup-codes/", {"otp_token": first[0]}).context["backup_codes"]
    assert set(first).isdisjoint(second)
    assert set(StaticToken.objects.filter(device__user=bob).values_list("token", flat=True)) == set(second)


def test_plain_member_cannot_start_via_action(alice):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        do_start_two_factor(alice, alice)


# --- logging in with a second factor ---------------------------------------------------------
def test_password_alone_is_not_enough(client, bob, bob_totp):
    response = post_login(client, "bob")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/verify/"
    assert "_auth_user_id" not in client.session
    assert client.get("/accounts/profile/").status_code == 302


def test_correct_code_logs_in_verified(client, bob, bob_totp):
    post_login(client, "bob", next="/accounts/profile/")
    assert client.get("/accounts/login/verify/").status_code == 200
    response = client.post("/accounts/login/verify/", {"otp_token": code_for(bob_totp)})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    assert client.session["_auth_user_id"] == str(bob.pk)
    assert client.session[DEVICE_ID_SESSION_KEY] == bob_totp.persistent_id
    entry = AuditEntry.objects.get(action="user.login")
    assert entry.changes == {"two_factor": "True"}


def test_a_code_cannot_be_used_twice(bob, bob_totp):
    code = code_for(bob_totp)
    first = Client()
    post_login(first, "bob")
    assert first.post("/accounts/login/verify/", {"otp_token": code}).status_code == 302
    second = Client()
    post_login(second, "bob")
    bob_totp.refresh_from_db()
    response = second.post("/accounts/login/verify/", {"otp_token": code})
    assert response.status_code == 200
    assert "_auth_user_id" not in second.session


def test_wrong_code_refused_and_counted_by_axes(client, bob, bob_totp):
    from axes.models import AccessAttempt

    post_login(client, "bob")
    response = client.post("/accounts/login/verify/", {"otp_token": "123"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get(username="bob").failures_since_start == 1


def test_guessing_codes_runs_into_the_lockout(client, bob, bob_totp):
    post_login(client, "bob")
    for _ in range(4):
        assert client.post("/accounts/login/verify/", {"otp_token": "999999x"}).status_code == 200
    response = client.post("/accounts/login/verify/", {"otp_token": "999999x"})
    assert response.status_code in (403, 429)
    # Even the right password and code no longer help.
    assert post_login(client, "bob").status_code in (403, 429)
    assert "_auth_user_id" not in client.session


def test_backup_code_works_once(bob, bob_totp):
    client = as_user(bob)
    codes = client.post("/accounts/two-factor/backup-codes/", {"otp_token": code_for(bob_totp)}).context["backup_codes"]
    client.post("/accounts/logout/")
    post_login(client, "bob")
    assert client.post("/accounts/login/verify/", {"otp_token": codes[0]}).status_code == 302
    client.post("/accounts/logout/")
    post_login(client, "bob")
    assert client.post("/accounts/login/verify/", {"otp_token": codes[0]}).status_code == 200
    assert "_auth_user_id" not in client.session


def test_verify_step_without_password_step_goes_back_to_login(client, bob, bob_totp):
    response = client.post("/accounts/login/verify/", {"otp_token": code_for(bob_totp)})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_verify_step_keeps_next_url_safe(client, bob, bob_totp):
    post_login(client, "bob", next="https://evil.example/")
    response = client.post("/accounts/login/verify/", {"otp_token": code_for(bob_totp)})
    assert response["Location"] == "/"


def test_deactivated_during_verify_step_cannot_finish(client, bob, bob_totp, admin):
    from huying.accounts.actions import do_set_user_active

    post_login(client, "bob")
    do_set_user_active(admin, bob, False)
    response = client.post("/accounts/login/verify/", {"otp_token": code_for(bob_totp)})
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_people_without_a_device_log_in_with_password_only(client, charlie):
    assert post_login(client, "charlie")["Location"] == "/"
    assert client.session["_auth_user_id"] == str(charlie.pk)


# --- two-factor login required for some roles (REQUIRE_2FA) ---------------------------------
@pytest.fixture
def required(settings):
    settings.REQUIRE_2FA = True
    settings.REQUIRE_2FA_ROLES = ["admin", "dispatcher"]


@pytest.fixture
def dispatcher(tree):
    from huying.accounts.choices import Role
    from huying.accounts.tests.factories import UserFactory

    return UserFactory(username="diaodu", real_name="李敏", roles=[(Role.DISPATCHER, tree.command_centre)])


def test_off_in_tests_and_the_demo_unless_set(client, admin, settings):
    import os

    if "REQUIRE_2FA" in os.environ:
        pytest.skip("REQUIRE_2FA is set in the environment")
    assert settings.REQUIRE_2FA is False
    assert as_user(admin).get("/accounts/profile/").status_code == 200


@pytest.mark.parametrize("person", ["admin", "dispatcher"])
def test_required_roles_are_sent_to_the_set_up_first(request, required, person):
    client = as_user(request.getfixturevalue(person))
    for url in ("/", "/accounts/profile/", "/accounts/people/", "/workorders/console/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/", url
    assert client.get("/accounts/two-factor/").status_code == 200
    assert client.post("/accounts/two-factor/start/").status_code == 302
    # The API refuses the session in its error format.
    refused = client.get("/api/v1/accounts/me")
    assert refused.status_code == 403 and set(refused.json()) == {"message", "errors"}


def test_after_the_set_up_everything_opens(required, admin):
    client = as_user(admin)
    client.post("/accounts/two-factor/start/")
    device = TOTPDevice.objects.get(user=admin)
    assert client.post("/accounts/two-factor/confirm/", {"otp_token": code_for(device)}).status_code == 200
    assert client.get("/accounts/profile/").status_code == 200
    assert client.get("/api/v1/accounts/me").status_code == 200


def test_other_roles_are_not_held_up(required, bob, alice):
    assert as_user(bob).get("/accounts/profile/").status_code == 200
    assert as_user(alice).get("/accounts/profile/").status_code == 200


def test_a_session_not_verified_with_the_device_logs_in_again(required, admin):
    TOTPDevice.objects.create(user=admin, name="default", confirmed=True)
    client = as_user(admin)  # force_login: a session that never gave a code
    response = client.get("/accounts/profile/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_api_tokens_keep_working_but_never_the_session(required, admin, client):
    from huying.accounts.actions import do_create_api_token

    token = do_create_api_token(admin, admin, "nightly export")[1]
    client.force_login(admin)
    assert client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    # A wrong token does not fall back to the session.
    assert client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION="Bearer hy_wrong").status_code == 401


def test_roles_that_cannot_use_two_factor_are_refused_at_start_up():
    from django.core.exceptions import ImproperlyConfigured

    from huying.accounts.middleware import check_roles

    check_roles(["admin", "dispatcher", "leader"])
    with pytest.raises(ImproperlyConfigured, match="member"):
        check_roles(["admin", "member"])
