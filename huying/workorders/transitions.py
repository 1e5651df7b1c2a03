"""The only writer of ``WorkOrder.status``.

The moves of the dispatch workflow (dispatch, accept, resolve, close, merge, cancel) are
recorded here; the handling engine (huying.handling) keeps the per-unit assignments and
their deadlines, and the dispatch actions built on it call :func:`move` to keep the order's
own status in step. Illegal moves raise a ValidationError naming ``status``; a stale
``version`` raises one too, and nothing changes.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from huying.audit.actions import record
from huying.workorders.choices import OrderStatus
from huying.workorders.models import WorkOrder

ALLOWED: dict[str, frozenset[str]] = {
    OrderStatus.NEW: frozenset({OrderStatus.DISPATCHED, OrderStatus.MERGED, OrderStatus.CANCELLED}),
    OrderStatus.DISPATCHED: frozenset(
        {OrderStatus.IN_PROGRESS, OrderStatus.RESOLVED, OrderStatus.NEW, OrderStatus.MERGED, OrderStatus.CANCELLED}
    ),
    OrderStatus.IN_PROGRESS: frozenset({OrderStatus.RESOLVED, OrderStatus.DISPATCHED, OrderStatus.MERGED}),
    OrderStatus.RESOLVED: frozenset({OrderStatus.CLOSED, OrderStatus.IN_PROGRESS}),
    OrderStatus.CLOSED: frozenset(),
    OrderStatus.MERGED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}


def can_move(order: WorkOrder, to: str) -> bool:
    return to in ALLOWED.get(order.status, frozenset())


@transaction.atomic
def move(actor: Any, order: WorkOrder, to: str, *, version: int | None = None, note: str = "") -> WorkOrder:
    """Change ``order``'s status to ``to`` if the move is legal and nobody changed the order
    since ``version`` (the caller's copy when omitted). Callers check who may do it."""
    expected = order.version if version is None else version
    if not can_move(order, to):
        raise ValidationError(
            {
                "status": _("A work order cannot go from “%(from)s” to “%(to)s”.")
                % {"from": order.get_status_display(), "to": OrderStatus(to).label}
            }
        )
    updated = WorkOrder.objects.filter(pk=order.pk, version=expected, status=order.status).update(
        status=to, version=F("version") + 1
    )
    if not updated:
        raise ValidationError({"version": _("Someone else changed this work order meanwhile; reload it and retry.")})
    old = order.status
    order.refresh_from_db(fields=["status", "version", "updated_at"])
    record(actor, "workorder.status", order, {"status": [old, to], "note": note})
    return order
