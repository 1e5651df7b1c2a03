"""How the REST API writes JSON: every time in Asia/Shanghai local time with its offset
(``2026-03-01T09:30:00+08:00``), never UTC with ``Z``, so a client shows what a person in
the office sees and the API, Open311 and the pages write a time the same way."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder


def local_isoformat(value: datetime) -> str:
    """``value`` in the site's time zone, ISO 8601 with offset, to the second."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return timezone.localtime(value).replace(microsecond=0).isoformat()


class LocalTimeEncoder(NinjaJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, datetime):
            return local_isoformat(o)
        return super().default(o)


class LocalTimeRenderer(JSONRenderer):
    encoder_class = LocalTimeEncoder
    json_dumps_params = {"ensure_ascii": False}
