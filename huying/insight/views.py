"""Hot-topic pages: the list and one topic, read from the stored topics (refresh.py);
starting a draft from a topic and moving its work orders to one lead unit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from huying.insight import actions, links
from huying.insight.access import access_topic, check_may_view, may_assign, may_draft
from huying.insight.choices import DraftKind, Side
from huying.insight.models import SourceMark, Topic, TopicAlert, TopicDraft, TopicSnapshot

PERIODS = (30, 90, 365)
SPARK_DAYS = 60


def _area(user: Any, side: str = Side.GOVERNMENT) -> str:
    if side == Side.PUBLIC:
        return "thinktank"
    return "dashboard" if user.has_role("leader") else "console"


@require_safe
@login_required
def topics_page(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    sides = check_may_view(user)
    side = request.GET.get("side", sides[0])
    if side not in sides:
        side = sides[0]
    try:
        days = int(request.GET.get("days", "90"))
    except ValueError:
        days = 90
    if days not in PERIODS:
        days = 90
    since = timezone.now() - timedelta(days=days)
    topics = list(Topic.objects.visible_to(user).filter(side=side, last_at__gte=since).ranked()[:20])
    emerging = set(
        TopicAlert.objects.filter(
            topic__in=[t.pk for t in topics], day__gte=timezone.localdate() - timedelta(days=1)
        ).values_list("topic_id", flat=True)
    )
    mark = SourceMark.objects.order_by("-refreshed_at").values_list("refreshed_at", flat=True).first()
    context = {
        "rows": [{"topic": t, "rank": n, "emerging": t.pk in emerging} for n, t in enumerate(topics, start=1)],
        "days": days,
        "periods": PERIODS,
        "side": side,
        "sides": [(s, Side(s).label) for s in sides] if len(sides) > 1 else [],
        "refreshed_at": mark,
        "active_area": _area(user, side),
    }
    return render(request, "insight/topics.html", context)


def spark(topic: Topic, days: int = SPARK_DAYS) -> dict[str, Any]:
    """Texts per day over the last ``days`` days of the topic, as an SVG polyline."""
    end = timezone.localdate(topic.last_at) if topic.last_at else timezone.localdate()
    start = end - timedelta(days=days - 1)
    counts = dict(TopicSnapshot.objects.filter(topic=topic, day__gte=start, day__lte=end).values_list("day", "count"))
    values = [counts.get(start + timedelta(days=n), 0) for n in range(days)]
    top = max(values) or 1
    width, height = 240, 48
    step = width / max(1, days - 1)
    points = " ".join(f"{n * step:.1f},{height - 2 - (v / top) * (height - 4):.1f}" for n, v in enumerate(values))
    return {
        "points": points,
        "width": width,
        "height": height,
        "max": top,
        "start": start,
        "end": end,
        "values": values,
    }


@require_safe
@login_required
def topic_page(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    topic = access_topic(user, pk)
    return _render_topic(request, topic)


def _render_topic(request: HttpRequest, topic: Topic, **extra: Any) -> HttpResponse:
    user: Any = request.user
    found = actions.evidence(topic)
    members = links.members(user, topic)
    units: list[str] = []
    for member in members:
        for unit in member.units:
            if unit not in units:
                units.append(unit)
    can_assign = topic.side == Side.GOVERNMENT and may_assign(user)
    context = {
        "topic": topic,
        "evidence": found,
        "members": members,
        "units": units,
        "spark": spark(topic),
        "alerts": list(topic.alerts.order_by("-day")[:5]),
        "can_draft": topic.side == Side.PUBLIC and may_draft(user),
        "drafts": [
            {"link": link, "url": actions.draft_url(link)}
            for link in TopicDraft.objects.filter(topic=topic, created_by=user).order_by("-created_at")
        ],
        "can_assign": can_assign,
        "unit_groups": _unit_groups(user) if can_assign else [],
        "draft_kinds": DraftKind.choices,
        "active_area": _area(user, topic.side),
        **extra,
    }
    return render(request, "insight/topic.html", context)


def _unit_groups(user: Any) -> list[tuple[str, list[Any]]]:
    """The handling units under the districts of the dispatcher's command centres."""
    from huying.accounts.choices import Role
    from huying.organisations.models import Organisation
    from huying.workorders.views.console import UNIT_KINDS, unit_groups

    districts = [a.organisation.parent_id for a in user.active_roles if a.role == Role.DISPATCHER and a.organisation]
    rows = Organisation.objects.filter(kind__in=UNIT_KINDS, is_active=True)
    if not user.is_administrator:
        paths = list(Organisation.objects.filter(pk__in=districts).values_list("path", flat=True))
        if not paths:
            return []
        from django.db.models import Q

        condition = Q()
        for path in paths:
            condition |= Q(path__startswith=path)
        rows = rows.filter(condition)
    return unit_groups(list(rows.order_by("kind", "name")[:500]))


@require_POST
@login_required
def start_draft(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    topic = access_topic(user, pk)
    try:
        link = actions.do_start_draft(user, topic, request.POST.get("kind", ""))
    except ValidationError as error:
        return _render_topic(request, topic, draft_errors=error.messages)
    messages.success(request, _("The draft is started with the topic's evidence; edit it and submit it when ready."))
    return redirect(actions.draft_url(link))


@require_POST
@login_required
def assign_lead(request: HttpRequest, pk: int) -> HttpResponse:
    from huying.organisations.models import Organisation

    user: Any = request.user
    topic = access_topic(user, pk)
    if not may_assign(user):
        raise PermissionDenied(_("Only dispatchers move a topic's work orders to a lead unit."))
    allowed = {u.pk for _label, units in _unit_groups(user) for u in units}
    try:
        unit_id = int(request.POST.get("unit", ""))
    except ValueError:
        unit_id = 0
    if unit_id not in allowed:
        return _render_topic(request, topic, assign_errors=[_("Choose the lead unit.")])
    unit = Organisation.objects.get(pk=unit_id)
    try:
        outcome = actions.do_assign_lead_unit(user, topic, unit, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        return _render_topic(request, topic, assign_errors=error.messages)
    return _render_topic(request, topic, outcome=outcome, chosen_unit=unit)
