"""Who reads which hot topics (docs/insight.md, "Who sees what").

* Topics over work orders (government side): the command centre's dispatchers, leaders of
  the side that handles work orders (government, departments, streets, communities) and
  administrators. A dispatcher sees the topics with at least one order of their district.
* Topics over public texts (suggestions, proposals, opinion reports): CPPCC members,
  agency staff, leaders of a CPPCC committee and administrators.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from huying.accounts.choices import Role
from huying.insight.choices import Side
from huying.organisations.choices import HANDLING_KINDS, OrgKind

CPPCC_KINDS = (OrgKind.CPPCC, OrgKind.CPPCC_OFFICE, OrgKind.SPECIAL_COMMITTEE)


def sides_for(user: Any) -> list[str]:
    """The sides whose topics ``user`` may read (no query: roles come with the person)."""
    if not getattr(user, "is_authenticated", False):
        return []
    if user.is_administrator:
        return [Side.GOVERNMENT, Side.PUBLIC]
    sides: list[str] = []
    roles = user.active_roles
    if any(
        a.role == Role.DISPATCHER
        or (a.role == Role.LEADER and a.organisation is not None and a.organisation.kind in HANDLING_KINDS)
        for a in roles
    ):
        sides.append(Side.GOVERNMENT)
    if any(
        a.role in (Role.MEMBER, Role.AGENCY_STAFF)
        or (a.role == Role.LEADER and a.organisation is not None and a.organisation.kind in CPPCC_KINDS)
        for a in roles
    ):
        sides.append(Side.PUBLIC)
    return sides


def reads_public_topics(user: Any) -> bool:
    return Side.PUBLIC in sides_for(user)


def sees_all_orders(user: Any) -> bool:
    """Administrators see every work-order topic; others through the orders they see."""
    return bool(getattr(user, "is_administrator", False))


def check_may_view(user: Any, side: str | None = None) -> list[str]:
    sides = sides_for(user)
    if not sides or (side is not None and side not in sides):
        raise PermissionDenied(
            _(
                "Hot topics over work orders are open to the command centre and leaders; "
                "over public texts to CPPCC members and staff."
            )
        )
    return sides


def access_topic(user: Any, pk: int) -> Any:
    """The topic ``pk`` if ``user`` may read it, else 404 (or 403 for no side at all)."""
    from huying.insight.models import Topic

    check_may_view(user)
    return get_object_or_404(Topic.objects.visible_to(user), pk=pk)


def may_assign(user: Any) -> bool:
    """Dispatchers and administrators move a topic's work orders to one lead unit."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_administrator or any(a.role == Role.DISPATCHER for a in user.active_roles))


def may_draft(user: Any) -> bool:
    """CPPCC members (proposals, reports) and agency staff start drafts from a topic."""
    if not getattr(user, "is_authenticated", False):
        return False
    return any(a.role == Role.MEMBER for a in user.active_roles)
