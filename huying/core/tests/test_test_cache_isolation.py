"""The suite's parallel workers share one Redis server (REDIS_URL run): a test that empties
the cache with Django's ``cache.clear()`` flushes every worker's keys, and a test in another
worker that counts on its cached entry (a pinned query count, a rate-limit count) fails now
and then. Tests empty the cache with ``huying.core.tests.cache.clear_cache`` instead."""

from __future__ import annotations

import re
from pathlib import Path

import huying

FLUSH = re.compile(r"\bcache\.clear\(\)")


def test_no_test_flushes_the_shared_cache() -> None:
    root = Path(huying.__file__).resolve().parent
    allowed = root / "core" / "tests" / "cache.py"
    found = [
        f"{path.relative_to(root)}:{number}"
        for path in sorted(root.glob("*/tests/**/*.py"))
        if path not in (allowed, Path(__file__).resolve())
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if FLUSH.search(line)
    ]
    assert found == []
