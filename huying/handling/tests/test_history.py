"""One history per case (huying.handling.history): the kinds registry, the reader and the
writer of a case's own steps; and no timeline is built from the audit log."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import translation

from huying.handling.choices import EventKind, EventScope, Status
from huying.handling.history import (
    append,
    events_for,
    kind_label,
    register_kinds,
    status_label,
    timeline,
    unregister_kinds,
)
from huying.handling.models import CaseEvent
from huying.handling.tests.conftest import T0
from huying.handling.transitions import do_accept
from huying.organisations.models import Organisation

CASE_MODEL = "organisations.organisation"  # the engine tests' case (see conftest)
PACKAGE = Path(__file__).resolve().parents[2]


@pytest.fixture
def registered() -> Iterator[None]:
    register_kinds(
        CASE_MODEL,
        [("opened", "立项"), ("assigned", "已派给承办单位")],
        statuses=[("open", "进行中"), ("done", "已办结")],
        note=lambda event: f"〔{event.note}〕" if event.scope == EventScope.CASE else event.note,
    )
    yield
    unregister_kinds(CASE_MODEL)


def test_the_engine_kinds_and_statuses_are_registered_by_default() -> None:
    assert kind_label("urged", scope=EventScope.ASSIGNMENT) == str(EventKind.URGED.label)
    assert status_label("accepted", scope=EventScope.ASSIGNMENT) == str(Status.ACCEPTED.label)
    assert kind_label("unknown_kind") == "unknown_kind"


@pytest.mark.usefixtures("registered")
def test_one_kind_name_two_meanings_told_apart_by_scope() -> None:
    # A workflow's "assigned" (the case was given to units) is not the engine's "assigned"
    # (one unit got the case); both live in the one log, the scope tells them apart.
    assert kind_label("assigned", CASE_MODEL, scope=EventScope.CASE) == "已派给承办单位"
    assert kind_label("assigned", CASE_MODEL, scope=EventScope.ASSIGNMENT) == str(EventKind.ASSIGNED.label)
    # A case step of an engine kind the workflow does not name falls back to the engine's label.
    assert kind_label("progress", CASE_MODEL) == str(EventKind.PROGRESS.label)
    # Statuses: the case's for its own steps, the assignment's for the units' steps.
    assert status_label("open", CASE_MODEL) == "进行中"
    assert status_label("accepted", CASE_MODEL, scope=EventScope.ASSIGNMENT) == str(Status.ACCEPTED.label)
    assert status_label("accepted", CASE_MODEL) == "accepted"


def test_the_workflows_register_their_kinds_in_ready() -> None:
    with translation.override("zh-hans"):  # whatever language an earlier test left active
        assert kind_label("filed", "proposals.proposal") == "已立案"
        assert kind_label("assigned", "proposals.proposal") == "已交办"
        assert kind_label("received", "workorders.workorder") == "工单受理"
        assert status_label("merged", "workorders.workorder") == "已并单"


@pytest.mark.usefixtures("registered")
def test_a_case_step_is_written_with_its_actor_time_and_statuses(case: Organisation, people: Any) -> None:
    event = append(
        case, "opened", people.dispatcher, from_status="", to_status="open", note="立项", data={"n": 1}, now=T0
    )
    event.refresh_from_db()
    assert (event.scope, event.assignment_id, event.case_id) == (EventScope.CASE, None, case.pk)
    assert event.actor == people.dispatcher and event.actor_name == str(people.dispatcher)
    assert (event.created_at, event.data, event.note) == (T0, {"n": 1}, "立项")
    assert (event.get_kind_display(), event.get_to_status_display(), event.get_from_status_display()) == (
        "立项",
        "进行中",
        "",
    )
    by_system = append(case, "opened", None)
    assert by_system.actor is None and by_system.actor_name == ""


@pytest.mark.usefixtures("registered")
def test_the_reader_gives_one_timeline_of_the_units_and_the_case_steps(
    frozen: Any, case: Organisation, people: Any, make_assignment: Any
) -> None:
    append(case, "opened", people.dispatcher, to_status="open", note="受理")
    frozen.shift(60)
    assignment = make_assignment()
    frozen.shift(60)
    do_accept(people.street_handler, assignment)
    frozen.shift(60)
    append(case, "assigned", people.dispatcher, note="交办")
    entries = timeline(case)
    assert [(e["kind"], e["scope"], e["title"]) for e in entries] == [
        ("opened", "case", "立项"),
        ("assigned", "assignment", str(EventKind.ASSIGNED.label)),
        ("accepted", "assignment", str(EventKind.ACCEPTED.label)),
        ("assigned", "case", "已派给承办单位"),
    ]
    assert [e["unit"] for e in entries] == ["", "沙面街道", "沙面街道", ""]
    assert entries[0]["note"] == "〔受理〕" and entries[0]["who"] == str(people.dispatcher)
    assert [e.kind for e in events_for(case, scope=EventScope.CASE)] == ["opened", "assigned"]
    assert [e.kind for e in events_for(case, scope=EventScope.ASSIGNMENT)] == ["assigned", "accepted"]
    assert [e["kind"] for e in timeline(case, scope=EventScope.CASE)] == ["opened", "assigned"]


def test_an_assignment_step_names_its_assignment(case: Organisation) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseEvent.objects.create(
            case_type=ContentType.objects.get_for_model(case), case_id=case.pk, kind="urged", created_at=T0
        )


# --- no timeline is built from the audit log ----------------------------------------------
def _runtime_files() -> list[Path]:
    return [
        path
        for path in PACKAGE.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts and path.parts[-2] != "audit"
    ]


def _reads_audit(tree: ast.AST) -> bool:
    """Imports the audit log's model or queries it."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "huying.audit.models":
            return True
        if isinstance(node, ast.Name) and node.id == "AuditEntry":
            return True
    return False


def _tells_history(path: Path, tree: ast.AST) -> bool:
    """A module that builds what people read as a case's history: a history or tracking
    module, one that reads the event log through huying.handling.history, or one that
    defines a timeline or history function."""
    if path.name in ("history.py", "tracking.py"):
        return True
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (
            node.module == "huying.handling.history"
            or (node.module == "huying.handling" and any(a.name == "history" for a in node.names))
        ):
            return True
        if isinstance(node, ast.FunctionDef) and ("timeline" in node.name or "history" in node.name):
            return True
    return False


def test_no_timeline_is_built_from_the_audit_log() -> None:
    tellers = []
    wrong = []
    for path in _runtime_files():
        tree = ast.parse(path.read_text(), str(path))
        if _tells_history(path, tree):
            tellers.append(path.relative_to(PACKAGE).as_posix())
            if _reads_audit(tree):
                wrong.append(path.relative_to(PACKAGE).as_posix())
    # The check looks where it should: the reader and both workflows' timelines.
    assert {"handling/history.py", "workorders/history.py", "workorders/tracking.py"} <= set(tellers)
    assert {"proposals/supervision.py", "proposals/transitions.py"} <= set(tellers)
    assert wrong == [], f"built from the audit log: {wrong}"


def test_outside_the_audit_app_only_the_demo_markers_query_the_audit_log() -> None:
    """The audit log is the auditors' record: besides the audit pages themselves only the
    demo loader reads it (its 'already loaded' markers)."""
    readers = set()
    for path in _runtime_files():
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr == "objects"
                and isinstance(node.value, ast.Name)
                and node.value.id == "AuditEntry"
            ):
                readers.add(path.relative_to(PACKAGE).as_posix())
    assert readers <= {"demo/loader.py", "demo/proposals.py"}, readers
