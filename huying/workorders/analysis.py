"""What the platform works out for the dispatcher about a new order — its category
suggestions and its likely duplicates — kept out of the intake request.

:func:`schedule` is called by intake inside its transaction: when the transaction commits
(``transaction.on_commit``) the Celery task :func:`huying.workorders.tasks.analyse` gets the
new orders' ids, those of a process's pushes of the last tenth of a second together
(:class:`Sender`); without a broker (the embedded set-up) Celery runs it in-process right
after the commit. The task stores an :class:`~huying.workorders.models.OrderAnalysis` per
order (suggestions) and a :class:`~huying.workorders.models.DuplicateLink` both ways for
each likely duplicate. It is idempotent: an order analysed already is skipped.

Nothing is lost when a worker dies before the task ran: :func:`ensure` analyses an order
when a dispatcher opens it without an analysis, and the periodic
``workorders-analyse-pending`` job catches up on new orders nobody opened yet.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from huying.workorders.choices import OrderStatus
from huying.workorders.duplicates import Duplicate, find_duplicates
from huying.workorders.models import Category, DuplicateLink, OrderAnalysis, WorkOrder
from huying.workorders.suggest import rank_categories

logger = logging.getLogger(__name__)

# How many duplicates are linked per order, and how far back the catch-up job looks.
LINKS_PER_ORDER = 10
PENDING_HOURS = 48


def runs_in_process() -> bool:
    """True in the embedded set-up: no broker, Celery runs tasks in the calling process."""
    return bool(getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False))


# Set by :func:`analyse_in_background` in the embedded set-up's web process.
_background = False


def analyse_in_background() -> None:
    """The embedded set-up's web process (huying/wsgi.py) analyses the orders it took in a
    background thread (:data:`local_sender`) instead of in the request: a push is answered
    without waiting for the duplicate search, as at scale, and a dispatcher who opens an
    order before the thread got to it has it analysed then. The thread gives way to the
    process's requests (:class:`Traffic`), as the production layout's worker runs at a lower
    CPU priority than the web processes. Commands (the demo loader, the import) and the
    tests keep analysing in the calling thread, in order."""
    from django.core.signals import request_finished, request_started

    global _background
    _background = True
    request_started.connect(traffic.started, dispatch_uid="analysis-traffic-started")
    request_finished.connect(traffic.finished, dispatch_uid="analysis-traffic-finished")


def analyses_in_request() -> bool:
    """Whether an order's analysis is done when the request that took it answers."""
    return runs_in_process() and not _background


def schedule(order_ids: Sequence[int]) -> None:
    """Analyse these orders after the caller's transaction commits (nothing if it rolls back).
    At scale the ids go to this process's :class:`Sender`, which queues them to the workers
    together a moment later; embedded, the task runs at once in this process (in the web
    process, in its background thread: :func:`analyse_in_background`)."""
    ids = list(order_ids)
    if not ids:
        return
    if analyses_in_request():
        _after_commit(ids)
    elif runs_in_process():
        transaction.on_commit(lambda: local_sender.add(ids))
    else:
        transaction.on_commit(lambda: sender.add(ids))


class _Batch:
    """The ids scheduled within one transaction, sent as one task when it commits."""

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.sent = False

    def __call__(self) -> None:
        self.sent = True
        _send(self.ids)


def _after_commit(ids: list[int]) -> None:
    """One task per committed transaction, not one per order: the ids join the batch the
    transaction already registered (``on_commit``), in the order they were scheduled: a
    transaction that takes orders one by one (the demo loader's chunks of ten) pays the
    task's overhead once, as a batch push does. Django drops a batch registered inside a
    savepoint that rolls back, and a batch that outlives the savepoint one of its ids came
    from holds an order that was never stored, which :func:`analyse_orders` skips."""
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        for _savepoints, callback, _robust in connection.run_on_commit:
            if isinstance(callback, _Batch) and not callback.sent:
                callback.ids.extend(ids)
                return
    batch = _Batch()
    batch.ids.extend(ids)
    transaction.on_commit(batch)


def _send(ids: list[int]) -> None:
    from huying.workorders.tasks import analyse

    try:
        analyse.delay(ids)
    except Exception:  # a broker down must not fail the committed intake: open/catch-up analyse later
        logger.exception("Could not queue the analysis of %d orders", len(ids))


class Sender:
    """Collects the ids of the orders this process took and queues them to the workers in
    one task per ``delay`` seconds (at most ``chunk`` ids a task) from a background thread.

    Queuing one task per pushed order cost a single hotline push about a tenth of its time
    (a message built and written to Redis in the request); a push now only appends its id.
    What a process held when it died unsent (killed within ``delay`` of the push) is
    analysed when a dispatcher opens the order or by the ``workorders-analyse-pending`` job,
    as are orders whose task was lost with the broker. A process that exits normally sends
    what it holds first (``atexit``). With ``give_way`` the thread calls it before each
    chunk (the embedded analysis waits for a quiet moment: :class:`Traffic`); when it
    answers ``False`` (it stopped waiting while requests kept coming) the chunk is only
    ``busy_chunk`` ids, so that a process saturated with requests gives a small, bounded
    share of its time to the work behind them (a few orders per wait, not ``chunk``)."""

    def __init__(
        self,
        send: Callable[[list[int]], None],
        delay: float = 0.1,
        chunk: int = 500,
        give_way: Callable[[], object] | None = None,
        busy_chunk: int | None = None,
    ) -> None:
        self._send = send
        self._delay = delay
        self._chunk = chunk
        self._busy_chunk = busy_chunk or chunk
        self._give_way = give_way
        self._lock = threading.Lock()
        self._pending: list[int] = []
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def add(self, ids: Sequence[int]) -> None:
        with self._lock:
            self._pending.extend(ids)
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                # first use in this process (a forked web worker starts without the thread)
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, name="analysis-sender", daemon=True)
                self._thread.start()
        self._wake.set()

    def pending(self) -> list[int]:
        with self._lock:
            return list(self._pending)

    def flush(self) -> int:
        """Queue everything held now; the number of ids queued."""
        with self._lock:
            ids, self._pending = self._pending, []
        for start in range(0, len(ids), self._chunk):
            self._send(ids[start : start + self._chunk])
        return len(ids)

    def _flush_giving_way(self) -> None:
        """One chunk at a time, each after ``give_way`` returned (the background thread)."""
        while True:
            quiet = self._give_way() if self._give_way is not None else True
            size = self._busy_chunk if quiet is False else self._chunk
            with self._lock:
                ids, self._pending = self._pending[:size], self._pending[size:]
            if not ids:
                return
            self._send(ids)

    def _run(self) -> None:
        while True:
            self._wake.wait()
            time.sleep(self._delay)  # let the next pushes join this task
            self._wake.clear()
            try:
                self._flush_giving_way()
            except Exception:  # never let the thread die; the ids are caught up later
                logger.exception("Could not queue an analysis batch")


def _analyse_here(ids: list[int]) -> None:
    """The background thread's work in the embedded set-up, on its own connection."""
    from django.db import connection

    try:
        analyse_orders(ids)
    finally:
        connection.close()


class Traffic:
    """This process's requests in flight (Django's ``request_started``/``request_finished``),
    for the embedded background analysis to give way to: :meth:`wait_for_quiet` returns once
    no request has run for ``quiet`` seconds, or after ``longest`` seconds whatever the
    traffic (a busy process still analyses a chunk that often; an order a dispatcher opens
    meanwhile is analysed then, huying/workorders/api/orders.py ``_known_analysis``).

    Without it the thread's duplicate searches and their writes took the CPU and the
    SQLite write lock from the pushes: 8 clients pushing single orders got 225 orders/s
    instead of 700 (bench/workorders.py, SQLite)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], object] = time.sleep):
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._in_flight = 0
        self._last = float("-inf")

    def started(self, **kwargs: object) -> None:
        with self._lock:
            self._in_flight += 1

    def finished(self, **kwargs: object) -> None:
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)
            self._last = self._clock()

    def quiet_for(self) -> float:
        """Seconds since the last request finished; 0 while one runs."""
        with self._lock:
            return 0.0 if self._in_flight else self._clock() - self._last

    def wait_for_quiet(self, quiet: float = 0.25, longest: float = 5.0) -> bool:
        """Wait as the docstring above says; whether it was quiet (not the ``longest`` wait)."""
        started = self._clock()
        while True:
            quiet_now = self.quiet_for()
            if quiet_now >= quiet:
                return True
            waited = self._clock() - started
            if waited >= longest:
                return False
            self._sleep(min(quiet - quiet_now, longest - waited, 0.05))


traffic = Traffic()
sender = Sender(_send)
# Embedded: 50 orders at a time when the process is quiet; while its requests keep coming,
# 5 after each wait of at most 5 s (Traffic.wait_for_quiet): about a tenth of a second of
# analysis in five seconds, where 50 took a second — a fifth of a saturated web process's
# time, taken from the pushes (bench/workorders.py, docs/workorders-benchmark.md). The rest
# catches up in the next quiet moment; an order a dispatcher opens meanwhile is analysed then.
local_sender = Sender(_analyse_here, chunk=50, give_way=traffic.wait_for_quiet, busy_chunk=5)
atexit.register(sender.flush)


def analyse_orders(order_ids: Iterable[int]) -> int:
    """Analyse the orders among ``order_ids`` that have no analysis yet; the number analysed."""
    ids = list(order_ids)
    done = set(OrderAnalysis.objects.filter(order_id__in=ids).values_list("order_id", flat=True))
    todo = list(WorkOrder.objects.with_related().filter(pk__in=[i for i in ids if i not in done]).order_by("pk"))
    for order in todo:
        _analyse(order)
    return len(todo)


def _analyse(order: WorkOrder) -> OrderAnalysis | None:
    ranked, source = rank_categories(order.content, k=3)
    found = find_duplicates(order, limit=LINKS_PER_ORDER)
    links = [DuplicateLink(order=order, other=d.order, score=d.score) for d in found]
    links += [DuplicateLink(order=d.order, other=order, score=d.score) for d in found]
    links.sort(key=lambda link: (link.order.pk, link.other.pk))  # one lock order for concurrent analyses
    try:
        with transaction.atomic():
            analysis = OrderAnalysis.objects.create(
                order=order,
                suggestions=[{"code": c.code, "confidence": confidence} for c, confidence in ranked],
                suggestion_source=source,
                analysed_at=timezone.now(),
            )
            DuplicateLink.objects.bulk_create(links, ignore_conflicts=True)
    except IntegrityError:
        return None  # analysed meanwhile by another process (the task and an open raced)
    return analysis


def ensure(order: WorkOrder) -> OrderAnalysis | None:
    """The order's analysis, computed now when there is none yet (the task has not run or
    its worker died)."""
    analysis = OrderAnalysis.objects.filter(order=order).first()
    if analysis is None:
        analysis = _analyse(order) or OrderAnalysis.objects.filter(order=order).first()
    return analysis


def stored_suggestions(analysis: OrderAnalysis | None) -> list[tuple[Category, float]]:
    """The stored category suggestions as (category, confidence), best first, skipping
    categories no longer active."""
    if analysis is None or not analysis.suggestions:
        return []
    codes = [s["code"] for s in analysis.suggestions]
    categories = {c.code: c for c in Category.objects.active().filter(code__in=codes)}
    return [(categories[s["code"]], s["confidence"]) for s in analysis.suggestions if s["code"] in categories]


def duplicates_of(order: WorkOrder, *, limit: int = 10) -> list[Duplicate]:
    """The order's likely duplicates for the dispatcher: the linked orders (both ways) scored
    again on their current state (a merged or cancelled one drops out), best first. Analyses
    the order first when it has no analysis."""
    if order.status in (OrderStatus.MERGED, OrderStatus.CANCELLED):
        return []
    ensure(order)
    linked = list(DuplicateLink.objects.filter(order=order).values_list("other_id", flat=True))
    if not linked:
        return []
    return find_duplicates(order, limit=limit, among=linked)


def analyse_pending(hours: int = PENDING_HOURS, batch: int = 500) -> int:
    """Analyse new orders of the last ``hours`` that have none (a lost task); the number done."""
    since = timezone.now() - timedelta(hours=hours)
    ids = list(
        WorkOrder.objects.filter(created_at__gte=since, analysis__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:batch]
    )
    return analyse_orders(ids)
