"""Every write to the organisation tree and the sector list.

Pages, the API, the demo loader and tests call these functions; each validates its input
(raising :class:`~django.core.exceptions.ValidationError` keyed by the offending field, with
nothing written), writes in one transaction and appends an audit entry.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from huying.audit.actions import record
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.models import SEGMENT_WIDTH, Organisation, Sector, path_segment

# ``path`` holds one fixed-width segment per level; deeper trees would not fit the column.
PATH_MAX_LENGTH = 255  # Organisation.path's max_length
MAX_DEPTH = PATH_MAX_LENGTH // (SEGMENT_WIDTH + 1) - 1


def check_name_free(name: str, parent: Organisation | None, *, exclude_pk: int | None = None) -> None:
    """Sibling names are unique: two units called the same under one parent would be
    indistinguishable in every list and breadcrumb."""
    siblings = Organisation.objects.filter(parent=parent, name=name)
    if exclude_pk is not None:
        siblings = siblings.exclude(pk=exclude_pk)
    if siblings.exists():
        if parent is None:
            message = _("A top-level organisation with this name already exists.")
        else:
            message = _("“%(parent)s” already has a unit with this name.") % {"parent": parent.name}
        raise ValidationError({"name": message})


@transaction.atomic
def do_create_organisation(
    actor: Any,
    *,
    name: str,
    kind: str,
    level: str,
    parent: Organisation | None = None,
    short_name: str = "",
    division_code: str = "",
    sort_order: int = 0,
) -> Organisation:
    """Add a node under ``parent`` (a root when ``parent`` is None).

    Called by administrators (pages and API check ``user.is_administrator`` first), the demo
    loader and tests. Creates one row and one ``organisation.create`` audit entry."""
    name = name.strip()
    if kind not in OrgKind.values:
        raise ValidationError({"kind": _("Choose a valid kind of organisation.")})
    if level not in OrgLevel.values:
        raise ValidationError({"level": _("Choose a valid level.")})
    if parent is not None and parent.depth + 1 > MAX_DEPTH:
        raise ValidationError({"parent": _("The tree cannot be deeper than %(depth)d levels.") % {"depth": MAX_DEPTH}})
    org = Organisation(
        name=name,
        short_name=short_name.strip(),
        kind=kind,
        level=level,
        parent=parent,
        division_code=division_code.strip(),
        sort_order=sort_order,
        path="",
        depth=(parent.depth + 1) if parent else 0,
    )
    # Field errors (blank or too long name, bad code) first, then the sibling-name rule.
    org.full_clean(exclude=["path"], validate_constraints=False)
    check_name_free(name, parent)
    # A placeholder that cannot collide with a real path (real paths are digits and "/").
    org.path = f"new:{parent.pk if parent else 0}:{name}"[:PATH_MAX_LENGTH]
    org.save()
    org.path = (parent.path if parent else "") + path_segment(org.pk)
    Organisation.objects.filter(pk=org.pk).update(path=org.path)
    record(
        actor, "organisation.create", org, {"name": org.name, "kind": kind, "parent": parent.name if parent else None}
    )
    return org


@transaction.atomic
def do_move_organisation(actor: Any, org: Organisation, new_parent: Organisation | None) -> Organisation:
    """Move ``org`` and its whole subtree under ``new_parent`` (to the top level when None)
    in one UPDATE. Administrators only. Refuses a move under the unit itself or one of its
    own sub-units, a parent that already has a unit of the same name, and a tree that
    would grow too deep."""
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    if new_parent is not None:
        new_parent = Organisation.objects.get(pk=new_parent.pk)  # fresh path, after any earlier move
        if new_parent.path.startswith(org.path):
            raise ValidationError({"parent": _("An organisation cannot be moved under itself or its own sub-units.")})
    if (new_parent.pk if new_parent else None) == org.parent_id:
        raise ValidationError({"parent": _("The organisation is already there.")})
    check_name_free(org.name, new_parent, exclude_pk=org.pk)
    old_path, old_parent = org.path, org.parent
    new_path = (new_parent.path if new_parent else "") + path_segment(org.pk)
    depth_change = ((new_parent.depth + 1) if new_parent else 0) - org.depth
    deepest = Organisation.objects.filter(path__startswith=old_path).order_by("-depth").values_list("depth", flat=True)
    if (deepest.first() or 0) + depth_change > MAX_DEPTH:
        raise ValidationError({"parent": _("The tree cannot be deeper than %(depth)d levels.") % {"depth": MAX_DEPTH}})
    Organisation.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + depth_change,
    )
    Organisation.objects.filter(pk=org.pk).update(parent=new_parent)
    org.refresh_from_db()
    record(
        actor,
        "organisation.move",
        org,
        {"parent": [old_parent.name if old_parent else None, new_parent.name if new_parent else None]},
    )
    return org


@transaction.atomic
def do_create_sector(actor: Any, *, name: str, short_name: str = "", group: str = "", sort_order: int = 0) -> Sector:
    """Add one of the sectors (界别). Administrators and the demo loader."""
    sector = Sector(name=name.strip(), short_name=short_name.strip(), group=group.strip(), sort_order=sort_order)
    sector.full_clean()
    sector.save()
    record(actor, "sector.create", sector, {"name": sector.name})
    return sector
