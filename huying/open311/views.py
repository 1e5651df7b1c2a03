"""Open311 GeoReport v2 views: thin, plain Django. Reading is public; POST requests needs an
API key and goes through :func:`huying.workorders.actions.do_intake` (channel open311)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from huying.open311 import georeport
from huying.open311.render import FORMATS, error, respond
from huying.workorders.actions import UploadedAttachment, do_intake
from huying.workorders.choices import Channel

CHANGESET = "2026-11-26T00:00:00+08:00"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"


def _unknown_format(fmt: str) -> HttpResponse | None:
    if fmt in FORMATS:
        return None
    return error("json", 404, _("format: use .json or .xml."))


@require_GET
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    if (refusal := _unknown_format(fmt)) is not None:
        return refusal
    body = {
        "changeset": CHANGESET,
        "contact": _("The district's 12345 command centre."),
        "key_service": _("Ask the district's command centre for an API key."),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": request.build_absolute_uri("/open311/v2"),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return respond(fmt, "discovery", body)


@require_GET
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    if (refusal := _unknown_format(fmt)) is not None:
        return refusal
    return respond(fmt, "services", georeport.service_list())


@require_GET
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    if (refusal := _unknown_format(fmt)) is not None:
        return refusal
    category = georeport.find_service(code)
    if category is None:
        return error(fmt, 404, _("service_code: there is no service %(code)s.") % {"code": code})
    return respond(fmt, "service_definition", georeport.service_definition(category))


def body_too_large(fmt: str) -> HttpResponse:
    """A body past Django's limits, in the spec's format (also answered by
    ``huying.core.middleware.RefuseNulMiddleware``, which may parse the body first)."""
    return error(fmt, 400, _("request: the body is too large."))


@csrf_exempt
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if (refusal := _unknown_format(fmt)) is not None:
        return refusal
    if request.method == "POST":
        try:
            request.POST  # noqa: B018 - parse the body here to answer its limits in the spec's format
        except (RequestDataTooBig, TooManyFieldsSent):
            return body_too_large(fmt)
        return _create(request, fmt)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "POST"])
    try:
        filters = georeport.parse_filters(request.GET)
    except georeport.FilterError as problem:
        return error(fmt, 400, str(problem))
    except georeport.NotFoundError as problem:
        return error(fmt, 404, str(problem))
    orders = georeport.filter_orders(filters)
    return respond(fmt, "service_requests", georeport.request_records(orders))


@require_GET
def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    if (refusal := _unknown_format(fmt)) is not None:
        return refusal
    order = georeport.find_request(request_id)
    if order is None:
        return error(fmt, 404, _("service_request_id: there is no request %(id)s.") % {"id": request_id})
    return respond(fmt, "service_requests", georeport.request_records([order]))


@require_GET
def token(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    """We hand out request ids at once, so a token is the request id itself."""
    if (refusal := _unknown_format(fmt)) is not None:
        return refusal
    order = georeport.find_request(token)
    if order is None:
        return error(fmt, 404, _("token: there is no request for the token %(token)s.") % {"token": token})
    return respond(fmt, "service_requests", [{"service_request_id": order.number, "token": token}])


def _param(request: HttpRequest, name: str) -> str:
    """A POST parameter from the body, else from the query string; empty is absent."""
    return (request.POST.get(name) or request.GET.get(name) or "").strip()


def _validation_descriptions(problem: ValidationError) -> list[str]:
    if not hasattr(problem, "error_dict"):
        return [str(m) for m in problem.messages]
    return [
        f"{georeport.FIELD_NAMES.get(field, field)}: {message}"
        for field, errors in problem.error_dict.items()
        for e in errors
        for message in e.messages
    ]


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    user = georeport.client_for_key(_param(request, "api_key"))
    if user is None:
        return error(fmt, 403, _("api_key: missing, unknown or not allowed to submit requests."))
    jurisdiction_id = _param(request, "jurisdiction_id")
    if jurisdiction_id and georeport.find_jurisdiction(jurisdiction_id) is None:
        return error(fmt, 404, _("jurisdiction_id: there is no jurisdiction %(id)s.") % {"id": jurisdiction_id})
    service_code = _param(request, "service_code")
    if not service_code:
        return error(fmt, 400, _("service_code: required."))
    if georeport.find_service(service_code) is None:
        return error(fmt, 404, _("service_code: there is no service %(code)s.") % {"code": service_code})
    lat, lng, address = _param(request, "lat"), _param(request, "long"), _param(request, "address_string")
    if not address and not (lat or lng):
        return error(fmt, 400, _("location: give lat and long, or address_string."))
    data: dict[str, Any] = {
        "external_id": _param(request, "attribute[external_id]") or request.headers.get("Idempotency-Key", "").strip(),
        "content": _param(request, "description"),
        "caller_name": f"{_param(request, 'last_name')}{_param(request, 'first_name')}",
        "caller_phone": _param(request, "phone"),
        "nature": _param(request, "attribute[nature]"),
        "urgency": _param(request, "attribute[urgency]"),
        "category": service_code,
        "address": address,
        "latitude": lat,
        "longitude": lng,
        "district": jurisdiction_id,
    }
    files = [UploadedAttachment(upload.name or "media", upload) for upload in request.FILES.getlist("media")]
    try:
        result = do_intake(user, data, Channel.OPEN311, files=files)
    except ValidationError as problem:
        return error(fmt, 400, *_validation_descriptions(problem))
    except PermissionDenied as refusal:
        return error(fmt, 403, str(refusal) or _("api_key: not allowed to submit requests."))
    notice = _("Your request has been received as number %(number)s.") % {"number": result.order.number}
    body = [{"service_request_id": result.order.number, "service_notice": notice, "account_id": None}]
    return respond(fmt, "service_requests", body, status=201 if result.created else 200)
