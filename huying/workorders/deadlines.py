"""The order's nearest deadline, stored on the order for the console's 督办 queue.

An order needs the command centre (督办) while one of its open assignments has a running
stage in its warning window or past its deadline (:mod:`huying.handling.supervision`).
Asked live, that is a join from the district's orders to their assignments; at ten
million orders PostgreSQL answers it by reading the district (docs/workorders-benchmark.md).
But the times involved change only when an assignment moves — the clock alone never moves
a deadline — so the order keeps two of them, recomputed by the engine's adapter inside
every move of one of its assignments (:func:`huying.workorders.transitions.on_assignment_move`):

- ``next_warn_at``: the earliest moment a running stage turns yellow (its warning time,
  or its deadline when it has none);
- ``next_due``: the earliest deadline of a running stage.

Both are empty while nothing runs (not dispatched, resolved, closed). At any ``now`` the
order is flagged when ``next_warn_at <= now`` and red (overdue) when ``next_due < now``,
the same answers as :meth:`AssignmentQuerySet.overdue` / ``due_soon`` over its
assignments (``test_summary.py::test_the_stored_nearest_deadline_gives_the_live_queue_at_any_moment``),
read from one partial index.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from itertools import groupby
from operator import attrgetter
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from huying.handling.choices import OPEN_STATUSES
from huying.handling.models import Assignment
from huying.handling.supervision import running_stages
from huying.workorders.models import WorkOrder

BATCH = 2_000
FIELDS = ("next_warn_at", "next_due")


def nearest(assignments: Iterable[Any]) -> tuple[datetime | None, datetime | None]:
    """``(next_warn_at, next_due)`` over ``assignments`` (any objects with the assignment's
    fields; closed ones have no running stage)."""
    warns: list[datetime] = []
    dues: list[datetime] = []
    for a in assignments:
        for _stage, due, warn in running_stages(a):
            dues.append(due)
            warns.append(min(warn, due) if warn is not None else due)
    return (min(warns) if warns else None, min(dues) if dues else None)


def _open_assignments() -> Any:
    return Assignment.objects.filter(
        case_type=ContentType.objects.get_for_model(WorkOrder), status__in=OPEN_STATUSES
    ).only(
        "case_id",
        "status",
        "responded_at",
        *(f"{s}_{c}" for s in ("accept", "respond", "resolve") for c in ("due", "warn_at")),
    )


def refresh(order_id: int) -> None:
    """Recompute one order's deadlines from its open assignments. Called in the move's
    transaction after the order row is locked (the adapter), so two moves on the same
    order's assignments cannot write a stale pair."""
    warn, due = nearest(_open_assignments().filter(case_id=order_id))
    WorkOrder.objects.filter(pk=order_id).exclude(next_warn_at=warn, next_due=due).update(
        next_warn_at=warn, next_due=due
    )


_local = threading.local()


@contextmanager
def deferred() -> Iterator[None]:
    """For a bulk load by a single writer (the demo's generated history, with
    ``summary.deferred``): inside the block a move only notes its order (:func:`note`), and
    the block recomputes each noted order once at its end, in the caller's transaction —
    the values recomputing at every move leaves, as only the last one counts (tested).
    Runs inside ``transaction.atomic``; not nested."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("deadlines.deferred() must run inside the transaction that makes the moves.")
    if getattr(_local, "orders", None) is not None:
        raise RuntimeError("deadlines.deferred() blocks do not nest.")
    noted: set[int] = set()
    _local.orders = noted
    try:
        yield
        refresh_many(sorted(noted))
    finally:
        _local.orders = None


def note(order_id: int) -> bool:
    """Inside :func:`deferred`: remember ``order_id`` for the block's end and say True;
    otherwise False (the caller refreshes now)."""
    noted: set[int] | None = getattr(_local, "orders", None)
    if noted is None:
        return False
    noted.add(order_id)
    return True


def refresh_many(order_ids: list[int]) -> None:
    """:func:`refresh` for many orders: one read of their open assignments, one update."""
    if not order_ids:
        return
    by_order: dict[int, list[Any]] = {pk: [] for pk in order_ids}
    for a in _open_assignments().filter(case_id__in=order_ids):
        by_order[a.case_id].append(a)
    rows = [WorkOrder(pk=pk, **dict(zip(FIELDS, nearest(group), strict=True))) for pk, group in by_order.items()]
    WorkOrder.objects.bulk_update(rows, FIELDS)


def rebuild() -> int:
    """Recompute every order's deadlines (after a bulk load that bypassed the engine: the
    benchmark's generator, a restore). Returns the number of orders with a running stage."""
    with transaction.atomic():
        WorkOrder.objects.filter(next_warn_at__isnull=False).update(next_warn_at=None, next_due=None)
        pending: list[WorkOrder] = []
        flagged = 0
        rows = _open_assignments().order_by("case_id").iterator(chunk_size=BATCH)
        for case_id, group in groupby(rows, key=attrgetter("case_id")):
            warn, due = nearest(group)
            if warn is None:
                continue
            pending.append(WorkOrder(pk=case_id, next_warn_at=warn, next_due=due))
            flagged += 1
            if len(pending) >= BATCH:
                WorkOrder.objects.bulk_update(pending, FIELDS)
                pending = []
        if pending:
            WorkOrder.objects.bulk_update(pending, FIELDS)
    return flagged
