"""The outbox: tasks that must run once an action has committed, never lost on the way.

An action calls :func:`enqueue` inside its transaction: the row (:class:`OutboxTask`)
commits or rolls back with the action, and once it commits the row's id is handed to the
broker (``huying.core.tasks.run_outbox``). A worker runs it with :func:`run`: the row is
locked, the handler runs and the row is marked done in one transaction, so the handler's
database writes happen exactly once however often the message arrives (acks late, a
message put back after a worker was killed, a hand-over by the re-queue while the first
is still running: the second waits for the lock, then finds the row done). A handler's
effects outside the database (an SMS) happen at least once.

What can go wrong between commit and the run is repaired by :func:`requeue` (beat,
``outbox-requeue``): every row not done ``OUTBOX_REQUEUE_AFTER_SECONDS`` after it was
created or last handed over is handed over again — the web process killed after commit
and before the send, Redis down at the send or killed with the message in it, a worker
killed with the message unacknowledged (Redis would give it back only after its
visibility timeout, an hour). Without a broker (embedded) the task runs in the request
once the transaction commits, as every Celery task does there.

Handlers register by name with :func:`handler`, in a module every worker imports (an
app's ``tasks.py``, or its ``AppConfig.ready``). docs/operations.md "Queued tasks".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from huying.core.models import OutboxTask

logger = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], None]
HANDLERS: dict[str, Handler] = {}


def handler(name: str) -> Callable[[Handler], Handler]:
    """Register ``function(payload)`` as the outbox task ``name``."""

    def register(function: Handler) -> Handler:
        HANDLERS[name] = function
        return function

    return register


def enqueue(name: str, payload: dict[str, Any] | None = None) -> OutboxTask:
    """Write the task in the caller's transaction; hand it to the broker after commit.
    ``payload`` must be JSON (ids, not objects). An unknown name is a programming error."""
    if name not in HANDLERS:
        raise ValueError(f"no outbox handler named {name!r}")
    row = OutboxTask.objects.create(name=name, payload=payload or {})
    transaction.on_commit(lambda: hand_over([row.pk]))
    return row


def hand_over(ids: list[int]) -> int:
    """Send the rows' ids to the broker; a failed send is logged and left to :func:`requeue`
    (the caller's request must not fail or hang because Redis is down). Returns how many
    were sent."""
    from huying.core.tasks import run_outbox

    sent = 0
    for pk in ids:
        try:
            run_outbox.apply_async((pk,), retry=False)
        except Exception as error:
            logger.warning("outbox task %s not handed to the broker (%s); the re-queue will", pk, error)
            continue
        sent += 1
    return sent


def run(pk: int) -> str:
    """Run the task ``pk`` once: ``done`` (ran now), ``already`` (an earlier delivery ran
    it), ``missing`` or ``failed`` (the error is kept on the row; the re-queue tries again)."""
    try:
        with transaction.atomic():
            row = OutboxTask.objects.select_for_update().filter(pk=pk).first()
            if row is None:
                return "missing"
            if row.done_at is not None:
                return "already"
            function = HANDLERS.get(row.name)
            if function is None:
                raise LookupError(f"no outbox handler named {row.name!r}")
            function(row.payload)
            OutboxTask.objects.filter(pk=pk).update(done_at=timezone.now(), runs=F("runs") + 1, last_error="")
    except Exception as error:
        logger.exception("outbox task %s failed", pk)
        try:
            OutboxTask.objects.filter(pk=pk, done_at__isnull=True).update(last_error=repr(error)[:2000])
        except Exception:
            logger.warning("outbox task %s: error not recorded", pk, exc_info=True)
        return "failed"
    return "done"


def requeue(*, now: Any = None, limit: int = 1000) -> dict[str, int]:
    """Hand over again the rows not done ``OUTBOX_REQUEUE_AFTER_SECONDS`` after their
    creation or last hand-over (at most ``limit``, oldest first, at most
    ``OUTBOX_MAX_REQUEUES`` times each), and delete done rows older than
    ``OUTBOX_KEEP_DAYS``. Idempotent; safe to run twice at once (a row handed over twice
    still runs once)."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS)
    stale = (
        OutboxTask.objects.filter(done_at__isnull=True, requeues__lt=settings.OUTBOX_MAX_REQUEUES)
        .filter(Q(requeued_at__lt=cutoff) | Q(requeued_at__isnull=True, created_at__lt=cutoff))
        .order_by("created_at", "pk")
    )
    ids = list(stale.values_list("pk", flat=True)[:limit])
    if ids:
        OutboxTask.objects.filter(pk__in=ids).update(requeued_at=now, requeues=F("requeues") + 1)
        logger.warning("outbox: handing %d task(s) over again", len(ids))
    sent = hand_over(ids)
    given_up = OutboxTask.objects.filter(done_at__isnull=True, requeues__gte=settings.OUTBOX_MAX_REQUEUES).count()
    if given_up:
        logger.error("outbox: %d task(s) still failing after %d hand-overs", given_up, settings.OUTBOX_MAX_REQUEUES)
    deleted, _ = OutboxTask.objects.filter(done_at__lt=now - timedelta(days=settings.OUTBOX_KEEP_DAYS)).delete()
    return {"requeued": len(ids), "sent": sent, "given_up": given_up, "deleted": deleted}


@handler("core.probe")
def probe(payload: dict[str, Any]) -> None:
    """Does nothing: the row marked done is the proof (``scripts/chaos`` sends these through
    every fault and counts them)."""
