"""Django's SQLite backend, with the conversion of a statement's ``%s`` placeholders to
SQLite's ``?`` done once per statement text instead of on every execution.

Django runs a regular expression over the whole text of every statement it sends to
SQLite; the hot paths send the same few texts again and again (a hotline push: five
statements of up to 40 columns), and that substitution was a twentieth of a push's time
(bench/workorders.py, profiled). Texts up to :data:`CACHED_LENGTH` characters are kept in a
bounded cache; longer ones (long ``IN`` lists, bulk inserts) are converted each time as
Django does. Everything else is Django's backend (``ENGINE`` in settings.py)."""

from __future__ import annotations

import functools
from typing import Any

from django.db.backends.sqlite3 import base

CACHED_LENGTH = 8_000


@functools.lru_cache(maxsize=2_048)
def _qmark_cached(query: str) -> str:
    """Django's own conversion (its regular expression), remembered per text."""
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query: str, *, param_names: Any = None) -> str:
        if param_names is None and len(query) <= CACHED_LENGTH:
            return _qmark_cached(query)
        return super().convert_query(query, param_names=param_names)  # type: ignore[misc]


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name: str | None = None) -> Any:
        return self.connection.cursor(factory=SQLiteCursorWrapper)
