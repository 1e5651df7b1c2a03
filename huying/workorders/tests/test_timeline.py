"""A work order's timeline through its whole journey — intake, dispatch, accept, progress,
extension, urge, resolve, a dissatisfied feedback call that reopens it, resolve again,
close, and a duplicate merged into it — reads the same on the console, the inbox and the
API: the engine's steps of its units and the order's own steps (received, status changes,
merges), oldest first, in words."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.test import Client
from django.utils import timezone

from conftest import Tree
from huying.accounts.models import User
from huying.handling import transitions as engine
from huying.handling.models import Assignment
from huying.workorders import actions
from huying.workorders.choices import Channel
from huying.workorders.history import order_timeline
from huying.workorders.models import WorkOrder
from huying.workorders.tests.conftest import order_data

# (kind, title, unit, note) of each step, oldest first.
JOURNEY = [
    ("workorder.intake", "工单受理", "", ""),
    ("assigned", "已派单", "沙面街道", "派单"),
    ("workorder.status", "状态变更", "", "已派单"),
    ("accepted", "已签收", "沙面街道", ""),
    ("workorder.status", "状态变更", "", "办理中"),
    ("progress", "办理进展", "沙面街道", "已到现场"),
    ("extension_requested", "申请延期", "沙面街道", "申请延至 {until} · 需协调城管"),
    ("extension_approved", "同意延期", "沙面街道", "新期限 {until} · 同意"),
    ("urged", "催办通知", "沙面街道", "请尽快办结"),
    ("workorder.merge", "并入本单的重复工单", "", "{twin} · 同一事项重复来电"),
    ("resolved", "已办结", "沙面街道", "已清理"),
    ("workorder.status", "状态变更", "", "已办结"),
    ("feedback", "已回访", "沙面街道", "不满意 · 未解决 · 属承办单位原因 · 仍有摆卖"),
    ("reopened", "重办中", "沙面街道", "回访不满意且属承办单位原因：仍有摆卖"),
    ("workorder.status", "状态变更", "", "办理中"),
    ("resolved", "已办结", "沙面街道", "已彻底清理"),
    ("workorder.status", "状态变更", "", "已办结"),
    # 结案: the order is closed first, then its resolved assignments (workorders.actions.do_close).
    ("workorder.status", "状态变更", "", "已结案"),
    ("closed", "已结案", "沙面街道", "回访满意"),
]
TWIN = [
    ("workorder.intake", "工单受理", "", ""),
    ("workorder.status", "状态变更", "", "已并单 · 并入 {order}：同一事项重复来电"),
]


def _journey(tree: Tree, dispatcher: User, street_handler: User) -> tuple[WorkOrder, WorkOrder, Assignment, str]:
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        order = actions.do_intake(dispatcher, order_data(), Channel.HOTLINE).order
        twin = actions.do_intake(dispatcher, order_data(external_id="GZ12345-0002"), Channel.HOTLINE).order
        clock.shift(60)
        lead = actions.do_dispatch(dispatcher, order, tree.street, note="派单")[0]
        clock.shift(60)
        engine.do_accept(street_handler, lead)
        clock.shift(60)
        engine.do_add_progress(street_handler, lead, note="已到现场")
        clock.shift(60)
        lead.refresh_from_db()
        request = engine.do_request_extension(
            street_handler, lead, until=lead.resolve_due + timedelta(days=3), reason="需协调城管"
        )
        clock.shift(60)
        lead.refresh_from_db()
        engine.do_approve_extension(dispatcher, request, note="同意")
        clock.shift(60)
        engine.do_urge(dispatcher, Assignment.objects.get(pk=lead.pk), "请尽快办结")
        clock.shift(60)
        order.refresh_from_db()
        actions.do_merge(dispatcher, order, [twin], reason="同一事项重复来电")
        clock.shift(60)
        actions.do_resolve(street_handler, Assignment.objects.get(pk=lead.pk), result="已清理")
        clock.shift(60)
        actions.do_record_feedback(
            dispatcher,
            WorkOrder.objects.get(pk=order.pk),
            rating="dissatisfied",
            solved=False,
            attributable_to_unit=True,
            comment="仍有摆卖",
            rater_name="张三",
        )
        clock.shift(60)
        actions.do_resolve(street_handler, Assignment.objects.get(pk=lead.pk), result="已彻底清理")
        clock.shift(60)
        actions.do_close(dispatcher, WorkOrder.objects.get(pk=order.pk), note="回访满意")
    until = timezone.localtime(request.requested_due).strftime("%Y-%m-%d %H:%M")
    return order, twin, lead, until


def _expected(order: WorkOrder, twin: WorkOrder, until: str) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    fill = {"order": order.number, "twin": twin.number, "until": until}
    return (
        [(k, t, u, n.format(**fill)) for k, t, u, n in JOURNEY],
        [(k, t, u, n.format(**fill)) for k, t, u, n in TWIN],
    )


def test_the_timeline_of_a_whole_journey(
    client: Client, tree: Tree, dispatcher: User, street_handler: User, admin: User
) -> None:
    order, twin, lead, until = _journey(tree, dispatcher, street_handler)
    journey, merged = _expected(order, twin, until)
    steps = order_timeline(order)
    assert [(i["kind"], str(i["title"]), i["unit"], i["note"]) for i in steps] == journey
    assert [i["at"] for i in steps] == sorted(i["at"] for i in steps)
    assert {i["who"] for i in steps} <= {str(dispatcher), str(street_handler)}
    assert [(i["kind"], str(i["title"]), i["unit"], i["note"]) for i in order_timeline(twin)] == merged

    client.force_login(dispatcher)
    api = client.get(f"/api/v1/workorders/{order.number}/timeline").json()
    assert [(i["kind"], i["title"], i["unit"], i["note"]) for i in api] == journey
    assert set(api[0]) == {"at", "kind", "title", "who", "unit", "note"}
    page = client.get(f"/workorders/console/{order.pk}/").content.decode()
    for _kind, title, _unit, note in journey:
        assert title in page and note.split(" · ")[-1] in page
    client.force_login(street_handler)
    inbox = client.get(f"/workorders/inbox/{lead.pk}/").content.decode()
    assert "并入本单的重复工单" in inbox and "仍有摆卖" in inbox


def test_the_tracking_page_shows_a_merged_report_at_its_merge(
    client: Client, tree: Tree, dispatcher: User, street_handler: User
) -> None:
    _order, twin, _lead, _until = _journey(tree, dispatcher, street_handler)
    from huying.workorders.tracking import tracked

    view = tracked(WorkOrder.objects.get(pk=twin.pk))
    merged_step = next(step for step in view.steps if step.kind == "merged")
    assert merged_step.time == order_timeline(twin)[-1]["at"]
