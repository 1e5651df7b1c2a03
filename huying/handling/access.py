"""Who sees and who acts on an assignment (docs/handling-engine.md, "Who sees and acts on
an assignment"). The querysets (lists, pages, exports, the API), the buttons a page shows and
the moves themselves all decide through this module, so they cannot disagree.

- **Reading.** A person with a handling role (unit staff, street or community handler,
  leader) reads the assignments of the unit where they hold it. A leader, and the staff
  of a people's government, also read the assignments of the units below (a district
  government oversees its streets and departments); a street's handlers do not read its
  communities', a department's staff not its sub-units'. A supervising role (dispatcher, agency staff,
  leader) reads the assignments its office or an office below it supervises
  (``Assignment.owner``). Administrators read everything. Nobody reads an assignment
  because it was made to a unit *above* their own.
- **Acting** for the unit (accept, return, object, respond, progress, resolve, call up,
  ask for more time; a proposal's contact, reply and co-handling view) belongs to the
  people holding a handling role at the assigned unit itself — not its parent, not its
  children (:func:`huying.handling.policy.default_handler_unit`, used by
  :func:`~huying.handling.transitions.authorise` on every move).
- **Supervising** (dispatch, reassign, urge, extension decisions, cancel, close, reopen,
  objections) belongs to the owning office's supervisors
  (:func:`huying.handling.policy.default_supervisor_unit` or the workflow's own check).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from huying.accounts.choices import Role
from huying.handling.policy import HANDLER_ROLES, SUPERVISOR_ROLES
from huying.handling.transitions import HANDLER, MOVES, NotAllowed, authorise, available_actions
from huying.organisations.choices import OrgKind

# Roles whose holders also *read* (never act on) the assignments of the units below the
# organisation where they hold the role; unit staff do so at a people's government.
READ_BELOW_ROLES = frozenset({Role.LEADER})
READ_BELOW_KINDS = frozenset({OrgKind.GOVERNMENT})


def _reads_below(role: Any) -> bool:
    return role.role in READ_BELOW_ROLES or (
        role.role == Role.UNIT_STAFF and role.organisation.kind in READ_BELOW_KINDS
    )


def _roles(user: Any) -> list[Any]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return [a for a in user.active_roles if a.organisation is not None]


def unit_condition(user: Any, prefix: str = "") -> Q | None:
    """The assignments ``user`` reads as staff of a unit, as a condition on ``Assignment``
    (``prefix`` for a relation, e.g. ``"assignment__"``): those made to a unit where they
    hold a handling role, and — for leaders and a government's staff (:func:`_reads_below`)
    — to the units below it.
    ``None`` when there are none. Never the units above."""
    own: set[int] = set()
    below = Q()
    for role in _roles(user):
        if _reads_below(role):
            below |= Q(**{f"{prefix}unit__path__startswith": role.organisation.path})
        elif role.role in HANDLER_ROLES:
            own.add(role.organisation_id)
    if not own and not below:
        return None
    condition = below
    if own:
        condition |= Q(**{f"{prefix}unit_id__in": sorted(own)})
    return condition


def owner_condition(user: Any, prefix: str = "") -> Q | None:
    """The assignments ``user`` reads as a supervisor: those supervised by an office where
    they hold a supervising role, or by an office below it."""
    condition = Q()
    found = False
    for role in _roles(user):
        if role.role in SUPERVISOR_ROLES:
            condition |= Q(**{f"{prefix}owner__path__startswith": role.organisation.path})
            found = True
    return condition if found else None


def visible_condition(user: Any) -> Q | None:
    """What :meth:`AssignmentQuerySet.visible_to` shows to a non-administrator."""
    parts = [c for c in (unit_condition(user), owner_condition(user)) if c is not None]
    if not parts:
        return None
    condition = parts[0]
    for part in parts[1:]:
        condition |= part
    return condition


def may(user: Any, assignment: Any, who: str = HANDLER) -> bool:
    """Whether ``user`` holds the right ``who`` (``HANDLER`` or ``SUPERVISOR``) on
    ``assignment`` — the very check the moves make (:func:`authorise`)."""
    if not getattr(user, "is_authenticated", False):
        return False
    try:
        authorise(user, assignment, who)
    except NotAllowed:
        return False
    return True


def can_act(user: Any, assignment: Any) -> bool:
    """Whether ``user`` may act for the assigned unit (the unit's own steps)."""
    return may(user, assignment, HANDLER)


def allowed_actions(user: Any, assignment: Any) -> list[str]:
    """The moves the assignment's status allows *and* ``user`` has the right to make: what
    a page offers as buttons and the API lists as ``actions``."""
    rights: dict[str, bool] = {}
    allowed = []
    for action in available_actions(assignment):
        who = MOVES[action].who
        if who not in rights:
            rights[who] = may(user, assignment, who)
        if rights[who]:
            allowed.append(action)
    return allowed


def reads_unit(user: Any, unit: Any) -> bool:
    """Whether ``user`` reads the assignments of ``unit`` as staff of a unit (the rule of
    :func:`unit_condition`, in Python: no query). Administrators read every unit."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_administrator:
        return True
    for role in _roles(user):
        if _reads_below(role) and unit.path.startswith(role.organisation.path):
            return True
        if role.role in HANDLER_ROLES and role.organisation_id == unit.pk:
            return True
    return False


def own_assignments(user: Any, workflow: str, case_ids: Any) -> dict[int, int]:
    """{case id: id of the latest assignment of ``workflow`` on that case made to a unit
    ``user`` reads (:func:`reads_unit`)}, in one query: where a case card takes a unit's
    staff (their inbox's page of that assignment)."""
    from huying.handling.models import Assignment

    found: dict[int, int] = {}
    if not getattr(user, "is_authenticated", False):
        return found
    rows = (
        Assignment.objects.filter(workflow=workflow, case_id__in=list(case_ids))
        .select_related("unit")
        .order_by("assigned_at", "id")
    )
    for a in rows:
        if reads_unit(user, a.unit):
            found[a.case_id] = a.pk
    return found
