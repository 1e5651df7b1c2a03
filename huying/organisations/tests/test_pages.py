import pytest
from django.urls import reverse

from huying.core.navigation import entries_for
from huying.organisations.models import Organisation
from huying.organisations.tests.factories import OrganisationFactory, SectorFactory

PEOPLE = ["alice", "bob", "charlie", "dora"]


def _login(client, request, name):
    if name != "anonymous":
        client.force_login(request.getfixturevalue(name))


def _snapshot():
    return list(Organisation.objects.order_by("pk").values_list("pk", "name", "path", "depth", "parent_id"))


@pytest.mark.parametrize("who", ["anonymous", *PEOPLE, "admin"])
def test_directory_is_open_to_everyone(client, request, tree, who):
    _login(client, request, who)
    response = client.get(reverse("organisations:index"))
    assert response.status_code == 200
    assert "广东省政协" in response.text
    assert "广东省人民政府" in response.text
    response = client.get(reverse("organisations:detail", args=[tree.street.pk]))
    assert response.status_code == 200
    # breadcrumb: every ancestor, top first
    text = response.text
    assert text.index("广东省人民政府") < text.index("广州市人民政府") < text.index("荔湾区人民政府")
    assert "沙面社区" in text
    assert "Street / town" in text or "街道" in text
    # only administrators get the forms
    assert ('name="name"' in text) is (who == "admin")
    assert (reverse("organisations:move", args=[tree.street.pk]) in text) is (who == "admin")


def test_node_page_shows_kind_level_and_division_code(client, tree):
    org = OrganisationFactory(
        name="华林街道", kind="street", level="street", division_code="440103003", parent=tree.district_gov
    )
    response = client.get(reverse("organisations:detail", args=[org.pk]))
    assert "440103003" in response.text


def test_children_partial_for_htmx(client, tree):
    response = client.get(reverse("organisations:children", args=[tree.district_gov.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.text
    for name in ("荔湾区城市管理和综合执法局", "荔湾区指挥中心", "沙面街道"):
        assert name in response.text
    assert "沙面社区" not in response.text  # grandchildren load on their own expansion
    assert f'hx-get="{reverse("organisations:children", args=[tree.street.pk])}"' in response.text


def test_search_spans_the_whole_tree_and_shows_ancestry(client, tree):
    response = client.get(reverse("organisations:index"), {"q": "沙面"})
    assert response.status_code == 200
    assert "沙面街道" in response.text and "沙面社区" in response.text
    assert "荔湾区人民政府" in response.text  # ancestry of the results
    assert "广东省政协" not in response.text.split("<main", 1)[1]


def test_search_is_paginated(client, tree):
    for i in range(30):
        OrganisationFactory(name=f"测试社区{i:02d}", kind="community", level="community", parent=tree.street)
    first = client.get(reverse("organisations:index"), {"q": "测试社区"})
    assert "测试社区00" in first.text and "测试社区29" not in first.text
    second = client.get(reverse("organisations:index"), {"q": "测试社区", "page": 2})
    assert "测试社区29" in second.text


def test_inactive_unit_is_404_for_public(client, tree, admin):
    Organisation.objects.filter(pk=tree.community.pk).update(is_active=False)
    assert client.get(reverse("organisations:detail", args=[tree.community.pk])).status_code == 404
    client.force_login(admin)
    assert client.get(reverse("organisations:detail", args=[tree.community.pk])).status_code == 200


def test_unknown_unit_is_404(client, db):
    assert client.get(reverse("organisations:detail", args=[999999])).status_code == 404


def test_sectors_page(client, db):
    for name in ("中国共产党", "中国国民党革命委员会", "中国民主同盟"):
        SectorFactory(name=name)
    response = client.get(reverse("organisations:sectors"))
    assert response.status_code == 200
    text = response.text
    assert text.index("中国共产党") < text.index("中国国民党革命委员会") < text.index("中国民主同盟")


def test_console_lists_the_directory(alice, bob):
    assert [e.key for e in entries_for(bob, "console") if e.key == "organisations"] == ["organisations"]


# --- administrators change the tree ---------------------------------------------------------
def test_admin_creates_a_child(client, tree, admin):
    client.force_login(admin)
    response = client.post(
        reverse("organisations:create_child", args=[tree.street.pk]),
        {"name": "华林社区", "kind": "community", "level": "community", "division_code": "", "sort_order": "2"},
    )
    child = Organisation.objects.get(name="华林社区")
    assert response.status_code == 302
    assert response.url == reverse("organisations:detail", args=[child.pk])
    assert child.parent == tree.street and child.sort_order == 2


def test_admin_duplicate_name_is_a_field_error(client, tree, admin):
    client.force_login(admin)
    before = _snapshot()
    response = client.post(
        reverse("organisations:create_child", args=[tree.street.pk]),
        {"name": "沙面社区", "kind": "community", "level": "community"},
    )
    assert response.status_code == 400
    assert response.context["create_form"].errors["name"]
    assert _snapshot() == before


def test_admin_bad_division_code_is_a_field_error(client, tree, admin):
    client.force_login(admin)
    response = client.post(
        reverse("organisations:create_child", args=[tree.street.pk]),
        {"name": "新社区", "kind": "community", "level": "community", "division_code": "44x"},
    )
    assert response.status_code == 400
    assert response.context["create_form"].errors["division_code"]
    assert not Organisation.objects.filter(name="新社区").exists()


def test_create_under_unknown_parent_is_404(client, tree, admin):
    client.force_login(admin)
    response = client.post(
        reverse("organisations:create_child", args=[999999]), {"name": "x", "kind": "community", "level": "community"}
    )
    assert response.status_code == 404


def test_admin_moves_a_unit(client, tree, admin):
    client.force_login(admin)
    response = client.post(reverse("organisations:move", args=[tree.street.pk]), {"parent": tree.command_centre.pk})
    assert response.status_code == 302
    tree.community.refresh_from_db()
    assert tree.community.path.startswith(tree.command_centre.path)


def test_move_under_own_descendant_is_a_parent_error(client, tree, admin):
    client.force_login(admin)
    before = _snapshot()
    response = client.post(reverse("organisations:move", args=[tree.street.pk]), {"parent": tree.community.pk})
    assert response.status_code == 400
    assert response.context["move_form"].errors["parent"]
    assert _snapshot() == before


def test_move_under_unknown_parent_is_a_parent_error(client, tree, admin):
    client.force_login(admin)
    before = _snapshot()
    response = client.post(reverse("organisations:move", args=[tree.street.pk]), {"parent": 999999})
    assert response.status_code == 400
    assert response.context["move_form"].errors["parent"]
    assert _snapshot() == before


@pytest.mark.parametrize("who", PEOPLE)
def test_non_admins_are_refused(client, request, tree, who):
    _login(client, request, who)
    before = _snapshot()
    create = client.post(
        reverse("organisations:create_child", args=[tree.street.pk]),
        {"name": "华林社区", "kind": "community", "level": "community"},
    )
    move = client.post(reverse("organisations:move", args=[tree.street.pk]), {"parent": tree.command_centre.pk})
    assert create.status_code == 403 and move.status_code == 403
    assert "administrators" in create.text or "管理员" in create.text
    assert _snapshot() == before


def test_anonymous_changes_go_to_login(client, tree):
    response = client.post(reverse("organisations:move", args=[tree.street.pk]), {"parent": tree.command_centre.pk})
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url


# --- query counts ---------------------------------------------------------------------------
def test_query_counts_do_not_grow_with_rows(client, tree, admin, django_assert_num_queries):
    for i in range(40):
        OrganisationFactory(name=f"社区{i:02d}", kind="community", level="community", parent=tree.street)
    # anonymous: count + page of roots
    with django_assert_num_queries(2):
        client.get(reverse("organisations:index"))
    # unit + ancestors + count + page of children
    with django_assert_num_queries(4):
        client.get(reverse("organisations:detail", args=[tree.street.pk]))
    # count + page + ancestors of the page's results
    with django_assert_num_queries(3):
        client.get(reverse("organisations:index"), {"q": "社区"})
    with django_assert_num_queries(2):
        client.get(reverse("organisations:children", args=[tree.street.pk]))
