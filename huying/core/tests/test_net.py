"""The client address used by the lockout and the audit log."""

import pytest
from axes.models import AccessLog
from django.test import RequestFactory

from huying.audit.models import AuditEntry
from huying.core.net import client_ip

rf = RequestFactory()


def test_without_proxies_the_forwarded_header_is_ignored(settings):
    settings.PROXY_COUNT = 0
    request = rf.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert client_ip(request) == "203.0.113.9"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # what the client wrote itself is not trusted
        (2, "6.6.6.6, 198.51.100.1, 10.0.0.2", "198.51.100.1"),
        (2, "198.51.100.1", "203.0.113.9"),  # fewer hops than proxies: fall back to the peer
        (1, "not-an-address", None),
    ],
)
def test_behind_proxies_the_nth_address_from_the_right(settings, proxies, forwarded, expected):
    settings.PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_audit_entries_and_lockout_use_the_same_address(client, settings, alice):
    settings.PROXY_COUNT = 1
    client.post(
        "/accounts/login/",
        {"username": "alice", "password": "Huying-test-2026"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert AuditEntry.objects.filter(action="user.login").latest("id").ip_address == "198.51.100.7"
    assert AccessLog.objects.latest("id").ip_address == "198.51.100.7"
