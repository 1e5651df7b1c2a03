"""Rate limits count in one cache shared by every web process: the database cache when
REDIS_URL is not set (Redis otherwise), with an increment that cannot lose counts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.core.management import call_command

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
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
from huying.core import ratelimit
call_command("createcachetable", verbosity=0)
waits = [ratelimit.hit("track", "ip:203.0.113.7", limit=5, window=3600, now=7200.0) for _ in range(3)]
print(settings.CACHES["default"]["BACKEND"], *waits)
"""


def _worker(tmp_path: Path) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_URL", "HUYING_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="huying.settings",
        DEBUG="0",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="localhost",
        HUYING_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        REQUIRE_2FA="0",
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", WORKER], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.mark.slow  # starts fresh Python processes
def test_two_processes_count_in_the_same_cache(tmp_path: Path) -> None:
    """Two separate processes with the production settings (no REDIS_URL): the second one
    sees the first one's three attempts, so its third attempt (the sixth) is refused."""
    first = _worker(tmp_path)
    second = _worker(tmp_path)
    assert first == ["huying.core.cache.AtomicDatabaseCache", "0", "0", "0"]
    assert second[:3] == ["huying.core.cache.AtomicDatabaseCache", "0", "0"]
    assert int(second[3]) > 0


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
