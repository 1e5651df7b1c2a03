"""``GET /healthz``: is this web process able to serve? For the supervisor's start check,
``scripts/prod-smoke`` and a load balancer in front of the web processes.

Answers 200 ``{"database": "ok", "cache": "ok"}`` when one query on the database and one
write and read on the shared cache succeed, otherwise 503 naming what failed (no detail of
the error: the endpoint is public). Never cached, no session, no login.
"""

from __future__ import annotations

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def _database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any failure means "not healthy"
        logger.exception("health check: database")
        return False


def _cache() -> bool:
    token = uuid.uuid4().hex
    try:
        cache.set("healthz", token, timeout=60)
        return cache.get("healthz") is not None
    except Exception:
        logger.exception("health check: cache")
        return False


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database(), "cache": _cache()}
    body = {name: "ok" if ok else "failed" for name, ok in checks.items()}
    return JsonResponse(body, status=200 if all(checks.values()) else 503)
