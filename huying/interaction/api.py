"""互动 in the API (/api/v1/interaction): public suggestions and opinion debates. Reading
published content needs no login; writes follow the pages' rules
(:mod:`huying.interaction.actions`). A suggestion with photos is sent as a multipart form
(``POST /suggestions/with-photos``); each photo is read back from ``/suggestions/photos/{id}/file``."""

from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import field_validator

from huying.core.api_errors import ErrorOut
from huying.core.api_types import Id, PageNumberPagination
from huying.interaction import actions
from huying.interaction.choices import DebateStatus, Side, SuggestionCategory
from huying.interaction.models import Argument, Debate, Suggestion, SuggestionPhoto
from huying.moderation.choices import ItemStatus

router = Router(tags=["interaction"])


class PublicSuggestionOut(Schema):
    id: int
    title: str
    body: str
    category: SuggestionCategory
    place: str
    status: ItemStatus = Field(description="Moderation state; only the author and moderators see other than published.")
    follower_count: int
    created_at: datetime
    photo_ids: list[int]

    @staticmethod
    def resolve_status(obj: Suggestion) -> str:
        return obj.moderation.status

    @staticmethod
    def resolve_photo_ids(obj: Suggestion) -> list[int]:
        return [p.pk for p in obj.photos.all()]


class SuggestionOutcomeOut(Schema):
    proposal_id: int | None
    report_id: int | None
    number: str = Field(description="The filing number (第0123号) once filed, else empty.")
    status: str
    reply_class: str = Field(description="Class (A/B/C) of the latest accepted reply, else empty.")


class PublicSuggestionDetailOut(PublicSuggestionOut):
    outcomes: list[SuggestionOutcomeOut]

    @staticmethod
    def resolve_outcomes(obj: Suggestion) -> list[dict[str, Any]]:
        return [
            {
                "proposal_id": o["proposal"].pk if o["proposal"] else None,
                "report_id": o["report"].pk if o["report"] else None,
                "number": o["number"],
                "status": o["status"],
                "reply_class": o["reply_class"],
            }
            for o in actions.outcomes(obj)
        ]


class PublicSuggestionIn(Schema):
    title: str = Field(max_length=60)
    body: str = Field(max_length=2000)
    category: SuggestionCategory
    place: str = Field("", max_length=100)


class SuggestionFilters(Schema):
    category: SuggestionCategory | None = None


class SuggestionFollowIn(Schema):
    follow: bool = True


class SuggestionFollowOut(Schema):
    following: bool


class SuggestionAdoptIn(Schema):
    suggestion_ids: list[Id] = Field(min_length=1, max_length=50)
    target: Literal["proposal", "report"] = Field(
        "proposal", description="A proposal draft or an opinion-report draft."
    )
    session_id: Id | None = Field(None, description="The proposal's session (proposals only).")
    title: str = Field(max_length=100)


class SuggestionAdoptOut(Schema):
    proposal_id: int | None
    report_id: int | None
    suggestion_ids: list[int]


class SuggestionStatsOut(Schema):
    received: int
    published: int
    adopted: int = Field(description="Suggestions taken into at least one proposal or opinion report.")
    proposals: int
    reports: int


class DebateArgumentOut(Schema):
    id: int
    side: Side
    body: str
    like_count: int
    created_at: datetime


class DebateOut(Schema):
    id: int
    question: str
    description: str
    side_a: str
    side_b: str
    opens_at: datetime
    closes_at: datetime
    status: DebateStatus
    votes_a: int
    votes_b: int
    share_a: float | None
    share_b: float | None


class DebateDetailOut(DebateOut):
    my_vote: str = Field(description="a, b or empty.")
    strongest_a: list[DebateArgumentOut]
    strongest_b: list[DebateArgumentOut]

    @staticmethod
    def resolve_my_vote(obj: Debate, context: dict[str, Any]) -> str:
        return actions.user_vote(context["request"].user, obj)

    @staticmethod
    def resolve_strongest_a(obj: Debate) -> list[Argument]:
        return actions.strongest(obj, Side.A)

    @staticmethod
    def resolve_strongest_b(obj: Debate) -> list[Argument]:
        return actions.strongest(obj, Side.B)


class DebateIn(Schema):
    question: str = Field(max_length=100)
    side_a: str = Field(max_length=40)
    side_b: str = Field(max_length=40)
    description: str = Field("", max_length=2000)
    opens_at: datetime = Field(description="Between the years 2000 and 2100; with an offset (+08:00).")
    closes_at: datetime = Field(description="After opens_at, before the year 2100.")

    @field_validator("opens_at", "closes_at")
    @classmethod
    def _plausible(cls, value: datetime) -> datetime:
        # Times outside this range are typing mistakes, and far ones overflow time zones.
        if not 2000 <= value.year <= 2100:
            raise ValueError(_("Choose a time between the years 2000 and 2100."))
        if value.tzinfo is None:
            value = timezone.make_aware(value)
        return value


class DebateVoteIn(Schema):
    side: Side


class DebateVoteOut(Schema):
    side: Side
    votes_a: int
    votes_b: int


class DebateArgumentIn(Schema):
    side: Side
    body: str = Field(max_length=500)


class DebateArgumentCreatedOut(DebateArgumentOut):
    status: ItemStatus

    @staticmethod
    def resolve_status(obj: Argument) -> str:
        return obj.moderation.status


class ArgumentLikeOut(Schema):
    liked: bool
    like_count: int


def _suggestions(request: HttpRequest) -> Any:
    return Suggestion.objects.visible_to(request.user).select_related("moderation").prefetch_related("photos")


@router.get("/suggestions", response=list[PublicSuggestionOut], auth=None, summary="Published suggestions (everyone)")
@paginate(PageNumberPagination, page_size=25)
def list_suggestions(request: HttpRequest, filters: Query[SuggestionFilters]) -> Any:
    qs = _suggestions(request).filter(moderation__status=ItemStatus.PUBLISHED)
    if filters.category:
        qs = qs.filter(category=filters.category)
    return qs


@router.get("/suggestions/mine", response=list[PublicSuggestionOut], summary="My suggestions, in any state")
@paginate(PageNumberPagination, page_size=25)
def my_suggestions(request: HttpRequest) -> Any:
    return _suggestions(request).filter(author=request.user)


@router.get("/suggestions/stats", response=SuggestionStatsOut, auth=None, summary="Suggestion figures (everyone)")
def suggestion_stats(request: HttpRequest) -> Any:
    return actions.statistics()


@router.get(
    "/suggestions/{int:pk}", response={200: PublicSuggestionDetailOut, 404: ErrorOut}, auth=None, summary="A suggestion"
)
def get_suggestion(request: HttpRequest, pk: Id) -> Any:
    return actions.access_suggestion(request.user, pk)


@router.post(
    "/suggestions",
    response={201: PublicSuggestionDetailOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Send a suggestion (real-name verified)",
)
def submit_suggestion(request: HttpRequest, payload: PublicSuggestionIn) -> Any:
    s = actions.do_submit_suggestion(request.user, **payload.dict())
    return Status(201, actions.access_suggestion(request.user, s.pk))


@router.post(
    "/suggestions/with-photos",
    response={201: PublicSuggestionDetailOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Send a suggestion with up to 4 photos (multipart form, field photos; real-name verified)",
)
def submit_suggestion_with_photos(
    request: HttpRequest,
    payload: Form[PublicSuggestionIn],
    photos: list[UploadedFile] = File(default_factory=list),  # noqa: B008
) -> Any:
    """The same rules as the JSON form; photos are JPEG, PNG or WebP (read from their
    bytes), 8 MB each, at most 4; a bad photo refuses the whole suggestion."""
    s = actions.do_submit_suggestion(request.user, photos=photos, **payload.dict())
    return Status(201, actions.access_suggestion(request.user, s.pk))


@router.get("/suggestions/photos/{int:pk}/file", response={404: ErrorOut}, auth=None, summary="A suggestion's photo")
def suggestion_photo(request: HttpRequest, pk: Id) -> Any:
    """Only while the reader may see the suggestion (published, or their own, or a moderator)."""
    photo = SuggestionPhoto.objects.filter(
        pk=pk, suggestion__in=Suggestion.objects.visible_to(request.user).values("pk")
    ).first()
    if photo is None:
        raise Http404(_("No such photo."))
    return photo.download(inline=True)


@router.post(
    "/suggestions/{int:pk}/follow",
    response={200: SuggestionFollowOut, 404: ErrorOut, 422: ErrorOut},
    summary="Follow or stop following a suggestion",
)
def follow(request: HttpRequest, pk: Id, payload: SuggestionFollowIn) -> Any:
    s = actions.access_suggestion(request.user, pk)
    return {"following": actions.do_follow(request.user, s, follow=payload.follow)}


@router.post(
    "/suggestions/adopt",
    response={201: SuggestionAdoptOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Adopt suggestions into a new proposal draft (members)",
)
def adopt(request: HttpRequest, payload: SuggestionAdoptIn) -> Any:
    from huying.proposals.models import Session

    chosen = list(_suggestions(request).filter(pk__in=payload.suggestion_ids))
    if len(chosen) != len(set(payload.suggestion_ids)):
        raise ValidationError({"suggestion_ids": [_("No such suggestion.")]})
    ids = [s.pk for s in chosen]
    if payload.target == "report":
        report = actions.do_adopt_into_report(request.user, chosen, title=payload.title)
        return Status(201, {"proposal_id": None, "report_id": report.pk, "suggestion_ids": ids})
    session = Session.objects.filter(pk=payload.session_id).first() if payload.session_id else None
    if session is None:
        raise ValidationError({"session_id": [_("No such session.")]})
    proposal = actions.do_adopt_into_proposal(request.user, chosen, session=session, title=payload.title)
    return Status(201, {"proposal_id": proposal.pk, "report_id": None, "suggestion_ids": ids})


@router.get("/debates", response=list[DebateOut], auth=None, summary="Opinion debates (everyone)")
@paginate(PageNumberPagination, page_size=25)
def list_debates(request: HttpRequest) -> Any:
    return Debate.objects.visible_to(request.user)


@router.get("/debates/{int:pk}", response={200: DebateDetailOut, 404: ErrorOut}, auth=None, summary="A debate's tally")
def get_debate(request: HttpRequest, pk: Id) -> Any:
    return actions.access_debate(request.user, pk)


@router.post("/debates", response={201: DebateOut, 403: ErrorOut, 422: ErrorOut}, summary="Draft a debate (staff)")
def create_debate(request: HttpRequest, payload: DebateIn) -> Any:
    return Status(201, actions.do_create_debate(request.user, **payload.dict()))


@router.post(
    "/debates/{int:pk}/open", response={200: DebateOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}, summary="Open"
)
def open_debate(request: HttpRequest, pk: Id) -> Any:
    return actions.do_open_debate(request.user, actions.access_debate(request.user, pk))


@router.post(
    "/debates/{int:pk}/close", response={200: DebateOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}, summary="Close"
)
def close_debate(request: HttpRequest, pk: Id) -> Any:
    return actions.do_close_debate(request.user, actions.access_debate(request.user, pk))


@router.post(
    "/debates/{int:pk}/vote",
    response={200: DebateVoteOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Vote or change the vote (real-name verified)",
)
def vote(request: HttpRequest, pk: Id, payload: DebateVoteIn) -> Any:
    d = actions.access_debate(request.user, pk)
    v = actions.do_vote(request.user, d, payload.side)
    d.refresh_from_db(fields=["votes_a", "votes_b"])
    return {"side": v.side, "votes_a": d.votes_a, "votes_b": d.votes_b}


@router.post(
    "/debates/{int:pk}/arguments",
    response={201: DebateArgumentCreatedOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Post an argument for a side (real-name verified; moderated)",
)
def argue(request: HttpRequest, pk: Id, payload: DebateArgumentIn) -> Any:
    d = actions.access_debate(request.user, pk)
    return Status(201, actions.do_argue(request.user, d, side=payload.side, body=payload.body))


@router.post(
    "/arguments/{int:pk}/like",
    response={200: ArgumentLikeOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Like an argument (once per person)",
)
def like(request: HttpRequest, pk: Id) -> Any:
    a = Argument.objects.visible_to(request.user).select_related("moderation").filter(pk=pk).first()
    if a is None:
        from django.http import Http404

        raise Http404(_("No such argument."))
    liked = actions.do_like(request.user, a)
    a.refresh_from_db(fields=["like_count"])
    return {"liked": liked, "like_count": a.like_count}
