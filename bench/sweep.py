"""Benchmark of the handling engine's deadline sweep on PostgreSQL (issue 13, point 4). Not a test.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/huying_bench_sweep \\
        .venv/bin/python -m bench.sweep [--open 1000000] [--batch-size 2000]

Creates and migrates its own database (refuses SQLite) and generates ``--open`` open
work-order assignments in one ``INSERT … SELECT generate_series`` (reused when the count is
right, so a second run starts at once). Their ages at the simulated moment ``NOW`` are
skewed young (40 days × r²); a fresh one waits to be signed for (accept by one day, yellow
from 0.8 day), older ones are signed for and responded to, and must be resolved within 30
days (yellow from day 24). At ``NOW`` about 3 % are past their accept warning or
deadline and 22 % past their resolve warning or deadline, many of them several red
repeats deep (supervision raised).

Before the measurement the sweep's own rows (warnings, their events and notifications,
supervision levels, the high-water mark) are removed, then it measures:

1. the first run at ``NOW`` — no mark, so it reads every open assignment past a threshold
   and writes every warning (the issue's 271–312 s for 98,478);
2. the next run five minutes later, as cron runs it: only what crossed since (idempotent);
3. a full idempotent pass at the same moment (``full=True``: what every second run cost
   before, reading every overdue assignment and finding everything sent);
4. a run one hour of simulated time later.

Each is reported as seconds and open assignments per second (``--open`` / seconds) against
the target of 20,000/s (a million in under a minute). Figures: docs/handling-engine.md.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
import urllib.parse
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/huying_bench_sweep"
NOW = datetime(2026, 6, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
REASON = "bench-sweep"
TARGET = 20_000.0
UNITS = 60


def database_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if urllib.parse.urlsplit(url).scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit(f"The sweep benchmark runs on PostgreSQL only: set BENCH_DATABASE_URL, e.g. {DEFAULT_URL}")
    return url


def ensure_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def setup_django(url: str) -> None:
    os.environ.update(
        {
            "DATABASE_URL": url,
            "DEBUG": "0",
            "HTTPS": "0",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "huying.settings",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def organisations() -> tuple[int, list[int]]:
    """The supervising office and the units (made once through the real action)."""
    from huying.organisations.actions import do_create_organisation
    from huying.organisations.choices import OrgKind, OrgLevel
    from huying.organisations.models import Organisation

    def get(name: str, parent: Organisation | None) -> Organisation:
        found = Organisation.objects.filter(name=name, parent=parent).first()
        return found or do_create_organisation(
            None, name=name, kind=OrgKind.DEPARTMENT, level=OrgLevel.COUNTY, parent=parent
        )

    office = get("压测指挥中心", None)
    return office.pk, [get(f"压测单位{i:02d}", office).pk for i in range(UNITS)]


def generate(count: int) -> None:
    """``count`` open assignments of the work-order workflow in one statement (reused)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    from huying.handling.models import Assignment

    existing = Assignment.objects.filter(reason=REASON).count()
    if existing == count:
        print(f"reusing {count:,} generated open assignments")
        return
    office, units = organisations()
    case_type = ContentType.objects.get_by_natural_key("workorders", "workorder").pk
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as c:
        c.execute("DELETE FROM handling_assignment WHERE reason = %s", [REASON])
        c.execute(
            """
            INSERT INTO handling_assignment (
                workflow, case_type_id, case_id, unit_id, owner_id, role, tier, status, reason,
                assigned_at, accept_due, accept_warn_at, respond_due, respond_warn_at, resolve_due,
                resolve_warn_at, accepted_at, responded_at, extension_count, reopen_count,
                supervision_level, version, updated_at)
            SELECT 'workorder', %(case_type)s, g.n, (%(units)s::bigint[])[1 + g.n %% %(n_units)s], %(office)s,
                   'single', 1,
                   CASE WHEN g.age < interval '1.2 days' THEN 'assigned' ELSE 'accepted' END, %(reason)s,
                   g.at, g.at + interval '1 day', g.at + interval '0.8 days',
                   g.at + interval '2 days', g.at + interval '1.6 days',
                   g.at + interval '30 days', g.at + interval '24 days',
                   CASE WHEN g.age < interval '1.2 days' THEN NULL ELSE g.at + interval '0.5 days' END,
                   CASE WHEN g.age < interval '1.2 days' THEN NULL ELSE g.at + interval '0.6 days' END,
                   0, 0, 0, 1, g.at
            FROM (
                SELECT n, age, %(now)s::timestamptz - age AS at
                FROM (SELECT n, interval '40 days' * random() ^ 2 AS age FROM generate_series(1, %(count)s) AS n) s
            ) g
            """,
            {
                "case_type": case_type,
                "units": units,
                "n_units": len(units),
                "office": office,
                "reason": REASON,
                "now": NOW,
                "count": count,
            },
        )
    with connection.cursor() as c:
        c.execute("ANALYZE handling_assignment")
    print(f"generated {count:,} open assignments in {time.perf_counter() - started:.0f} s")


def reset() -> None:
    """Remove what earlier sweeps wrote (this database holds only the bench's rows)."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute("TRUNCATE handling_warning, handling_caseevent, handling_notification")
        c.execute("UPDATE handling_assignment SET supervision_level = 0 WHERE supervision_level > 0")
        c.execute("UPDATE handling_sweepstate SET swept_until = NULL")
        c.execute("VACUUM ANALYZE handling_assignment")


def backend_cpu() -> float:
    """CPU seconds (user + system) of this connection's PostgreSQL backend so far, read from
    /proc (the server runs on this host); 0 when it cannot be read."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT pg_backend_pid()")
        (pid,) = c.fetchone()
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(label: str, now: datetime, batch_size: int, open_count: int, *, full: bool = False) -> dict[str, object]:
    """One run: wall seconds, and CPU seconds of this process plus its database backend —
    what the run costs on a quiet machine, where the two take turns (the machine is shared,
    so the wall time includes waiting for a core)."""
    from huying.handling.sweep import sweep

    cpu_before = time.process_time() + backend_cpu()
    started = time.perf_counter()
    result = sweep(now, batch_size=batch_size, full=full)
    seconds = time.perf_counter() - started
    cpu = time.process_time() + backend_cpu() - cpu_before
    rate = open_count / seconds if seconds else float("inf")
    cpu_rate = open_count / cpu if cpu else float("inf")
    row = {"run": label, "seconds": seconds, "rate": rate, "cpu": cpu, "cpu_rate": cpu_rate, **result.as_dict()}
    print(
        f"  {label:<38} {seconds:8.2f} s {rate:10,.0f}/s  CPU {cpu:7.2f} s {cpu_rate:10,.0f}/s  "
        f"read {result.scanned:>9,}  warnings {result.warnings:>8,}  supervision {result.escalated:>7,}",
        flush=True,
    )
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--open", type=int, default=1_000_000, help="open assignments to generate (1,000,000)")
    parser.add_argument("--batch-size", type=int, default=2000)
    args = parser.parse_args(argv)
    url = database_url()
    ensure_database(url)
    setup_django(url)
    generate(args.open)
    reset()
    from huying.handling.models import Assignment

    open_count = Assignment.objects.open().count()
    print(f"\nDeadline sweep over {open_count:,} open assignments (batch {args.batch_size:,}), simulated now {NOW}")
    print(f"load average {os.getloadavg()[0]:.1f} (1 min) at the start; the machine has {os.cpu_count()} CPUs")
    rows = [
        measure("1. first run (no mark)", NOW, args.batch_size, open_count),
        measure("2. next run, 5 min later", NOW + timedelta(minutes=5), args.batch_size, open_count),
        measure(
            "3. full idempotent pass, same moment", NOW + timedelta(minutes=5), args.batch_size, open_count, full=True
        ),
        measure("4. run 1 hour later", NOW + timedelta(hours=1, minutes=5), args.batch_size, open_count),
    ]
    print(f"\nload average {os.getloadavg()[0]:.1f} (1 min) at the end; the machine has {os.cpu_count()} CPUs")
    print(
        "\n| run | seconds | open assignments/s | CPU s (bench + backend) | per CPU second | target | read "
        "| warnings | supervision raised |"
    )
    print("|---|---:|---:|---:|---:|---|---:|---:|---:|")
    for row in rows:
        ok = "met" if float(row["rate"]) >= TARGET else "MISSED"  # type: ignore[arg-type]
        ok_cpu = "met" if float(row["cpu_rate"]) >= TARGET else "MISSED"  # type: ignore[arg-type]
        print(
            f"| {row['run']} | {row['seconds']:.2f} | {row['rate']:,.0f} | {row['cpu']:.2f} | {row['cpu_rate']:,.0f} "
            f"| ≥ {TARGET:,.0f}/s: wall {ok}, CPU {ok_cpu} | {row['scanned']:,} | {row['warnings']:,} "
            f"| {row['escalated']:,} |"
        )
    first, repeat = rows[0], rows[1]
    print(
        f"\nfirst run {float(first['rate']):,.0f}/s (per CPU second {float(first['cpu_rate']):,.0f}/s), "  # type: ignore[arg-type]
        f"repeat run {float(repeat['rate']):,.0f}/s (per CPU second {float(repeat['cpu_rate']):,.0f}/s), "  # type: ignore[arg-type]
        f"target {TARGET:,.0f}/s"
    )
    print("Before (the issue): 98,478 open assignments in 271–312 s = 316–364/s.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
