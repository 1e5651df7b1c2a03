"""Proposal handling API under /api/v1/proposals: assignment, the units' steps, review,
rating, supervision, publication, and the public zone's published proposals.

Mounted on the proposals router (``huying/proposals/api/__init__.py``). Reads use the same querysets
as the pages (:mod:`huying.proposals.supervision`, :mod:`huying.proposals.public`); writes
call the actions, whose ``ValidationError`` / ``PermissionDenied`` / ``Http404`` become 422 /
403 / 404 in the project's one error format. A proposal or assignment the caller may not see
answers 404, without a hint that it exists; a person who sees it but may not act answers 403.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.core.api_errors import ErrorOut
from huying.core.api_types import Id, PageNumberPagination, Version
from huying.handling import steps
from huying.handling.api.assignments import ExtensionDecisionIn, ExtensionIn, StepNoteIn, StepReasonIn, UrgeIn, aware
from huying.handling.choices import ExtensionStatus, Rating, WarningLevel
from huying.handling.models import Assignment, ExtensionRequest
from huying.handling.supervision import deadline_state
from huying.organisations.models import Organisation
from huying.proposals import actions, public, supervision
from huying.proposals.actions.handling import is_proposer
from huying.proposals.choices import HandlingMode, HandlingStatus, ReplyClass
from huying.proposals.models import HANDLING_WORKFLOW, Proposal, Reply, ReplyRating

router = Router(tags=["proposal handling"])


# --- schemas ------------------------------------------------------------------------------
class ProposalAssignmentOut(Schema):
    id: int
    proposal_id: int = Field(description="The proposal (the engine's case id).")
    unit_id: int
    unit_name: str
    role: str = Field(description="single (单办), separate (分办), lead (主办) or co (会办).")
    role_display: str
    status: str = Field(description="The engine's status: assigned, accepted, responded, resolved, closed, objected…")
    status_display: str
    deadline_state: str = Field(description="ok, yellow (due soon) or red (overdue), derived from the stored times.")
    assigned_at: datetime
    objection_due: datetime | None
    accept_due: datetime | None
    respond_due: datetime | None = Field(description="Contact the proposer by.")
    resolve_due: datetime | None = Field(description="Reply by.")
    accepted_at: datetime | None
    responded_at: datetime | None
    resolved_at: datetime | None
    extension_count: int
    reopen_count: int
    supervision_level: int
    version: int = Field(description="Send it back as `version` with the unit's steps; a stale one is refused.")

    @staticmethod
    def resolve_proposal_id(obj: Assignment) -> int:
        return obj.case_id

    @staticmethod
    def resolve_unit_name(obj: Assignment) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_role_display(obj: Assignment) -> str:
        return str(obj.get_role_display())

    @staticmethod
    def resolve_status_display(obj: Assignment) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_deadline_state(obj: Assignment) -> str:
        return str(deadline_state(obj).level)


class RatingOut(Schema):
    rater_id: int
    rater_name: str
    rating: Rating
    comment: str
    round: int
    created_at: datetime

    @staticmethod
    def resolve_rater_name(obj: ReplyRating) -> str:
        return str(obj.rater)


class ReplyOut(Schema):
    id: int
    proposal_id: int
    assignment_id: int
    unit_id: int
    unit_name: str
    round: int
    reply_class: ReplyClass
    reference_number: str
    contact_person: str
    contact_phone: str
    body: str
    document_url: str | None = Field(description="Download address of the reply document, if any.")
    proposer_contacted: bool
    status: str = Field(description="submitted (awaiting review), accepted or returned (sent back).")
    submitted_at: datetime
    reviewed_at: datetime | None
    review_note: str
    ratings: list[RatingOut]

    @staticmethod
    def resolve_unit_name(obj: Reply) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_document_url(obj: Reply) -> str | None:
        return reverse("proposals:reply_document", args=[obj.pk]) if obj.document else None

    @staticmethod
    def resolve_ratings(obj: Reply) -> list[ReplyRating]:
        return list(obj.ratings.all())


class ProposalExtensionOut(Schema):
    id: int
    assignment_id: int
    requested_due: datetime
    previous_due: datetime
    reason: str
    status: ExtensionStatus
    granted_due: datetime | None


class HandlingOut(Schema):
    proposal_id: int
    handling_status: HandlingStatus
    handling_round: int
    is_key: bool
    key_leader_id: int | None
    key_committee_id: int | None
    publication: str = Field(description="unpublished, published, objected (by a proposer) or restricted (by staff).")
    publication_note: str
    published_at: datetime | None
    assignments: list[ProposalAssignmentOut]
    replies: list[ReplyOut] = Field(description="Accepted replies; staff and units also see those under review.")
    pending_extensions: list[ProposalExtensionOut] = Field(description="Staff only.")


class InboxItemOut(ProposalAssignmentOut):
    proposal_title: str
    proposal_number: str


class BoardItemOut(Schema):
    id: int
    title: str
    formatted_number: str
    submitter_name: str
    handling_status: HandlingStatus
    handling_round: int
    is_key: bool
    deadline_state: str = Field(description="The worst state of the open assignments: ok, yellow or red.")
    reply_pending: bool
    next_due: datetime | None
    assignments: list[ProposalAssignmentOut]


class ToRateOut(ReplyOut):
    proposal_title: str

    @staticmethod
    def resolve_proposal_title(obj: Reply) -> str:
        return obj.proposal.title

    @staticmethod
    def resolve_ratings(obj: Reply) -> list[ReplyRating]:
        return []


class PublicReplyOut(Schema):
    id: int
    unit_name: str
    reply_class: ReplyClass
    reference_number: str
    body: str
    document_url: str | None
    submitted_at: datetime

    @staticmethod
    def resolve_unit_name(obj: Reply) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_document_url(obj: Reply) -> str | None:
        return reverse("proposals:reply_document", args=[obj.pk]) if obj.document else None


class PublicProposalOut(Schema):
    id: int
    title: str
    formatted_number: str
    session_name: str
    category: str
    submitter_name: str
    published_at: datetime | None

    @staticmethod
    def resolve_session_name(obj: Proposal) -> str:
        return obj.session.display_name


class PublicDetailOut(PublicProposalOut):
    summary: str
    situation: str
    analysis: str
    suggestions: str
    proposers: list[str]
    replies: list[PublicReplyOut]

    @staticmethod
    def resolve_proposers(obj: Proposal) -> list[str]:
        return public.proposer_names(obj)

    @staticmethod
    def resolve_replies(obj: Proposal) -> list[Reply]:
        return list(getattr(obj, "public_replies", []))


class AssignIn(Schema):
    mode: HandlingMode = Field(description="single (单办), separate (分办) or lead (主办/会办).")
    unit_ids: list[Id] = Field(description="single: one unit; separate: two or more; lead: the lead unit.")
    co_unit_ids: list[Id] = Field(default_factory=list, description="lead mode: the co-handling units.")
    note: str = Field("", max_length=1000)


class ProposalReasonIn(Schema):
    reason: str = Field(max_length=1000)


class ReassignIn(Schema):
    unit_id: Id
    reason: str = Field(max_length=1000)


class ContactIn(Schema):
    note: str = Field(max_length=1000, description="When and how the unit talked with the proposer.")
    version: Version | None = None


class CoViewIn(Schema):
    view: str = Field(max_length=5000)
    version: Version | None = None


class ReplyIn(Schema):
    # Required as the action requires them (reply_class, reference_number, contact_person,
    # body); the action still checks blank text and answers every missing field at once.
    reply_class: str = Field(description="A (解决或采纳), B (列入计划) or C (留作参考).")
    reference_number: str = Field(max_length=60, description="The reply's reference number (文号).")
    contact_person: str = Field(max_length=40)
    contact_phone: str = Field("", max_length=20)
    body: str = Field(max_length=10000, description="The text of the reply.")
    version: Version | None = None


class ReviewIn(Schema):
    accept: bool
    note: str = Field("", max_length=1000, description="Required when sending the reply back.")
    due: datetime | None = Field(None, description="New deadline when sending back; empty: one month.")


class RateIn(Schema):
    rating: str = Field(description="satisfied, basically_satisfied or dissatisfied.")
    comment: str = Field("", max_length=1000, description="Required when dissatisfied.")


class KeyIn(Schema):
    is_key: bool
    leader_id: Id | None = None
    committee_id: Id | None = None
    note: str = Field("", max_length=1000)


class PublicationNoteIn(Schema):
    note: str = Field("", max_length=1000)


class BoardFilters(Schema):
    state: WarningLevel | None = None
    key: bool = False
    handling: HandlingStatus | None = None
    pending: bool = Field(False, description="Only proposals with a reply awaiting review.")
    unit: Id | None = Field(None, description="Assigned to this organisation or below it.")
    session: Id | None = None
    q: str = Field("", max_length=100, description="Title contains.")


# --- helpers ------------------------------------------------------------------------------
def handling_out(request: HttpRequest, proposal: Proposal) -> dict[str, Any]:
    handling = supervision.handling_of(request.user, proposal)
    return {
        "proposal_id": proposal.pk,
        "handling_status": proposal.handling_status,
        "handling_round": proposal.handling_round,
        "is_key": proposal.is_key,
        "key_leader_id": proposal.key_leader_id,
        "key_committee_id": proposal.key_committee_id,
        "publication": proposal.publication,
        "publication_note": proposal.publication_note,
        "published_at": proposal.published_at,
        "assignments": [r.assignment for r in handling.assignments],
        "replies": [v.reply for v in handling.replies],
        "pending_extensions": handling.pending_extensions,
    }


def _fresh(request: HttpRequest, pk: int) -> dict[str, Any]:
    return handling_out(request, actions.access_proposal(request.user, pk))


def access_assignment(user: Any, pk: int) -> Assignment:
    """A proposal assignment whose proposal ``user`` may see, else 404."""
    assignment = Assignment.objects.filter(workflow=HANDLING_WORKFLOW, pk=pk).select_related("unit", "owner").first()
    if assignment is None or not Proposal.objects.visible_to(user).filter(pk=assignment.case_id).exists():
        raise Http404(_("There is no such assignment, or you may not see it."))
    return assignment


def access_reply(user: Any, pk: int) -> Reply:
    reply = Reply.objects.visible_to(user).filter(pk=pk).first()
    if reply is None:
        raise Http404(_("There is no such reply, or you may not see it."))
    return reply


def access_reply_to_rate(user: Any, pk: int) -> Reply:
    """The reply ``user`` rates. Proposers see a reply once the staff accept it; asking to
    rate one still under review (or sent back) says so (422) instead of "not found"."""
    reply = Reply.objects.visible_to(user).filter(pk=pk).first()
    if reply is not None:
        return reply
    waiting = (
        Reply.objects.filter(pk=pk, proposal_id__in=Proposal.objects.visible_to(user).values("pk"))
        .select_related("proposal")
        .first()
    )
    if waiting is not None and is_proposer(user, waiting.proposal):
        raise ValidationError(
            _("This reply has not been accepted by the CPPCC staff yet: you can rate it once they accept it.")
        )
    raise Http404(_("There is no such reply, or you may not see it."))


def _organisation(pk: int | None, field: str) -> Organisation | None:
    if pk is None:
        return None
    org = Organisation.objects.filter(pk=pk).first()
    if org is None:
        raise ValidationError({field: [_("No organisation with this id.")]})
    return org


def _organisations(ids: list[int], field: str) -> list[Organisation]:
    found = Organisation.objects.in_bulk(ids)
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError({field: [_("No organisation with this id.")]})
    return [found[i] for i in ids]


def _renamed(exc: ValidationError, names: dict[str, str]) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({names.get(k, k): v for k, v in exc.message_dict.items()})


# The optional ``document`` part of the multipart reply.
NO_DOCUMENT = File(None)
_WRITE = {200: HandlingOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
# Deprecated aliases of /api/v1/assignments (docs/api.md): the same step through the same
# function (huying.handling.steps.perform), the same request schemas; they answer the
# proposal's handling as before.
DEPRECATED = "Deprecated: use the same step under /api/v1/assignments; this alias answers the proposal's handling."


# --- reads --------------------------------------------------------------------------------
@router.get("/{int:pk}/handling", response={200: HandlingOut, 404: ErrorOut}, summary="The handling of a proposal")
def get_handling(request: HttpRequest, pk: Id) -> Any:
    return _fresh(request, pk)


class PageThen(PageNumberPagination):
    """Page-number pagination (the same ``{"items", "count"}`` as every list) that passes the
    page's rows through ``then``, which fetches what they need in one query."""

    def __init__(self, *, then: Callable[[list[Any]], list[Any]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.then = then

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        result = super().paginate_queryset(queryset, pagination, request, **params)
        result[self.items_attribute] = self.then(list(result[self.items_attribute]))
        return result


def _inbox_items(rows: list[Assignment]) -> list[Assignment]:
    proposals = Proposal.objects.for_list().in_bulk([a.case_id for a in rows])
    for a in rows:
        proposal = proposals[a.case_id]
        a.proposal_title = proposal.title  # type: ignore[attr-defined]
        a.proposal_number = proposal.formatted_number  # type: ignore[attr-defined]
    return rows


def _board_items(proposals: list[Proposal]) -> list[dict[str, Any]]:
    return [_board_item(row) for row in supervision.board_rows(proposals, timezone.now())]


def _board_item(row: supervision.BoardRow) -> dict[str, Any]:
    p = row.proposal
    return {
        "id": p.pk,
        "title": p.title,
        "formatted_number": p.formatted_number,
        "submitter_name": p.submitter_name,
        "handling_status": p.handling_status,
        "handling_round": p.handling_round,
        "is_key": p.is_key,
        "deadline_state": row.level,
        "reply_pending": getattr(p, "reply_pending", False),
        "next_due": getattr(p, "next_due", None),
        "assignments": [r.assignment for r in row.assignments],
    }


@router.get(
    "/inbox",
    response={200: list[InboxItemOut], 403: ErrorOut},
    summary="Proposals assigned to my unit",
    description="Deprecated: use GET /api/v1/assignments?workflow=proposal.",
    deprecated=True,
)
@paginate(PageThen, page_size=25, then=_inbox_items)
def inbox(request: HttpRequest, show: str = Query("open", description="open or all")) -> Any:
    user = request.user
    if not (user.is_administrator or user.has_role(Role.UNIT_STAFF, Role.STREET_HANDLER, Role.LEADER)):  # type: ignore[union-attr]
        raise PermissionDenied(_("The proposal inbox is open only to staff of handling units."))
    return supervision.inbox_assignments(user, "all" if show == "all" else "open")


@router.get("/supervision", response={200: list[BoardItemOut], 403: ErrorOut}, summary="Supervision board (staff)")
@paginate(PageThen, page_size=25, then=_board_items)
def board(request: HttpRequest, filters: Query[BoardFilters]) -> Any:
    user = request.user
    if not supervision.may_supervise(user):
        raise PermissionDenied(_("The supervision board is open only to the proposals committee staff."))
    values = filters.dict()
    values["unit"] = _organisation(filters.unit, "unit")
    return supervision.board_queryset(user, timezone.now(), values)


@router.get("/key", response={200: list[BoardItemOut], 403: ErrorOut}, summary="Key proposals I supervise (leaders)")
@paginate(PageThen, page_size=25, then=_board_items)
def key_proposals(request: HttpRequest) -> Any:
    user = request.user
    if not user.has_role(Role.LEADER):  # type: ignore[union-attr]
        raise PermissionDenied(_("My key proposals is open only to leaders."))
    return supervision.key_queryset(user, timezone.now())


@router.get("/to-rate", response=list[ToRateOut], summary="Accepted replies I still have to rate (proposers)")
@paginate(PageNumberPagination, page_size=25)
def to_rate(request: HttpRequest) -> Any:
    return supervision.replies_to_rate(request.user)


@router.get("/public", response=list[PublicProposalOut], auth=None, summary="Published proposals (everyone)")
@paginate(PageNumberPagination, page_size=25)
def public_list(request: HttpRequest, q: str = Query("", max_length=100, description="Title contains.")) -> Any:
    return public.search(public.public_queryset(), q)


@router.get(
    "/public/{int:pk}",
    response={200: PublicDetailOut, 404: ErrorOut},
    auth=None,
    summary="A published proposal with its accepted replies (everyone)",
)
def public_detail(request: HttpRequest, pk: Id) -> Any:
    proposal = public.public_detail_queryset().filter(pk=pk).first()
    if proposal is None:
        raise Http404(_("No such published proposal."))
    return proposal


# --- staff ----------------------------------------------------------------------------------
@router.post("/{int:pk}/assign", response=_WRITE, summary="Assign to handling units (交办, staff)")
def assign(request: HttpRequest, pk: Id, payload: AssignIn) -> Any:
    proposal = actions.access_proposal(request.user, pk)
    units = _organisations(payload.unit_ids, "unit_ids")
    co_units = _organisations(payload.co_unit_ids, "co_unit_ids")
    try:
        actions.do_assign(request.user, proposal, mode=payload.mode, units=units, co_units=co_units, note=payload.note)
    except ValidationError as exc:
        raise _renamed(exc, {"units": "unit_ids", "co_units": "co_unit_ids"}) from None
    return _fresh(request, pk)


@router.post(
    "/assignments/{int:pk}/overrule",
    response=_WRITE,
    summary="Overrule a unit's objection (staff)",
    description=DEPRECATED,
    deprecated=True,
)
def overrule(request: HttpRequest, pk: Id, payload: ProposalReasonIn) -> Any:
    assignment = access_assignment(request.user, pk)
    steps.perform(request.user, assignment, "overrule", reason=payload.reason)
    return _fresh(request, assignment.case_id)


@router.post(
    "/assignments/{int:pk}/reassign",
    response=_WRITE,
    summary="Reassign to another unit (改派, staff)",
    description=DEPRECATED,
    deprecated=True,
)
def reassign(request: HttpRequest, pk: Id, payload: ReassignIn) -> Any:
    assignment = access_assignment(request.user, pk)
    unit = _organisation(payload.unit_id, "unit_id")
    try:
        steps.perform(request.user, assignment, "reassign", to_unit=unit.pk if unit else None, reason=payload.reason)
    except ValidationError as exc:
        raise _renamed(exc, {"to_unit": "unit_id"}) from None
    return _fresh(request, assignment.case_id)


@router.post(
    "/assignments/{int:pk}/cancel",
    response=_WRITE,
    summary="Withdraw a co-handling unit (staff)",
    description=DEPRECATED,
    deprecated=True,
)
def cancel(request: HttpRequest, pk: Id, payload: ProposalReasonIn) -> Any:
    assignment = access_assignment(request.user, pk)
    steps.perform(request.user, assignment, "cancel", reason=payload.reason)
    return _fresh(request, assignment.case_id)


@router.post(
    "/extensions/{int:pk}/decide",
    response=_WRITE,
    summary="Approve or refuse an extension (staff)",
    description="Deprecated: use POST /api/v1/assignments/extension-requests/{id}/decide; answers the proposal's handling.",
    deprecated=True,
)
def decide_extension(request: HttpRequest, pk: Id, payload: ExtensionDecisionIn) -> Any:
    row = ExtensionRequest.objects.select_related("assignment__unit", "assignment__owner").filter(pk=pk).first()
    if row is None:
        raise Http404(_("There is no such extension request, or you may not see it."))
    assignment = access_assignment(request.user, row.assignment_id)
    steps.perform(
        request.user,
        assignment,
        "decide_extension",
        extension=row,
        approve=payload.approve,
        until=aware(payload.until),
        reason=payload.reason,
        version=payload.version,
    )
    return _fresh(request, assignment.case_id)


@router.post("/replies/{int:pk}/review", response=_WRITE, summary="Accept or send back a reply (staff)")
def review(request: HttpRequest, pk: Id, payload: ReviewIn) -> Any:
    reply = access_reply(request.user, pk)
    actions.do_review_reply(request.user, reply, accept=payload.accept, note=payload.note, due=payload.due)
    return _fresh(request, reply.proposal_id)


@router.post(
    "/assignments/{int:pk}/urge",
    response=_WRITE,
    summary="Send an urging notice (督办, staff)",
    description=DEPRECATED,
    deprecated=True,
)
def urge(request: HttpRequest, pk: Id, payload: UrgeIn) -> Any:
    assignment = access_assignment(request.user, pk)
    steps.perform(request.user, assignment, "urge", text=payload.text)
    return _fresh(request, assignment.case_id)


@router.post("/{int:pk}/key", response=_WRITE, summary="Mark or unmark a key proposal (重点提案, staff)")
def mark_key(request: HttpRequest, pk: Id, payload: KeyIn) -> Any:
    proposal = actions.access_proposal(request.user, pk)
    leader = None
    if payload.leader_id is not None:
        leader = User.objects.filter(pk=payload.leader_id).first()
        if leader is None:
            raise ValidationError({"leader_id": [_("No person with this id.")]})
    committee = _organisation(payload.committee_id, "committee_id")
    try:
        actions.do_mark_key(
            request.user, proposal, is_key=payload.is_key, leader=leader, committee=committee, note=payload.note
        )
    except ValidationError as exc:
        raise _renamed(exc, {"leader": "leader_id", "committee": "committee_id"}) from None
    return _fresh(request, pk)


@router.post("/{int:pk}/publication/publish", response=_WRITE, summary="Publish in the public zone (staff)")
def publish(request: HttpRequest, pk: Id, payload: PublicationNoteIn) -> Any:
    actions.do_publish(request.user, actions.access_proposal(request.user, pk), note=payload.note)
    return _fresh(request, pk)


@router.post("/{int:pk}/publication/restrict", response=_WRITE, summary="Restrict publication (staff)")
def restrict(request: HttpRequest, pk: Id, payload: ProposalReasonIn) -> Any:
    actions.do_restrict_publication(request.user, actions.access_proposal(request.user, pk), reason=payload.reason)
    return _fresh(request, pk)


# --- proposers ------------------------------------------------------------------------------
@router.post("/{int:pk}/publication/object", response=_WRITE, summary="Object to publication (proposers)")
def object_publication(request: HttpRequest, pk: Id, payload: ProposalReasonIn) -> Any:
    actions.do_object_publication(request.user, actions.access_proposal(request.user, pk), reason=payload.reason)
    return _fresh(request, pk)


@router.post("/replies/{int:pk}/rate", response=_WRITE, summary="Rate an accepted reply, once (满意度测评, proposers)")
def rate(request: HttpRequest, pk: Id, payload: RateIn) -> Any:
    reply = access_reply_to_rate(request.user, pk)
    actions.do_rate(request.user, reply, rating=payload.rating, comment=payload.comment)
    return _fresh(request, reply.proposal_id)


# --- units ----------------------------------------------------------------------------------
@router.post(
    "/assignments/{int:pk}/accept",
    response=_WRITE,
    summary="Accept an assignment (签收, unit)",
    description=DEPRECATED,
    deprecated=True,
)
def accept(request: HttpRequest, pk: Id, payload: StepNoteIn) -> Any:
    assignment = access_assignment(request.user, pk)
    steps.perform(request.user, assignment, "accept", note=payload.note, version=payload.version)
    return _fresh(request, assignment.case_id)


@router.post(
    "/assignments/{int:pk}/object",
    response=_WRITE,
    summary="Object to an assignment (异议, unit)",
    description=DEPRECATED,
    deprecated=True,
)
def object_assignment(request: HttpRequest, pk: Id, payload: StepReasonIn) -> Any:
    assignment = access_assignment(request.user, pk)
    steps.perform(request.user, assignment, "object", reason=payload.reason, version=payload.version)
    return _fresh(request, assignment.case_id)


@router.post(
    "/assignments/{int:pk}/extension",
    response=_WRITE,
    summary="Ask for more time (延期申请, unit)",
    description=DEPRECATED,
    deprecated=True,
)
def request_extension(request: HttpRequest, pk: Id, payload: ExtensionIn) -> Any:
    assignment = access_assignment(request.user, pk)
    steps.perform(
        request.user,
        assignment,
        "extension",
        until=aware(payload.until),
        reason=payload.reason,
        version=payload.version,
    )
    return _fresh(request, assignment.case_id)


@router.post("/assignments/{int:pk}/contact", response=_WRITE, summary="Record contact with the proposer (unit)")
def contact(request: HttpRequest, pk: Id, payload: ContactIn) -> Any:
    assignment = access_assignment(request.user, pk)
    actions.do_record_contact(request.user, assignment, note=payload.note, version=payload.version)
    return _fresh(request, assignment.case_id)


@router.post("/assignments/{int:pk}/co-view", response=_WRITE, summary="Send co-handling views to the lead (会办意见)")
def co_view(request: HttpRequest, pk: Id, payload: CoViewIn) -> Any:
    assignment = access_assignment(request.user, pk)
    actions.do_submit_co_view(request.user, assignment, view=payload.view, version=payload.version)
    return _fresh(request, assignment.case_id)


@router.post(
    "/assignments/{int:pk}/reply",
    response=_WRITE,
    summary="Reply (答复, the sole, lead or a separate unit; multipart with the document)",
)
def reply(request: HttpRequest, pk: Id, payload: Form[ReplyIn], document: UploadedFile | None = NO_DOCUMENT) -> Any:
    """Send the fields as ``multipart/form-data`` with the reply document in ``document``
    (PDF, DOC, DOCX, JPEG, PNG or WebP by its bytes, at most 20 MB)."""
    assignment = access_assignment(request.user, pk)
    actions.do_submit_reply(
        request.user,
        assignment,
        reply_class=payload.reply_class,
        reference_number=payload.reference_number,
        contact_person=payload.contact_person,
        contact_phone=payload.contact_phone,
        body=payload.body,
        document=document,
        version=payload.version,
    )
    return _fresh(request, assignment.case_id)
