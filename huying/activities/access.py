"""Who organises, manages and takes part in activities (docs/activities.md "Rights").

- *Staff who manage an organiser*: agency staff at the organiser or at an organisation
  above it (a CPPCC's staff manage their committees' and offices' activities and those of
  the CPPCCs below), and agency staff at a CPPCC office, who act for the whole CPPCC above
  the office. Committee staff of another committee manage nothing of this one.
- *Members* take part through the CPPCC where they hold the member role.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from huying.accounts.choices import Role
from huying.organisations.choices import OrgKind

ORGANISER_KINDS = (OrgKind.CPPCC, OrgKind.CPPCC_OFFICE, OrgKind.SPECIAL_COMMITTEE)


def _parent_path(path: str) -> str:
    parts = path.strip("/").split("/")
    return "/".join(parts[:-1]) + "/" if len(parts) > 1 else path


def managed_paths(user: Any) -> list[str]:
    """Paths under which ``user`` manages every organiser's activities."""
    if not getattr(user, "is_authenticated", False):
        return []
    paths: set[str] = set()
    for role in user.active_roles:
        org = role.organisation
        if role.role != Role.AGENCY_STAFF or org is None:
            continue
        if org.kind == OrgKind.CPPCC_OFFICE:
            paths.add(_parent_path(org.path))
        elif org.kind in (OrgKind.CPPCC, OrgKind.SPECIAL_COMMITTEE):
            paths.add(org.path)
    return sorted(paths)


def may_manage(user: Any, activity: Any) -> bool:
    path = activity.organiser.path
    return any(path.startswith(p) for p in managed_paths(user))


def check_manage(user: Any, activity: Any) -> None:
    if not may_manage(user, activity):
        raise PermissionDenied(_("Only the staff who organise this activity may do this."))


def is_organising_staff(user: Any) -> bool:
    return bool(managed_paths(user))


def member_cppcc_paths(user: Any) -> list[str]:
    """Paths of the CPPCC committees where ``user`` holds the member role."""
    if not getattr(user, "is_authenticated", False):
        return []
    return sorted(
        {r.organisation.path for r in user.active_roles if r.role == Role.MEMBER and r.organisation is not None}
    )


def organisers_for(user: Any) -> Any:
    """The organisations ``user`` may organise activities for (CPPCCs, their offices and
    special committees under the paths they manage)."""
    from django.db.models import Q

    from huying.organisations.models import Organisation

    condition = Q(pk__in=[])
    for path in managed_paths(user):
        condition |= Q(path__startswith=path)
    return Organisation.objects.filter(condition, kind__in=ORGANISER_KINDS, is_active=True).order_by("path")


def cppcc_of(organisation: Any) -> Any:
    """The CPPCC committee of an organiser: itself, or the nearest CPPCC above it."""
    if organisation.kind == OrgKind.CPPCC:
        return organisation
    from huying.organisations.models import Organisation

    above = Organisation.objects.ancestors_of(organisation).filter(kind=OrgKind.CPPCC).order_by("-depth").first()
    if above is None:
        raise PermissionDenied(_("An activity is organised by a CPPCC committee, its office or special committee."))
    return above
