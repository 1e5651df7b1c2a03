"""The platform's own text sources, registered from ``InsightConfig.ready()``.

Work orders: the caller's words (content) followed by the address; the caller's
phone, when given, tells distinct people apart (kept in memory only, never shown).
Proposals: those past the draft stage; title as subject, summary and situation as text;
confirmed co-signers count as support.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from huying.insight.topics import Message


def _local(moment: datetime | None) -> datetime | None:
    """Naive local time: the engine compares plain datetimes."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment is not None else None


def work_orders(since: datetime | None, orders: Any = None) -> Iterator[Message]:
    """All work orders since ``since`` (or those of ``orders``, a visible_to() queryset)."""
    from huying.workorders.models import WorkOrder

    orders = WorkOrder.objects.all() if orders is None else orders
    if since is not None:
        orders = orders.filter(received_at__gte=since)
    for row in orders.values("pk", "content", "address", "received_at", "caller_phone").iterator(chunk_size=2000):
        yield Message(
            id=str(row["pk"]),
            text=" ".join(part for part in (row["content"], row["address"]) if part),
            time=_local(row["received_at"]),
            author=row["caller_phone"] or "",
        )


def proposals(since: datetime | None) -> Iterator[Message]:
    from huying.proposals.choices import CoSignStatus, ProposalStatus
    from huying.proposals.models import Proposal

    rows = Proposal.objects.exclude(status__in=[ProposalStatus.DRAFT, ProposalStatus.WITHDRAWN]).filter(
        submitted_at__isnull=False
    )
    if since is not None:
        rows = rows.filter(submitted_at__gte=since)
    signs = Count("cosigners", filter=Q(cosigners__status=CoSignStatus.CONFIRMED))
    fields = ("pk", "title", "summary", "situation", "submitted_at", "proposer_id", "signs")
    for row in rows.annotate(signs=signs).values(*fields).iterator(chunk_size=2000):
        yield Message(
            id=str(row["pk"]),
            subject=row["title"] or "",
            text=" ".join(part for part in (row["summary"], row["situation"]) if part),
            time=_local(row["submitted_at"]),
            author=f"member-{row['proposer_id']}" if row["proposer_id"] else "",
            extra=row["signs"] or 0,
        )
