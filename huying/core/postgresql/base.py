"""Django's PostgreSQL backend, with a connection health check that costs no round trip
when nothing can be wrong.

With ``CONN_HEALTH_CHECKS`` (settings.py: a kept connection must survive a restart of the
server, docs/operations.md "Chaos") Django sends ``SELECT 1`` before the first query of
every request: a round trip and a statement on the server per request, a fourteenth of a
hotline push's time in the web process (bench/workorders.py, profiled). A connection that
is idle (no transaction open, none failed) and on whose socket nothing has arrived since
its last answer is usable: a server that restarted or ended the session closed the socket
(or sent its farewell), which makes it readable. Only then, or when the connection is not
idle, is the server asked as Django asks it. Everything else is Django's backend
(``ENGINE`` in settings.py)."""

from __future__ import annotations

import select

import psycopg
from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None:
            return False
        try:
            idle = not connection.closed and connection.info.transaction_status == pq.TransactionStatus.IDLE
            quiet = idle and not select.select([connection.fileno()], [], [], 0)[0]
        except (OSError, ValueError, psycopg.Error):
            return False
        return True if quiet else super().is_usable()
