"""The assignments of every workflow under /api/v1/assignments: one list, one detail and the
generic steps (accept, return, object, ask for more time and the decision on it, progress,
call up, urge, reassign, withdraw, overrule an objection), each made through the engine's
move (:mod:`huying.handling.steps`). The case is described by its workflow's card
(``case``: number, title, the case's own status, the page for you).

Workflow-specific steps stay with their workflow: a work order is resolved with evidence
through ``/api/v1/workorders/assignments/{id}/resolve``, a proposal is answered through
``/api/v1/proposals/assignments/{id}/reply``. A step the assignment's workflow takes there
answers 422 here.

Answers: an assignment you may not see is **404** (no hint that it exists); one you see but
may not act on is **403**; a missing or bad field, an illegal move for the status and a stale
``version`` are **422** naming the field (``errors.version`` for a stale one,
``errors.__all__`` for an illegal move) — the API's one convention.
"""

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from huying.core.api_errors import ErrorOut
from huying.core.api_types import Id, PageNumberPagination, Version
from huying.handling import inbox, steps
from huying.handling.choices import ExtensionStatus
from huying.handling.choices import Status as AssignmentStatus
from huying.handling.models import Assignment, ExtensionRequest
from huying.handling.policy import policy_for

router = Router(tags=["assignments"])

WRITE = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


# --- schemas ------------------------------------------------------------------------------
class CaseCardOut(Schema):
    number: str = Field(description="The case's own number (a work order's number, a proposal's filing number).")
    title: str
    status: str = Field(description="The case's own status, in words.")
    url: str | None = Field(description="The case's page for you (path), or null when there is none.")


class ExtensionRequestOut(Schema):
    id: int
    assignment: int = Field(description="The assignment's id.")
    status: ExtensionStatus
    requested_at: datetime
    previous_due: datetime
    requested_due: datetime
    granted_due: datetime | None
    reason: str
    decided_at: datetime | None
    decision_note: str


class AssignmentOut(Schema):
    id: int
    workflow: str = Field(description="workorder, proposal…")
    workflow_display: str
    case_type: str = Field(description="The case model as app_label.model, e.g. workorders.workorder.")
    case_id: int
    case: CaseCardOut
    unit_id: int
    unit: str
    owner_id: int
    owner: str = Field(description="The supervising office (command centre, proposals committee…).")
    role: str
    role_display: str
    tier: int
    status: AssignmentStatus
    status_display: str
    warning: str = Field(description="ok, yellow (due soon) or red (overdue), from the stored deadlines.")
    warning_stage: str | None = Field(description="The stage the warning is about: accept, respond or resolve.")
    assigned_at: datetime
    accept_due: datetime | None
    respond_due: datetime | None
    resolve_due: datetime | None
    objection_due: datetime | None
    accepted_at: datetime | None
    responded_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    extension_count: int
    reopen_count: int
    supervision_level: int
    version: int = Field(description="Send it back as `version` with the next step that writes.")
    page_url: str | None = Field(description="The workflow's page of this assignment (its own steps), if any.")


class AssignmentDetailsOut(AssignmentOut):
    allowed_actions: list[str] = Field(
        description="The steps of this API you may take now: the workflow offers them here, the status allows "
        "them and you act for the assigned unit (accept, return, object, extension, progress, escalate) or the "
        "supervising office (urge, reassign, cancel, decide_extension, overrule)."
    )
    extension_requests: list[ExtensionRequestOut]


class AssignmentFilters(Schema):
    workflow: str = Field("", max_length=30, description="workorder, proposal…")
    case_type: str = Field("", max_length=100, description="The case model as app_label.model (with case_id).")
    case_id: Id | None = None
    unit: Id | None = Field(None, description="The assigned unit (organisation id).")
    status: list[AssignmentStatus] = Field(
        default_factory=list, description="Repeat for several; empty: every status (see `open`)."
    )
    open: bool = Field(False, description="Only open assignments (when no status is given).")
    due_before: datetime | None = Field(None, description="Resolve deadline before this time.")
    due_after: datetime | None = Field(None, description="Resolve deadline at or after this time.")
    overdue: bool | None = Field(None, description="true: past a running stage's deadline; false: not overdue.")
    order: str = Field("newest", pattern="^(newest|due)$", description="newest (assigned last first) or due.")


class StepNoteIn(Schema):
    note: str = Field("", max_length=2000)
    version: Version | None = Field(None, description="The version you last read; a stale one is refused.")


class StepReasonIn(Schema):
    reason: str = Field("", max_length=2000)
    version: Version | None = Field(None, description="The version you last read; a stale one is refused.")


class ProgressIn(Schema):
    note: str = Field("", max_length=2000)


class UrgeIn(Schema):
    text: str = Field("", max_length=2000, description="The urging notice (督办).")


class ExtensionIn(Schema):
    until: datetime = Field(description="The deadline asked for (ISO 8601; Asia/Shanghai when naive).")
    reason: str = Field("", max_length=2000)
    version: Version | None = None


class UnitReasonIn(Schema):
    to_unit: Id = Field(description="Organisation id of the unit (inside the case's area for a work order).")
    reason: str = Field("", max_length=2000)
    version: Version | None = None


class ExtensionDecisionIn(Schema):
    approve: bool
    until: datetime | None = Field(None, description="Granted deadline; empty: the one requested.")
    reason: str = Field("", max_length=2000, description="Required when refusing; a note when approving.")
    version: Version | None = Field(None, description="The assignment's version.")


# --- helpers ------------------------------------------------------------------------------
def aware(value: datetime | None) -> datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def visible_assignment(request: HttpRequest, pk: int, workflow: str = "") -> Assignment:
    """The assignment ``pk`` if the caller may see it (``visible_to``), else 404."""
    qs = Assignment.objects.visible_to(request.user).select_related("unit", "owner", "case_type")  # type: ignore[arg-type]
    if workflow:
        qs = qs.filter(workflow=workflow)
    assignment = qs.filter(pk=pk).first()
    if assignment is None:
        raise Http404(_("There is no such assignment, or you may not see it."))
    return assignment


def visible_extension(request: HttpRequest, pk: int, workflow: str = "") -> ExtensionRequest:
    visible = Assignment.objects.visible_to(request.user)  # type: ignore[arg-type]
    if workflow:
        visible = visible.filter(workflow=workflow)
    extension = (
        ExtensionRequest.objects.filter(pk=pk, assignment__in=visible)
        .select_related("assignment__unit", "assignment__owner", "assignment__case_type")
        .first()
    )
    if extension is None:
        raise Http404(_("There is no such extension request, or you may not see it."))
    return extension


def extension_out(e: ExtensionRequest) -> dict[str, Any]:
    return {
        "id": e.pk,
        "assignment": e.assignment_id,
        "status": e.status,
        "requested_at": e.requested_at,
        "previous_due": e.previous_due,
        "requested_due": e.requested_due,
        "granted_due": e.granted_due,
        "reason": e.reason,
        "decided_at": e.decided_at,
        "decision_note": e.decision_note,
    }


def _out(row: inbox.Row) -> dict[str, Any]:
    a = row.assignment
    card = row.card
    return {
        "id": a.pk,
        "workflow": a.workflow,
        "workflow_display": str(policy_for(a.workflow).label or a.workflow),
        "case_type": f"{a.case_type.app_label}.{a.case_type.model}",
        "case_id": a.case_id,
        "case": {"number": card.number, "title": card.title, "status": card.status, "url": card.url},
        "unit_id": a.unit_id,
        "unit": a.unit.name,
        "owner_id": a.owner_id,
        "owner": a.owner.name,
        "role": a.role,
        "role_display": str(a.get_role_display()),
        "tier": a.tier,
        "status": a.status,
        "status_display": str(a.get_status_display()),
        "warning": str(row.state.level),
        "warning_stage": str(row.state.stage) if row.state.stage else None,
        "assigned_at": a.assigned_at,
        "accept_due": a.accept_due,
        "respond_due": a.respond_due,
        "resolve_due": a.resolve_due,
        "objection_due": a.objection_due,
        "accepted_at": a.accepted_at,
        "responded_at": a.responded_at,
        "resolved_at": a.resolved_at,
        "closed_at": a.closed_at,
        "extension_count": a.extension_count,
        "reopen_count": a.reopen_count,
        "supervision_level": a.supervision_level,
        "version": a.version,
        "page_url": row.page_url,
    }


def assignment_details(request: HttpRequest, pk: int) -> dict[str, Any]:
    """The assignment as the caller reads it now (after a move: its new state)."""
    assignment = visible_assignment(request, pk)
    extensions = list(assignment.extension_requests.all())
    pending = any(e.status == ExtensionStatus.PENDING for e in extensions)
    row = inbox.rows_for(request.user, [assignment])[0]
    return {
        **_out(row),
        "allowed_actions": steps.allowed_steps(request.user, assignment, has_pending=pending),
        "extension_requests": [extension_out(e) for e in extensions],
    }


class _CardPagination(PageNumberPagination):
    """Page first, then the cards of the page's cases (one or two queries a workflow)."""

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        result = super().paginate_queryset(queryset, pagination, request, **params)
        result[self.items_attribute] = [
            _out(row) for row in inbox.rows_for(request.user, list(result[self.items_attribute]))
        ]
        return result


def _step(request: HttpRequest, pk: int, step: str, **fields: Any) -> Any:
    assignment = visible_assignment(request, pk)
    return steps.perform(request.user, assignment, step, **fields)


# --- reads --------------------------------------------------------------------------------
@router.get("", response=list[AssignmentOut], summary="Assignments I may see, of every workflow (待办)")
@paginate(_CardPagination, page_size=inbox.PAGE_SIZE)
def list_assignments(request: HttpRequest, filters: Query[AssignmentFilters]) -> Any:
    """The assignments of your units (a government's staff and leaders also those of the
    units below, read only) and those supervised by your office; never a unit above's.
    Each carries ``case``, the case's card, and ``page_url``, the workflow's page for its
    own steps."""
    case_type = None
    if filters.case_type:
        case_type = inbox.case_type_of(filters.case_type)
        if case_type is None:
            return Assignment.objects.none()
    return inbox.assignments_for(
        request.user,
        workflow=filters.workflow,
        case_type=case_type,
        case_id=filters.case_id,
        unit=filters.unit,
        statuses=[str(s) for s in filters.status],
        open_only=filters.open,
        due_before=aware(filters.due_before),
        due_after=aware(filters.due_after),
        overdue=filters.overdue,
        order=filters.order,
    )


@router.get("/{int:pk}", response={200: AssignmentDetailsOut, 404: ErrorOut}, summary="One assignment")
def get_assignment(request: HttpRequest, pk: Id) -> Any:
    return Status(200, assignment_details(request, pk))


# --- the unit's steps ---------------------------------------------------------------------
@router.post("/{int:pk}/accept", response={200: AssignmentDetailsOut, **WRITE}, summary="Accept (签收)")
def accept(request: HttpRequest, pk: Id, payload: StepNoteIn) -> Any:
    _step(request, pk, "accept", note=payload.note, version=payload.version)
    return Status(200, assignment_details(request, pk))


@router.post("/{int:pk}/return", response={200: AssignmentDetailsOut, **WRITE}, summary="Return (退回), with a reason")
def return_assignment(request: HttpRequest, pk: Id, payload: StepReasonIn) -> Any:
    _step(request, pk, "return", reason=payload.reason, version=payload.version)
    return Status(200, assignment_details(request, pk))


@router.post("/{int:pk}/object", response={200: AssignmentDetailsOut, **WRITE}, summary="Object (异议), with a reason")
def object_assignment(request: HttpRequest, pk: Id, payload: StepReasonIn) -> Any:
    _step(request, pk, "object", reason=payload.reason, version=payload.version)
    return Status(200, assignment_details(request, pk))


@router.post(
    "/{int:pk}/extension", response={201: ExtensionRequestOut, **WRITE}, summary="Ask for more time (延期申请)"
)
def request_extension(request: HttpRequest, pk: Id, payload: ExtensionIn) -> Any:
    extension = _step(
        request, pk, "extension", until=aware(payload.until), reason=payload.reason, version=payload.version
    )
    return Status(201, extension_out(extension))


@router.post("/{int:pk}/progress", response={200: AssignmentDetailsOut, **WRITE}, summary="Add a progress note (进展)")
def progress(request: HttpRequest, pk: Id, payload: ProgressIn) -> Any:
    _step(request, pk, "progress", note=payload.note)
    return Status(200, assignment_details(request, pk))


@router.post(
    "/{int:pk}/escalate",
    response={201: AssignmentDetailsOut, **WRITE},
    summary="Call up (上呼) a unit at the next tier; answers the new assignment",
)
def escalate(request: HttpRequest, pk: Id, payload: UnitReasonIn) -> Any:
    new = _step(request, pk, "escalate", to_unit=payload.to_unit, reason=payload.reason, version=payload.version)
    return Status(201, assignment_details(request, new.pk))


# --- supervision --------------------------------------------------------------------------
@router.post("/{int:pk}/urge", response={200: AssignmentDetailsOut, **WRITE}, summary="Send an urging notice (督办)")
def urge(request: HttpRequest, pk: Id, payload: UrgeIn) -> Any:
    _step(request, pk, "urge", text=payload.text)
    return Status(200, assignment_details(request, pk))


@router.post(
    "/{int:pk}/reassign",
    response={201: AssignmentDetailsOut, **WRITE},
    summary="Reassign (改派) to another unit; answers the new assignment",
)
def reassign(request: HttpRequest, pk: Id, payload: UnitReasonIn) -> Any:
    new = _step(request, pk, "reassign", to_unit=payload.to_unit, reason=payload.reason, version=payload.version)
    return Status(201, assignment_details(request, new.pk))


@router.post(
    "/{int:pk}/cancel", response={200: AssignmentDetailsOut, **WRITE}, summary="Withdraw the assignment (撤回)"
)
def cancel(request: HttpRequest, pk: Id, payload: StepReasonIn) -> Any:
    _step(request, pk, "cancel", reason=payload.reason, version=payload.version)
    return Status(200, assignment_details(request, pk))


@router.post(
    "/{int:pk}/overrule", response={200: AssignmentDetailsOut, **WRITE}, summary="Overrule the unit's objection"
)
def overrule(request: HttpRequest, pk: Id, payload: StepReasonIn) -> Any:
    _step(request, pk, "overrule", reason=payload.reason, version=payload.version)
    return Status(200, assignment_details(request, pk))


@router.post(
    "/extension-requests/{int:pk}/decide",
    response={200: ExtensionRequestOut, **WRITE},
    summary="Approve or refuse an extension (延期审批)",
)
def decide_extension(request: HttpRequest, pk: Id, payload: ExtensionDecisionIn) -> Any:
    extension = visible_extension(request, pk)
    decided = steps.perform(
        request.user,
        extension.assignment,
        "decide_extension",
        extension=extension,
        approve=payload.approve,
        until=aware(payload.until),
        reason=payload.reason,
        version=payload.version,
    )
    return Status(200, extension_out(decided))
