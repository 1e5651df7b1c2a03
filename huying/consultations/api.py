"""The consultations' REST API under ``/api/v1/consultations``. Same rules as the pages:
reads through ``Consultation.objects.visible_to``, writes through ``actions``."""

from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from huying.consultations import actions, live
from huying.consultations.choices import (
    ConsultationKind,
    ConsultationStatus,
    OutcomeStatus,
    ParticipantKind,
    SpeechKind,
    SpeechStatus,
)
from huying.consultations.models import Consultation, Outcome, Speech, answers
from huying.consultations.transitions import WORKFLOW, is_organiser
from huying.core.api_errors import ErrorOut
from huying.core.api_types import Id, Int32, PageNumberPagination, SmallCount
from huying.handling.models import Assignment
from huying.organisations.models import Organisation

router = Router(tags=["consultations"])


class ConsultationOut(Schema):
    id: int
    number: str
    topic: str
    kind: ConsultationKind
    status: ConsultationStatus
    organiser_id: int
    organiser_name: str
    starts_at: datetime
    ends_at: datetime
    video_url: str = Field(description="The room link on the conferencing service (https).")
    embed_url: str
    place: str
    public_viewing: bool

    @staticmethod
    def resolve_organiser_name(obj: Consultation) -> str:
        return obj.organiser.name


class ParticipantOut(Schema):
    id: int
    kind: ParticipantKind
    name: str
    affiliation: str
    user_id: int | None


class SpeechOut(Schema):
    id: int
    participant_id: int
    speaker: str
    kind: SpeechKind
    status: SpeechStatus
    position: int
    summary: str
    created_at: datetime

    @staticmethod
    def resolve_speaker(obj: Speech) -> str:
        return obj.participant.name


class OutcomeOut(Schema):
    number: str
    status: OutcomeStatus
    consensus: str
    recommendations: list[str]

    @staticmethod
    def resolve_recommendations(obj: Outcome) -> list[str]:
        return obj.recommendation_items()


class ConsultationDetailOut(ConsultationOut):
    summary: str
    agenda: list[str]
    participants: list[ParticipantOut]
    minutes: list[str] = Field(description="The minutes, one paragraph an item.")
    outcome: OutcomeOut | None = Field(description="Once it is sent (the organising staff: also while written).")
    may_organise: bool

    @staticmethod
    def resolve_agenda(obj: Consultation) -> list[str]:
        return [a.title for a in obj.agenda.all()]

    @staticmethod
    def resolve_participants(obj: Consultation) -> list[Any]:
        return list(obj.participants.all())

    @staticmethod
    def resolve_minutes(obj: Consultation) -> list[str]:
        return obj.minutes_paragraphs()

    @staticmethod
    def resolve_outcome(obj: Consultation, context: dict[str, Any]) -> Outcome | None:
        outcome = Outcome.objects.filter(consultation=obj).first()
        if outcome is None or (
            outcome.status == OutcomeStatus.DRAFT and not is_organiser(context["request"].user, obj)
        ):
            return None
        return outcome

    @staticmethod
    def resolve_may_organise(obj: Consultation, context: dict[str, Any]) -> bool:
        return is_organiser(context["request"].user, obj)


class ConsultationIn(Schema):
    topic: str = Field(max_length=200)
    kind: ConsultationKind
    organiser_id: Id
    summary: str = Field("", max_length=5000)
    starts_at: datetime
    ends_at: datetime
    video_url: str = Field("", max_length=500, description="https link of the conferencing service's room.")
    embed_url: str = Field("", max_length=500)
    place: str = Field("", max_length=200)
    public_viewing: bool = False
    agenda: list[str] = Field(default_factory=list, max_length=30)


class SpeechIn(Schema):
    summary: str = Field("", max_length=2000)


class OrderIn(Schema):
    direction: Literal["up", "down"]


class UpdateIn(Schema):
    text: str = Field(max_length=500)
    speech_id: Id | None = None


class LiveUpdateOut(Schema):
    id: int
    text: str
    speaker: str
    at: str = Field(description="Local time of day (HH:MM).")


class LiveOut(Schema):
    status: ConsultationStatus
    last: int = Field(description="Id of the latest update: pass it as `after` next time.")
    updates: list[LiveUpdateOut]
    reload: bool = Field(description="The caller is further behind than the feed keeps: read the whole page.")


class MinutesIn(Schema):
    minutes: str = Field(max_length=50000)


class OutcomeIn(Schema):
    consensus: str = Field(max_length=10000)
    recommendations: list[str] = Field(max_length=50)


class SendIn(Schema):
    unit_ids: list[Id] = Field(max_length=50)
    days: SmallCount = Field(description="Working days the departments have to answer (1–365).")


class AnswerOut(Schema):
    assignment_id: int
    unit_id: int
    unit_name: str
    status: str
    resolve_due: datetime | None
    answer: str


def _visible(request: HttpRequest, pk: int) -> Consultation:
    return get_object_or_404(Consultation.objects.visible_to(request.user).select_related("organiser"), pk=pk)


def _organiser(pk: int) -> Organisation:
    organiser = Organisation.objects.filter(pk=pk).first()
    if organiser is None:
        raise ValidationError({"organiser_id": [_("No organisation with this id.")]})
    return organiser


_READ = {200: ConsultationDetailOut, 404: ErrorOut}
_WRITE = {200: ConsultationDetailOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@router.get("", response=list[ConsultationOut], summary="Consultations the caller may see, latest first")
@paginate(PageNumberPagination, page_size=25)
def list_consultations(request: HttpRequest, status: ConsultationStatus | None = None) -> Any:
    qs = Consultation.objects.visible_to(request.user).select_related("organiser")
    return qs.filter(status=status) if status else qs


@router.post("", response={201: ConsultationDetailOut, 403: ErrorOut, 422: ErrorOut}, summary="Create (staff)")
def create_consultation(request: HttpRequest, payload: ConsultationIn) -> Any:
    values = payload.dict()
    values["organiser"] = _organiser(values.pop("organiser_id"))
    agenda = values.pop("agenda")
    consultation = actions.do_create_consultation(request.user, agenda=agenda, **values)
    return Status(201, _visible(request, consultation.pk))


@router.get("/{int:pk}", response=_READ, summary="A consultation: agenda, venues, participants, minutes, outcome")
def get_consultation(request: HttpRequest, pk: Id) -> Any:
    return _visible(request, pk)


@router.put("/{int:pk}", response=_WRITE, summary="Change a consultation before it goes live (staff)")
def update_consultation(request: HttpRequest, pk: Id, payload: ConsultationIn) -> Any:
    consultation = _visible(request, pk)
    values = payload.dict()
    values["organiser"] = _organiser(values.pop("organiser_id"))
    agenda = values.pop("agenda")
    actions.do_update_consultation(request.user, consultation, agenda=agenda, **values)
    return _visible(request, pk)


def _move(request: HttpRequest, pk: int, step: Any) -> Consultation:
    step(request.user, _visible(request, pk))
    return _visible(request, pk)


@router.post("/{int:pk}/publish", response=_WRITE, summary="Publish: participants may book speeches (staff)")
def publish_consultation(request: HttpRequest, pk: Id) -> Any:
    return _move(request, pk, actions.do_publish)


@router.post("/{int:pk}/open", response=_WRITE, summary="Go live: requests to speak and live updates (staff)")
def open_consultation(request: HttpRequest, pk: Id) -> Any:
    return _move(request, pk, actions.do_open)


@router.post("/{int:pk}/close", response=_WRITE, summary="Close: waiting speeches are withdrawn (staff)")
def close_consultation(request: HttpRequest, pk: Id) -> Any:
    return _move(request, pk, actions.do_close)


@router.get("/{int:pk}/speeches", response={200: list[SpeechOut], 404: ErrorOut}, summary="Speeches in order")
def list_speeches(request: HttpRequest, pk: Id) -> Any:
    return list(_visible(request, pk).speeches.select_related("participant").order_by("position", "id"))


_SPEECH = {201: SpeechOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@router.post("/{int:pk}/speeches/book", response=_SPEECH, summary="Book a speech before the day (participants)")
def book_speech(request: HttpRequest, pk: Id, payload: SpeechIn) -> Any:
    return Status(201, actions.do_book_speech(request.user, _visible(request, pk), summary=payload.summary))


@router.post("/{int:pk}/speeches/request", response=_SPEECH, summary="Ask to speak while live (participants)")
def request_speech(request: HttpRequest, pk: Id, payload: SpeechIn) -> Any:
    return Status(201, actions.do_request_speech(request.user, _visible(request, pk), summary=payload.summary))


def _speech(request: HttpRequest, pk: int) -> Speech:
    visible = Consultation.objects.visible_to(request.user).values("pk")
    return get_object_or_404(
        Speech.objects.filter(consultation__in=visible).select_related("participant", "consultation__organiser"),
        pk=pk,
    )


@router.post(
    "/speeches/{int:pk}/order",
    response={200: list[SpeechOut], 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Move a waiting speech up or down (the host); answers the waiting list",
)
def order_speech(request: HttpRequest, pk: Id, payload: OrderIn) -> Any:
    return actions.do_move_speaker(request.user, _speech(request, pk), payload.direction)


_DECIDE = {200: SpeechOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _decide(request: HttpRequest, pk: int, step: Any) -> Speech:
    speech = _speech(request, pk)
    step(request.user, speech)
    speech.refresh_from_db()
    return speech


@router.post("/speeches/{int:pk}/give", response=_DECIDE, summary="Mark a speech given (the host, while live)")
def give_speech(request: HttpRequest, pk: Id) -> Any:
    return _decide(request, pk, actions.do_give_speech)


@router.post("/speeches/{int:pk}/skip", response=_DECIDE, summary="Skip a speech (the host, while live)")
def skip_speech(request: HttpRequest, pk: Id) -> Any:
    return _decide(request, pk, actions.do_skip_speech)


@router.post("/speeches/{int:pk}/withdraw", response=_DECIDE, summary="Withdraw a waiting speech (the speaker)")
def withdraw_speech(request: HttpRequest, pk: Id) -> Any:
    return _decide(request, pk, actions.do_withdraw_speech)


@router.get(
    "/{int:pk}/updates",
    response={200: LiveOut, 304: None, 404: ErrorOut, 422: ErrorOut},
    summary="Live updates after an id (ETag; 304 when nothing changed)",
)
def live_updates(request: HttpRequest, response: HttpResponse, pk: Id, after: Int32 = 0) -> Any:
    _visible(request, pk)
    doc = live.document(pk)
    tag = live.etag(doc)
    response["ETag"] = tag
    response["Cache-Control"] = f"private, max-age={live.MAX_AGE}"
    if request.headers.get("If-None-Match") == tag:
        return Status(304, None)
    return live.since(doc, max(after, 0))


@router.post(
    "/{int:pk}/updates",
    response={201: LiveUpdateOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Post a live update (staff, while live)",
)
def post_update(request: HttpRequest, pk: Id, payload: UpdateIn) -> Any:
    consultation = _visible(request, pk)
    speech = None
    if payload.speech_id is not None:
        speech = consultation.speeches.filter(pk=payload.speech_id).select_related("participant").first()
        if speech is None:
            raise ValidationError({"speech_id": [_("That speech is not of this consultation.")]})
    update = actions.do_post_update(request.user, consultation, text=payload.text, speech=speech)
    return Status(201, live.update_dict(update))


@router.put("/{int:pk}/minutes", response=_WRITE, summary="Write the minutes (staff, after the close)")
def put_minutes(request: HttpRequest, pk: Id, payload: MinutesIn) -> Any:
    actions.do_save_minutes(request.user, _visible(request, pk), minutes=payload.minutes)
    return _visible(request, pk)


@router.put("/{int:pk}/outcome", response=_WRITE, summary="Write the outcome before it is sent (staff)")
def put_outcome(request: HttpRequest, pk: Id, payload: OutcomeIn) -> Any:
    actions.do_save_outcome(
        request.user,
        _visible(request, pk),
        consensus=payload.consensus,
        recommendations="\n".join(payload.recommendations),
    )
    return _visible(request, pk)


@router.post(
    "/{int:pk}/outcome/send",
    response={200: list[AnswerOut], 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Send the outcome to departments through the handling engine (staff)",
)
def send_outcome(request: HttpRequest, pk: Id, payload: SendIn) -> Any:
    consultation = _visible(request, pk)
    outcome = Outcome.objects.filter(consultation=consultation).first()
    if outcome is None:
        raise ValidationError({"outcome": [_("Write the outcome first.")]})
    units = list(Organisation.objects.filter(pk__in=payload.unit_ids, is_active=True))
    if len(units) != len(set(payload.unit_ids)):
        raise ValidationError({"unit_ids": [_("No active organisation with this id.")]})
    actions.do_send_outcome(request.user, outcome, units=units, days=payload.days)
    return _answers(outcome)


@router.get(
    "/{int:pk}/outcome/answers",
    response={200: list[AnswerOut], 403: ErrorOut, 404: ErrorOut},
    summary="The departments' answers to the outcome (staff)",
)
def outcome_answers(request: HttpRequest, pk: Id) -> Any:
    from django.core.exceptions import PermissionDenied

    consultation = _visible(request, pk)
    if not is_organiser(request.user, consultation):
        raise PermissionDenied(_("Only the organising staff of this consultation may do this."))
    outcome = Outcome.objects.filter(consultation=consultation).first()
    return _answers(outcome) if outcome else []


def _answers(outcome: Outcome) -> list[dict[str, Any]]:
    rows = list(Assignment.objects.filter(workflow=WORKFLOW, case_id=outcome.pk).select_related("unit").order_by("id"))
    texts = answers([a.pk for a in rows])
    return [
        {
            "assignment_id": a.pk,
            "unit_id": a.unit_id,
            "unit_name": a.unit.name,
            "status": a.status,
            "resolve_due": a.resolve_due,
            "answer": texts.get(a.pk, ""),
        }
        for a in rows
    ]
