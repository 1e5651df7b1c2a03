"""The only writer of ``WorkOrder.status``.

Two ways in:

- :func:`on_assignment_move`, the work-order adapter of the handling engine (registered
  as the ``workorder`` policy's ``on_move``): the engine calls it inside the transaction
  of every move on a work order's assignment, and it keeps the order's status in step
  with its **lead** unit (co-handling units do not move the order) — see :data:`FOLLOWS`;
- :func:`move`, for the order's own steps in :mod:`huying.workorders.actions` (closing,
  cancelling, merging).

Each status change is a step in the order's history (:mod:`huying.workorders.history`) and
an audit entry. Illegal moves raise a ValidationError naming ``status``; a stale
``version`` raises one too, and nothing changes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from huying.audit.actions import record
from huying.handling.choices import LEAD_ROLES
from huying.handling.history import append
from huying.handling.policy import Moved
from huying.workorders import deadlines, summary
from huying.workorders.choices import OrderEventKind, OrderStatus
from huying.workorders.models import WorkOrder

ALLOWED: dict[str, frozenset[str]] = {
    OrderStatus.NEW: frozenset({OrderStatus.DISPATCHED, OrderStatus.MERGED, OrderStatus.CANCELLED}),
    OrderStatus.DISPATCHED: frozenset(
        {OrderStatus.IN_PROGRESS, OrderStatus.RESOLVED, OrderStatus.NEW, OrderStatus.MERGED, OrderStatus.CANCELLED}
    ),
    OrderStatus.IN_PROGRESS: frozenset(
        {OrderStatus.RESOLVED, OrderStatus.DISPATCHED, OrderStatus.NEW, OrderStatus.MERGED}
    ),
    OrderStatus.RESOLVED: frozenset({OrderStatus.CLOSED, OrderStatus.IN_PROGRESS}),
    OrderStatus.CLOSED: frozenset(),
    OrderStatus.MERGED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}


def can_move(order: WorkOrder, to: str) -> bool:
    return to in ALLOWED.get(order.status, frozenset())


@transaction.atomic
def move(
    actor: Any,
    order: WorkOrder,
    to: str,
    *,
    version: int | None = None,
    note: str = "",
    now: datetime | None = None,
) -> WorkOrder:
    """Change ``order``'s status to ``to`` if the move is legal and nobody changed the order
    since ``version`` (the caller's copy when omitted). Callers check who may do it. The
    step goes into the order's history (at ``now``, default the present) and the audit log."""
    expected = order.version if version is None else version
    if not can_move(order, to):
        raise ValidationError(
            {
                "status": _("A work order cannot go from “%(from)s” to “%(to)s”.")
                % {"from": order.get_status_display(), "to": OrderStatus(to).label}
            }
        )
    with summary.tracking([order.pk]):
        updated = WorkOrder.objects.filter(pk=order.pk, version=expected, status=order.status).update(
            status=to, version=F("version") + 1
        )
    if not updated:
        raise ValidationError({"version": _("Someone else changed this work order meanwhile; reload it and retry.")})
    old = order.status
    order.refresh_from_db(fields=["status", "version", "updated_at"])
    append(order, OrderEventKind.STATUS, actor, from_status=old, to_status=to, note=note, now=now)
    record(actor, "workorder.status", order, {"status": [old, to], "note": note})
    return order


# The order's status after a move of its lead assignment: (status wanted, the statuses it
# is taken from). Moves not listed (progress notes, urging, extensions, closing and
# cancelling an assignment as part of the order's own closing or merging) leave it.
FOLLOWS: dict[str, tuple[str, tuple[str, ...]]] = {
    # 派单 / 改派: a new lead unit has the order.
    "assign": (OrderStatus.DISPATCHED, (OrderStatus.NEW, OrderStatus.IN_PROGRESS)),
    "accept": (OrderStatus.IN_PROGRESS, (OrderStatus.DISPATCHED,)),
    "overrule_objection": (OrderStatus.IN_PROGRESS, (OrderStatus.DISPATCHED,)),
    # 退单: back to the dispatcher's queue.
    "return": (OrderStatus.NEW, (OrderStatus.DISPATCHED,)),
    # 改派 withdraws the lead first: the order waits for the dispatcher (then "assign").
    "cancel": (OrderStatus.NEW, (OrderStatus.DISPATCHED, OrderStatus.IN_PROGRESS)),
    "resolve": (OrderStatus.RESOLVED, (OrderStatus.DISPATCHED, OrderStatus.IN_PROGRESS)),
    # 上呼: the called unit has to accept it.
    "escalate": (OrderStatus.DISPATCHED, (OrderStatus.IN_PROGRESS, OrderStatus.DISPATCHED)),
    # 重办, by the centre or after a dissatisfied feedback call.
    "reopen": (OrderStatus.IN_PROGRESS, (OrderStatus.RESOLVED,)),
}


def on_assignment_move(moved: Moved) -> None:
    """The engine's adapter for work orders (see the module docstring). Every move also
    recomputes the order's nearest deadline (:mod:`huying.workorders.deadlines`), with the
    order row locked so that moves of two of its assignments cannot interleave."""
    order = WorkOrder.objects.select_for_update().get(pk=moved.assignment.case_id)
    if not deadlines.note(order.pk):  # noted: a bulk load's block recomputes it at its end
        deadlines.refresh(order.pk)
    if moved.assignment.role not in LEAD_ROLES or moved.action not in FOLLOWS:
        return
    to, sources = FOLLOWS[moved.action]
    if order.status != to and order.status in sources:
        move(moved.actor, order, to, note=moved.event.note, now=moved.now)
