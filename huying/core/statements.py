"""Several writes sent together, with the write lock held only while they run.

A hot path that writes a few rows together (a hotline push: the number, the order, its
first step, its audit entry, its summary count) pays a round trip, a parse and Django's
save machinery per row, and on SQLite holds the database's one write lock all the while.
:class:`Together` writes them from the same unsaved model objects the ORM path saves —
Django compiles each ``INSERT`` (defaults and ``auto_now`` filled in as ``save()`` does),
so the columns cannot drift from the models — with a later row referring to an earlier
one's ``RETURNING`` through :meth:`Together.returned`. Every statement is compiled before
anything is sent:

- **PostgreSQL**: one statement of data-modifying ``WITH`` queries. In autocommit it is its
  own transaction: it succeeds or changes nothing, and the rows it locks are held only
  while it runs.
- **SQLite** (no data-modifying ``WITH``): the parts one after another in one short
  transaction (``BEGIN IMMEDIATE`` … ``COMMIT``), each part's ``RETURNING`` row handed to
  the later parts as parameters — a few microseconds of SQLite per part, no Python work
  between them, so the write lock that every other writer waits for is held for a fraction
  of a millisecond instead of the whole ORM path.

Inside a caller's transaction either is a savepoint. A part with ``returning`` that returns
no row (an ``UPDATE`` that matched nothing) refuses the whole: :exc:`IntegrityError` and
nothing written, as PostgreSQL refuses the ``NULL`` it leads to.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.db.models.expressions import RawSQL
from django.db.models.sql import InsertQuery


def available() -> bool:
    return connection.vendor in ("postgresql", "sqlite")


def insert_sql(obj: models.Model) -> tuple[str, list[Any]]:
    """The ``INSERT`` that ``obj.save()`` would send for the unsaved ``obj`` (its own
    automatic primary key left to the database).

    Each field's value is what the compiler would take (``pre_save``, then
    ``get_db_prep_save``; a :class:`RawSQL` value as its SQL in parentheses); the statement's
    text is built once per model. A value of any other expression, or a field with its own
    placeholder, goes through Django's insert compiler instead. A test compares the rows
    written this way with ``save()``'s (huying/workorders/tests/test_intake_statement.py)."""
    conn = transaction.get_connection()  # the connection itself, not the proxy: asked many times
    if obj.pk is not None:  # an explicit primary key: written too
        return _compiled(obj, [f for f in obj._meta.local_concrete_fields if not f.generated], conn)
    plan = _plan(type(obj), conn)
    placeholders: list[str] = []
    params: list[Any] = []
    for field in plan.fields:
        value = field.pre_save(obj, add=True)
        if type(value) is RawSQL:
            placeholders.append(f"({value.sql})")
            params.extend(value.params)
        elif hasattr(value, "resolve_expression") or hasattr(field, "get_placeholder"):
            return _compiled(obj, plan.fields, conn)
        else:
            placeholders.append("%s")
            params.append(field.get_db_prep_save(value, connection=conn))
    return f"{plan.prefix}{', '.join(placeholders)})", params


@dataclass(frozen=True)
class _Plan:
    fields: list[Any]
    prefix: str  # INSERT INTO table (columns) VALUES (


_plans: dict[tuple[type[models.Model], str], _Plan] = {}

# The output field of the values :meth:`Together.returned` makes: they are only ever read as
# SQL and parameters (:func:`insert_sql`), and ``RawSQL`` without one builds a new
# ``Field()`` each time — a twentieth of a hotline push's time.
_UNTYPED: models.Field[Any, Any] = models.Field()


def _plan(model: type[models.Model], conn: Any) -> _Plan:
    key = (model, conn.vendor)
    plan = _plans.get(key)
    if plan is None:
        meta = model._meta
        fields = [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]
        qn = conn.ops.quote_name
        prefix = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) VALUES ("  # noqa: S608 - the model's names
        plan = _plans[key] = _Plan(fields, prefix)
    return plan


def _compiled(obj: models.Model, fields: list[Any], conn: Any) -> tuple[str, list[Any]]:
    query = InsertQuery(type(obj))
    query.insert_values(fields, [obj])
    [(sql, params)] = query.get_compiler(connection=conn).as_sql()
    return sql, list(params)


@dataclass(frozen=True)
class _Slot:
    """A parameter filled in at run time: column ``index`` of part ``part``'s returned row."""

    part: str
    index: int


@dataclass
class _Part:
    name: str
    sql: str
    params: list[Any]
    returning: list[str]


class Together:
    """Parts added in order, each ``name`` a statement; :meth:`run` sends them and returns
    the row one of them returned."""

    def __init__(self) -> None:
        self._parts: list[_Part] = []
        self._connection = transaction.get_connection()
        self.one_statement = self._connection.vendor == "postgresql"

    def add(self, name: str, sql: str, params: Sequence[Any], returning: str = "") -> None:
        columns = [c.strip() for c in returning.split(",") if c.strip()]
        self._parts.append(_Part(name, sql, list(params), columns))

    def insert(self, name: str, obj: models.Model, returning: str = "") -> None:
        self.add(name, *insert_sql(obj), returning=returning)

    def returned(self, name: str, column: str, params: Sequence[Any] = ()) -> RawSQL:
        """The value ``column`` (a portable SQL expression over the part's returned
        columns, with ``params``) returned by the part ``name`` added before."""
        [part] = [p for p in self._parts if p.name == name]
        if self.one_statement:
            return RawSQL(f"SELECT {column} FROM {name}", list(params), _UNTYPED)  # noqa: S608, S611 - our own names
        row = ", ".join(f"%s AS {c}" for c in part.returning)
        slots = [_Slot(name, i) for i in range(len(part.returning))]
        return RawSQL(f"SELECT {column} FROM (SELECT {row})", [*params, *slots], _UNTYPED)  # noqa: S608, S611 - our own names

    def run(self, name: str) -> tuple[Any, ...]:
        """Send the parts; the row part ``name`` returned."""
        [wanted] = [p for p in self._parts if p.name == name]
        if self.one_statement:
            parts = ", ".join(f"{p.name} AS ({_returning(p)})" for p in self._parts)
            sql = f"WITH {parts} SELECT {', '.join(wanted.returning)} FROM {name}"  # noqa: S608 - our own parts
            params = [param for p in self._parts for param in p.params]
            with (
                transaction.atomic() if self._connection.in_atomic_block else nullcontext(),
                self._connection.cursor() as cursor,
            ):
                cursor.execute(sql, params)
                found = cursor.fetchone()
            if found is None:  # pragma: no cover - an INSERT … RETURNING of one row returns it
                raise IntegrityError(f"part {name} returned no row")
            return tuple(found)
        rows: dict[str, tuple[Any, ...]] = {}
        with transaction.atomic(), self._connection.cursor() as cursor:
            for part in self._parts:
                params = [rows[p.part][p.index] if isinstance(p, _Slot) else p for p in part.params]
                cursor.execute(_returning(part), params)
                if part.returning:
                    found = cursor.fetchall()
                    if not found:
                        raise IntegrityError(f"part {part.name} returned no row")
                    rows[part.name] = tuple(found[0])
        return rows[name]


def _returning(part: _Part) -> str:
    return f"{part.sql} RETURNING {', '.join(part.returning)}" if part.returning else part.sql
