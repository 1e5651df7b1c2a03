"""The cockpit's figures as plain JSON: what ``/cockpit/data.json``, ``/api/v1/cockpit`` and
the two pages read (the pages render the same dictionary, the script refreshes it).

Two halves (docs/cockpit.md; who reads which: :mod:`huying.cockpit.access`):

- work orders: received today and this month, overdue now, the 三率 of this month's
  assignments, the received orders of the last 14 days, the month's red and black list,
  the month's orders by street (with the mean coordinates of each street's orders, for the
  map), hot topics and emerging alerts (:mod:`huying.cockpit.sources`);
- proposals: the key proposals and their progress (the leaders' dashboard's figures,
  :func:`huying.proposals.overview.leader_overview`), and for those who may read the
  CPPCC's session statistics the current sessions' proposals by state, the reply
  satisfaction, the opinion reports adopted this year and the members' duty activity.

Every figure carries the address of the detailed page the person may open (or none).
A fixed number of aggregate queries whatever the number of orders (pinned by the tests),
and the result is cached for ``CACHE_SECONDS``: the work-order half per scope (everyone
with the same scope shares it), the proposal half per person (key proposals supervised by
name are his own).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.db.models.functions import Trunc
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from huying.accounts.choices import Role
from huying.cockpit import access, sources
from huying.duty import access as duty_access
from huying.duty.models import DutySummary
from huying.handling.choices import Rating
from huying.handling.models import Feedback
from huying.opinions.choices import AdoptionLevel
from huying.opinions.models import Adoption
from huying.organisations.models import Organisation
from huying.proposals import overview as proposal_overview
from huying.proposals.choices import HandlingStatus, ProposalStatus
from huying.proposals.models import Proposal
from huying.proposals.stats import sessions_for, stats_paths
from huying.workorders import stats, summary
from huying.workorders.choices import OrderStatus
from huying.workorders.stats import Scope

CACHE_SECONDS = 30
REFRESH_SECONDS = 30
TREND_DAYS = 14
LIST_SIZE = 5
STREET_LIMIT = 30
SATISFIED = (Rating.SATISFIED, Rating.BASICALLY_SATISFIED)


def refresh_seconds() -> int:
    return int(getattr(settings, "COCKPIT_REFRESH_SECONDS", REFRESH_SECONDS))


def cache_seconds() -> int:
    return int(getattr(settings, "COCKPIT_CACHE_SECONDS", CACHE_SECONDS))


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def scope_key(scope: Scope) -> str:
    """A short, stable key of a work-order scope (the cache key of the work-order half)."""
    if scope.everything:
        return "all"
    raw = f"{scope.unit_ids}|{scope.district_ids}|{scope.order_unit_ids}"
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


# --- work orders -----------------------------------------------------------------------------
def _order_groups_live(scope: Scope, since: datetime, until: datetime) -> list[tuple[Any, Any, int, int, Any, Any]]:
    """(day, street id, orders, located, latitude sum, longitude sum) computed from the
    orders: one grouped pass (the covering index of migration 0001 answers it alone). For
    the scopes the summary does not cover (orders assigned to a department's units)."""
    received = (
        scope.orders(since=since).filter(created_at__gte=since, created_at__lt=until).exclude(status=OrderStatus.MERGED)
    )
    rows = (
        received.annotate(day=Trunc("created_at", "day", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values("day", "street_id")
        .annotate(n=Count("*"), located=Count("latitude"), lat=Sum("latitude"), lng=Sum("longitude"))
    )
    return [
        (
            g["day"].date() if isinstance(g["day"], datetime) else g["day"],
            g["street_id"],
            g["n"],
            g["located"],
            g["lat"],
            g["lng"],
        )
        for g in rows
    ]


def _order_groups_stored(
    scope: Scope, first: date, last: date, month: date
) -> tuple[list[tuple[Any, Any, int, int, Any, Any]], set[int]]:
    """The same groups read from the stored daily summary (one query over the summary's
    covering index: a few hundred rows a day), and the districts of the month's orders."""
    found = summary.order_counts(scope, first, last, by=("day", "street_id", "district_id"))
    groups = [
        (day, street or None, c.received, c.located, c.lat_sum, c.lng_sum)
        for (day, street, _district), c in found.items()
        if c.received
    ]
    return groups, {district for (day, _street, district) in found if day >= month}


def workorder_half(
    user: Any, scope: Scope, now: datetime | None = None, *, stored: bool | None = None
) -> dict[str, Any]:
    """The work-order figures of ``scope``: from the stored daily summary when it covers the
    scope (seven queries, docs/cockpit.md), else computed from the orders (``stored=False``
    forces that; the tests compare both)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    month = today.replace(day=1)
    month_start = stats.day_start(month)
    tomorrow = stats.day_start(today + timedelta(days=1))
    first = min(month, today - timedelta(days=TREND_DAYS - 1))
    use_summary = summary.covers(scope) if stored is None else stored

    # Orders by day and street since the earlier of the month's and the trend's first day
    # (a few hundred groups): today, the month, the trend and the streets all come from it.
    groups: list[tuple[Any, Any, int, int, Any, Any]] = []
    month_districts: set[int] = set()
    if scope.is_empty:
        pass
    elif use_summary:
        groups, month_districts = _order_groups_stored(scope, first, today, month)
    else:
        groups = _order_groups_live(scope, stats.day_start(first), tomorrow)
    per_day: dict[Any, int] = defaultdict(int)
    streets: dict[Any, dict[str, Any]] = {}
    for day, street_id, n, located, lat, lng in groups:
        per_day[day] += n
        if day < month:
            continue
        street = streets.setdefault(
            street_id, {"name": "", "count": 0, "located": 0, "lat": Decimal(0), "lng": Decimal(0)}
        )
        street["count"] += n
        if located:
            street["located"] += located
            # Decimal sums, as stored: the mean is the same whichever way they were added.
            street["lat"] += Decimal(lat)
            street["lng"] += Decimal(lng)
    days = [today - timedelta(days=i) for i in range(TREND_DAYS - 1, -1, -1)]
    month_count = sum(n for d, n in per_day.items() if d >= month)
    names = dict(Organisation.objects.filter(pk__in=[k for k in streets if k]).values_list("pk", "name"))
    for pk, street in streets.items():
        street["name"] = names.get(pk, "")
    street_rows = sorted(streets.values(), key=lambda s: (-s["count"], s["name"]))[:STREET_LIMIT]

    # Overdue depends on the clock: counted live (the partial index of migration 0002).
    overdue = scope.assignments().overdue(now).aggregate(n=Count("case_id", distinct=True))["n"]
    # The month's red and black list; the 三率 of the whole scope are the sums of its rows
    # (each assignment and each rating is in one unit's row: stats.sum_metrics).
    unit_rows = summary.unit_stats(*stats.month_bounds(month), scope=scope) if use_summary else None
    ranked = stats.red_black(month, scope=scope, size=LIST_SIZE, now=now, rows=unit_rows)
    metrics = stats.sum_metrics([r.row.metrics for r in ranked.ranking] + [row.metrics for row in ranked.below_volume])

    if use_summary:
        districts = _district_codes_stored(scope, month_districts)
    else:
        districts = stats.district_codes(scope, start=month_start, end=tomorrow)

    key = scope_key(scope)
    red_black_url = reverse("workorders:red_black")
    stats_url = reverse("workorders:stats")
    dashboard_url = reverse("workorders:dashboard")

    def ranked_rows(items: list[stats.Ranked]) -> list[dict[str, Any]]:
        return [
            {"rank": r.rank, "name": r.row.label, "score": round(r.score * 100, 1), "assigned": r.row.metrics.assigned}
            for r in items
        ]

    return {
        "today": per_day.get(today, 0),
        "month": month_count,
        "overdue": overdue,
        "rates": {
            "response": _pct(metrics.response_rate),
            "resolution": _pct(metrics.resolution_rate),
            "satisfaction": _pct(metrics.satisfaction_rate),
        },
        "assigned": metrics.assigned,
        "month_label": month.strftime("%Y-%m"),
        "trend": [{"day": d.isoformat(), "count": per_day.get(d, 0)} for d in days],
        "red": ranked_rows(ranked.red),
        "black": ranked_rows(ranked.black),
        "streets": [
            {
                "name": row["name"] or _("No street given"),
                "count": row["count"],
                "lat": round(float(row["lat"] / row["located"]), 6) if row["located"] else None,
                "lng": round(float(row["lng"] / row["located"]), 6) if row["located"] else None,
            }
            for row in street_rows
        ],
        "geo": {"url": static("geo/guangzhou_districts.geojson"), "districts": districts},
        "topics": sources.hot_topics(user, key=key),
        "alerts": sources.emerging_alerts(user, key=key),
        "links": {
            "today": dashboard_url,
            "month": f"{stats_url}?group_by=period",
            "overdue": dashboard_url,
            "rates": stats_url,
            "red_black": red_black_url,
            "streets": f"{stats_url}?group_by=street",
            "topics": reverse("insight:topics"),
        },
    }


def _district_codes_stored(scope: Scope, in_period: set[int]) -> list[str]:
    """:func:`huying.workorders.stats.district_codes` with the districts of the period's
    orders already read from the summary (one query over the organisations)."""
    if scope.is_empty:
        return []
    codes = (
        Organisation.objects.filter(pk__in={*scope.district_ids, *in_period})
        .exclude(division_code="")
        .values_list("division_code", flat=True)
        .distinct()
    )
    return sorted(codes)


# --- proposals -----------------------------------------------------------------------------------
STEPS = (
    HandlingStatus.UNASSIGNED,
    HandlingStatus.ASSIGNED,
    HandlingStatus.REPLIED,
    HandlingStatus.COMPLETED,
)


def _step(handling_status: str) -> int:
    """立案 0 → 交办 1 → 答复 2 → 办结 3 (handled again counts as assigned)."""
    if handling_status == HandlingStatus.COMPLETED:
        return 3
    if handling_status == HandlingStatus.REPLIED:
        return 2
    if handling_status == HandlingStatus.UNASSIGNED:
        return 0
    return 1


def _key_proposals(user: Any, now: datetime) -> dict[str, Any] | None:
    found = proposal_overview.leader_overview(user, now)
    if found is None:
        return None
    rows = []
    for row in found["rows"]:
        p = row.proposal
        rows.append(
            {
                "title": p.title,
                "number": p.formatted_number,
                "url": reverse("proposals:detail", args=[p.pk]) if getattr(p, "readable", False) else None,
                "status": row.status_label,
                "step": _step(p.handling_status),
                "level": str(row.level),
                "units": [r.assignment.unit.name for r in row.assignments if r.assignment.unit_id],
            }
        )
    return {
        "figures": found["figures"],
        "rows": rows,
        "units": found["units"],
        "url": reverse("proposals:key") if found["may_open_key_page"] else None,
        "inbox": f"{reverse('handling:inbox')}?workflow=proposal" if found["units"] else None,
    }


def _sessions_figures(user: Any) -> dict[str, Any] | None:
    """The current sessions' proposals by state and their reply satisfaction (two queries
    after the sessions' one); ``None`` for those who read no session's statistics."""
    sessions = list(sessions_for(user).filter(is_current=True).order_by("cppcc__path", "-term", "-number")[:3])
    if not sessions:
        return None
    submitted = Proposal.objects.filter(session__in=sessions).exclude(status=ProposalStatus.DRAFT)
    f = submitted.aggregate(
        submitted=Count("id"),
        pending=Count("id", filter=Q(status=ProposalStatus.SUBMITTED)),
        filed=Count("id", filter=Q(status=ProposalStatus.FILED)),
        rejected=Count("id", filter=Q(status=ProposalStatus.REJECTED)),
        merged=Count("id", filter=Q(status__in=(ProposalStatus.MERGED, ProposalStatus.CONVERTED))),
        unassigned=Count("id", filter=Q(status=ProposalStatus.FILED, handling_status=HandlingStatus.UNASSIGNED)),
        handling=Count(
            "id",
            filter=Q(
                status=ProposalStatus.FILED,
                handling_status__in=(HandlingStatus.ASSIGNED, HandlingStatus.REHANDLING),
            ),
        ),
        replied=Count("id", filter=Q(status=ProposalStatus.FILED, handling_status=HandlingStatus.REPLIED)),
        completed=Count("id", filter=Q(status=ProposalStatus.FILED, handling_status=HandlingStatus.COMPLETED)),
    )
    ratings = dict(
        Feedback.objects.filter(
            case_type__app_label="proposals",
            case_type__model="proposal",
            case_id__in=submitted.values("id"),
            superseded=False,
        )
        .order_by()
        .values_list("rating")
        .annotate(n=Count("id"))
    )
    rated = sum(ratings.values())
    satisfied = sum(ratings.get(r, 0) for r in SATISFIED)
    return {
        "session": "、".join(s.name or f"{s.cppcc.name}" for s in sessions),
        "submitted": f["submitted"],
        "states": [
            {"key": "pending", "label": _("Awaiting review"), "value": f["pending"]},
            {"key": "unassigned", "label": _("Filed, not yet assigned"), "value": f["unassigned"]},
            {"key": "handling", "label": _("Being handled"), "value": f["handling"]},
            {"key": "replied", "label": _("Replied, awaiting rating"), "value": f["replied"]},
            {"key": "completed", "label": _("Handling completed"), "value": f["completed"]},
            {"key": "rejected", "label": _("Not filed"), "value": f["rejected"]},
            {"key": "merged", "label": _("Merged or converted"), "value": f["merged"]},
        ],
        "filed": f["filed"],
        "satisfaction": {
            "rate": round(satisfied / rated * 100, 1) if rated else None,
            "rated": rated,
            "shares": [{"key": k, "label": str(label), "value": ratings.get(k, 0)} for k, label in Rating.choices],
        },
        "url": reverse("proposals:stats"),
    }


def _opinions_figures(user: Any, now: datetime) -> dict[str, Any]:
    """Opinion reports adopted this year by the person's CPPCC and those below it (one query)."""
    year = timezone.localdate(now).year
    adoptions = Adoption.objects.filter(adopted_on__year=year)
    if not user.is_administrator:
        under = Q(pk__in=[])
        for path in stats_paths(user):
            under |= Q(cppcc__path__startswith=path)
        adoptions = adoptions.filter(under)
    by_level = dict(adoptions.order_by().values_list("level").annotate(n=Count("report_id", distinct=True)))
    return {
        "year": year,
        "adopted": sum(by_level.values()),
        "levels": [{"key": k, "label": str(label), "value": by_level.get(k, 0)} for k, label in AdoptionLevel.choices],
        "url": reverse("opinions:issues") if user.has_role(Role.LEADER) else None,
    }


def _member_figures(user: Any, now: datetime) -> dict[str, Any] | None:
    """The members' duty activity this year (two queries); ``None`` for people who read
    no member's record."""
    if not duty_access.manages_members(user):
        return None
    year = timezone.localdate(now).year
    members = duty_access.member_assignments(user).exclude(user=user).values("user_id")
    summaries = DutySummary.objects.filter(year=year, member_id__in=members)
    f = summaries.aggregate(active=Count("id", filter=Q(acts__gt=0)), acts=Sum("acts"), points=Sum("points"))
    total = duty_access.member_assignments(user).exclude(user=user).values("user_id").distinct().count()
    top = list(
        summaries.filter(acts__gt=0)
        .select_related("member")
        .order_by("-points", "member__real_name", "member_id")[:LIST_SIZE]
    )
    return {
        "year": year,
        "members": total,
        "active": f["active"] or 0,
        "acts": f["acts"] or 0,
        "points": f["points"] or 0,
        "active_rate": round((f["active"] or 0) / total * 100, 1) if total else None,
        "top": [
            {
                "name": s.member.real_name or s.member.username,
                "points": s.points,
                "acts": s.acts,
                "url": reverse("duty:member", args=[s.member_id]),
            }
            for s in top
        ],
        "url": reverse("duty:rankings"),
    }


def cppcc_half(user: Any, now: datetime | None = None) -> dict[str, Any] | None:
    """The proposal half for ``user`` (``None`` if he reads none)."""
    if not access.reads_proposals(user):
        return None
    now = now or timezone.now()
    sessions = _sessions_figures(user)
    internals = sessions is not None
    return {
        "key": _key_proposals(user, now),
        "sessions": sessions,
        "opinions": _opinions_figures(user, now) if internals else None,
        "members": _member_figures(user, now) if internals else None,
    }


# --- the whole ---------------------------------------------------------------------------------
def _cached(key: str, now: datetime, seconds: int) -> tuple[bool, Any]:
    """A half built less than ``seconds`` ago, read from the shared cache. The entry carries
    the moment it was built: the cache's own expiry (Redis keeps its own clock) and this
    check agree, so a half is never served older than ``seconds`` whichever clock runs."""
    entry = cache.get(key)
    if not isinstance(entry, tuple) or len(entry) != 2:
        return False, None
    built, half = entry
    if not 0 <= now.timestamp() - built < seconds:
        return False, None
    return True, half


def build(user: Any, *, now: datetime | None = None, use_cache: bool = True) -> dict[str, Any]:
    """Both halves for ``user`` (each ``None`` when it does not apply), cached per scope."""
    access.check_may_open(user)
    now = now or timezone.now()
    language = get_language() or settings.LANGUAGE_CODE
    seconds = cache_seconds()
    stamp = timezone.localtime(now).isoformat(timespec="seconds")
    result: dict[str, Any] = {
        "generated_at": stamp,
        "refresh": refresh_seconds(),
        "workorders": None,
        "cppcc": None,
    }
    if access.reads_workorders(user):
        scope = Scope.for_user(user)
        key = f"cockpit:wo:{language}:{scope_key(scope)}"
        hit, half = _cached(key, now, seconds) if use_cache else (False, None)
        if not hit:
            half = workorder_half(user, scope, now)
            half["as_of"] = stamp
            if use_cache:
                cache.set(key, (now.timestamp(), half), seconds)
        result["workorders"] = half
    if access.reads_proposals(user):
        key = f"cockpit:cppcc:{language}:{user.pk}"
        hit, half = _cached(key, now, seconds) if use_cache else (False, None)
        if not hit:
            half = cppcc_half(user, now)
            if half is not None:
                half["as_of"] = stamp
            if use_cache:
                cache.set(key, (now.timestamp(), half), seconds)
        result["cppcc"] = half
    # When the figures shown were read: the older half (a cached half is up to
    # CACHE_SECONDS old).
    stamps = [h["as_of"] for h in (result["workorders"], result["cppcc"]) if h]
    result["generated_at"] = min(stamps, default=stamp)
    return result
