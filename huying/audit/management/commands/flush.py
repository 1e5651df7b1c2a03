"""Django's ``flush``, able to empty the append-only audit table.

The audit table refuses DELETE (SQLite, PostgreSQL) and TRUNCATE (PostgreSQL) through
database triggers (migration audit/0003). ``flush`` empties every table on purpose — the
test-suite runs it after each transactional test — so for the length of one flush, inside
one transaction, the triggers are lifted and then put back exactly as they were.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management.commands import flush
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

AUDIT_TABLE = "audit_auditentry"


@contextmanager
def append_only_lifted(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Lift the audit table's triggers; call inside a transaction (a failure rolls back,
    which restores them)."""
    if AUDIT_TABLE not in connection.introspection.table_names():
        yield
        return
    quoted = connection.ops.quote_name(AUDIT_TABLE)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [AUDIT_TABLE]
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")
            yield
            for _name, sql in triggers:
                cursor.execute(sql)
        elif connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {quoted} DISABLE TRIGGER USER")
            yield
            cursor.execute(f"ALTER TABLE {quoted} ENABLE TRIGGER USER")
        else:  # pragma: no cover - only SQLite and PostgreSQL are supported
            yield


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        with transaction.atomic(using=connection.alias), append_only_lifted(connection):
            super().handle(**options)
