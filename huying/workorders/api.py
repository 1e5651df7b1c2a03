"""Work-order endpoints under /api/v1/workorders: the 12345 hotline push, the list and
detail for staff, and the public "track my report" lookup."""

import base64
import binascii
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from huying.accounts.models import mask_mobile
from huying.core.api_errors import ErrorOut
from huying.workorders import actions
from huying.workorders.choices import Channel
from huying.workorders.duplicates import find_duplicates, outcome_order
from huying.workorders.models import WorkOrder, dispatcher_districts
from huying.workorders.suggest import suggest_category

router = Router(tags=["workorders"])


class AttachmentIn(Schema):
    filename: str = Field(max_length=200)
    content_base64: str = Field(description="The file's bytes, base64-encoded (JPEG, PNG, WebP or PDF, ≤ 10 MB).")


class IntakeIn(Schema):
    external_id: str = Field(description="The hotline's own order id: the idempotency key.")
    content: str = ""
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


class DuplicateBriefOut(Schema):
    number: str
    score: float = Field(description="0–1; definition in docs/workorders.md “Duplicates”.")


class IntakeOut(OrderOut):
    created: bool
    suggestions: list[SuggestionOut]
    duplicates: list[DuplicateBriefOut] = Field(description="Likely duplicates of the order, best first.")


def _order_out(order: WorkOrder, viewer: Any, districts: list[int] | None = None) -> dict[str, Any]:
    may_see_phone = getattr(viewer, "is_authenticated", False) and (
        viewer.is_administrator
        or order.district_id in (districts if districts is not None else dispatcher_districts(viewer))
    )
    return {
        "number": order.number,
        "status": order.status,
        "status_display": order.get_status_display(),
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
    }


def _decode_attachments(payload: IntakeIn) -> list[actions.UploadedAttachment]:
    files = []
    for item in payload.attachments:
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
    order = WorkOrder.objects.with_related().get(pk=result.order.pk)
    body = _order_out(order, request.user)
    body["created"] = result.created
    body["suggestions"] = [
        {"code": c.code, "name": c.name, "confidence": confidence}
        for c, confidence in (suggest_category(order.content) if order.category_id is None else [])
    ]
    body["duplicates"] = [{"number": d.order.number, "score": d.score} for d in find_duplicates(order, limit=5)]
    return Status(201 if result.created else 200, body)


class _OrderPagination(PageNumberPagination):
    """Page first, then turn the page into output rows (phones masked per viewer)."""

    page_size = 50

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        result = super().paginate_queryset(queryset, pagination, request, **params)
        viewer = request.user
        districts = dispatcher_districts(viewer)  # type: ignore[arg-type]
        result[self.items_attribute] = [_order_out(o, viewer, districts) for o in result[self.items_attribute]]
        return result


@router.get("", response=list[OrderOut], summary="Work orders I may see")
@paginate(_OrderPagination)
def list_orders(
    request: HttpRequest,
    status: str = "",
    category: str = "",
    street: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Any:
    """Filters: ``status`` code; ``category`` code (the category and everything below it);
    ``street`` organisation id; ``date_from`` / ``date_to``: creation dates, inclusive."""
    qs = WorkOrder.objects.visible_to(request.user).with_related()  # type: ignore[arg-type]
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category__code__startswith=category)
    if street is not None:
        qs = qs.filter(street_id=street)
    if date_from is not None:
        qs = qs.filter(created_at__date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(created_at__date__lte=date_to)
    return qs.order_by("-created_at", "-id")


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


@router.get(
    "/track",
    auth=None,
    response={200: TrackOut, 404: ErrorOut},
    summary="Track a report by its number and the caller's phone (public)",
)
def track(request: HttpRequest, number: str, phone: str) -> Any:
    """Both must match; otherwise 404 with the same message whatever was wrong, so the
    answer tells nothing about which numbers exist. Returns the status and the public
    steps only: no names, phones or internal notes."""
    phone = phone.strip()
    order = (
        WorkOrder.objects.select_related("category", "parent")
        .filter(number=number.strip(), caller_phone=phone)
        .exclude(caller_phone="")
        .first()
    )
    if order is None:
        raise Http404(_("No report matches this number and phone number."))
    from django.contrib.contenttypes.models import ContentType

    from huying.handling.choices import EventKind
    from huying.handling.models import AssignmentEvent

    public_kinds = (EventKind.ASSIGNED, EventKind.ACCEPTED, EventKind.RESOLVED, EventKind.CLOSED, EventKind.REOPENED)
    # A merged report follows the order it was merged into: that order's status and steps.
    shown = outcome_order(order)
    events = AssignmentEvent.objects.filter(
        case_type=ContentType.objects.get_for_model(WorkOrder), case_id=shown.pk, kind__in=public_kinds
    ).order_by("created_at", "id")
    notes: list[dict[str, Any]] = [{"time": e.created_at, "event": e.get_kind_display()} for e in events]
    if shown.pk != order.pk:
        from huying.audit.models import AuditEntry

        merged = (
            AuditEntry.objects.filter(
                object_type=WorkOrder._meta.label_lower, object_id=str(order.pk), action="workorder.status"
            )
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        notes.append({"time": merged or order.created_at, "event": _("Merged with a report of the same problem")})
        notes.sort(key=lambda note: note["time"])
    return Status(
        200,
        {
            "number": order.number,
            "status": shown.status,
            "status_display": shown.get_status_display(),
            "category_name": order.category.name if order.category else None,
            "created_at": order.created_at,
            "notes": notes,
        },
    )


@router.get("/{number}", response={200: OrderOut, 404: ErrorOut}, summary="One work order")
def get_order(request: HttpRequest, number: str) -> Any:
    order = WorkOrder.objects.visible_to(request.user).with_related().filter(number=number).first()  # type: ignore[arg-type]
    if order is None:
        raise Http404(_("There is no such work order, or you may not see it."))
    return Status(200, _order_out(order, request.user))
