"""Work-order endpoints under /api/v1/workorders: the 12345 hotline push, the public
report, grid reports and members' referrals, the list and detail for staff, and the public
"track my report" lookup with the caller's rating."""

import base64
import binascii
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

import huying.workorders.converters  # noqa: F401 - registers the {order:…} path converter
from huying.accounts.api import ApiTokenAuth
from huying.accounts.models import mask_mobile
from huying.core import api_errors
from huying.core.api_errors import ErrorOut
from huying.core.api_render import ready_response
from huying.core.api_types import Id, PageNumberPagination
from huying.workorders import actions, analysis, reporting, tracking
from huying.workorders.choices import Channel, status_display
from huying.workorders.converters import OrderNumber
from huying.workorders.models import (
    SEARCH_COUNT_CAP,
    DuplicateLink,
    OrderAnalysis,
    WorkOrder,
    dispatcher_districts,
    matching_rule,
)
from huying.workorders.paging import capped_count

router = Router(tags=["workorders"])
# A JSON body only outgrows DATA_UPLOAD_MAX_MEMORY_SIZE through base64 files: 413 names them.
api_errors.register_large_body_field("/api/v1/workorders/", "attachments")


class AttachmentIn(Schema):
    filename: str = Field(max_length=200)
    content_base64: str = Field(description="The file's bytes, base64-encoded (JPEG, PNG, WebP or PDF, ≤ 10 MB).")


class IntakeIn(Schema):
    external_id: str = Field(description="The hotline's own order id: the idempotency key.")
    content: str = Field("", description="What the caller said (required, ≤ 4000 characters; longer is refused).")
    caller_name: str = ""
    caller_phone: str = ""
    anonymous: bool = False
    nature: str = Field("", description="consultation/help/complaint/report/suggestion or 咨询/求助/投诉/举报/建议.")
    urgency: str = Field("", description="normal/urgent/emergency or 一般/紧急/特急.")
    category: str = Field("", description="Category code, e.g. 010101.")
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    district: str = Field("", description="Division code of the district; optional for a one-district dispatcher.")
    street: str = Field("", description="Street name or division code.")
    community: str = Field("", description="Community name or division code.")
    area_class: str = Field("", description="1, 2 or 3 (一类/二类/三类地区).")
    received_at: datetime | None = None
    attachments: list[AttachmentIn] = Field(default_factory=list)


class SuggestionOut(Schema):
    code: str
    name: str
    confidence: float


class OrderOut(Schema):
    number: str
    status: str
    status_display: str
    channel: str
    external_id: str
    nature: str
    urgency: str
    category_code: str | None
    category_name: str | None
    content: str
    caller_name: str
    caller_phone: str
    address: str
    latitude: float | None
    longitude: float | None
    district: str
    street: str | None
    community: str | None
    area_class: str
    received_at: datetime
    created_at: datetime
    version: int = Field(
        description="Send it back with the next step on this order (dispatch, feedback, reopen, close, cancel, merge)."
    )


class DuplicateBriefOut(Schema):
    number: str
    score: float = Field(description="0–1; definition in docs/workorders.md “Duplicates”.")


class DispatchSuggestionOut(Schema):
    category_code: str | None
    category_name: str | None
    category_source: str = Field(
        description="order (the category the order came with), model or keywords (from the text), "
        "or empty when there is no category."
    )
    confidence: float | None = Field(description="0–1 when the category comes from the text; null otherwise.")
    unit_id: int | None = Field(description="The unit the category's routing rule names; null without a rule.")
    unit_name: str | None
    tier: int
    rule_prefix: str | None = Field(description="The category prefix of the routing rule that named the unit.")


class IntakeOut(OrderOut):
    created: bool
    suggestions: list[SuggestionOut] = Field(
        description="The text's own category guesses, only for an order pushed without a category."
    )
    dispatch_suggestion: DispatchSuggestionOut = Field(
        description="What the console proposes: the order's category (or the text's best guess) and the unit "
        "its routing rule names."
    )
    duplicates: list[DuplicateBriefOut] = Field(description="Likely duplicates of the order, best first.")


def _order_out(order: WorkOrder, viewer: Any, districts: list[int] | None = None) -> dict[str, Any]:
    may_see_phone = getattr(viewer, "is_authenticated", False) and (
        viewer.is_administrator
        or order.district_id in (districts if districts is not None else dispatcher_districts(viewer))
    )
    return {
        "number": order.number,
        "status": order.status,
        "status_display": status_display(order.status),
        "channel": order.channel,
        "external_id": order.external_id,
        "nature": order.nature,
        "urgency": order.urgency,
        "category_code": order.category.code if order.category else None,
        "category_name": order.category.name if order.category else None,
        "content": order.content,
        "caller_name": order.caller_name_for(viewer),
        "caller_phone": order.caller_phone if may_see_phone else mask_mobile(order.caller_phone),
        "address": order.address,
        "latitude": float(order.latitude) if order.latitude is not None else None,
        "longitude": float(order.longitude) if order.longitude is not None else None,
        "district": order.district.name,
        "street": order.street.name if order.street else None,
        "community": order.community.name if order.community else None,
        "area_class": order.area_class,
        "received_at": order.received_at,
        "created_at": order.created_at,
        "version": order.version,
    }


def _decode_attachments(payload: IntakeIn) -> list[actions.UploadedAttachment]:
    return decode_attachments(payload.attachments)


def decode_attachments(items: list[AttachmentIn]) -> list[actions.UploadedAttachment]:
    files = []
    for item in items:
        try:
            raw = base64.b64decode(item.content_base64, validate=True)
        except (binascii.Error, ValueError) as error:
            raise ValidationError(
                {"attachments": _("%(name)s is not valid base64.") % {"name": item.filename}}
            ) from error
        files.append(actions.UploadedAttachment(name=item.filename, file=ContentFile(raw, name=item.filename)))
    return files


@router.post(
    "/intake/hotline",
    response={200: IntakeOut, 201: IntakeOut, 403: ErrorOut, 422: ErrorOut},
    summary="Push a work order from the 12345 hotline (idempotent on external_id)",
)
def intake_hotline(request: HttpRequest, payload: IntakeIn) -> Any:
    """201 with the new order; 200 with the existing order when the same ``external_id``
    was pushed before (nothing changes). Dispatchers of a command centre (or their API
    client's token) and administrators may push."""
    data = payload.dict(exclude={"attachments"})
    result = actions.do_intake(request.user, data, Channel.HOTLINE, files=_decode_attachments(payload))
    # A new order carries its district, street, community and category already (intake set them).
    order = result.order if result.created else WorkOrder.objects.with_related().get(pk=result.order.pk)
    body = _order_out(order, request.user)
    body["created"] = result.created
    body.update(_known_analysis(order, just_created=result.created))
    return ready_response(201 if result.created else 200, body)  # IntakeOut's shape (test_intake.py)


def _known_analysis(order: WorkOrder, *, just_created: bool) -> dict[str, Any]:
    """The suggestions and duplicates as far as they are known when the answer is written.
    Where the analysis runs in the request (commands, tests) it is there. In a web process
    an order created by this very request has just been handed on (to a worker at scale,
    to the process's background thread embedded): its lists are empty without asking (the
    console shows them when the dispatcher opens the order); a repeated push reads what has
    been stored by then."""
    if just_created and not analysis.analyses_in_request():
        stored = None
    else:
        stored = OrderAnalysis.objects.filter(order=order).first()
        if stored is None and analysis.analyses_in_request():
            stored = analysis.ensure(order)  # the embedded set-up inside an outer transaction (tests)
    ranked = analysis.stored_suggestions(stored) if order.category_id is None else []
    if order.category_id is not None:
        suggestion = actions.dispatch_suggestion(order)
    else:
        category, confidence = ranked[0] if ranked else (None, None)
        source = stored.suggestion_source if stored is not None and ranked else ""
        rule = matching_rule(category, order.street, order.area_class)
        suggestion = actions.Suggestion(
            category, confidence, rule.unit if rule else None, rule.tier if rule else 1, source, rule
        )
    links = (
        DuplicateLink.objects.filter(order=order).select_related("other").order_by("-score", "-other__created_at")[:5]
        if stored is not None
        else []
    )
    return {
        "suggestions": [{"code": c.code, "name": c.name, "confidence": float(confidence)} for c, confidence in ranked],
        "dispatch_suggestion": dispatch_suggestion_out(suggestion),
        "duplicates": [{"number": link.other.number, "score": float(link.score)} for link in links],
    }


# --- batch push ------------------------------------------------------------------------
class IntakeBatchOrderIn(Schema):
    """One order of a batch: the fields of the single push without attachments, read
    leniently (a wrong value is this order's field error, not the batch's)."""

    external_id: str = Field("", description="The hotline's own order id: the idempotency key (required).")
    content: str = ""
    caller_name: str = ""
    caller_phone: str = ""
    anonymous: bool | str = False
    nature: str = ""
    urgency: str = ""
    category: str = ""
    address: str = ""
    latitude: float | str | None = None
    longitude: float | str | None = None
    district: str = ""
    street: str = ""
    community: str = ""
    area_class: str = ""
    received_at: str | None = Field(None, description="ISO 8601, e.g. 2026-03-01T09:30:00+08:00.")


class IntakeBatchIn(Schema):
    orders: list[IntakeBatchOrderIn] = Field(
        min_length=1, max_length=actions.MAX_BATCH, description=f"1–{actions.MAX_BATCH} orders."
    )


class IntakeBatchItemOut(Schema):
    index: int = Field(description="The order's position in the batch, from 0.")
    external_id: str
    result: str = Field(description="created, existing (sent before, or earlier in this batch) or refused.")
    number: str | None = Field(description="The order's number (created or existing); null when refused.")
    status: str | None
    errors: dict[str, list[str]] = Field(description="Field → messages, when refused.")


class IntakeBatchOut(Schema):
    created: int
    existing: int
    refused: int
    results: list[IntakeBatchItemOut]


@router.post(
    "/intake/hotline/batch",
    response={200: IntakeBatchOut, 403: ErrorOut, 422: ErrorOut},
    summary="Push a batch of 12345 hotline orders (each idempotent on its external_id)",
)
def intake_hotline_batch(request: HttpRequest, payload: IntakeBatchIn) -> Any:
    """Up to 500 orders in one request; the answer reports each, in order: ``created``,
    ``existing`` (its ``external_id`` was pushed before, or earlier in this batch: its
    number) or ``refused`` (its field errors; the other orders are still taken). Sending the
    same batch again creates nothing twice. Who may push: as the single push. Category
    suggestions and duplicates are worked out after the commit (the console shows them)."""
    items = [order.dict() for order in payload.orders]
    results = actions.do_intake_batch(request.user, items, Channel.HOTLINE)
    rows = []
    for item in results:
        result = "created" if item.created else "refused" if item.order is None else "existing"
        rows.append(
            {
                "index": item.index,
                "external_id": item.external_id,
                "result": result,
                "number": item.order.number if item.order is not None else None,
                "status": item.order.status if item.order is not None else None,
                "errors": item.errors,
            }
        )
    counts = {k: sum(1 for r in rows if r["result"] == k) for k in ("created", "existing", "refused")}
    return Status(200, {**counts, "results": rows})


def dispatch_suggestion_out(suggestion: actions.Suggestion) -> dict[str, Any]:
    category, unit, rule = suggestion.category, suggestion.unit, suggestion.rule
    return {
        "category_code": category.code if category else None,
        "category_name": category.name if category else None,
        "category_source": suggestion.source,
        "confidence": float(suggestion.confidence) if suggestion.confidence is not None else None,
        "unit_id": unit.pk if unit else None,
        "unit_name": unit.name if unit else None,
        "tier": suggestion.tier,
        "rule_prefix": rule.category_prefix if rule else None,
    }


class _OrderPagination(PageNumberPagination):
    """Page first, then turn the page into output rows (phones masked per viewer). The
    page size is given to ``@paginate`` (django-ninja sets it in the constructor).

    ``count`` stops at 10,000 (a search's at 200, or at the end of the page asked for;
    ``count_capped`` is then true): an exact count of millions
    of orders costs more than the page (huying/workorders/paging.py). Every page number
    is still served, newest first with the order's id breaking ties, so walking the pages
    of an unchanging list meets every order once."""

    class Output(Schema):
        items: list[Any]
        count: int = Field(
            description="How many orders match, at most 10000 (a search: at most 200 or to the end of this page; "
            "see count_capped)."
        )
        count_capped: bool = Field(description="True when more than `count` orders match.")

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        page_size = self._get_page_size(pagination.page_size)
        offset = (pagination.page - 1) * page_size
        # A search counts up to SEARCH_COUNT_CAP (or to this page), a list up to COUNT_CAP.
        cap = max(SEARCH_COUNT_CAP, offset + page_size) if str(params.get("q") or "").strip() else None
        counted = capped_count(queryset, cap)
        orders = list(queryset[offset : offset + page_size])
        viewer = request.user
        districts = dispatcher_districts(viewer)  # type: ignore[arg-type]
        return {
            self.items_attribute: [_order_out(o, viewer, districts) for o in orders],
            "count": counted.number,
            "count_capped": counted.capped,
        }


@router.get("", response=list[OrderOut], summary="Work orders I may see")
@paginate(_OrderPagination, page_size=50)
def list_orders(
    request: HttpRequest,
    status: str = "",
    category: str = "",
    street: Id | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    q: str = "",
) -> Any:
    """Filters: ``status`` code; ``category`` code (the category and everything below it);
    ``street`` organisation id; ``date_from`` / ``date_to``: creation dates, inclusive;
    ``q``: the console's search — part of the order number, words of the content or
    address, or a caller's whole phone number (only where the caller may see phones)."""
    user: Any = request.user
    phone_districts = None if user.is_administrator else dispatcher_districts(user)
    return (
        WorkOrder.objects.visible_to(user)
        .with_related()
        .search(q, phone_districts=phone_districts)
        .api_filtered(status=status, category=category, street=street, date_from=date_from, date_to=date_to)
    )


# --- public report, grid reports, members' referrals ----------------------------------
class ReportIn(Schema):
    client_token: str = Field(
        description="A one-time token the client makes up for this report (16–64 letters, digits or . : / - _), "
        "e.g. a UUID: sending the same token again returns the order created the first time."
    )
    content: str = Field("", description="What the problem is (required, ≤ 4000 characters).")
    category: str = Field("", description="Category hint: a first- or second-level category code, e.g. 0101.")
    nature: str = Field("", description="consultation/help/complaint/report/suggestion or 咨询/求助/投诉/举报/建议.")
    address: str = ""
    latitude: float | None = Field(None, description="Decimal degrees inside China, with longitude.")
    longitude: float | None = Field(None, description="Decimal degrees inside China, with latitude.")
    district: str = Field(
        "",
        description="Division code or name of a district with a command centre; optional when only one takes reports.",
    )
    street: str = Field("", description="Street name or division code inside the district.")
    community: str = Field("", description="Community name or division code inside the street or district.")
    caller_name: str = ""
    caller_phone: str = Field(
        "",
        description="Required for public reports: with the number it tracks the report, and the command centre calls back on it.",
    )
    anonymous: bool = Field(False, description="Hide the caller's name from everyone but administrators.")
    attachments: list[AttachmentIn] = Field(
        default_factory=list,
        description="Up to 6 photos (JPEG, PNG, WebP) or PDFs, base64. The whole body must stay under 10 MB.",
    )


class GridReportIn(ReportIn):
    urgency: str = Field("", description="normal/urgent/emergency or 一般/紧急/特急.")


class ReportOut(Schema):
    number: str = Field(description="The report number, e.g. 荔湾-2026-000123: with the phone it tracks the report.")
    status: str
    status_display: str
    channel: str
    received_at: datetime
    created: bool = Field(description="False when the same client_token was sent before (nothing changed).")


def _report_out(result: actions.IntakeResult) -> Status:
    order = result.order
    body = {
        "number": order.number,
        "status": order.status,
        "status_display": status_display(order.status),
        "channel": order.channel,
        "received_at": order.received_at,
        "created": result.created,
    }
    return Status(201 if result.created else 200, body)


def _without_token_header(request: HttpRequest) -> bool:
    """Lets anonymous callers in — but a request that sends a token it cannot back is 401."""
    return "HTTP_AUTHORIZATION" not in request.META


INTAKE_RESPONSES: dict[int, Any] = {
    200: ReportOut,
    201: ReportOut,
    403: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
}


@router.post(
    "/report",
    auth=[ApiTokenAuth(), _without_token_header],
    response={**INTAKE_RESPONSES, 429: ErrorOut},
    summary="Report a problem as the public web form does (anonymous allowed; idempotent on client_token)",
)
def report(request: HttpRequest, payload: ReportIn) -> Any:
    """Channel ``web``. No login needed; with an API token the report is recorded as its
    owner's. 201 with the number; 200 with the same order when ``client_token`` was sent
    before by the same caller (same phone, or same account); 422 naming every field at
    fault (``client_token`` reused by someone else, ``caller_phone`` missing,
    ``attachments`` of the wrong type or over 10 MB, coordinates outside China…); 413 when
    the body is over 10 MB; 429 past ``WORKORDERS_REPORT_LIMIT`` reports per client address."""
    auth = getattr(request, "auth", None)
    actor = auth if getattr(auth, "is_authenticated", False) else AnonymousUser()
    reporting.check_report_rate(request)
    data = payload.dict(exclude={"attachments", "client_token"})
    files = decode_attachments(payload.attachments)
    result = reporting.do_report(actor, data, files, token=payload.client_token, key_field="client_token")
    return _report_out(result)


@router.post(
    "/grid",
    response=INTAKE_RESPONSES,
    summary="A grid inspector's report (street/community handlers, unit staff, dispatchers)",
)
def grid_report(request: HttpRequest, payload: GridReportIn) -> Any:
    """Channel ``grid``. Without street and community, the reporter's own (from their
    organisation); without a caller, the reporter. The district must contain or lie inside
    the reporter's organisation. Idempotent on ``client_token`` per reporter."""
    data = payload.dict(exclude={"attachments", "client_token"})
    files = decode_attachments(payload.attachments)
    result = reporting.do_grid_report(request.user, data, files, token=payload.client_token, key_field="client_token")
    return _report_out(result)


@router.post("/member", response=INTAKE_RESPONSES, summary="A CPPCC member's referral of a problem")
def member_referral(request: HttpRequest, payload: ReportIn) -> Any:
    """Channel ``member``: members (and dispatchers). The caller is the person who raised
    the problem, or the member when left empty. Idempotent on ``client_token`` per member."""
    data = payload.dict(exclude={"attachments", "client_token"})
    files = decode_attachments(payload.attachments)
    result = reporting.do_member_referral(
        request.user, data, files, token=payload.client_token, key_field="client_token"
    )
    return _report_out(result)


# --- track my report --------------------------------------------------------------------
class TrackEventOut(Schema):
    time: datetime
    event: str


class TrackOut(Schema):
    number: str
    status: str
    status_display: str
    category_name: str | None
    created_at: datetime
    notes: list[TrackEventOut]
    result: str | None = Field(description="The unit's answer, once the report is resolved.")
    resolved_at: datetime | None
    may_rate: bool = Field(description="Whether POST /track/feedback would be accepted now.")


@router.get(
    "/track",
    auth=None,
    response={200: TrackOut, 404: ErrorOut, 429: ErrorOut},
    summary="Track a report by its number and the caller's phone (public)",
)
def track(request: HttpRequest, number: OrderNumber, phone: str) -> Any:
    """Both must match; otherwise 404 with the same message whatever was wrong, so the
    answer tells nothing about which numbers exist. Returns the status, the public steps
    and the answer once resolved: no names, phones, addresses or internal notes. 429 past
    ``WORKORDERS_TRACK_LIMIT`` lookups per client address or per number in
    ``WORKORDERS_TRACK_WINDOW_SECONDS`` (shared with the page)."""
    tracking.check_lookup_rate(request, number)
    order = tracking.find_order(number, phone)
    if order is None:
        raise Http404(str(tracking.NOT_FOUND))
    state = tracking.tracked(order)
    source = state.source
    return Status(
        200,
        {
            "number": order.number,
            "status": source.status,
            "status_display": status_display(source.status),
            "category_name": source.category.name if source.category else None,
            "created_at": order.created_at,
            "notes": [{"time": step.time, "event": step.label} for step in state.steps],
            "result": state.result or None,
            "resolved_at": state.resolved_at,
            "may_rate": state.may_rate,
        },
    )


class TrackFeedbackIn(Schema):
    number: str
    phone: str
    rating: str = Field(description="satisfied / basically_satisfied / dissatisfied.")
    solved: bool | None = Field(None, description="Was the problem solved?")
    comment: str = Field("", description="≤ 500 characters.")


class TrackFeedbackOut(Schema):
    rating: str
    solved: bool | None
    created_at: datetime


@router.post(
    "/track/feedback",
    auth=None,
    response={201: TrackFeedbackOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="The caller rates the answer to their report (public; number and phone)",
)
def track_feedback(request: HttpRequest, payload: TrackFeedbackIn) -> Any:
    """Once resolved, and once per resolution. Counts as a lookup for the rate limit. The
    rating is recorded for the command centre (feedback channel ``web``); it never reopens
    the order by itself."""
    tracking.check_lookup_rate(request, payload.number)
    order = tracking.find_order(payload.number, payload.phone)
    if order is None:
        raise Http404(str(tracking.NOT_FOUND))
    feedback = tracking.do_rate_as_caller(order, rating=payload.rating, solved=payload.solved, comment=payload.comment)
    return Status(201, {"rating": feedback.rating, "solved": feedback.solved, "created_at": feedback.created_at})


@router.get("/{order:number}", response={200: OrderOut, 404: ErrorOut}, summary="One work order")
def get_order(request: HttpRequest, number: OrderNumber) -> Any:
    order = WorkOrder.objects.visible_to(request.user).with_related().filter(number=number).first()  # type: ignore[arg-type]
    if order is None:
        raise Http404(_("There is no such work order, or you may not see it."))
    return Status(200, _order_out(order, request.user))
