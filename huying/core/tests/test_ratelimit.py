"""Fixed-window rate limits in the cache."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from huying.core.ratelimit import RateLimited, check, hit
from huying.core.tests.cache import clear_cache


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    clear_cache()
    yield
    clear_cache()


def test_attempts_past_the_limit_wait_for_the_next_window() -> None:
    now = 6000.0  # a window of 60 s starts here
    assert [hit("s", "k", limit=2, window=60, now=now + i) for i in range(3)] == [0, 0, 58]
    assert hit("s", "k", limit=2, window=60, now=now + 59.5) == 1
    assert hit("s", "k", limit=2, window=60, now=now + 60) == 0  # a new window


def test_keys_and_scopes_count_apart() -> None:
    now = 6000.0
    assert hit("s", "a", limit=1, window=60, now=now) == 0
    assert hit("s", "b", limit=1, window=60, now=now) == 0
    assert hit("t", "a", limit=1, window=60, now=now) == 0
    assert hit("s", "a", limit=1, window=60, now=now) > 0


def test_check_counts_every_key_and_names_the_wait_in_minutes() -> None:
    check("s", ["ip:1", "number:7"], limit=1, window=600, message="wait %(minutes)d")
    with pytest.raises(RateLimited) as refused:
        check("s", ["ip:2", "number:7"], limit=1, window=600, message="wait %(minutes)d")
    assert refused.value.message.startswith("wait ") and 0 < refused.value.retry_after <= 600
    check("s", ["", "number:8"], limit=1, window=600, message="x")  # empty keys are skipped
    check("s", ["", "number:9"], limit=1, window=600, message="x")


def test_clearing_the_cache_leaves_other_workers_keys(settings: Any) -> None:
    """With Redis, parallel test workers share the server: a test empties only its own keys
    (a flushed database would reset another worker's rate-limit counts mid-test)."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    if not isinstance(caches["default"], RedisCache):
        pytest.skip("the suite's Redis run (REDIS_URL) covers the shared server")
    other = RedisCache(settings.REDIS_URL, {"KEY_PREFIX": "test-another-worker"})
    other.set("ratelimit:probe", 7, timeout=60)
    caches["default"].set("ratelimit:probe", 3, timeout=60)
    clear_cache()
    assert caches["default"].get("ratelimit:probe") is None
    assert other.get("ratelimit:probe") == 7
    other.delete("ratelimit:probe")
