import pytest
from django.core.exceptions import ValidationError

from huying.audit.models import AuditEntry
from huying.organisations.actions import do_create_organisation, do_move_organisation
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.models import Organisation


def _snapshot():
    return list(Organisation.objects.order_by("pk").values_list("pk", "name", "path", "depth", "parent_id"))


def test_create_child_sets_path_depth_and_audits(tree):
    child = do_create_organisation(
        None, name=" 多宝社区 ", kind=OrgKind.COMMUNITY, level=OrgLevel.COMMUNITY, parent=tree.street
    )
    assert child.name == "多宝社区"
    assert child.path == f"{tree.street.path}{child.pk:08d}/"
    assert child.depth == tree.street.depth + 1
    assert AuditEntry.objects.filter(action="organisation.create", object_id=str(child.pk)).exists()


def test_duplicate_name_under_same_parent_is_a_name_error(tree):
    before = _snapshot()
    with pytest.raises(ValidationError) as exc:
        do_create_organisation(
            None, name="沙面社区", kind=OrgKind.COMMUNITY, level=OrgLevel.COMMUNITY, parent=tree.street
        )
    assert "name" in exc.value.message_dict
    assert _snapshot() == before


def test_same_name_under_another_parent_is_fine(tree):
    do_create_organisation(
        None, name="沙面社区", kind=OrgKind.COMMUNITY, level=OrgLevel.COMMUNITY, parent=tree.command_centre
    )


def test_bad_kind_and_blank_name_are_field_errors(tree):
    with pytest.raises(ValidationError) as exc:
        do_create_organisation(None, name="X", kind="castle", level=OrgLevel.CITY, parent=tree.street)
    assert "kind" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        do_create_organisation(None, name="  ", kind=OrgKind.COMMUNITY, level=OrgLevel.COMMUNITY, parent=tree.street)
    assert "name" in exc.value.message_dict


def test_move_refuses_a_parent_with_a_same_named_unit(tree):
    do_create_organisation(
        None, name="沙面街道", kind=OrgKind.STREET, level=OrgLevel.STREET, parent=tree.command_centre
    )
    before = _snapshot()
    with pytest.raises(ValidationError) as exc:
        do_move_organisation(None, tree.street, tree.command_centre)
    assert "name" in exc.value.message_dict
    assert _snapshot() == before


def test_move_to_top_level(tree):
    do_move_organisation(None, tree.street, None)
    tree.community.refresh_from_db()
    assert tree.community.depth == 1
    assert Organisation.objects.get(pk=tree.street.pk).parent is None
