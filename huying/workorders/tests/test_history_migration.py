"""A database of the shape before "one history per case" migrates without loss.

Before: a proposal's history was ``ProposalEvent`` rows; a work order's own steps (received,
status changes, merges) were read back from its audit entries. The test builds both cases
through their journeys, migrates back to the state before the history migrations (their
reverse puts the data into the old shape), adds old-shape rows with the historical models
(a proposal event in the past, a status entry by a person since deleted, a merge entry of
the demo loader's shape), computes the timeline the old code showed, migrates forward and
checks that every event is in the one event log with its fields and that the timelines read
the same. Runs on SQLite and PostgreSQL (whatever DATABASE_URL names).
"""

from __future__ import annotations

import importlib
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from conftest import Tree
from huying.accounts.models import User
from huying.accounts.tests.factories import UserFactory
from huying.handling import transitions as engine
from huying.handling.choices import EventKind, EventScope
from huying.handling.models import CaseEvent
from huying.proposals import actions as proposals
from huying.proposals.models import Proposal
from huying.proposals.tests.conftest import make_draft
from huying.workorders import actions
from huying.workorders.choices import Channel, OrderEventKind, OrderStatus
from huying.workorders.history import _event_note, order_timeline
from huying.workorders.models import WorkOrder
from huying.workorders.tests.conftest import order_data

# The first of the history migrations (the others depend on it) and the state before them.
FIRST = ("handling", "0005_caseevent_scope")
STATE_BEFORE = [
    ("handling", "0004_caseevent"),
    ("proposals", "0005_attachments"),
    ("workorders", "0005_district_street_index"),
    ("audit", "0003_append_only_triggers"),
]
# The titles the old timeline gave the audit entries (the same texts as the kinds' labels).
TITLES_BEFORE = {
    "workorder.intake": OrderEventKind.RECEIVED.label,
    "workorder.status": OrderEventKind.STATUS.label,
    "workorder.merge": OrderEventKind.MERGED.label,
    "workorder.merge_moved": OrderEventKind.MERGE_MOVED.label,
}
PAST = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_default_timezone())

pytestmark = pytest.mark.django_db(transaction=True)

# Migrating the whole project back and forth takes over a minute on PostgreSQL (half of that
# on SQLite): it runs once per CI, in the suite's SQLite run. The data these migrations move
# is moved by RunPython over the ORM, with no SQL of an engine's own.
ONCE_ON_SQLITE = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="migrates the project back and forth: the suite's SQLite run covers it"
)


def _migrate_back() -> MigrationExecutor:
    """Unapply the history migrations and whatever came after them, each from the state
    just before it (the executor's own backwards run first renders the state of every
    migration of the project, which takes most of a minute on a busy machine)."""
    executor = MigrationExecutor(connection)
    applied = executor.loader.applied_migrations
    for node in executor.loader.graph.backwards_plan(FIRST):
        if node in applied:
            state = executor.loader.project_state(node, at_end=False)
            executor.unapply_migration(state, executor.loader.graph.nodes[node])
    return MigrationExecutor(connection)


def _migrate_forward() -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    return executor


def _old_order_timeline(apps: Any, order_pk: int) -> list[tuple[Any, ...]]:
    """What the code before the migration showed (workorders/history.py then): the engine's
    events of the order's assignments and its audit entries, sorted by time."""
    CaseEvent = apps.get_model("handling", "CaseEvent")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    order_type = apps.get_model("contenttypes", "ContentType").objects.get(app_label="workorders", model="workorder")
    items = [
        (
            e.created_at,
            e.kind,
            str(EventKind(e.kind).label),
            e.actor_name,
            e.assignment.unit.name if e.assignment else "",
            _event_note(e),
        )
        for e in CaseEvent.objects.filter(case_type=order_type, case_id=order_pk)
        .select_related("assignment__unit")
        .order_by("created_at", "id")
    ]
    for entry in AuditEntry.objects.filter(
        object_type="workorders.workorder", object_id=str(order_pk), action__in=list(TITLES_BEFORE)
    ).order_by("-created_at", "-id"):
        changes = entry.changes or {}
        note = ""
        if entry.action == "workorder.status":
            to = (changes.get("status") or ["", ""])[-1]
            label = str(OrderStatus(to).label) if to in OrderStatus.values else ""
            own = to in (OrderStatus.CANCELLED, OrderStatus.MERGED)
            note = " · ".join(p for p in (label, str(changes.get("note") or "") if own else "") if p)
        elif entry.action == "workorder.merge":
            note = "、".join(changes.get("children") or [])
            if changes.get("reason"):
                note = f"{note} · {changes['reason']}"
        elif entry.action == "workorder.merge_moved":
            note = "、".join(changes.get("orders") or [])
        items.append((entry.created_at, entry.action, str(TITLES_BEFORE[entry.action]), entry.actor_name, "", note))
    items.sort(key=lambda item: item[0])
    return items


def _timeline(order: WorkOrder) -> list[tuple[Any, ...]]:
    return [(i["at"], i["kind"], str(i["title"]), i["who"], i["unit"], i["note"]) for i in order_timeline(order)]


def _proposal_history(client: Client, user: User, proposal: Proposal) -> list[dict[str, Any]]:
    client.force_login(user)
    response = client.get(f"/api/v1/proposals/{proposal.pk}")
    assert response.status_code == 200, response.content
    return response.json()["history"]


def _journeys(tree: Tree, dispatcher: User, street_handler: User, alice: User, bob: User, erin: User) -> dict[str, Any]:
    order = actions.do_intake(dispatcher, order_data(), Channel.HOTLINE).order
    twin = actions.do_intake(dispatcher, order_data(external_id="GZ12345-0002"), Channel.HOTLINE).order
    lead = actions.do_dispatch(dispatcher, order, tree.street)[0]
    engine.do_accept(street_handler, lead)
    actions.do_merge(dispatcher, order, [twin], reason="同一事项重复来电")
    actions.do_resolve(street_handler, lead, result="已清理")
    order.refresh_from_db()
    actions.do_close(dispatcher, order, note="回访完毕")

    session = proposals.do_create_session(
        None,
        cppcc=tree.province_cppcc,
        term=13,
        number=3,
        is_current=True,
        window_opens=PAST.date() - timedelta(days=30),
        window_closes=PAST.date() + timedelta(days=30),
    )
    proposal = make_draft(alice, session, "关于推进中小学课后服务提质的建议", summary="课后服务")
    proposals.do_invite_cosigner(alice, proposal, erin)
    proposals.do_respond_cosign(erin, proposal, confirm=True)
    proposals.do_submit(alice, proposal)
    proposals.do_file(bob, proposal, note="同意立案")
    return {"order": order, "twin": twin, "proposal": proposal}


@pytest.mark.slow  # migrates the database back and forth
@ONCE_ON_SQLITE
def test_the_history_moves_into_the_case_event_log_without_loss(
    client: Client, tree: Tree, dispatcher: User, street_handler: User, alice: User, bob: User
) -> None:
    erin = UserFactory(username="erin", real_name="周燕", roles=[("member", tree.province_cppcc)])
    made = _journeys(tree, dispatcher, street_handler, alice, bob, erin)
    order, twin, proposal = made["order"], made["twin"], made["proposal"]
    history_now = _proposal_history(client, alice, proposal)
    timelines_now = {o.pk: _timeline(o) for o in (order, twin)}
    gone = UserFactory(username="gone", real_name="离职的人")
    gone_pk = gone.pk
    gone.delete()  # the audit row keeps the id of a person deleted since
    try:
        # --- back to the old shape ---------------------------------------------------
        executor = _migrate_back()
        old = executor.loader.project_state(STATE_BEFORE).apps
        ProposalEvent = old.get_model("proposals", "ProposalEvent")
        OldCaseEvent = old.get_model("handling", "CaseEvent")
        AuditEntry = old.get_model("audit", "AuditEntry")
        copied_back = list(ProposalEvent.objects.filter(proposal_id=proposal.pk).order_by("created_at", "id"))
        assert [e.kind for e in copied_back] == [h["kind"] for h in history_now]
        assert not OldCaseEvent.objects.filter(assignment__isnull=True).exists()

        # Old-shape rows the old code wrote: a past proposal event with an actor, a note and
        # data; a status change by a person deleted since (the audit row keeps the id);
        # a merge entry of the demo loader's shape (on the child, naming the parent).
        past = ProposalEvent.objects.create(
            proposal_id=proposal.pk,
            kind="cosigner_declined",
            actor_id=bob.pk,
            note="旧的记录",
            data={"member": bob.pk, "member_name": "李波"},
        )
        ProposalEvent.objects.filter(pk=past.pk).update(created_at=PAST)
        AuditEntry.objects.create(
            actor_id=gone_pk,
            actor_name="离职的人",
            action="workorder.status",
            object_type="workorders.workorder",
            object_id=str(twin.pk),
            changes={"status": ["merged", "merged"], "note": "补记"},
        )
        AuditEntry.objects.create(
            actor_id=dispatcher.pk,
            actor_name=str(dispatcher),
            action="workorder.merge",
            object_type="workorders.workorder",
            object_id=str(twin.pk),
            changes={"parent": order.number, "note": "演示数据"},
        )
        events_before = [
            (e.proposal_id, e.kind, e.from_status, e.to_status, e.actor_id, e.note, e.data, e.created_at)
            for e in ProposalEvent.objects.order_by("created_at", "id")
        ]
        timelines_before = {pk: _old_order_timeline(old, pk) for pk in (order.pk, twin.pk)}
        # The old code showed what today's shows (the order's own steps at the time of their
        # audit entries), plus the two old-shape entries on the twin.
        assert [i[1:] for i in timelines_before[order.pk]] == [i[1:] for i in timelines_now[order.pk]]
        assert len(timelines_before[twin.pk]) == len(timelines_now[twin.pk]) + 2
    finally:
        executor = _migrate_forward()

    # --- forward: every event is in the one log --------------------------------------------
    proposal_type = ContentType.objects.get_for_model(Proposal)
    steps = CaseEvent.objects.filter(case_type=proposal_type, scope=EventScope.CASE).order_by("created_at", "id")
    assert [
        (e.case_id, e.kind, e.from_status, e.to_status, e.actor_id, e.note, e.data, e.created_at) for e in steps
    ] == events_before
    assert all(e.assignment_id is None for e in steps)
    assert steps.get(kind="cosigner_declined").actor_name == "李波"
    assert steps.get(kind="filed").get_to_status_display() == "已立案"
    for pk, before in timelines_before.items():
        assert _timeline(WorkOrder.objects.get(pk=pk)) == before
    status = CaseEvent.objects.get(case_id=twin.pk, kind="status", note="补记")
    assert status.actor_id is None and status.actor_name == "离职的人"
    history = _proposal_history(client, alice, proposal)
    assert history[1:] == history_now
    assert history[0]["kind"] == "cosigner_declined" and history[0]["note"] == "旧的记录"

    # Idempotent: copying the audit entries again adds nothing.
    count = CaseEvent.objects.count()
    latest = executor.loader.project_state().apps
    importlib.import_module("huying.workorders.migrations.0007_history_from_audit").forward(latest, None)
    assert CaseEvent.objects.count() == count
