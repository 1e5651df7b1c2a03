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
