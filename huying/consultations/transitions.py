"""The only module that writes a consultation's, a speech's and an outcome's status.

Consultation (each move: the organising staff; an event in the consultation's history and
an audit entry in the same transaction):

=========  =========  ============================================
from       to         move
=========  =========  ============================================
draft      published  publish (participants may book speeches)
published  live       open (on the day: requests to speak, updates)
live       closed     close (minutes and the outcome are written)
closed     concluded  the outcome's first assignment to a department
=========  =========  ============================================

Speech: queued → given / skipped (the host, while live) or withdrawn (the speaker, before
it is given). A given speech of a member lands in the duty record
(``consultation.speech``).

Outcome (the handling engine's case, workflow ``consultation``): draft → sent on the first
assignment; sent → answered when every department's assignment is resolved; answered →
sent when one is reopened or a new department is assigned. :func:`on_assignment_move` is
the engine's adapter; no other module copies a status.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from huying.accounts.choices import Role
from huying.audit.actions import record
from huying.consultations.choices import ConsultationStatus, EventKind, OutcomeEventKind, OutcomeStatus, SpeechStatus
from huying.consultations.models import Consultation, Outcome, Speech, staff_paths
from huying.handling import history
from huying.handling.choices import ACTIVE_STATUSES, Status
from huying.handling.models import Assignment
from huying.handling.policy import CaseCard, Moved

WORKFLOW = "consultation"


class TransitionError(ValidationError):
    """An illegal move of a consultation, a speech or an outcome."""


# move: (from statuses, to status, event kind)
MOVES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "publish": ((ConsultationStatus.DRAFT,), ConsultationStatus.PUBLISHED, EventKind.PUBLISHED),
    "open": ((ConsultationStatus.PUBLISHED,), ConsultationStatus.LIVE, EventKind.OPENED),
    "close": ((ConsultationStatus.LIVE,), ConsultationStatus.CLOSED, EventKind.CLOSED),
    "conclude": ((ConsultationStatus.CLOSED,), ConsultationStatus.CONCLUDED, EventKind.CONCLUDED),
}

SPEECH_MOVES: dict[str, str] = {
    "give": SpeechStatus.GIVEN,
    "skip": SpeechStatus.SKIPPED,
    "withdraw": SpeechStatus.WITHDRAWN,
}


def is_organiser(user: Any, consultation: Consultation) -> bool:
    """Agency staff of the organiser or of a CPPCC committee above it, or an administrator."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_administrator:
        return True
    path = consultation.organiser.path
    return any(path.startswith(p) for p in staff_paths(user))


def check_organiser(user: Any, consultation: Consultation) -> None:
    if not is_organiser(user, consultation):
        raise PermissionDenied(_("Only the organising staff of this consultation may do this."))


def may_organise_at(user: Any, organiser: Any) -> bool:
    if user.is_administrator:
        return True
    return any(organiser.path.startswith(p) for p in staff_paths(user))


def _lock(consultation: Consultation) -> Consultation:
    return Consultation.objects.select_for_update().select_related("organiser").get(pk=consultation.pk)


def move(actor: Any, consultation: Consultation, name: str, *, now: datetime | None = None) -> Consultation:
    """Make the move ``name`` of :data:`MOVES`. The organising staff only (``conclude`` is
    made by the outcome's adapter, inside the engine's assignment)."""
    sources, to, kind = MOVES[name]
    with transaction.atomic():
        locked = _lock(consultation)
        if name != "conclude":
            check_organiser(actor, locked)
        if locked.status not in sources:
            raise TransitionError(
                _("A consultation that is %(status)s cannot be %(verb)s.")
                % {"status": locked.get_status_display(), "verb": _move_verb(name)},
                code="illegal_transition",
            )
        from_status = locked.status
        locked.status = to
        locked.version += 1
        locked.save(update_fields=["status", "version", "updated_at"])
        history.append(locked, kind, actor, from_status=from_status, to_status=to, now=now)
        record(actor, f"consultation.{name}", locked, {"status": [from_status, to]})
        transaction.on_commit(lambda: _forget_live(locked.pk))
    consultation.status, consultation.version = locked.status, locked.version
    return consultation


def _forget_live(consultation_id: int) -> None:
    from huying.consultations.live import invalidate

    invalidate(consultation_id)


def _move_verb(name: str) -> str:
    return {
        "publish": _("published"),
        "open": _("opened"),
        "close": _("closed"),
        "conclude": _("concluded"),
    }[name]


def move_speech(actor: Any, speech: Speech, name: str, *, now: datetime | None = None) -> Speech:
    """Give, skip (the host, while the consultation is live) or withdraw (the speaker or
    the host, while the speech waits) a speech. A given member's speech is recorded in the
    member's duty record in the same transaction."""
    from huying.consultations.choices import ParticipantKind

    to = SPEECH_MOVES[name]
    now = now or timezone.now()
    with transaction.atomic():
        speech = (
            Speech.objects.select_for_update()
            .select_related("participant", "consultation__organiser")
            .get(pk=speech.pk)
        )
        consultation = speech.consultation
        if name == "withdraw":
            if speech.participant.user_id != getattr(actor, "pk", None):
                check_organiser(actor, consultation)
        else:
            check_organiser(actor, consultation)
            if consultation.status != ConsultationStatus.LIVE:
                raise TransitionError(
                    _("Speeches are given or skipped only while the consultation is live."), code="not_live"
                )
        if speech.status != SpeechStatus.QUEUED:
            raise TransitionError(
                _("This speech is already %(status)s.") % {"status": speech.get_status_display()},
                code="illegal_transition",
            )
        speech.status = to
        speech.decided_at = now
        speech.save(update_fields=["status", "decided_at"])
        record(actor, f"consultation.speech_{name}", speech, {"status": [SpeechStatus.QUEUED, to]})
        member = speech.participant.user
        if to == SpeechStatus.GIVEN and member is not None and speech.participant.kind == ParticipantKind.MEMBER:
            from huying.duty.acts import record as record_act

            record_act(member, "consultation.speech", source=speech, occurred_at=now, title=consultation.topic)
        transaction.on_commit(lambda: _forget_live(consultation.pk))
    return speech


# --- The outcome: the handling engine's adapter ---------------------------------------------

FOLLOWS: dict[str, tuple[str, ...]] = {  # engine action: outcome statuses it may come from
    "assign": (OutcomeStatus.DRAFT, OutcomeStatus.SENT, OutcomeStatus.ANSWERED),
    "resolve": (OutcomeStatus.SENT,),
    "reopen": (OutcomeStatus.SENT, OutcomeStatus.ANSWERED),
    "cancel": (OutcomeStatus.SENT, OutcomeStatus.ANSWERED),
}
ANSWERED_ASSIGNMENTS = (Status.RESOLVED, Status.CLOSED)


def _outcome_status_after(outcome: Outcome, action: str) -> str:
    if action == "assign":
        return OutcomeStatus.SENT
    rows = Assignment.objects.filter(workflow=WORKFLOW, case_id=outcome.pk, status__in=ACTIVE_STATUSES)
    if rows.exists() and not rows.exclude(status__in=ANSWERED_ASSIGNMENTS).exists():
        return OutcomeStatus.ANSWERED
    return OutcomeStatus.SENT


def on_assignment_move(moved: Moved) -> None:
    """The engine's adapter: the outcome's status after a move of one of its assignments;
    the first assignment also concludes the consultation."""
    if moved.action not in FOLLOWS:
        return  # acceptance, progress notes, urging, extensions leave the outcome as it is
    outcome = Outcome.objects.select_for_update().select_related("consultation").get(pk=moved.assignment.case_id)
    if outcome.status not in FOLLOWS[moved.action]:
        raise TransitionError(
            _("An outcome that is %(status)s cannot take this step.") % {"status": outcome.get_status_display()},
            code="illegal_transition",
        )
    if moved.action == "assign" and outcome.consultation.status == ConsultationStatus.CLOSED:
        move(moved.actor, outcome.consultation, "conclude", now=moved.now)
    to = _outcome_status_after(outcome, moved.action)
    if to == outcome.status:
        return
    from_status = outcome.status
    outcome.status = to
    outcome.save(update_fields=["status"])
    kinds: dict[str, str] = {
        OutcomeStatus.SENT: OutcomeEventKind.SENT if from_status == OutcomeStatus.DRAFT else OutcomeEventKind.REOPENED,
        OutcomeStatus.ANSWERED: OutcomeEventKind.ANSWERED,
    }
    kind = kinds[to]
    history.append(outcome, kind, moved.actor, from_status=from_status, to_status=to, now=moved.now)
    record(moved.actor, f"consultation.{kind}", outcome, {"status": [from_status, to]})


def cards(reader: Any, case_ids: Sequence[int]) -> dict[int, CaseCard]:
    return {
        o.pk: CaseCard(
            number=o.number,
            title=o.consultation.topic,
            status=o.get_status_display(),
            url=reverse("consultations:detail", args=[o.consultation_id]),
        )
        for o in Outcome.objects.filter(pk__in=case_ids).select_related("consultation")
    }


def describe(assignment: Assignment) -> str:
    outcome = Outcome.objects.filter(pk=assignment.case_id).only("consultation_id").first()
    return outcome.number if outcome else ""


def describe_cases(case_ids: Sequence[int]) -> dict[int, str]:
    """:func:`describe` of many outcomes in one query (the deadline sweep)."""
    outcomes = Outcome.objects.filter(pk__in=list(case_ids)).only("consultation_id")
    return {outcome.pk: outcome.number for outcome in outcomes}


def case_url(user: Any, notification: Any) -> str | None:
    """The outcome's assignment page for a notice about one of its assignments (no query)."""
    if notification.assignment_id is None:
        return None
    return reverse("consultations:answer", args=[notification.assignment_id])


def supervisor_unit(user: Any, owner: Any) -> Any:
    """Who supervises the departments' answers: the engine's rule, and the organising
    staff (agency staff of a CPPCC committee above the organising special committee)."""
    from huying.handling.policy import default_supervisor_unit

    unit = default_supervisor_unit(user, owner)
    if unit is not None:
        return unit
    for role in user.active_roles:
        org = role.organisation
        if org is not None and role.role == Role.AGENCY_STAFF and owner.path.startswith(org.path):
            return org
    return None


def check_unit(unit: Any) -> None:
    from huying.organisations.choices import OrgKind

    if unit.kind not in (OrgKind.DEPARTMENT, OrgKind.GOVERNMENT, OrgKind.COMMAND_CENTRE, OrgKind.STREET):
        raise ValidationError({"unit": [_("The outcome goes to government departments and offices only.")]})


def is_unit_staff(user: Any) -> bool:
    return bool(user.role_set & {Role.UNIT_STAFF, Role.STREET_HANDLER})
