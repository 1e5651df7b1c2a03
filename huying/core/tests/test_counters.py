"""core.counters.next_value: sequential per scope, gap-free, safe on first use; and the
migration that moved the proposals' and work orders' counters into it."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from huying.core.counters import next_value
from huying.core.models import Counter


@pytest.mark.django_db
def test_values_run_in_sequence_from_one() -> None:
    with transaction.atomic():
        assert [next_value("test:a") for _ in range(3)] == [1, 2, 3]
    assert Counter.objects.get(scope="test:a").value == 3


@pytest.mark.django_db
def test_scopes_are_independent() -> None:
    with transaction.atomic():
        assert next_value("test:a") == 1
        assert next_value("test:b") == 1
        assert next_value("test:a") == 2
        assert next_value("test:b") == 2


@pytest.mark.django_db
def test_a_rolled_back_transaction_gives_its_number_back() -> None:
    with transaction.atomic():
        assert next_value("test:a") == 1
    with pytest.raises(RuntimeError, match="refused"), transaction.atomic():
        assert next_value("test:a") == 2
        raise RuntimeError("refused")
    with transaction.atomic():
        assert next_value("test:a") == 2  # no gap


@pytest.mark.django_db
def test_a_rolled_back_first_use_leaves_no_row() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        next_value("test:new")
        raise RuntimeError("refused")
    assert not Counter.objects.filter(scope="test:new").exists()
    with transaction.atomic():
        assert next_value("test:new") == 1


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_it_refuses() -> None:
    with pytest.raises(RuntimeError, match="inside the transaction"):
        next_value("test:a")
    assert not Counter.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_uses_never_share_a_number() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises writes anyway)")
    got: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def work() -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                got.append(next_value("test:race"))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(got) == [1, 2, 3, 4, 5, 6]
    assert Counter.objects.get(scope="test:race").value == 6


# Migrating the whole project back and forth takes over a minute on PostgreSQL (half of that
# on SQLite): it runs once per CI, in the suite's SQLite run. The data these migrations move
# is moved by RunPython over the ORM, with no SQL of an engine's own.
ONCE_ON_SQLITE = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="migrates the project back and forth: the suite's SQLite run covers it"
)


# --- the migration ---------------------------------------------------------------------
BEFORE = [("core", "0001_cache_table"), ("proposals", "0005_attachments"), ("workorders", "0005_district_street_index")]
AFTER = [
    ("core", "0002_counter"),
    ("proposals", "0006_shared_counter_and_files"),
    ("workorders", "0006_shared_counter_and_files"),
]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow  # migrates the database back and forth
@ONCE_ON_SQLITE
def test_the_old_counters_move_into_core_and_numbering_continues(tree: Any) -> None:
    from huying.workorders.actions import next_number, number_prefix

    old = _migrate(BEFORE)
    try:
        session = old.get_model("proposals", "Session").objects.create(
            cppcc_id=tree.province_cppcc.pk, term=13, number=3, name="十三届三次会议"
        )
        old.get_model("proposals", "NumberCounter").objects.create(session_id=session.pk, last_number=41)
        prefix = number_prefix(tree.district_gov)
        old.get_model("workorders", "OrderCounter").objects.create(prefix=prefix, year=2026, last=122)
        old.get_model("workorders", "OrderCounter").objects.create(prefix=prefix, year=2025, last=9)

        new = _migrate(AFTER)
        counters = dict(new.get_model("core", "Counter").objects.values_list("scope", "value"))
        assert counters == {
            f"proposal:{session.pk}": 41,
            f"workorder:{prefix}:2026": 122,
            f"workorder:{prefix}:2025": 9,
        }

        # Back again: the old rows come back with the same values, then forward once more.
        back = _migrate(BEFORE)
        assert back.get_model("proposals", "NumberCounter").objects.get(session_id=session.pk).last_number == 41
        assert dict(back.get_model("workorders", "OrderCounter").objects.values_list("year", "last")) == {
            2026: 122,
            2025: 9,
        }
        assert not _has_table("core_counter")
    finally:
        _migrate(_leaves())

    with transaction.atomic():
        assert next_value(f"proposal:{session.pk}") == 42
        assert next_number(tree.district_gov, 2026) == f"{prefix}-2026-000123"
        assert next_number(tree.district_gov, 2027) == f"{prefix}-2027-000001"


def _has_table(name: str) -> bool:
    with connection.cursor() as cursor:
        return name in connection.introspection.table_names(cursor)


def _leaves() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()
