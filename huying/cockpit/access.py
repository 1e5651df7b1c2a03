"""Who opens the cockpit and which half of it they read (docs/cockpit.md).

- Leaders (of a government, a department, a street or community, or of a CPPCC committee)
  and administrators open ``/cockpit/`` and the wall screen ``/cockpit/screen/``.
- Dispatchers of a district's command centre open them too (decision: the wall screen
  hangs in the command centre): they read the work-order half of their district only.
- Members, agency and unit staff, street handlers, the public: refused (403); anonymous
  visitors are sent to the login page (the JSON answers 403).

The halves follow the leaders' dashboard (docs/leaders.md): the work-order half for those
who handle work orders (:func:`huying.workorders.overview.leads_handling_units`, dispatchers,
administrators), scoped by :meth:`huying.workorders.stats.Scope.for_user`; the proposal half
for every leader and administrators, with the CPPCC's own figures (the session's proposals
by state, reply satisfaction, opinion reports adopted, members' duty activity) only for
those who may read the session's statistics (CPPCC leaders, administrators).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from huying.accounts.choices import Role
from huying.organisations.choices import OrgKind
from huying.workorders.overview import leads_handling_units

COCKPIT_ROLES = frozenset({Role.LEADER, Role.ADMIN, Role.DISPATCHER})


def is_centre_dispatcher(user: Any) -> bool:
    """A dispatcher of a district's command centre (no query: roles come with the person)."""
    return any(
        a.role == Role.DISPATCHER and a.organisation is not None and a.organisation.kind == OrgKind.COMMAND_CENTRE
        for a in getattr(user, "active_roles", [])
    )


def may_open(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_administrator or user.has_role(Role.LEADER) or is_centre_dispatcher(user))


def check_may_open(user: Any) -> None:
    if not may_open(user):
        raise PermissionDenied(
            _("The cockpit is open only to leaders, the command centre's dispatchers and administrators.")
        )


def reads_workorders(user: Any) -> bool:
    return leads_handling_units(user) or is_centre_dispatcher(user)


def reads_proposals(user: Any) -> bool:
    return bool(user.is_administrator or user.has_role(Role.LEADER))
