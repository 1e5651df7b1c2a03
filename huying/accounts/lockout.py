"""Login lockout: django-axes' database handler, plus a limit per client address.

Axes locks one login name from one address after ``AXES_FAILURE_LIMIT`` failures
(``AXES_LOCKOUT_PARAMETERS``). Someone trying many names from one address never reaches
that limit for any one name, so this handler also adds up the failures of *all* names from
the address within the cool-off period and locks the address after
``AXES_IP_FAILURE_LIMIT`` of them (whatever name it then tries, the right password too).

Everything that checks a password goes through it the same way: call
``django.contrib.auth.authenticate(request=request, username=…, password=…)`` (the
``AxesStandaloneBackend`` refuses a locked name or address and marks
``request.axes_locked_out``; a failure is counted by the ``user_login_failed`` signal
Django sends), or for a second step ask ``AxesProxyHandler.is_locked(request,
{"username": …})`` and send ``user_login_failed`` on a wrong code (accounts.views.login_verify).
State lives in the database (``axes_accessattempt``), so every web process sees it.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone


def address_failures(request: HttpRequest) -> int:
    """Failed logins from the request's client address within the cool-off, over all names."""
    address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    if not address:
        return 0
    attempts = AccessAttempt.objects.filter(ip_address=address)
    cool_off = get_cool_off(request)
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return int(attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0)


class AddressLimitHandler(AxesDatabaseHandler):
    def is_locked(self, request: Any, credentials: dict[str, Any] | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        return address_failures(request) >= settings.AXES_IP_FAILURE_LIMIT

    def user_login_failed(self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        if address_failures(request) >= settings.AXES_IP_FAILURE_LIMIT:
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes", request=request, username=credentials.get("username"), ip_address=request.axes_ip_address
            )
