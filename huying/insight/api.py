"""Hot topics under /api/v1/insight, read from the stored topics (refresh.py).

``GET /topics`` and ``GET /topics/{id}``: the topics the caller may read (work-order
topics: the command centre's dispatchers, leaders of the handling side, administrators;
public-text topics: CPPCC members, agency staff and leaders). ``POST /topics/{id}/drafts``
starts a proposal or opinion-report draft from a public-text topic (members);
``POST /topics/{id}/lead-unit`` merges the topic's open work orders and dispatches them
to one lead unit (dispatchers). Others are refused (403); a topic one may not read is 404.
"""

from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from huying.core.api_errors import ErrorOut
from huying.core.api_types import BIGINT_MAX, Id, Limit
from huying.insight import actions, links
from huying.insight.access import access_topic, check_may_view
from huying.insight.models import Topic, TopicSnapshot

router = Router(tags=["insight"])

Days = Annotated[int, Field(ge=1, le=366)]


class TopicOut(Schema):
    id: int
    rank: int
    side: str = Field(description="government (work orders) or public (suggestions, proposals, reports).")
    heat: float = Field(description="People + damped support, times recency and growth (docs/insight.md).")
    description: str = Field(description="A representative subject or sentence of the topic.")
    keywords: list[str]
    place_or_group: str = Field(description="The compound, road, school, company or group most members name.")
    first: datetime | None
    last: datetime | None
    trend: str = Field(description="new, rising, steady or falling: the last 30 days against the 90 before.")
    texts: int
    people: int = Field(description="Distinct people (callers by phone, signed-in authors), or distinct texts.")


class TopicsOut(Schema):
    days: int
    side: str
    topics: list[TopicOut]


class TopicDayOut(Schema):
    day: date
    count: int


class TopicMemberOut(Schema):
    source: str = Field(description="workorder, suggestion, proposal or report.")
    id: int
    at: datetime
    label: str = Field(description="The work order's number (other sources: empty).")
    excerpt: str
    url: str | None = Field(description="The record's page when the caller may open it.")
    units: list[str] = Field(description="Work orders: the units the handling engine assigned.")


class TopicDetailOut(TopicOut):
    trend_days: list[TopicDayOut] = Field(description="Texts per day over the last 60 days of the topic.")
    members: list[TopicMemberOut] = Field(description="The newest 200 member texts.")
    units: list[str]


def _topic(topic: Topic, rank: int = 0) -> dict[str, Any]:
    return {
        "id": topic.pk,
        "rank": rank,
        "side": topic.side,
        "heat": topic.heat,
        "description": topic.title,
        "keywords": list(topic.keywords),
        "place_or_group": topic.place_or_group,
        "first": topic.first_at,
        "last": topic.last_at,
        "trend": topic.trend,
        "texts": topic.texts,
        "people": topic.people,
    }


@router.get(
    "/topics",
    response={200: TopicsOut, 403: ErrorOut, 422: ErrorOut},
    summary="Hot topics the caller may read",
)
def list_topics(
    request: HttpRequest,
    days: Days = 90,
    top: Limit = 20,
    side: Literal["government", "public"] | None = None,
) -> Any:
    """The ``top`` hottest stored topics of ``side`` (default: the caller's first side)
    with texts in the last ``days`` days."""
    sides = check_may_view(request.user, side)
    chosen = side or sides[0]
    since = timezone.now() - timedelta(days=days)
    rows = Topic.objects.visible_to(request.user).filter(side=chosen, last_at__gte=since).ranked()[:top]
    return Status(
        200,
        {"days": days, "side": chosen, "topics": [_topic(t, n) for n, t in enumerate(rows, start=1)]},
    )


@router.get(
    "/topics/{topic_id}",
    response={200: TopicDetailOut, 403: ErrorOut, 404: ErrorOut},
    summary="One hot topic with its trend, texts and handling units",
)
def get_topic(request: HttpRequest, topic_id: Id) -> Any:
    topic = access_topic(request.user, topic_id)
    start = (timezone.localdate(topic.last_at) if topic.last_at else timezone.localdate()) - timedelta(days=59)
    days = TopicSnapshot.objects.filter(topic=topic, day__gte=start).order_by("day").values("day", "count")
    members = links.members(request.user, topic)
    units: list[str] = []
    for member in members:
        units.extend(u for u in member.units if u not in units)
    return Status(
        200,
        {
            **_topic(topic),
            "trend_days": list(days),
            "members": [
                {
                    "source": m.source,
                    "id": m.object_id,
                    "at": m.at,
                    "label": m.label,
                    "excerpt": m.excerpt,
                    "url": m.url,
                    "units": m.units,
                }
                for m in members
            ],
            "units": units,
        },
    )


class TopicDraftIn(Schema):
    kind: Literal["proposal", "report"]


class TopicDraftOut(Schema):
    kind: str
    id: int = Field(description="The new proposal's or report's id.")
    url: str = Field(description="Where to edit the draft.")


@router.post(
    "/topics/{topic_id}/drafts",
    response={201: TopicDraftOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Start a proposal or opinion-report draft from a topic",
)
def start_draft(request: HttpRequest, topic_id: Id, payload: TopicDraftIn) -> Any:
    topic = access_topic(request.user, topic_id)
    link = actions.do_start_draft(request.user, topic, payload.kind)
    return Status(201, {"kind": link.kind, "id": link.object_id, "url": actions.draft_url(link)})


class TopicLeadIn(Schema):
    unit: int = Field(ge=1, le=BIGINT_MAX, description="The lead unit's organisation id.")
    reason: str = Field("", max_length=200)


class TopicLeadOut(Schema):
    parent: str = Field(description="The number of the order the others were merged into.")
    merged: list[str]
    dispatched: bool
    refused: dict[str, str] = Field(description="Order number → why it was not moved.")


@router.post(
    "/topics/{topic_id}/lead-unit",
    response={200: TopicLeadOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Merge a topic's open work orders and dispatch them to one lead unit",
)
def assign_lead(request: HttpRequest, topic_id: Id, payload: TopicLeadIn) -> Any:
    from huying.organisations.models import Organisation

    topic = access_topic(request.user, topic_id)
    if topic.side != "government":
        raise PermissionDenied(_("This is not a hot topic over work orders you may handle."))
    unit = get_object_or_404(Organisation, pk=payload.unit, is_active=True)
    outcome = actions.do_assign_lead_unit(request.user, topic, unit, reason=payload.reason)
    return Status(
        200,
        {
            "parent": outcome.parent.number,
            "merged": outcome.merged,
            "dispatched": outcome.dispatched,
            "refused": outcome.refused,
        },
    )
