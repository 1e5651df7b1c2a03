"""Benchmark of proposals at a province's scale (not a test): 100,000 proposals.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/huying_bench_proposals \\
        .venv/bin/python -m bench.proposals [--proposals 100000] [--queries 50] [--sqlite PATH]

On PostgreSQL (the engine for this scale; a SQLite URL is refused, ``--sqlite PATH``
additionally runs the same measurements on a SQLite file for comparison). The database is
created and migrated if needed; the data are generated once (bulk inserts of generated
texts, members, handling assignments, replies and ratings) and reused by later runs with
the same size. It prints, and :func:`run_benchmark` returns:

- the insert rate and the time to build the full-text index (segmentation + engine index);
- p50/p95 over ``queries`` lookups each of the similar-proposal lookup (a new text against
  the whole history), of the full-text search (a staff member's visible proposals, count
  and first page of 20) and, as a baseline measured in the same run, a trivial query;
- the statistics of the 100,000-proposal session: the figures (seven queries) and the whole
  page rendered for a staff member (median of 5).

Latencies are wall time and CPU time (this process plus its PostgreSQL backend, parallel
query off so that one backend does the work): on a shared machine the wall time includes
the wait for a CPU; the load average is printed with the figures.

Figures are recorded in docs/proposals.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from typing import Any

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/huying_bench_proposals"
SEED = 15
MEMBERS = 2000
BATCH = 2000
SEARCH_QUERIES = (
    "垃圾分类",
    "医疗",
    "职业教育",
    "营商环境",
    "乡村振兴",
    "老旧小区加装电梯",
    "粤港澳大湾区科技创新",
    "养老服务",
    "碳达峰",
    "跨境电商",
    "黑臭水体",
    "心理健康",
    "预制菜",
    "非物质文化遗产",
    "电信网络诈骗",
    "保障性租赁住房",
    "中小学生近视",
    "数据要素",
    "冷链物流",
    "托育",
    "城乡居民医疗保障",
    "港澳青年",
    "安全生产",
    "历史文化街区保护",
    "民营企业融资",
)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Clock:
    """Wall time and CPU time (this process + the database backend serving it, read from
    /proc on PostgreSQL) of one call, in milliseconds. The machine is shared: the wall time
    includes waiting for a CPU, the CPU time is what the work costs."""

    def __init__(self) -> None:
        from django.db import connection

        self.backend: int | None = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # One process per query, so that its CPU time is the query's.
                cursor.execute("SET max_parallel_workers_per_gather = 0")
                cursor.execute("SELECT pg_backend_pid()")
                self.backend = cursor.fetchone()[0]
        self.tick = os.sysconf("SC_CLK_TCK")

    def _backend_cpu(self) -> float:
        if self.backend is None:
            return 0.0
        try:
            with open(f"/proc/{self.backend}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:  # the database runs on another machine
            return 0.0
        return (int(fields[11]) + int(fields[12])) / self.tick

    def __call__(self, fn: Any) -> tuple[float, float]:
        cpu = time.process_time() + self._backend_cpu()
        started = time.perf_counter()
        fn()
        wall = (time.perf_counter() - started) * 1000
        return wall, (time.process_time() + self._backend_cpu() - cpu) * 1000


def _timed(fn: Any) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def _setup(url: str) -> None:
    """Point Django at the benchmark database (created if missing) and migrate it."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huying.settings")
    if url.startswith(("postgres://", "postgresql://", "pgsql://")):
        import dj_database_url
        import psycopg

        config = dj_database_url.parse(url)
        try:
            admin = psycopg.connect(
                host=config["HOST"] or None,
                port=config["PORT"] or None,
                user=config["USER"] or None,
                password=config["PASSWORD"] or None,
                dbname="postgres",
                autocommit=True,
            )
        except psycopg.OperationalError as exc:
            raise SystemExit(
                f"PostgreSQL is not reachable for the proposals benchmark ({exc}); set BENCH_DATABASE_URL."
            ) from None
        with admin:
            exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone()
            if not exists:
                admin.execute(f'CREATE DATABASE "{config["NAME"]}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# --- data -----------------------------------------------------------------------------------------
def generate_data(count: int) -> dict[str, Any]:
    """Organisations, members, one session with ``count`` proposals (bulk), handling
    records for half of the filed ones, then the full-text index. Reused when present."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone

    from huying.accounts.choices import MemberLevel, Role
    from huying.accounts.models import RoleAssignment, User
    from huying.core.models import Counter
    from huying.demo.proposal_texts import generate
    from huying.handling.choices import AssignmentRole, FeedbackChannel, Rating, Status
    from huying.handling.models import Assignment, Feedback
    from huying.organisations.actions import do_create_organisation, do_create_sector
    from huying.organisations.choices import OrgKind, OrgLevel
    from huying.organisations.models import Organisation
    from huying.proposals import search
    from huying.proposals.choices import ProposalStatus, RejectReason, ReplyStatus, SubmitterKind
    from huying.proposals.models import Proposal, Reply, Session

    cppcc = Organisation.objects.filter(name="基准省政协", parent__isnull=True).first()
    session = Session.objects.filter(cppcc=cppcc, term=13, number=5).first() if cppcc else None
    if session is not None and Proposal.objects.filter(session=session).count() == count:
        return {"session": session, "generated": False}
    if cppcc is not None:
        raise SystemExit(
            "The benchmark database holds data of another size; drop it first "
            "(e.g. dropdb huying_bench_proposals) or use --proposals with the size it holds."
        )
    result: dict[str, Any] = {"generated": True}
    rng = random.Random(SEED)
    with transaction.atomic():
        cppcc = do_create_organisation(None, name="基准省政协", kind=OrgKind.CPPCC, level=OrgLevel.PROVINCE)
        gov = do_create_organisation(None, name="基准省人民政府", kind=OrgKind.GOVERNMENT, level=OrgLevel.PROVINCE)
        committees = [
            do_create_organisation(
                None, name=f"专门委员会{i}", kind=OrgKind.SPECIAL_COMMITTEE, level=OrgLevel.PROVINCE, parent=cppcc
            )
            for i in range(1, 11)
        ]
        units = [
            do_create_organisation(
                None, name=f"省直部门{i:02d}", kind=OrgKind.DEPARTMENT, level=OrgLevel.PROVINCE, parent=gov
            )
            for i in range(1, 31)
        ]
        sectors = [do_create_sector(None, name=f"基准界别{i:02d}", sort_order=i) for i in range(1, 35)]
        password = make_password("bench")
        User.objects.bulk_create(
            [User(username=f"bm{i:05d}", real_name=f"委员{i:05d}", password=password) for i in range(MEMBERS)],
            batch_size=BATCH,
        )
        members = list(User.objects.filter(username__startswith="bm").order_by("pk"))
        RoleAssignment.objects.bulk_create(
            [
                RoleAssignment(
                    user=m,
                    role=Role.MEMBER,
                    organisation=cppcc,
                    term=13,
                    sector=sectors[i % len(sectors)],
                    special_committee=committees[i % len(committees)],
                    member_level=MemberLevel.PROVINCIAL,
                )
                for i, m in enumerate(members)
            ],
            batch_size=BATCH,
        )
        staff = User.objects.create(username="bench_staff", real_name="基准工作人员", password=password)
        RoleAssignment.objects.create(user=staff, role=Role.AGENCY_STAFF, organisation=cppcc)
        session = Session.objects.create(cppcc=cppcc, term=13, number=5, is_current=True)

        texts = generate(count, SEED)
        now = timezone.now()
        statuses = [
            ProposalStatus.FILED,
            ProposalStatus.SUBMITTED,
            ProposalStatus.REJECTED,
            ProposalStatus.MERGED,
            ProposalStatus.CONVERTED,
            ProposalStatus.WITHDRAWN,
        ]
        weights = [70, 8, 9, 7, 3, 3]
        started = time.perf_counter()
        number = 0
        rows = []
        for text in texts:
            status = rng.choices(statuses, weights)[0]
            if status == ProposalStatus.FILED:
                number += 1
            rows.append(
                Proposal(
                    session=session,
                    submitter_kind=SubmitterKind.JOINT if rng.random() < 0.25 else SubmitterKind.MEMBER,
                    proposer=rng.choice(members),
                    title=text.title,
                    summary=text.summary,
                    situation=text.situation,
                    analysis=text.analysis,
                    suggestions=text.suggestions,
                    category=text.category,
                    status=status,
                    number=number if status == ProposalStatus.FILED else None,
                    reject_reason=RejectReason.EMPTY if status == ProposalStatus.REJECTED else "",
                    explanation="缺少具体建议" if status == ProposalStatus.REJECTED else "",
                    submitted_at=now,
                    decided_at=now if status != ProposalStatus.SUBMITTED else None,
                )
            )
        Proposal.objects.bulk_create(rows, batch_size=BATCH)
        insert_seconds = time.perf_counter() - started
        result["insert_rows_per_second"] = round(count / insert_seconds)
        Counter.objects.create(scope=f"proposal:{session.pk}", value=number)
        filed = list(
            Proposal.objects.filter(session=session, status=ProposalStatus.FILED)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        merged = list(Proposal.objects.filter(session=session, status=ProposalStatus.MERGED).only("pk"))
        for proposal in merged:
            proposal.merged_into_id = rng.choice(filed)
        Proposal.objects.bulk_update(merged, ["merged_into"], batch_size=500)

        # Handling: half of the filed proposals assigned to one unit; 70 % of those replied
        # (one in ten late), each reply accepted with a class and rated by the proposer.
        case_type = ContentType.objects.get_for_model(Proposal)
        assigned = filed[: len(filed) // 2]
        assignments = []
        for pk in assigned:
            replied = rng.random() < 0.7
            due = now + datetime.timedelta(days=90)
            assignments.append(
                Assignment(
                    workflow="proposal",
                    case_type=case_type,
                    case_id=pk,
                    unit=rng.choice(units),
                    owner=cppcc,
                    role=AssignmentRole.SINGLE,
                    status=Status.RESOLVED if replied else Status.ACCEPTED,
                    assigned_at=now,
                    resolve_due=due,
                    accepted_at=now,
                    resolved_at=(due + datetime.timedelta(days=3) if rng.random() < 0.1 else now) if replied else None,
                )
            )
        Assignment.objects.bulk_create(assignments, batch_size=BATCH)
        resolved = list(
            Assignment.objects.filter(workflow="proposal", status=Status.RESOLVED).values_list(
                "pk", "case_id", "unit_id"
            )
        )
        Reply.objects.bulk_create(
            [
                Reply(
                    proposal_id=case_id,
                    assignment_id=pk,
                    unit_id=unit_id,
                    reply_class=rng.choice("AABBC"),
                    reference_number=f"基准函〔2026〕{pk}号",
                    contact_person="联系人",
                    body="答复",
                    status=ReplyStatus.ACCEPTED,
                    submitted_at=now,
                )
                for pk, case_id, unit_id in resolved
            ],
            batch_size=BATCH,
        )
        Feedback.objects.bulk_create(
            [
                Feedback(
                    case_type=case_type,
                    case_id=case_id,
                    assignment_id=pk,
                    channel=FeedbackChannel.WEB,
                    rating=rng.choice(
                        [Rating.SATISFIED] * 6 + [Rating.BASICALLY_SATISFIED] * 3 + [Rating.DISSATISFIED]
                    ),
                    created_at=now,
                )
                for pk, case_id, _unit in resolved
            ],
            batch_size=BATCH,
        )
        started = time.perf_counter()
        search.reindex(Proposal.objects.filter(session=session))
        result["index_build_seconds"] = round(time.perf_counter() - started, 1)
    if connection.vendor == "postgresql":
        # Statistics for the planner, and the visibility map for index-only scans (what
        # autovacuum does some minutes after a bulk load).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    result["session"] = session
    return result


# --- measurements ----------------------------------------------------------------------------------
def measure(count: int, queries: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from huying.accounts.models import User
    from huying.demo.proposal_texts import generate
    from huying.proposals.models import Proposal
    from huying.proposals.search import SearchResults
    from huying.proposals.similarity import similar_proposals
    from huying.proposals.stats import session_stats

    data = generate_data(count)
    session = data["session"]
    staff = User.objects.get(username="bench_staff")
    staff_view = Proposal.objects.visible_to(staff).for_list()

    def trivial() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    clock = Clock()
    baseline = [_timed(trivial) for _ in range(queries)]

    texts = generate(queries, SEED + 99)  # new texts, not in the history
    similar_proposals(texts[0].title, session)  # warm the caches, as a running server would be
    lookups = [clock(lambda t=t: similar_proposals(f"{t.title}\n{t.summary}", session, 5)) for t in texts]
    found_near = sum(
        1 for t in texts[:10] if (r := similar_proposals(f"{t.title}\n{t.summary}", session, 5)) and r[0][1] > 0.3
    )

    def one_search(q: str) -> None:  # as the review list and the API do it
        results = SearchResults(staff_view, q)
        results.count()
        results[0:20]

    search_terms = [SEARCH_QUERIES[i % len(SEARCH_QUERIES)] for i in range(queries)]
    one_search(search_terms[0])
    searches = [clock(lambda q=q: one_search(q)) for q in search_terms]

    figures = sorted(clock(lambda: session_stats(session)) for _ in range(5))
    client = Client()
    client.force_login(staff)
    with override_settings(ALLOWED_HOSTS=["testserver", "localhost"]):
        client.get("/proposals/stats/", {"session": session.pk})
        pages = sorted(_timed(lambda: client.get("/proposals/stats/", {"session": session.pk})) for _ in range(5))
        status = client.get("/proposals/stats/", {"session": session.pk}).status_code
    load = os.getloadavg()[0]

    def wall(values: list[tuple[float, float]], share: float) -> float:
        return round(_percentile([v[0] for v in values], share), 1)

    def cpu(values: list[tuple[float, float]], share: float) -> float:
        return round(_percentile([v[1] for v in values], share), 1)

    result = {
        "engine": connection.vendor,
        "proposals": Proposal.objects.filter(session=session).count(),
        "load_average_1min": round(load, 1),
        "trivial_query_p50_ms": round(_percentile(baseline, 0.5), 2),
        "similar_p50_ms": wall(lookups, 0.5),
        "similar_p95_ms": wall(lookups, 0.95),
        "similar_cpu_p50_ms": cpu(lookups, 0.5),
        "similar_cpu_p95_ms": cpu(lookups, 0.95),
        "similar_top_score_over_0.3": f"{found_near}/10",
        "search_p50_ms": wall(searches, 0.5),
        "search_p95_ms": wall(searches, 0.95),
        "search_cpu_p50_ms": cpu(searches, 0.5),
        "search_cpu_p95_ms": cpu(searches, 0.95),
        "stats_figures_ms": round(figures[2][0], 1),
        "stats_figures_cpu_ms": round(figures[2][1], 1),
        "stats_page_ms": round(pages[2], 1),
        "stats_page_status": status,
    }
    for key in ("insert_rows_per_second", "index_build_seconds"):
        if key in data:
            result[key] = data[key]
    return result


def run_benchmark(url: str, count: int = 100_000, queries: int = 50) -> dict[str, Any]:
    _setup(url)
    return measure(count, queries)


def _print(result: dict[str, Any]) -> None:
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--proposals", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--sqlite", metavar="PATH", help="also run on this SQLite file, for comparison")
    parser.add_argument("--allow-sqlite", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if url.startswith("sqlite") and not args.allow_sqlite:
        print(
            "The proposals benchmark targets PostgreSQL (the engine for 100,000 proposals): set BENCH_DATABASE_URL "
            f"to a PostgreSQL database (default {DEFAULT_URL}); add --sqlite PATH for a comparison on SQLite.",
            file=sys.stderr,
        )
        return 2
    print(f"Proposals benchmark on {url.split('@')[-1]}: {args.proposals} proposals, {args.queries} queries")
    _print(run_benchmark(url, args.proposals, args.queries))
    if args.sqlite:
        import subprocess

        # A second process: Django's database settings are fixed once set up.
        command = [sys.executable, "-m", "bench.proposals", "--allow-sqlite"]
        command += ["--proposals", str(args.proposals), "--queries", str(args.queries)]
        env = {**os.environ, "BENCH_DATABASE_URL": f"sqlite:///{os.path.abspath(args.sqlite)}"}
        subprocess.run(command, env=env, check=False)  # noqa: S603 - our own module and arguments
    return 0


if __name__ == "__main__":
    sys.exit(main())
