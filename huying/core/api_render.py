"""How the REST API writes JSON: every time in Asia/Shanghai local time with its offset
(``2026-03-01T09:30:00+08:00``), never UTC with ``Z``, so a client shows what a person in
the office sees and the API, Open311 and the pages write a time the same way."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpResponse
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


_renderer = LocalTimeRenderer()
_CONTENT_TYPE = f"{_renderer.media_type}; charset={_renderer.charset}"


def ready_response(status: int, data: Any) -> HttpResponse:
    """``data`` written as the API writes its answers, without ninja's pass through the
    operation's response schema. For a hot endpoint whose view builds its answer in that
    schema's shape and types already (the hotline push: the schema's validation and dump
    were a sixteenth of the push); the endpoint still declares the schema (the OpenAPI
    document), and its tests read every kind of answer back through the schema and find
    it unchanged."""
    return HttpResponse(_renderer.render(None, data, response_status=status), status=status, content_type=_CONTENT_TYPE)  # type: ignore[arg-type]
