from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from huying.core import api_errors
from huying.open311.render import error as open311_error
from huying.open311.views import body_too_large as open311_body_too_large


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


# --- NUL characters -----------------------------------------------------------------------

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def _json_nul_field(value: Any, name: str = "__all__") -> str | None:
    """The name of the (innermost) field of a decoded JSON value holding a NUL character."""
    if isinstance(value, str):
        return name if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in str(key):
                return str(key).replace("\x00", "")
            found = _json_nul_field(item, str(key))
            if found:
                return found
    if isinstance(value, list):
        for item in value:
            found = _json_nul_field(item, name)
            if found:
                return found
    return None


def nul_field(request: HttpRequest) -> str | None:
    """The name of a query or body field whose text holds a NUL character, if any.

    Nothing that stores text accepts it: PostgreSQL refuses it in ``text`` columns (the
    request used to end in HTTP 500), and no person types it. Files are not inspected.
    """
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in v for v in values):
            return key.replace("\x00", "") or "__all__"
    if request.method == "POST" and request.content_type in _FORM_TYPES:
        for key, values in request.POST.lists():
            if "\x00" in key or any("\x00" in v for v in values):
                return key.replace("\x00", "") or "__all__"
        for key, files in request.FILES.lists():
            if any("\x00" in (f.name or "") for f in files):
                return key
    elif request.method in ("POST", "PUT", "PATCH") and request.content_type == "application/json":
        body = request.body
        if b"\x00" in body:
            return "__all__"
        if _JSON_NUL.search(body):
            try:
                return _json_nul_field(json.loads(body)) or None
            except ValueError:
                return None  # not JSON: the endpoint answers that
    return None


def _open311_format(request: HttpRequest) -> str:
    return "xml" if request.path.endswith(".xml") else "json"


class RefuseNulMiddleware:
    """Refuse any request whose query string or form/JSON body has a NUL character in its
    text, before a view or the database sees it: 422 in the API's error format under
    ``/api/``, a GeoReport error (400) under ``/open311/``, the 400 page elsewhere."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            field = nul_field(request)
        except (RequestDataTooBig, TooManyFieldsSent) as exc:
            # Answered here as the views would have: the body cannot be parsed twice.
            if request.path.startswith("/api/"):
                return api_errors.too_large_response(request)
            if request.path.startswith("/open311/"):
                return open311_body_too_large(_open311_format(request))
            raise BadRequest(str(exc)) from exc
        except (MultiPartParserError, TooManyFilesSent) as exc:
            raise BadRequest(str(exc)) from exc
        if field is None:
            return self.get_response(request)
        return self.refuse(request, field)

    def refuse(self, request: HttpRequest, field: str) -> HttpResponse:
        problem = _("Text may not contain the NUL character (\\0).")
        if request.path.startswith("/api/"):
            body = {"message": f"{field}: {problem}", "errors": {field: [problem]}}
            return api_errors.json_response(body, status=422)
        if request.path.startswith("/open311/"):
            return open311_error(_open311_format(request), 400, f"{field}: {problem}")
        return render(request, "400.html", {"message": problem}, status=400)
