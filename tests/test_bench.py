"""The benchmark's own guards (the benchmark itself runs with `make bench`, not in tests)."""

import pytest

from bench import workorders as bench


def test_bench_refuses_sqlite(monkeypatch):
    monkeypatch.setenv("BENCH_DATABASE_URL", "sqlite:///var/bench.sqlite3")
    with pytest.raises(SystemExit) as refused:
        bench.database_url()
    assert "PostgreSQL only" in str(refused.value)


def test_bench_defaults_to_a_local_postgresql_database(monkeypatch):
    monkeypatch.delenv("BENCH_DATABASE_URL", raising=False)
    assert bench.database_url() == "postgres://postgres@127.0.0.1:5432/huying_bench"


def test_percentiles():
    values = [float(v) for v in range(1, 101)]
    assert bench.percentile(values, 0.5) == 51.0
    assert bench.percentile(values, 0.95) == 95.0
    assert bench.percentile([3.0], 0.95) == 3.0


def test_cpu_groups_by_command_line():
    import os

    group = bench._cpu_group
    assert group(os.getpid(), "anything") == "bench clients"
    assert group(1, "/srv/.venv/bin/python /srv/.venv/bin/gunicorn huying.wsgi:application --workers 3") == (
        "web processes"
    )
    assert group(1, "/srv/.venv/bin/python /srv/.venv/bin/celery -A huying worker --concurrency 1") == "Celery worker"
    assert group(1, "postgres: 15/main: postgres hy_intake_bench 127.0.0.1(52850) idle") == "database server"
    assert group(1, "/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main") == "database server"
    assert group(1, "/usr/bin/redis-server 127.0.0.1:6379") == "broker (Redis)"
    # a word in the arguments does not count: only the program and its script
    assert group(1, "/usr/bin/python -m pytest -k gunicorn") is None
    assert group(1, "") is None


def test_cpu_seconds_counts_this_process_and_the_machine():
    import time

    before = bench.cpu_seconds()
    started = time.process_time()
    while time.process_time() - started < 0.2:  # a fifth of a second of CPU in this process
        sum(i * i for i in range(10_000))
    after = bench.cpu_seconds()
    assert after["bench clients"] - before["bench clients"] >= 0.1
    assert after["whole machine"] - before["whole machine"] >= 0.1
