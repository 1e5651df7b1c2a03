"""Who reads and who manages a discussion group (docs/groups.md):

- agency staff at a CPPCC committee or at one of its offices manage every group of that
  CPPCC (create, add and remove people, archive, pin, mark suggestions) and read them;
- leaders at a CPPCC committee read its groups (and their statistics);
- participants read their groups; active participants post while the group is open;
- administrators read and manage all; everyone else (other members, other CPPCCs' staff,
  unit staff, the public, anonymous visitors) reads none.
"""

from __future__ import annotations

from typing import Any

from huying.accounts.choices import Role
from huying.duty.access import cppcc_of
from huying.organisations.choices import OrgKind


def managed_cppcc_ids(user: Any) -> set[int]:
    """The CPPCC committees whose groups ``user`` manages as agency staff."""
    if not getattr(user, "is_authenticated", False):
        return set()
    ids: set[int] = set()
    for assignment in user.active_roles:
        if assignment.role == Role.AGENCY_STAFF and (cppcc := cppcc_of(assignment.organisation)) is not None:
            ids.add(cppcc.pk)
    return ids


def reading_cppcc_ids(user: Any) -> set[int]:
    """The CPPCC committees whose groups ``user`` reads as a leader."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return {
        a.organisation_id
        for a in user.active_roles
        if a.role == Role.LEADER and a.organisation is not None and a.organisation.kind == OrgKind.CPPCC
    }


def may_manage(user: Any, group: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_administrator or group.cppcc_id in managed_cppcc_ids(user))


def may_create(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and (user.is_administrator or managed_cppcc_ids(user)))


def may_read_stats(user: Any, group: Any) -> bool:
    """Statistics: the group's managers and the CPPCC's leaders."""
    return may_manage(user, group) or group.cppcc_id in reading_cppcc_ids(user)


def is_member_of_cppcc(user: Any, cppcc_id: int) -> bool:
    return any(a.role == Role.MEMBER and a.organisation_id == cppcc_id for a in user.active_roles)


def is_staff_of_cppcc(user: Any, cppcc_id: int) -> bool:
    return cppcc_id in managed_cppcc_ids(user)
