"""The shared cache of the embedded set-up: Django's database cache with an atomic ``incr``.

Without Redis every web process must still count rate limits together (three gunicorn
workers with a per-process cache let three times the limit through), so the settings use
this backend on the platform's own database (table ``huying_cache``, created by the
``core`` migration ``0001_cache_table`` and by ``manage.py createcachetable``).

Django's ``DatabaseCache.incr`` is a read followed by a write (and resets the expiry to the
default timeout), so two processes incrementing at once can lose a count. Here ``incr``
locks the row (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the transaction takes the
write lock when it begins, as the settings open every transaction ``IMMEDIATE``), adds
``delta`` and writes the value back, keeping the entry's expiry.
"""

from __future__ import annotations

import base64
import pickle
from typing import Any

from django.core.cache.backends.db import DatabaseCache
from django.db import connections, models, router, transaction
from django.utils.timezone import now as tz_now


class AtomicDatabaseCache(DatabaseCache):
    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table = quote(self._table)  # type: ignore[attr-defined]
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote('value')}, {quote('expires')} FROM {table} WHERE {quote('cache_key')} = %s{lock}",  # noqa: S608 - names quoted, values bound
                [key],
            )
            row = cursor.fetchone()
            if row is None or self._expired(connection, row[1]):
                raise ValueError(f"Key '{key}' not found")
            value = pickle.loads(base64.b64decode(connection.ops.process_clob(row[0]).encode()))  # noqa: S301 - our own table
            new_value = value + delta
            encoded = base64.b64encode(pickle.dumps(new_value, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {table} SET {quote('value')} = %s WHERE {quote('cache_key')} = %s",  # noqa: S608
                [encoded, key],
            )
        return int(new_value)

    @staticmethod
    def _expired(connection: Any, expires: Any) -> bool:
        expression = models.Expression(output_field=models.DateTimeField())
        for converter in connection.ops.get_db_converters(expression) + expression.get_db_converters(connection):
            expires = converter(expires, expression, connection)
        return bool(expires < tz_now())
