"""Benchmark of the duty record at a province's scale (not a test): 30,000 members and
about 3 million duty entries over five years (2022–2026).

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/huying_bench_duty \\
        .venv/bin/python -m bench.duty [--members 30000] [--entries 3000000] [--queries 50]

PostgreSQL only (a SQLite URL is refused). The database is created and migrated if needed;
the data are generated once and reused by later runs of the same size:
members and their member roles (province CPPCC and 21 city CPPCCs, 10 special committees,
34 sectors) with ``bulk_create``; the entries with ``INSERT … SELECT … generate_series`` in
chunks (spread over members, kinds and five years, 1 % retracted); then the points of every
entry and the yearly summaries with the real :func:`huying.duty.points.recompute` (the
same code a rule change runs). It prints, and :func:`run_benchmark` returns:

- the insert rate and the time of the full recomputation (every entry, every summary);
- p50/p95 of the member's duty page (``/duty/record/``, the real view through Django's
  test client, as a random member each time), of his ledger page, of a special committee's
  ranking (3,000 members) and a city CPPCC's ranking (the staff of the province CPPCC),
  first page of 50 with the count; a trivial query as the baseline of the same run;
- the time of one rule change: from 2026 a first proposer's submission counts one point
  more (end the current rule, add the new one: ``do_save_rule`` twice, each recomputing the
  acts it can alter and the summaries of their years).

Figures are recorded in docs/duty.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from typing import Any

from bench.proposals import _percentile, _setup, _timed

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/huying_bench_duty"
SEED = 10
BATCH = 5000
CHUNK = 250_000
CITIES = 21
COMMITTEES = 10
# (kind, group, qualifier, title) of the generated acts, in the proportions they recur.
ACTS = [
    ("proposal.submitted", "proposal", "first", "关于推进基层治理的建议"),
    ("proposal.submitted", "proposal", "cosigner", "关于优化营商环境的建议"),
    ("proposal.filed", "proposal", "first", "关于推进基层治理的建议"),
    ("proposal.filed", "proposal", "cosigner", "关于优化营商环境的建议"),
    ("proposal.key", "proposal", "", "关于加强养老服务的建议"),
    ("opinion.submitted", "opinion", "", "关于农村供水保障的社情民意"),
    ("opinion.submitted", "opinion", "", "关于学生课后服务的社情民意"),
    ("opinion.adopted", "opinion", "city", "关于农村供水保障的社情民意"),
    ("opinion.adopted", "opinion", "province", "关于学生课后服务的社情民意"),
    ("opinion.instructed", "opinion", "province", "关于学生课后服务的社情民意"),
    ("activity.attended", "activity", "inspection", "专题视察"),
    ("activity.attended", "activity", "research", "专题调研"),
    ("activity.attended", "activity", "meeting", "常委会会议"),
    ("activity.attended", "activity", "training", "委员培训"),
    ("activity.leave", "activity", "", "专题协商会"),
    ("activity.absent", "activity", "", "界别活动"),
    ("consultation.speech", "consultation", "", "协商会发言"),
]


def generate_data(members: int, entries: int) -> dict[str, Any]:
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from huying.accounts.choices import MemberLevel, Role
    from huying.accounts.models import RoleAssignment, User
    from huying.duty.models import DutyEntry
    from huying.duty.points import recompute
    from huying.organisations.actions import do_create_organisation, do_create_sector
    from huying.organisations.choices import OrgKind, OrgLevel
    from huying.organisations.models import Organisation

    province = Organisation.objects.filter(name="基准履职省政协", parent__isnull=True).first()
    if province is not None:
        if User.objects.filter(username__startswith="dm").count() == members and DutyEntry.objects.count() == entries:
            return {"generated": False}
        raise SystemExit("The benchmark database holds data of another size; drop it first (dropdb …).")
    result: dict[str, Any] = {"generated": True}
    rng = random.Random(SEED)
    with transaction.atomic():
        province = do_create_organisation(None, name="基准履职省政协", kind=OrgKind.CPPCC, level=OrgLevel.PROVINCE)
        cities = [
            do_create_organisation(
                None, name=f"基准市政协{i:02d}", kind=OrgKind.CPPCC, level=OrgLevel.CITY, parent=province
            )
            for i in range(1, CITIES + 1)
        ]
        committees = [
            do_create_organisation(
                None,
                name=f"履职专门委员会{i}",
                kind=OrgKind.SPECIAL_COMMITTEE,
                level=OrgLevel.PROVINCE,
                parent=province,
            )
            for i in range(1, COMMITTEES + 1)
        ]
        sectors = [do_create_sector(None, name=f"履职界别{i:02d}", sort_order=i) for i in range(1, 35)]
        password = make_password("bench")
        User.objects.bulk_create(
            [User(username=f"dm{i:05d}", real_name=f"委员{i:05d}", password=password) for i in range(members)],
            batch_size=BATCH,
        )
        people = list(User.objects.filter(username__startswith="dm").order_by("pk").values_list("pk", flat=True))
        RoleAssignment.objects.bulk_create(
            [
                RoleAssignment(
                    user_id=pk,
                    role=Role.MEMBER,
                    organisation=province if i % 10 < 3 else cities[i % CITIES],
                    term=13,
                    sector=sectors[rng.randrange(len(sectors))],
                    special_committee=committees[i % COMMITTEES],
                    member_level=MemberLevel.PROVINCIAL if i % 10 < 3 else MemberLevel.CITY,
                )
                for i, pk in enumerate(people)
            ],
            batch_size=BATCH,
        )
        staff = User.objects.create(username="duty_bench_staff", real_name="基准工作人员", password=password)
        RoleAssignment.objects.create(user=staff, role=Role.AGENCY_STAFF, organisation=province)
    table = DutyEntry._meta.db_table
    kinds_sql = ", ".join(
        f"({i}, '{kind}', '{group}', '{qualifier}', '{title}')"
        for i, (kind, group, qualifier, title) in enumerate(ACTS)
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_duty_members")
        cursor.execute(
            "CREATE TEMP TABLE bench_duty_members AS "
            "SELECT (row_number() OVER (ORDER BY id)) - 1 AS idx, id FROM accounts_user WHERE username LIKE 'dm%%'"
        )
        cursor.execute("CREATE INDEX ON bench_duty_members (idx)")
        seconds = 5 * 365 * 86400 + 86400
        for low in range(1, entries + 1, CHUNK):
            high = min(entries, low + CHUNK - 1)
            with transaction.atomic():
                cursor.execute(
                    f"""
                    INSERT INTO {table} (member_id, kind, "group", qualifier, source_type, source_id, title,
                                         occurred_at, occurred_on, year, points, retracted_at, created_at)
                    SELECT m.id, k.kind, k.grp, k.qualifier, 'bench.act', g, k.title, t.ts,
                           (t.ts AT TIME ZONE 'Asia/Shanghai')::date,
                           extract(year FROM t.ts AT TIME ZONE 'Asia/Shanghai')::int, 0,
                           CASE WHEN g %% 100 = 0 THEN t.ts END, now()
                    FROM generate_series(%s, %s) AS g
                    CROSS JOIN LATERAL (
                        SELECT timestamptz '2022-01-01 00:00+08'
                               + ((g::bigint * 104729) %% {seconds}) * interval '1 second' AS ts
                    ) AS t
                    JOIN bench_duty_members m ON m.idx = (g::bigint * 7919) %% %s
                    JOIN (VALUES {kinds_sql}) AS k(idx, kind, grp, qualifier, title)
                      ON k.idx = (g::bigint * 31) %% {len(ACTS)}
                    """,  # noqa: S608 - generated constants, bound bounds
                    [low, high, members],
                )
            print(f"  entries {high:,}", file=sys.stderr)
    result["insert_rows_per_second"] = round(entries / (time.perf_counter() - started))
    started = time.perf_counter()
    recompute()
    result["recompute_all_seconds"] = round(time.perf_counter() - started, 1)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("VACUUM ANALYZE duty_dutysummary")
        cursor.execute("ANALYZE accounts_roleassignment")
        cursor.execute("ANALYZE accounts_user")
    return result


def measure(members: int, entries: int, queries: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client, override_settings

    from huying.accounts.models import User
    from huying.duty.actions import do_delete_rule, do_save_rule
    from huying.duty.models import DutyEntry, PointRule
    from huying.organisations.models import Organisation

    data = generate_data(members, entries)
    rng = random.Random(SEED + 1)
    people = list(User.objects.filter(username__startswith="dm").values_list("pk", flat=True))
    staff = User.objects.get(username="duty_bench_staff")
    committee = Organisation.objects.get(name="履职专门委员会3")
    city = Organisation.objects.get(name="基准市政协05")
    with connection.cursor() as cursor:
        cursor.execute("SET max_parallel_workers_per_gather = 0")

    def trivial() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    baseline = [_timed(trivial) for _ in range(queries)]
    results: dict[str, Any] = {
        "engine": connection.vendor,
        "members": len(people),
        "entries": DutyEntry.objects.count(),
        **{k: v for k, v in data.items() if k != "generated"},
        "trivial_query_p50_ms": round(_percentile(baseline, 0.5), 2),
    }
    clients: dict[int, Client] = {}

    def as_member(pk: int) -> Client:
        if pk not in clients:
            client = Client()
            client.force_login(User.objects.get(pk=pk))
            clients[pk] = client
        return clients[pk]

    sample = [rng.choice(people) for _ in range(queries)]
    staff_client = Client()
    staff_client.force_login(staff)
    with override_settings(ALLOWED_HOSTS=["testserver", "localhost"]):
        for pk in sample:  # log in first: the logins are not what is measured
            as_member(pk)
        as_member(sample[0]).get("/duty/record/")
        pages = [_timed(lambda pk=pk: as_member(pk).get("/duty/record/")) for pk in sample]
        ledgers = [_timed(lambda pk=pk: as_member(pk).get("/duty/record/ledger/2025/")) for pk in sample]
        status = as_member(sample[0]).get("/duty/record/").status_code
        committee_url = f"/duty/record/rankings/?scope=committee&target={committee.pk}&year=2025"
        city_url = f"/duty/record/rankings/?scope=cppcc&target={city.pk}&year=2025"
        staff_client.get(committee_url)
        committee_ranks = [_timed(lambda: staff_client.get(committee_url)) for _ in range(queries)]
        city_ranks = [_timed(lambda: staff_client.get(city_url)) for _ in range(queries)]
        rank_status = staff_client.get(committee_url).status_code
    # A realistic rule change: from 2026 a first proposer's submission counts 3, not 2 — end
    # the current rule on 2025-12-31 and add the new one (each recomputes what it can alter:
    # the 2026 acts of that kind and the 2026 summaries); then put the table back, untimed.
    rule = PointRule.objects.get(kind="proposal.submitted", qualifier="first")
    kind, qualifier, points, note, since = rule.kind, rule.qualifier, rule.points, rule.note, rule.valid_from
    started = time.perf_counter()
    end = datetime.date(2025, 12, 31)
    do_save_rule(staff, rule, kind=kind, qualifier=qualifier, points=points, note=note, valid_from=since, valid_to=end)
    new = do_save_rule(
        staff, kind=kind, qualifier=qualifier, points=points + 1, note=note, valid_from=datetime.date(2026, 1, 1)
    )
    rule_change = time.perf_counter() - started
    do_delete_rule(staff, new)
    do_save_rule(staff, rule, kind=kind, qualifier=qualifier, points=points, note=note, valid_from=since)
    for name, values in (
        ("member_page", pages),
        ("member_ledger", ledgers),
        ("committee_ranking", committee_ranks),
        ("city_ranking", city_ranks),
    ):
        results[f"{name}_p50_ms"] = round(_percentile(values, 0.5), 1)
        results[f"{name}_p95_ms"] = round(_percentile(values, 0.95), 1)
    results["page_status"] = f"{status}/{rank_status}"
    results["rule_change_seconds"] = round(rule_change, 1)
    results["load_average_1min"] = round(os.getloadavg()[0], 1)
    return results


def run_benchmark(url: str, members: int = 30_000, entries: int = 3_000_000, queries: int = 50) -> dict[str, Any]:
    _setup(url)
    return measure(members, entries, queries)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--members", type=int, default=30_000)
    parser.add_argument("--entries", type=int, default=3_000_000)
    parser.add_argument("--queries", type=int, default=50)
    args = parser.parse_args(argv)
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if url.startswith("sqlite"):
        print(f"The duty benchmark needs PostgreSQL: set BENCH_DATABASE_URL (default {DEFAULT_URL}).", file=sys.stderr)
        return 2
    print(f"Duty record benchmark on {url.split('@')[-1]}: {args.members} members, {args.entries} entries")
    result = run_benchmark(url, args.members, args.entries, args.queries)
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
