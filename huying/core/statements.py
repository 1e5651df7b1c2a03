"""Several writes sent to PostgreSQL as one statement (data-modifying ``WITH`` queries).

A hot path that writes a few rows together (a hotline push: the number, the order, its
first step, its audit entry, its summary count) pays a round trip, a parse and Django's
save machinery per row. :class:`Together` sends them as one statement built from the same
unsaved model objects the ORM path saves — Django compiles each ``INSERT`` (defaults and
``auto_now`` filled in as ``save()`` does), so the columns cannot drift from the models —
with a later row referring to an earlier one's ``RETURNING`` through an SQL expression
(:func:`returned`). One statement is one transaction in autocommit: it succeeds or
changes nothing, and the rows it locks are held only while it runs.

PostgreSQL only (:func:`available`); callers keep their ORM path for SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models, transaction
from django.db.models.expressions import RawSQL
from django.db.models.sql import InsertQuery


def available() -> bool:
    return connection.vendor == "postgresql"


def returned(name: str, column: str, params: Sequence[Any] = ()) -> RawSQL:
    """The value ``column`` (an SQL expression with ``params``) returned by the part
    ``name`` of the same statement."""
    return RawSQL(f"SELECT {column} FROM {name}", list(params))  # noqa: S608, S611 - our own names


def insert_sql(obj: models.Model) -> tuple[str, list[Any]]:
    """The ``INSERT`` that ``obj.save()`` would send for the unsaved ``obj`` (its own
    automatic primary key left to the database)."""
    meta = obj._meta
    fields = [f for f in meta.local_concrete_fields if not f.generated]
    if obj.pk is None and meta.auto_field is not None:
        fields = [f for f in fields if f is not meta.auto_field]
    query = InsertQuery(type(obj))
    query.insert_values(fields, [obj])
    # the connection itself, not django.db.connection's proxy: the compiler asks it hundreds of times
    [(sql, params)] = query.get_compiler(connection=transaction.get_connection()).as_sql()
    return sql, list(params)


class Together:
    """Parts added in order, each ``name AS (statement)``; :meth:`run` sends them with a
    final ``SELECT`` and returns its one row."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._params: list[Any] = []

    def add(self, name: str, sql: str, params: list[Any], returning: str = "") -> None:
        self._parts.append(f"{name} AS ({sql}{f' RETURNING {returning}' if returning else ''})")
        self._params.extend(params)

    def insert(self, name: str, obj: models.Model, returning: str = "") -> None:
        sql, params = insert_sql(obj)
        self.add(name, sql, params, returning)

    def run(self, select: str) -> tuple[Any, ...] | None:
        sql = f"WITH {', '.join(self._parts)} {select}"
        with connection.cursor() as cursor:
            cursor.execute(sql, self._params)
            row = cursor.fetchone()
        return None if row is None else tuple(row)
