"""Fixed-window rate limits in the cache."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from huying.core.ratelimit import RateLimited, check, hit


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


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
