"""Reading the stored hot topics: the small surface other apps use (the leaders' cockpit).

Both functions apply the same permission rules as the pages (``Topic.objects.visible_to``)
and return plain data, no model instances, so a caller never needs to know the models.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.urls import reverse

from huying.insight.models import Topic, TopicAlert


@dataclass(frozen=True)
class TopicSummary:
    pk: int
    side: str  # "government" (work orders) or "public" (public texts)
    title: str
    place_or_group: str
    heat: float
    trend: str  # new, rising, steady, falling
    texts: int
    people: int
    first_at: datetime | None
    last_at: datetime | None
    url: str


@dataclass(frozen=True)
class EmergingAlert:
    topic: TopicSummary
    day: date
    count: int  # texts of that day
    baseline_mean: float  # texts a day over the 14 days before
    raised_at: datetime


def _summary(topic: Topic) -> TopicSummary:
    return TopicSummary(
        pk=topic.pk,
        side=topic.side,
        title=topic.title,
        place_or_group=topic.place_or_group,
        heat=topic.heat,
        trend=topic.trend,
        texts=topic.texts,
        people=topic.people,
        first_at=topic.first_at,
        last_at=topic.last_at,
        url=reverse("insight:topic", args=[topic.pk]),
    )


FIELDS = ("pk", "side", "title", "place_or_group", "heat", "trend", "texts", "people", "first_at", "last_at")


def top_topics(user: Any, limit: int = 10, side: str | None = None) -> list[TopicSummary]:
    """The ``limit`` hottest stored topics ``user`` may read (an empty list for anyone
    without the right), optionally of one side. Two queries at most."""
    rows = Topic.objects.visible_to(user).ranked()
    if side is not None:
        rows = rows.filter(side=side)
    return [_summary(topic) for topic in rows.only(*FIELDS)[: max(0, limit)]]


def emerging(user: Any, since: date | datetime) -> list[EmergingAlert]:
    """Emerging-topic alerts raised on or after ``since`` (a day or a moment) for topics
    ``user`` may read, newest first."""
    day = since.date() if isinstance(since, datetime) else since
    alerts = (
        TopicAlert.objects.filter(day__gte=day, topic__in=Topic.objects.visible_to(user))
        .select_related("topic")
        .order_by("-day", "-count", "pk")
    )
    return [
        EmergingAlert(
            topic=_summary(alert.topic),
            day=alert.day,
            count=alert.count,
            baseline_mean=alert.baseline_mean,
            raised_at=alert.created_at,
        )
        for alert in alerts[:100]
    ]
