"""People management for administrators, and the people endpoints."""

from __future__ import annotations

import pytest
from django.test import Client

from huying.accounts.actions import do_assign_role, do_set_user_active
from huying.accounts.choices import MemberLevel, Role
from huying.accounts.models import RoleAssignment, User
from huying.accounts.tests.conftest import as_user, post_login
from huying.accounts.tests.factories import UserFactory
from huying.audit.models import AuditEntry
from huying.core.navigation import entries_for
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.tests.factories import OrganisationFactory, SectorFactory

pytestmark = pytest.mark.django_db


# --- who may manage ----------------------------------------------------------------------------
@pytest.mark.parametrize("person", ["alice", "bob", "charlie", "dora"])
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/accounts/people/"),
        ("get", "/accounts/people/new/"),
        ("post", "/accounts/people/new/"),
        ("get", "/accounts/people/{alice}/edit/"),
        ("post", "/accounts/people/{alice}/active/"),
        ("get", "/accounts/people/{alice}/roles/new/"),
        ("post", "/accounts/people/{alice}/roles/new/"),
        ("post", "/accounts/people/{alice}/roles/{role}/revoke/"),
    ],
)
def test_non_admins_are_refused_with_a_message(request, alice, person, method, url):
    role = alice.role_assignments.get()
    client = as_user(request.getfixturevalue(person))
    response = getattr(client, method)(url.format(alice=alice.pk, role=role.pk), {"active": "0", "role": "admin"})
    assert response.status_code == 403
    assert "administrators" in response.content.decode() or "管理员" in response.content.decode()
    alice.refresh_from_db()
    assert alice.is_active
    role.refresh_from_db()
    assert role.is_active


def test_anonymous_is_sent_to_login(client, alice):
    assert client.get("/accounts/people/").status_code == 302
    assert client.get(f"/accounts/people/{alice.pk}/").status_code == 302
    assert client.post(f"/accounts/people/{alice.pk}/active/", {"active": "0"}).status_code == 302


def test_console_entry_only_for_admins(alice, bob, charlie, dora, admin):
    assert "people" in [e.key for e in entries_for(admin, "console")]
    for person in (alice, bob, charlie, dora):
        assert "people" not in [e.key for e in entries_for(person, "console")]
    assert "/accounts/people/" in as_user(admin).get("/console/").content.decode()


# --- the list ----------------------------------------------------------------------------------
def test_list_shows_everyone_with_whole_mobiles(alice, bob, charlie, dora, admin):
    response = as_user(admin).get("/accounts/people/")
    assert response.status_code == 200
    text = response.content.decode()
    for person in (alice, bob, charlie, dora):
        assert person.real_name in text
        assert person.mobile in text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "王丽"}, {"alice"}),
        ({"q": "charl"}, {"charlie"}),
        ({"role": "agency_staff"}, {"bob"}),
        ({"role": "public"}, {"dora"}),
    ],
)
def test_list_search_and_role_filter(alice, bob, charlie, dora, admin, query, expected):
    response = as_user(admin).get("/accounts/people/", query)
    assert {p.username for p in response.context["page"].object_list} == expected


def test_list_search_by_mobile(alice, bob, admin):
    response = as_user(admin).get("/accounts/people/", {"q": bob.mobile[-6:]})
    assert [p.username for p in response.context["page"].object_list] == ["bob"]


def test_list_filter_by_organisation_subtree(tree, alice, bob, charlie, dora, admin):
    client = as_user(admin)
    response = client.get("/accounts/people/", {"org": tree.district_gov.pk})
    assert {p.username for p in response.context["page"].object_list} == {"charlie"}
    response = client.get("/accounts/people/", {"org": tree.province_gov.pk})
    assert {p.username for p in response.context["page"].object_list} == {"charlie", "admin"}
    response = client.get("/accounts/people/", {"org": tree.province_cppcc.pk, "role": "member"})
    assert {p.username for p in response.context["page"].object_list} == {"alice"}


def test_list_filter_ignores_revoked_roles(tree, alice, admin):
    from huying.accounts.actions import do_revoke_role

    do_revoke_role(admin, alice.role_assignments.get())
    response = as_user(admin).get("/accounts/people/", {"org": tree.province_cppcc.pk})
    assert list(response.context["page"].object_list) == []


def test_list_unknown_organisation_is_a_field_error(admin):
    response = as_user(admin).get("/accounts/people/", {"org": 999999})
    assert "org" in response.context["form"].errors
    assert list(response.context["page"].object_list) == []


def test_organisation_search_offers_numbers(tree, admin):
    response = as_user(admin).get("/accounts/people/", {"org_q": "荔湾"})
    assert tree.department in response.context["org_results"]
    assert f"?org={tree.department.pk}" in response.content.decode()


def test_list_is_paginated_with_pinned_queries(tree, admin, django_assert_num_queries):
    sector = SectorFactory()
    for _i in range(30):
        user = UserFactory()
        do_assign_role(None, user, Role.MEMBER, tree.city_cppcc, term=13, sector=sector, member_level=MemberLevel.CITY)
        do_assign_role(None, user, Role.UNIT_STAFF, tree.department)
    client = as_user(admin)
    client.get("/accounts/people/")
    # session, user, user's roles (administrator check), count, page, prefetched roles
    with django_assert_num_queries(6):
        response = client.get("/accounts/people/")
    assert len(response.context["page"].object_list) == 25
    assert response.context["page"].paginator.count == 31
    with django_assert_num_queries(6):
        response = client.get("/accounts/people/", {"page": 2})
    assert len(response.context["page"].object_list) == 6


# --- detail ------------------------------------------------------------------------------------
def test_detail_for_admin_shows_whole_mobile_and_controls(alice, admin):
    response = as_user(admin).get(f"/accounts/people/{alice.pk}/")
    text = response.content.decode()
    assert alice.mobile in text
    assert f"/accounts/people/{alice.pk}/edit/" in text
    assert "13" in text  # term


def test_detail_for_colleague_masks_mobile_and_has_no_controls(alice, bob):
    response = as_user(bob).get(f"/accounts/people/{alice.pk}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert alice.mobile not in text
    assert alice.masked_mobile in text
    assert "/edit/" not in text


def test_detail_for_self_shows_whole_mobile(alice):
    assert alice.mobile in as_user(alice).get(f"/accounts/people/{alice.pk}/").content.decode()


@pytest.mark.parametrize("person", ["charlie", "dora"])
def test_detail_hidden_from_outsiders_and_public(request, alice, person):
    assert as_user(request.getfixturevalue(person)).get(f"/accounts/people/{alice.pk}/").status_code == 404


# --- create and edit -----------------------------------------------------------------------------
def test_create_person(admin):
    response = as_user(admin).post(
        "/accounts/people/new/",
        {
            "username": "eve",
            "real_name": "伊芙",
            "mobile": "13912345678",
            "is_real_name_verified": "on",
            "password": "Long-Enough-Pass-9",
        },
    )
    assert response.status_code == 302
    eve = User.objects.get(username="eve")
    assert eve.is_real_name_verified and eve.check_password("Long-Enough-Pass-9")
    entry = AuditEntry.objects.get(action="user.create", object_id=str(eve.pk))
    assert entry.actor == admin
    assert "Long-Enough-Pass-9" not in str(entry.changes)
    assert "13912345678" not in str(entry.changes)


def test_create_person_without_password_cannot_log_in(admin, client):
    as_user(admin).post("/accounts/people/new/", {"username": "eve", "real_name": "伊芙"})
    assert not User.objects.get(username="eve").has_usable_password()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"username": "alice", "real_name": "另一个"}, "username"),
        ({"username": "a b", "real_name": "空格"}, "username"),
        ({"username": "eve", "real_name": ""}, "real_name"),
        ({"username": "eve", "real_name": "伊芙", "mobile": "12345"}, "mobile"),
        ({"username": "eve", "real_name": "伊芙", "mobile": "{alice_mobile}"}, "mobile"),
        ({"username": "eve", "real_name": "伊芙", "password": "123"}, "password"),
    ],
)
def test_create_person_errors_name_the_field(alice, admin, data, field):
    data = {k: v.format(alice_mobile=alice.mobile) for k, v in data.items()}
    before = User.objects.count()
    response = as_user(admin).post("/accounts/people/new/", data)
    assert response.status_code == 400
    assert field in response.context["form"].errors, response.context["form"].errors
    assert User.objects.count() == before


def test_edit_person(alice, admin):
    response = as_user(admin).post(
        f"/accounts/people/{alice.pk}/edit/",
        {"real_name": "王丽丽", "mobile": "13700001111", "is_real_name_verified": "on"},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.real_name, alice.mobile, alice.is_real_name_verified) == ("王丽丽", "13700001111", True)
    entry = AuditEntry.objects.get(action="user.update")
    assert entry.changes["real_name"] == ["王丽", "王丽丽"]
    assert entry.changes["mobile"][1] == "137****1111"


def test_edit_person_to_a_taken_mobile_changes_nothing(alice, bob, admin):
    response = as_user(admin).post(f"/accounts/people/{alice.pk}/edit/", {"real_name": "王丽丽", "mobile": bob.mobile})
    assert response.status_code == 400
    assert "mobile" in response.context["form"].errors
    alice.refresh_from_db()
    assert alice.real_name == "王丽"


def test_deactivate_and_reactivate(alice, admin):
    client = as_user(admin)
    assert client.post(f"/accounts/people/{alice.pk}/active/", {"active": "0"}).status_code == 302
    alice.refresh_from_db()
    assert not alice.is_active
    assert post_login(Client(), "alice").status_code == 200  # refused
    client.post(f"/accounts/people/{alice.pk}/active/", {"active": "1"})
    alice.refresh_from_db()
    assert alice.is_active
    assert list(
        AuditEntry.objects.filter(object_id=str(alice.pk), action__startswith="user.")
        .values_list("action", flat=True)
        .order_by("id")
    ) == ["user.create", "user.deactivate", "user.reactivate"]


def test_deactivation_ends_existing_sessions(alice, admin):
    alice_client = as_user(alice)
    assert alice_client.get("/accounts/profile/").status_code == 200
    do_set_user_active(admin, alice, False)
    assert alice_client.get("/accounts/profile/").status_code == 302


def test_admin_cannot_deactivate_themselves(admin):
    as_user(admin).post(f"/accounts/people/{admin.pk}/active/", {"active": "0"})
    admin.refresh_from_db()
    assert admin.is_active


# --- roles ---------------------------------------------------------------------------------------
def test_assign_member_role(tree, dora, admin):
    sector = SectorFactory(name="经济界")
    committee = OrganisationFactory(
        name="提案委员会", kind=OrgKind.SPECIAL_COMMITTEE, level=OrgLevel.PROVINCE, parent=tree.province_cppcc
    )
    response = as_user(admin).post(
        f"/accounts/people/{dora.pk}/roles/new/",
        {
            "role": "member",
            "organisation": tree.province_cppcc.pk,
            "term": 13,
            "sector": sector.pk,
            "special_committee": committee.pk,
            "member_level": "provincial",
        },
    )
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=dora, role=Role.MEMBER)
    assert (assignment.term, assignment.sector, assignment.special_committee) == (13, sector, committee)
    assert AuditEntry.objects.filter(action="role.assign", object_id=str(dora.pk), actor=admin).exists()
    detail = as_user(admin).get(f"/accounts/people/{dora.pk}/").content.decode()
    assert "经济界" in detail and "提案委员会" in detail


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"role": "member", "organisation": "{cppcc}"}, "term"),
        ({"role": "member", "organisation": "{cppcc}", "term": "13", "member_level": "city"}, "sector"),
        (
            {"role": "member", "organisation": "{dept}", "term": "13", "member_level": "city", "sector": "{sector}"},
            "organisation",
        ),
        ({"role": "public", "organisation": "{dept}"}, "organisation"),
        ({"role": "unit_staff"}, "organisation"),
        ({"role": "unit_staff", "organisation": "{dept}", "term": "13"}, "term"),
        ({"role": "unit_staff", "organisation": "999999"}, "organisation"),
        ({"role": "wizard", "organisation": "{dept}"}, "role"),
        ({"role": "unit_staff", "organisation": "{charlie_org}"}, "role"),
    ],
)
def test_assign_role_errors_name_the_field(tree, charlie, admin, data, field):
    sector = SectorFactory()
    values = {
        "cppcc": tree.province_cppcc.pk,
        "dept": tree.department.pk,
        "sector": sector.pk,
        "charlie_org": tree.department.pk,
    }
    data = {k: v.format(**values) for k, v in data.items()}
    before = RoleAssignment.objects.count()
    response = as_user(admin).post(f"/accounts/people/{charlie.pk}/roles/new/", data)
    assert response.status_code == 400
    assert field in response.context["form"].errors, response.context["form"].errors
    assert RoleAssignment.objects.count() == before


def test_revoke_role(alice, admin):
    assignment = alice.role_assignments.get()
    response = as_user(admin).post(f"/accounts/people/{alice.pk}/roles/{assignment.pk}/revoke/")
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert not assignment.is_active
    assert AuditEntry.objects.filter(action="role.revoke", object_id=str(alice.pk)).exists()


def test_revoke_role_of_another_person_via_wrong_url_is_404(alice, bob, admin):
    assignment = alice.role_assignments.get()
    response = as_user(admin).post(f"/accounts/people/{bob.pk}/roles/{assignment.pk}/revoke/")
    assert response.status_code == 404
    assignment.refresh_from_db()
    assert assignment.is_active


def test_admin_cannot_revoke_own_admin_role(admin):
    assignment = admin.role_assignments.get()
    as_user(admin).post(f"/accounts/people/{admin.pk}/roles/{assignment.pk}/revoke/")
    assignment.refresh_from_db()
    assert assignment.is_active


# --- API -----------------------------------------------------------------------------------------
def test_api_admin_sees_everyone_with_whole_mobiles(alice, bob, charlie, dora, admin):
    body = as_user(admin).get("/api/v1/accounts/people").json()
    assert body["count"] == 5
    mobiles = {p["username"]: p["mobile"] for p in body["items"]}
    assert mobiles["alice"] == alice.mobile


def test_api_colleague_sees_same_organisation_masked(alice, bob, charlie, dora, admin):
    body = as_user(bob).get("/api/v1/accounts/people").json()
    people = {p["username"]: p for p in body["items"]}
    assert set(people) == {"alice", "bob"}
    assert people["alice"]["mobile"] == alice.masked_mobile
    assert people["bob"]["mobile"] == bob.mobile


@pytest.mark.parametrize(
    ("person", "visible"), [("charlie", {"charlie"}), ("dora", {"dora"}), ("alice", {"alice", "bob"})]
)
def test_api_people_visible_to(request, alice, bob, charlie, dora, admin, person, visible):
    body = as_user(request.getfixturevalue(person)).get("/api/v1/accounts/people").json()
    assert {p["username"] for p in body["items"]} == visible


def test_api_people_filters(tree, alice, bob, charlie, admin):
    client = as_user(admin)
    assert [p["username"] for p in client.get("/api/v1/accounts/people", {"q": "王"}).json()["items"]] == ["alice"]
    body = client.get("/api/v1/accounts/people", {"organisation": tree.city_gov.pk}).json()
    assert [p["username"] for p in body["items"]] == ["charlie"]
    assert client.get("/api/v1/accounts/people", {"organisation": 999999}).json()["count"] == 0


def test_api_person_detail(alice, bob, charlie, admin):
    url = f"/api/v1/accounts/people/{alice.pk}"
    assert as_user(admin).get(url).json()["mobile"] == alice.mobile
    assert as_user(alice).get(url).json()["mobile"] == alice.mobile
    body = as_user(bob).get(url).json()
    assert body["mobile"] == alice.masked_mobile
    assert body["roles"][0]["role"] == "member"
    response = as_user(charlie).get(url)
    assert response.status_code == 404
    assert response.json()["message"]
    assert Client().get(url).status_code == 401


def test_api_people_query_count(tree, admin, django_assert_num_queries):
    for _i in range(20):
        do_assign_role(None, UserFactory(), Role.UNIT_STAFF, tree.department)
    client = as_user(admin)
    client.get("/api/v1/accounts/people")
    # session, user, administrator check, count, page, prefetched roles
    with django_assert_num_queries(6):
        body = client.get("/api/v1/accounts/people").json()
    assert body["count"] == 21


# --- two-factor reset by administrators ------------------------------------------------------------
def test_admin_resets_two_factor_of_someone_who_lost_their_phone(bob, bob_totp, admin):
    response = as_user(admin).post(f"/accounts/people/{bob.pk}/two-factor/reset/")
    assert response.status_code == 302
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assert not TOTPDevice.objects.filter(user=bob).exists()
    assert AuditEntry.objects.filter(action="two_factor.reset", object_id=str(bob.pk), actor=admin).exists()
    assert post_login(Client(), "bob")["Location"] == "/"


@pytest.mark.parametrize("person", ["alice", "charlie", "dora"])
def test_non_admins_cannot_reset_two_factor(request, bob, bob_totp, person):
    response = as_user(request.getfixturevalue(person)).post(f"/accounts/people/{bob.pk}/two-factor/reset/")
    assert response.status_code == 403
    bob_totp.refresh_from_db()


# --- masked mobile numbers are not searchable ---------------------------------------------------
def _found(person, q):
    return [p["username"] for p in as_user(person).get("/api/v1/accounts/people", {"q": q}).json()["items"]]


def test_a_masked_mobile_cannot_be_found_by_its_digits(alice, bob, charlie, dora, admin):
    """alice sees bob (same CPPCC) with his number masked: no part of it finds him, so
    twelve searches no longer spell out his hidden digits."""
    assert len(bob.mobile) == 11 and "bob" in _found(alice, "")
    hidden = bob.mobile[3:7]
    for q in (bob.mobile, hidden, bob.mobile[:7], bob.mobile[3:], bob.mobile[-4:], bob.mobile[2:5]):
        assert "bob" not in _found(alice, q), q
        assert "bob" not in _found(charlie, q) and "bob" not in _found(dora, q)
    # Whoever may see the whole number may search it: administrators, and bob himself.
    assert "bob" in _found(admin, hidden)
    assert "bob" in _found(admin, bob.mobile)
    assert _found(bob, bob.mobile) == ["bob"]
    # Names and login names stay searchable for everyone who sees the person.
    assert "bob" in _found(alice, "李波") and "bob" in _found(alice, "bo")


def test_the_people_page_searches_mobiles_for_administrators(alice, bob, admin):
    response = as_user(admin).get("/accounts/people/", {"q": bob.mobile[3:7]})
    assert bob.real_name in response.content.decode()
