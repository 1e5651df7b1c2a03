"""The hot-topics page for the command centre's dispatchers and leaders."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from huying.insight.platform import visible_topics

PERIODS = (30, 90, 365)


@require_safe
@login_required
def topics_page(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    try:
        days = int(request.GET.get("days", "90"))
    except ValueError:
        days = 90
    if days not in PERIODS:
        days = 90
    found = visible_topics(user, days, 20)
    rows = [
        {"topic": topic, "members": [found.members[m] for m in topic.member_ids if m in found.members]}
        for topic in found.topics
    ]
    context = {
        "found": found,
        "rows": rows,
        "days": days,
        "periods": PERIODS,
        "active_area": "dashboard" if user.has_role("leader") else "console",
    }
    return render(request, "insight/topics.html", context)
