"""Every write to the organisation tree and the sector list."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from huying.audit.actions import record
from huying.organisations.models import Organisation, Sector, path_segment


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
    """Add a node under ``parent`` (a root when ``parent`` is None). Administrators only."""
    org = Organisation(
        name=name.strip(),
        short_name=short_name.strip(),
        kind=kind,
        level=level,
        parent=parent,
        division_code=division_code,
        sort_order=sort_order,
        path=f"tmp-{name}-{id(name)}",
        depth=(parent.depth + 1) if parent else 0,
    )
    org.full_clean(exclude=["path"])
    org.save()
    org.path = (parent.path if parent else "") + path_segment(org.pk)
    Organisation.objects.filter(pk=org.pk).update(path=org.path)
    record(
        actor, "organisation.create", org, {"name": org.name, "kind": kind, "parent": parent.name if parent else None}
    )
    return org


@transaction.atomic
def do_move_organisation(actor: Any, org: Organisation, new_parent: Organisation | None) -> Organisation:
    """Move ``org`` and its whole subtree under ``new_parent`` in one UPDATE."""
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    if new_parent is not None and new_parent.path.startswith(org.path):
        raise ValidationError({"parent": _("An organisation cannot be moved under itself or its own sub-units.")})
    old_path, old_parent = org.path, org.parent
    new_path = (new_parent.path if new_parent else "") + path_segment(org.pk)
    depth_change = ((new_parent.depth + 1) if new_parent else 0) - org.depth
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
    sector = Sector(name=name.strip(), short_name=short_name, group=group, sort_order=sort_order)
    sector.full_clean()
    sector.save()
    record(actor, "sector.create", sector, {"name": sector.name})
    return sector
