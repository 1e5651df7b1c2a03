"""The client's address, one definition for the lockout and the audit log."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client that sent ``request``.

    With ``PROXY_COUNT`` = N trusted reverse proxies in front, the client is the N-th
    address from the right of ``X-Forwarded-For`` (the proxies append what they saw; what
    the client wrote further left is not trusted). Without proxies, ``REMOTE_ADDR``.
    """
    address = request.META.get("REMOTE_ADDR") or None
    proxies = settings.PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    if address is None:
        return None
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
