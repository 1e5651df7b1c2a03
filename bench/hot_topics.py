"""Benchmark of the hot-topics engine (not a test).

    taskset -c 0 .venv/bin/python -m bench.hot_topics [--count 5000] [--join 3]

Builds ``count`` messages: the planted issues of huying/insight/tests/corpus.py and a tail
of the demo's sample messages, ``join`` of them glued into one text (about 300 characters,
like real board messages), runs ``find_topics`` with BLAS limited to one thread and prints
the wall and CPU seconds and, per planted issue, its rank, recall and precision. Figures
are recorded in docs/insight.md.
"""

from __future__ import annotations

import argparse
import random
import time
from typing import Any

from threadpoolctl import threadpool_limits

from huying.demo.sample_messages import generate_messages
from huying.insight.tests.corpus import generate_corpus
from huying.insight.topics import Message, find_topics


def run_benchmark(count: int = 5_000, join: int = 3, seed: int = 5) -> dict[str, Any]:
    messages, truth = generate_corpus(seed=seed, tail=0)
    rng = random.Random(seed)
    needed = max(0, count - len(messages))
    extra = generate_messages(join * needed, seed=seed + 1)
    start, end = min(m.time for m in messages if m.time), max(m.time for m in messages if m.time)
    for index in range(needed):
        parts = extra[join * index : join * index + join]
        messages.append(
            Message(
                id=f"X{index:05d}",
                subject=parts[0].topic if rng.random() < 0.5 else "",
                text="".join(part.text for part in parts),
                time=start + (end - start) * rng.random(),
                likes=rng.choice((0, 0, 0, 1, 2, 5)),
                author=f"P{rng.randint(1, 10**7)}",
            )
        )
    with threadpool_limits(limits=1):
        wall, cpu = time.perf_counter(), time.process_time()
        topics = find_topics(messages)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    planted = {}
    for key, ids in truth.items():
        best = max(topics, key=lambda topic: len(ids & set(topic.member_ids)))
        found = len(ids & set(best.member_ids))
        planted[key] = {
            "rank": best.rank,
            "recall": found / len(ids),
            "precision": found / len(best.member_ids),
            "place_or_group": best.place_or_group,
        }
    return {
        "messages": len(messages),
        "mean_chars": sum(len(m.text) for m in messages) / len(messages),
        "wall_s": wall,
        "cpu_s": cpu,
        "topics": len(topics),
        "planted": planted,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=5_000)
    parser.add_argument("--join", type=int, default=3)
    arguments = parser.parse_args()
    result = run_benchmark(arguments.count, arguments.join)
    print(
        f"{result['messages']} messages (mean {result['mean_chars']:.0f} characters): "
        f"{result['wall_s']:.1f} s wall, {result['cpu_s']:.1f} s CPU, {result['topics']} topics"
    )
    print(f"{'planted':<12}{'rank':>6}{'recall':>9}{'precision':>11}  place_or_group")
    for key, row in result["planted"].items():
        print(f"{key:<12}{row['rank']:>6}{row['recall']:>9.2f}{row['precision']:>11.2f}  {row['place_or_group']}")


if __name__ == "__main__":
    main()
