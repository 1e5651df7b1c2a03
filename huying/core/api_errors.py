"""One error format for the whole REST API.

Every 4xx answer is ``{"message": "<one sentence for a person>", "errors": {"<field>":
["<message>", …]}}``; ``errors`` names the fields at fault (``__all__`` for the whole
request). Endpoints do not catch errors themselves: actions raise Django's
``ValidationError`` (422), ``PermissionDenied`` (403) or ``Http404`` (404), and the handlers
below turn them into this shape, so the API, the pages and the commands share one set of
rules and messages.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError


class ErrorOut(Schema):
    message: str = Field(description="What went wrong, in the request's language.")
    errors: dict[str, list[str]] = Field(default_factory=dict, description="Messages per field at fault.")


def error_body(error: ValidationError) -> dict[str, Any]:
    if hasattr(error, "error_dict"):
        errors = {field: [str(m) for e in errs for m in e.messages] for field, errs in error.error_dict.items()}
    else:
        errors = {"__all__": [str(m) for m in error.messages]}
    return {"message": " ".join(m for ms in errors.values() for m in ms), "errors": errors}


def _schema_errors(exc: SchemaValidationError) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    for item in exc.errors:
        loc = [str(part) for part in item.get("loc", ()) if part not in ("body", "query", "path", "form", "payload")]
        field = loc[-1] if loc else "__all__"
        errors.setdefault(field, []).append(str(item.get("msg", "")))
    fields = ", ".join(errors)
    return {"message": _("Invalid input in: %(fields)s.") % {"fields": fields}, "errors": errors}


def install(api: NinjaAPI) -> None:
    @api.exception_handler(SchemaValidationError)
    def schema_invalid(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
        return api.create_response(request, _schema_errors(exc), status=422)

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return api.create_response(request, error_body(exc), status=422)

    @api.exception_handler(PermissionDenied)
    def denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        message = str(exc) or _("You do not have permission to do this.")
        return api.create_response(request, {"message": message, "errors": {}}, status=403)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        message = str(exc) if exc.args else _("Not found.")
        return api.create_response(request, {"message": message, "errors": {}}, status=404)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        body = {"message": _("Log in or send a valid API token (Authorization: Bearer …)."), "errors": {}}
        return api.create_response(request, body, status=401)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return api.create_response(request, {"message": str(exc), "errors": {}}, status=exc.status_code)
