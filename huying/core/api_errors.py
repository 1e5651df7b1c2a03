"""One error format for the whole REST API.

Every 4xx answer is ``{"message": "<one sentence for a person>", "errors": {"<field>":
["<message>", …]}}``; ``errors`` names the fields at fault (``__all__`` for the whole
request). Endpoints do not catch errors themselves: actions raise Django's
``ValidationError`` (422), ``PermissionDenied`` (403) or ``Http404`` (404), and the handlers
below turn them into this shape, so the API, the pages and the commands share one set of
rules and messages. Two more: a body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` answers 413
naming the field registered for its path (``attachments`` for work orders), and
``RateLimited`` answers 429 with ``Retry-After``.
"""

from __future__ import annotations

import typing
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.params.models import PathModel, QueryModel
from pydantic import BaseModel

from huying.core.api_types import BIGINT_MAX
from huying.core.ratelimit import RateLimited

# Which field a too-large JSON body is blamed on, by path prefix (the longest match wins).
# JSON bodies only grow past DATA_UPLOAD_MAX_MEMORY_SIZE through base64 files, so an app
# whose endpoints take files names that field: register_large_body_field("/api/v1/x/", "attachments").
_LARGE_BODY_FIELDS: dict[str, str] = {}


def register_large_body_field(path_prefix: str, field: str) -> None:
    _LARGE_BODY_FIELDS[path_prefix] = field


def large_body_field(path: str) -> str:
    matches = [prefix for prefix in _LARGE_BODY_FIELDS if path.startswith(prefix)]
    return _LARGE_BODY_FIELDS[max(matches, key=len)] if matches else "__all__"


class ErrorOut(Schema):
    message: str = Field(description="What went wrong, in the request's language.")
    errors: dict[str, list[str]] = Field(default_factory=dict, description="Messages per field at fault.")


def too_large_body(request: HttpRequest) -> dict[str, Any]:
    megabytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
    message = _("The request is larger than %(mb)s MB: send fewer or smaller files.") % {"mb": f"{megabytes:g}"}
    return {"message": message, "errors": {large_body_field(request.path): [message]}}


def too_large_response(request: HttpRequest) -> HttpResponse:
    """The 413 answer, for code that runs before the API (middleware)."""
    return json_response(too_large_body(request), status=413)


def json_response(body: dict[str, Any], status: int) -> HttpResponse:
    """An error answer made outside django-ninja, with the same content type as its own."""
    return JsonResponse(
        body, status=status, content_type="application/json; charset=utf-8", json_dumps_params={"ensure_ascii": False}
    )


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


# The error answers an operation may give, all in the one format. ``document_errors`` adds
# the ones that apply to each operation, so the OpenAPI document lists them everywhere:
# 401/403 where a login is needed, 404 where the path names something, 422 where the
# request carries input.
ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _holds_id(annotation: Any, metadata: typing.Iterable[Any] = ()) -> bool:
    """Whether a field typed ``annotation`` is (or holds, at any depth) an ``Id``."""
    for item in metadata:
        if getattr(item, "le", None) == BIGINT_MAX or _holds_id(None, getattr(item, "metadata", ())):
            return True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return any(_holds_id(f.annotation, f.metadata) for f in annotation.model_fields.values())
    extra = getattr(annotation, "__metadata__", ())
    return any(_holds_id(arg, extra) for arg in typing.get_args(annotation)) if annotation is not None else False


def applicable_errors(operation: Any, path: str) -> list[int]:
    codes = []
    if operation.auth_callbacks:
        codes += [401, 403]
    # A path or a query naming something by id (a filter naming a unit too) may name
    # nothing: 404.
    lookups = [m for m in operation.models if issubclass(m, (QueryModel, PathModel))]
    if "{" in path or any(_holds_id(m) for m in lookups):
        codes.append(404)
    if operation.models:
        codes.append(422)
    return codes


def document_errors(api: NinjaAPI) -> None:
    """Add the applicable ``ERRORS`` to every operation's documented answers (call once all
    routers are added). An operation's own declaration for a code is kept."""
    for router in api._get_bound_routers():  # the operations as served, auth resolved
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for code in applicable_errors(operation, path):
                    if code not in operation.response_models:
                        operation.response_models[code] = operation._create_response_model(ERRORS[code])


@csrf_exempt  # answers 404 to every method; nothing to protect, and no HTML CSRF page
def not_found_response(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any path under /api/v1/ that names no endpoint (also ``/proposals/abc`` where an id
    is a number): 404 in the one error format, not the HTML page."""
    return json_response({"message": _("Not found."), "errors": {}}, status=404)


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

    @api.exception_handler(RequestDataTooBig)
    def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        # Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE before the endpoint runs;
        # without this handler the client would get Django's HTML "Bad Request (400)".
        return api.create_response(request, too_large_body(request), status=413)

    @api.exception_handler(RateLimited)
    def rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
        response = api.create_response(request, {"message": exc.message, "errors": {}}, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return api.create_response(request, {"message": str(exc), "errors": {}}, status=exc.status_code)
