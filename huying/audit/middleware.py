from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from huying.audit.context import AuditContext, reset_context, set_context
from huying.audit.models import Channel
from huying.core.net import client_ip


class AuditContextMiddleware:
    """Remember the client address and channel (web or API) for audit entries."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        channel = Channel.API if request.path.startswith(("/api/", "/open311/")) else Channel.WEB
        token = set_context(AuditContext(ip=client_ip(request), channel=channel))
        try:
            return self.get_response(request)
        finally:
            reset_context(token)
