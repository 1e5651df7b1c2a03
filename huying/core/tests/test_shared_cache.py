"""Rate limits count in one cache shared by every web process: the database cache when
REDIS_URL is not set (Redis otherwise), with an increment that cannot lose counts."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import caches
from django.core.management import call_command

from huying.core import ratelimit
from huying.core.cache import AtomicDatabaseCache

ROOT = Path(django_settings.BASE_DIR)
SHARED = {
    "default": {
        "BACKEND": "huying.core.cache.AtomicDatabaseCache",
        "LOCATION": "huying_cache",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
}

# What one web process does: count three attempts of one client against a limit of five.
WORKER = """
import os
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
from huying.core import ratelimit
call_command("createcachetable", verbosity=0)
key = os.environ["SMOKE_KEY"]
waits = [ratelimit.hit("two-processes", key, limit=5, window=3600, now=7200.0) for _ in range(3)]
print(settings.CACHES["default"]["BACKEND"], settings.SESSION_ENGINE, *waits)
"""
REDIS_URL = os.environ.get("REDIS_URL", "")


def _worker(tmp_path: Path, key: str, redis_url: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_URL", "HUYING_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="huying.settings",
        DEBUG="0",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="localhost",
        HUYING_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        REQUIRE_2FA="0",
        SMOKE_KEY=key,
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", WORKER], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.mark.slow  # starts fresh Python processes
def test_two_processes_count_in_the_same_cache(tmp_path: Path) -> None:
    """Two separate processes with the production settings and no REDIS_URL (the embedded
    set-up: the database cache): the second one sees the first one's three attempts, so its
    third attempt (the sixth) is refused. Sessions stay in the database."""
    key = f"ip:{uuid.uuid4()}"
    first = _worker(tmp_path, key, "")
    second = _worker(tmp_path, key, "")
    expected = ["huying.core.cache.AtomicDatabaseCache", "django.contrib.sessions.backends.db"]
    assert first == [*expected, "0", "0", "0"]
    assert second[:4] == [*expected, "0", "0"]
    assert int(second[4]) > 0


@pytest.mark.slow  # starts a fresh Python process
@pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (the suite's PostgreSQL run sets it)")
def test_two_processes_count_in_the_same_redis(tmp_path: Path, settings: Any) -> None:
    """At scale (REDIS_URL): this process counts three attempts in Redis with the production
    cache settings (no test key prefix), then a separate process with the production
    settings counts three more of the same client: its third (the sixth) is refused. That
    process also keeps its sessions in the cache (cached_db)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    key = f"ip:{uuid.uuid4()}"
    try:
        here = [ratelimit.hit("two-processes", key, limit=5, window=3600, now=7200.0) for _ in range(3)]
        there = _worker(tmp_path, key, REDIS_URL)
    finally:  # this test's key only (Django's cache key: ":1:" + the limit's key)
        redis.Redis.from_url(REDIS_URL).delete(":1:" + ratelimit._cache_key("two-processes", key, 2))
    assert here == [0, 0, 0]
    assert there[:4] == [
        "django.core.cache.backends.redis.RedisCache",
        "django.contrib.sessions.backends.cached_db",
        "0",
        "0",
    ]
    assert int(there[4]) > 0


@pytest.mark.django_db
def test_two_cache_handles_share_counts_and_keep_the_expiry(settings: Any) -> None:
    settings.CACHES = SHARED
    call_command("createcachetable", verbosity=0)
    one, two = caches.create_connection("default"), caches.create_connection("default")
    assert isinstance(one, AtomicDatabaseCache) and one is not two
    assert one.add("hits", 0, timeout=600)
    assert not two.add("hits", 0, timeout=600)  # already there: add never resets a count
    assert [one.incr("hits"), two.incr("hits"), one.incr("hits", 3)] == [1, 2, 5]
    assert two.get("hits") == 5
    with pytest.raises(ValueError):
        two.incr("never-added")
    # incr keeps the window's expiry instead of resetting it to the default timeout.
    one.set("short", 1, timeout=-1)  # already expired
    with pytest.raises(ValueError):
        one.incr("short")


@pytest.mark.django_db(transaction=True)
def test_concurrent_increments_lose_no_count(settings: Any) -> None:
    """Four workers incrementing one counter at once (Django's own DatabaseCache.incr, a
    read then a write, loses most of them). Needs real concurrency: PostgreSQL."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (the suite's PostgreSQL run covers it)")
    import threading

    settings.CACHES = SHARED
    call_command("createcachetable", verbosity=0)
    counter = caches.create_connection("default")
    counter.set("n", 0, timeout=600)  # the table is not a model's: flushing leaves it

    def worker() -> None:
        from django.db import connection as own

        handle = caches.create_connection("default")
        try:
            for _ in range(25):
                handle.incr("n")
        finally:
            own.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counter.get("n") == 100
