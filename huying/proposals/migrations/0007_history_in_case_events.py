"""A proposal's history moves into the handling engine's one event log per case: every
``ProposalEvent`` becomes a ``CaseEvent`` of scope *case* (same kind, statuses, actor, note,
data and time). The reverse copies them back. ``0007`` then drops ``ProposalEvent``."""

from typing import Any

from django.db import migrations

CHUNK = 2000


def _proposal_type(apps: Any) -> Any:
    content_type, _ = apps.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label="proposals", model="proposal"
    )
    return content_type


def _name(user: Any) -> str:
    # What User.__str__ says (historical models have no methods).
    return (user.real_name or user.username)[:60] if user is not None else ""


def forward(apps: Any, schema_editor: Any) -> None:
    ProposalEvent = apps.get_model("proposals", "ProposalEvent")
    CaseEvent = apps.get_model("handling", "CaseEvent")
    proposal_type = _proposal_type(apps)
    # Idempotent: a proposal whose steps are already in the event log is not copied again.
    done = set(
        CaseEvent.objects.filter(case_type=proposal_type, scope="case").values_list("case_id", flat=True).distinct()
    )
    batch: list[Any] = []
    for event in ProposalEvent.objects.select_related("actor").order_by("created_at", "id").iterator(CHUNK):
        if event.proposal_id in done:
            continue
        batch.append(
            CaseEvent(
                assignment=None,
                case_type=proposal_type,
                case_id=event.proposal_id,
                scope="case",
                kind=event.kind,
                from_status=event.from_status,
                to_status=event.to_status,
                actor_id=event.actor_id,
                actor_name=_name(event.actor),
                actor_unit=None,
                note=event.note,
                data=event.data,
                created_at=event.created_at,
            )
        )
        if len(batch) >= CHUNK:
            CaseEvent.objects.bulk_create(batch)
            batch = []
    CaseEvent.objects.bulk_create(batch)


def backward(apps: Any, schema_editor: Any) -> None:
    ProposalEvent = apps.get_model("proposals", "ProposalEvent")
    Proposal = apps.get_model("proposals", "Proposal")
    CaseEvent = apps.get_model("handling", "CaseEvent")
    proposal_type = _proposal_type(apps)
    steps = CaseEvent.objects.filter(case_type=proposal_type, scope="case")
    proposals = set(Proposal.objects.values_list("pk", flat=True))
    created_at = ProposalEvent._meta.get_field("created_at")
    auto_now_add, created_at.auto_now_add = created_at.auto_now_add, False  # keep the times
    try:
        batch: list[Any] = []
        for event in steps.order_by("created_at", "id").iterator(CHUNK):
            if event.case_id not in proposals:
                continue
            batch.append(
                ProposalEvent(
                    proposal_id=event.case_id,
                    kind=event.kind,
                    from_status=event.from_status,
                    to_status=event.to_status,
                    actor_id=event.actor_id,
                    note=event.note,
                    data=event.data,
                    created_at=event.created_at,
                )
            )
            if len(batch) >= CHUNK:
                ProposalEvent.objects.bulk_create(batch)
                batch = []
        ProposalEvent.objects.bulk_create(batch)
    finally:
        created_at.auto_now_add = auto_now_add
    steps.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("handling", "0005_caseevent_scope"),
        ("proposals", "0006_shared_counter_and_files"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
