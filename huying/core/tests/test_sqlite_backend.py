"""The SQLite backend converts placeholders as Django's does, once per statement text
(huying/core/sqlite/base.py)."""

import sqlite3

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import SQLiteCursorWrapper as DjangoCursor

from huying.core.sqlite import base

QUERIES = [
    "SELECT 1",
    "SELECT %s",
    "INSERT INTO t (a, b) VALUES (%s, %s)",
    "SELECT '100%%' || %s",
    "SELECT '%%s' || %s",  # a literal %s kept, the placeholder converted
    "SELECT printf('%%06d', %s)",
    "SELECT %s " + "|| %s " * 5_000,  # longer than the cached length
]


@pytest.fixture
def cursors():
    db = sqlite3.connect(":memory:")
    yield db.cursor(factory=base.SQLiteCursorWrapper), db.cursor(factory=DjangoCursor)
    db.close()


@pytest.mark.parametrize("query", QUERIES)
def test_conversion_is_djangos(cursors, query):
    ours, djangos = cursors
    expected = djangos.convert_query(query)
    assert ours.convert_query(query) == expected
    assert ours.convert_query(query) == expected  # from the cache the second time


def test_named_parameters_are_djangos(cursors):
    ours, djangos = cursors
    query = "SELECT %(a)s, %(b)s"
    assert ours.convert_query(query, param_names=["a", "b"]) == "SELECT :a, :b"
    assert djangos.convert_query(query, param_names=["a", "b"]) == "SELECT :a, :b"


def test_only_short_texts_are_kept(cursors):
    ours, _djangos = cursors
    base._qmark_cached.cache_clear()
    ours.convert_query("SELECT %s")
    ours.convert_query("SELECT %s " + "x" * base.CACHED_LENGTH)
    assert base._qmark_cached.cache_info().currsize == 1
    ours.execute("SELECT %s, '%%'", [1])
    assert ours.fetchone() == (1, "%")


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the embedded database's backend")
def test_the_embedded_database_uses_it():
    with connection.cursor() as cursor:
        assert isinstance(cursor.cursor, base.SQLiteCursorWrapper)
        cursor.execute("SELECT %s || '%%'", ["7"])
        assert cursor.fetchone() == ("7%",)
