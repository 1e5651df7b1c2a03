"""A work order's own steps — received, status changes, merges — were read back from its
audit entries; they are now steps of its one event log (the handling engine's
``CaseEvent``, scope *case*), written by the workflow. This copies every existing
``workorder.intake``, ``workorder.status``, ``workorder.merge`` and
``workorder.merge_moved`` entry into that log (same time, actor and details), so the
timelines read as before. The audit entries stay (the audit log is append-only and remains
the auditors' record). Idempotent: a step already in the log is not copied again. The
reverse removes the orders' own steps (the old code reads the audit entries again)."""

from typing import Any

from django.conf import settings
from django.db import migrations

CHUNK = 2000
KINDS = {
    "workorder.intake": "received",
    "workorder.status": "status",
    "workorder.merge": "merged",
    "workorder.merge_moved": "merge_moved",
}


def _order_type(apps: Any) -> Any:
    content_type, _ = apps.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label="workorders", model="workorder"
    )
    return content_type


def _step(entry: Any) -> dict[str, Any]:
    """Statuses, note and data of the step an audit entry recorded (the shapes written by
    workorders.transitions.move and workorders.actions.do_intake / do_merge)."""
    changes = dict(entry.changes or {})
    if entry.action == "workorder.status":
        pair = changes.pop("status", None) or ["", ""]
        note = str(changes.pop("note", "") or "")
        return {
            "from_status": str(pair[0] or "")[:20] if len(pair) > 1 else "",
            "to_status": str(pair[-1] or "")[:20],
            "note": note,
            "data": changes,
        }
    if entry.action == "workorder.merge":
        return {"note": str(changes.get("reason") or ""), "data": changes}
    return {"data": changes}


def forward(apps: Any, schema_editor: Any) -> None:
    AuditEntry = apps.get_model("audit", "AuditEntry")
    CaseEvent = apps.get_model("handling", "CaseEvent")
    WorkOrder = apps.get_model("workorders", "WorkOrder")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    order_type = _order_type(apps)
    orders = set(WorkOrder.objects.values_list("pk", flat=True))
    people = set(User.objects.values_list("pk", flat=True))
    done = set(
        CaseEvent.objects.filter(case_type=order_type, scope="case", kind__in=KINDS.values()).values_list(
            "case_id", "kind", "created_at"
        )
    )
    entries = AuditEntry.objects.filter(object_type="workorders.workorder", action__in=KINDS).order_by(
        "created_at", "id"
    )
    batch: list[Any] = []
    for entry in entries.iterator(CHUNK):
        try:
            order_id = int(entry.object_id)
        except (TypeError, ValueError):
            continue
        key = (order_id, KINDS[entry.action], entry.created_at)
        if order_id not in orders or key in done:
            continue
        done.add(key)
        batch.append(
            CaseEvent(
                assignment=None,
                case_type=order_type,
                case_id=order_id,
                scope="case",
                kind=KINDS[entry.action],
                actor_id=entry.actor_id if entry.actor_id in people else None,
                actor_name=entry.actor_name,
                created_at=entry.created_at,
                **_step(entry),
            )
        )
        if len(batch) >= CHUNK:
            CaseEvent.objects.bulk_create(batch)
            batch = []
    CaseEvent.objects.bulk_create(batch)


def backward(apps: Any, schema_editor: Any) -> None:
    CaseEvent = apps.get_model("handling", "CaseEvent")
    CaseEvent.objects.filter(case_type=_order_type(apps), scope="case", kind__in=KINDS.values()).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_append_only_triggers"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("handling", "0005_caseevent_scope"),
        ("workorders", "0006_shared_counter_and_files"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
