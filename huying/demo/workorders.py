"""Demo work orders of Liwan district (荔湾区): routing rules, time limits, an Open311 client
with a fixed key, and several thousand orders over the last four months in every state.

Every order goes through the real actions with explicit past times (``now=``): intake
(:func:`huying.workorders.actions.do_intake`), dispatch, accept, return and re-dispatch,
respond, progress notes, extension requests and decisions, call-ups to tier 2 and 3,
resolve, feedback calls, reopen, close and merge. Validation is never bypassed. Two kinds
of stored times cannot be given to the actions and are set afterwards, documented here:

- ``WorkOrder.created_at`` / ``updated_at`` and ``DispatchDecision.created_at`` are
  ``auto_now(_add)`` columns: a post-step (:func:`_backdate`) sets them with
  ``queryset.update`` to the order's received time, its last step and the dispatch time;
- the order's *received* step in its history (``CaseEvent``) is written by intake at the
  time of loading; the same post-step sets it to the order's received time (the order's
  other steps take the actions' ``now=``);
- audit entries keep the time the demo was loaded (the audit log is append-only down to
  database triggers, and it truly records when the rows were written).

Close, feedback calls, reopening, urging and merging have no work-order wrapper action
yet; the small functions below (:func:`close_order`, :func:`record_feedback_call`,
:func:`supervise`, :func:`merge_order`) call the engine's moves and
:func:`huying.workorders.transitions.move` in one transaction, and are the one place to
switch to the wrappers when they exist.

Deterministic: the plan of order ``i`` (fate, text, place, times relative to the load) is
drawn from a generator seeded with ``i``; orders carry external ids ``…-DEMO-000123`` per
channel, so a forced re-run skips every order that exists.
"""

from __future__ import annotations

import contextlib
import gc
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Case, DateTimeField, Value, When
from django.utils import timezone

from huying.accounts.actions import do_create_api_token
from huying.accounts.choices import Role
from huying.accounts.models import ApiToken, RoleAssignment, User, hash_token
from huying.audit.actions import record
from huying.demo import dataset as ds
from huying.demo import sample_messages as sm
from huying.demo import workorder_data as wd
from huying.demo.logins import DEMO_OPEN311_CLIENT, DEMO_OPEN311_KEY
from huying.handling import actions as handling
from huying.handling import calendar
from huying.handling.choices import EventScope, FeedbackChannel, LimitUnit, Rating, Status
from huying.handling.history import append
from huying.handling.models import Assignment, CaseEvent, Feedback, TimeLimitRule
from huying.handling.sweep import sweep
from huying.organisations.choices import OrgKind
from huying.organisations.models import Organisation
from huying.workorders import actions as wo
from huying.workorders import deadlines, summary
from huying.workorders.choices import Channel, Nature, OrderEventKind, OrderStatus, Urgency
from huying.workorders.models import Category, DispatchDecision, RoutingRule, WorkOrder, route
from huying.workorders.transitions import move

WORKFLOW = "workorder"
DAYS_BACK = 120
# Orders per transaction: short, so that pages served during a background load (make run)
# wait for SQLite's write lock a second at most; the garbage collector runs every GC_EVERY.
CHUNK = 10
GC_EVERY = 200


# --- actions without a work-order wrapper yet (wo-dispatch adds them) -------------------------
def close_order(actor: Any, order: WorkOrder, *, now: datetime, note: str = "") -> WorkOrder:
    """结案: close every resolved assignment of the order, then the order itself."""
    with transaction.atomic():
        for assignment in Assignment.objects.for_case(order).filter(status=Status.RESOLVED).order_by("pk"):
            handling.do_close(actor, assignment, note=note, now=now)
        locked = WorkOrder.objects.select_for_update().get(pk=order.pk)
        return move(actor, locked, OrderStatus.CLOSED, note=note, now=now)


def record_feedback_call(
    actor: Any,
    order: WorkOrder,
    *,
    rating: str,
    solved: bool | None,
    attributable: bool,
    comment: str,
    rater_name: str,
    now: datetime,
) -> Feedback:
    """回访: the dispatcher's feedback call. Dissatisfied and attributable to the unit: the
    engine reopens the lead assignment and the order goes back to *in progress* (重办)."""
    with transaction.atomic():
        feedback = handling.do_record_feedback(
            actor,
            order,
            rating=rating,
            channel=FeedbackChannel.PHONE,
            rater_name=rater_name,
            solved=solved,
            attributable_to_unit=attributable,
            comment=comment,
            now=now,
        )
        if rating == Rating.DISSATISFIED and attributable:
            locked = WorkOrder.objects.select_for_update().get(pk=order.pk)
            if locked.status == OrderStatus.RESOLVED:
                move(actor, locked, OrderStatus.IN_PROGRESS, note=comment, now=now)
    return feedback


def supervise(actor: Any, assignment: Assignment, text: str, *, now: datetime) -> Assignment:
    """督办: an urging notice from the command centre to the unit (the status stays)."""
    return handling.do_urge(actor, assignment, text, now=now)


def merge_order(
    actor: Any, child: WorkOrder, parent: WorkOrder, *, note: str = "", now: datetime | None = None
) -> WorkOrder:
    """并单: ``child`` (a duplicate, not yet dispatched) follows ``parent`` from now on."""
    if child.pk == parent.pk or parent.status == OrderStatus.MERGED or parent.district_id != child.district_id:
        raise ValueError("An order can only be merged into another order of its district that is not merged itself.")
    with transaction.atomic():
        locked = WorkOrder.objects.select_for_update().get(pk=child.pk)
        WorkOrder.objects.filter(pk=locked.pk).update(parent=parent)
        locked.parent = parent
        move(actor, locked, OrderStatus.MERGED, note=note, now=now)
        append(
            parent, OrderEventKind.MERGED, actor, note=note, data={"children": [child.number], "reason": note}, now=now
        )
        record(actor, "workorder.merge", locked, {"parent": parent.number, "note": note})
    return locked


# --- configuration: departments' rules and limits ---------------------------------------------
# Departments by short name (dataset.LIWAN_DEPARTMENTS).
# Categories first answered by the street itself (its law-enforcement team and 环卫站) at tier 1.
STREET_FIRST = ("0101", "0102", "02")
# (category prefix, department short name): the functional department at tier 2.
DEPARTMENT_RULES: tuple[tuple[str, str], ...] = (
    ("01", "区城管执法局"), ("0101", "区城管执法局"), ("0102", "区交警大队"), ("0103", "区城管执法局"),
    ("0104", "区城管执法局"), ("02", "区城管执法局"), ("03", "区城管执法局"), ("04", "区住建局"),
    ("0403", "区城管执法局"), ("0404", "区水务局"), ("0405", "区水务局"), ("05", "区生态环境分局"),
    ("0501", "区住建局"), ("0502", "区公安分局"), ("0503", "区交警大队"), ("06", "区城管执法局"),
    ("0602", "区住建局"), ("07", "区住建局"), ("0702", "区市场监管局"), ("08", "区交通局"),
    ("0803", "区交警大队"), ("09", "区人社局"), ("10", "区教育局"), ("11", "区卫健局"),
    ("12", "区市场监管局"), ("13", "区生态环境分局"), ("1302", "区水务局"), ("14", "区公安分局"),
    ("1402", "区消防救援大队"), ("15", "区民政局"), ("16", "区住建局"), ("17", "区政数局"),
)  # fmt: skip
# Exceptions for one street or one area class.
STREET_RULES: tuple[tuple[str, str, str], ...] = (
    ("06", "沙面街道", "区规划资源分局"),  # historic buildings of Shamian island
    ("010201", "站前街道", "区交警大队"),  # motorcycle taxis at Guangzhou railway station
)
AREA_RULES: tuple[tuple[str, str, str], ...] = (("0104", "1", "区生态环境分局"),)

# (name, nature, urgency, category prefix, accept, respond, resolve); limits as (amount, unit).
# A respond limit (on site / first contact) only where speed on the ground matters: the work
# order's pages record acceptance and resolution, and the unit reports its first contact.
M, H, WD = LimitUnit.MINUTES, LimitUnit.HOURS, LimitUnit.WORKING_DAYS
Lim = tuple[int, str] | None
TIME_LIMITS: tuple[tuple[str, str, str, str, Lim, Lim, Lim], ...] = (
    ("特急件", "", Urgency.EMERGENCY, "", (30, M), (2, H), (24, H)),
    ("紧急件", "", Urgency.URGENT, "", (2, H), (24, H), (3, WD)),
    ("咨询类", Nature.CONSULTATION, "", "", (2, H), None, (1, WD)),
    ("求助类", Nature.HELP, "", "", (1, WD), None, (3, WD)),
    ("投诉类", Nature.COMPLAINT, "", "", (1, WD), None, (5, WD)),
    ("举报类", Nature.REPORT, "", "", (1, WD), None, (10, WD)),
    ("建议类", Nature.SUGGESTION, "", "", (1, WD), None, (10, WD)),
    ("六乱（街道快速处置）", "", "", "0101", (1, H), (4, H), (2, WD)),
    ("五类车（街道快速处置）", "", "", "0102", (1, H), (4, H), (2, WD)),
    ("排水防涝", "", "", "0404", (1, H), (4, H), (2, WD)),
    ("电梯困人与故障", "", "", "0702", (30, M), (2, H), (3, WD)),
    ("消防安全隐患", "", "", "1402", (2, H), (1, WD), (3, WD)),
    ("违法建设（复杂件）", "", "", "06", (1, WD), None, (15, WD)),
    ("拖欠工资", "", "", "0901", (1, WD), None, (10, WD)),
    ("住房保障", "", "", "16", (1, WD), None, (10, WD)),
)


@dataclass
class District:
    """The Liwan pieces the demo orders need, read once."""

    government: Organisation
    centre: Organisation
    streets: dict[str, Organisation]
    communities: dict[int, list[Organisation]]
    departments: dict[str, Organisation]  # by short name
    categories: dict[str, Category]

    @classmethod
    def load(cls) -> District:
        government = Organisation.objects.get(kind=OrgKind.GOVERNMENT, division_code=ds.LIWAN_CODE)
        centre = Organisation.objects.get(parent=government, name=ds.LIWAN_COMMAND_CENTRE)
        streets = {o.name: o for o in Organisation.objects.filter(parent=government, kind=OrgKind.STREET)}
        communities: dict[int, list[Organisation]] = defaultdict(list)
        for community in Organisation.objects.filter(parent__in=streets.values(), kind=OrgKind.COMMUNITY).order_by(
            "sort_order", "pk"
        ):
            communities[community.parent_id].append(community)  # type: ignore[index]
        departments = {o.short_name: o for o in Organisation.objects.filter(parent=government, kind=OrgKind.DEPARTMENT)}
        categories = {c.code: c for c in Category.objects.active()}
        return cls(government, centre, streets, dict(communities), departments, categories)


def ensure_routing_rules(district: District) -> int:
    """The Liwan routing rules; creates the missing ones (one summary audit entry)."""
    wanted: list[RoutingRule] = []
    for street in district.streets.values():
        wanted += [RoutingRule(category_prefix=p, street=street, unit=street, tier=1) for p in STREET_FIRST]
    wanted += [
        RoutingRule(category_prefix=p, unit=district.departments[d], tier=2)
        for p, d in DEPARTMENT_RULES
        if d in district.departments
    ]
    wanted += [
        RoutingRule(category_prefix=p, street=district.streets[s], unit=district.departments[d], tier=2, priority=1)
        for p, s, d in STREET_RULES
        if s in district.streets and d in district.departments
    ]
    wanted += [
        RoutingRule(category_prefix=p, area_class=c, unit=district.departments[d], tier=2, priority=1)
        for p, c, d in AREA_RULES
        if d in district.departments
    ]
    existing = set(RoutingRule.objects.values_list("category_prefix", "street_id", "area_class", "unit_id"))
    new = [r for r in wanted if (r.category_prefix, r.street_id, r.area_class, r.unit_id) not in existing]
    if new:
        RoutingRule.objects.bulk_create(new)
        record(
            None,
            "demo.routing_rules.create",
            None,
            {"count": len(new)},
            object_type="workorders.routingrule",
            object_repr=f"demo routing rules of 荔湾区: {len(new)}",
        )
    return len(new)


def ensure_time_limits() -> int:
    """The work-order time-limit rules, through the engine's action; creates the missing ones."""
    existing = set(TimeLimitRule.objects.filter(workflow=WORKFLOW).values_list("nature", "urgency", "category_prefix"))
    created = 0
    for name, nature, urgency, prefix, accept, respond, resolve in TIME_LIMITS:
        if (nature, urgency, prefix) in existing:
            continue
        fields: dict[str, Any] = {"workflow": WORKFLOW, "name": name, "nature": nature, "urgency": urgency}
        fields["category_prefix"] = prefix
        for stage, limit in (("accept", accept), ("respond", respond), ("resolve", resolve)):
            fields[f"{stage}_amount"] = limit[0] if limit else None
            fields[f"{stage}_unit"] = limit[1] if limit else LimitUnit.WORKING_DAYS
        handling.do_save_time_limit_rule(None, **fields)
        created += 1
    return created


def ensure_open311_client() -> int:
    """The Open311 demo client: an API token of the demo dispatcher with the published key."""
    if ApiToken.objects.filter(token_hash=hash_token(DEMO_OPEN311_KEY)).exists():
        return 0
    user = User.objects.get(username=DEMO_OPEN311_CLIENT)
    do_create_api_token(None, user, "Open311 演示客户端", secret=DEMO_OPEN311_KEY)
    return 1


# --- planning ---------------------------------------------------------------------------------
class Fate:
    NEW = "new"
    RETURNED_WAITING = "returned_waiting"
    DISPATCHED = "dispatched"
    ACCEPT_OVERDUE = "accept_overdue"
    IN_PROGRESS = "in_progress"
    EXTENSION_PENDING = "extension_pending"
    EXTENSION_APPROVED = "extension_approved"
    OVERDUE = "overdue"
    ESCALATED_2 = "escalated_2"
    ESCALATED_3 = "escalated_3"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    REOPENED_CLOSED = "reopened_closed"
    MERGED = "merged"
    CLOSED = "closed"


# Share of the orders per fate (the rest is closed) and the age window of their calls, in hours.
FATES: dict[str, tuple[float, tuple[float, float]]] = {
    Fate.NEW: (0.015, (0.2, 10)),
    Fate.RETURNED_WAITING: (0.005, (3, 30)),
    Fate.DISPATCHED: (0.02, (0.3, 8)),
    Fate.ACCEPT_OVERDUE: (0.008, (50, 150)),
    Fate.IN_PROGRESS: (0.04, (4, 120)),
    Fate.EXTENSION_PENDING: (0.01, (30, 140)),
    Fate.EXTENSION_APPROVED: (0.015, (60, 300)),
    Fate.OVERDUE: (0.025, (240, 900)),
    Fate.ESCALATED_2: (0.015, (24, 240)),
    Fate.ESCALATED_3: (0.008, (72, 480)),
    Fate.RESOLVED: (0.03, (30, 200)),
    Fate.REOPENED: (0.01, (200, 700)),
    Fate.REOPENED_CLOSED: (0.015, (400, DAYS_BACK * 24)),
    Fate.MERGED: (0.02, (1, DAYS_BACK * 24)),
    Fate.CLOSED: (0.0, (48, DAYS_BACK * 24)),
}
CHANNEL_MIX = ((Channel.HOTLINE, 60), (Channel.GRID, 18), (Channel.WEB, 12), (Channel.OPEN311, 6), (Channel.MEMBER, 4))
NATURE_MIX = (
    (Nature.COMPLAINT, 35),
    (Nature.HELP, 28),
    (Nature.REPORT, 14),
    (Nature.CONSULTATION, 13),
    (Nature.SUGGESTION, 10),
)
URGENT_CATEGORIES = ("0404", "0405", "0702", "1402", "0301")
EXTERNAL_PREFIX: dict[str, str] = {
    Channel.HOTLINE: "GZ12345-DEMO-",
    Channel.GRID: "GRID-DEMO-",
    Channel.WEB: "WEB-DEMO-",
    Channel.MEMBER: "REF-DEMO-",
    Channel.OPEN311: "open311-demo-",
}


@dataclass
class Plan:
    index: int
    fate: str
    channel: str
    received_at: datetime
    street: str
    category: str
    nature: str
    urgency: str
    area_class: str
    content: str
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    caller_name: str
    caller_phone: str
    anonymous: bool
    # how the path goes
    returned_first: bool = False
    escalations: int = 0
    extension: str = ""  # "", "pending", "approved", "refused"
    co_unit: bool = False
    late_accept: bool = False
    late_resolve: bool = False
    progress: bool = False
    rating: str = ""
    parent: int | None = None
    community_pick: float = 0.0
    rng_seed: int = 0

    @property
    def external_id(self) -> str:
        return f"{EXTERNAL_PREFIX[self.channel]}{self.index:06d}"


def fate_list(count: int, rng: random.Random) -> list[str]:
    """Fates for ``count`` orders: each share of FATES, at least one of every fate, the rest closed."""
    fates: list[str] = []
    for fate, (share, _window) in FATES.items():
        if fate != Fate.CLOSED:
            fates += [fate] * max(1, round(share * count))
    fates += [Fate.CLOSED] * max(1, count - len(fates))
    rng.shuffle(fates)
    return fates[:count] if len(fates) > count else fates


def _weighted(rng: random.Random, pairs: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([p[0] for p in pairs], [p[1] for p in pairs])[0]


def _received_at(rng: random.Random, now: datetime, window: tuple[float, float]) -> datetime:
    """A call time ``window`` hours back: office hours and weekdays are busier."""
    low, high = window
    for _attempt in range(12):
        moment = now - timedelta(hours=rng.uniform(low, high))
        local = timezone.localtime(moment)
        weight = (0.55 if local.weekday() >= 5 else 1.0) * (
            1.0 if 8 <= local.hour < 21 else (0.45 if 6 <= local.hour < 8 or 21 <= local.hour < 23 else 0.12)
        )
        if high - low < 24 or rng.random() < weight:
            return moment.replace(microsecond=0)
    return moment.replace(microsecond=0)


def _text(code: str, rng: random.Random, road: str, street: str, community: str) -> str:
    candidates: list[str] = list(wd.OWN_TOPICS.get(code, ()))
    for topic_category, subject in wd.REUSED_TOPICS.get(code, ()):
        for name, details in sm.TOPICS[topic_category]:
            if name == subject:
                candidates += details
    if not candidates:
        candidates = list(wd.OWN_TOPICS["17"])
    values = {
        "road": road,
        "street": street,
        "community": community,
        "place": "荔湾区" + street,
        "estate": rng.choice(sm.ESTATES),
        "shop": rng.choice(sm.SHOPS),
        "company": rng.choice(sm.COMPANIES),
        "school": rng.choice(sm.SCHOOLS),
        "hospital": rng.choice(sm.HOSPITALS),
        "bus": rng.choice(sm.BUSES),
        "platform": rng.choice(sm.PLATFORMS),
        "n": str(rng.randint(2, 30)),
        "money": str(rng.choice((200, 500, 800, 1200, 3000, 5000))),
        "months": str(rng.randint(2, 8)),
        "time": rng.choice(("11点", "12点", "凌晨1点", "晚上10点半", "23:30")),
    }
    body = rng.choice(candidates).format(**values)
    opening = rng.choice(("", "", "市民来电反映：", "来电人反映，", "您好，", "网友留言：", "我要反映一个问题："))
    demand = rng.choice(sm.DEMANDS)
    return f"{opening}{body}。{demand}".strip()


def _caller(rng: random.Random) -> tuple[str, str]:
    surnames = [s for s, _w in ds.SURNAMES]
    weights = [w for _s, w in ds.SURNAMES]
    surname = rng.choices(surnames, weights)[0]
    full = surname + "".join(rng.choice(ds.GIVEN_NAME_CHARS) for _ in range(rng.choice((1, 2, 2))))
    name = rng.choice(wd.CALLER_STYLES).format(surname=surname, full=full)
    if rng.random() < 0.1:
        phone = f"020-8{rng.randint(1000000, 9999999)}"
    else:
        phone = rng.choice(("13", "15", "18", "17", "19")) + "".join(rng.choice("0123456789") for _ in range(9))
    return name, phone


def plan_orders(count: int, now: datetime, seed: int) -> list[Plan]:
    """The plans of ``count`` orders, sorted by call time (so numbers follow time)."""
    fates = fate_list(count, random.Random(seed))
    codes = list(wd.CATEGORY_MIX)
    street_first = [(c, w) for c, w in codes if c.startswith(STREET_FIRST)]
    streets = list(wd.STREET_PLACES)
    plans: list[Plan] = []
    for index, fate in enumerate(fates, start=1):
        rng = random.Random(f"{seed}:order:{index}")
        escalated = fate in (Fate.ESCALATED_2, Fate.ESCALATED_3)
        code = _weighted(rng, street_first if escalated and rng.random() < 0.8 else codes)
        street = rng.choice(streets)
        place = wd.STREET_PLACES[street]
        road = rng.choice(place.roads)
        community_pick = rng.random()
        urgency = Urgency.NORMAL
        if rng.random() < (0.25 if code.startswith(URGENT_CATEGORIES) else 0.02):
            urgency = Urgency.EMERGENCY
        elif rng.random() < 0.08:
            urgency = Urgency.URGENT
        name, phone = _caller(rng)
        channel = _weighted(rng, CHANNEL_MIX)
        located = channel in (Channel.GRID, Channel.OPEN311) or rng.random() < 0.7
        plan = Plan(
            index=index,
            fate=fate,
            channel=channel,
            received_at=_received_at(rng, now, FATES[fate][1]),
            street=street,
            category=code,
            nature=_weighted(rng, NATURE_MIX),
            urgency=urgency,
            area_class=_weighted(rng, list(zip(("1", "2", "3"), place.area_weights, strict=True))),
            content=_text(code, rng, road, street, ""),
            address=f"荔湾区{road}{rng.randint(1, 399)}号" + rng.choice(("", "", "附近", "门口", "对面")),
            latitude=Decimal(f"{place.latitude + rng.uniform(-0.004, 0.004):.6f}") if located else None,
            longitude=Decimal(f"{place.longitude + rng.uniform(-0.004, 0.004):.6f}") if located else None,
            caller_name=name,
            caller_phone=phone,
            anonymous=rng.random() < 0.08,
            community_pick=community_pick,
            rng_seed=rng.randint(0, 2**31),
        )
        if fate in (Fate.CLOSED, Fate.REOPENED_CLOSED, Fate.RESOLVED, Fate.IN_PROGRESS):
            plan.returned_first = rng.random() < 0.06
            plan.late_accept = rng.random() < 0.08
            plan.late_resolve = rng.random() < 0.07
            plan.progress = rng.random() < 0.3
        if fate == Fate.CLOSED:
            roll = rng.random()
            plan.escalations = 2 if roll < 0.015 else (1 if roll < 0.06 else 0)
            plan.extension = "approved" if rng.random() < 0.05 else ("refused" if rng.random() < 0.01 else "")
            plan.co_unit = rng.random() < 0.04
            plan.rating = _weighted(
                rng,
                (
                    (Rating.SATISFIED, 74),
                    (Rating.BASICALLY_SATISFIED, 14),
                    (Rating.DISSATISFIED, 7),
                    ("", 5),  # the caller could not be reached
                ),
            )
        elif fate == Fate.ESCALATED_2:
            plan.escalations = 1
        elif fate == Fate.ESCALATED_3:
            plan.escalations = 2
        elif fate == Fate.RETURNED_WAITING:
            plan.returned_first = True
        elif fate == Fate.EXTENSION_PENDING:
            plan.extension = "pending"
        elif fate == Fate.EXTENSION_APPROVED:
            plan.extension = "approved"
        elif fate == Fate.OVERDUE:
            plan.progress = rng.random() < 0.5
        plans.append(plan)
    # Duplicates follow an earlier call about the same thing, in the same place.
    by_time = sorted(plans, key=lambda p: p.received_at)
    position = {p.index: i for i, p in enumerate(by_time)}
    for plan in plans:
        if plan.fate != Fate.MERGED:
            continue
        rng = random.Random(f"{seed}:merge:{plan.index}")
        earlier = [p for p in by_time[: position[plan.index]] if p.fate not in (Fate.MERGED, Fate.NEW)]
        if not earlier:
            plan.fate = Fate.NEW
            continue
        parent = rng.choice(earlier[-40:])
        plan.parent = parent.index
        plan.street, plan.category, plan.address = parent.street, parent.category, parent.address
        plan.latitude, plan.longitude, plan.area_class = parent.latitude, parent.longitude, parent.area_class
        plan.content = rng.choice(("又有市民来电反映同一问题：", "重复来电：", "")) + parent.content
        plan.received_at = min(
            parent.received_at + timedelta(hours=rng.uniform(0.5, 36)), now - timedelta(minutes=30)
        ).replace(microsecond=0)
        if plan.received_at <= parent.received_at:
            plan.received_at = parent.received_at + timedelta(minutes=1)
    return sorted(plans, key=lambda p: (p.received_at, p.index))


# --- people ------------------------------------------------------------------------------------
@dataclass
class Cast:
    dispatchers: list[User]
    handlers: dict[int, list[User]]  # unit id -> people who act for it

    @classmethod
    def load(cls, district: District) -> Cast:
        roles = (
            RoleAssignment.objects.filter(is_active=True, organisation__path__startswith=district.government.path)
            .select_related("user")
            .order_by("user__username")
        )
        dispatchers: list[User] = []
        handlers: dict[int, list[User]] = defaultdict(list)
        users: dict[int, User] = {}
        for role in roles:
            user = users.setdefault(role.user_id, role.user)
            if role.role == Role.DISPATCHER and role.organisation_id == district.centre.pk:
                dispatchers.append(user)
            elif role.role in (Role.STREET_HANDLER, Role.UNIT_STAFF, Role.LEADER):
                handlers[role.organisation_id].append(user)  # type: ignore[index]
        return cls(dispatchers, dict(handlers))


# --- the simulation --------------------------------------------------------------------------
class _Stop(Exception):
    """The next step would happen after the load time: the order stays where it is."""


@dataclass
class Outcome:
    order: WorkOrder
    last_step: datetime
    dispatches: list[datetime] = field(default_factory=list)


class Simulator:
    def __init__(self, district: District, cast: Cast, now: datetime) -> None:
        self.d = district
        self.cast = cast
        self.now = now
        self.horizon = now - timedelta(minutes=1)
        self.calendar = calendar.get_calendar()
        self.orders: dict[int, WorkOrder] = {}
        self.counts: Counter[str] = Counter()
        self.routes: dict[tuple[str, int | None, str], tuple[Organisation, int] | None] = {}

    # helpers
    def _at(self, moment: datetime, previous: datetime) -> datetime:
        moment = max(moment, previous + timedelta(minutes=1)).replace(microsecond=0)
        if moment > self.horizon:
            raise _Stop
        return moment

    def _span(self, rng: random.Random, start: datetime, due: datetime | None, low: float, high: float) -> datetime:
        end = due if due is not None else start + timedelta(hours=8)
        return start + (end - start) * rng.uniform(low, high)

    def _handler(self, rng: random.Random, unit: Organisation) -> Any:
        people = self.cast.handlers.get(unit.pk)
        return rng.choice(people) if people else None

    def _dispatcher(self, rng: random.Random) -> Any:
        return rng.choice(self.cast.dispatchers) if self.cast.dispatchers else None

    def _intake_actor(self, rng: random.Random, plan: Plan) -> Any:
        """Hotline calls are recorded by a dispatcher, Open311 requests come with the demo
        client's key (the dispatcher diaodu). Grid, web and referral orders come in as the
        platform (``None``): ``do_intake`` refuses a district named by anyone but its
        dispatchers, so those channels' pages will pass their person once that is settled."""
        if plan.channel == Channel.HOTLINE:
            return self._dispatcher(rng)
        if plan.channel == Channel.OPEN311:
            return next((u for u in self.cast.dispatchers if u.username == DEMO_OPEN311_CLIENT), None)
        return None

    def _route(
        self, category: Category, street: Organisation | None, area_class: str
    ) -> tuple[Organisation, int] | None:
        key = (category.code, street.pk if street else None, area_class)
        if key not in self.routes:
            self.routes[key] = route(category, street, area_class)
        return self.routes[key]

    def _unit_for(self, plan: Plan, street: Organisation) -> tuple[Organisation, int]:
        routed = self._route(self.d.categories[plan.category], street, plan.area_class)
        if routed is None:
            return self.d.departments["区政数局"], 2
        return routed

    def _above(self, unit: Organisation, category: Category) -> Organisation:
        """The unit a tier-1 street or a tier-2 department calls up."""
        if unit.kind == OrgKind.STREET:
            routed = self._route(category, None, "")
            if routed is not None and routed[0].kind == OrgKind.DEPARTMENT:
                return routed[0]
            return self.d.departments["区城管执法局"]
        return self.d.government

    # one order
    def run(self, plan: Plan) -> Outcome | None:
        rng = random.Random(plan.rng_seed)
        street = self.d.streets[plan.street]
        communities = self.d.communities.get(street.pk, [])
        community = communities[int(plan.community_pick * len(communities))] if communities else None
        category = self.d.categories[plan.category]
        data: dict[str, Any] = {
            "external_id": plan.external_id,
            "content": plan.content,
            "caller_name": plan.caller_name,
            "caller_phone": plan.caller_phone,
            "anonymous": plan.anonymous,
            "nature": plan.nature,
            "urgency": plan.urgency,
            "address": plan.address,
            "latitude": plan.latitude,
            "longitude": plan.longitude,
            "district": ds.LIWAN_CODE,
            "street": street.pk,
            "community": community.pk if community else None,
            "area_class": plan.area_class,
            "received_at": plan.received_at,
        }
        if plan.channel == Channel.OPEN311:
            data["category"] = category.code[:2]
        elif plan.channel == Channel.GRID or plan.fate == Fate.MERGED or rng.random() < 0.4:
            data["category"] = category.code
        result = wo.do_intake(self._intake_actor(rng, plan), data, plan.channel)
        order = result.order
        self.orders[plan.index] = order
        if not result.created:
            return None
        outcome = Outcome(order, plan.received_at)
        self.counts["orders"] += 1
        with contextlib.suppress(_Stop):  # the rest of its life lies after the load time
            self._lifecycle(plan, rng, order, street, category, outcome)
        return outcome

    def _lifecycle(
        self,
        plan: Plan,
        rng: random.Random,
        order: WorkOrder,
        street: Organisation,
        category: Category,
        outcome: Outcome,
    ) -> None:
        t = plan.received_at
        dispatcher = self._dispatcher(rng)
        if plan.fate == Fate.MERGED:
            parent = self.orders.get(plan.parent or 0)
            if parent is not None and parent.pk != order.pk:
                t = self._at(t + timedelta(minutes=rng.uniform(5, 90)), t)
                parent.refresh_from_db(fields=["status", "version"])
                if parent.status != OrderStatus.MERGED:
                    merge_order(dispatcher, order, parent, note=f"与工单{parent.number}反映同一问题，并单处理。", now=t)
                    self.counts["merged"] += 1
                    outcome.last_step = t
            return
        if plan.fate == Fate.NEW:
            return
        unit, tier = self._unit_for(plan, street)
        quick = plan.urgency == Urgency.EMERGENCY
        t = self._at(t + timedelta(minutes=rng.uniform(1, 5) if quick else rng.uniform(3, 45)), t)

        if plan.returned_first:
            wrong = self._wrong_unit(rng, unit)
            first = wo.do_dispatch(dispatcher, order, wrong, category=category, tier=1, now=t)[0]
            outcome.dispatches.append(t)
            handler = self._handler(rng, wrong)
            t = self._at(self._span(rng, t, first.accept_due, 0.1, 0.6), t)
            handling.do_return(handler, first, reason=rng.choice(wd.RETURN_REASONS), now=t)
            self.counts["returned"] += 1
            outcome.last_step = t
            if plan.fate == Fate.RETURNED_WAITING:
                return
            order.refresh_from_db()
            t = self._at(t + timedelta(minutes=rng.uniform(10, 90)), t)

        co_units = [self._wrong_unit(rng, unit, departments_only=True)] if plan.co_unit else []
        assignments = wo.do_dispatch(
            dispatcher, order, unit, category=category, tier=tier, co_units=co_units, now=t, note=""
        )
        outcome.dispatches.append(t)
        outcome.last_step = t
        self.counts["dispatched"] += 1
        lead, co = assignments[0], assignments[1:]
        if plan.fate == Fate.DISPATCHED or plan.fate == Fate.ACCEPT_OVERDUE:
            return

        lead, t = self._work(plan, rng, lead, t, outcome)
        for assignment in co:
            helper = self._handler(rng, assignment.unit)
            when = self._span(rng, assignment.assigned_at, assignment.accept_due, 0.1, 0.7)
            handling.do_accept(helper, assignment, now=self._at(when, assignment.assigned_at))

        # call-ups: street → department (tier 2) → district government (tier 3)
        for level in range(plan.escalations):
            if lead.tier >= 3:
                break
            handler = self._handler(rng, lead.unit)
            above = self._above(lead.unit, category)
            t = self._at(self._span(rng, t, lead.resolve_due, 0.05, 0.3), t)
            reasons = wd.ESCALATION_REASONS if lead.tier == 1 else wd.TOP_ESCALATION_REASONS
            lead = handling.do_escalate(handler, lead, to_unit=above, reason=rng.choice(reasons), now=t)
            self.counts[f"called up to tier {lead.tier}"] += 1
            outcome.last_step = t
            open_fate = plan.fate in (Fate.ESCALATED_2, Fate.ESCALATED_3)
            if open_fate and level == plan.escalations - 1 and rng.random() < 0.35:
                return  # the called unit has not signed for it yet
            lead, t = self._work(plan, rng, lead, t, outcome, called=True)
        if plan.fate in (Fate.IN_PROGRESS, Fate.ESCALATED_2, Fate.ESCALATED_3):
            return

        handler = self._handler(rng, lead.unit)
        if plan.extension:
            t = self._at(self._span(rng, t, lead.resolve_due, 0.5, 0.9), t)
            assert lead.resolve_due is not None
            until = self.calendar.add_working_days(lead.resolve_due, rng.choice((3, 5, 7)))
            request = handling.do_request_extension(
                handler, lead, until=until, reason=rng.choice(wd.EXTENSION_REASONS), now=t
            )
            self.counts["extension requested"] += 1
            outcome.last_step = t
            if plan.extension == "pending":
                return
            t = self._at(t + timedelta(hours=rng.uniform(0.5, 6)), t)
            if plan.extension == "approved":
                handling.do_approve_extension(dispatcher, request, note="同意延期，请按期办结。", now=t)
            else:
                handling.do_refuse_extension(dispatcher, request, reason="延期理由不充分，请按原期限办结。", now=t)
            lead.refresh_from_db()
            outcome.last_step = t
            if plan.fate == Fate.EXTENSION_APPROVED:
                return

        if plan.fate == Fate.OVERDUE:
            if lead.resolve_due is not None and lead.resolve_due < self.horizon:
                t = self._at(lead.resolve_due + timedelta(hours=rng.uniform(2, 30)), t)
                supervise(dispatcher, lead, rng.choice(wd.URGING_NOTES), now=t)
                self.counts["urged"] += 1
                outcome.last_step = t
            return

        # co-handling units answer first, then the lead resolves
        for assignment in co:
            helper = self._handler(rng, assignment.unit)
            t = self._at(self._span(rng, t, lead.resolve_due, 0.1, 0.5), t)
            wo.do_resolve(helper, assignment, result="已配合牵头单位完成现场处置。", now=t)
        if plan.fate == Fate.RESOLVED:
            moment = self.now - timedelta(hours=rng.uniform(1, 20))
        else:
            late = plan.late_resolve and plan.extension != "approved"
            moment = (
                self._span(rng, t, lead.resolve_due, 1.05, 1.6)
                if late
                else self._span(rng, t, lead.resolve_due, 0.1, 0.85)
            )
        t = self._at(moment, t)
        wo.do_resolve(handler, lead, result=rng.choice(wd.RESULTS), now=t)
        self.counts["resolved"] += 1
        outcome.last_step = t
        if plan.fate == Fate.RESOLVED:
            return

        # the feedback call
        if plan.fate in (Fate.REOPENED, Fate.REOPENED_CLOSED):
            t = self._feedback(rng, order, plan, t, Rating.DISSATISFIED, attributable=True)
            self.counts["reopened"] += 1
            outcome.last_step = t
            if plan.fate == Fate.REOPENED:
                return
            lead.refresh_from_db()
            t = self._at(self._span(rng, t, lead.resolve_due, 0.2, 0.8), t)
            wo.do_resolve(handler, lead, result="重新到现场处理，已彻底整改完毕，并与来电人当面确认。", now=t)
            t = self._feedback(rng, order, plan, t, Rating.BASICALLY_SATISFIED, attributable=False)
        elif plan.rating:
            t = self._feedback(rng, order, plan, t, plan.rating, attributable=False)
        t = self._at(t + timedelta(minutes=rng.uniform(5, 120)), t)
        close_order(dispatcher, order, now=t, note="回访完毕，结案。" if plan.rating else "回访未接通，按规定结案。")
        self.counts["closed"] += 1
        outcome.last_step = t

    def _work(
        self, plan: Plan, rng: random.Random, lead: Assignment, t: datetime, outcome: Outcome, called: bool = False
    ) -> tuple[Assignment, datetime]:
        """The unit signs for the assignment, contacts the caller, maybe notes progress."""
        handler = self._handler(rng, lead.unit)
        if plan.late_accept and not called:
            moment = self._span(rng, lead.assigned_at, lead.accept_due, 1.1, 2.5)
        else:
            moment = self._span(rng, lead.assigned_at, lead.accept_due, 0.05, 0.8)
        t = self._at(moment, t)
        handling.do_accept(handler, lead, now=t)
        outcome.last_step = t
        if lead.respond_due is not None:
            t = self._at(self._span(rng, t, lead.respond_due, 0.1, 0.8), t)
            handling.do_respond(handler, lead, note="已电话联系来电人了解情况。", now=t)
            outcome.last_step = t
        if plan.progress:
            t = self._at(self._span(rng, t, lead.resolve_due, 0.1, 0.4), t)
            handling.do_add_progress(handler, lead, note=rng.choice(wd.PROGRESS_NOTES), now=t)
            outcome.last_step = t
        return lead, t

    def _feedback(
        self, rng: random.Random, order: WorkOrder, plan: Plan, t: datetime, rating: str, *, attributable: bool
    ) -> datetime:
        t = self._at(t + timedelta(hours=rng.uniform(2, 40)), t)
        chance: dict[str, float] = {Rating.SATISFIED: 0.97, Rating.BASICALLY_SATISFIED: 0.75, Rating.DISSATISFIED: 0.2}
        solved = rng.random() < chance[rating]
        record_feedback_call(
            self._dispatcher(rng),
            order,
            rating=rating,
            solved=solved,
            attributable=attributable,
            comment=rng.choice(wd.FEEDBACK_COMMENTS[rating]),
            rater_name="" if plan.anonymous else plan.caller_name,
            now=t,
        )
        self.counts["feedback calls"] += 1
        return t

    def _wrong_unit(self, rng: random.Random, unit: Organisation, departments_only: bool = False) -> Organisation:
        pool = list(self.d.departments.values()) if departments_only or unit.kind != OrgKind.STREET else []
        pool = pool or list(self.d.streets.values())
        choices = [o for o in pool if o.pk != unit.pk and o.is_active]
        return rng.choice(choices)


def _chunks(items: Sequence[Plan], size: int) -> Iterator[Sequence[Plan]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _backdate(outcomes: list[Outcome]) -> None:
    """The documented post-step: the auto-timestamp columns the actions cannot take."""
    if not outcomes:
        return
    orders = {o.order.pk: o for o in outcomes}
    # The daily summary counts an order on the day it was created: it moves with the date.
    with summary.tracking(list(orders)):
        WorkOrder.objects.filter(pk__in=orders).update(
            created_at=Case(
                *[When(pk=pk, then=Value(o.order.received_at + timedelta(seconds=30))) for pk, o in orders.items()],
                output_field=DateTimeField(),
            ),
            updated_at=Case(
                *[When(pk=pk, then=Value(max(o.last_step, o.order.received_at))) for pk, o in orders.items()],
                output_field=DateTimeField(),
            ),
        )
    CaseEvent.objects.filter(
        case_type=ContentType.objects.get_for_model(WorkOrder),
        case_id__in=orders,
        scope=EventScope.CASE,
        kind=OrderEventKind.RECEIVED,
    ).update(
        created_at=Case(
            *[When(case_id=pk, then=Value(o.order.received_at)) for pk, o in orders.items()],
            output_field=DateTimeField(),
        )
    )
    per_order: dict[int, list[int]] = defaultdict(list)
    for decision_pk, order_pk in (
        DispatchDecision.objects.filter(order_id__in=orders).order_by("pk").values_list("pk", "order_id")
    ):
        per_order[order_pk].append(decision_pk)
    decisions = {
        decision_pk: moment
        for order_pk, pks in per_order.items()
        for decision_pk, moment in zip(pks, orders[order_pk].dispatches, strict=False)
    }
    if decisions:
        DispatchDecision.objects.filter(pk__in=decisions).update(
            created_at=Case(*[When(pk=pk, then=Value(v)) for pk, v in decisions.items()], output_field=DateTimeField())
        )


def load_work_orders(
    count: int, seed: int, now: datetime | None = None, on_chunk: Callable[[float], None] | None = None
) -> Counter[str]:
    """Rules, time limits, the Open311 client and ``count`` orders (only what is missing);
    ``on_chunk`` hears the fraction done after each committed chunk."""
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    created: Counter[str] = Counter()
    district = District.load()
    with transaction.atomic():
        created["routing rules"] = ensure_routing_rules(district)
        created["time-limit rules"] = ensure_time_limits()
        created["open311 clients"] = ensure_open311_client()
    cast = Cast.load(district)
    simulator = Simulator(district, cast, now)
    plans = plan_orders(count, now, seed)
    existing = set(
        WorkOrder.objects.filter(external_id__contains="-DEMO-").values_list("channel", "external_id")
    ) | set(WorkOrder.objects.filter(external_id__startswith="open311-demo-").values_list("channel", "external_id"))
    known = {p.index: p for p in plans if (p.channel, p.external_id) in existing}
    if known:
        found = WorkOrder.objects.filter(external_id__in=[p.external_id for p in known.values()])
        by_key = {(o.channel, o.external_id): o for o in found}
        simulator.orders.update({i: by_key[(p.channel, p.external_id)] for i, p in known.items()})
    todo = [p for p in plans if p.index not in known]
    # The load creates and drops ~100 short-lived ORM objects per order and keeps none:
    # the cyclic garbage collector only costs time here (about a tenth of the load).
    collecting = gc.isenabled()
    gc.disable()
    try:
        for done, chunk in enumerate(_chunks(todo, CHUNK), start=1):
            # The chunk's summary rows and its orders' nearest deadlines once at its end
            # (summary.deferred, deadlines.deferred): the same rows as keeping them at every
            # step, for a fraction of the queries.
            with transaction.atomic(), summary.deferred(), deadlines.deferred():
                outcomes = [o for o in (simulator.run(plan) for plan in chunk) if o is not None]
                _backdate(outcomes)
            if done * CHUNK % GC_EVERY == 0:
                gc.collect()
            if on_chunk:
                on_chunk(min(1.0, done * CHUNK / len(todo)))
    finally:
        gc.collect()
        if collecting:
            gc.enable()
    if todo:
        swept = sweep(now)
        created["deadline warnings"] = swept.warnings
    created.update({f"work orders {k}": v for k, v in simulator.counts.items()})
    return created
