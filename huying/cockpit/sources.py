"""Hot topics and emerging alerts for the cockpit: the one place it reads the insight app.

Both read the stored topics (:mod:`huying.insight.queries`, refreshed incrementally by
``refresh_topics``), so they cost two small indexed queries whatever the number of texts;
the work-order half shows the government side (topics over work orders) under the
insight app's own permission rules. An emerging alert is a topic whose refresh raised an
alert in the last ``ALERT_DAYS`` days (sudden growth against its 14-day baseline,
docs/insight.md); the tag says *new* for a topic first seen in those days, else *rising*.
The dicts are cached for ``TOPIC_CACHE_SECONDS`` per scope key, like the rest of the half.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from huying.insight.queries import emerging, top_topics

TOPIC_LIMIT = 6
ALERT_LIMIT = 4
ALERT_DAYS = 3
TOPIC_CACHE_SECONDS = 60
SIDE = "government"


def _cached(key: str, build: Any) -> list[dict[str, Any]]:
    found = cache.get(key)
    if found is None:
        found = build()
        cache.set(key, found, TOPIC_CACHE_SECONDS)
    return list(found)


def hot_topics(user: Any, limit: int = TOPIC_LIMIT, key: str = "") -> list[dict[str, Any]]:
    """The ``limit`` hottest topics of the work orders ``user`` sees, hottest first."""

    def build() -> list[dict[str, Any]]:
        return [
            {
                "rank": rank,
                "title": t.title,
                "place": t.place_or_group,
                "people": t.people,
                "trend": t.trend,
                "heat": round(t.heat, 1),
                "url": t.url,
            }
            for rank, t in enumerate(top_topics(user, limit, side=SIDE), start=1)
        ]

    return _cached(f"cockpit:topics:{key or f'u{user.pk}'}:{limit}", build)


def emerging_alerts(user: Any, limit: int = ALERT_LIMIT, key: str = "") -> list[dict[str, Any]]:
    """Topics whose sudden growth raised an alert lately: the ones a leader should hear about early."""

    def build() -> list[dict[str, Any]]:
        since = timezone.localdate() - timedelta(days=ALERT_DAYS - 1)
        seen: set[int] = set()
        rows = []
        for alert in emerging(user, since):
            t = alert.topic
            if t.side != SIDE or t.pk in seen:
                continue
            seen.add(t.pk)
            first = timezone.localtime(t.first_at).date() if t.first_at else alert.day
            rows.append(
                {
                    "title": t.title,
                    "place": t.place_or_group,
                    "count": alert.count,
                    "trend": "new" if first >= since else "rising",
                    "url": t.url,
                }
            )
        return rows[:limit]

    return _cached(f"cockpit:alerts:{key or f'u{user.pk}'}:{limit}", build)
