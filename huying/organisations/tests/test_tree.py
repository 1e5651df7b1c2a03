import pytest
from django.core.exceptions import ValidationError

from huying.audit.models import AuditEntry
from huying.organisations.actions import do_move_organisation
from huying.organisations.models import Organisation


def test_subtree_is_one_prefix_query(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        names = set(Organisation.objects.subtree(tree.city_gov).values_list("name", flat=True))
    assert names == {
        "广州市人民政府",
        "荔湾区人民政府",
        "荔湾区城市管理和综合执法局",
        "荔湾区指挥中心",
        "沙面街道",
        "沙面社区",
    }


def test_ancestors(tree):
    assert [o.name for o in tree.community.ancestors()] == [
        "广东省人民政府",
        "广州市人民政府",
        "荔湾区人民政府",
        "沙面街道",
    ]
    assert tree.community.depth == 4


def test_move_subtree_rewrites_paths_and_depths(tree):
    do_move_organisation(None, tree.street, tree.command_centre)
    tree.community.refresh_from_db()
    assert tree.community.path.startswith(tree.command_centre.path)
    assert tree.community.depth == 5
    assert AuditEntry.objects.filter(action="organisation.move").count() == 1


def test_cannot_move_under_own_descendant(tree):
    with pytest.raises(ValidationError):
        do_move_organisation(None, tree.street, tree.community)
    tree.street.refresh_from_db()
    assert tree.street.parent == tree.district_gov


def test_cannot_move_under_itself(tree):
    before = tree.street.path
    with pytest.raises(ValidationError) as exc:
        do_move_organisation(None, tree.street, tree.street)
    assert "parent" in exc.value.message_dict
    tree.street.refresh_from_db()
    assert tree.street.path == before


def test_subtrees_and_search_are_one_query(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        names = set(Organisation.objects.subtrees([tree.street, tree.city_cppcc]).values_list("name", flat=True))
    assert names == {"沙面街道", "沙面社区", "广州市政协"}
    with django_assert_num_queries(1):
        found = list(Organisation.objects.search("沙面").values_list("name", flat=True))
    assert found == ["沙面街道", "沙面社区"]


def test_inactive_units_are_hidden_except_from_administrators(tree, alice, admin):
    Organisation.objects.filter(pk=tree.community.pk).update(is_active=False)
    assert not Organisation.objects.visible_to(alice).filter(pk=tree.community.pk).exists()
    assert Organisation.objects.visible_to(admin).filter(pk=tree.community.pk).exists()
