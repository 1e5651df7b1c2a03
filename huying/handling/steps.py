"""The generic steps on an assignment of any workflow: what the shared inbox (``handling:act``)
and ``/api/v1/assignments`` offer, and the one switch that makes them through the engine's
moves (:mod:`huying.handling.actions`).

A workflow's :class:`~huying.handling.policy.Policy` names which of these steps its cases take
here (``generic_steps``); the rest — a work order's resolve with evidence, a proposal's reply
with its class — stay on the workflow's own pages and endpoints. Rights are the engine's
(:mod:`huying.handling.access`): nothing here decides who may do what.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from huying.handling import access
from huying.handling import actions as engine
from huying.handling.choices import ExtensionStatus, Status
from huying.handling.models import Assignment, ExtensionRequest
from huying.handling.policy import GENERIC_STEPS, policy_for
from huying.handling.transitions import MOVES, SUPERVISOR, check_right

# Each step, in the order pages show them, with the engine move whose status and right it
# follows.
STEP_MOVES: dict[str, str] = {
    "accept": "accept",
    "return": "return",
    "object": "object",
    "extension": "request_extension",
    "progress": "progress",
    "escalate": "escalate",
    "urge": "urge",
    "reassign": "cancel",
    "cancel": "cancel",
    "decide_extension": "approve_extension",
    "overrule": "overrule_objection",
}
assert set(STEP_MOVES) == GENERIC_STEPS

# Steps that end the unit's part: pages ask for confirmation.
DESTRUCTIVE_STEPS = frozenset({"return", "object", "cancel"})


def parse_deadline(value: str) -> datetime | None:
    """A deadline typed in a form: ``2027-03-01`` (the end of that day), ``2027-03-01 18:00``
    or ``2027-03-01T18:00`` (a ``datetime-local`` field); ``None`` when it is none of these."""
    from datetime import time

    from django.utils import timezone
    from django.utils.dateparse import parse_date, parse_datetime

    value = (value or "").strip().replace("T", " ")
    if not value:
        return None
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            if day is None:
                return None
            moment = datetime.combine(day, time(23, 59))
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def pending_extension(assignment: Assignment) -> ExtensionRequest | None:
    return assignment.extension_requests.filter(status=ExtensionStatus.PENDING).first()


def allowed_steps(user: Any, assignment: Assignment, *, has_pending: bool | None = None) -> list[str]:
    """The generic steps ``user`` may take on ``assignment`` now: the workflow exposes them
    here, the status allows the engine's move and ``user`` holds its right
    (:func:`access.allowed_actions`). ``has_pending``: whether an extension request waits
    (queried when not given)."""
    policy = policy_for(assignment.workflow)
    moves = set(access.allowed_actions(user, assignment))
    steps = []
    for step, move in STEP_MOVES.items():
        if step not in policy.generic_steps or (policy.offers is not None and not policy.offers(assignment, step)):
            continue
        if step == "reassign":
            # A returned assignment is reassigned too (the command centre's answer to a return).
            ok = move in moves or (assignment.status == Status.RETURNED and access.may(user, assignment, SUPERVISOR))
        else:
            ok = move in moves
        if ok and step == "decide_extension":
            if has_pending is None:
                has_pending = pending_extension(assignment) is not None
            ok = has_pending
        if ok:
            steps.append(step)
    return steps


def check_exposed(assignment: Assignment, step: str) -> None:
    """Refuse (422) a step the assignment's workflow takes through its own pages."""
    policy = policy_for(assignment.workflow)
    if step not in policy.generic_steps:
        raise ValidationError(
            _("A %(workflow)s does not take this step here; use its own page or endpoint.")
            % {"workflow": policy.label or assignment.workflow},
            code="not_generic",
        )


def check_step_right(user: Any, assignment: Assignment, step: str) -> None:
    """Refuse (403) a person without the engine's right for the step, before any field is
    looked at."""
    if step == "reassign":
        check_right(user, assignment, "cancel")
    else:
        check_right(user, assignment, STEP_MOVES[step])


def perform(
    user: Any,
    assignment: Assignment,
    step: str,
    *,
    note: str = "",
    reason: str = "",
    text: str = "",
    until: datetime | None = None,
    to_unit: int | None = None,
    approve: bool | None = None,
    extension: ExtensionRequest | None = None,
    version: int | None = None,
) -> Any:
    """Make ``step`` on ``assignment`` as ``user`` through the engine. Answers what the move
    answers: the assignment, the new assignment (reassign, escalate), the extension request
    (ask, decide) or the event (progress). Raises ``ValidationError`` (422: a field, an
    illegal state, a stale ``version``) or ``PermissionDenied`` (403)."""
    if step not in STEP_MOVES:
        raise ValidationError({"step": _("Unknown step.")})
    check_exposed(assignment, step)
    check_step_right(user, assignment, step)
    if step == "accept":
        return engine.do_accept(user, assignment, note=note, expected_version=version)
    if step == "return":
        return engine.do_return(user, assignment, reason=reason, expected_version=version)
    if step == "object":
        return engine.do_object(user, assignment, reason=reason, expected_version=version)
    if step == "extension":
        return engine.do_request_extension(user, assignment, until=until, reason=reason, expected_version=version)
    if step == "progress":
        return engine.do_add_progress(user, assignment, note=note)
    if step == "urge":
        return engine.do_urge(user, assignment, text=text)
    if step == "cancel":
        return engine.do_cancel(user, assignment, reason=reason, expected_version=version)
    if step == "overrule":
        return engine.do_overrule_objection(user, assignment, reason=reason, expected_version=version)
    if step in ("reassign", "escalate"):
        if to_unit is None:
            raise ValidationError({"to_unit": _("Choose the unit.")})
        unit = policy_for(assignment.workflow).target_unit(assignment, to_unit, "to_unit")
        move = engine.do_reassign if step == "reassign" else engine.do_escalate
        return move(user, assignment, to_unit=unit, reason=reason, expected_version=version)
    # decide_extension
    if extension is None or extension.assignment_id != assignment.pk:
        extension = pending_extension(assignment)
    if extension is None:
        raise ValidationError(_("No extension request of this assignment is waiting for a decision."))
    if approve is None:
        raise ValidationError({"approve": _("Approve or refuse the request.")})
    return engine.do_decide_extension(
        user, extension, approve=approve, until=until, reason=reason, expected_version=version
    )


__all__ = [
    "DESTRUCTIVE_STEPS",
    "MOVES",
    "STEP_MOVES",
    "allowed_steps",
    "check_exposed",
    "check_step_right",
    "parse_deadline",
    "pending_extension",
    "perform",
]
