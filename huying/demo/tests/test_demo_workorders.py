"""The demo work orders of Liwan: every state a dispatcher meets, idempotent loading, and the
Open311 demo key. Time is frozen so that the generated history is the same on every run."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from huying.accounts.models import ApiToken
from huying.audit.models import AuditEntry
from huying.demo import workorder_data as wd
from huying.demo.logins import DEMO_OPEN311_CLIENT, DEMO_OPEN311_KEY
from huying.demo.workorders import DEPARTMENT_RULES, STREET_FIRST, TIME_LIMITS, Fate, fate_list, plan_orders
from huying.handling.choices import ExtensionStatus, Rating, Status
from huying.handling.limits import limits_for
from huying.handling.models import Assignment, ExtensionRequest, Feedback, TimeLimitRule, Warning
from huying.open311.tests.helpers import post_data
from huying.organisations.models import Organisation
from huying.workorders.choices import OrderStatus
from huying.workorders.models import Category, DispatchDecision, RoutingRule, WorkOrder, route

pytestmark = pytest.mark.django_db

FROZEN = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def load(*args: str) -> str:
    out = StringIO()
    with time_machine.travel(FROZEN, tick=False):
        call_command("demo_data", "--scale", "small", "--no-logins", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, int]:
    return {
        "orders": WorkOrder.objects.count(),
        "assignments": Assignment.objects.count(),
        "feedback": Feedback.objects.count(),
        "extensions": ExtensionRequest.objects.count(),
        "warnings": Warning.objects.count(),
        "rules": RoutingRule.objects.count(),
        "limits": TimeLimitRule.objects.count(),
        "tokens": ApiToken.objects.count(),
        "decisions": DispatchDecision.objects.count(),
    }


def test_orders_in_every_state() -> None:
    load()
    orders = WorkOrder.objects.all()
    assert orders.count() == 80
    statuses = Counter(orders.values_list("status", flat=True))
    assert set(statuses) == {s.value for s in OrderStatus if s != OrderStatus.CANCELLED}, statuses
    assert statuses[OrderStatus.CLOSED] > statuses[OrderStatus.IN_PROGRESS]
    assignments = Assignment.objects.filter(workflow="workorder")
    now = timezone.now()
    # returned and waiting for the dispatcher (改派), and returned then dispatched again
    returned_cases = set(assignments.filter(status=Status.RETURNED).values_list("case_id", flat=True))
    assert orders.filter(pk__in=returned_cases, status=OrderStatus.NEW).exists()
    assert orders.filter(pk__in=returned_cases).exclude(status=OrderStatus.NEW).exists()
    # waiting to be signed for, and overdue: accept or resolve deadline past, still open
    assert assignments.filter(status=Status.ASSIGNED).exists()
    overdue = assignments.overdue(now)
    assert overdue.exists()
    assert orders.filter(pk__in=overdue.values("case_id"), status__in=("dispatched", "in_progress")).exists()
    assert Warning.objects.filter(level="red").exists()
    assert assignments.filter(supervision_level__gt=0).exists() or overdue.filter(events__kind="urged").exists()
    # extension requests: pending and approved
    assert ExtensionRequest.objects.filter(status=ExtensionStatus.PENDING).exists()
    assert ExtensionRequest.objects.filter(status=ExtensionStatus.APPROVED).exists()
    # called up: street → department (tier 2) → district government (tier 3)
    assert assignments.filter(status=Status.ESCALATED, tier=1, unit__kind="street").exists()
    tier2 = assignments.filter(tier=2, called_by__isnull=False)
    assert tier2.filter(unit__kind="department", called_by__kind="street").exists()
    tier3 = assignments.filter(tier=3, called_by__isnull=False)
    assert tier3.filter(unit__name="荔湾区人民政府", called_by__kind="department").exists()
    assert orders.filter(pk__in=tier3.values("case_id")).exclude(status=OrderStatus.CLOSED).exists()
    # feedback: mostly satisfied, some dissatisfied; reopened after a dissatisfied call
    ratings = Counter(Feedback.objects.values_list("rating", flat=True))
    assert ratings[Rating.SATISFIED] > ratings[Rating.DISSATISFIED] > 0
    reopened = assignments.filter(reopen_count__gt=0)
    assert reopened.filter(status=Status.REOPENED).exists()
    assert reopened.filter(status=Status.CLOSED).exists()
    assert orders.filter(pk__in=reopened.filter(status=Status.REOPENED).values("case_id"), status="in_progress")
    closed = orders.filter(status=OrderStatus.CLOSED)
    assert Feedback.objects.filter(case_id__in=closed.values("id")).count() >= closed.count() * 0.8
    # merged duplicates point at their parent, in the same street
    for child in orders.filter(status=OrderStatus.MERGED).select_related("parent"):
        assert child.parent is not None and child.parent.street_id == child.street_id
        assert child.parent.status != OrderStatus.MERGED


def test_orders_look_real() -> None:
    load()
    orders = list(WorkOrder.objects.select_related("street", "community", "category", "district"))
    assert {o.district.division_code for o in orders} == {"440103"}
    assert {o.channel for o in orders} >= {"hotline", "grid", "web"}
    for order in orders:
        assert order.street is not None and order.street.name in wd.STREET_PLACES
        assert order.community is None or order.community.parent_id == order.street_id
        assert order.content and order.address.startswith("荔湾区")
        if order.latitude is not None:
            place = wd.STREET_PLACES[order.street.name]
            assert abs(order.latitude - Decimal(str(place.latitude))) < Decimal("0.005")
            assert abs(order.longitude - Decimal(str(place.longitude))) < Decimal("0.005")
        # the post-step: creation time follows the call, not the load
        assert 0 <= (order.created_at - order.received_at).total_seconds() <= 60
        assert order.updated_at >= order.received_at
        assert order.status == OrderStatus.NEW or order.category is not None
    # spread over four months, numbers in the order calls came in
    received = sorted(orders, key=lambda o: o.received_at)
    assert (received[-1].received_at - received[0].received_at).days >= 60
    assert [o.number for o in received] == sorted(o.number for o in orders)
    # dispatch decisions carry the dispatch time, after the call
    for decision in DispatchDecision.objects.select_related("order"):
        assert decision.created_at >= decision.order.received_at
    # every assignment's events are in time order and none in the future
    assert not Assignment.objects.filter(assigned_at__gt=timezone.now()).exists()


def test_routing_rules_and_time_limits() -> None:
    load()
    liwan = Organisation.objects.get(division_code="440103", kind="government")
    streets = Organisation.objects.filter(parent=liwan, kind="street")
    assert streets.count() == 22
    departments = set(Organisation.objects.filter(parent=liwan, kind="department").values_list("short_name", flat=True))
    assert {d for _p, d in DEPARTMENT_RULES} <= departments
    assert {"区住建局", "区交通局", "区生态环境分局", "区市场监管局", "区水务局", "区公安分局"} <= departments
    # 六乱 in a street goes to that street at tier 1; a professional problem to its department
    shamian = streets.get(name="沙面街道")
    luan = Category.objects.get(code="010101")
    assert route(luan, shamian, "") == (shamian, 1)
    assert route(Category.objects.get(code="0702"), shamian, "")[0].short_name == "区市场监管局"
    assert route(Category.objects.get(code="0601"), shamian, "")[0].short_name == "区规划资源分局"
    assert RoutingRule.objects.filter(street__isnull=False, category_prefix__in=STREET_FIRST).count() == 66
    assert TimeLimitRule.objects.filter(workflow="workorder").count() == len(TIME_LIMITS) + 1  # + the wildcard
    emergency = limits_for("workorder", "complaint", "emergency", "010101")
    assert (emergency.accept.amount, emergency.accept.unit) == (30, "minutes")
    assert (emergency.resolve.amount, emergency.resolve.unit) == (24, "hours")
    complaint = limits_for("workorder", "complaint", "normal", "0801")
    assert (complaint.resolve.amount, complaint.resolve.unit) == (5, "working_days")
    consultation = limits_for("workorder", "consultation", "normal", "0902")
    assert (consultation.resolve.amount, consultation.resolve.unit) == (1, "working_days")


def test_second_run_creates_nothing() -> None:
    load()
    before = snapshot()
    output = load()
    assert "already loaded" in output
    assert snapshot() == before
    audit = AuditEntry.objects.count()
    load("--force")
    assert snapshot() == before
    assert AuditEntry.objects.count() == audit + 1  # only the new marker


def test_open311_demo_key_works() -> None:
    load()
    token = ApiToken.objects.get(name="Open311 演示客户端")
    assert token.user.username == DEMO_OPEN311_CLIENT
    client = Client()
    response = client.post("/open311/v2/requests.json", post_data(DEMO_OPEN311_KEY))
    assert response.status_code == 201, response.content
    number = response.json()[0]["service_request_id"]
    assert WorkOrder.objects.get(number=number).created_by == token.user
    listed = client.get("/open311/v2/requests.json", {"page_size": 200}).json()
    assert len(listed) > 10
    assert any(r["agency_responsible"] for r in listed)
    assert {r["status"] for r in listed} == {"open", "closed"}


def test_plans_are_deterministic_and_cover_every_fate() -> None:
    first = plan_orders(80, FROZEN, 7)
    second = plan_orders(80, FROZEN, 7)
    assert [(p.external_id, p.content, p.received_at) for p in first] == [
        (p.external_id, p.content, p.received_at) for p in second
    ]
    fates = {p.fate for p in first}
    assert {Fate.NEW, Fate.MERGED, Fate.OVERDUE, Fate.ESCALATED_3, Fate.REOPENED, Fate.CLOSED} <= fates
    assert all(p.received_at <= FROZEN for p in first)
    import random

    assert len(fate_list(3000, random.Random(1))) == 3000
