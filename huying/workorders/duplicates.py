"""Likely duplicates of a work order (并单 candidates), ranked, with the reasons.

A candidate is another order of the same district that is

- **recent**: created within ``WORKORDERS_DUPLICATE_WINDOW_DAYS`` (7) days before or after
  the order;
- **still a case of its own**: not merged into another order, not cancelled;
- **of a related category**: the same first-level category, or one of the two has no
  category yet (new orders usually have none);
- **near**: within ``WORKORDERS_DUPLICATE_RADIUS_M`` (300) metres when both have
  coordinates, or in the same street, or at the same address. An order with no location
  at all skips this gate (its text has to carry it);
- **worded alike**: character n-gram similarity of the texts of at least
  ``TEXT_MIN`` (0.2), the two orders' place names (addresses, street and community)
  left out of the comparison.

All gates but the text are one SQL query (district, time window, status, category prefix,
a latitude/longitude bounding box, street, address) over the ``(district, created_at)``
index, newest first and capped at :data:`MAX_CANDIDATES`. On PostgreSQL the same query
keeps only the :data:`SHORTLIST` candidates whose texts are most alike by ``pg_trgm``'s
``similarity()`` (computed in the database); the exact distance (haversine) and the text
similarity below are computed in Python on what the query returns, with the n-grams of a
text cached per process (the candidates of one order are the candidates of the next). The score in [0, 1]::

    0.55 × text + 0.25 × place + 0.10 × category + 0.10 × recency

- text: cosine of character 2- and 3-gram counts, after dropping punctuation, the
  phrases every hotline record repeats (市民来电反映, 要求相关部门尽快处理…) and the
  n-grams of the place names;
- place: 1 − distance / radius (both have coordinates), 1 at the same address, 0.6 in the
  same community, 0.4 in the same street, else 0;
- category: 1 the same category, 0.8 the same second level, 0.6 the same first level, 0.5
  when one or both have none;
- recency: 1 − |Δ creation time| / window.

Candidates scoring at least ``WORKORDERS_DUPLICATE_MIN_SCORE`` (0.45) are returned, best
first. The numbers were tuned on the near-duplicates and non-duplicates of
``tests/test_duplicates.py``; docs/workorders.md has the definition.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache

from django.conf import settings
from django.db import connection
from django.db.models import FloatField, Func, Q, Value
from django.utils.translation import gettext as _

from huying.workorders.choices import OrderStatus
from huying.workorders.models import WorkOrder

MAX_CANDIDATES = 300
SHORTLIST = 40
TEXT_MIN = 0.2
WEIGHTS = {"text": 0.55, "place": 0.25, "category": 0.10, "recency": 0.10}
EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE_LAT = 111_320.0

# Phrases of the hotline's record-keeping that say nothing about the problem itself.
BOILERPLATE = (
    "市民来电反映",
    "来电人反映",
    "市民来电",
    "来电反映",
    "市民反映",
    "群众反映",
    "市民投诉",
    "来电人",
    "反映",
    "希望",
    "要求",
    "请求",
    "恳请",
    "相关部门",
    "有关部门",
    "职能部门",
    "尽快",
    "及时",
    "处理",
    "解决",
    "核实",
    "一下",
    "问题",
    "情况",
)
_BOILERPLATE_RE = re.compile("|".join(sorted(map(re.escape, BOILERPLATE), key=len, reverse=True)))
_NOISE_RE = re.compile(r"[\W_]+", re.UNICODE)


def window_days() -> int:
    return int(getattr(settings, "WORKORDERS_DUPLICATE_WINDOW_DAYS", 7))


def radius_m() -> float:
    return float(getattr(settings, "WORKORDERS_DUPLICATE_RADIUS_M", 300))


def min_score() -> float:
    return float(getattr(settings, "WORKORDERS_DUPLICATE_MIN_SCORE", 0.45))


# --- text ------------------------------------------------------------------------------
def normalise(text: str) -> str:
    """Lower case, no punctuation or spaces, no hotline boilerplate."""
    text = _BOILERPLATE_RE.sub(" ", text.lower())
    return _NOISE_RE.sub("", text)


def grams(text: str) -> Counter[str]:
    """Character 2- and 3-grams of the normalised text (1-grams for a one-character text).
    Cached per process: callers must not change the counter they get."""
    return _grams(text)


@lru_cache(maxsize=4096)
def _grams(text: str) -> Counter[str]:
    text = normalise(text)
    if len(text) < 2:
        return Counter(text)
    counts: Counter[str] = Counter(text[i : i + 2] for i in range(len(text) - 1))
    counts.update(text[i : i + 3] for i in range(len(text) - 2))
    return counts


def _norm(vector: Counter[str]) -> float:
    return math.sqrt(sum(v * v for v in vector.values()))


def cosine(a: Counter[str], b: Counter[str], norm_a: float | None = None, norm_b: float | None = None) -> float:
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b, norm_a, norm_b = b, a, norm_b, norm_a
    dot = sum(count * b[gram] for gram, count in a.items() if gram in b)
    if not dot:
        return 0.0
    return dot / ((norm_a or _norm(a)) * (norm_b or _norm(b)))


@lru_cache(maxsize=4096)
def _profile(text: str) -> tuple[Counter[str], int]:
    """The text's n-gram counts and their squared norm, cached per process."""
    vector = _grams(text)
    return vector, sum(v * v for v in vector.values())


def cosine_without(a: str, b: str, drop: set[str]) -> float:
    """:func:`cosine` of the two texts' n-grams with the grams in ``drop`` left out, without
    building the reduced vectors (``drop`` is a few dozen place-name grams)."""
    va, sq_a = _profile(a)
    vb, sq_b = _profile(b)
    if not va or not vb:
        return 0.0
    small, large = (va, vb) if len(va) <= len(vb) else (vb, va)
    dot = 0
    for gram, count in small.items():
        other = large.get(gram)
        if other and gram not in drop:
            dot += count * other
    if not dot:
        return 0.0
    sq_a -= sum(va[g] ** 2 for g in drop if g in va)
    sq_b -= sum(vb[g] ** 2 for g in drop if g in vb)
    return dot / math.sqrt(sq_a * sq_b) if sq_a > 0 and sq_b > 0 else 0.0


def text_similarity(a: str, b: str) -> float:
    return cosine(grams(a), grams(b))


# --- place -----------------------------------------------------------------------------
def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lng2 - lng1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def bounding_box(lat: float, lng: float, metres: float) -> tuple[float, float, float, float]:
    """(south, north, west, east) of a box holding the circle of ``metres`` around the point."""
    dlat = metres / METRES_PER_DEGREE_LAT
    dlng = metres / (METRES_PER_DEGREE_LAT * max(0.01, math.cos(math.radians(lat))))
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng


def _address(value: str) -> str:
    return _NOISE_RE.sub("", value.lower())


# --- ranking ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Duplicate:
    order: WorkOrder
    score: float
    text: float
    distance_m: float | None
    reasons: list[str] = field(default_factory=list)


class _Similarity(Func):
    function = "similarity"
    output_field = FloatField()


def candidates(
    order: WorkOrder, *, days: int | None = None, metres: float | None = None, among: list[int] | None = None
) -> list[WorkOrder]:
    """The orders that pass every gate but the text (only those in ``among`` when given):
    one query; on PostgreSQL the :data:`SHORTLIST` most alike by trigram similarity."""
    days = window_days() if days is None else days
    metres = radius_m() if metres is None else metres
    span = timedelta(days=days)
    qs = (
        WorkOrder.objects.filter(
            district_id=order.district_id,
            created_at__gte=order.created_at - span,
            created_at__lte=order.created_at + span,
        )
        .exclude(pk=order.pk)
        .exclude(status__in=(OrderStatus.MERGED, OrderStatus.CANCELLED))
    )
    if order.category_id is not None and order.category is not None:
        qs = qs.filter(Q(category__isnull=True) | Q(category__code__startswith=order.category.code[:2]))
    near = Q()
    if order.latitude is not None and order.longitude is not None:
        south, north, west, east = bounding_box(float(order.latitude), float(order.longitude), metres)
        near |= Q(latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east)
    if order.street_id is not None:
        near |= Q(street_id=order.street_id)
    if order.address.strip():
        near |= Q(address=order.address.strip())
    if near:
        qs = qs.filter(near)
    if among is not None:
        qs = qs.filter(pk__in=among)
    newest = qs.order_by("-created_at", "-id")[:MAX_CANDIDATES]
    if among is None and SHORTLIST and connection.vendor == "postgresql":
        shortlist = (
            WorkOrder.objects.filter(pk__in=newest.values("pk"))
            .annotate(similar=_Similarity("content", Value(order.content)))
            .order_by("-similar", "-created_at", "-id")[:SHORTLIST]
        )
        return list(shortlist.select_related("category"))
    return list(newest.select_related("category"))


def _category_score(order: WorkOrder, other: WorkOrder) -> tuple[float, str]:
    if order.category is None or other.category is None:
        return 0.5, ""
    a, b = order.category.code, other.category.code
    if a == b:
        return 1.0, _("same category")
    if a[:4] == b[:4] and len(a) >= 4 and len(b) >= 4:
        return 0.8, _("same second-level category")
    return 0.6, _("same first-level category")


def _place_score(order: WorkOrder, other: WorkOrder, metres: float) -> tuple[float, float | None, list[str]]:
    distance = None
    best, reasons = 0.0, []
    if order.latitude is not None and order.longitude is not None and other.latitude is not None:
        assert other.longitude is not None
        distance = haversine_m(
            float(order.latitude), float(order.longitude), float(other.latitude), float(other.longitude)
        )
        if distance <= metres:
            best = 1 - distance / metres
            reasons.append(_("%(m)d metres apart") % {"m": round(distance)})
    if order.address.strip() and _address(order.address) == _address(other.address):
        best = 1.0
        reasons.append(_("same address"))
    if not reasons and order.community_id is not None and order.community_id == other.community_id:
        best = max(best, 0.6)
        reasons.append(_("same community"))
    if not reasons and order.street_id is not None and order.street_id == other.street_id:
        best = max(best, 0.4)
        reasons.append(_("same street"))
    return best, distance, reasons


def place_words(order: WorkOrder) -> list[str]:
    """The order's own place names: its address, street and community."""
    words = [order.address]
    for attr in ("street", "community"):
        if getattr(order, f"{attr}_id") is not None:
            place = getattr(order, attr)
            words += [place.name, place.short_name or ""]
    return [w for w in words if w]


def _without(vector: Counter[str], drop: set[str]) -> Counter[str]:
    return Counter({g: n for g, n in vector.items() if g not in drop}) if drop else vector


def find_duplicates(
    order: WorkOrder,
    *,
    limit: int = 10,
    days: int | None = None,
    metres: float | None = None,
    threshold: float | None = None,
    among: list[int] | None = None,
) -> list[Duplicate]:
    """Likely duplicates of ``order``, best first (see the module's docstring). The texts
    are compared without the place names of the two orders (addresses, street and
    community names): the place is scored on its own, and two different problems at one
    address should not look alike because both name the address. A few queries: the
    order's category, street and community when not loaded, then the candidates.
    ``among``: score only these orders (the dispatcher's page re-scores the stored links)."""
    days = window_days() if days is None else days
    metres = radius_m() if metres is None else metres
    threshold = min_score() if threshold is None else threshold
    mine_place: set[str] = set()
    for word in place_words(order):
        mine_place.update(grams(word))
    window = timedelta(days=days).total_seconds() or 1.0
    found: list[Duplicate] = []
    for other in candidates(order, days=days, metres=metres, among=among):
        drop = mine_place | set(grams(other.address)) if other.address else mine_place
        text = cosine_without(order.content, other.content, drop)
        if text < TEXT_MIN:
            continue
        place, distance, place_reasons = _place_score(order, other, metres)
        category, category_reason = _category_score(order, other)
        gap = abs((other.created_at - order.created_at).total_seconds())
        recency = max(0.0, 1 - gap / window)
        score = (
            WEIGHTS["text"] * text
            + WEIGHTS["place"] * place
            + WEIGHTS["category"] * category
            + WEIGHTS["recency"] * recency
        )
        if score < threshold:
            continue
        reasons = [_("similar text (%(value)d%%)") % {"value": round(text * 100)}]
        reasons += place_reasons + ([category_reason] if category_reason else [])
        hours = gap / 3600
        reasons.append(
            _("%(n)d hours apart") % {"n": round(hours)}
            if hours < 48
            else _("%(n)d days apart") % {"n": round(hours / 24)}
        )
        found.append(Duplicate(other, round(score, 3), round(text, 3), distance, reasons))
    found.sort(key=lambda d: (-d.score, -d.order.created_at.timestamp()))
    return found[:limit]


def outcome_order(order: WorkOrder) -> WorkOrder:
    """The order whose outcome ``order`` shows: its parent when it was merged (children
    follow the parent), else itself. Merges are kept one level deep (merging an order
    that has children moves them to the new parent), so one step is enough."""
    if order.status == OrderStatus.MERGED and order.parent_id is not None:
        return order.parent  # type: ignore[return-value]
    return order
