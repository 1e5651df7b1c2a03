"""Benchmark of the stored hot topics' incremental refresh (not a test): one day of new
texts placed over an existing body of placed texts.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/hy_topics_bench \\
        .venv/bin/python -m bench.topics_refresh [--body 1000000] [--day 3000] [--topics 400000]

PostgreSQL only. The body is generated once (reused by later runs of the same size) in
SQL: ``--topics`` topics whose centroids, places and areas are those of real analysed
demo messages (``huying.demo.sample_messages``), their last texts spread over a year (a
quarter of them inside the refresh's 90-day window), ``--body`` member rows and their day
counts. Then a day of ``--day`` new messages (the demo generator, other seed) is fed
through a registered source and placed by the real :func:`huying.insight.refresh.refresh`
— analysis, loading the active topics, placing, writing topics, members and day counts,
heat and trend of the touched and ranked topics, the emerging check. The source's own
read (one indexed range query on ``created_at``) is not part of it.

Why 3,000 a day: one district's hotline (Liwan) takes about 1,500–3,000 calls a day;
a whole city's 12345 about 30,000–60,000, which is refreshed every 10 minutes by the beat
entry (≈ 200–400 texts a run). ``--day 20000`` measures a city's day in one run.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime, timedelta
from typing import Any

from bench.proposals import _setup

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/hy_topics_bench"
TEMPLATES = 2000
TARGET_S = 60  # issue 12: under a minute per day of new texts at 1,000,000


def _templates(count: int) -> list[tuple[dict[str, float], dict[str, int], dict[str, int], str]]:
    from huying.demo.sample_messages import generate_messages
    from huying.insight.refresh import prepare
    from huying.insight.topics import Message

    rows = []
    for n, sample in enumerate(generate_messages(count, seed=77)):
        item = prepare("bench", "government", n, Message(id=str(n), text=sample.text))
        rows.append(
            (
                dict(sorted(item.terms.items(), key=lambda kv: -kv[1])[:40]),
                dict.fromkeys(item.places, 1),
                dict.fromkeys(item.areas, 1),
                item.title,
            )
        )
    return rows


def generate_body(body: int, topics: int, now: datetime) -> None:
    import json

    from django.db import connection, transaction

    from huying.insight.models import SourceMark, Topic

    if (
        Topic.objects.filter(side="government").count() == topics
        and SourceMark.objects.filter(source="bench", last_id=body).exists()
    ):
        print(f"body of {body:,} texts in {topics:,} topics already there", flush=True)
        return
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE insight_topicdraft, insight_topicalert, insight_topicsnapshot, insight_topictext, insight_topic, insight_sourcemark"
        )
        cursor.execute(
            "CREATE TEMP TABLE bench_template (id int, centroid jsonb, places jsonb, areas jsonb, title text)"
        )
        rows = _templates(TEMPLATES)
        cursor.executemany(
            "INSERT INTO bench_template VALUES (%s, %s, %s, %s, %s)",
            [(n, json.dumps(c), json.dumps(p), json.dumps(a), t[:200]) for n, (c, p, a, t) in enumerate(rows)],
        )
        print(f"  {TEMPLATES} analysed templates in {time.perf_counter() - started:.0f} s", flush=True)
        # Topic g: its last text (g % 365) days before now; texts spread over it.
        cursor.execute(
            """
            INSERT INTO insight_topic (side, title, keywords, place_or_group, first_at, last_at, texts, people,
                support, heat, trend, growth, centroid, places, areas, title_score, seq, updated_at,
                last_source, last_object)
            SELECT 'government', t.title, '[]'::jsonb, '', %(now)s - make_interval(days => (g %% 365) + 30),
                %(now)s - make_interval(days => g %% 365), 1, 1, 0, 1.0, 'steady', 1.0,
                t.centroid, t.places, t.areas, 0.5, g, %(now)s, 'bench', g
            FROM generate_series(1, %(topics)s) g JOIN bench_template t ON t.id = g %% %(k)s
            ORDER BY g %% 365 DESC, g
            """,
            {"now": now - timedelta(days=1), "topics": topics, "k": TEMPLATES},
        )
        cursor.execute("SELECT min(id) FROM insight_topic")
        base = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO insight_topictext (topic_id, source, object_id, at, author, support, excerpt, terms,
                title, places, areas)
            SELECT %(base)s + (g %% %(topics)s), 'bench', g,
                %(now)s - make_interval(days => ((g %% %(topics)s) + 1) %% 365, hours => g %% 24),
                left(md5(g::text), 20), 0, '样本文本', '{}'::jsonb, '样本文本', '[]'::jsonb, '[]'::jsonb
            FROM generate_series(1, %(body)s) g
            """,
            {"base": base, "topics": topics, "body": body, "now": now - timedelta(days=1)},
        )
        cursor.execute(
            """
            INSERT INTO insight_topicsnapshot (topic_id, day, count)
            SELECT topic_id, (at AT TIME ZONE 'Asia/Shanghai')::date, count(*) FROM insight_topictext
            GROUP BY 1, 2
            """
        )
        cursor.execute(
            """
            UPDATE insight_topic t SET texts = s.n, people = s.n, first_at = s.first, last_at = s.last FROM
            (SELECT topic_id, count(*) n, min(at) AS first, max(at) AS last FROM insight_topictext GROUP BY 1) s
            WHERE s.topic_id = t.id
            """
        )
        # Topics written in the order of their latest text, as a platform writes them (a
        # topic's row is rewritten when a text joins it): the topics of the 90-day window
        # sit together, not spread over the whole table.
        cursor.execute("CLUSTER insight_topic USING insight_topic_last_at_a8fa532d")
        SourceMark.objects.create(source="bench", stamp=now - timedelta(days=1), last_id=body)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"body of {body:,} texts in {topics:,} topics made in {time.perf_counter() - started:.0f} s", flush=True)


def run_benchmark(body: int, day: int, topics: int, with_decay: bool = False) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.utils import timezone

    from huying.demo.sample_messages import generate_messages
    from huying.insight import sources
    from huying.insight.models import Topic
    from huying.insight.refresh import WINDOW_DAYS, refresh
    from huying.insight.topics import Message

    now = timezone.now().replace(microsecond=0)
    generate_body(body, topics, now)
    active = Topic.objects.filter(last_at__gte=now - timedelta(days=WINDOW_DAYS + 1)).count()
    stamp = now - timedelta(hours=23)
    samples = generate_messages(day, seed=day)
    rows = [
        (
            stamp + timedelta(seconds=n),
            body + 1 + n,
            Message(
                id=str(body + 1 + n),
                text=sample.text,
                time=timezone.localtime(stamp + timedelta(seconds=n * 86400 // max(1, day))).replace(tzinfo=None),
                author=f"138{n:08d}",
            ),
        )
        for n, sample in enumerate(samples)
    ]

    def stream(mark: datetime | None, last_id: int) -> Any:
        return [row for row in rows if mark is None or (row[0], row[1]) > (mark, last_id)]

    sources._SOURCES.clear()
    sources.register_source("bench", "bench", lambda since: [], stream=stream)
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute("SELECT count(*) FROM insight_topictext")
        baseline_ms = (time.perf_counter() - started) * 1000
    from huying.insight.models import SourceMark
    from huying.insight.refresh import _update_figures

    # The run is rolled back at the end (after the deferred foreign-key checks a commit
    # would make), so every run starts from the same body.
    with transaction.atomic():
        SourceMark.objects.filter(source="bench").update(
            stamp=now - timedelta(days=1), last_id=body, refreshed_at=now
        )  # a run later the same day
        started = time.perf_counter()
        cpu = time.process_time()
        outcome = refresh(now=now, notify=False)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu
        verdict = "under" if wall < TARGET_S else "OVER"
        load = os.getloadavg()[0]  # the machine may be shared: say how busy it was
        print(
            f"refresh of {day:,} new texts over {body:,} ({topics:,} topics, {active:,} in the window): "
            f"{wall:.1f} s wall (target < {TARGET_S} s: {verdict}), {cpu:.1f} s CPU in Python; "
            f"{outcome.new_topics:,} new topics, {outcome.touched_topics:,} touched; load average {load:.1f}",
            flush=True,
        )
        for name, (phase_wall, phase_cpu) in outcome.phases.items():
            print(f"  {name:<18} {phase_wall:6.1f} s wall {phase_cpu:6.1f} s CPU", flush=True)
        decay = 0.0
        if with_decay:  # the first run of a day also redoes the heat of the ranked topics no text touched
            started = time.perf_counter()
            _update_figures({}, now, decay=True)
            decay = time.perf_counter() - started
        transaction.set_rollback(True)
    result = {
        "body": body,
        "topics": topics,
        "active_topics": active,
        "day": day,
        "wall_s": round(wall, 1),
        "target_s": TARGET_S,
        "cpu_s": round(cpu, 1),
        "new_topics": outcome.new_topics,
        "touched": outcome.touched_topics,
        "count_all_ms": round(baseline_ms),
        "daily_decay_s": round(decay, 1),
    }
    print(
        f"once a day, the heat of the ranked topics: {decay:.1f} s; baseline count(*) {baseline_ms:.0f} ms", flush=True
    )
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--body", type=int, default=1_000_000)
    parser.add_argument("--topics", type=int, default=400_000)
    parser.add_argument("--day", type=int, default=3000)
    parser.add_argument("--decay", action="store_true", help="also time the daily heat update of untouched topics")
    args = parser.parse_args(argv)
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench.topics_refresh needs PostgreSQL (BENCH_DATABASE_URL).")
    _setup(url)
    run_benchmark(args.body, args.day, args.topics, with_decay=args.decay)


if __name__ == "__main__":
    main()
