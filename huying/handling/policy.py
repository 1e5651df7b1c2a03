"""Who may do what in a workflow, and the workflow's handling settings.

A workflow app registers a :class:`Policy` in its ``AppConfig.ready()``::

    register(Policy(workflow="workorder", label=_("Work order"), max_extensions=3))

Default rights (used unless the policy passes its own callbacks):

- *handler*: an active role in :data:`HANDLER_ROLES` at the assigned unit itself acts for
  the unit (accept, return, object, respond, resolve, call up, ask for more time, progress
  notes) — not a role at a unit above it or below it (a street's handler does not act for
  the district government, a community's handler not for its street);
- *supervisor*: an active role in :data:`SUPERVISOR_ROLES` at the owning office (the
  command centre, the proposals committee…) or inside it, a leader at the office or above
  it, or an administrator: dispatches, reassigns, decides extensions and objections,
  urges, closes, reopens and records feedback.

Each callback answers with the organisation the person acts for (recorded on the event),
or ``None`` to refuse.

Links from the notification centre (消息中心): ``case_model`` names the workflow's case
model as ``"app_label.model"`` (lower case, as in ``ContentType``), so a notification
without an assignment still finds its workflow; ``case_url(user, notification)`` answers
with the path of the page where ``user`` handles the case, or ``None`` when there is none
for them. The notification arrives with ``case_type``, ``assignment`` (or ``None``) and
``recipient_unit_id`` loaded; the callback must not query the database (the list calls
it for every row) — decide from ``user.role_set`` / ``user.active_roles`` (cached on the
person) and the notification's fields.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

from huying.accounts.choices import Role
from huying.core.actors import is_person as is_person

if TYPE_CHECKING:
    from huying.accounts.models import User
    from huying.handling.limits import Limit
    from huying.handling.models import Assignment, CaseEvent, Notification
    from huying.organisations.models import Organisation

HANDLER_ROLES = frozenset({Role.UNIT_STAFF, Role.STREET_HANDLER, Role.LEADER})
SUPERVISOR_ROLES = frozenset({Role.DISPATCHER, Role.AGENCY_STAFF, Role.LEADER, Role.ADMIN})
ABOVE_OWNER_ROLES = frozenset({Role.LEADER, Role.ADMIN})
# Roles that see assignments of their organisation subtrees (members and the public do not).
STAFF_ROLES = HANDLER_ROLES | SUPERVISOR_ROLES


def default_handler_unit(user: User, assignment: Assignment) -> Organisation | None:
    """The assigned unit, when ``user`` holds a handling role there (docs/handling-engine.md,
    "Who sees and acts on an assignment"); ``None`` otherwise."""
    for role in user.active_roles:
        if (
            role.organisation_id is not None
            and role.role in HANDLER_ROLES
            and role.organisation_id == assignment.unit_id
        ):
            return role.organisation
    return None


def default_supervisor_unit(user: User, owner: Organisation) -> Organisation | None:
    for role in user.active_roles:
        org = role.organisation
        if org is None:
            continue
        if role.role in SUPERVISOR_ROLES and org.path.startswith(owner.path):
            return org
        if role.role in ABOVE_OWNER_ROLES and owner.path.startswith(org.path):
            return org
    if user.is_administrator:
        return owner
    return None


@dataclass(frozen=True)
class Moved:
    """What the engine tells a workflow's adapter (:attr:`Policy.on_move`) after a move on
    one of its assignments, inside the move's transaction: ``action`` is ``"assign"`` or a
    key of :data:`huying.handling.transitions.MOVES`; ``assignment`` is the locked row as
    written; ``event`` the event just appended to the case's history."""

    actor: Any
    assignment: Assignment
    action: str
    event: CaseEvent
    now: datetime


@dataclass(frozen=True)
class CaseCard:
    """How the shared inbox and the assignments API describe a case of any workflow."""

    number: str  # the case's own number (a work order's number, a proposal's filing number)
    title: str
    status: str  # the case's own status, in words
    url: str | None = None  # the case's page for the reader, if they have one


# The steps on an assignment that the shared inbox and /api/v1/assignments offer for every
# workflow (docs/handling-engine.md, "Shared inbox and assignments API"). A workflow leaves
# out those its cases take through their own pages and endpoints (``Policy.generic_steps``).
GENERIC_STEPS = frozenset(
    {
        "accept",
        "return",
        "object",
        "extension",
        "progress",
        "escalate",
        "urge",
        "reassign",
        "cancel",
        "decide_extension",
        "overrule",
    }
)


def default_target_unit(assignment: Assignment, unit_id: int, field: str) -> Organisation:
    """The unit an assignment is reassigned or called up to: any active organisation (the
    workflow's ``check_unit`` and the move's own checks still apply)."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from huying.organisations.models import Organisation

    unit = Organisation.objects.filter(pk=unit_id, is_active=True).first()
    if unit is None:
        raise ValidationError({field: [_("No active organisation with this id.")]})
    return unit


@dataclass(frozen=True)
class Policy:
    workflow: str
    label: str | Promise = ""
    max_extensions: int | None = None  # None: HANDLING_MAX_EXTENSIONS
    # Deadline of a reopened assignment; None: the resolve limit of its rule again.
    reopen_limit: Limit | None = None
    handler_unit: Callable[[User, Assignment], Organisation | None] = default_handler_unit
    supervisor_unit: Callable[[User, Organisation], Organisation | None] = default_supervisor_unit
    # Who besides supervisors may rate a case (e.g. the proposer): (user, case_type_id, case_id) -> bool.
    may_rate: Callable[[User, int, int], bool] | None = None
    # The case model, "app_label.model" (lower case): finds the workflow of a notification
    # that has no assignment (a proposal's filing, a leader's key proposal).
    case_model: str = ""
    # The page of the case for a person reading a notification about it (see the module
    # docstring): (user, notification) -> path or None. Must not query the database.
    case_url: Callable[[User, Notification], str | None] | None = None
    # How people name the case in notices and warnings (a work order's number, a
    # proposal's filing number): (assignment) -> text; None: "<label> #<id>".
    describe: Callable[[Assignment], str] | None = None
    # The same for many cases at once, for the deadline sweep: (case ids) -> {case id: text},
    # in one query. Without it the sweep calls ``describe`` once per assignment.
    describe_cases: Callable[[Sequence[int]], dict[int, str]] | None = None
    # The adapter (docs/handling-engine.md, "Plugging a workflow in"): called by the engine
    # inside the transaction of every move on one of the workflow's assignments, to set the
    # case's own status through the workflow's transitions module. Raising refuses the move
    # (nothing is written).
    on_move: Callable[[Moved], None] | None = None
    # The workflow's stored rollups (e.g. the work orders' daily summary): a context
    # manager the engine enters around every change it makes to one of the workflow's
    # cases — an assignment made or moved, a rating recorded — inside the change's
    # transaction and before anything is written: (case ids) -> context manager.
    track_cases: Callable[[Sequence[int]], AbstractContextManager[Any]] | None = None
    # The cases behind a page of assignments, for the shared inbox and the assignments API:
    # (reader, case ids) -> {case id: CaseCard}, in one or two queries.
    cards: Callable[[Any, Sequence[int]], dict[int, CaseCard]] | None = None
    # Refuses a unit this workflow cannot assign (raise ValidationError({"unit": …})).
    check_unit: Callable[[Organisation], None] | None = None
    # The generic steps (:data:`GENERIC_STEPS`) this workflow's assignments take through the
    # shared inbox and /api/v1/assignments; the others go through the workflow's own pages.
    generic_steps: frozenset[str] = GENERIC_STEPS
    # Narrows the steps offered on one assignment: (assignment, step) -> bool; e.g. a
    # proposal's responsible unit is reassigned, never just withdrawn ("cancel"). Only what
    # pages and ``allowed_actions`` offer: the adapter still refuses the move itself.
    offers: Callable[[Assignment, str], bool] | None = None
    # The URL name of the workflow's page of one assignment (its workflow-specific steps),
    # reversed with the assignment's id; "" when there is none.
    assignment_page: str = ""
    # The unit named by a reassignment or a call-up: (assignment, organisation id, field) ->
    # Organisation, or raise ValidationError({field: …}).
    target_unit: Callable[[Assignment, int, str], Organisation] = default_target_unit
    # A unit that starts working on an assignment (asks for more time, answers) signs for
    # it first instead of being refused.
    accept_on_work: bool = False
    # False for a workflow registered only so that its notices link to its pages (case_url):
    # it has no assignments, so the shared inbox offers no tab or filter for it.
    has_assignments: bool = True

    def tracking(self, case_id: int) -> AbstractContextManager[Any]:
        """:attr:`track_cases` around a change of one case (nothing when not set)."""
        return self.track_cases([case_id]) if self.track_cases is not None else nullcontext()

    def case_label(self, assignment: Assignment) -> str:
        if self.describe is not None:
            named = self.describe(assignment)
            if named:
                return named
        return f"{self.label or self.workflow} #{assignment.case_id}"

    def case_labels(self, case_ids: Sequence[int]) -> dict[int, str]:
        """:meth:`case_label` of many cases of this workflow: one query with
        ``describe_cases``, none without ``describe``, else one per case."""
        from huying.handling.models import Assignment

        named: dict[int, str] = {}
        if self.describe_cases is not None:
            named = self.describe_cases(case_ids)
        elif self.describe is not None:
            named = {
                case_id: self.describe(Assignment(workflow=self.workflow, case_id=case_id)) for case_id in case_ids
            }
        return {case_id: named.get(case_id) or f"{self.label or self.workflow} #{case_id}" for case_id in case_ids}


_registry: dict[str, Policy] = {}


def register(policy: Policy) -> Policy:
    _registry[policy.workflow] = policy
    return policy


def unregister(workflow: str) -> None:
    _registry.pop(workflow, None)


def registered() -> list[Policy]:
    """Every registered workflow's policy, in registration order."""
    return list(_registry.values())


def policy_for(workflow: str) -> Policy:
    return _registry.get(workflow) or Policy(workflow=workflow)


def policy_for_case_model(case_model: str) -> Policy | None:
    """The registered policy whose ``case_model`` is ``"app_label.model"``, if any."""
    for policy in _registry.values():
        if policy.case_model and policy.case_model == case_model:
            return policy
    return None


def notification_policy(notification: Notification) -> Policy | None:
    """The workflow policy of a notification: its assignment's workflow, else the policy
    registered for its case model. Needs ``assignment`` and ``case_type`` loaded
    (``select_related``) to stay free of queries."""
    if notification.assignment_id is not None:
        return _registry.get(notification.assignment.workflow)  # type: ignore[union-attr]
    case_type = notification.case_type
    return policy_for_case_model(f"{case_type.app_label}.{case_type.model}")
