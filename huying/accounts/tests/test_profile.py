"""The own-profile page."""

from __future__ import annotations

import pytest

from huying.accounts.actions import do_create_api_token
from huying.accounts.tests.conftest import as_user

pytestmark = pytest.mark.django_db


def test_profile_shows_facts_roles_and_member_details(alice):
    english = as_user(alice)
    english.cookies["django_language"] = "en"
    response = english.get("/accounts/profile/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "王丽" in text and "alice" in text
    assert alice.masked_mobile in text and alice.mobile not in text
    assert "Not verified" in text
    member = alice.role_assignments.get()
    assert "广东省政协" in text
    assert "Term 13" in text
    assert member.sector.name in text
    assert "Provincial member" in text
    assert "Not available for your roles." in text  # members are not offered two-factor login


def test_profile_shows_two_factor_state_and_tokens(bob, bob_totp):
    do_create_api_token(bob, bob, "值班小程序")
    english = as_user(bob)
    english.cookies["django_language"] = "en"
    text = english.get("/accounts/profile/").content.decode()
    assert "On. 0 backup codes left." in text
    assert "值班小程序" in text


def test_profile_in_chinese(alice):
    text = as_user(alice).get("/accounts/profile/").content.decode()
    assert "个人资料" in text and "第 13 届" in text and "省政协委员" in text
