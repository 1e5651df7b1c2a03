"""Hot topics under /api/v1/insight.

``GET /topics``: the topics of the work orders the caller may see (``visible_to``) received
in the last ``days``, computed on request (nothing is stored yet). Open to the command
centre's dispatchers, leaders and administrators, like the command centre's dashboard;
others are refused (403)."""

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from huying.core.api_errors import ErrorOut
from huying.core.api_types import Limit
from huying.insight.platform import visible_topics

router = Router(tags=["insight"])

Days = Annotated[int, Field(ge=1, le=366)]


class TopicOut(Schema):
    rank: int
    heat: float = Field(description="People + damped support, times recency, growth and focus (docs/insight.md).")
    description: str = Field(description="A representative subject or sentence, then up to five keywords.")
    place_or_group: str = Field(description="The compound, road, school, company or group most members name.")
    first: datetime | None
    last: datetime | None
    trend: str = Field(description="new, rising, steady or falling: the last 30 days against the 90 before.")
    people: int = Field(description="Distinct callers (by phone), or distinct texts.")
    members: list[str] = Field(description="The work orders' numbers, oldest first.")


class TopicsOut(Schema):
    days: int
    texts: int = Field(description="How many texts were read.")
    topics: list[TopicOut]


@router.get(
    "/topics",
    response={200: TopicsOut, 403: ErrorOut, 422: ErrorOut},
    summary="Hot topics in the work orders the caller sees",
)
def list_topics(request: HttpRequest, days: Days = 90, top: Limit = 20) -> Any:
    """The ``top`` hot topics of the work orders visible to the caller and received in the
    last ``days`` days, best first, with the member orders' numbers."""
    found = visible_topics(request.user, days, top)
    zone = timezone.get_current_timezone()
    return Status(
        200,
        {
            "days": found.days,
            "texts": found.texts,
            "topics": [
                {
                    "rank": topic.rank,
                    "heat": topic.heat,
                    "description": topic.description,
                    "place_or_group": topic.place_or_group,
                    "first": topic.first.replace(tzinfo=zone) if topic.first else None,
                    "last": topic.last.replace(tzinfo=zone) if topic.last else None,
                    "trend": topic.trend,
                    "people": topic.people,
                    "members": [found.members[m].number for m in topic.member_ids if m in found.members],
                }
                for topic in found.topics
            ],
        },
    )
