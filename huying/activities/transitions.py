"""The activity's and the participants' state machines. The only module that writes
``Activity.status`` and ``Participation.status``.

Each move locks the activity row (``select_for_update``: sign-ups against the capacity,
check-ins and the finish cannot interleave), refuses an illegal move with
:class:`TransitionError` (a translated ``ValidationError``; nothing is changed), writes
one :class:`~huying.activities.models.ActivityEvent` and one audit entry in the same
transaction.

Activity (``ACTIVITY_MOVES``)::

    draft ──publish──► published ──finish (report)──► finished
      └──cancel──► cancelled ◄──cancel──┘

Participant (``PARTICIPANT_MOVES``)::

    invited ──sign_up──► signed_up          invited/signed_up ──decline──► declined
    invited/signed_up/leave_refused ──ask_leave (reason)──► leave_requested
    leave_requested ──approve_leave / refuse_leave (note)──► leave_approved / leave_refused
    invited/signed_up/leave_* ──check_in (QR or staff)──► attended ──unmark──► signed_up
    on finish: attended stays; leave_approved → excused; the others without a check-in → absent
    after finish, staff correct: attended ↔ absent, excused → attended (duty record follows)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from huying.activities import clock
from huying.activities.choices import (
    ActivityStatus,
    CheckInMethod,
    EventKind,
    ParticipationStatus,
)
from huying.activities.models import Activity, ActivityEvent, Participation
from huying.audit.actions import record
from huying.core.actors import is_person

P = ParticipationStatus

ACTIVITY_MOVES: dict[str, tuple[tuple[str, ...], str]] = {
    EventKind.PUBLISHED: ((ActivityStatus.DRAFT,), ActivityStatus.PUBLISHED),
    EventKind.CANCELLED: ((ActivityStatus.DRAFT, ActivityStatus.PUBLISHED), ActivityStatus.CANCELLED),
    EventKind.FINISHED: ((ActivityStatus.PUBLISHED,), ActivityStatus.FINISHED),
}

PARTICIPANT_MOVES: dict[str, tuple[tuple[str, ...], str]] = {
    EventKind.SIGNED_UP: ((P.INVITED, P.DECLINED), P.SIGNED_UP),
    EventKind.DECLINED: ((P.INVITED, P.SIGNED_UP), P.DECLINED),
    EventKind.LEAVE_REQUESTED: ((P.INVITED, P.SIGNED_UP, P.LEAVE_REFUSED), P.LEAVE_REQUESTED),
    EventKind.LEAVE_APPROVED: ((P.LEAVE_REQUESTED,), P.LEAVE_APPROVED),
    EventKind.LEAVE_REFUSED: ((P.LEAVE_REQUESTED,), P.LEAVE_REFUSED),
    EventKind.CHECKED_IN: ((P.INVITED, P.SIGNED_UP, P.LEAVE_REQUESTED, P.LEAVE_APPROVED, P.LEAVE_REFUSED), P.ATTENDED),
    EventKind.UNMARKED: ((P.ATTENDED,), P.SIGNED_UP),
}
# Corrections of a finished activity's outcomes (the duty record follows).
CORRECTIONS: dict[str, tuple[str, ...]] = {
    P.ATTENDED: (P.ABSENT,),
    P.ABSENT: (P.ATTENDED,),
    P.EXCUSED: (P.ATTENDED,),
}


class TransitionError(ValidationError):
    """An illegal move of an activity or a participant."""


def lock(activity: Activity) -> Activity:
    return Activity.objects.select_for_update().select_related("organiser", "cppcc").get(pk=activity.pk)


def check_version(obj: Any, expected: int | None) -> None:
    if expected is not None and obj.version != expected:
        raise ValidationError(
            {"version": [_("Someone else changed this in the meantime; reload the page and try again.")]},
            code="stale",
        )


def event(
    activity: Activity,
    kind: str,
    actor: Any,
    *,
    participation: Participation | None = None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    now: datetime | None = None,
) -> ActivityEvent:
    return ActivityEvent.objects.create(
        activity=activity,
        participation=participation,
        kind=kind,
        actor=actor if is_person(actor) else None,
        from_status=from_status,
        to_status=to_status,
        note=note[:300],
        at=now or clock.now(),
    )


def move_activity(
    activity: Activity, actor: Any, kind: str, *, note: str = "", fields: dict[str, Any] | None = None
) -> Activity:
    """Move a locked activity along :data:`ACTIVITY_MOVES`."""
    allowed, to_status = ACTIVITY_MOVES[kind]
    if activity.status not in allowed:
        raise TransitionError(
            _("An activity that is %(status)s cannot be %(verb)s.")
            % {"status": activity.get_status_display(), "verb": EventKind(kind).label},
            code="illegal_transition",
        )
    from_status = activity.status
    activity.status = to_status
    for name, value in (fields or {}).items():
        setattr(activity, name, value)
    activity.version += 1
    activity.save()
    event(activity, kind, actor, from_status=from_status, to_status=to_status, note=note)
    record(actor, f"activity.{kind}", activity, {"status": [from_status, to_status]})
    return activity


def move_participant(
    participation: Participation,
    actor: Any,
    kind: str,
    *,
    note: str = "",
    fields: dict[str, Any] | None = None,
    to_status: str | None = None,
) -> Participation:
    """Move a participant along :data:`PARTICIPANT_MOVES` (its activity locked by the caller)."""
    allowed, target = PARTICIPANT_MOVES.get(kind, ((), ""))
    if kind == EventKind.CORRECTED:
        allowed, target = tuple(k for k, v in CORRECTIONS.items() if to_status in v), to_status or ""
    if participation.status not in allowed:
        raise TransitionError(
            _("A participant who is %(status)s cannot be %(verb)s.")
            % {"status": participation.get_status_display(), "verb": EventKind(kind).label},
            code="illegal_transition",
        )
    from_status = participation.status
    participation.status = target
    for name, value in (fields or {}).items():
        setattr(participation, name, value)
    participation.version += 1
    participation.save()
    event(
        participation.activity,
        kind,
        actor,
        participation=participation,
        from_status=from_status,
        to_status=target,
        note=note,
    )
    record(actor, f"participation.{kind}", participation, {"status": [from_status, target]})
    return participation


def outcome_of(status: str) -> str:
    """The outcome of a participant when the activity finishes."""
    if status == P.ATTENDED:
        return P.ATTENDED
    if status == P.LEAVE_APPROVED:
        return P.EXCUSED
    if status == P.DECLINED:
        return P.DECLINED
    return P.ABSENT


def settle(activity: Activity, actor: Any, now: datetime) -> int:
    """Write every participant's outcome when the activity finishes (one event each),
    and record it in the duty record. Returns how many outcomes were written."""
    from huying.activities import duty

    count = 0
    for participation in activity.participations.select_related("member").order_by("id"):
        participation.activity = activity
        outcome = outcome_of(participation.status)
        if outcome != participation.status:
            from_status = participation.status
            participation.status = outcome
            participation.version += 1
            participation.save(update_fields=["status", "version", "updated_at"])
            event(
                activity,
                EventKind.FINISHED,
                actor,
                participation=participation,
                from_status=from_status,
                to_status=outcome,
                now=now,
            )
        duty.record_outcome(participation)
        count += 1
    return count


@transaction.atomic
def check_in(
    activity: Activity, participation: Participation, actor: Any, method: str, now: datetime
) -> tuple[Participation, bool]:
    """Mark ``participation`` attended; ``(participation, False)`` if it already was."""
    participation = Participation.objects.select_for_update().get(pk=participation.pk)
    participation.activity = activity
    if participation.status == P.ATTENDED:
        return participation, False
    move_participant(
        participation,
        actor,
        EventKind.CHECKED_IN,
        note=str(CheckInMethod(method).label),
        fields={"checked_in_at": now, "check_in_method": method},
    )
    return participation, True
