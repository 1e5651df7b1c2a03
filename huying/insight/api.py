"""Hot topics under /api/v1/insight.

``GET /topics``: the topics of the work orders the caller may see (``visible_to``) received
in the last ``days``, computed on request (nothing is stored yet). Open to the command
centre's dispatchers, leaders and administrators, like the command centre's dashboard;
others are refused (403)."""

from datetime import datetime, timedelta
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from huying.core.api_errors import ErrorOut
from huying.core.api_types import Limit
from huying.insight.platform_sources import work_orders
from huying.insight.topics import find_topics
from huying.workorders.models import WorkOrder
from huying.workorders.stats import DASHBOARD_ROLES

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


def check_may_view_topics(user: Any) -> None:
    if not (getattr(user, "is_authenticated", False) and (user.is_administrator or user.role_set & DASHBOARD_ROLES)):
        raise PermissionDenied(_("Hot topics are open only to dispatchers, leaders and administrators."))


@router.get(
    "/topics",
    response={200: TopicsOut, 403: ErrorOut, 422: ErrorOut},
    summary="Hot topics in the work orders the caller sees",
)
def list_topics(request: HttpRequest, days: Days = 90, top: Limit = 20) -> Any:
    """The ``top`` hot topics of the work orders visible to the caller and received in the
    last ``days`` days, best first, with the member orders' numbers."""
    user = request.user
    check_may_view_topics(user)
    since = timezone.now() - timedelta(days=days)
    orders = WorkOrder.objects.visible_to(user)
    messages = list(work_orders(since, orders))
    topics = find_topics(messages, now=timezone.localtime().replace(tzinfo=None))[:top]
    wanted = [int(member) for topic in topics for member in topic.member_ids]
    numbers = dict(orders.filter(pk__in=wanted).values_list("pk", "number"))
    zone = timezone.get_current_timezone()
    return Status(
        200,
        {
            "days": days,
            "texts": len(messages),
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
                    "members": [numbers.get(int(member), member) for member in topic.member_ids],
                }
                for topic in topics
            ],
        },
    )
