"""The middleware tells the audit log where a change came from: address and channel."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from huying.audit.actions import record
from huying.audit.context import current
from huying.audit.middleware import AuditContextMiddleware
from huying.audit.models import AuditEntry, Channel


def _through_middleware(path: str, ip: str) -> AuditEntry:
    def view(request: HttpRequest) -> HttpResponse:
        record(None, "system.check", None, object_type="core.test", object_id=path)
        return HttpResponse("ok")

    AuditContextMiddleware(view)(RequestFactory().get(path, REMOTE_ADDR=ip))
    return AuditEntry.objects.get(object_id=path)


def test_web_requests_record_ip_and_channel_web(db):
    entry = _through_middleware("/console/", "203.0.113.9")
    assert (entry.ip_address, entry.channel) == ("203.0.113.9", Channel.WEB)


def test_api_requests_record_channel_api(db):
    entry = _through_middleware("/api/v1/anything", "2001:db8::1")
    assert (entry.ip_address, entry.channel) == ("2001:db8::1", Channel.API)
    assert _through_middleware("/open311/v2/requests.json", "203.0.113.9").channel == Channel.API


def test_the_context_ends_with_the_request(db):
    _through_middleware("/api/v1/x", "203.0.113.9")
    assert current().channel == Channel.SYSTEM
    assert current().ip is None


@pytest.mark.urls("huying.audit.tests.urls")
def test_real_requests_through_the_whole_stack(client, db):
    client.get("/api/v1/probe", REMOTE_ADDR="198.51.100.20")
    client.get("/console/probe", REMOTE_ADDR="198.51.100.21")
    api = AuditEntry.objects.get(object_id="/api/v1/probe")
    web = AuditEntry.objects.get(object_id="/console/probe")
    assert (api.ip_address, api.channel) == ("198.51.100.20", Channel.API)
    assert (web.ip_address, web.channel) == ("198.51.100.21", Channel.WEB)
