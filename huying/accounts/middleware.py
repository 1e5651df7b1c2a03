"""Two-factor login required for some roles (``REQUIRE_2FA``, ``REQUIRE_2FA_ROLES``).

When the deployment requires it (on by default when DEBUG is off), a person holding one of
``REQUIRE_2FA_ROLES`` (administrators and dispatchers by default) who has not set up
two-factor login is sent to the set-up page before anything else; only that page, logging
in and out and the language switch stay open. Someone who has a device but whose session
was not verified with it (a session from before the set-up) is logged out and logs in again
with the code.

The API (decision, docs/operations.md "Two-factor login"): a session cookie of such a
person is not accepted — session calls answer 403 in the API's error format until two-factor
login is set up. API tokens are separate credentials and keep working: they are created on
a page the person can only reach after setting up two-factor login (or by an
administrator), and revoking them is how an operator cuts a script off.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from huying.accounts.actions import has_two_factor
from huying.accounts.choices import TWO_FACTOR_ROLES

OPEN_URL_NAMES = (
    "accounts:two_factor",
    "accounts:two_factor_start",
    "accounts:two_factor_confirm",
    "accounts:login",
    "accounts:login_verify",
    "accounts:logout",
)
OPEN_PREFIXES = ("/i18n/", "/jsi18n/", "/static/")


def check_roles(roles: list[str]) -> None:
    unknown = sorted(set(roles) - set(TWO_FACTOR_ROLES))
    if unknown:
        allowed = ", ".join(sorted(TWO_FACTOR_ROLES))
        raise ImproperlyConfigured(
            f"REQUIRE_2FA_ROLES: {', '.join(unknown)} cannot use two-factor login; choose among: {allowed}."
        )


def role_requires_two_factor(user: Any) -> bool:
    """Whether the deployment requires two-factor login of ``user`` (``REQUIRE_2FA`` on and
    the person holds a role in ``REQUIRE_2FA_ROLES``). Anything that hands out credentials
    for a password (e.g. a token login for scripts) must then also ask for the code, and
    refuse such a person who has not set two-factor login up."""
    if not settings.REQUIRE_2FA or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.role_set.intersection(settings.REQUIRE_2FA_ROLES))


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        check_roles(settings.REQUIRE_2FA_ROLES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not role_requires_two_factor(user):
            return self.get_response(request)
        enrolled = has_two_factor(user)  # type: ignore[arg-type]
        if enrolled and user.is_verified():  # type: ignore[union-attr,attr-defined]
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return self._api(request, enrolled)
        if self._is_open(request.path):
            return self.get_response(request)
        if enrolled:
            # A session from before the set-up: log in again, this time with the code.
            logout(request)
            messages.info(request, _("Please log in again with your two-factor code."))
            return self._redirect(request, reverse("accounts:login"))
        messages.warning(request, _("Your role requires two-factor login. Set it up to continue."))
        return self._redirect(request, reverse("accounts:two_factor"))

    def _api(self, request: HttpRequest, enrolled: bool) -> HttpResponse:
        if request.headers.get("Authorization", "").lower().startswith("bearer "):
            # Only the token may authenticate this call, never the session.
            request.user = AnonymousUser()
            return self.get_response(request)
        message = (
            _("Log in again with your two-factor code to use the API with this session.")
            if enrolled
            else _("Your role requires two-factor login. Set it up to continue.")
        )
        return JsonResponse({"message": message, "errors": {}}, status=403, json_dumps_params={"ensure_ascii": False})

    @staticmethod
    def _is_open(path: str) -> bool:
        return path.startswith(OPEN_PREFIXES) or path in {reverse(name) for name in OPEN_URL_NAMES}

    @staticmethod
    def _redirect(request: HttpRequest, url: str) -> HttpResponse:
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)
