"""Every write of the consultations app. Pages, the API, the demo loader and tests call these.

Rights: the organising staff (:func:`transitions.is_organiser`) prepare, run and conclude a
consultation; participants book or ask to speak and withdraw their own speech; the
departments' staff answer the outcome through the handling engine.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from huying.audit.actions import record
from huying.consultations import transitions
from huying.consultations.choices import (
    ConsultationKind,
    ConsultationStatus,
    EventKind,
    OutcomeStatus,
    ParticipantKind,
    SpeechKind,
    SpeechStatus,
)
from huying.consultations.models import AgendaItem, Consultation, LiveUpdate, Outcome, Participant, Speech
from huying.consultations.transitions import WORKFLOW, TransitionError, check_organiser
from huying.handling import actions as engine
from huying.handling import history
from huying.handling.choices import AssignmentRole, LimitUnit
from huying.handling.limits import Limit, Limits
from huying.handling.models import Assignment
from huying.handling.transitions import accept_on_work
from huying.organisations.choices import OrgKind

EDITABLE = (ConsultationStatus.DRAFT, ConsultationStatus.PUBLISHED)
MAX_AGENDA = 30
MAX_UPDATE = 500


def check_https(url: str, field: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or len(url) > 500:
        raise ValidationError({field: [_("Give the https address of the conferencing service's room.")]})
    return url


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    topic = (fields.get("topic") or "").strip()
    if not topic:
        errors["topic"] = [_("Give the topic.")]
    if fields.get("kind") not in ConsultationKind.values:
        errors["kind"] = [_("Choose the type of consultation.")]
    starts, ends = fields.get("starts_at"), fields.get("ends_at")
    if not isinstance(starts, datetime) or not isinstance(ends, datetime) or ends <= starts:
        errors["ends_at"] = [_("The consultation must end after it starts.")]
    organiser = fields.get("organiser")
    if organiser is None or organiser.kind not in (OrgKind.CPPCC, OrgKind.SPECIAL_COMMITTEE):
        errors["organiser"] = [_("The organiser is a CPPCC committee or one of its special committees.")]
    try:
        video = check_https(fields.get("video_url", ""), "video_url")
        embed = check_https(fields.get("embed_url", ""), "embed_url")
    except ValidationError as exc:
        errors.update(exc.message_dict)
        video = embed = ""
    if not video and not (fields.get("place") or "").strip():
        errors.setdefault("place", [_("Give an online room link or an offline venue (or both).")])
    if errors:
        raise ValidationError(errors)
    return {
        "topic": topic[:200],
        "kind": fields["kind"],
        "summary": (fields.get("summary") or "").strip(),
        "organiser": organiser,
        "starts_at": starts,
        "ends_at": ends,
        "video_url": video,
        "embed_url": embed,
        "place": (fields.get("place") or "").strip()[:200],
        "public_viewing": bool(fields.get("public_viewing")),
    }


def do_create_consultation(
    actor: Any, *, agenda: list[str] | None = None, now: datetime | None = None, **fields: Any
) -> Consultation:
    """Agency staff of the organiser (or a committee above it) create a draft. ``now`` is
    for a loader replaying the past."""
    values = _clean(fields)
    if not transitions.may_organise_at(actor, values["organiser"]):
        raise PermissionDenied(_("Only the organising staff of this consultation may do this."))
    with transaction.atomic():
        consultation = Consultation.objects.create(created_by=actor, **values)
        _write_agenda(consultation, agenda or [])
        history.append(consultation, EventKind.CREATED, actor, to_status=ConsultationStatus.DRAFT, now=now)
        record(actor, "consultation.create", consultation, {"topic": consultation.topic})
    return consultation


def _write_agenda(consultation: Consultation, agenda: list[str]) -> None:
    items = [line.strip()[:200] for line in agenda if line and line.strip()]
    if len(items) > MAX_AGENDA:
        raise ValidationError({"agenda": [_("At most %(n)d agenda items.") % {"n": MAX_AGENDA}]})
    consultation.agenda.all().delete()
    AgendaItem.objects.bulk_create(
        AgendaItem(consultation=consultation, position=i, title=title) for i, title in enumerate(items, 1)
    )


def do_update_consultation(
    actor: Any, consultation: Consultation, *, agenda: list[str] | None = None, **fields: Any
) -> Consultation:
    """The organising staff change a consultation before it goes live."""
    check_organiser(actor, consultation)
    if consultation.status not in EDITABLE:
        raise TransitionError(_("A consultation can be changed only before it goes live."), code="not_editable")
    values = _clean({**fields, "organiser": fields.get("organiser") or consultation.organiser})
    if not transitions.may_organise_at(actor, values["organiser"]):
        raise PermissionDenied(_("Only the organising staff of this consultation may do this."))
    with transaction.atomic():
        changes = {
            k: [str(getattr(consultation, k)), str(v)] for k, v in values.items() if getattr(consultation, k) != v
        }
        for name, value in values.items():
            setattr(consultation, name, value)
        consultation.version += 1
        consultation.save()
        if agenda is not None:
            _write_agenda(consultation, agenda)
        record(actor, "consultation.update", consultation, changes)
    return consultation


def do_publish(actor: Any, consultation: Consultation, *, now: datetime | None = None) -> Consultation:
    """Publish a draft (the organising staff): participants may book speeches."""
    return transitions.move(actor, consultation, "publish", now=now)


def do_open(actor: Any, consultation: Consultation, *, now: datetime | None = None) -> Consultation:
    """Go live (the organising staff): participants ask to speak, the staff post updates."""
    return transitions.move(actor, consultation, "open", now=now)


def do_close(actor: Any, consultation: Consultation, *, now: datetime | None = None) -> Consultation:
    """Close a live consultation (the organising staff); speeches still waiting are withdrawn."""
    with transaction.atomic():
        transitions.move(actor, consultation, "close", now=now)
        for speech in consultation.speeches.filter(status=SpeechStatus.QUEUED):
            # The move checks the status: a closed consultation's waiting speeches are
            # withdrawn by the host.
            transitions.move_speech(actor, speech, "withdraw", now=now)
    return consultation


# --- Participants --------------------------------------------------------------------------


def do_add_participant(
    actor: Any,
    consultation: Consultation,
    *,
    kind: str,
    user: Any = None,
    name: str = "",
    affiliation: str = "",
) -> Participant:
    """The organising staff add a member, an official or an expert (experts may have no
    account: then a name and an affiliation)."""
    check_organiser(actor, consultation)
    if consultation.status not in (*EDITABLE, ConsultationStatus.LIVE):
        raise TransitionError(_("Participants are added before the consultation closes."), code="closed")
    if kind not in ParticipantKind.values:
        raise ValidationError({"kind": [_("Choose the participant's part.")]})
    if kind != ParticipantKind.EXPERT and user is None:
        raise ValidationError({"user": [_("Members and officials take part with their account.")]})
    from huying.accounts.choices import Role

    if user is not None:
        needed: dict[str, set[str]] = {
            ParticipantKind.MEMBER: {Role.MEMBER},
            ParticipantKind.OFFICIAL: {Role.UNIT_STAFF, Role.LEADER},
        }
        if kind in needed and not (user.role_set & needed[kind]):
            raise ValidationError({"user": [_("This person does not hold the role of that part.")]})
        name = name or user.real_name or user.username
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the participant's name.")]})
    try:
        with transaction.atomic():
            participant = Participant.objects.create(
                consultation=consultation, kind=kind, user=user, name=name[:60], affiliation=affiliation.strip()[:120]
            )
            record(actor, "consultation.participant_add", consultation, {"participant": participant.name, "kind": kind})
    except IntegrityError:
        raise ValidationError({"user": [_("This person already takes part.")]}) from None
    return participant


def do_remove_participant(actor: Any, participant: Participant) -> None:
    consultation = participant.consultation
    check_organiser(actor, consultation)
    if participant.speeches.exists():
        raise ValidationError({"participant": [_("A participant with a speech cannot be removed.")]})
    with transaction.atomic():
        record(actor, "consultation.participant_remove", consultation, {"participant": participant.name})
        participant.delete()


# --- Speeches ------------------------------------------------------------------------------


def participant_of(user: Any, consultation: Consultation) -> Participant | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return consultation.participants.filter(user=user).first()


def _local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _new_speech(
    actor: Any, consultation: Consultation, participant: Participant, kind: str, summary: str, now: datetime
) -> Speech:
    try:
        with transaction.atomic():
            Consultation.objects.select_for_update().filter(pk=consultation.pk).first()
            last = consultation.speeches.aggregate(m=Max("position"))["m"] or 0
            speech = Speech.objects.create(
                consultation=consultation,
                participant=participant,
                kind=kind,
                summary=summary,
                position=last + 1,
                created_at=now,
            )
            record(actor, f"consultation.speech_{kind}", speech, {"summary": summary[:200]})
    except IntegrityError:
        raise ValidationError({"summary": [_("You already have a speech waiting in this consultation.")]}) from None
    return speech


def do_book_speech(actor: Any, consultation: Consultation, *, summary: str, now: datetime | None = None) -> Speech:
    """A participant books a speech with its summary, before the day of the consultation."""
    now = now or timezone.now()
    participant = participant_of(actor, consultation)
    if participant is None:
        raise PermissionDenied(_("Only the participants of this consultation may speak in it."))
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": [_("Give the summary of your speech.")]})
    if consultation.status != ConsultationStatus.PUBLISHED or _local_day(now) >= _local_day(consultation.starts_at):
        raise TransitionError(
            _("Speeches are booked before the day of the consultation; on the day, ask to speak."),
            code="booking_closed",
        )
    return _new_speech(actor, consultation, participant, SpeechKind.BOOKED, summary[:2000], now)


def do_request_speech(
    actor: Any, consultation: Consultation, *, summary: str = "", now: datetime | None = None
) -> Speech:
    """A participant asks to speak while the consultation is live (a summary is optional)."""
    participant = participant_of(actor, consultation)
    if participant is None:
        raise PermissionDenied(_("Only the participants of this consultation may speak in it."))
    if consultation.status != ConsultationStatus.LIVE:
        raise TransitionError(_("You can ask to speak only while the consultation is live."), code="not_live")
    summary = (summary or "").strip()[:2000]
    return _new_speech(actor, consultation, participant, SpeechKind.REQUESTED, summary, now or timezone.now())


def do_move_speaker(actor: Any, speech: Speech, direction: str) -> list[Speech]:
    """The host moves a waiting speech one place up or down the speakers' list. Answers the
    waiting list in its new order."""
    consultation = speech.consultation
    check_organiser(actor, consultation)
    if direction not in ("up", "down"):
        raise ValidationError({"direction": [_("Move a speaker up or down.")]})
    if consultation.status not in (ConsultationStatus.PUBLISHED, ConsultationStatus.LIVE):
        raise TransitionError(_("The speakers are ordered before and during the consultation."), code="not_open")
    with transaction.atomic():
        queue = list(
            Speech.objects.select_for_update()
            .filter(consultation=consultation, status=SpeechStatus.QUEUED)
            .order_by("position", "id")
        )
        index = next((i for i, s in enumerate(queue) if s.pk == speech.pk), None)
        if index is None:
            raise TransitionError(_("Only a waiting speech can be moved."), code="not_queued")
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(queue):
            queue[index], queue[other] = queue[other], queue[index]
            positions = sorted(s.position for s in queue)
            if len(set(positions)) < len(positions):
                positions = list(range(1, len(queue) + 1))
            for s, position in zip(queue, positions, strict=True):
                if s.position != position:
                    s.position = position
                    s.save(update_fields=["position"])
            record(actor, "consultation.speech_order", speech, {"direction": direction})
    return queue


def do_give_speech(actor: Any, speech: Speech, *, now: datetime | None = None) -> Speech:
    return transitions.move_speech(actor, speech, "give", now=now)


def do_skip_speech(actor: Any, speech: Speech, *, now: datetime | None = None) -> Speech:
    return transitions.move_speech(actor, speech, "skip", now=now)


def do_withdraw_speech(actor: Any, speech: Speech) -> Speech:
    return transitions.move_speech(actor, speech, "withdraw")


# --- Live updates --------------------------------------------------------------------------


def do_post_update(
    actor: Any, consultation: Consultation, *, text: str, speech: Speech | None = None, now: datetime | None = None
) -> LiveUpdate:
    """The organising staff post a short text update while the consultation is live."""
    check_organiser(actor, consultation)
    if consultation.status != ConsultationStatus.LIVE:
        raise TransitionError(_("Updates are posted only while the consultation is live."), code="not_live")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("Write the update.")]})
    if len(text) > MAX_UPDATE:
        raise ValidationError({"text": [_("An update has at most %(n)d characters.") % {"n": MAX_UPDATE}]})
    if speech is not None and speech.consultation_id != consultation.pk:
        raise ValidationError({"speech": [_("That speech is not of this consultation.")]})
    with transaction.atomic():
        update = LiveUpdate.objects.create(
            consultation=consultation, text=text, speech=speech, author=actor, created_at=now or timezone.now()
        )
        record(actor, "consultation.update_post", consultation, {"update": text[:200]})
        transaction.on_commit(lambda: transitions._forget_live(consultation.pk))
    return update


# --- After the consultation ----------------------------------------------------------------


def do_save_minutes(actor: Any, consultation: Consultation, *, minutes: str) -> Consultation:
    """The organising staff write the minutes (纪要) once the consultation is closed."""
    check_organiser(actor, consultation)
    if consultation.status not in (ConsultationStatus.CLOSED, ConsultationStatus.CONCLUDED):
        raise TransitionError(_("Minutes are written after the consultation closes."), code="not_closed")
    minutes = (minutes or "").strip()
    if not minutes:
        raise ValidationError({"minutes": [_("Write the minutes.")]})
    with transaction.atomic():
        consultation.minutes = minutes
        consultation.save(update_fields=["minutes", "updated_at"])
        record(actor, "consultation.minutes", consultation, {"minutes": minutes[:200]})
    return consultation


def do_save_outcome(actor: Any, consultation: Consultation, *, consensus: str, recommendations: str) -> Outcome:
    """The organising staff write (or rewrite, before it is sent) the outcome document."""
    check_organiser(actor, consultation)
    if consultation.status != ConsultationStatus.CLOSED:
        raise TransitionError(_("The outcome is written after the consultation closes."), code="not_closed")
    consensus = (consensus or "").strip()
    items = [line.strip() for line in (recommendations or "").split("\n") if line.strip()]
    errors = {}
    if not consensus:
        errors["consensus"] = [_("Write the consensus reached.")]
    if not items:
        errors["recommendations"] = [_("Write at least one recommendation.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        outcome, _created = Outcome.objects.select_for_update().get_or_create(
            consultation=consultation, defaults={"consensus": consensus, "recommendations": "\n".join(items)}
        )
        if outcome.status != OutcomeStatus.DRAFT:
            raise TransitionError(_("The outcome has been sent and can no longer be changed."), code="sent")
        outcome.consensus, outcome.recommendations = consensus, "\n".join(items)
        outcome.save(update_fields=["consensus", "recommendations"])
        record(actor, "consultation.outcome_save", outcome, {"recommendations": len(items)})
    return outcome


MAX_ANSWER_DAYS = 365


def do_send_outcome(
    actor: Any, outcome: Outcome, *, units: list[Any], days: int, now: datetime | None = None
) -> list[Assignment]:
    """The organising staff send the outcome to departments, to be answered within ``days``
    working days: one assignment each through the handling engine (its adapter marks the
    outcome sent and the consultation concluded)."""
    consultation = outcome.consultation
    check_organiser(actor, consultation)
    if not units:
        raise ValidationError({"units": [_("Choose at least one department.")]})
    if not 1 <= days <= MAX_ANSWER_DAYS:
        raise ValidationError({"days": [_("Give between 1 and 365 working days to answer.")]})
    limits = Limits(accept=Limit(3, LimitUnit.WORKING_DAYS), resolve=Limit(days, LimitUnit.WORKING_DAYS))
    with transaction.atomic():
        return [
            engine.do_assign(
                actor,
                outcome,
                workflow=WORKFLOW,
                unit=unit,
                owner=consultation.organiser,
                # 分别办理: each department answers for itself.
                role=AssignmentRole.SEPARATE,
                limits=limits,
                now=now,
            )
            for unit in units
        ]


def do_answer(
    actor: Any,
    assignment: Assignment,
    *,
    answer: str,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Assignment:
    """A department's staff answer the outcome: the engine's resolve (signing for the
    assignment first when they have not)."""
    if assignment.workflow != WORKFLOW:
        raise ValidationError({"assignment": [_("This assignment is not a consultation outcome.")]})
    with transaction.atomic():
        version = accept_on_work(actor, assignment, now=now, expected_version=expected_version)
        return engine.do_resolve(actor, assignment, result=answer, expected_version=version, now=now)
