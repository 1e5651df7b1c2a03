"""Where the report's hot topics come from: ONE function, so the source can be swapped
(today the topics are computed on the fly by :mod:`huying.insight`'s engine over the
scope's work orders of the period; stored topics may replace it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

EXAMPLES = 2


def hot_topics(scope: Any, start: datetime, end: datetime, *, top: int = 5) -> list[dict[str, Any]]:
    """The ``top`` topics of the work orders of ``scope`` (a ``workorders.stats.Scope``)
    created in ``[start, end)``: title, keywords, place, people, trend and up to two example
    texts (the callers' words, shortened). Plain data, stored with the report."""
    from huying.insight.platform_sources import work_orders
    from huying.insight.topics import Parameters, find_topics
    from huying.workorders.models import WorkOrder

    if scope.is_empty:
        return []
    orders = scope.orders(since=start).filter(created_at__gte=start, created_at__lt=end)
    messages = list(work_orders(None, orders))
    parameters = Parameters()
    moment = timezone.localtime(end).replace(tzinfo=None)
    topics = [
        t
        for t in find_topics(messages, parameters, now=moment)
        if t.people >= parameters.min_people or t.support >= parameters.min_support
    ][:top]
    wanted = [int(m) for t in topics for m in t.member_ids[:EXAMPLES]]
    texts = dict(WorkOrder.objects.filter(pk__in=wanted).values_list("pk", "content"))
    return [
        {
            "rank": i,
            "title": t.title,
            "keywords": list(t.keywords[:5]),
            "place": t.place_or_group,
            "people": t.people,
            "cases": len(t.member_ids),
            "trend": t.trend,
            "examples": [texts[int(m)][:80] for m in t.member_ids[:EXAMPLES] if int(m) in texts],
        }
        for i, t in enumerate(topics, start=1)
    ]
