"""Benchmark of the work-order platform on PostgreSQL (issue 3, point 13). Not a test.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/huying_bench \\
        .venv/bin/python -m bench.workorders [--orders 1000000] [--open 100000] \\
        [--intake 2000] [--threads 8] [--runs 50] [--try-indexes] [--only intake,lists,stats,pages,sweep]

Creates and migrates the bench database itself (refuses SQLite), loads the small demo tree
(Liwan's streets, departments, routing rules and time limits), then measures and prints:

1. intake through the HTTP API — ``POST /api/v1/workorders/intake/hotline`` with a
   dispatcher's API token, ``--threads`` concurrent clients against gunicorn (DEBUG off) on
   a free loopback port — as orders/s, raw single-row INSERTs into the same table (each
   its own transaction, same concurrency, for as long as the single pushes took) as rows/s,
   and the ratio;
2. at ``--orders`` orders (bulk-generated with ``INSERT … SELECT generate_series`` over 12
   months, with assignments and feedback, 250,000 orders a transaction and resumable — a
   stopped run, or a larger ``--orders``, goes on from what exists; reused when the count
   is right), p50/p95 over ``--runs`` runs of the order list API's first page, filtered by
   status, category prefix, street, date range, search and their combinations (the API
   endpoint in-process: ``visible_to(dispatcher)``, capped count and page), and the 三率 by
   unit for one month (:func:`unit_stats`), each next to the 300 ms target;
   ``pages``: the console's lists, the statistics by unit/street/category for a month, the
   dashboard and the red/black list, rendered for the dispatcher;
3. the deadline sweep over the ``--open`` open assignments: seconds and rows/s (the sweep's
   own rows are removed before each run, so it does the full work every time).

``--try-indexes`` creates each index proposed in docs/workorders-benchmark.md, measures the
queries it is meant for again and drops it (the schema stays as the migrations make it).
Figures are recorded in docs/workorders-benchmark.md. ``BENCH_NO_SEARCH=1`` leaves out the
search cases (a search reads the whole table: minutes per figure at 5M orders).
"""

from __future__ import annotations

import argparse
import functools
import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/huying_bench"
BASE_DIR = Path(__file__).resolve().parents[1]
GENERATED_PREFIX = "荔湾B-"  # numbers of the bulk-generated orders
INTAKE_PREFIX = "bench-intake-"


# --- setting up ----------------------------------------------------------------------------------
def database_url(parts: set[str] | None = None) -> str:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme == "sqlite" and parts is not None and parts <= {"intake"}:
        return url  # the embedded set-up's intake, against SQLite's own raw insert rate
    if scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit(
            f"The work-order benchmark runs on PostgreSQL only (BENCH_DATABASE_URL is {scheme or 'empty'}://…): "
            "1,000,000 orders in SQLite say nothing about production (SQLite is accepted with --only intake). "
            f"Set BENCH_DATABASE_URL, e.g. {DEFAULT_URL}"
        )
    return url


def is_sqlite(url: str) -> bool:
    return urllib.parse.urlsplit(url).scheme == "sqlite"


def sqlite_path(url: str) -> str:
    return urllib.parse.urlsplit(url).path


def ensure_database(url: str) -> None:
    """Create the bench database if it does not exist (connecting to the server's ``postgres`` db)."""
    if is_sqlite(url):
        Path(sqlite_path(url)).parent.mkdir(parents=True, exist_ok=True)
        return
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def bench_environment(url: str) -> dict[str, str]:
    """Production-like settings for this process and the web server: DEBUG off, no HTTPS redirect."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "HTTPS": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "LOG_LEVEL": "WARNING",
        "DB_CONN_MAX_AGE": "60",
        "DJANGO_SETTINGS_MODULE": "huying.settings",
    }


def setup_django(url: str) -> None:
    os.environ.update(bench_environment(url))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(function: Callable[[], Any], runs: int, warmup: int = 2) -> tuple[float, float]:
    """p50 and p95 in milliseconds over ``runs`` calls (after ``warmup`` calls)."""
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return percentile(samples, 0.5), percentile(samples, 0.95)


class Context:
    """The demo pieces the bench needs (Liwan, its dispatcher, a fresh API token)."""

    def __init__(self) -> None:
        from huying.accounts.actions import do_create_api_token
        from huying.accounts.models import User
        from huying.demo.loader import load_demo_data
        from huying.demo.workorders import District

        load_demo_data("small", orders=0)  # Liwan's tree, people, routing rules and time limits
        self.district = District.load()
        self.dispatcher = User.objects.get(username="diaodu")
        _token, self.token = do_create_api_token(None, self.dispatcher, f"bench {datetime.now():%Y-%m-%d %H:%M}")


# --- 1. intake ---------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_layout(url: str, workers: int | None, threads: int | None) -> tuple[int, int]:
    """gunicorn's worker processes and threads per process for ``url``'s database.

    PostgreSQL: 2 × 4 threads, as the issue measured. SQLite: ``make serve``'s layout, 3
    single-threaded (sync) workers: SQLite has one writer, and a thread that holds its
    write lock in a process of 4 threads waits for the interpreter lock between its
    statements while the others parse requests — 2 × 4 took 550 single pushes/s where
    3 sync workers took 680-800 (docs/workorders-benchmark.md)."""
    if is_sqlite(url):
        return workers or 3, threads or 1
    return workers or 2, threads or 4


def start_server(
    url: str, workers: int, extra: dict[str, str] | None = None, threads: int = 4
) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "huying.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread" if threads > 1 else "sync",
        "--log-level",
        "warning",
    ]
    env = {**bench_environment(url), **(extra or {})}
    server = subprocess.Popen(command, cwd=BASE_DIR, env=env)  # noqa: S603 - our own command
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server, port
        except OSError:
            if server.poll() is not None:
                raise RuntimeError("gunicorn stopped while starting") from None
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start within 120 s")


def _cpu_group(pid: int, command: str) -> str | None:
    """Which part of the set-up a process is, by its command line (None: not counted apart)."""
    words = command.split()
    head = " ".join(words[:2])  # the interpreter and its script: ".../python .../gunicorn …"
    if pid == os.getpid():
        return "bench clients"
    if command.startswith("postgres:") or (words and words[0].endswith("/postgres")):
        return "database server"
    if "redis-server" in head:
        return "broker (Redis)"
    if "gunicorn" in head:
        return "web processes"
    if "celery" in head:
        return "Celery worker"
    return None


def cpu_seconds() -> dict[str, float]:
    """CPU seconds (user + system) used so far by each part of the set-up (:func:`_cpu_group`;
    "bench clients" is this process: SQLite's own work for the raw inserts too) and by the
    whole machine (busy time in /proc/stat: all but idle and I/O wait). Linux; empty elsewhere."""
    ticks = os.sysconf("SC_CLK_TCK")
    used: dict[str, float] = {}
    try:
        with open("/proc/stat") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
    except OSError:
        return used
    used["whole machine"] = (sum(fields) - fields[3] - fields[4]) / ticks
    for stat_path in Path("/proc").glob("[0-9]*/stat"):
        try:
            numbers = stat_path.read_text().rsplit(")", 1)[1].split()
            command = (stat_path.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        group = _cpu_group(int(stat_path.parent.name), command)
        if group is not None:
            used[group] = used.get(group, 0.0) + (int(numbers[11]) + int(numbers[12])) / ticks
    return used


def run_threads(threads: int, total: int, work: Callable[[int, list[int]], None]) -> float:
    """Run ``work(thread_index, items)`` in ``threads`` threads over ``total`` items; seconds."""
    shares = [list(range(i, total, threads)) for i in range(threads)]
    errors: list[BaseException] = []

    def target(i: int) -> None:
        try:
            work(i, shares[i])
        except BaseException as error:  # reported below
            errors.append(error)

    pool = [threading.Thread(target=target, args=(i,)) for i in range(threads)]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - started


def _order_body(i: int, run_id: str, label: str, texts: list[str], streets: list[str]) -> dict[str, Any]:
    return {
        "external_id": f"{INTAKE_PREFIX}{label}{run_id}-{i}",
        "content": texts[i % len(texts)],
        "caller_name": "陈先生",
        "caller_phone": f"138{i % 100_000_000:08d}",
        "nature": "投诉",
        "district": "440103",
        "street": streets[i % len(streets)],
        "address": "荔湾区龙津西路1号",
        "latitude": "23.126",
        "longitude": "113.239",
    }


def start_celery(url: str, extra: dict[str, str]) -> subprocess.Popen[bytes]:
    """One Celery worker process on ``extra``'s broker, at the production layout's CPU
    priority (``nice -n 10``, deploy/supervisord.conf): the web processes come first."""
    command = [
        "nice",
        "-n",
        os.environ.get("CELERY_NICE", "10"),
        str(Path(sys.executable).parent / "celery"),
        "-A",
        "huying",
        "worker",
        "--concurrency",
        "1",
        "--loglevel",
        "warning",
        "--without-gossip",
        "--without-mingle",
    ]
    env = {**bench_environment(url), **extra}
    return subprocess.Popen(command, cwd=BASE_DIR, env=env)  # noqa: S603 - our own command


def wait_analysed(expected: int, limit_seconds: float = 900) -> float:
    """Seconds until ``expected`` bench orders have their analysis (bounded)."""
    from huying.workorders.models import OrderAnalysis

    started = time.perf_counter()
    while time.perf_counter() - started < limit_seconds:
        if OrderAnalysis.objects.filter(order__external_id__startswith=INTAKE_PREFIX).count() >= expected:
            break
        time.sleep(1)
    return time.perf_counter() - started


def bench_intake(
    url: str,
    ctx: Context,
    total: int,
    threads: int,
    workers: int,
    batch_size: int,
    batch_total: int,
    broker: str = "",
    server_threads: int = 4,
) -> dict[str, Any]:
    """Single pushes, batch pushes and raw inserts with the same clients; rates per second.
    With ``broker`` (a Redis URL) the web processes queue the analysis to one Celery worker
    running meanwhile, as in the production layout; without, each web process analyses in its
    own background thread (the embedded set-up). Either way the bench waits until all are done."""
    from django.db import connection

    from huying.demo.sample_messages import generate_messages
    from huying.workorders.models import OrderAnalysis, WorkOrder

    run_id = secrets.token_hex(4)
    texts = [m.text[:1000] for m in generate_messages(min(total, 500), seed=3)]
    streets = [s.division_code for s in ctx.district.streets.values()]
    headers = {"Authorization": f"Bearer {ctx.token}", "Content-Type": "application/json"}
    batches = [list(range(b, min(b + batch_size, batch_total))) for b in range(0, batch_total, batch_size)]
    extra = {"REDIS_URL": broker} if broker else {}
    worker = start_celery(url, extra) if broker else None
    server, port = start_server(url, workers, extra, server_threads)
    statuses: dict[int, int] = {}
    batch_results: dict[str, int] = {}
    lock = threading.Lock()
    try:
        # warm the workers (imports, first connections) outside the measurement
        warm = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        for _ in range(workers * 4):
            warm.request("GET", "/api/v1/workorders?page=1", headers={"Authorization": f"Bearer {ctx.token}"})
            warm.getresponse().read()
        warm.close()

        def post(thread: int, items: list[int]) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
            for i in items:
                body = _order_body(i, run_id, "", texts, streets)
                conn.request("POST", "/api/v1/workorders/intake/hotline", json.dumps(body), headers)
                response = conn.getresponse()
                response.read()
                with lock:
                    statuses[response.status] = statuses.get(response.status, 0) + 1
            conn.close()

        def post_batch(thread: int, items: list[int]) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            for b in items:
                orders = [_order_body(i, run_id, "b", texts, streets) for i in batches[b]]
                conn.request("POST", "/api/v1/workorders/intake/hotline/batch", json.dumps({"orders": orders}), headers)
                response = conn.getresponse()
                answer = json.loads(response.read())
                if response.status != 200:
                    raise RuntimeError(f"batch answered {response.status}: {str(answer)[:300]}")
                with lock:
                    for key in ("created", "existing", "refused"):
                        batch_results[key] = batch_results.get(key, 0) + answer[key]
            conn.close()

        cpu_before = cpu_seconds()
        api_seconds = run_threads(threads, total, post)
        cpu_after = cpu_seconds()
        batch_seconds = run_threads(threads, len(batches), post_batch)
        analysed_at_end = OrderAnalysis.objects.filter(order__external_id__startswith=INTAKE_PREFIX).count()
        catch_up = wait_analysed(total + batch_total)  # by the worker, or the web processes' own threads
    finally:
        server.terminate()
        server.wait(timeout=120)
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=120)
    created = statuses.get(201, 0)
    if created != total:
        raise RuntimeError(f"intake answered {statuses}, expected {total} × 201")
    if batch_results.get("created") != batch_total:
        raise RuntimeError(f"batches answered {batch_results}, expected {batch_total} created")
    analysed = OrderAnalysis.objects.filter(order__external_id__startswith=INTAKE_PREFIX).count()
    connection.close()

    # The baseline: single-row INSERTs, each its own transaction, by the same clients, for
    # as long as the single pushes took. The same number of rows alone (``total``) is over in
    # well under a second: a burst (connections opened, no WAL checkpoint or flush yet
    # among them) that moved by a third between runs on a quiet machine, against pushes
    # sustained for several seconds. The first round's rate is kept and printed too.
    raw_seconds = raw_inserts(url, ctx, total, threads, run_id, texts)
    raw_rows, raw_burst = total, total / raw_seconds
    if raw_seconds < api_seconds:
        more = max(total, int(raw_burst * (api_seconds - raw_seconds)))
        raw_seconds += raw_inserts(url, ctx, more, threads, f"{run_id}-2", texts)
        raw_rows += more
    # leave the table as it was: the generated orders only
    WorkOrder.objects.filter(external_id__startswith=INTAKE_PREFIX).delete()
    connection.close()
    api_rate = total / api_seconds
    batch_rate = batch_total / batch_seconds
    raw_rate = raw_rows / raw_seconds
    return {
        "raw_burst": raw_burst,
        "raw_rows": raw_rows,
        "raw_seconds": raw_seconds,
        "api_seconds": api_seconds,
        "api_rate": api_rate,
        "batch_rate": batch_rate,
        "raw_rate": raw_rate,
        "ratio": api_rate / raw_rate,
        "batch_ratio": batch_rate / raw_rate,
        "total": total,
        "batch_total": batch_total,
        "analysed_at_end": analysed_at_end,
        "analysed": analysed,
        "catch_up": catch_up,
        "analysis_rate": (total + batch_total) / (api_seconds + batch_seconds + catch_up),
        # CPU milliseconds per single push, by group, while the single pushes ran
        "cpu": {k: (v - cpu_before.get(k, 0.0)) * 1000 / total for k, v in cpu_after.items()},
        "cpu_share": (cpu_after.get("whole machine", 0.0) - cpu_before.get("whole machine", 0.0))
        / (api_seconds * (os.cpu_count() or 1)),
    }


RAW_COLUMNS = (
    "number, channel, external_id, caller_name, caller_phone, is_anonymous, content, nature, urgency, "
    "address, district_id, area_class, status, received_at, created_at, updated_at, version"
)


def raw_inserts(url: str, ctx: Context, total: int, threads: int, run_id: str, texts: list[str]) -> float:
    """Seconds for ``total`` single-row INSERTs into the orders table from ``threads``
    threads, each row its own transaction (PostgreSQL over psycopg in autocommit; SQLite
    with the application's own pragmas: WAL, synchronous=NORMAL)."""
    district_id = ctx.district.government.pk

    def row(i: int) -> tuple[Any, ...]:
        return (
            f"BENCH-RAW-{run_id}-{i}",
            f"{INTAKE_PREFIX}raw-{run_id}-{i}",
            f"138{i % 100_000_000:08d}",
            texts[i % len(texts)],
            district_id,
        )

    if is_sqlite(url):
        import sqlite3

        path = sqlite_path(url)

        def insert_sqlite(thread: int, items: list[int]) -> None:
            conn = sqlite3.connect(path, timeout=20, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            try:
                for i in items:
                    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
                    conn.execute("BEGIN IMMEDIATE")
                    conn.execute(
                        f"INSERT INTO workorders_workorder ({RAW_COLUMNS}) VALUES "  # noqa: S608 - constant columns
                        "(?, 'hotline', ?, '陈先生', ?, 0, ?, 'complaint', 'normal', '荔湾区龙津西路1号', "
                        "?, '', 'new', ?, ?, ?, 1)",
                        (*row(i), now, now, now),
                    )
                    conn.execute("COMMIT")
            finally:
                conn.close()

        return run_threads(threads, total, insert_sqlite)

    import psycopg

    def insert(thread: int, items: list[int]) -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            for i in items:
                conn.execute(
                    f"INSERT INTO workorders_workorder ({RAW_COLUMNS}) VALUES "  # noqa: S608 - constant column list
                    "(%s, 'hotline', %s, '陈先生', %s, false, %s, 'complaint', 'normal', '荔湾区龙津西路1号', "
                    "%s, '', 'new', now(), now(), now(), 1)",
                    row(i),
                )

    return run_threads(threads, total, insert)


# --- 2. one million orders ------------------------------------------------------------------------
ROUND = 1_000_000  # orders per round: each round spreads its orders over the same 12 months


def generated_count() -> int:
    """How many generated orders exist (the progress row of a resumable generation, else a count)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_generation') IS NOT NULL")
        if cursor.fetchone()[0]:
            cursor.execute("SELECT done FROM bench_generation")
            row = cursor.fetchone()
            if row is not None:
                return int(row[0])
        cursor.execute("SELECT count(*) FROM workorders_workorder WHERE number LIKE %s", [GENERATED_PREFIX + "%"])
        return int(cursor.fetchone()[0])


def generate(ctx: Context, orders: int, open_orders: int, chunk: int = 250_000, fresh: bool = False) -> float:
    """Bulk-generate ``orders`` orders over the last 12 months with their assignments and
    feedback, in set-based ``INSERT … SELECT`` statements, ``chunk`` orders per transaction.

    Resumable: a one-row table ``bench_generation`` (written in each chunk's transaction)
    holds how many orders exist and the time the data is anchored at, so a stopped run goes
    on where it stopped, and asking for more orders (1M, later 10M) adds to what exists.
    Orders come in rounds of 1,000,000 (``ROUND``); each round is received evenly over the
    same 12 months before the anchor, so every size has the same shape: the newest
    ``open_orders`` of each round are still open (dispatched or in progress), 8,000 before
    them partly resolved, the newest 3,000 half new. ``fresh`` deletes everything first."""
    from django.db import connection, transaction

    started = time.perf_counter()
    with connection.cursor() as c:
        c.execute("CREATE TABLE IF NOT EXISTS bench_generation (anchor timestamptz NOT NULL, done bigint NOT NULL)")
        c.execute("SELECT anchor, done FROM bench_generation")
        row = c.fetchone()
    if row is None or fresh or row[1] > orders:
        _clear_generated(ctx)
        with connection.cursor() as c:
            c.execute("DELETE FROM bench_generation")
            c.execute("INSERT INTO bench_generation (anchor, done) VALUES (now(), 0)")
            c.execute("SELECT anchor, done FROM bench_generation")
            row = c.fetchone()
    anchor, done = row[0], int(row[1])
    if done < orders:
        _lookup_tables(ctx)
    if orders - done >= 2 * ROUND:
        # A big load: the secondary indexes are dropped for it and built again at the end
        # (much faster than keeping a dozen indexes up to date row by row). Their
        # definitions are kept in the database, so a stopped load still gets them back.
        drop_secondary_indexes()
    while done < orders:
        size = min(chunk, orders - done, ROUND - done % ROUND)
        t0 = time.perf_counter()
        with transaction.atomic():
            _generate_chunk(ctx, anchor, done, size, min(open_orders, ROUND))
            with connection.cursor() as c:
                c.execute("UPDATE bench_generation SET done = %s", [done + size])
        done += size
        print(f"  generated {done:,} / {orders:,} orders ({time.perf_counter() - t0:.0f} s)", flush=True)
    restore_indexes()
    summarise(done)
    set_deadlines(done)
    vacuum()
    return time.perf_counter() - started


def summarise(done: int) -> None:
    """Build the stored daily summary (huying/workorders/summary.py) of the generated orders
    once they are all there: the statistics, the dashboard and the cockpit read it, as in
    production, where the actions keep it in step. Remembered in ``bench_summary``, so a
    rerun over the same orders does not rebuild it."""
    from django.db import connection

    from huying.workorders import summary

    with connection.cursor() as c:
        c.execute("CREATE TABLE IF NOT EXISTS bench_summary (orders bigint NOT NULL)")
        c.execute("SELECT orders FROM bench_summary")
        row = c.fetchone()
    if row is not None and int(row[0]) == done:
        return
    t0 = time.perf_counter()
    rows = summary.rebuild()
    with connection.cursor() as c:
        c.execute("DELETE FROM bench_summary")
        c.execute("INSERT INTO bench_summary (orders) VALUES (%s)", [done])
    print(f"  daily summary built: {rows:,} rows ({time.perf_counter() - t0:.0f} s)", flush=True)


def set_deadlines(done: int) -> None:
    """Fill the orders' stored nearest deadline (huying/workorders/deadlines.py, the console's
    督办 queue) from the generated open assignments, which bypassed the engine's adapter.
    Remembered in ``bench_deadlines`` like the summary."""
    from django.db import connection

    from huying.workorders import deadlines

    with connection.cursor() as c:
        c.execute("CREATE TABLE IF NOT EXISTS bench_deadlines (orders bigint NOT NULL)")
        c.execute("SELECT orders FROM bench_deadlines")
        row = c.fetchone()
    if row is not None and int(row[0]) == done:
        return
    t0 = time.perf_counter()
    flagged = deadlines.rebuild()
    with connection.cursor() as c:
        c.execute("DELETE FROM bench_deadlines")
        c.execute("INSERT INTO bench_deadlines (orders) VALUES (%s)", [done])
    print(f"  nearest deadlines set: {flagged:,} orders ({time.perf_counter() - t0:.0f} s)", flush=True)


BIG_TABLES = ("workorders_workorder", "handling_assignment", "handling_feedback")


def drop_secondary_indexes() -> None:
    """Drop the non-unique indexes of the big tables, remembering their definitions in
    ``bench_dropped_index`` (the primary keys and unique constraints stay: the load uses them)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as c:
        c.execute("CREATE TABLE IF NOT EXISTS bench_dropped_index (name text PRIMARY KEY, definition text NOT NULL)")
        c.execute(
            """
            SELECT i.relname, pg_get_indexdef(x.indexrelid)
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relname = ANY(%s) AND NOT x.indisunique AND NOT x.indisprimary
            """,
            [list(BIG_TABLES)],
        )
        for name, definition in c.fetchall():
            c.execute(
                "INSERT INTO bench_dropped_index (name, definition) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                [name, definition],
            )
            c.execute(f'DROP INDEX "{name}"')
    print("  secondary indexes dropped for the load", flush=True)


def restore_indexes() -> None:
    """Build again every index :func:`drop_secondary_indexes` dropped (one at a time; each
    forgotten once it exists)."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT to_regclass('bench_dropped_index') IS NOT NULL")
        if not c.fetchone()[0]:
            return
        c.execute("SELECT name, definition FROM bench_dropped_index ORDER BY name")
        pending = c.fetchall()
        if pending:
            c.execute("SET maintenance_work_mem = '512MB'")
        for name, definition in pending:
            t0 = time.perf_counter()
            c.execute(f'DROP INDEX IF EXISTS "{name}"')  # a half-built one from a stopped run
            c.execute(definition)
            c.execute("DELETE FROM bench_dropped_index WHERE name = %s", [name])
            print(f"  index {name} built again ({time.perf_counter() - t0:.0f} s)", flush=True)


def _clear_generated(ctx: Context) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    from huying.workorders.models import WorkOrder

    case_type = ContentType.objects.get_for_model(WorkOrder).pk
    with transaction.atomic(), connection.cursor() as c:
        c.execute("DELETE FROM handling_feedback WHERE case_type_id = %s", [case_type])
        c.execute("DELETE FROM handling_warning")
        c.execute("DELETE FROM handling_notification WHERE case_type_id = %s", [case_type])
        c.execute("DELETE FROM handling_caseevent WHERE case_type_id = %s", [case_type])
        c.execute("DELETE FROM handling_extensionrequest")
        c.execute("UPDATE handling_assignment SET escalated_from_id = NULL WHERE escalated_from_id IS NOT NULL")
        c.execute("DELETE FROM handling_assignment WHERE case_type_id = %s", [case_type])
        c.execute("DELETE FROM workorders_dispatchdecision")
        c.execute("DELETE FROM workorders_attachment")
        c.execute("DELETE FROM workorders_duplicatelink")
        c.execute("DELETE FROM workorders_orderanalysis")
        c.execute("DELETE FROM workorders_ordersummary")
        # What was built from the deleted orders is built again for the new ones.
        c.execute("DROP TABLE IF EXISTS bench_summary")
        c.execute("DROP TABLE IF EXISTS bench_deadlines")
        c.execute("UPDATE workorders_workorder SET parent_id = NULL WHERE parent_id IS NOT NULL")
        c.execute("DELETE FROM workorders_workorder")


def _lookup_tables(ctx: Context) -> None:
    """Session temp tables: categories repeated by weight (with the unit that answers them),
    places, texts."""
    from django.db import connection

    from huying.demo import workorder_data as wd
    from huying.demo.sample_messages import generate_messages
    from huying.demo.workorders import DEPARTMENT_RULES, STREET_FIRST
    from huying.workorders.models import Category

    d = ctx.district
    codes = {c.code: c.pk for c in Category.objects.all()}
    category_rows = [(codes[code], code, weight) for code, weight in wd.CATEGORY_MIX if code in codes]
    departments = list(d.departments.values())
    texts = [m.text[:300] for m in generate_messages(200, seed=11)]
    places = [
        (street.pk, community.pk)
        for street in d.streets.values()
        for community in (d.communities.get(street.pk) or [street])
    ]
    by_short = {o.short_name: o.pk for o in departments}
    cats = []
    for category_id, code, weight in category_rows:
        prefixes = [p for p, _d in DEPARTMENT_RULES if code.startswith(p)]
        best = max(prefixes, key=len) if prefixes else "17"
        unit = by_short.get(dict(DEPARTMENT_RULES)[best], departments[0].pk)
        cats += [(category_id, unit, code.startswith(STREET_FIRST))] * max(1, round(weight * 10))
    with connection.cursor() as c:
        c.execute("DROP TABLE IF EXISTS b_cat, b_place, b_text")
        c.execute("CREATE TEMP TABLE b_cat (i serial, id bigint, unit_id bigint, street_first bool)")
        c.executemany("INSERT INTO b_cat (id, unit_id, street_first) VALUES (%s, %s, %s)", cats)
        c.execute("CREATE TEMP TABLE b_place (i serial, street_id bigint, community_id bigint)")
        c.executemany("INSERT INTO b_place (street_id, community_id) VALUES (%s, %s)", places)
        c.execute("CREATE TEMP TABLE b_text (i serial, content text)")
        c.executemany("INSERT INTO b_text (content) VALUES (%s)", [(t,) for t in texts])


def _generate_chunk(ctx: Context, anchor: datetime, done: int, size: int, open_orders: int) -> None:
    """Orders ``done + 1 … done + size`` (never across a round), their assignments and feedback."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from huying.workorders.models import WorkOrder

    d = ctx.district
    case_type = ContentType.objects.get_for_model(WorkOrder).pk
    departments = list(d.departments.values())
    with connection.cursor() as c:
        c.execute("SET LOCAL synchronous_commit = off")
        # The foreign keys are deferred: checking a million rows' keys one by one at COMMIT
        # costs more than the inserts. The generated keys come from existing rows, so the
        # bench (connected as the database's superuser) skips the checks for its own load.
        c.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if c.fetchone()[0]:
            c.execute("SET LOCAL session_replication_role = replica")
        c.execute("SET LOCAL work_mem = '64MB'")
        c.execute("SELECT coalesce(max(id), 0) FROM workorders_workorder")
        order_floor = c.fetchone()[0]
        c.execute("SELECT coalesce(max(id), 0) FROM handling_assignment")
        assignment_floor = c.fetchone()[0]
        c.execute("SELECT count(*) FROM b_cat")
        n_cat = c.fetchone()[0]
        c.execute("SELECT count(*) FROM b_place")
        n_place = c.fetchone()[0]
        c.execute("SELECT count(*) FROM b_text")
        n_text = c.fetchone()[0]
        c.execute("DROP TABLE IF EXISTS b_order")
        # i: the place within the round (1 … ROUND), which decides the time and the status
        c.execute(
            """
            CREATE TEMP TABLE b_order AS
            SELECT g AS n, ((g - 1) %% %(round)s) + 1 AS i,
                   %(anchor)s::timestamptz - (interval '365 days') * (1 - (((g - 1) %% %(round)s) + 1)::float / %(round)s)
                       - random() * interval '40 minutes' AS received_at,
                   1 + floor(random() * %(n_cat)s)::int AS cat_i,
                   1 + floor(random() * %(n_place)s)::int AS place_i,
                   1 + floor(random() * %(n_text)s)::int AS text_i,
                   random() AS r1, random() AS r2, random() AS r3
            FROM generate_series(%(first)s, %(last)s) AS g
            """,
            {
                "round": ROUND,
                "anchor": anchor,
                "first": done + 1,
                "last": done + size,
                "n_cat": n_cat,
                "n_place": n_place,
                "n_text": n_text,
            },
        )
        c.execute("ANALYZE b_order")
        c.execute(
            """
            INSERT INTO workorders_workorder (
                number, channel, external_id, caller_name, caller_phone, is_anonymous, content, nature,
                urgency, category_id, address, latitude, longitude, district_id, street_id, community_id,
                area_class, status, parent_id, received_at, created_by_id, created_at, updated_at, version)
            SELECT %(prefix)s || lpad(o.n::text, 8, '0'),
                   CASE WHEN o.r1 < 0.6 THEN 'hotline' WHEN o.r1 < 0.78 THEN 'grid' WHEN o.r1 < 0.9 THEN 'web'
                        WHEN o.r1 < 0.96 THEN 'open311' ELSE 'member' END,
                   CASE WHEN o.r1 < 0.6 THEN 'GZ12345-B' || o.n ELSE '' END,
                   '陈先生', '138' || lpad((o.n %% 100000000)::text, 8, '0'), o.r2 < 0.08, t.content,
                   CASE WHEN o.r2 < 0.35 THEN 'complaint' WHEN o.r2 < 0.63 THEN 'help' WHEN o.r2 < 0.77 THEN 'report'
                        WHEN o.r2 < 0.9 THEN 'consultation' ELSE 'suggestion' END,
                   CASE WHEN o.r3 < 0.02 THEN 'emergency' WHEN o.r3 < 0.1 THEN 'urgent' ELSE 'normal' END,
                   CASE WHEN o.i > %(round)s - 3000 AND o.r3 > 0.5 THEN NULL ELSE cat.id END,
                   '荔湾区龙津西路' || (o.n %% 400) || '号',
                   23.07 + (o.place_i %% 9) * 0.009, 113.21 + (o.place_i %% 7) * 0.007,
                   %(district)s, p.street_id, p.community_id,
                   (1 + (o.n %% 3))::text,
                   CASE WHEN o.i > %(round)s - 3000 AND o.r3 > 0.5 THEN 'new'
                        WHEN o.i > %(round)s - %(open)s THEN
                            CASE WHEN o.r1 < 0.2 THEN 'dispatched' ELSE 'in_progress' END
                        WHEN o.r3 < 0.025 THEN 'cancelled'
                        WHEN o.i > %(round)s - %(open)s - 8000 AND o.r2 < 0.4 THEN 'resolved'
                        ELSE 'closed' END,
                   NULL,
                   o.received_at, NULL, o.received_at + interval '30 seconds',
                   o.received_at + interval '3 days' * o.r1, 1
            FROM b_order o
            JOIN b_cat cat ON cat.i = o.cat_i
            JOIN b_place p ON p.i = o.place_i
            JOIN b_text t ON t.i = o.text_i
            ORDER BY o.n
            """,
            {"prefix": GENERATED_PREFIX, "round": ROUND, "open": open_orders, "district": d.government.pk},
        )
        # 2 % of the closed ones were duplicates, merged into the order received just before them
        c.execute(
            """
            UPDATE workorders_workorder w SET parent_id = prev.id, status = 'merged'
            FROM b_order o, workorders_workorder prev
            WHERE w.id > %(floor)s AND w.status = 'closed' AND o.n = substr(w.number, %(cut)s)::int
              AND o.r3 < 0.02 AND o.i > 1
              AND prev.number = %(prefix)s || lpad((o.n - 1)::text, 8, '0')
            """,
            {"prefix": GENERATED_PREFIX, "cut": len(GENERATED_PREFIX) + 1, "floor": order_floor},
        )
        # the lead assignment of every dispatched order: the street (六乱, 五类车, 环境卫生) at
        # tier 1, else the category's department at tier 2; 5 % of them called up from the street
        c.execute(
            """
            INSERT INTO handling_assignment (
                workflow, case_type_id, case_id, unit_id, owner_id, role, tier, status, called_by_id,
                escalated_from_id, reason, rule_id, assigned_at, accept_due, respond_due, resolve_due,
                objection_due, accept_warn_at, respond_warn_at, resolve_warn_at, accepted_at, responded_at,
                resolved_at, closed_at, extension_count, reopen_count, supervision_level, version, updated_at)
            SELECT 'workorder', %(ct)s, w.id,
                   CASE WHEN cat.street_first AND (w.id %% 20) <> 0 THEN w.street_id ELSE cat.unit_id END,
                   %(centre)s, 'lead',
                   CASE WHEN cat.street_first AND (w.id %% 20) <> 0 THEN 1 ELSE 2 END,
                   CASE w.status WHEN 'dispatched' THEN 'assigned' WHEN 'in_progress'
                        THEN (CASE WHEN (w.id %% 13) = 0 THEN 'reopened' ELSE 'accepted' END)
                        WHEN 'resolved' THEN 'resolved' ELSE 'closed' END,
                   CASE WHEN cat.street_first AND (w.id %% 20) = 0 THEN w.street_id END,
                   NULL, '', NULL,
                   w.received_at + interval '20 minutes',
                   w.received_at + interval '20 minutes' + interval '1 day',
                   NULL,
                   w.received_at + interval '20 minutes' + interval '5 days' + interval '1 day' * (w.id %% 4),
                   NULL,
                   w.received_at + interval '20 minutes' + interval '19 hours',
                   NULL,
                   w.received_at + interval '20 minutes' + interval '4 days',
                   CASE WHEN w.status = 'dispatched' THEN NULL
                        ELSE w.received_at + interval '20 minutes' + interval '28 hours' * random() END,
                   NULL,
                   CASE WHEN w.status IN ('resolved', 'closed')
                        THEN w.received_at + interval '1 day' + interval '6 days' * random() END,
                   CASE WHEN w.status = 'closed' THEN w.received_at + interval '8 days' END,
                   0, CASE WHEN (w.id %% 13) = 0 THEN 1 ELSE 0 END, 0, 2, w.updated_at
            FROM workorders_workorder w
            JOIN b_order o ON o.n = substr(w.number, %(cut)s)::int
            JOIN b_cat cat ON cat.i = o.cat_i
            WHERE w.id > %(floor)s AND w.status IN ('dispatched', 'in_progress', 'resolved', 'closed')
            ORDER BY w.id
            """,
            {"ct": case_type, "centre": d.centre.pk, "cut": len(GENERATED_PREFIX) + 1, "floor": order_floor},
        )
        # returned (退单) and called-up (上呼) earlier parts of the same cases
        c.execute(
            """
            INSERT INTO handling_assignment (
                workflow, case_type_id, case_id, unit_id, owner_id, role, tier, status, called_by_id,
                escalated_from_id, reason, rule_id, assigned_at, accept_due, respond_due, resolve_due,
                objection_due, accept_warn_at, respond_warn_at, resolve_warn_at, accepted_at, responded_at,
                resolved_at, closed_at, extension_count, reopen_count, supervision_level, version, updated_at)
            SELECT workflow, case_type_id, case_id,
                   CASE WHEN called_by_id IS NOT NULL THEN called_by_id ELSE %(other)s END,
                   owner_id, 'lead', 1,
                   CASE WHEN called_by_id IS NOT NULL THEN 'escalated' ELSE 'returned' END,
                   NULL, NULL, '', NULL, assigned_at - interval '3 hours', accept_due - interval '3 hours', NULL,
                   resolve_due - interval '3 hours', NULL, accept_warn_at - interval '3 hours', NULL,
                   resolve_warn_at - interval '3 hours',
                   CASE WHEN called_by_id IS NOT NULL THEN assigned_at - interval '2 hours' END, NULL, NULL, NULL,
                   0, 0, 0, 2, assigned_at
            FROM handling_assignment
            WHERE id > %(floor)s AND case_type_id = %(ct)s AND (called_by_id IS NOT NULL OR (case_id %% 16) = 0)
            """,
            {"ct": case_type, "other": departments[-1].pk, "floor": assignment_floor},
        )
        # feedback on 90 % of closed cases: 78 % satisfied, 13 % basically, 9 % dissatisfied
        c.execute(
            """
            INSERT INTO handling_feedback (
                case_type_id, case_id, assignment_id, rater_id, rater_name, recorded_by_id, channel, rating,
                solved, attributable_to_unit, comment, superseded, created_at)
            SELECT a.case_type_id, a.case_id, a.id, NULL, '陈先生', %(dispatcher)s, 'phone',
                   CASE WHEN r < 0.78 THEN 'satisfied' WHEN r < 0.91 THEN 'basically_satisfied'
                        ELSE 'dissatisfied' END,
                   r < 0.88, false, '', false, a.resolved_at + interval '1 day'
            FROM (SELECT *, random() AS r FROM handling_assignment
                  WHERE id > %(floor)s AND case_type_id = %(ct)s AND status = 'closed' AND role = 'lead') a
            WHERE (a.case_id %% 10) <> 0
            """,
            {"ct": case_type, "dispatcher": ctx.dispatcher.pk, "floor": assignment_floor},
        )


def vacuum() -> None:
    """VACUUM ANALYZE the big tables, as autovacuum would soon after a bulk load: statistics
    for the planner and the visibility map that lets counts use index-only scans."""
    from django.db import connection

    with connection.cursor() as c:
        for table in ("workorders_workorder", "handling_assignment", "handling_feedback"):
            c.execute(f"VACUUM ANALYZE {table}")


def table_counts() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as c:
        result = {}
        for table in ("workorders_workorder", "handling_assignment", "handling_feedback"):
            c.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - constant table names
            result[table] = int(c.fetchone()[0])
        return result


# --- 2b. lists and statistics ------------------------------------------------------------------------
def unit_stats(start: datetime, end: datetime) -> Any:
    """The 三率 by unit for ``[start, end)``: the function the statistics pages and the API
    call (``huying.workorders.stats.unit_stats``), for the whole platform's scope."""
    from huying.workorders.stats import unit_stats as stats_by_unit

    return stats_by_unit(start, end)


def list_cases(ctx: Context) -> list[tuple[str, dict[str, Any]]]:
    """(label, filters) of the list API calls measured."""
    from django.utils import timezone

    today = timezone.localdate()
    street = ctx.district.streets["逢源街道"].pk
    return [
        ("list, a dozen matches", {"status": "cancelled", "street": street, "category": "17"}),
        ("list, first page", {}),
        ("list ?status=in_progress", {"status": "in_progress"}),
        ("list ?category=01 (市容环境)", {"category": "01"}),
        ("list ?street=逢源街道", {"street": street}),
        (
            "list ?date_from…date_to (30 days)",
            {"date_from": today - timedelta(days=60), "date_to": today - timedelta(days=31)},
        ),
        ("list ?category=0101&street=…", {"category": "0101", "street": street}),
        ("list ?status=closed&category=01", {"status": "closed", "category": "01"}),
        (
            "list ?date…(30 days)&category=01&street=…",
            {
                "date_from": today - timedelta(days=60),
                "date_to": today - timedelta(days=31),
                "category": "01",
                "street": street,
            },
        ),
        *(
            []
            if os.environ.get("BENCH_NO_SEARCH")
            else [
                ("list ?q=路灯 (a word in many texts)", {"q": "路灯"}),
                ("list ?q=<an order number>", {"q": GENERATED_PREFIX + "00000777"}),
            ]
        ),
    ]


TARGET_MS = 300.0  # issue 13 point 5: lists and statistics under 300 ms p95 at 10,000,000 orders


def console_cases(ctx: Context) -> list[tuple[str, str]]:
    """(label, path) of the console pages measured (the dispatcher's page, rendered)."""
    street = ctx.district.streets["逢源街道"].pk
    return [
        ("console, default (to dispatch)", "/workorders/console/"),
        ("console ?status=all", "/workorders/console/?status=all"),
        ("console ?status=in_progress", "/workorders/console/?status=in_progress"),
        ("console ?status=all&category=01", "/workorders/console/?status=all&category=01"),
        ("console ?status=all&street=…", f"/workorders/console/?status=all&street={street}"),
        (
            "console ?status=closed&category=01&street=…",
            f"/workorders/console/?status=closed&category=01&street={street}",
        ),
        ("console ?queue=supervise", "/workorders/console/?queue=supervise"),
        ("console ?queue=feedback", "/workorders/console/?queue=feedback"),
        *(
            []
            if os.environ.get("BENCH_NO_SEARCH")
            else [("console ?q=路灯", "/workorders/console/?q=%E8%B7%AF%E7%81%AF")]
        ),
    ]


def page_client(ctx: Context) -> Any:
    """A test client logged in as the dispatcher, with plain static addresses (no manifest)."""
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings

    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # A dispatcher's session is a two-factor one in production; the bench logs in directly.
    override_settings(STORAGES=storages, REQUIRE_2FA=False).enable()
    client = Client()
    client.force_login(ctx.dispatcher)
    return client


def bench_pages(ctx: Context, runs: int) -> list[tuple[str, float, float, str]]:
    """The console's list pages, the statistics pages, the dashboard and the red/black
    list, rendered for the dispatcher in-process: p50, p95 and the target."""
    client = page_client(ctx)
    start, _end = stats_period()
    month = f"{start:%Y-%m}"
    last_day = (stats_period()[1] - timedelta(days=1)).date()
    span = f"date_from={start:%Y-%m-%d}&date_to={last_day:%Y-%m-%d}"
    cases = [
        *console_cases(ctx),
        (f"三率 by unit, {month} (stats page)", f"/workorders/stats/?group_by=unit&{span}"),
        (f"三率 by street, {month} (stats page)", f"/workorders/stats/?group_by=street&{span}"),
        (f"三率 by category, {month} (stats page)", f"/workorders/stats/?group_by=category&{span}"),
        ("dashboard, last month", "/workorders/dashboard/?period=last_month"),
        ("dashboard, this month", "/workorders/dashboard/"),
        (f"red/black list, {month}", f"/workorders/stats/red-black/?month={month}"),
    ]
    rows = []
    for label, path in cases:
        first = client.get(path)
        if first.status_code != 200:
            raise RuntimeError(f"{path} answered {first.status_code}: {first.content[:300]!r}")
        p50, p95 = timed(functools.partial(client.get, path), runs)
        rows.append((label, p50, p95, "ok" if p95 < TARGET_MS else "OVER"))
        print(f"  … {label}: p95 {p95:,.0f} ms", flush=True)
    return rows


def api_queryset(user: Any, filters: dict[str, Any]) -> Any:
    """The queryset of ``GET /api/v1/workorders`` (huying/workorders/api/orders.py ``list_orders``)."""
    from huying.workorders.models import WorkOrder, dispatcher_districts

    rest = {k: v for k, v in filters.items() if k != "q"}
    phone_districts = None if user.is_administrator else dispatcher_districts(user)
    return (
        WorkOrder.objects.visible_to(user)
        .with_related()
        .search(filters.get("q", ""), phone_districts=phone_districts)
        .api_filtered(**rest)
    )


def bench_lists(ctx: Context, runs: int) -> list[tuple[str, float, float, float, float, str, str]]:
    """Per case: the API call in-process (p50, p95) and its SQL alone — count and first page
    of the same queryset (p50, p95) — and the number of matching orders."""
    from django.test import Client

    from huying.accounts.models import User
    from huying.workorders.models import SEARCH_COUNT_CAP
    from huying.workorders.paging import capped_count

    client = Client(HTTP_AUTHORIZATION=f"Bearer {ctx.token}")
    user = User.objects.get(pk=ctx.dispatcher.pk)
    rows = []
    for label, filters in list_cases(ctx):
        path = "/api/v1/workorders?" + urllib.parse.urlencode(filters)
        first = client.get(path)
        if first.status_code != 200:
            raise RuntimeError(f"{path} answered {first.status_code}: {first.content[:200]!r}")
        body = first.json()
        count = f"{body['count']:,}{'+' if body.get('count_capped') else ''}"
        p50, p95 = timed(functools.partial(client.get, path), runs)

        def sql(filters: dict[str, Any] = filters) -> None:
            qs = api_queryset(user, filters)
            capped_count(qs, SEARCH_COUNT_CAP if filters.get("q") else None)  # as the API counts
            list(qs[:50])

        s50, s95 = timed(sql, runs)
        rows.append((label, p50, p95, s50, s95, count, "ok" if p95 < TARGET_MS else "OVER"))
        print(f"  … {label}: API p95 {p95:,.0f} ms, SQL p95 {s95:,.0f} ms ({count})", flush=True)
    return rows


def stats_period() -> tuple[datetime, datetime]:
    """The last full calendar month (Asia/Shanghai)."""
    from django.utils import timezone

    today = timezone.localdate()
    first_this = today.replace(day=1)
    first_last = (first_this - timedelta(days=1)).replace(day=1)
    tz = timezone.get_current_timezone()
    return (
        datetime(first_last.year, first_last.month, 1, tzinfo=tz),
        datetime(first_this.year, first_this.month, 1, tzinfo=tz),
    )


def bench_stats(runs: int) -> tuple[float, float, int]:
    start, end = stats_period()
    units = len(unit_stats(start, end))
    p50, p95 = timed(lambda: unit_stats(start, end), runs, warmup=1)
    return p50, p95, units


# --- 3. the sweep ----------------------------------------------------------------------------------
def reset_sweep() -> None:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("DELETE FROM handling_warning")
        c.execute("DELETE FROM handling_caseevent WHERE kind IN ('warning', 'supervision_escalated')")
        c.execute("DELETE FROM handling_notification WHERE kind IN ('warning', 'supervision')")
        c.execute("UPDATE handling_assignment SET supervision_level = 0 WHERE supervision_level > 0")


def bench_sweep() -> dict[str, float]:
    from django.utils import timezone

    from huying.handling.models import Assignment
    from huying.handling.sweep import sweep

    reset_sweep()
    open_count = Assignment.objects.open().count()
    now = timezone.now()
    started = time.perf_counter()
    result = sweep(now, full=True)  # the warnings were deleted: read every open assignment again
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = sweep(now)
    second = time.perf_counter() - started
    return {
        "open": open_count,
        "scanned": result.scanned,
        "warnings": result.warnings,
        "escalated": result.escalated,
        "seconds": first,
        "rate": result.scanned / first if first else 0.0,
        "again_seconds": second,
        "again_warnings": again.warnings,
    }


# --- index experiments --------------------------------------------------------------------------------
# Proposed in docs/workorders-benchmark.md; created here only for a measurement, then dropped.
INDEX_PROPOSALS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "bench_wo_district_street_created",
        "CREATE INDEX bench_wo_district_street_created ON workorders_workorder (district_id, street_id, created_at)",
        ("list ?street=逢源街道",),
    ),
    (
        "bench_asg_workflow_assigned",
        "CREATE INDEX bench_asg_workflow_assigned ON handling_assignment (workflow, assigned_at)",
        ("stats",),
    ),
    (
        "bench_feedback_assignment_rating",
        "CREATE INDEX bench_feedback_assignment_rating ON handling_feedback (assignment_id) "
        "INCLUDE (superseded, rating, solved)",
        ("stats",),
    ),
)


def query_shapes(ctx: Context, runs: int) -> list[tuple[str, str, float, float, float, float]]:
    """SQL-only timings of query shapes proposed in docs/workorders-benchmark.md, next to the
    current shape of the same list: a count capped at 10,001 ("10,000+") instead of an exact
    count, and a date range as time bounds (index-friendly) instead of ``created_at::date``."""
    from django.utils import timezone

    from huying.accounts.models import User

    user = User.objects.get(pk=ctx.dispatcher.pk)
    cases = dict(list_cases(ctx))
    rows = []

    measured_now: dict[str, tuple[float, float]] = {}

    def run_shape(build: Callable[[], Any], cap: bool) -> None:
        qs = build()
        if cap:
            qs.values("id")[:10_001].count()
        else:
            qs.count()
        list(qs[:50])

    def shape(label: str, change: str, build: Callable[[], Any], cap: bool) -> None:
        if label not in measured_now:  # the current shape, measured in the same minutes
            current = functools.partial(api_queryset, user, cases[label])
            measured_now[label] = timed(functools.partial(run_shape, current, False), runs)
        p50, p95 = timed(functools.partial(run_shape, build, cap), runs)
        rows.append((label, change, *measured_now[label], p50, p95))

    for label in ("list, first page", "list ?category=01 (市容环境)"):
        filters = cases[label]
        shape(label, "count capped at 10,001", functools.partial(api_queryset, user, filters), True)
    date_filters = cases["list ?date_from…date_to (30 days)"]
    tz = timezone.get_current_timezone()
    low = datetime.combine(date_filters["date_from"], datetime.min.time(), tzinfo=tz)
    high = datetime.combine(date_filters["date_to"] + timedelta(days=1), datetime.min.time(), tzinfo=tz)

    def bounded() -> Any:
        rest = {k: v for k, v in date_filters.items() if k not in ("date_from", "date_to")}
        return api_queryset(user, rest).filter(created_at__gte=low, created_at__lt=high)

    shape("list ?date_from…date_to (30 days)", "created_at >= day start AND < day after", bounded, False)

    from huying.workorders.models import Category

    for label in ("list ?category=01 (市容环境)", "list ?category=0101&street=…"):
        filters = cases[label]
        ids = list(Category.objects.filter(code__startswith=filters["category"]).values_list("id", flat=True))
        rest = {k: v for k, v in filters.items() if k != "category"}

        def by_ids(rest: dict[str, Any] = rest, ids: list[int] = ids) -> Any:
            return api_queryset(user, rest).filter(category_id__in=ids)

        shape(label, "category ids looked up first (IN list, no join)", by_ids, False)
        shape(label, "category ids first + count capped at 10,001", by_ids, True)
    return rows


def unit_stats_two_queries(start: datetime, end: datetime) -> dict[int, dict[str, int]]:
    """The same per-unit counts as ``unit_metrics`` in the shape proposed for the statistics
    (docs/workorders-benchmark.md): one aggregate over the cohort's assignments without the
    feedback join (plain ``COUNT … FILTER``, no ``DISTINCT``), and one over the current
    feedback of that cohort grouped by the assignment's unit."""
    from django.db.models import Count, F, Q

    from huying.handling.choices import Rating, Status
    from huying.handling.metrics import NOT_HANDLED, RESOLVED, cohort
    from huying.handling.models import Feedback

    assignments = cohort(start, end, workflow="workorder").order_by()
    rows = assignments.values("unit").annotate(
        assigned=Count("id"),
        accepted_in_time=Count(
            "id",
            filter=Q(accepted_at__isnull=False) & (Q(accept_due__isnull=True) | Q(accepted_at__lte=F("accept_due"))),
        ),
        handled=Count("id", filter=~Q(status__in=NOT_HANDLED)),
        resolved=Count("id", filter=Q(status__in=RESOLVED)),
        resolved_on_time=Count(
            "id",
            filter=Q(status__in=RESOLVED) & (Q(resolve_due__isnull=True) | Q(resolved_at__lte=F("resolve_due"))),
        ),
        returned=Count("id", filter=Q(status=Status.RETURNED)),
        reopened=Count("id", filter=Q(reopen_count__gt=0)),
        resolved_ever=Count("id", filter=Q(status__in=RESOLVED) | Q(reopen_count__gt=0)),
    )
    result = {row.pop("unit"): row for row in rows}
    ratings = (
        Feedback.objects.filter(assignment__in=assignments, superseded=False)
        .order_by()
        .values("assignment__unit")
        .annotate(
            rated=Count("id"),
            satisfied=Count("id", filter=Q(rating__in=(Rating.SATISFIED, Rating.BASICALLY_SATISFIED))),
            solved_answered=Count("id", filter=Q(solved__isnull=False)),
            solved=Count("id", filter=Q(solved=True)),
        )
    )
    for row in ratings:
        result.setdefault(row.pop("assignment__unit"), {}).update(row)
    return result


def stats_shapes(runs: int) -> list[tuple[str, str, float, float, float, float]]:
    """The statistics now and in the proposed two-query shape (same counts, checked)."""
    start, end = stats_period()
    current = unit_stats(start, end)
    proposed = unit_stats_two_queries(start, end)
    for unit, metrics in current.items():
        row = proposed.get(unit, {})
        for name in ("assigned", "accepted_in_time", "resolved", "returned", "rated", "satisfied", "solved"):
            if getattr(metrics, name) != row.get(name, 0):
                raise RuntimeError(f"two-query statistics differ for unit {unit}: {name}")
    n50, n95 = timed(lambda: unit_stats(start, end), runs, warmup=1)
    p50, p95 = timed(lambda: unit_stats_two_queries(start, end), runs, warmup=1)
    return [(f"三率 by unit, {start:%Y-%m}", "two aggregates, no feedback join, no DISTINCT", n50, n95, p50, p95)]


STORED_RATING_SQL = """
    SELECT unit_id, count(*) AS assigned,
           count(*) FILTER (WHERE accepted_at IS NOT NULL AND (accept_due IS NULL OR accepted_at <= accept_due)),
           count(*) FILTER (WHERE status NOT IN ('returned', 'escalated', 'objected')),
           count(*) FILTER (WHERE status IN ('resolved', 'closed')),
           count(*) FILTER (WHERE status IN ('resolved', 'closed') AND (resolve_due IS NULL OR resolved_at <= resolve_due)),
           count(*) FILTER (WHERE status = 'returned'),
           count(*) FILTER (WHERE reopen_count > 0),
           count(*) FILTER (WHERE status IN ('resolved', 'closed') OR reopen_count > 0),
           count(*) FILTER (WHERE bench_rating IS NOT NULL),
           count(*) FILTER (WHERE bench_rating IN ('satisfied', 'basically_satisfied')),
           count(*) FILTER (WHERE bench_solved IS NOT NULL),
           count(*) FILTER (WHERE bench_solved)
    FROM handling_assignment
    WHERE workflow = 'workorder' AND assigned_at >= %s AND assigned_at < %s AND status <> 'cancelled'
    GROUP BY unit_id
"""


def stored_rating_shape(runs: int) -> list[tuple[str, str, float, float, float, float]]:
    """The statistics if the current rating were stored on the assignment (two columns kept
    by ``do_record_feedback``) and the cohort had an index on (workflow, assigned_at):
    simulated in a transaction that is rolled back, so the schema stays the migrations'."""
    from django.db import connection, transaction

    start, end = stats_period()
    now = timed(lambda: unit_stats(start, end), runs, warmup=1)
    with transaction.atomic(), connection.cursor() as c:
        c.execute("ALTER TABLE handling_assignment ADD COLUMN bench_rating varchar(20), ADD COLUMN bench_solved bool")
        c.execute(
            "UPDATE handling_assignment a SET bench_rating = f.rating, bench_solved = f.solved "
            "FROM handling_feedback f WHERE f.assignment_id = a.id AND NOT f.superseded"
        )
        c.execute("CREATE INDEX bench_asg_workflow_assigned ON handling_assignment (workflow, assigned_at)")
        c.execute("ANALYZE handling_assignment")

        def stored() -> None:
            c.execute(STORED_RATING_SQL, [start, end])
            c.fetchall()

        new = timed(stored, runs, warmup=1)
        transaction.set_rollback(True)
    return [
        (f"三率 by unit, {start:%Y-%m}", "rating stored on the assignment + (workflow, assigned_at) index", *now, *new)
    ]


def try_indexes(ctx: Context, runs: int) -> list[tuple[str, str, float, float, float, float]]:
    from django.db import connection
    from django.test import Client

    rows = []
    cases = dict(list_cases(ctx))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {ctx.token}")

    def measure(target: str) -> tuple[float, float]:
        if target == "stats":
            p50, p95, _units = bench_stats(runs)
            return p50, p95
        path = "/api/v1/workorders?" + urllib.parse.urlencode(cases[target])
        return timed(functools.partial(client.get, path), runs)

    for name, ddl, targets in INDEX_PROPOSALS:
        before = {target: measure(target) for target in targets}
        table = ddl.split(" ON ")[1].split(" ")[0]
        with connection.cursor() as c:
            c.execute(f"DROP INDEX IF EXISTS {name}")
            c.execute(ddl)
            c.execute(f"ANALYZE {table}")
        try:
            for target in targets:
                rows.append((name, target, *before[target], *measure(target)))
        finally:
            with connection.cursor() as c:
                c.execute(f"DROP INDEX IF EXISTS {name}")
    return rows


# --- the table ----------------------------------------------------------------------------------------
def print_table(title: str, header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    def cell(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:,.1f}"
        if isinstance(value, int):
            return f"{value:,}"
        return str(value)

    cells = [[cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(header)]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=100_000, help="open assignments among the orders (sweep)")
    parser.add_argument("--intake", type=int, default=2_000, help="orders posted through the API")
    parser.add_argument("--batch", type=int, default=200, help="orders per batch push")
    parser.add_argument(
        "--batch-orders", type=int, default=0, help="orders pushed in batches (default: two batches per client)"
    )
    parser.add_argument(
        "--broker",
        default="",
        help="PostgreSQL: a Redis URL (e.g. redis://127.0.0.1:6379/14): the analysis goes to one Celery worker "
        "(the production layout) instead of running in-process",
    )
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument(
        "--workers", type=int, help="gunicorn worker processes (default: 2 on PostgreSQL, 3 on SQLite as make serve)"
    )
    parser.add_argument(
        "--server-threads", type=int, help="threads per gunicorn worker (default: 4 on PostgreSQL, 1 on SQLite)"
    )
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--experiment-runs", type=int, default=20, help="runs per shape/index experiment")
    parser.add_argument(
        "--only",
        default="intake,lists,stats,pages,sweep",
        help="comma-separated: intake, lists, stats, pages, shapes, indexes, sweep; generate: only make the orders exist",
    )
    parser.add_argument("--try-indexes", action="store_true", help="also run the shapes and indexes experiments")
    parser.add_argument("--regenerate", action="store_true", help="generate the orders even if they exist")
    args = parser.parse_args(argv)
    parts = set(args.only.split(","))

    url = database_url(parts)
    ensure_database(url)
    setup_django(url)
    from django.db import connection

    started = time.perf_counter()
    ctx = Context()
    with connection.cursor() as c:
        c.execute("SELECT sqlite_version()" if is_sqlite(url) else "SHOW server_version")
        version = ("SQLite " if is_sqlite(url) else "PostgreSQL ") + c.fetchone()[0]
    print(
        f"{version}, {os.cpu_count()} CPUs, database {urllib.parse.urlsplit(url).path.lstrip('/')}, "
        f"load average at start {os.getloadavg()[0]:.1f} (figures from a busy machine are slower)"
    )

    if "intake" in parts:
        batch_total = args.batch_orders or 2 * args.batch * args.threads  # two batches per client
        broker = "" if is_sqlite(url) else args.broker
        workers, server_threads = server_layout(url, args.workers, args.server_threads)
        intake = bench_intake(
            url, ctx, args.intake, args.threads, workers, args.batch, batch_total, broker, server_threads
        )
        print_table(
            f"1. Intake on {version.split(' ')[0]}: {intake['total']:,} single pushes and {intake['batch_total']:,} "
            f"orders in batches of {args.batch}, {args.threads} concurrent clients, "
            f"gunicorn {workers} workers × {server_threads} thread{'s' if server_threads > 1 else ''}; analysis "
            + (
                "queued to 1 Celery worker (Redis)" if broker else "in each web process's background thread (no broker)"
            ),
            ("measure", "per second", "share of raw", "target"),
            [
                (
                    f"raw single-row INSERT, own transaction, {intake['raw_rows']:,.0f} rows in "
                    f"{intake['raw_seconds']:.1f} s (rows/s)",
                    intake["raw_rate"],
                    "1.000",
                    "",
                ),
                (f"  (its first {intake['total']:,} rows alone, rows/s)", intake["raw_burst"], "", ""),
                (
                    "POST /api/v1/workorders/intake/hotline (orders/s)",
                    intake["api_rate"],
                    f"{intake['ratio']:.3f}",
                    "≥ 0.10 " + ("met" if intake["ratio"] >= 0.10 else "NOT MET"),
                ),
                (
                    f"POST …/intake/hotline/batch, {args.batch} a request (orders/s)",
                    intake["batch_rate"],
                    f"{intake['batch_ratio']:.3f}",
                    "≥ 0.30 " + ("met" if intake["batch_ratio"] >= 0.30 else "NOT MET"),
                ),
                *(
                    (f"  CPU per single push, {group} (ms)", f"{ms:.2f}", "", "")
                    for group, ms in intake["cpu"].items()
                    if ms >= 0.01 and group != "whole machine"
                ),
                (
                    f"  CPU per single push, whole machine (ms; busy {intake['cpu_share']:.0%} of its cores)",
                    f"{intake['cpu'].get('whole machine', 0.0):.2f}",
                    "",
                    "",
                ),
                ("orders analysed when the pushes ended", int(intake["analysed_at_end"]), "", ""),
                ("orders analysed in the end", int(intake["analysed"]), "", ""),
                ("analysis caught up after the last push (s)", intake["catch_up"], "", ""),
                ("analysis, orders/s from the first push", intake["analysis_rate"], "", ""),
            ],
        )

    if parts & {"generate", "lists", "stats", "pages", "sweep", "shapes", "indexes"}:
        existing = generated_count()
        if existing != args.orders or args.regenerate:
            seconds = generate(ctx, args.orders, args.open, fresh=args.regenerate)
            print(f"\ngenerated {args.orders:,} orders in {seconds:.0f} s")
        else:
            restore_indexes()
            vacuum()
            print(f"\nreusing {existing:,} generated orders")
        counts = table_counts()
        print("  ".join(f"{k}: {v:,}" for k, v in counts.items()))

    if "lists" in parts or "stats" in parts:
        rows: list[tuple[Any, ...]] = []
        if "lists" in parts:
            rows += bench_lists(ctx, args.runs)
        if "stats" in parts:
            start, _end = stats_period()
            p50, p95, units = bench_stats(args.runs)
            rows.append((f"三率 by unit, {start:%Y-%m}", p50, p95, "", "", units, "ok" if p95 < TARGET_MS else "OVER"))
        print_table(
            f"2. At {generated_count():,} orders: p50/p95 over {args.runs} runs (ms); "
            "API = the endpoint in-process, SQL = capped count + first page of its queryset; "
            f"target p95 < {TARGET_MS:.0f} ms",
            ("query", "API p50", "API p95", "SQL p50", "SQL p95", "rows", f"p95 < {TARGET_MS:.0f}"),
            rows,
        )
    if "pages" in parts:
        print_table(
            f"2p. Pages at {generated_count():,} orders, rendered for the dispatcher in-process: "
            f"ms over {args.runs} runs; target p95 < {TARGET_MS:.0f} ms",
            ("page", "p50", "p95", f"p95 < {TARGET_MS:.0f}"),
            bench_pages(ctx, args.runs),
        )

    if args.try_indexes:
        parts |= {"shapes", "indexes"}
    if "shapes" in parts:
        print_table(
            f"2b. Proposed query shapes, SQL only (count + first page; stats: the whole call), "
            f"ms over {args.experiment_runs} runs, now and proposed, measured back to back",
            ("list", "shape", "now p50", "now p95", "new p50", "new p95"),
            [
                *query_shapes(ctx, args.experiment_runs),
                *stats_shapes(args.experiment_runs),
                *stored_rating_shape(args.experiment_runs),
            ],
        )
    if "indexes" in parts:
        print_table(
            f"2c. API ms over {args.experiment_runs} runs without and with each proposed index "
            "(created for the measurement, then dropped)",
            ("index", "query", "without p50", "without p95", "with p50", "with p95"),
            try_indexes(ctx, args.experiment_runs),
        )

    if "sweep" in parts:
        result = bench_sweep()
        print_table(
            f"3. Sweep over {result['open']:,} open assignments",
            ("measure", "value"),
            [
                ("assignments scanned (past a warning time)", int(result["scanned"])),
                ("warnings written", int(result["warnings"])),
                ("supervision raised", int(result["escalated"])),
                ("seconds", result["seconds"]),
                ("assignments/s", result["rate"]),
                ("second run (idempotent): seconds", result["again_seconds"]),
                ("second run: warnings written", int(result["again_warnings"])),
            ],
        )
    print(f"\ntotal {time.perf_counter() - started:.0f} s, load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
