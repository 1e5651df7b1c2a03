"""Emptying the cache between tests without touching another test process's keys.

With ``REDIS_URL`` set, the suite's parallel workers share one Redis server, each under its
own key prefix (settings ``KEY_PREFIX``); Django's ``cache.clear()`` would flush the whole
database, wiping the rate-limit counts another worker's test is in the middle of. This
deletes only this process's keys; other backends are per process and are simply cleared."""

from __future__ import annotations

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache


def clear_cache() -> None:
    cache = caches["default"]
    if isinstance(cache, RedisCache) and cache.key_prefix:
        client = cache._cache.get_client(write=True)
        pattern = f"{cache.key_prefix}:*"
        keys = list(client.scan_iter(match=pattern, count=1000))
        if keys:
            client.delete(*keys)
        return
    cache.clear()


def reset_process_state() -> None:
    """Forget what this process keeps between tests besides the database: the shared
    cache's keys (this process's only), the API tokens checked, the working-day calendar's snapshot, the intake's
    reference data, the sensitive-word screen and the category model. A load that draws at
    random through the real actions (the demo) then draws the same whatever ran before it
    in the process."""
    from huying.accounts import token_cache
    from huying.handling import calendar
    from huying.moderation import screening
    from huying.workorders import reference, suggest

    clear_cache()
    token_cache.forget()
    calendar.invalidate()
    reference.clear()
    screening.reset()
    suggest.reset()
