"""委员会客室 in the API (/api/v1/reception): sessions, questions, answers, adoption and
conversion into drafts. Reading published Q&A needs no login; writes follow the pages'
rules (:mod:`huying.reception.actions`)."""

from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import field_validator

from huying.core.api_errors import ErrorOut
from huying.core.api_types import Id, PageNumberPagination
from huying.moderation.choices import ItemStatus
from huying.reception import actions
from huying.reception.choices import Phase, SessionStatus
from huying.reception.models import Answer, Question, ReceptionSession

router = Router(tags=["reception"])


class ReceptionHostOut(Schema):
    id: int
    real_name: str


class ReceptionSessionOut(Schema):
    id: int
    theme: str
    description: str
    starts_at: datetime
    ends_at: datetime
    status: SessionStatus
    phase: Phase = Field(description="live (open), upcoming (scheduled) or past (ended or cancelled).")
    host: ReceptionHostOut
    cppcc: str = Field(description="The host's CPPCC committee.")
    accepts_questions: bool

    @staticmethod
    def resolve_cppcc(obj: ReceptionSession) -> str:
        return obj.cppcc.name

    @staticmethod
    def resolve_accepts_questions(obj: ReceptionSession) -> bool:
        return obj.accepts_questions()


class ReceptionAnswerOut(Schema):
    body: str
    created_at: datetime
    updated_at: datetime | None


class ReceptionOutcomeOut(Schema):
    kind: Literal["proposal", "report"]
    proposal_id: int | None
    report_id: int | None
    number: str = Field(description="The proposal's filing number once filed, else empty.")
    status: str


class ReceptionQuestionOut(Schema):
    id: int
    session_id: int
    body: str
    status: ItemStatus = Field(description="Moderation state; only the asker and moderators see other than published.")
    reason: str = Field(description="The moderator's reason when hidden (asker and moderators only).")
    mine: bool
    created_at: datetime
    adopted: bool
    answer: ReceptionAnswerOut | None

    @staticmethod
    def resolve_status(obj: Question) -> str:
        return obj.moderation.status

    @staticmethod
    def resolve_reason(obj: Question) -> str:
        return obj.moderation.reason if obj.moderation.status == ItemStatus.HIDDEN else ""

    @staticmethod
    def resolve_mine(obj: Question, context: dict[str, Any]) -> bool:
        return bool(obj.author_id == getattr(context["request"].user, "pk", None))

    @staticmethod
    def resolve_adopted(obj: Question) -> bool:
        return obj.adopted_at is not None

    @staticmethod
    def resolve_answer(obj: Question) -> Answer | None:
        return actions._answer_of(obj)


class ReceptionQuestionDetailOut(ReceptionQuestionOut):
    outcomes: list[ReceptionOutcomeOut] = Field(description="What became of an adopted question.")

    @staticmethod
    def resolve_outcomes(obj: Question) -> list[dict[str, Any]]:
        return [
            {
                "kind": o["kind"],
                "proposal_id": o["proposal"].pk if o["proposal"] else None,
                "report_id": o["report"].pk if o["report"] else None,
                "number": o["number"],
                "status": str(o["status"]),
            }
            for o in actions.outcomes(obj)
        ]


def _aware(value: datetime) -> datetime:
    # Times outside this range are typing mistakes, and far ones overflow time zones.
    if not 2000 <= value.year <= 2100:
        raise ValueError(_("Choose a time between the years 2000 and 2100."))
    return timezone.make_aware(value) if value.tzinfo is None else value


class ReceptionSessionIn(Schema):
    theme: str = Field(max_length=100)
    description: str = Field("", max_length=2000)
    starts_at: datetime = Field(description="Between the years 2000 and 2100; with an offset (+08:00).")
    ends_at: datetime = Field(description="After starts_at, at most 7 days later.")
    host_id: Id | None = Field(None, description="The host member (staff); omitted: yourself (members).")

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _plausible(cls, value: datetime) -> datetime:
        return _aware(value)


class ReceptionSessionFilters(Schema):
    phase: Phase | None = None


class ReceptionMoveIn(Schema):
    reason: str = Field("", max_length=200, description="Cancellation only.")


class ReceptionQuestionIn(Schema):
    body: str = Field(max_length=500)


class ReceptionAnswerIn(Schema):
    body: str = Field(max_length=3000)


class ReceptionHideIn(Schema):
    reason: str = Field(max_length=200)


class ReceptionConvertIn(Schema):
    question_ids: list[Id] = Field(min_length=1, max_length=50)
    target: Literal["proposal", "report"] = Field(
        "proposal", description="A proposal draft or an opinion-report draft."
    )
    session_id: Id | None = Field(None, description="The proposal's session (proposals only).")
    title: str = Field(max_length=100)


class ReceptionConvertOut(Schema):
    proposal_id: int | None
    report_id: int | None
    question_ids: list[int]


def _sessions(request: HttpRequest) -> Any:
    return ReceptionSession.objects.visible_to(request.user).select_related("host", "cppcc")


@router.get("/sessions", response=list[ReceptionSessionOut], auth=None, summary="Reception sessions (everyone)")
@paginate(PageNumberPagination, page_size=25)
def list_sessions(request: HttpRequest, filters: Query[ReceptionSessionFilters]) -> Any:
    qs = _sessions(request)
    return qs.phase(filters.phase) if filters.phase else qs.order_by("-starts_at", "-pk")


@router.get("/sessions/{int:pk}", response={200: ReceptionSessionOut, 404: ErrorOut}, auth=None, summary="A session")
def get_session(request: HttpRequest, pk: Id) -> Any:
    return actions.access_session(request.user, pk)


@router.post(
    "/sessions",
    response={201: ReceptionSessionOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Schedule a session (a member for themselves, staff for a member)",
)
def create_session(request: HttpRequest, payload: ReceptionSessionIn) -> Any:
    host = None
    if payload.host_id is not None:
        from huying.accounts.models import User

        host = User.objects.filter(pk=payload.host_id, is_active=True).first()
        if host is None:
            raise ValidationError({"host_id": [_("The host must be a CPPCC member.")]})
    session = actions.do_create_session(
        request.user,
        host=host,
        theme=payload.theme,
        description=payload.description,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
    )
    return Status(201, actions.access_session(request.user, session.pk))


def _move(request: HttpRequest, pk: int, name: str, reason: str = "") -> Any:
    session = actions.access_session(request.user, pk)
    if name == "open":
        actions.do_open_session(request.user, session)
    elif name == "close":
        actions.do_close_session(request.user, session)
    else:
        actions.do_cancel_session(request.user, session, reason=reason)
    return actions.access_session(request.user, pk)


MOVE_RESPONSES = {200: ReceptionSessionOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@router.post("/sessions/{int:pk}/open", response=MOVE_RESPONSES, summary="Open a scheduled session (host, staff)")
def open_session(request: HttpRequest, pk: Id) -> Any:
    return _move(request, pk, "open")


@router.post("/sessions/{int:pk}/close", response=MOVE_RESPONSES, summary="End an open session (host, staff)")
def close_session(request: HttpRequest, pk: Id) -> Any:
    return _move(request, pk, "close")


@router.post("/sessions/{int:pk}/cancel", response=MOVE_RESPONSES, summary="Cancel a scheduled session (host, staff)")
def cancel_session(request: HttpRequest, pk: Id, payload: ReceptionMoveIn) -> Any:
    return _move(request, pk, "cancel", payload.reason)


@router.get(
    "/sessions/{int:pk}/questions",
    response=list[ReceptionQuestionOut],
    auth=None,
    summary="A session's questions with answers (published; the asker also sees their own)",
)
@paginate(PageNumberPagination, page_size=50)
def list_questions(request: HttpRequest, pk: Id) -> Any:
    return actions.questions_for(request.user, actions.access_session(request.user, pk))


@router.post(
    "/sessions/{int:pk}/questions",
    response={201: ReceptionQuestionOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Ask a question (real-name verified; moderated)",
)
def ask(request: HttpRequest, pk: Id, payload: ReceptionQuestionIn) -> Any:
    session = actions.access_session(request.user, pk)
    q = actions.do_ask(request.user, session, body=payload.body)
    return Status(201, actions.access_question(request.user, q.pk))


@router.get("/questions/mine", response=list[ReceptionQuestionDetailOut], summary="My questions, in any state")
@paginate(PageNumberPagination, page_size=25)
def my_questions(request: HttpRequest) -> Any:
    return (
        Question.objects.filter(author_id=request.user.pk)
        .select_related("moderation", "answer")
        .order_by("-created_at", "-pk")
    )


@router.get(
    "/questions/{int:pk}", response={200: ReceptionQuestionDetailOut, 404: ErrorOut}, auth=None, summary="A question"
)
def get_question(request: HttpRequest, pk: Id) -> Any:
    return actions.access_question(request.user, pk)


@router.put(
    "/questions/{int:pk}/answer",
    response={200: ReceptionQuestionOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Answer a question or edit the answer (the host, while open)",
)
def answer(request: HttpRequest, pk: Id, payload: ReceptionAnswerIn) -> Any:
    q = actions.access_question(request.user, pk)
    actions.do_answer(request.user, q, body=payload.body)
    return actions.access_question(request.user, pk)


@router.post(
    "/questions/{int:pk}/hide",
    response={200: ReceptionQuestionOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Hide a question (agency staff of the host's CPPCC)",
)
def hide(request: HttpRequest, pk: Id, payload: ReceptionHideIn) -> Any:
    q = actions.access_question(request.user, pk)
    actions.do_hide_question(request.user, q, reason=payload.reason)
    return actions.access_question(request.user, pk)


@router.post(
    "/questions/{int:pk}/adopt",
    response={200: ReceptionQuestionOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Adopt a question (the host)",
)
def adopt(request: HttpRequest, pk: Id) -> Any:
    q = actions.access_question(request.user, pk)
    actions.do_adopt(request.user, q)
    return actions.access_question(request.user, pk)


@router.post(
    "/questions/convert",
    response={201: ReceptionConvertOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Turn adopted questions into a proposal or opinion-report draft (the host)",
)
def convert(request: HttpRequest, payload: ReceptionConvertIn) -> Any:
    from huying.proposals.models import Session

    chosen = list(
        Question.objects.visible_to(request.user)
        .filter(pk__in=payload.question_ids)
        .select_related("session", "moderation", "answer")
    )
    if len(chosen) != len(set(payload.question_ids)):
        raise ValidationError({"question_ids": [_("No such question.")]})
    ids = [q.pk for q in chosen]
    if payload.target == "report":
        report = actions.do_convert_to_report(request.user, chosen, title=payload.title)
        return Status(201, {"proposal_id": None, "report_id": report.pk, "question_ids": ids})
    session = Session.objects.filter(pk=payload.session_id).first() if payload.session_id else None
    if session is None:
        raise ValidationError({"session_id": [_("No such session.")]})
    proposal = actions.do_convert_to_proposal(request.user, chosen, session=session, title=payload.title)
    return Status(201, {"proposal_id": proposal.pk, "report_id": None, "question_ids": ids})
