"""The timeline of a work order, as the console, the inbox and the API show it: the
engine's events of its assignments (assigned, accepted, urged, extension decisions,
feedback…) and the order's own audit entries (received, status changes, merges). Two
queries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from huying.audit.models import AuditEntry
from huying.handling.choices import EventKind, Rating
from huying.handling.models import CaseEvent
from huying.workorders.choices import OrderStatus
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


TITLES = {
    "workorder.intake": lambda: _("Order received"),
    "workorder.status": lambda: _("Status changed"),
    "workorder.merge": lambda: _("Duplicates merged into this order"),
    "workorder.merge_moved": lambda: _("Merged orders moved to the new parent"),
}


def order_timeline(order: WorkOrder) -> list[dict[str, Any]]:
    """``[{at, kind, title, who, unit, note}]``, oldest first."""
    events = CaseEvent.objects.filter(
        case_type=ContentType.objects.get_for_model(WorkOrder), case_id=order.pk
    ).select_related("assignment__unit")
    items: list[dict[str, Any]] = [
        {
            "at": e.created_at,
            "kind": e.kind,
            "title": e.get_kind_display(),
            "who": e.actor_name,
            "unit": e.assignment.unit.name if e.assignment else "",
            "note": _event_note(e),
        }
        for e in events
    ]
    for entry in AuditEntry.objects.filter(
        object_type=WorkOrder._meta.label_lower, object_id=str(order.pk), action__in=list(TITLES)
    ):
        changes = entry.changes or {}
        note = ""
        if entry.action == "workorder.status":
            to = (changes.get("status") or ["", ""])[-1]
            label = str(OrderStatus(to).label) if to in OrderStatus.values else ""
            # The engine's event of the same step carries the note, except for the order's
            # own moves (cancelled, merged).
            own = to in (OrderStatus.CANCELLED, OrderStatus.MERGED)
            note = " · ".join(p for p in (label, str(changes.get("note") or "") if own else "") if p)
        elif entry.action == "workorder.merge":
            note = "、".join(changes.get("children") or [])
            if changes.get("reason"):
                note = f"{note} · {changes['reason']}"
        elif entry.action == "workorder.merge_moved":
            note = "、".join(changes.get("orders") or [])
        items.append(
            {
                "at": entry.created_at,
                "kind": entry.action,
                "title": TITLES[entry.action](),
                "who": entry.actor_name,
                "unit": "",
                "note": note,
            }
        )
    items.sort(key=lambda item: item["at"])
    return items
