import pytest

from huying.accounts.actions import do_create_api_token
from huying.organisations.models import Organisation
from huying.organisations.tests.factories import OrganisationFactory, SectorFactory

BASE = "/api/v1/organisations"
PEOPLE = ["alice", "bob", "charlie", "dora"]


def _snapshot():
    return list(Organisation.objects.order_by("pk").values_list("pk", "name", "path", "depth", "parent_id"))


@pytest.fixture
def as_admin(client, admin):
    client.force_login(admin)
    return client


def test_anonymous_needs_to_authenticate(client, tree):
    assert client.get(BASE).status_code == 401


@pytest.mark.parametrize("who", [*PEOPLE, "admin"])
def test_everyone_signed_in_reads_the_directory(client, request, tree, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(BASE)
    assert response.status_code == 200
    assert response.json()["count"] == 9


def test_bearer_token(client, tree, charlie):
    _token, secret = do_create_api_token(None, charlie, "script")
    response = client.get(f"{BASE}/{tree.street.pk}", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    assert response.json()["name"] == "沙面街道"


def test_detail_has_ancestors_and_displays(client, tree, dora):
    client.force_login(dora)
    body = client.get(f"{BASE}/{tree.community.pk}").json()
    assert [a["name"] for a in body["ancestors"]] == ["广东省人民政府", "广州市人民政府", "荔湾区人民政府", "沙面街道"]
    assert body["kind"] == "community" and body["level"] == "community" and body["depth"] == 4
    assert body["parent_id"] == tree.street.pk and body["child_count"] == 0


def test_filters(client, tree, alice):
    client.force_login(alice)

    def names(**params):
        return [o["name"] for o in client.get(BASE, params).json()["items"]]

    assert names(kind="cppcc") == ["广东省政协", "广州市政协"]
    assert names(level="county") == ["荔湾区人民政府", "荔湾区城市管理和综合执法局", "荔湾区指挥中心"]
    assert set(names(parent=tree.district_gov.pk)) == {"荔湾区城市管理和综合执法局", "荔湾区指挥中心", "沙面街道"}
    assert set(names(under=tree.district_gov.pk)) == {
        "荔湾区人民政府",
        "荔湾区城市管理和综合执法局",
        "荔湾区指挥中心",
        "沙面街道",
        "沙面社区",
    }
    assert names(q="沙面") == ["沙面街道", "沙面社区"]
    assert names(under=tree.district_gov.pk, kind="community") == ["沙面社区"]
    assert client.get(BASE, {"under": 999999}).status_code == 404
    assert client.get(BASE, {"kind": "castle"}).status_code == 422


def test_children_and_404(client, tree, bob):
    client.force_login(bob)
    body = client.get(f"{BASE}/{tree.district_gov.pk}/children").json()
    assert body["count"] == 3
    assert {o["name"] for o in body["items"]} == {"荔湾区城市管理和综合执法局", "荔湾区指挥中心", "沙面街道"}
    assert client.get(f"{BASE}/999999/children").status_code == 404
    assert client.get(f"{BASE}/999999").status_code == 404


def test_inactive_units_only_for_admins(client, tree, alice, admin):
    Organisation.objects.filter(pk=tree.community.pk).update(is_active=False)
    client.force_login(alice)
    assert client.get(f"{BASE}/{tree.community.pk}").status_code == 404
    assert client.get(f"{BASE}/{tree.street.pk}").json()["child_count"] == 0
    client.force_login(admin)
    assert client.get(f"{BASE}/{tree.community.pk}").status_code == 200
    assert client.get(f"{BASE}/{tree.street.pk}").json()["child_count"] == 1


def test_sectors(client, dora):
    for name in ("中国共产党", "中国国民党革命委员会"):
        SectorFactory(name=name)
    client.force_login(dora)
    body = client.get(f"{BASE}/sectors").json()
    assert [s["name"] for s in body["items"]] == ["中国共产党", "中国国民党革命委员会"]


# --- writes ---------------------------------------------------------------------------------
def test_admin_creates_a_child(as_admin, tree):
    response = as_admin.post(
        BASE,
        {"parent_id": tree.street.pk, "name": "华林社区", "kind": "community", "level": "community"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["parent_id"] == tree.street.pk
    assert body["ancestors"][-1]["name"] == "沙面街道"
    assert Organisation.objects.filter(name="华林社区", parent=tree.street).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"parent_id": 999999, "name": "华林社区"}, "parent_id"),
        ({"name": "沙面社区"}, "name"),
        ({"name": ""}, "name"),
        ({"name": "华林社区", "division_code": "44x"}, "division_code"),
    ],
)
def test_create_bad_input_names_the_field(as_admin, tree, payload, field):
    before = _snapshot()
    data = {"parent_id": tree.street.pk, "kind": "community", "level": "community", **payload}
    response = as_admin.post(BASE, data, content_type="application/json")
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert _snapshot() == before


def test_admin_moves_a_unit(as_admin, tree):
    response = as_admin.post(
        f"{BASE}/{tree.street.pk}/move", {"parent_id": tree.command_centre.pk}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["depth"] == 4
    tree.community.refresh_from_db()
    assert tree.community.depth == 5


@pytest.mark.parametrize("target", ["descendant", "itself", "unknown", "same_name"])
def test_bad_moves_name_the_parent_and_change_nothing(as_admin, tree, target):
    if target == "same_name":
        OrganisationFactory(name="沙面街道", kind="street", level="street", parent=tree.command_centre)
    parent_id = {
        "descendant": tree.community.pk,
        "itself": tree.street.pk,
        "unknown": 999999,
        "same_name": tree.command_centre.pk,
    }[target]
    before = _snapshot()
    response = as_admin.post(f"{BASE}/{tree.street.pk}/move", {"parent_id": parent_id}, content_type="application/json")
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["parent_id"]
    assert _snapshot() == before


@pytest.mark.parametrize("who", PEOPLE)
def test_non_admins_cannot_write(client, request, tree, who):
    client.force_login(request.getfixturevalue(who))
    before = _snapshot()
    create = client.post(
        BASE,
        {"parent_id": tree.street.pk, "name": "华林社区", "kind": "community", "level": "community"},
        content_type="application/json",
    )
    move = client.post(
        f"{BASE}/{tree.street.pk}/move", {"parent_id": tree.command_centre.pk}, content_type="application/json"
    )
    assert create.status_code == 403 and move.status_code == 403
    assert create.json()["message"]
    assert _snapshot() == before


def test_list_query_count_is_fixed(client, tree, alice, django_assert_num_queries):
    client.force_login(alice)
    for i in range(30):
        OrganisationFactory(name=f"社区{i:02d}", kind="community", level="community", parent=tree.street)
    # session, user, roles, count, page
    with django_assert_num_queries(5):
        response = client.get(BASE)
    assert response.json()["count"] == 39
    # + the subtree root
    with django_assert_num_queries(6):
        client.get(BASE, {"under": tree.district_gov.pk})
    # + the existence check of the parent
    with django_assert_num_queries(6):
        client.get(f"{BASE}/{tree.street.pk}/children")


def test_endpoints_are_documented():
    # Checked on this app's router alone, so another app's schema cannot hide a problem here.
    from huying.organisations.api import router

    operations = {
        (method, path): op
        for path, path_view in router.path_operations.items()
        for op in path_view.operations
        for method in op.methods
    }
    assert {("GET", ""), ("POST", ""), ("GET", "/sectors"), ("GET", "/{int:org_id}")} <= set(operations)
    assert {("GET", "/{int:org_id}/children"), ("POST", "/{int:org_id}/move")} <= set(operations)
    assert all(op.summary and op.description for op in operations.values())
    from huying.organisations.api import OrganisationFilters

    properties = OrganisationFilters.model_json_schema()["properties"]
    assert {"kind", "level", "parent", "under", "q"} <= set(properties)
    assert "everything below" in properties["under"]["description"]
