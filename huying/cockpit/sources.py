"""Hot topics and emerging alerts for the cockpit: the one place it reads the insight engine.

Today the topics are computed on request by :func:`huying.insight.platform.visible_topics`
(the work orders the person sees, the last ``TOPIC_DAYS`` days), which costs seconds at
scale; they are therefore cached here for ``TOPIC_CACHE_SECONDS`` per person's scope key,
longer than the rest of the cockpit. When stored topics land (a colleague's work in
progress), rewire these two functions to read them; nothing else in the cockpit changes.
An emerging alert is a topic whose trend is ``new`` or ``rising``.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from huying.insight.platform import visible_topics

TOPIC_DAYS = 30
TOPIC_LIMIT = 6
ALERT_LIMIT = 4
TOPIC_CACHE_SECONDS = 600
EMERGING = ("new", "rising")


def _topics(user: Any, key: str) -> list[dict[str, Any]]:
    cache_key = f"cockpit:topics:{key}"
    found = cache.get(cache_key)
    if found is not None:
        return list(found)
    try:
        result = visible_topics(user, TOPIC_DAYS, TOPIC_LIMIT + ALERT_LIMIT)
    except PermissionDenied:
        return []
    page = reverse("insight:topics")
    found = [
        {
            "rank": t.rank,
            "title": t.title or t.description,
            "place": t.place_or_group,
            "people": t.people,
            "trend": t.trend,
            "heat": round(t.heat, 1),
            "url": page,
        }
        for t in result.topics
    ]
    cache.set(cache_key, found, TOPIC_CACHE_SECONDS)
    return found


def hot_topics(user: Any, limit: int = TOPIC_LIMIT, key: str = "") -> list[dict[str, Any]]:
    """The ``limit`` hottest topics of the work orders ``user`` sees, hottest first."""
    return _topics(user, key or f"u{user.pk}")[:limit]


def emerging_alerts(user: Any, limit: int = ALERT_LIMIT, key: str = "") -> list[dict[str, Any]]:
    """Topics that are new or rising: the ones a leader should hear about early."""
    return [t for t in _topics(user, key or f"u{user.pk}") if t["trend"] in EMERGING][:limit]
