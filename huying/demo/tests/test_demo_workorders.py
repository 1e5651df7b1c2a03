"""The demo work orders of Liwan: every state a dispatcher meets, idempotent loading, and the
Open311 demo key. Time is frozen so that the generated history is the same on every run."""

from __future__ import annotations

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from huying.accounts.models import ApiToken
from huying.demo.workorders import Fate, fate_list, plan_orders
from huying.handling.models import Assignment, ExtensionRequest, Feedback, TimeLimitRule, Warning
from huying.workorders.models import DispatchDecision, RoutingRule, WorkOrder

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
