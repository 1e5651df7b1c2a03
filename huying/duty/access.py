"""Who reads whose duty record (the lead's decisions for issue 10, docs/duty.md):

- a member: his own record only;
- agency staff at a CPPCC committee or at one of its offices: the members of that CPPCC and
  of the CPPCCs below it (organisation path prefix);
- agency staff at a special committee: the members whose special committee it is;
- a leader at a CPPCC committee: that CPPCC and those below it;
- administrators: everyone; the public and anyone else: nobody's.

Points rules are edited by administrators and the agency staff of a province-level CPPCC
(or its offices).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from huying.accounts.choices import Role
from huying.accounts.models import RoleAssignment
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.models import Organisation


def cppcc_of(org: Organisation | None) -> Organisation | None:
    """The CPPCC committee an agency office belongs to (the committee itself for a CPPCC)."""
    if org is None:
        return None
    if org.kind == OrgKind.CPPCC:
        return org
    if org.kind == OrgKind.CPPCC_OFFICE and org.parent_id:
        parent = org.parent
        if parent is not None and parent.kind == OrgKind.CPPCC:
            return parent
    return None


def _reach(user: Any) -> tuple[bool, list[Organisation], list[Organisation]]:
    """(everyone?, CPPCCs whose subtree the user reads, special committees he reads)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False, [], []
    if user.is_administrator:
        return True, [], []
    cppccs: list[Organisation] = []
    committees: list[Organisation] = []
    for assignment in user.active_roles:
        org = assignment.organisation
        if org is None:
            continue
        if assignment.role == Role.AGENCY_STAFF:
            if org.kind == OrgKind.SPECIAL_COMMITTEE:
                committees.append(org)
            elif (cppcc := cppcc_of(org)) is not None:
                cppccs.append(cppcc)
        elif assignment.role == Role.LEADER and org.kind == OrgKind.CPPCC:
            cppccs.append(org)
    return False, cppccs, committees


def member_assignments(user: Any) -> QuerySet[RoleAssignment]:
    """The active member role assignments of the members whose record ``user`` reads."""
    base = RoleAssignment.objects.filter(role=Role.MEMBER, is_active=True)
    everyone, cppccs, committees = _reach(user)
    if everyone:
        return base
    if not getattr(user, "is_authenticated", False):
        return base.none()
    condition = Q(user=user)
    for cppcc in cppccs:
        condition |= Q(organisation__path__startswith=cppcc.path)
    for committee in committees:
        condition |= Q(special_committee=committee)
    return base.filter(condition)


def manages_members(user: Any) -> bool:
    """Whether ``user`` reads other members' records (staff, leaders at a CPPCC, admins)."""
    everyone, cppccs, committees = _reach(user)
    return everyone or bool(cppccs or committees)


def visible_member_ids(user: Any) -> Any:
    """A subquery of the ids of the members whose record ``user`` reads (himself included)."""
    return member_assignments(user).values("user_id")


def may_read_member(user: Any, member: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if member.pk == user.pk:
        return True
    return member_assignments(user).filter(user=member).exists()


def ranking_scopes(user: Any) -> dict[str, list[Any]]:
    """What ``user`` may rank: CPPCCs, special committees and sectors (a ranking only ever
    lists the members he reads, whatever the scope)."""
    from huying.organisations.models import Sector

    everyone, cppccs, committees = _reach(user)
    cppcc_qs = Organisation.objects.filter(kind=OrgKind.CPPCC, is_active=True)
    committee_qs = Organisation.objects.filter(kind=OrgKind.SPECIAL_COMMITTEE, is_active=True)
    if not everyone:
        under = Q(pk__in=[])
        for cppcc in cppccs:
            under |= Q(path__startswith=cppcc.path)
        cppcc_qs = cppcc_qs.filter(under)
        committee_qs = committee_qs.filter(under | Q(pk__in=[c.pk for c in committees]))
    sectors = list(Sector.objects.order_by("pk")) if (everyone or cppccs) else []
    return {
        "cppcc": list(cppcc_qs.order_by("path")[:300]),
        "committee": list(committee_qs.order_by("path")[:300]),
        "sector": sectors,
    }


def may_edit_rules(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_administrator:
        return True
    for assignment in user.active_roles:
        if assignment.role == Role.AGENCY_STAFF:
            cppcc = cppcc_of(assignment.organisation)
            if cppcc is not None and cppcc.level == OrgLevel.PROVINCE:
                return True
    return False
