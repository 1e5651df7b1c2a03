"""The state machine of an assignment. Only this module writes ``Assignment.status``.

::

    assigned ──accept──▶ accepted ──respond──▶ responded ──resolve──▶ resolved ──close──▶ closed
       │                  │  ▲                                          │   ▲               │
       │                  │  └──────── overrule_objection ◀─ objected   └─reopen─▶ reopened ◀┘
       ├──return──▶ returned            (object: assigned/accepted)
       └── escalate (from accepted/responded/reopened) ──▶ escalated  + a new assignment at tier+1
       cancel (改派, supervisor): assigned/accepted/responded/reopened/objected ──▶ cancelled

Extension requests and decisions, progress notes and urging notices keep the status.
The table with who may do what and the conditions is :data:`MOVES` and
docs/handling-engine.md.

Every move, in one transaction: lock the row (``select_for_update``), refuse a stale
``expected_version`` (:class:`StaleUpdate`), check the actor's right through the
workflow's :class:`~huying.handling.policy.Policy` (:class:`NotAllowed`), check the move and
its conditions (:class:`TransitionError`), write with a conditional ``UPDATE … WHERE
version = v``, append an :class:`CaseEvent` and an audit entry, write the
notifications; deliveries and the ``transitioned`` signal run after commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huying.audit.actions import record
from huying.core.actors import SYSTEM as SYSTEM
from huying.core.actors import SystemActor as SystemActor
from huying.core.actors import is_person
from huying.core.actors import is_system as _is_system
from huying.handling import notify
from huying.handling.choices import (
    OPEN_STATUSES,
    WORKING_STATUSES,
    AssignmentRole,
    EventKind,
    ExtensionStatus,
    LimitUnit,
    NotificationKind,
    Status,
)
from huying.handling.limits import Limit, Limits
from huying.handling.models import Assignment, CaseEvent, ExtensionRequest, Notification, TimeLimitRule
from huying.handling.policy import Moved, Policy, policy_for
from huying.handling.signals import transitioned
from huying.handling.supervision import warn_at
from huying.organisations.models import Organisation

HANDLER = "handler"
SUPERVISOR = "supervisor"
DEFAULT_REOPEN_LIMIT = Limit(5, "working_days")


class TransitionError(ValidationError):
    """An illegal or invalid move; nothing was changed."""


class StaleUpdate(TransitionError):
    """The assignment changed since the caller read it; reload and try again."""


def stale() -> StaleUpdate:
    """A stale ``expected_version``, named on ``version`` (the API's 422 ``errors.version``,
    the form's field error), the same for every workflow."""
    return StaleUpdate(
        {
            "version": ValidationError(
                _("This assignment was changed by someone else in the meantime; reload it and try again."),
                code="stale",
            )
        }
    )


class NotAllowed(PermissionDenied):
    """The actor has no right to make this move on this assignment."""


@dataclass(frozen=True)
class Move:
    action: str
    sources: tuple[str, ...]
    target: str | None  # None: the status does not change
    who: str  # HANDLER or SUPERVISOR (SYSTEM may always act)
    event: str
    label: Promise
    # False for notes and urging notices: they add an event without changing the row, so
    # they neither need nor bump the version.
    writes: bool = True


MOVES: dict[str, Move] = {
    m.action: m
    for m in (
        Move("accept", (Status.ASSIGNED,), Status.ACCEPTED, HANDLER, EventKind.ACCEPTED, gettext_lazy("accept")),
        Move("return", (Status.ASSIGNED,), Status.RETURNED, HANDLER, EventKind.RETURNED, gettext_lazy("return")),
        Move(
            "object",
            (Status.ASSIGNED, Status.ACCEPTED),
            Status.OBJECTED,
            HANDLER,
            EventKind.OBJECTED,
            gettext_lazy("object to"),
        ),
        Move(
            "overrule_objection",
            (Status.OBJECTED,),
            Status.ACCEPTED,
            SUPERVISOR,
            EventKind.OBJECTION_OVERRULED,
            gettext_lazy("overrule the objection to"),
        ),
        Move(
            "respond",
            (Status.ACCEPTED, Status.REOPENED),
            Status.RESPONDED,
            HANDLER,
            EventKind.RESPONDED,
            gettext_lazy("respond to"),
        ),
        Move("resolve", WORKING_STATUSES, Status.RESOLVED, HANDLER, EventKind.RESOLVED, gettext_lazy("resolve")),
        Move("close", (Status.RESOLVED,), Status.CLOSED, SUPERVISOR, EventKind.CLOSED, gettext_lazy("close")),
        Move(
            "reopen",
            (Status.RESOLVED, Status.CLOSED),
            Status.REOPENED,
            SUPERVISOR,
            EventKind.REOPENED,
            gettext_lazy("reopen"),
        ),
        Move("escalate", WORKING_STATUSES, Status.ESCALATED, HANDLER, EventKind.ESCALATED, gettext_lazy("call up")),
        Move(
            "cancel",
            (Status.ASSIGNED, Status.ACCEPTED, Status.RESPONDED, Status.REOPENED, Status.OBJECTED),
            Status.CANCELLED,
            SUPERVISOR,
            EventKind.CANCELLED,
            gettext_lazy("cancel"),
        ),
        Move(
            "request_extension",
            WORKING_STATUSES,
            None,
            HANDLER,
            EventKind.EXTENSION_REQUESTED,
            gettext_lazy("ask for more time on"),
        ),
        Move(
            "approve_extension",
            WORKING_STATUSES,
            None,
            SUPERVISOR,
            EventKind.EXTENSION_APPROVED,
            gettext_lazy("approve an extension of"),
        ),
        Move(
            "refuse_extension",
            WORKING_STATUSES,
            None,
            SUPERVISOR,
            EventKind.EXTENSION_REFUSED,
            gettext_lazy("refuse an extension of"),
            writes=False,
        ),
        Move(
            "progress",
            (Status.ASSIGNED, *WORKING_STATUSES),
            None,
            HANDLER,
            EventKind.PROGRESS,
            gettext_lazy("add a progress note to"),
            writes=False,
        ),
        Move("urge", OPEN_STATUSES, None, SUPERVISOR, EventKind.URGED, gettext_lazy("urge"), writes=False),
    )
}


def can_move(assignment: Assignment, action: str) -> bool:
    """Whether the status allows ``action`` (rights and conditions are checked on the move)."""
    return assignment.status in MOVES[action].sources


def available_actions(assignment: Assignment) -> list[str]:
    return [action for action, move in MOVES.items() if assignment.status in move.sources]


# --- the executor ------------------------------------------------------------------------


def authorise(actor: Any, assignment: Assignment, who: str, policy: Policy | None = None) -> Organisation | None:
    """The organisation ``actor`` acts for in capacity ``who``; raises :class:`NotAllowed`."""
    if _is_system(actor):
        return None
    policy = policy or policy_for(assignment.workflow)
    if is_person(actor) and actor.is_active:
        unit = (
            policy.handler_unit(actor, assignment)
            if who == HANDLER
            else policy.supervisor_unit(actor, assignment.owner)
        )
        if unit is not None:
            return unit
    if who == HANDLER:
        raise NotAllowed(_("Only staff of the assigned unit (%(unit)s) may do this.") % {"unit": assignment.unit.name})
    raise NotAllowed(_("Only the supervising office (%(office)s) may do this.") % {"office": assignment.owner.name})


def check_right(actor: Any, assignment: Assignment, action: str) -> None:
    """Refuse ``actor`` without the right to make ``action`` on ``assignment`` before any
    field is looked at (a person outside the unit or office gets 403, never a field error
    that tells them about the case). The move checks again on the locked row."""
    authorise(actor, assignment, MOVES[action].who)


MAX_NOTE = 2000


def _require(text: str, field: str, message: str, limit: int = MAX_NOTE) -> str:
    text = (text or "").strip()
    if not text:
        raise TransitionError({field: message})
    if len(text) > limit:
        raise TransitionError({field: _("At most %(max)d characters.") % {"max": limit}})
    return text


Check = Callable[[Assignment, datetime], None]
Values = Callable[[Assignment, datetime], dict[str, Any]]
After = Callable[[Assignment, CaseEvent, datetime], list[Notification]]


def _event(
    row: Assignment,
    kind: str,
    actor: Any,
    actor_unit: Organisation | None,
    now: datetime,
    *,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    return CaseEvent(
        assignment=row,
        case_type_id=row.case_type_id,
        case_id=row.case_id,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        actor=actor if is_person(actor) else None,
        actor_name=(str(actor) if is_person(actor) else "")[:60],
        actor_unit=actor_unit,
        note=note,
        data=data or {},
        created_at=now,
    )


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (v.isoformat() if isinstance(v, datetime) else v)
        for k, v in values.items()
        if not hasattr(v, "resolve_expression")
    }


def _perform(
    actor: Any,
    assignment: Assignment,
    action: str,
    *,
    now: datetime | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
    expected_version: int | None = None,
    check: Check | None = None,
    values: Values | None = None,
    after: After | None = None,
    notify_kind: str = NotificationKind.STATUS,
    notify_text: str | Promise | None = None,
    notify_owner: bool = False,
    notify_unit: bool = False,
    trusted: bool = False,
) -> CaseEvent:
    move = MOVES[action]
    now = now or timezone.now()
    version = assignment.version if expected_version is None else expected_version
    policy = policy_for(assignment.workflow)
    # The workflow's rollups first (they lock the case before its assignment is locked).
    with transaction.atomic(), policy.tracking(assignment.case_id):
        row = (
            Assignment.objects.select_for_update(of=("self",))
            .select_related("unit", "owner", "rule")
            .get(pk=assignment.pk)
        )
        # The right first (``trusted``: the calling action has already checked a right of
        # its own — a proposer's dissatisfied rating reopens the assignment, for example):
        # someone without it is refused whatever the version or the status.
        actor_unit = None if trusted else authorise(actor, row, move.who, policy)
        if move.writes and row.version != version:
            raise stale()
        if row.status not in move.sources:
            raise TransitionError(
                _("You cannot %(action)s an assignment that is “%(status)s”.")
                % {"action": move.label, "status": row.get_status_display()},
                code="illegal",
            )
        if check is not None:
            check(row, now)
        changes: dict[str, Any] = values(row, now) if values is not None else {}
        if move.target is not None:
            changes["status"] = move.target
        from_status = row.status
        if move.writes:
            updated = Assignment.objects.filter(pk=row.pk, version=version).update(
                **changes, version=F("version") + 1, updated_at=now
            )
            if updated != 1:  # pragma: no cover - the row lock makes this unreachable
                raise stale()
            for field, value in changes.items():
                setattr(row, field, value)
            row.version = version + 1
            row.updated_at = now
        if move.target is not None and move.target not in OPEN_STATUSES:
            ExtensionRequest.objects.filter(assignment=row, status=ExtensionStatus.PENDING).update(
                status=ExtensionStatus.REFUSED,
                decided_at=now,
                decision_note=_("Closed because the assignment is no longer open."),
            )
        event = _event(
            row,
            move.event,
            actor,
            actor_unit,
            now,
            from_status=from_status,
            to_status=row.status,
            note=note,
            data={**_jsonable({k: v for k, v in changes.items() if k != "status"}), **(data or {})},
        )
        event.save()
        rows = after(row, event, now) if after is not None else []
        _adapt(policy, actor, row, action, event, now)
        if notify_text is not None:
            text = notify.render(notify_text)
            units = [row.owner_id] if notify_owner else []
            if notify_unit:
                units.append(row.unit_id)
            rows += notify.build(row, notify_kind, text, now, units=units)
        notify.send(rows)
        record(
            None if _is_system(actor) else actor,
            f"assignment.{action}",
            row,
            {
                "status": [from_status, row.status],
                **{k: v for k, v in event.data.items() if k != "status"},
                "note": note,
            },
        )
        _send_transitioned(row, event, action)
    for model_field in Assignment._meta.concrete_fields:
        setattr(assignment, model_field.attname, getattr(row, model_field.attname))
    return event


def _adapt(policy: Policy, actor: Any, row: Assignment, action: str, event: CaseEvent, now: datetime) -> None:
    """The workflow's adapter sets its case's status, in this move's transaction."""
    if policy.on_move is not None:
        policy.on_move(Moved(actor=actor, assignment=row, action=action, event=event, now=now))


def _send_transitioned(row: Assignment, event: CaseEvent, action: str) -> None:
    transaction.on_commit(lambda: transitioned.send(sender=Assignment, assignment=row, event=event, action=action))


# --- creating assignments ----------------------------------------------------------------


def _dues(limits: Limits, now: datetime) -> dict[str, Any]:
    from huying.handling import calendar

    cal = calendar.get_calendar()
    values: dict[str, Any] = {}
    for stage in ("accept", "respond", "resolve", "objection"):
        limit: Limit | None = getattr(limits, stage)
        due = limit.due_from(now, cal) if limit else None
        values[f"{stage}_due"] = due
        if stage != "objection":
            values[f"{stage}_warn_at"] = warn_at(now, due)
    return values


def _create(
    *,
    workflow: str,
    case_type_id: int,
    case_id: int,
    unit: Organisation,
    owner: Organisation,
    role: str,
    tier: int,
    limits: Limits,
    reason: str,
    now: datetime,
    called_by: Organisation | None = None,
    escalated_from: Assignment | None = None,
) -> Assignment:
    if role not in AssignmentRole.values:
        raise TransitionError({"role": _("Choose a valid role.")})
    if tier not in (1, 2, 3):
        raise TransitionError({"tier": _("The tier must be 1, 2 or 3.")})
    if not unit.is_active:
        raise TransitionError({"unit": _("%(unit)s is no longer active.") % {"unit": unit.name}})
    assignment = Assignment(
        workflow=workflow,
        case_type_id=case_type_id,
        case_id=case_id,
        unit=unit,
        owner=owner,
        role=role,
        tier=tier,
        reason=reason,
        assigned_at=now,
        called_by=called_by,
        escalated_from=escalated_from,
        rule_id=limits.rule_id,
        **_dues(limits, now),
    )
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        siblings = Assignment.objects.active().filter(case_type_id=case_type_id, case_id=case_id)
        if siblings.filter(unit=unit).exists():
            raise TransitionError(
                {"unit": _("%(unit)s is already handling this case.") % {"unit": unit.name}}
            ) from None
        if role in (AssignmentRole.LEAD, AssignmentRole.SINGLE):
            raise TransitionError({"role": _("This case already has an active lead unit.")}) from None
        raise
    return assignment


def inherited_limits(previous: Assignment) -> Limits:
    """Limits for the next assignment of a case (called up, reassigned): the rule the
    previous one used, else the workflow's wildcard rule, else the previous one's spans."""
    from huying.handling.limits import limits_for

    rule = TimeLimitRule.objects.filter(pk=previous.rule_id, is_active=True).first() if previous.rule_id else None
    if rule is not None:
        return Limits.from_rule(rule)
    limits = limits_for(previous.workflow)
    if limits.rule_id is not None:
        return limits

    def span(due: datetime | None) -> Limit | None:
        if due is None:
            return None
        return Limit(max(1, int((due - previous.assigned_at).total_seconds() // 60)), LimitUnit.MINUTES)

    return Limits(
        None,
        span(previous.accept_due),
        span(previous.respond_due),
        span(previous.resolve_due),
        span(previous.objection_due),
    )


def do_assign(
    actor: Any,
    case: models.Model,
    *,
    workflow: str,
    unit: Organisation,
    owner: Organisation,
    role: str = AssignmentRole.SINGLE,
    tier: int = 1,
    limits: Limits | None = None,
    nature: str | None = None,
    urgency: str | None = None,
    category_code: str | None = None,
    reason: str = "",
    now: datetime | None = None,
    data: dict[str, Any] | None = None,
) -> Assignment:
    """Dispatch (派单 / 交办) ``case`` to ``unit``. Called by the supervising office's staff
    (or the platform for automatic routing). Deadlines come from ``limits`` or the
    workflow's time-limit rules for (nature, urgency, category). The workflow's
    ``Policy.check_unit`` may refuse the unit. ``data`` goes on the *assigned* event."""
    from huying.handling.limits import limits_for

    now = now or timezone.now()
    probe = Assignment(workflow=workflow, unit=unit, owner=owner)
    actor_unit = authorise(actor, probe, SUPERVISOR)
    policy = policy_for(workflow)
    if policy.check_unit is not None:
        policy.check_unit(unit)
    if limits is None:
        limits = limits_for(workflow, nature, urgency, category_code)
    with transaction.atomic(), policy.tracking(case.pk):
        case_type = ContentType.objects.get_for_model(case)
        assignment = _create(
            workflow=workflow,
            case_type_id=case_type.pk,
            case_id=case.pk,
            unit=unit,
            owner=owner,
            role=role,
            tier=tier,
            limits=limits,
            reason=reason,
            now=now,
        )
        event = _event(
            assignment,
            EventKind.ASSIGNED,
            actor,
            actor_unit,
            now,
            to_status=Status.ASSIGNED,
            note=reason,
            data={"unit": unit.pk, "role": role, "tier": tier, **_jsonable(_dues(limits, now)), **(data or {})},
        )
        event.save()
        _adapt(policy, actor, assignment, "assign", event, now)
        text = notify.render(
            gettext_lazy("New assignment: %(case)s, to be accepted by %(due)s.")
            % {"case": policy.case_label(assignment), "due": _fmt(assignment.accept_due)}
        )
        notify.send(notify.build(assignment, NotificationKind.ASSIGNMENT, text, now, units=[unit]))
        record(
            None if _is_system(actor) else actor,
            "assignment.assign",
            assignment,
            {"unit": unit.name, "role": role, "tier": tier, "resolve_due": assignment.resolve_due},
        )
        _send_transitioned(assignment, event, "assign")
    return assignment


def _fmt(value: datetime | None) -> str:
    if value is None:
        return "—"
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


# --- the unit's moves --------------------------------------------------------------------


def do_accept(
    actor: Any,
    assignment: Assignment,
    *,
    note: str = "",
    now: datetime | None = None,
    expected_version: int | None = None,
) -> Assignment:
    """签收: the unit signs for the assignment (late acceptance is allowed and counted)."""
    _perform(
        actor,
        assignment,
        "accept",
        now=now,
        note=note,
        expected_version=expected_version,
        values=lambda row, now: {"accepted_at": now},
    )
    return assignment


def do_return(
    actor: Any, assignment: Assignment, *, reason: str, now: datetime | None = None, expected_version: int | None = None
) -> Assignment:
    """退单: the unit sends the assignment back, with a reason, before the accept deadline."""
    check_right(actor, assignment, "return")
    reason = _require(reason, "reason", _("Give the reason for returning it."))

    def check(row: Assignment, now: datetime) -> None:
        if row.accept_due is not None and now > row.accept_due:
            raise TransitionError(
                _("The time for returning this assignment ended at %(due)s; ask the supervising office to reassign it.")
                % {"due": _fmt(row.accept_due)},
                code="too_late",
            )

    _perform(
        actor,
        assignment,
        "return",
        now=now,
        note=reason,
        expected_version=expected_version,
        check=check,
        notify_text=gettext_lazy("%(unit)s returned an assignment: %(reason)s")
        % {"unit": assignment.unit.name, "reason": reason},
        notify_owner=True,
    )
    return assignment


def do_object(
    actor: Any, assignment: Assignment, *, reason: str, now: datetime | None = None, expected_version: int | None = None
) -> Assignment:
    """异议: the unit objects to the assignment within the objection period; the office then
    reassigns (cancel + assign) or overrules the objection."""
    check_right(actor, assignment, "object")
    reason = _require(reason, "reason", _("Give the reason for the objection."))

    def check(row: Assignment, now: datetime) -> None:
        if row.objection_due is None:
            raise TransitionError(_("This assignment has no objection period."), code="no_objection")
        if now > row.objection_due:
            raise TransitionError(
                _("The objection period ended at %(due)s.") % {"due": _fmt(row.objection_due)}, code="too_late"
            )

    _perform(
        actor,
        assignment,
        "object",
        now=now,
        note=reason,
        expected_version=expected_version,
        check=check,
        notify_text=gettext_lazy("%(unit)s objects to an assignment: %(reason)s")
        % {"unit": assignment.unit.name, "reason": reason},
        notify_owner=True,
    )
    return assignment


def do_respond(
    actor: Any,
    assignment: Assignment,
    *,
    note: str = "",
    now: datetime | None = None,
    expected_version: int | None = None,
) -> Assignment:
    """响应: the unit's first substantive response (contacting the caller or proposer, on site)."""
    _perform(
        actor,
        assignment,
        "respond",
        now=now,
        note=note,
        expected_version=expected_version,
        values=lambda row, now: {"responded_at": row.responded_at or now},
    )
    return assignment


def do_resolve(
    actor: Any,
    assignment: Assignment,
    *,
    result: str,
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
    expected_version: int | None = None,
) -> Assignment:
    """办结 / 答复: the unit reports the result (``data`` carries e.g. evidence ids, reply class)."""
    check_right(actor, assignment, "resolve")
    result = _require(result, "result", _("Describe the result."))
    _perform(
        actor,
        assignment,
        "resolve",
        now=now,
        note=result,
        data=data,
        expected_version=expected_version,
        values=lambda row, now: {"resolved_at": now},
        notify_text=gettext_lazy("%(unit)s resolved an assignment.") % {"unit": assignment.unit.name},
        notify_owner=True,
    )
    return assignment


def do_escalate(
    actor: Any,
    assignment: Assignment,
    *,
    to_unit: Organisation,
    reason: str,
    limits: Limits | None = None,
    now: datetime | None = None,
    expected_version: int | None = None,
) -> Assignment:
    """上呼: the unit calls ``to_unit`` at the next tier. This assignment ends as
    ``escalated``; a new one at tier + 1 (same role) is created for ``to_unit``, called by
    this unit, with ``limits`` or the limits of the same rule. Returns the new assignment."""
    check_right(actor, assignment, "escalate")
    reason = _require(reason, "reason", _("Give the reason for calling up."))
    created: list[Assignment] = []

    def check(row: Assignment, now: datetime) -> None:
        if row.tier >= 3:
            raise TransitionError(_("This is already the top tier; there is no one above to call."), code="top_tier")
        if to_unit.pk == row.unit_id:
            raise TransitionError({"to_unit": _("A unit cannot call itself.")})

    def after(row: Assignment, event: CaseEvent, now: datetime) -> list[Notification]:
        new_limits = limits if limits is not None else inherited_limits(row)
        new = _create(
            workflow=row.workflow,
            case_type_id=row.case_type_id,
            case_id=row.case_id,
            unit=to_unit,
            owner=row.owner,
            role=row.role,
            tier=row.tier + 1,
            limits=new_limits,
            reason=reason,
            now=now,
            called_by=row.unit,
            escalated_from=row,
        )
        created.append(new)
        _event(
            new,
            EventKind.ASSIGNED,
            actor,
            event.actor_unit,
            now,
            to_status=Status.ASSIGNED,
            note=reason,
            data={"called_by": row.unit_id, "tier": new.tier, "escalated_from": row.pk},
        ).save()
        event.data = {**event.data, "to_unit": to_unit.pk, "new_assignment": new.pk}
        event.save(update_fields=["data"])
        text = notify.render(
            gettext_lazy("%(caller)s calls %(unit)s (tier %(tier)s): %(reason)s")
            % {"caller": row.unit.name, "unit": to_unit.name, "tier": new.tier, "reason": reason}
        )
        return notify.build(new, NotificationKind.ASSIGNMENT, text, now, units=[to_unit, row.owner_id])

    _perform(
        actor, assignment, "escalate", now=now, note=reason, expected_version=expected_version, check=check, after=after
    )
    return created[0]


def do_add_progress(
    actor: Any, assignment: Assignment, *, note: str, data: dict[str, Any] | None = None, now: datetime | None = None
) -> CaseEvent:
    """进展: a progress note by the unit (no status change; never stale)."""
    check_right(actor, assignment, "progress")
    note = _require(note, "note", _("Write the progress note."))
    return _perform(actor, assignment, "progress", now=now, note=note, data=data)


def do_request_extension(
    actor: Any,
    assignment: Assignment,
    *,
    until: datetime | None,
    reason: str,
    now: datetime | None = None,
    expected_version: int | None = None,
) -> ExtensionRequest:
    """延期申请: before the resolve deadline, for a later one, within the workflow's count.
    Where the workflow's policy says ``accept_on_work``, a unit asking for more time on an
    assignment it has not signed for yet signs for it first (in the same transaction)."""
    check_right(actor, assignment, "request_extension")
    if until is None:
        raise TransitionError({"until": _("Enter the new deadline.")})
    reason = _require(reason, "reason", _("Give the reason for the extension."))
    policy = policy_for(assignment.workflow)
    with transaction.atomic():  # signing for it (accept_on_work) and the request, or neither
        expected_version = accept_on_work(actor, assignment, now=now, expected_version=expected_version)
        return _request_extension(
            actor, assignment, policy, until=until, reason=reason, now=now, expected_version=expected_version
        )


def accept_on_work(
    actor: Any, assignment: Assignment, *, now: datetime | None = None, expected_version: int | None = None
) -> int | None:
    """Where the workflow's policy says ``accept_on_work``, a unit that starts working on an
    assignment it has not signed for yet (asks for more time, answers) signs for it first.
    Returns the version to expect next. Call it inside the transaction of the step."""
    if policy_for(assignment.workflow).accept_on_work and assignment.status == Status.ASSIGNED:
        do_accept(actor, assignment, now=now, expected_version=expected_version)
        return assignment.version
    return expected_version


def _request_extension(
    actor: Any,
    assignment: Assignment,
    policy: Policy,
    *,
    until: datetime,
    reason: str,
    now: datetime | None,
    expected_version: int | None,
) -> ExtensionRequest:
    limit = policy.max_extensions if policy.max_extensions is not None else _max_extensions()
    created: list[ExtensionRequest] = []

    def check(row: Assignment, now: datetime) -> None:
        if row.resolve_due is None:
            raise TransitionError(_("This assignment has no deadline to extend."), code="no_deadline")
        if now >= row.resolve_due:
            raise TransitionError(
                _("An extension must be requested before the deadline (%(due)s).") % {"due": _fmt(row.resolve_due)},
                code="too_late",
            )
        if until <= row.resolve_due:
            raise TransitionError({"until": _("The new deadline must be later than the current one.")})
        if row.extension_count >= limit:
            raise TransitionError(
                _("This assignment has already been extended %(count)d times, the most allowed.") % {"count": limit},
                code="too_many",
            )
        if ExtensionRequest.objects.filter(assignment=row, status=ExtensionStatus.PENDING).exists():
            raise TransitionError(_("An extension request is already waiting for a decision."), code="pending")

    def after(row: Assignment, event: CaseEvent, now: datetime) -> list[Notification]:
        assert row.resolve_due is not None  # checked above
        created.append(
            ExtensionRequest.objects.create(
                assignment=row,
                requested_by=actor if is_person(actor) else None,
                requested_at=now,
                previous_due=row.resolve_due,
                requested_due=until,
                reason=reason,
            )
        )
        event.data = {**event.data, "requested_due": until.isoformat(), "request": created[0].pk}
        event.save(update_fields=["data"])
        text = notify.render(
            gettext_lazy("%(unit)s asks for more time until %(until)s: %(reason)s")
            % {"unit": row.unit.name, "until": _fmt(until), "reason": reason}
        )
        return notify.build(row, NotificationKind.EXTENSION, text, now, units=[row.owner_id])

    _perform(
        actor,
        assignment,
        "request_extension",
        now=now,
        note=reason,
        expected_version=expected_version,
        check=check,
        after=after,
    )
    return created[0]


def _max_extensions() -> int:
    from huying.handling import conf

    return conf.max_extensions()


def _decide_extension(
    actor: Any,
    request: ExtensionRequest,
    *,
    approve: bool,
    until: datetime | None,
    note: str,
    now: datetime | None,
    expected_version: int | None,
) -> ExtensionRequest:
    assignment = request.assignment
    policy = policy_for(assignment.workflow)
    limit = policy.max_extensions if policy.max_extensions is not None else _max_extensions()
    granted: dict[str, datetime] = {}

    def check(row: Assignment, now: datetime) -> None:
        fresh = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
        if fresh.assignment_id != row.pk or fresh.status != ExtensionStatus.PENDING:
            raise TransitionError(_("This extension request has already been decided."), code="decided")
        if approve:
            if row.extension_count >= limit:
                raise TransitionError(
                    _("This assignment has already been extended %(count)d times, the most allowed.")
                    % {"count": limit},
                    code="too_many",
                )
            due = until or fresh.requested_due
            if row.resolve_due is not None and due <= row.resolve_due:
                raise TransitionError({"until": _("The new deadline must be later than the current one.")})
            granted["due"] = due

    def values(row: Assignment, now: datetime) -> dict[str, Any]:
        if not approve:
            return {}
        due = granted["due"]
        return {"resolve_due": due, "resolve_warn_at": warn_at(now, due), "extension_count": row.extension_count + 1}

    def after(row: Assignment, event: CaseEvent, now: datetime) -> list[Notification]:
        ExtensionRequest.objects.filter(pk=request.pk).update(
            status=ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED,
            granted_due=granted.get("due"),
            decided_by=actor if is_person(actor) else None,
            decided_at=now,
            decision_note=note,
        )
        if approve:
            text = gettext_lazy("Extension approved: the new deadline is %(due)s.") % {"due": _fmt(granted["due"])}
        else:
            text = gettext_lazy("Extension refused: %(note)s") % {"note": note}
        return notify.build(row, NotificationKind.EXTENSION, notify.render(text), now, units=[row.unit_id])

    action = "approve_extension" if approve else "refuse_extension"
    _perform(
        actor,
        assignment,
        action,
        now=now,
        note=note,
        expected_version=expected_version,
        data={"request": request.pk},
        check=check,
        values=values,
        after=after,
    )
    request.refresh_from_db()
    return request


def do_approve_extension(
    actor: Any,
    request: ExtensionRequest,
    *,
    until: datetime | None = None,
    note: str = "",
    now: datetime | None = None,
    expected_version: int | None = None,
) -> ExtensionRequest:
    """延期审批 (approve): the new resolve deadline is ``until`` or the one requested."""
    return _decide_extension(
        actor, request, approve=True, until=until, note=note, now=now, expected_version=expected_version
    )


def do_refuse_extension(
    actor: Any,
    request: ExtensionRequest,
    *,
    reason: str,
    now: datetime | None = None,
    expected_version: int | None = None,
) -> ExtensionRequest:
    """延期审批 (refuse), with a reason; the deadline stays."""
    check_right(actor, request.assignment, "refuse_extension")
    reason = _require(reason, "reason", _("Give the reason for refusing."))
    return _decide_extension(
        actor, request, approve=False, until=None, note=reason, now=now, expected_version=expected_version
    )


def do_decide_extension(
    actor: Any,
    request: ExtensionRequest,
    *,
    approve: bool,
    until: datetime | None = None,
    reason: str = "",
    now: datetime | None = None,
    expected_version: int | None = None,
) -> ExtensionRequest:
    """延期审批 in one call, for forms and the API: approve (``until`` or the requested
    deadline; ``reason`` is an optional note) or refuse (``reason`` required)."""
    if approve:
        return do_approve_extension(
            actor, request, until=until, note=(reason or "").strip(), now=now, expected_version=expected_version
        )
    return do_refuse_extension(actor, request, reason=reason, now=now, expected_version=expected_version)


# --- the supervising office's moves ------------------------------------------------------


def do_overrule_objection(
    actor: Any, assignment: Assignment, *, reason: str, now: datetime | None = None, expected_version: int | None = None
) -> Assignment:
    """The office rejects the objection: the unit must handle it (it counts as accepted)."""
    check_right(actor, assignment, "overrule_objection")
    reason = _require(reason, "reason", _("Give the reason for overruling the objection."))
    _perform(
        actor,
        assignment,
        "overrule_objection",
        now=now,
        note=reason,
        expected_version=expected_version,
        values=lambda row, now: {"accepted_at": row.accepted_at or now},
        notify_text=gettext_lazy("Your objection was overruled: %(reason)s") % {"reason": reason},
        notify_unit=True,
    )
    return assignment


def do_close(
    actor: Any,
    assignment: Assignment,
    *,
    note: str = "",
    now: datetime | None = None,
    expected_version: int | None = None,
) -> Assignment:
    """结案: the office closes a resolved assignment."""
    _perform(
        actor,
        assignment,
        "close",
        now=now,
        note=note,
        expected_version=expected_version,
        values=lambda row, now: {"closed_at": now},
    )
    return assignment


def do_reopen(
    actor: Any,
    assignment: Assignment,
    *,
    reason: str,
    due: datetime | None = None,
    now: datetime | None = None,
    expected_version: int | None = None,
    trusted: bool = False,
    data: dict[str, Any] | None = None,
) -> Assignment:
    """重办 / 再办理: back to the unit with a new resolve deadline (``due``, else the
    workflow's reopen limit, else the resolve limit of the assignment's rule, else 5
    working days). ``data`` goes on the event (a reopening after feedback names it)."""
    if not trusted:
        check_right(actor, assignment, "reopen")
    reason = _require(reason, "reason", _("Give the reason for reopening."))
    policy = policy_for(assignment.workflow)

    def values(row: Assignment, now: datetime) -> dict[str, Any]:
        new_due = due
        if new_due is None:
            limit = policy.reopen_limit
            if limit is None and row.rule is not None and row.rule.resolve_amount:
                limit = Limit(row.rule.resolve_amount, row.rule.resolve_unit)
            new_due = (limit or DEFAULT_REOPEN_LIMIT).due_from(now)
        if new_due <= now:
            raise TransitionError({"due": _("The new deadline must be in the future.")})
        return {
            "resolved_at": None,
            "closed_at": None,
            "resolve_due": new_due,
            "resolve_warn_at": warn_at(now, new_due),
            "reopen_count": row.reopen_count + 1,
        }

    _perform(
        actor,
        assignment,
        "reopen",
        now=now,
        note=reason,
        expected_version=expected_version,
        values=values,
        trusted=trusted,
        data=data,
        notify_text=gettext_lazy("An assignment was sent back for handling again: %(reason)s") % {"reason": reason},
        notify_unit=True,
    )
    return assignment


def do_cancel(
    actor: Any,
    assignment: Assignment,
    *,
    reason: str,
    now: datetime | None = None,
    expected_version: int | None = None,
    data: dict[str, Any] | None = None,
) -> Assignment:
    """改派 / 撤销: the office withdraws the assignment (then assigns another unit).
    ``data`` goes on the event (``{"reassign": True}`` when :func:`do_reassign` withdraws
    it to assign another unit)."""
    check_right(actor, assignment, "cancel")
    reason = _require(reason, "reason", _("Give the reason for cancelling."))
    _perform(
        actor,
        assignment,
        "cancel",
        now=now,
        note=reason,
        data=data,
        expected_version=expected_version,
        notify_text=gettext_lazy("An assignment was withdrawn: %(reason)s") % {"reason": reason},
        notify_unit=True,
    )
    return assignment


def do_reassign(
    actor: Any,
    assignment: Assignment,
    *,
    to_unit: Organisation | None,
    reason: str,
    limits: Limits | None = None,
    now: datetime | None = None,
    expected_version: int | None = None,
) -> Assignment:
    """改派 in one step: cancel (if still active) and assign ``to_unit`` with the same role and tier."""
    authorise(actor, assignment, SUPERVISOR)  # the right first: an outsider learns nothing of the status
    if to_unit is None:
        raise TransitionError({"to_unit": _("Choose the unit to assign instead.")})
    if to_unit.pk == assignment.unit_id:
        raise TransitionError({"to_unit": _("Choose another unit.")})
    reason = _require(reason, "reason", _("Give the reason for reassigning."))
    now = now or timezone.now()
    with transaction.atomic():
        if assignment.status in MOVES["cancel"].sources:
            do_cancel(
                actor, assignment, reason=reason, now=now, expected_version=expected_version, data={"reassign": True}
            )
        elif assignment.status != Status.RETURNED:
            raise TransitionError(
                _("You cannot %(action)s an assignment that is “%(status)s”.")
                % {"action": gettext_lazy("reassign"), "status": assignment.get_status_display()},
                code="illegal",
            )
        if limits is None:
            limits = inherited_limits(assignment)
        case_model = assignment.case_type.model_class()
        assert case_model is not None
        case = case_model(pk=assignment.case_id)
        try:
            return do_assign(
                actor,
                case,
                workflow=assignment.workflow,
                unit=to_unit,
                owner=assignment.owner,
                role=assignment.role,
                tier=assignment.tier,
                limits=limits,
                reason=reason,
                now=now,
                data={"reassigned_from": assignment.pk, "from_unit": assignment.unit_id},
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "unit" in exc.error_dict:
                raise TransitionError({"to_unit": exc.message_dict["unit"]}) from None
            raise


def do_urge(actor: Any, assignment: Assignment, text: str, *, now: datetime | None = None) -> Assignment:
    """督办 / 催办: an urging notice from the office to the unit (event + notification)."""
    check_right(actor, assignment, "urge")
    text = _require(text, "text", _("Write the urging notice."))
    _perform(
        actor,
        assignment,
        "urge",
        now=now,
        note=text,
        notify_kind=NotificationKind.URGE,
        notify_text=gettext_lazy("Urging notice: %(text)s") % {"text": text},
        notify_unit=True,
    )
    return assignment
