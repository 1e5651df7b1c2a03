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


# --- streams for the stored topics (refresh.py): rows after a high-water mark ----------


def _after(rows: Any, field: str, stamp: datetime | None, last_id: int) -> Any:
    if stamp is not None:
        rows = rows.filter(Q(**{f"{field}__gt": stamp}) | Q(**{field: stamp, "pk__gt": last_id}))
    return rows.order_by(field, "pk")


def work_order_stream(stamp: datetime | None, last_id: int) -> Iterator[tuple[datetime, int, Message]]:
    """Work orders by the time they were entered (``created_at``: an imported or replayed
    order is new to the refresh even when it was received long ago)."""
    from huying.workorders.models import WorkOrder

    rows = _after(WorkOrder.objects.all(), "created_at", stamp, last_id)
    fields = ("pk", "content", "address", "received_at", "caller_phone", "created_at")
    for row in rows.values(*fields).iterator(chunk_size=2000):
        yield (
            row["created_at"],
            row["pk"],
            Message(
                id=str(row["pk"]),
                text=" ".join(part for part in (row["content"], row["address"]) if part),
                time=_local(row["received_at"]),
                author=row["caller_phone"] or "",
            ),
        )


def proposal_stream(stamp: datetime | None, last_id: int) -> Iterator[tuple[datetime, int, Message]]:
    """Proposals by the time they were submitted (a draft is not read until then)."""
    from huying.proposals.choices import ProposalStatus
    from huying.proposals.models import Proposal

    rows = Proposal.objects.exclude(status__in=[ProposalStatus.DRAFT, ProposalStatus.WITHDRAWN]).filter(
        submitted_at__isnull=False
    )
    fields = ("pk", "title", "summary", "situation", "submitted_at", "proposer_id")
    for row in _after(rows, "submitted_at", stamp, last_id).values(*fields).iterator(chunk_size=2000):
        yield (
            row["submitted_at"],
            row["pk"],
            Message(
                id=str(row["pk"]),
                subject=row["title"] or "",
                text=" ".join(part for part in (row["summary"], row["situation"]) if part),
                time=_local(row["submitted_at"]),
                author=f"member-{row['proposer_id']}" if row["proposer_id"] else "",
            ),
        )


def suggestions(since: datetime | None) -> Iterator[Message]:
    for _stamp, _pk, message in suggestion_stream(since, 0):
        yield message


def suggestions_eligible() -> Any:
    """Suggestions whose texts may stay in topics: those the moderators have not hidden.
    A suggestion hidden after it was placed leaves its topic at the next refresh; one
    restored later is read again by the next full recompute (the stream follows the time
    it was sent, not its moderation)."""
    from huying.interaction.models import Suggestion
    from huying.moderation.choices import ItemStatus

    return Suggestion.objects.exclude(moderation__status=ItemStatus.HIDDEN)


def suggestion_stream(stamp: datetime | None, last_id: int) -> Iterator[tuple[datetime, int, Message]]:
    """Public suggestions (建言) not hidden by the moderators, by the time they were sent."""
    rows = suggestions_eligible()
    fields = ("pk", "title", "body", "place", "created_at", "author_id", "follower_count")
    for row in _after(rows, "created_at", stamp, last_id).values(*fields).iterator(chunk_size=2000):
        yield (
            row["created_at"],
            row["pk"],
            Message(
                id=str(row["pk"]),
                subject=row["title"] or "",
                text=" ".join(part for part in (row["body"], row["place"]) if part),
                time=_local(row["created_at"]),
                author=f"user-{row['author_id']}",
                extra=row["follower_count"] or 0,
            ),
        )


def report_stream(stamp: datetime | None, last_id: int) -> Iterator[tuple[datetime, int, Message]]:
    """Opinion reports (社情民意) once submitted."""
    from huying.opinions.choices import ReportStatus
    from huying.opinions.models import OpinionReport

    rows = OpinionReport.objects.exclude(status=ReportStatus.DRAFT).filter(submitted_at__isnull=False)
    fields = ("pk", "title", "situation", "submitted_at", "author_id", "submitted_by_id")
    for row in _after(rows, "submitted_at", stamp, last_id).values(*fields).iterator(chunk_size=2000):
        writer = row["author_id"] or row["submitted_by_id"]
        yield (
            row["submitted_at"],
            row["pk"],
            Message(
                id=str(row["pk"]),
                subject=row["title"] or "",
                text=row["situation"] or "",
                time=_local(row["submitted_at"]),
                author=f"user-{writer}" if writer else "",
            ),
        )


def opinion_reports(since: datetime | None) -> Iterator[Message]:
    for _stamp, _pk, message in report_stream(since, 0):
        yield message
