"""Fixed-window rate limits kept in Django's cache, which every web process shares (Redis
at scale, the database cache ``huying.core.cache.AtomicDatabaseCache`` without it).

Used where the public can knock without logging in (the work-order track lookup, the public
report form). A limit counts attempts per *key* (a client address, an order number…) in
windows of ``window`` seconds aligned to the epoch: the first attempt of a window creates
the counter with the window as its lifetime, every attempt increments it, and attempts
beyond ``limit`` are refused until the next window starts. ``cache.add`` and
``cache.incr`` are atomic in both shared backends, so concurrent workers never lose a count. A fixed window lets at most
twice the limit through around a window boundary; that is the price of one cache round
trip per attempt and no table.
"""

from __future__ import annotations

import hashlib
import math
import time

from django.core.cache import cache


class RateLimited(Exception):
    """Too many attempts; ``retry_after`` seconds until the window ends. The API answers
    429 in the one error format (``huying.core.api_errors``); pages render their own 429."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def _cache_key(scope: str, key: str, bucket: int) -> str:
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}:{bucket}"


def hit(scope: str, key: str, *, limit: int, window: int, now: float | None = None) -> int:
    """Count one attempt of ``key`` in ``scope``; return the seconds to wait (0 = allowed).

    The attempt is counted whether or not it is allowed, so hammering a refused key does
    not shorten the wait."""
    now = time.time() if now is None else now
    bucket = int(now // window)
    name = _cache_key(scope, key, bucket)
    cache.add(name, 0, timeout=window + 1)
    try:
        count = cache.incr(name)
    except ValueError:  # evicted between add and incr
        cache.set(name, 1, timeout=window + 1)
        count = 1
    if count <= limit:
        return 0
    return max(1, math.ceil((bucket + 1) * window - now))


def check(scope: str, keys: list[str], *, limit: int, window: int, message: str) -> None:
    """Count one attempt for each key (e.g. the client address and the order number) and
    raise :class:`RateLimited` if any of them is over ``limit`` in the current window.
    ``message`` may use ``%(minutes)d``: the whole minutes left to wait. Empty keys are
    skipped (an unknown client address is not one shared bucket)."""
    waits = [hit(scope, key, limit=limit, window=window) for key in keys if key]
    wait = max(waits, default=0)
    if wait:
        raise RateLimited(message % {"minutes": math.ceil(wait / 60)}, wait)
