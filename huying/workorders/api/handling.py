"""Dispatch and handling endpoints under /api/v1/workorders: the command centre's steps on
an order (dispatch, feedback call, reopen, close, cancel, merge, duplicates, timeline), the
units' inbox and steps on an assignment (accept, return, extension, progress, resolve with
photos, call up), supervision (urge, reassign, extension decisions).

Mounted before the app's main router (``huying/api.py``) so that ``/workorders/assignments``
is not taken for an order number. Thin: reads through ``visible_to`` (404 for what the
caller may not see), writes through :mod:`huying.workorders.actions`, whose
``PermissionDenied`` / ``ValidationError`` become 403 / 422 in the one error format.

Conventions (docs/workorders.md "API"): every write that changes a row takes the
``version`` the client last read (the order's for order steps, the assignment's for
assignment steps and extension decisions); a stale one is **422** with
``errors.version``, like every stale update of this API. An illegal move (wrong status)
is 422 naming the problem (``errors.status`` for the order, ``errors.__all__`` for an
assignment); missing or bad fields are 422 with the field named.
"""

import base64
import binascii
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

import huying.workorders.converters  # noqa: F401 - registers the {order:…} path converter
from huying.core.api_errors import ErrorOut
from huying.core.api_types import Id, Limit, PageNumberPagination, Version
from huying.handling import steps
from huying.handling.access import allowed_actions
from huying.handling.api.assignments import (
    ExtensionIn,
    ExtensionRequestOut,
    ProgressIn,
    StepNoteIn,
    StepReasonIn,
    UnitReasonIn,
    UrgeIn,
    aware,
    extension_out,
)
from huying.handling.choices import OPEN_STATUSES, AssignmentRole, FeedbackChannel
from huying.handling.models import Assignment, ExtensionRequest, Feedback
from huying.handling.supervision import deadline_state
from huying.organisations.models import Organisation
from huying.workorders import actions, analysis
from huying.workorders.converters import OrderNumber
from huying.workorders.history import order_timeline
from huying.workorders.models import Category, WorkOrder
from huying.workorders.views.console import UNIT_KINDS

router = Router(tags=["workorders"])

WRITE = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


# --- schemas ------------------------------------------------------------------------------
class OrderStateOut(Schema):
    number: str
    status: str
    status_display: str
    version: int = Field(description="Send it back with the next step on this order.")
    parent: str | None = Field(description="For a merged order: the number of the order it follows.")


class OrderAssignmentOut(Schema):
    id: int
    order: str = Field(description="The work order's number.")
    unit_id: int
    unit: str
    owner: str = Field(description="The supervising command centre.")
    role: str
    role_display: str
    tier: int
    status: str
    status_display: str
    deadline_state: str = Field(description="ok, yellow (due soon) or red (overdue), from the stored deadlines.")
    assigned_at: datetime
    accept_due: datetime | None
    respond_due: datetime | None
    resolve_due: datetime | None
    accepted_at: datetime | None
    resolved_at: datetime | None
    extension_count: int
    reopen_count: int
    supervision_level: int
    version: int = Field(description="Send it back with the next step on this assignment.")


class AssignmentDetailOut(OrderAssignmentOut):
    actions: list[str] = Field(
        description="The moves you may make on this assignment now: the status allows them and you act for "
        "the assigned unit (handler moves) or the supervising office (supervisor moves)."
    )
    pending_extension: int | None = Field(description="Id of the extension request waiting for a decision.")


class DispatchIn(Schema):
    unit: Id = Field(description="Organisation id of the lead (or sole) unit, inside the order's district.")
    category: str = Field("", description="Category code; empty keeps the order's.")
    role: str = Field(AssignmentRole.LEAD, description="lead (with co-handling units) or single.")
    co_units: list[Id] = Field(default_factory=list, description="Organisation ids of co-handling units.")
    note: str = Field("", description="Instructions to the units.")
    version: Version | None = None


class DispatchOut(Schema):
    order: OrderStateOut
    assignments: list[OrderAssignmentOut]


class PhotoIn(Schema):
    filename: str = Field(max_length=200)
    content_base64: str = Field(description="The file's bytes, base64-encoded (JPEG, PNG, WebP or PDF, ≤ 10 MB).")


class ResolveIn(Schema):
    result: str = ""
    photos: list[PhotoIn] = Field(default_factory=list, description="Evidence, at most 9 files.")
    version: Version | None = None


class ApproveIn(Schema):
    until: datetime | None = Field(None, description="The deadline granted; empty grants the one requested.")
    note: str = ""
    version: Version | None = Field(None, description="The assignment's version.")


class FeedbackIn(Schema):
    rating: str = Field(description="satisfied, basically_satisfied or dissatisfied.")
    solved: bool | None = None
    attributable_to_unit: bool = Field(
        False, description="Dissatisfied for the unit's reasons: the order is reopened (重办)."
    )
    comment: str = ""
    channel: str = Field(FeedbackChannel.PHONE, description="phone, sms, web, in_person or form.")
    rater_name: str = ""
    reopen_due: datetime | None = Field(None, description="New deadline when reopened; empty: the rule's.")
    version: Version | None = None


class FeedbackOut(Schema):
    id: int
    rating: str
    solved: bool | None
    attributable_to_unit: bool
    comment: str
    created_at: datetime
    order: OrderStateOut


class ReopenIn(Schema):
    reason: str = ""
    due: datetime | None = None
    version: Version | None = None


class OrderMergeIn(Schema):
    children: list[str] = Field(description="Numbers of the duplicate orders to merge into this one.")
    reason: str = ""
    version: Version | None = Field(None, description="This (parent) order's version.")


class MergeOut(Schema):
    parent: OrderStateOut
    children: list[OrderStateOut]


class DuplicateOut(Schema):
    number: str
    score: float
    text_similarity: float
    distance_m: float | None
    reasons: list[str]
    status: str
    status_display: str
    created_at: datetime


class TimelineOut(Schema):
    at: datetime
    kind: str
    title: str
    who: str
    unit: str
    note: str


# --- helpers ------------------------------------------------------------------------------
def _order_type() -> ContentType:
    return ContentType.objects.get_for_model(WorkOrder)


def _order_state(order: WorkOrder) -> dict[str, Any]:
    parent = order.parent.number if order.parent_id and order.parent is not None else None
    return {
        "number": order.number,
        "status": order.status,
        "status_display": order.get_status_display(),
        "version": order.version,
        "parent": parent,
    }


def _assignment_out(a: Assignment, number: str, now: datetime | None = None) -> dict[str, Any]:
    return {
        "id": a.pk,
        "order": number,
        "unit_id": a.unit_id,
        "unit": a.unit.name,
        "owner": a.owner.name,
        "role": a.role,
        "role_display": a.get_role_display(),
        "tier": a.tier,
        "status": a.status,
        "status_display": a.get_status_display(),
        "deadline_state": deadline_state(a, now).level,
        "assigned_at": a.assigned_at,
        "accept_due": a.accept_due,
        "respond_due": a.respond_due,
        "resolve_due": a.resolve_due,
        "accepted_at": a.accepted_at,
        "resolved_at": a.resolved_at,
        "extension_count": a.extension_count,
        "reopen_count": a.reopen_count,
        "supervision_level": a.supervision_level,
        "version": a.version,
    }


def _order(request: HttpRequest, number: OrderNumber) -> WorkOrder:
    order = (
        WorkOrder.objects.visible_to(request.user)  # type: ignore[arg-type]
        .with_related()
        .select_related("parent")
        .filter(number=number)
        .first()
    )
    if order is None:
        raise Http404(_("There is no such work order, or you may not see it."))
    return order


def _assignment(request: HttpRequest, pk: int) -> Assignment:
    assignment = (
        Assignment.objects.visible_to(request.user)  # type: ignore[arg-type]
        .filter(case_type=_order_type(), pk=pk)
        .select_related("unit", "owner")
        .first()
    )
    if assignment is None:
        raise Http404(_("There is no such assignment, or you may not see it."))
    return assignment


def _number(assignment: Assignment) -> str:
    return WorkOrder.objects.values_list("number", flat=True).get(pk=assignment.case_id)


def _assignment_detail(request: HttpRequest, assignment: Assignment) -> dict[str, Any]:
    assignment.refresh_from_db()
    pending = assignment.extension_requests.filter(status="pending").values_list("pk", flat=True).first()
    return {
        **_assignment_out(assignment, _number(assignment)),
        "actions": allowed_actions(request.user, assignment),
        "pending_extension": pending,
    }


def _district_unit(order: WorkOrder, pk: int, field: str) -> Organisation:
    unit = Organisation.objects.filter(
        pk=pk, path__startswith=order.district.path, kind__in=UNIT_KINDS, is_active=True
    ).first()
    if unit is None:
        raise ValidationError({field: _("Choose an active unit of the order's district.")})
    return unit


def _photos(items: list[PhotoIn]) -> list[actions.UploadedAttachment]:
    files = []
    for item in items:
        try:
            raw = base64.b64decode(item.content_base64, validate=True)
        except (binascii.Error, ValueError) as error:
            raise ValidationError({"photos": _("%(name)s is not valid base64.") % {"name": item.filename}}) from error
        files.append(actions.UploadedAttachment(name=item.filename, file=ContentFile(raw, name=item.filename)))
    return files


def _extension(request: HttpRequest, pk: int) -> ExtensionRequest:
    visible = Assignment.objects.visible_to(request.user).filter(case_type=_order_type())  # type: ignore[arg-type]
    extension = (
        ExtensionRequest.objects.filter(pk=pk, assignment__in=visible)
        .select_related("assignment__unit", "assignment__owner")
        .first()
    )
    if extension is None:
        raise Http404(_("There is no such extension request, or you may not see it."))
    return extension


# --- the units' inbox and steps ---------------------------------------------------------
class _AssignmentPagination(PageNumberPagination):
    """Page first, then one query for the page's order numbers: 3 queries per page."""

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        result = super().paginate_queryset(queryset, pagination, request, **params)
        rows = list(result[self.items_attribute])
        numbers = dict(WorkOrder.objects.filter(pk__in=[a.case_id for a in rows]).values_list("pk", "number"))
        now = timezone.now()
        result[self.items_attribute] = [_assignment_out(a, numbers.get(a.case_id, ""), now) for a in rows]
        return result


@router.get(
    "/assignments",
    response=list[OrderAssignmentOut],
    summary="Work-order assignments I may see (unit inbox)",
    description="Deprecated: use GET /api/v1/assignments?workflow=workorder.",
    deprecated=True,
)
@paginate(_AssignmentPagination, page_size=50)
def list_assignments(
    request: HttpRequest, show: str = "open", unit: Id | None = None, state: str = "", order: str = ""
) -> Any:
    """``show``: ``open`` (default: assigned, accepted, responded, reopened) or ``all``;
    ``unit``: an organisation id; ``state``: ``red`` (overdue) or ``yellow`` (due soon);
    ``order``: a work-order number — that order's assignments (with ``show=all``, every one
    it ever had). Units see their own assignments (a government's staff and leaders also
    those of the units below, read only), the command centre its district's; never a unit
    above's."""
    qs = (
        Assignment.objects.visible_to(request.user)  # type: ignore[arg-type]
        .filter(case_type=_order_type())
        .select_related("unit", "owner")
    )
    if order:
        qs = qs.filter(case_id__in=WorkOrder.objects.filter(number=order).values("pk"))
    if show != "all":
        qs = qs.filter(status__in=OPEN_STATUSES)
    if unit is not None:
        qs = qs.filter(unit_id=unit)
    now = timezone.now()
    if state == "red":
        qs = qs.overdue(now)
    elif state == "yellow":
        qs = qs.due_soon(now)
    return qs.order_by("-assigned_at", "-id")


@router.get(
    "/assignments/{int:pk}",
    response={200: AssignmentDetailOut, 404: ErrorOut},
    summary="One assignment",
    description="Deprecated: use GET /api/v1/assignments/{id}.",
    deprecated=True,
)
def get_assignment(request: HttpRequest, pk: Id) -> Any:
    return Status(200, _assignment_detail(request, _assignment(request, pk)))


# Deprecated aliases of /api/v1/assignments (docs/api.md): the same steps through the same
# function (huying.handling.steps.perform) with the same request schemas; they answer the
# work-order shape of the assignment (with the order's number) as before.
DEPRECATED = "Deprecated: use the same step under /api/v1/assignments."


@router.post(
    "/assignments/{int:pk}/accept",
    response={200: AssignmentDetailOut, **WRITE},
    summary="Accept (签收)",
    description=DEPRECATED,
    deprecated=True,
)
def accept(request: HttpRequest, pk: Id, payload: StepNoteIn) -> Any:
    assignment = _assignment(request, pk)
    steps.perform(request.user, assignment, "accept", note=payload.note, version=payload.version)
    return Status(200, _assignment_detail(request, assignment))


@router.post(
    "/assignments/{int:pk}/return",
    response={200: AssignmentDetailOut, **WRITE},
    summary="Return (退单), with a reason",
    description=DEPRECATED,
    deprecated=True,
)
def return_assignment(request: HttpRequest, pk: Id, payload: StepReasonIn) -> Any:
    assignment = _assignment(request, pk)
    steps.perform(request.user, assignment, "return", reason=payload.reason, version=payload.version)
    return Status(200, _assignment_detail(request, assignment))


@router.post(
    "/assignments/{int:pk}/extension",
    response={201: ExtensionRequestOut, **WRITE},
    summary="Ask for more time (延期申请)",
    description=DEPRECATED,
    deprecated=True,
)
def request_extension(request: HttpRequest, pk: Id, payload: ExtensionIn) -> Any:
    assignment = _assignment(request, pk)
    extension = steps.perform(
        request.user,
        assignment,
        "extension",
        until=aware(payload.until),
        reason=payload.reason,
        version=payload.version,
    )
    return Status(201, extension_out(extension))


@router.post(
    "/assignments/{int:pk}/progress",
    response={200: AssignmentDetailOut, **WRITE},
    summary="Add a progress note (进展)",
    description=DEPRECATED,
    deprecated=True,
)
def progress(request: HttpRequest, pk: Id, payload: ProgressIn) -> Any:
    assignment = _assignment(request, pk)
    steps.perform(request.user, assignment, "progress", note=payload.note)
    return Status(200, _assignment_detail(request, assignment))


@router.post(
    "/assignments/{int:pk}/resolve",
    response={200: AssignmentDetailOut, **WRITE},
    summary="Resolve (办结) with the result and evidence photos",
)
def resolve(request: HttpRequest, pk: Id, payload: ResolveIn) -> Any:
    assignment = _assignment(request, pk)
    files = _photos(payload.photos)
    actions.do_resolve(request.user, assignment, result=payload.result, files=files, version=payload.version)
    return Status(200, _assignment_detail(request, assignment))


@router.post(
    "/assignments/{int:pk}/escalate",
    response={201: AssignmentDetailOut, **WRITE},
    summary="Call up (上呼) a unit at the next tier",
    description=DEPRECATED,
    deprecated=True,
)
def escalate(request: HttpRequest, pk: Id, payload: UnitReasonIn) -> Any:
    assignment = _assignment(request, pk)
    new = steps.perform(
        request.user, assignment, "escalate", to_unit=payload.to_unit, reason=payload.reason, version=payload.version
    )
    return Status(201, _assignment_detail(request, new))


# --- supervision ---------------------------------------------------------------------------
@router.post(
    "/assignments/{int:pk}/urge",
    response={200: AssignmentDetailOut, **WRITE},
    summary="Send an urging notice (督办)",
    description=DEPRECATED,
    deprecated=True,
)
def urge(request: HttpRequest, pk: Id, payload: UrgeIn) -> Any:
    assignment = _assignment(request, pk)
    steps.perform(request.user, assignment, "urge", text=payload.text)
    return Status(200, _assignment_detail(request, assignment))


@router.post(
    "/assignments/{int:pk}/reassign",
    response={201: AssignmentDetailOut, **WRITE},
    summary="Reassign (改派) to another unit (command centre)",
    description=DEPRECATED,
    deprecated=True,
)
def reassign(request: HttpRequest, pk: Id, payload: UnitReasonIn) -> Any:
    assignment = _assignment(request, pk)
    new = steps.perform(
        request.user, assignment, "reassign", to_unit=payload.to_unit, reason=payload.reason, version=payload.version
    )
    return Status(201, _assignment_detail(request, new))


@router.post(
    "/extension-requests/{int:pk}/approve",
    response={200: ExtensionRequestOut, **WRITE},
    summary="Approve an extension (延期审批)",
    description="Deprecated: use POST /api/v1/assignments/extension-requests/{id}/decide.",
    deprecated=True,
)
def approve_extension(request: HttpRequest, pk: Id, payload: ApproveIn) -> Any:
    extension = _extension(request, pk)
    decided = steps.perform(
        request.user,
        extension.assignment,
        "decide_extension",
        extension=extension,
        approve=True,
        until=aware(payload.until),
        reason=payload.note,
        version=payload.version,
    )
    return Status(200, extension_out(decided))


@router.post(
    "/extension-requests/{int:pk}/refuse",
    response={200: ExtensionRequestOut, **WRITE},
    summary="Refuse an extension (延期审批), with a reason",
    description="Deprecated: use POST /api/v1/assignments/extension-requests/{id}/decide.",
    deprecated=True,
)
def refuse_extension(request: HttpRequest, pk: Id, payload: StepReasonIn) -> Any:
    extension = _extension(request, pk)
    decided = steps.perform(
        request.user,
        extension.assignment,
        "decide_extension",
        extension=extension,
        approve=False,
        reason=payload.reason,
        version=payload.version,
    )
    return Status(200, extension_out(decided))


# --- the command centre's steps on an order -----------------------------------------------
@router.post("/{order:number}/dispatch", response={201: DispatchOut, **WRITE}, summary="Dispatch (派单) to units")
def dispatch(request: HttpRequest, number: OrderNumber, payload: DispatchIn) -> Any:
    order = _order(request, number)
    actions.authorise_office(request.user, order)  # who may, before what is wrong with the fields
    unit = _district_unit(order, payload.unit, "unit")
    co_units = [_district_unit(order, pk, "co_units") for pk in payload.co_units]
    category = None
    if payload.category:
        category = Category.objects.active().filter(code=payload.category).first()
        if category is None:
            raise ValidationError(
                {"category": _("There is no active category with the code “%(code)s”.") % {"code": payload.category}}
            )
    made = actions.do_dispatch(
        request.user,
        order,
        unit,
        category=category,
        role=payload.role,
        co_units=co_units,
        note=payload.note,
        version=payload.version,
    )
    return Status(201, {"order": _order_state(order), "assignments": [_assignment_out(a, order.number) for a in made]})


@router.post("/{order:number}/feedback", response={201: FeedbackOut, **WRITE}, summary="Record a feedback call (回访)")
def feedback(request: HttpRequest, number: OrderNumber, payload: FeedbackIn) -> Any:
    order = _order(request, number)
    recorded: Feedback = actions.do_record_feedback(
        request.user,
        order,
        rating=payload.rating,
        solved=payload.solved,
        attributable_to_unit=payload.attributable_to_unit,
        comment=payload.comment,
        channel=payload.channel,
        rater_name=payload.rater_name,
        reopen_due=aware(payload.reopen_due),
        version=payload.version,
    )
    return Status(
        201,
        {
            "id": recorded.pk,
            "rating": recorded.rating,
            "solved": recorded.solved,
            "attributable_to_unit": recorded.attributable_to_unit,
            "comment": recorded.comment,
            "created_at": recorded.created_at,
            "order": _order_state(order),
        },
    )


@router.post("/{order:number}/reopen", response={200: OrderStateOut, **WRITE}, summary="Reopen (重办) a resolved order")
def reopen(request: HttpRequest, number: OrderNumber, payload: ReopenIn) -> Any:
    order = _order(request, number)
    actions.do_reopen(request.user, order, reason=payload.reason, due=aware(payload.due), version=payload.version)
    return Status(200, _order_state(order))


@router.post("/{order:number}/close", response={200: OrderStateOut, **WRITE}, summary="Close (结案) a resolved order")
def close(request: HttpRequest, number: OrderNumber, payload: StepNoteIn) -> Any:
    order = _order(request, number)
    actions.do_close(request.user, order, note=payload.note, version=payload.version)
    return Status(200, _order_state(order))


@router.post(
    "/{order:number}/cancel", response={200: OrderStateOut, **WRITE}, summary="Cancel (撤销) a new or dispatched order"
)
def cancel(request: HttpRequest, number: OrderNumber, payload: StepReasonIn) -> Any:
    order = _order(request, number)
    actions.do_cancel(request.user, order, reason=payload.reason, version=payload.version)
    return Status(200, _order_state(order))


@router.post(
    "/{order:number}/merge", response={200: MergeOut, **WRITE}, summary="Merge duplicates into this order (并单)"
)
def merge(request: HttpRequest, number: OrderNumber, payload: OrderMergeIn) -> Any:
    parent = _order(request, number)
    visible = WorkOrder.objects.visible_to(request.user)  # type: ignore[arg-type]
    found = {o.number: o for o in visible.filter(number__in=payload.children)}
    missing = [n for n in payload.children if n not in found]
    if missing:
        raise ValidationError(
            {"children": _("There is no work order %(number)s you may see.") % {"number": "、".join(missing)}}
        )
    children = actions.do_merge(
        request.user, parent, [found[n] for n in payload.children], reason=payload.reason, version=payload.version
    )
    for child in children:
        child.parent = parent
    return Status(200, {"parent": _order_state(parent), "children": [_order_state(c) for c in children]})


@router.get(
    "/{order:number}/duplicates",
    response={200: list[DuplicateOut], 403: ErrorOut, 404: ErrorOut},
    summary="Likely duplicates of an order, ranked (command centre)",
)
def duplicates(request: HttpRequest, number: OrderNumber, limit: Limit = 10) -> Any:
    """Scores and reasons as defined in docs/workorders.md "Duplicates". Only the order's
    command centre (and leaders above it, administrators) may list them."""
    order = _order(request, number)
    actions.authorise_office(request.user, order)
    return Status(
        200,
        [
            {
                "number": d.order.number,
                "score": d.score,
                "text_similarity": d.text,
                "distance_m": round(d.distance_m, 1) if d.distance_m is not None else None,
                "reasons": d.reasons,
                "status": d.order.status,
                "status_display": d.order.get_status_display(),
                "created_at": d.order.created_at,
            }
            for d in analysis.duplicates_of(order, limit=max(1, min(limit, 50)))
        ],
    )


@router.get("/{order:number}/timeline", response={200: list[TimelineOut], 404: ErrorOut}, summary="The order's history")
def timeline(request: HttpRequest, number: OrderNumber) -> Any:
    """Every step: the engine's events of its assignments and the order's own entries."""
    order = _order(request, number)
    return Status(
        200, [{**item, "who": item["who"] or "", "note": str(item["note"])} for item in order_timeline(order)]
    )
