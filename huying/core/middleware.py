from __future__ import annotations

import contextlib
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation


class ContentSecurityPolicyMiddleware:
    """Send the content security policy (no inline scripts, nothing from other origins)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        response.setdefault("Permissions-Policy", "camera=(self), geolocation=(self), microphone=()")
        return response


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Chinese first: pages use the language the person chose with the switch (the
    language cookie) and otherwise ``LANGUAGE_CODE`` — a browser's Accept-Language does not
    override it. API clients (``/api/``, ``/open311/``) may ask for a language with
    Accept-Language, as HTTP clients expect."""

    api_prefixes = ("/api/", "/open311/")

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith(self.api_prefixes):
            super().process_request(request)
            return
        language = settings.LANGUAGE_CODE
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen:
            with contextlib.suppress(LookupError):
                language = translation.get_supported_language_variant(chosen)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RequestSizeLimitMiddleware:
    """Answer 413 to a request whose declared body is larger than ``UPLOAD_MAX_REQUEST_BYTES``
    before Django reads it, so an oversized upload is never written to a temporary file.

    The limit sits above the per-request upload limits (``UPLOAD_MAX_TOTAL_MB`` plus room
    for the form), so an ordinary oversized form still reaches its page and gets a message
    on the files' field from ``huying.core.uploads.check_upload_batch``; this only stops
    bodies nothing would accept. API paths answer in the API's one error format."""

    api_prefixes = ("/api/",)

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.UPLOAD_MAX_REQUEST_BYTES
        if length > limit:
            return self._too_large(request)
        return self.get_response(request)

    def _too_large(self, request: HttpRequest) -> HttpResponse:
        from django.http import JsonResponse
        from django.template.response import TemplateResponse
        from django.utils.translation import gettext as _

        from huying.core.api_errors import large_body_field

        message = _("The files are larger than %(mb)d MB together: send fewer or smaller files.") % {
            "mb": settings.UPLOAD_MAX_TOTAL_MB
        }
        if request.path.startswith(self.api_prefixes):
            body = {"message": message, "errors": {large_body_field(request.path): [message]}}
            return JsonResponse(body, status=413, json_dumps_params={"ensure_ascii": False})
        if request.path.startswith("/open311/"):
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        response = TemplateResponse(request, "413.html", {"message": message}, status=413)
        response.render()
        return response
