"""The history of a work order, as the console, the inbox, the tracking page and the API
show it: its one event log (:mod:`huying.handling.history`) — the engine's events of its
assignments (assigned, accepted, urged, extension decisions, feedback…) and the order's own
steps (received, status changes, merges), written by :mod:`huying.workorders.transitions`
and :mod:`huying.workorders.actions`. The audit log is not read here. Two queries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from huying.handling.choices import EventKind, EventScope, Rating
from huying.handling.history import timeline
from huying.handling.models import CaseEvent
from huying.workorders.choices import OrderEventKind, OrderStatus
from huying.workorders.models import WorkOrder


def _when(value: Any) -> str:
    parsed = parse_datetime(value) if isinstance(value, str) else value
    if not isinstance(parsed, datetime):
        return ""
    return timezone.localtime(parsed).strftime("%Y-%m-%d %H:%M")


def _event_note(event: CaseEvent) -> str:
    data = event.data or {}
    parts: list[str] = []
    if event.kind == EventKind.FEEDBACK:
        rating = data.get("rating")
        if rating in Rating.values:
            parts.append(str(Rating(rating).label))
        solved = data.get("solved")
        if solved is not None:
            parts.append(pgettext("feedback answer", "solved") if solved else pgettext("feedback answer", "not solved"))
        if data.get("attributable_to_unit"):
            parts.append(_("attributable to the unit"))
    elif event.kind == EventKind.EXTENSION_REQUESTED and data.get("requested_due"):
        parts.append(_("until %(when)s") % {"when": _when(data["requested_due"])})
    elif event.kind == EventKind.EXTENSION_APPROVED and data.get("resolve_due"):
        parts.append(_("new deadline %(when)s") % {"when": _when(data["resolve_due"])})
    elif event.kind == EventKind.RESOLVED and data.get("evidence"):
        parts.append(_("%(n)d evidence files") % {"n": len(data["evidence"])})
    if event.note:
        parts.append(event.note)
    return " · ".join(parts)


def event_note(event: CaseEvent) -> str:
    """The note of one step of an order's history as the timeline shows it (registered as
    the work orders' note formatter in ``apps.py``): the engine's feedback, extension and
    evidence details; for the order's own steps its new status, the duplicates merged, the
    orders moved."""
    if event.scope == EventScope.ASSIGNMENT:
        return _event_note(event)
    data = event.data or {}
    if event.kind == OrderEventKind.STATUS:
        to = event.to_status
        label = str(OrderStatus(to).label) if to in OrderStatus.values else ""
        # The engine's event of the same step carries the note, except for the order's
        # own moves (cancelled, merged).
        own = to in (OrderStatus.CANCELLED, OrderStatus.MERGED)
        return " · ".join(p for p in (label, event.note if own else "") if p)
    if event.kind == OrderEventKind.MERGED:
        note = "、".join(data.get("children") or [])
        return f"{note} · {data['reason']}" if data.get("reason") else note
    if event.kind == OrderEventKind.MERGE_MOVED:
        return "、".join(data.get("orders") or [])
    return event.note


# The API has always named the order's own steps by these codes: kept for its clients.
API_KINDS = {
    OrderEventKind.RECEIVED: "workorder.intake",
    OrderEventKind.STATUS: "workorder.status",
    OrderEventKind.MERGED: "workorder.merge",
    OrderEventKind.MERGE_MOVED: "workorder.merge_moved",
}


def order_timeline(order: WorkOrder) -> list[dict[str, Any]]:
    """``[{at, kind, title, who, unit, note}]``, oldest first: the order's history, read
    from its one event log (:func:`huying.handling.history.timeline`)."""
    items = timeline(order)
    for item in items:
        if item["scope"] == EventScope.CASE:
            item["kind"] = API_KINDS.get(item["kind"], item["kind"])
    return items
