"""Every write of the handling engine. Pages, the API, commands and tests call these.

The status-changing moves live in :mod:`huying.handling.transitions` and are re-exported
here; this module adds the calendar, the time-limit rules, feedback and notifications.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from huying.audit.actions import record
from huying.core.actors import SYSTEM, is_person
from huying.handling.choices import (
    LEAD_ROLES,
    AssignmentRole,
    DayKind,
    EventKind,
    FeedbackChannel,
    LimitUnit,
    Rating,
    Status,
)
from huying.handling.models import Assignment, CalendarDay, CaseEvent, Feedback, Notification, TimeLimitRule
from huying.handling.policy import policy_for
from huying.handling.transitions import (
    SUPERVISOR,
    NotAllowed,
    StaleUpdate,
    TransitionError,
    authorise,
    do_accept,
    do_add_progress,
    do_approve_extension,
    do_assign,
    do_cancel,
    do_close,
    do_decide_extension,
    do_escalate,
    do_object,
    do_overrule_objection,
    do_reassign,
    do_refuse_extension,
    do_reopen,
    do_request_extension,
    do_resolve,
    do_respond,
    do_return,
    do_urge,
)

__all__ = [
    "SYSTEM",
    "NotAllowed",
    "StaleUpdate",
    "TransitionError",
    "do_accept",
    "do_add_progress",
    "do_approve_extension",
    "do_assign",
    "do_cancel",
    "do_close",
    "do_decide_extension",
    "do_delete_calendar_day",
    "do_escalate",
    "do_mark_all_notifications_read",
    "do_mark_notification_read",
    "do_object",
    "do_overrule_objection",
    "do_reassign",
    "do_record_feedback",
    "do_refuse_extension",
    "do_reopen",
    "do_request_extension",
    "do_resolve",
    "do_respond",
    "do_return",
    "do_save_time_limit_rule",
    "do_set_calendar_days",
    "do_urge",
]


def _require_admin(actor: Any) -> None:
    if actor is None or actor is SYSTEM:
        return
    if not (is_person(actor) and actor.is_administrator):
        raise NotAllowed(_("Only administrators may change the handling configuration."))


# --- calendar ----------------------------------------------------------------------------


@transaction.atomic
def do_set_calendar_days(actor: Any, first: date, last: date, kind: str, name: str = "") -> list[CalendarDay]:
    """Mark every day from ``first`` to ``last`` (inclusive) as a holiday or a make-up
    working day. Administrators (or commands run by the operator, ``actor=None``)."""
    _require_admin(actor)
    if kind not in DayKind.values:
        raise ValidationError({"kind": _("Choose holiday or make-up working day.")})
    if last < first:
        raise ValidationError({"last": _("The last day cannot be before the first day.")})
    if (last - first).days > 31:
        raise ValidationError({"last": _("Set at most 32 days at once.")})
    days = []
    day = first
    while day <= last:
        obj, _created = CalendarDay.objects.update_or_create(date=day, defaults={"kind": kind, "name": name[:40]})
        days.append(obj)
        day += timedelta(days=1)
    record(
        actor if is_person(actor) else None,
        "calendar.set",
        None,
        {"first": first, "last": last, "kind": kind, "name": name},
        object_type="handling.calendarday",
        object_repr=f"{first}–{last} {name}",
    )
    return days


@transaction.atomic
def do_delete_calendar_day(actor: Any, day: date) -> None:
    """Remove an override: the day follows the default week again."""
    _require_admin(actor)
    deleted = 0
    for obj in CalendarDay.objects.filter(date=day):  # one row; post_delete refreshes the cache
        obj.delete()
        deleted += 1
    if not deleted:
        raise ValidationError({"date": _("There is no calendar entry for %(day)s.") % {"day": day}})
    record(
        actor if is_person(actor) else None,
        "calendar.delete",
        None,
        {"date": day},
        object_type="handling.calendarday",
        object_repr=str(day),
    )


# --- time-limit rules --------------------------------------------------------------------


@transaction.atomic
def do_save_time_limit_rule(actor: Any, rule: TimeLimitRule | None = None, **fields: Any) -> TimeLimitRule:
    """Create or change a time-limit rule (administrators). Fields as on the model."""
    _require_admin(actor)
    rule = rule or TimeLimitRule()
    changes = {}
    for field, value in fields.items():
        old = getattr(rule, field)
        if old != value:
            changes[field] = [old, value]
            setattr(rule, field, value)
    for stage in ("accept", "respond", "resolve", "objection"):
        if getattr(rule, f"{stage}_unit") not in LimitUnit.values:
            raise ValidationError({f"{stage}_unit": _("Choose a valid unit.")})
    rule.full_clean()
    rule.save()
    record(actor if is_person(actor) else None, "time_limit_rule.save", rule, changes)
    return rule


# --- feedback ----------------------------------------------------------------------------


def _feedback_targets(case_type: ContentType, case_id: int, assignment: Assignment | None) -> list[Assignment]:
    if assignment is not None:
        return [assignment]
    done = Assignment.objects.select_related("unit", "owner").filter(
        case_type=case_type, case_id=case_id, status__in=(Status.RESOLVED, Status.CLOSED)
    )
    leads = [a for a in done if a.role in LEAD_ROLES]
    return leads or [a for a in done if a.role == AssignmentRole.SEPARATE]


@transaction.atomic
def do_record_feedback(
    actor: Any,
    case: models.Model,
    *,
    rating: str,
    channel: str,
    assignment: Assignment | None = None,
    rater: Any = None,
    rater_name: str = "",
    solved: bool | None = None,
    attributable_to_unit: bool = False,
    comment: str = "",
    reopen_due: datetime | None = None,
    now: datetime | None = None,
) -> Feedback:
    """回访 / 满意度测评: record a rating of the answer.

    Called by the supervising office (a feedback call) or by whoever the workflow's
    ``Policy.may_rate`` admits (the proposer). A dissatisfied rating attributable to the
    unit reopens the rated assignment — or, when none is named, the resolved lead (else
    separate) assignments of the case — with a new deadline. An earlier rating by the same
    person on the same assignment is marked superseded (only current ratings count)."""
    now = now or timezone.now()
    if rating not in Rating.values:
        raise ValidationError({"rating": _("Choose satisfied, basically satisfied or dissatisfied.")})
    if channel not in FeedbackChannel.values:
        raise ValidationError({"channel": _("Choose a valid feedback channel.")})
    case_type = ContentType.objects.get_for_model(case)
    if assignment is not None and (assignment.case_type_id != case_type.pk or assignment.case_id != case.pk):
        raise ValidationError({"assignment": _("This assignment belongs to another case.")})
    targets = _feedback_targets(case_type, case.pk, assignment)
    if not targets:
        raise TransitionError(_("There is no resolved answer to rate yet."), code="nothing_to_rate")
    policy = policy_for(targets[0].workflow)
    actor_unit = None
    if is_person(actor) and policy.may_rate is not None and policy.may_rate(actor, case_type.pk, case.pk):
        pass
    else:
        actor_unit = authorise(actor, targets[0], SUPERVISOR, policy)
    # The workflow's rollups see the ratings (and any reopening) in this transaction.
    with policy.tracking(case.pk):
        rater_name = (rater_name or (str(rater) if rater is not None else "")).strip()[:60]
        linked = targets[0] if len(targets) == 1 else None
        if linked is not None:
            same_rater = Q(rater=rater) if rater is not None else Q(rater__isnull=True, rater_name=rater_name)
            Feedback.objects.filter(same_rater, assignment=linked, superseded=False).update(superseded=True)
        feedback = Feedback.objects.create(
            case_type=case_type,
            case_id=case.pk,
            assignment=linked,
            rater=rater if is_person(rater) else None,
            rater_name=rater_name,
            recorded_by=actor if is_person(actor) else None,
            channel=channel,
            rating=rating,
            solved=solved,
            attributable_to_unit=attributable_to_unit,
            comment=comment.strip(),
            created_at=now,
        )
        CaseEvent.objects.bulk_create(
            [
                CaseEvent(
                    assignment=target,
                    case_type=case_type,
                    case_id=case.pk,
                    kind=EventKind.FEEDBACK,
                    actor=actor if is_person(actor) else None,
                    actor_name=(str(actor) if is_person(actor) else "")[:60],
                    actor_unit=actor_unit,
                    note=comment.strip(),
                    data={
                        "feedback": feedback.pk,
                        "rating": rating,
                        "solved": solved,
                        "attributable_to_unit": attributable_to_unit,
                    },
                    created_at=now,
                )
                for target in targets
            ]
        )
        record(
            actor if is_person(actor) else None,
            "feedback.record",
            feedback,
            {"rating": rating, "solved": solved, "attributable_to_unit": attributable_to_unit},
        )
        if rating == Rating.DISSATISFIED and attributable_to_unit:
            for target in targets:
                do_reopen(
                    actor if is_person(actor) else SYSTEM,
                    target,
                    reason=_("Dissatisfied feedback attributable to the unit: %(comment)s")
                    % {"comment": comment.strip() or "—"},
                    due=reopen_due,
                    now=now,
                    expected_version=Assignment.objects.values_list("version", flat=True).get(pk=target.pk),
                    trusted=True,
                    data={"feedback": feedback.pk},
                )
    return feedback


# --- notifications -----------------------------------------------------------------------


@transaction.atomic
def do_mark_notification_read(user: Any, notification: Notification, *, now: datetime | None = None) -> bool:
    """Mark one of the user's (or their unit's) notifications read; answers whether it was
    unread. A unit's notification is read once for the unit: when one of its staff opens
    it, it is read for all of them (the audit entry says who). Anyone it is not addressed
    to is refused (``NotAllowed``) and nothing changes."""
    if not Notification.objects.visible_to(user).filter(pk=notification.pk).exists():
        raise NotAllowed(_("This notification is not addressed to you."))
    now = now or timezone.now()
    changed = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
    if changed:
        notification.read_at = now
        record(user, "notification.read", notification, {"read_at": [None, now]})
    return bool(changed)


@transaction.atomic
def do_mark_all_notifications_read(user: Any, *, now: datetime | None = None) -> int:
    """Mark every unread notification ``user`` may see — their own and their units' — read,
    in one ``UPDATE``; answers how many. Nothing outside ``visible_to(user)`` changes."""
    now = now or timezone.now()
    count = Notification.objects.visible_to(user).unread().update(read_at=now)
    if count:
        record(
            user,
            "notification.read_all",
            None,
            {"count": count, "read_at": now},
            object_type="handling.notification",
            object_repr=_("%(count)s notifications") % {"count": count},
        )
    return count
