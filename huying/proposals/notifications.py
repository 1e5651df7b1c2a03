"""Notifications of the proposal workflow, written as the handling engine's
:class:`~huying.handling.models.Notification` rows in the caller's transaction (so a
refused or rolled-back decision notifies no one) and delivered after commit by the
engine's :data:`huying.handling.notify.delivery_hooks` (the one hook registry of every
workflow: SMS or app push register there).

Who hears what:

- the proposers (first proposer, confirmed co-signers, the staff who submitted a collective
  proposal): every decision on their proposal — submission, withdrawal, filing, rejection,
  merging, conversion, assignment and changes of units, each accepted reply, re-handling,
  completion, key marking, publication and restriction;
- the handling units: their assignments, urging notices, objections overruled, extension
  decisions and sent-back replies (written by the engine), and each rating of their reply;
- the supervising office (the CPPCC committee): objections, returns, extension requests and
  replies (the engine), ratings and objections to publication;
- the supervising leader: the key proposals given to them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from huying.handling import notify
from huying.handling.choices import NotificationKind
from huying.handling.models import Notification
from huying.proposals.choices import ConvertTarget, EventKind, HandlingEventKind, RejectReason

if TYPE_CHECKING:
    from huying.handling.models import Assignment, CaseEvent
    from huying.proposals.models import Proposal

# What the proposers are told, per event kind; %(title)s is the proposal's title, the other
# names come from the event's data. Kinds missing here notify no one.
EVENT_TEXTS: dict[str, Promise] = {
    EventKind.SUBMITTED: _("Your proposal “%(title)s” has been submitted."),
    EventKind.WITHDRAWN: _("Your proposal “%(title)s” has been withdrawn."),
    EventKind.FILED: _("Your proposal “%(title)s” has been filed as %(formatted_number)s."),
    EventKind.REJECTED: _("Your proposal “%(title)s” was not filed: %(reason)s."),
    EventKind.MERGED: _("Your proposal “%(title)s” was merged into %(formatted_number)s."),
    EventKind.CONVERTED: _("Your proposal “%(title)s” was converted to: %(target)s."),
    HandlingEventKind.ASSIGNED: _("Your proposal “%(title)s” has been assigned to %(units)s."),
    HandlingEventKind.ASSIGNMENT_CHANGED: _("The handling units of your proposal “%(title)s” changed: %(units)s."),
    HandlingEventKind.REPLY_ACCEPTED: _("%(unit)s has replied to your proposal “%(title)s”; please rate the reply."),
    HandlingEventKind.REHANDLING: _("Your proposal “%(title)s” is being handled again (round %(round)s)."),
    HandlingEventKind.COMPLETED: _("The handling of your proposal “%(title)s” is complete."),
    HandlingEventKind.KEY_MARKED: _("Your proposal “%(title)s” has been made a key proposal under supervision."),
    HandlingEventKind.KEY_UNMARKED: _("Your proposal “%(title)s” is no longer a key proposal."),
    HandlingEventKind.PUBLISHED: _("Your proposal “%(title)s” and its replies have been published."),
    HandlingEventKind.RESTRICTED: _("Publication of your proposal “%(title)s” has been restricted: %(reason)s"),
}


def proposal_type() -> ContentType:
    from huying.proposals.models import Proposal

    return ContentType.objects.get_for_model(Proposal)


def event_text(proposal: Proposal, event: CaseEvent) -> str | None:
    """The sentence the proposers get for ``event``, in the platform's main language."""
    template = EVENT_TEXTS.get(event.kind)
    if template is None:
        return None
    values: dict[str, Any] = {"title": proposal.title, **{k: v for k, v in event.data.items() if v is not None}}
    if event.kind == EventKind.REJECTED:
        reason = event.data.get("reason", "")
        values["reason"] = RejectReason(reason).label if reason in RejectReason.values else reason
    if event.kind == EventKind.CONVERTED:
        target = event.data.get("to", "")
        values["target"] = ConvertTarget(target).label if target in ConvertTarget.values else target
    if event.kind == HandlingEventKind.RESTRICTED:
        values["reason"] = event.note
    values.setdefault("formatted_number", "")
    values.setdefault("units", "")
    values.setdefault("unit", "")
    values.setdefault("round", proposal.handling_round)
    try:
        return notify.render(template % values)
    except (KeyError, TypeError, ValueError):  # pragma: no cover - a data key missing from an old event
        return notify.render(template % {"title": proposal.title, "formatted_number": "", "units": "", "unit": ""})


def rows(
    proposal: Proposal,
    text: str,
    now: datetime,
    *,
    kind: str = NotificationKind.STATUS,
    users: Iterable[int | None] = (),
    units: Iterable[int | None] = (),
    assignment: Assignment | None = None,
) -> list[Notification]:
    """Unsaved notification rows about ``proposal`` for people (ids) and units (ids)."""
    case_type = proposal_type()
    made = [
        Notification(
            recipient_user_id=user_id,
            kind=kind,
            case_type=case_type,
            case_id=proposal.pk,
            assignment=assignment,
            text=text,
            created_at=now,
        )
        for user_id in sorted({u for u in users if u is not None})
    ]
    made += [
        Notification(
            recipient_unit_id=unit_id,
            kind=kind,
            case_type=case_type,
            case_id=proposal.pk,
            assignment=assignment,
            text=text,
            created_at=now,
        )
        for unit_id in sorted({u for u in units if u is not None})
    ]
    return made


def send(
    proposal: Proposal,
    text: str | Promise,
    now: datetime,
    *,
    kind: str = NotificationKind.STATUS,
    users: Iterable[int | None] = (),
    units: Iterable[int | None] = (),
    assignment: Assignment | None = None,
) -> list[Notification]:
    """Write the rows now (one query) and deliver them after commit."""
    return notify.send(
        rows(proposal, notify.render(text), now, kind=kind, users=users, units=units, assignment=assignment)
    )


def notify_event(proposal: Proposal, event: CaseEvent, user_ids: list[int]) -> list[Notification]:
    """The proposers' notification of one history event (nothing for kinds without a text)."""
    text = event_text(proposal, event)
    if text is None or not user_ids:
        return []
    kind = NotificationKind.ASSIGNMENT if event.kind == HandlingEventKind.ASSIGNED else NotificationKind.STATUS
    if event.kind == HandlingEventKind.REPLY_ACCEPTED:
        kind = NotificationKind.FEEDBACK
    return notify.send(rows(proposal, text, event.created_at, kind=kind, users=user_ids))
