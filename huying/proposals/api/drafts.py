"""Proposals API: drafts, co-signing, submission, review and filing, similar proposals.

Reads use ``Proposal.objects.visible_to`` exactly as the pages do; writes call the actions,
whose ``ValidationError`` / ``PermissionDenied`` become 422 / 403 in the project's format.
"""

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from huying.accounts.models import User
from huying.core.api_errors import ErrorOut
from huying.core.api_types import Id, Limit, PageNumberPagination, Version
from huying.handling.models import CaseEvent
from huying.organisations.models import Organisation
from huying.proposals import actions
from huying.proposals.choices import (
    Category,
    CollectiveKind,
    ConvertTarget,
    ProposalStatus,
    RejectReason,
)
from huying.proposals.models import Proposal, Session
from huying.proposals.search import paginate_search
from huying.proposals.similarity import similar_proposals

router = Router(tags=["proposals"])


# --- schemas ------------------------------------------------------------------------------
class ProposalOut(Schema):
    id: int
    session_id: int
    session_name: str
    title: str
    status: ProposalStatus
    status_display: str
    kind: str = Field(description="plenary (大会) or ordinary (平时), fixed at submission.")
    submitter_kind: str = Field(description="member, joint or collective.")
    submitter_name: str
    category: Category
    number: int | None = Field(description="Filing number; for merged proposals the number of the target.")
    formatted_number: str = Field(description="e.g. 十三届三次会议 第0123号; empty before filing.")
    submitted_at: datetime | None
    handling_status: str = Field(description="unassigned, assigned, replied, rehandling or completed (办理).")
    is_key: bool = Field(description="A key proposal (重点提案) under supervision.")
    publication: str = Field(description="unpublished, published, objected or restricted.")
    version: int

    @staticmethod
    def resolve_session_name(obj: Proposal) -> str:
        return obj.session.display_name

    @staticmethod
    def resolve_status_display(obj: Proposal) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_number(obj: Proposal) -> int | None:
        return obj.filing_number


class CoSignerOut(Schema):
    member_id: int
    member_name: str
    status: str
    responded_at: datetime | None


class EventOut(Schema):
    kind: str
    kind_display: str
    from_status: str
    to_status: str
    actor_name: str
    note: str
    data: dict[str, Any]
    created_at: datetime

    @staticmethod
    def resolve_kind_display(obj: CaseEvent) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_actor_name(obj: CaseEvent) -> str:
        return str(obj.actor) if obj.actor_id else ""


class ProposalDetailOut(ProposalOut):
    summary: str
    situation: str
    analysis: str
    suggestions: str
    suggested_unit_ids: list[int]
    reject_reason: str
    explanation: str
    merged_into_id: int | None
    converted_to: str
    cosigners: list[CoSignerOut]
    history: list[EventOut]

    @staticmethod
    def resolve_suggested_unit_ids(obj: Proposal) -> list[int]:
        return list(obj.suggested_units.values_list("pk", flat=True))

    @staticmethod
    def resolve_cosigners(obj: Proposal) -> list[dict[str, Any]]:
        return [
            {"member_id": c.member_id, "member_name": str(c.member), "status": c.status, "responded_at": c.responded_at}
            for c in obj.cosigners.select_related("member")
        ]

    @staticmethod
    def resolve_history(obj: Proposal) -> list[CaseEvent]:
        return list(obj.events.select_related("actor"))


class DraftIn(Schema):
    session_id: Id | None = Field(None, description="Required when creating.")
    title: str = Field(max_length=100)
    summary: str = ""
    situation: str = ""
    analysis: str = ""
    suggestions: str = ""
    category: Category = Category.OTHER
    suggested_unit_ids: list[Id] | None = None
    collective_id: Id | None = Field(None, description="Collective submitter (staff only).")
    collective_kind: CollectiveKind | None = None
    version: Version | None = Field(None, description="The version you edited; a newer one is refused.")
    invite_ids: list[Id] = Field(
        default_factory=list,
        description="Members to invite as co-signers in the same save (first proposer only); "
        "any unsuitable one refuses the whole save.",
    )


class DraftOut(Schema):
    proposal: ProposalDetailOut
    warnings: list[str] = Field(description="Format rules not met; they do not block submission.")


class NoteIn(Schema):
    note: str = Field("", max_length=1000)


class InviteIn(Schema):
    member_id: Id


class RespondIn(Schema):
    confirm: bool


class RejectIn(Schema):
    reason: RejectReason
    explanation: str = Field(max_length=1000)


class MergeIn(Schema):
    into_id: Id
    note: str = Field("", max_length=1000)


class ConvertIn(Schema):
    to: ConvertTarget
    note: str = Field("", max_length=1000)


class SimilarOut(Schema):
    id: int
    title: str
    formatted_number: str
    status: str
    score: float


class SessionOut(Schema):
    id: int
    cppcc_id: int
    name: str
    term: int
    number: int
    is_current: bool

    @staticmethod
    def resolve_name(obj: Session) -> str:
        return obj.display_name


class ListFilters(Schema):
    status: ProposalStatus | None = None
    session: Id | None = None
    q: str | None = Field(
        None,
        max_length=100,
        description="Full-text search (Chinese word segmentation); results are ordered by relevance.",
    )


# --- helpers ------------------------------------------------------------------------------
def detail(request: HttpRequest, pk: int) -> Proposal:
    return actions.access_proposal(request.user, pk)


def _invitees(ids: list[int]) -> list[User]:
    found = User.objects.in_bulk(ids)
    if any(i not in found for i in ids):
        raise ValidationError({"invite_ids": [_("No member with this id.")]})
    return [found[i] for i in dict.fromkeys(ids)]


def _save(request: HttpRequest, proposal: Proposal | None, payload: DraftIn, **extra: Any) -> actions.DraftResult:
    """Save through the action; its errors on the co-signers are reported on ``invite_ids``."""
    try:
        return actions.do_save_draft(
            request.user,
            proposal,
            title=payload.title,
            summary=payload.summary,
            situation=payload.situation,
            analysis=payload.analysis,
            suggestions=payload.suggestions,
            category=payload.category,
            suggested_units=_organisations(payload.suggested_unit_ids, "suggested_unit_ids"),
            version=payload.version,
            invite=_invitees(payload.invite_ids),
            **extra,
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "member" in exc.error_dict:
            errors = exc.message_dict
            errors["invite_ids"] = errors.pop("member")
            raise ValidationError(errors) from None
        raise


def _organisations(ids: list[int] | None, field: str) -> list[Organisation] | None:
    if ids is None:
        return None
    found = list(Organisation.objects.filter(pk__in=ids, is_active=True))
    if len(found) != len(set(ids)):
        raise ValidationError({field: [_("No organisation with this id.")]})
    return found


# --- endpoints ----------------------------------------------------------------------------
@router.get("/sessions", response=list[SessionOut], summary="Sessions (届次) open to the caller's CPPCC")
def list_sessions(request: HttpRequest) -> Any:
    paths = [a.organisation.path for a in request.user.active_roles if a.organisation is not None]  # type: ignore[union-attr]
    return [s for s in Session.objects.select_related("cppcc") if any(p.startswith(s.cppcc.path) for p in paths)]


@router.get("", response=list[ProposalOut], summary="Proposals the caller may see")
@paginate(PageNumberPagination, page_size=25)
def list_proposals(request: HttpRequest, filters: Query[ListFilters]) -> Any:
    qs = Proposal.objects.visible_to(request.user).for_list()
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.session:
        qs = qs.filter(session_id=filters.session)
    return paginate_search(qs, filters.q)


@router.get("/queue", response={200: list[ProposalOut], 403: ErrorOut}, summary="Review queue (staff)")
@paginate(PageNumberPagination, page_size=25)
def review_queue(request: HttpRequest) -> Any:
    if not request.user.has_role("agency_staff"):  # type: ignore[union-attr]
        raise PermissionDenied(_("Only the proposals committee staff may review proposals."))
    return (
        Proposal.objects.visible_to(request.user)
        .for_list()
        .filter(status=ProposalStatus.SUBMITTED)
        .order_by("submitted_at", "id")
    )


@router.get("/similar", response=list[SimilarOut], summary="Most similar existing proposals")
def similar(
    request: HttpRequest, text: str = Query(..., max_length=2000), session: Id | None = None, limit: Limit = 5
) -> Any:
    """Among filed proposals (their titles are listed in the filing catalogue) and those the
    caller may see, of the same session and earlier ones."""
    from django.db.models import Q

    target = Session.objects.select_related("cppcc").filter(pk=session).first() if session else None
    if session and target is None:
        raise ValidationError({"session": [_("No session with this id.")]})
    pool = Proposal.objects.filter(
        Q(status=ProposalStatus.FILED) | Q(pk__in=Proposal.objects.visible_to(request.user).values("pk"))
    )
    results = similar_proposals(text, target, max(1, min(limit, 20)), queryset=pool)
    return [
        {"id": p.pk, "title": p.title, "formatted_number": p.formatted_number, "status": p.status, "score": s}
        for p, s in results
    ]


@router.get("/{int:pk}", response={200: ProposalDetailOut, 404: ErrorOut}, summary="One proposal with its history")
def get_proposal(request: HttpRequest, pk: Id) -> Any:
    return detail(request, pk)


@router.post("", response={201: DraftOut, 403: ErrorOut, 422: ErrorOut}, summary="Create a draft")
def create_draft(request: HttpRequest, payload: DraftIn) -> Any:
    session = Session.objects.select_related("cppcc").filter(pk=payload.session_id or 0).first()
    if session is None:
        raise ValidationError({"session_id": [_("No session with this id.")]})
    collective = None
    if payload.collective_id is not None:
        collective = Organisation.objects.filter(pk=payload.collective_id).first()
        if collective is None:
            raise ValidationError({"collective_id": [_("No organisation with this id.")]})
    result = _save(
        request, None, payload, session=session, collective=collective, collective_kind=payload.collective_kind or ""
    )
    return Status(201, {"proposal": detail(request, result.proposal.pk), "warnings": result.warnings})


@router.put("/{int:pk}", response={200: DraftOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}, summary="Edit a draft")
def update_draft(request: HttpRequest, pk: Id, payload: DraftIn) -> Any:
    proposal = actions.access_proposal(request.user, pk)
    result = _save(request, proposal, payload)
    return {"proposal": detail(request, result.proposal.pk), "warnings": result.warnings}


_WRITE = {200: ProposalDetailOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@router.post("/{int:pk}/cosigners", response=_WRITE, summary="Invite a co-signer (first proposer)")
def invite(request: HttpRequest, pk: Id, payload: InviteIn) -> Any:
    proposal = actions.access_proposal(request.user, pk)
    member = User.objects.filter(pk=payload.member_id, is_active=True).first()
    if member is None:
        raise ValidationError({"member_id": [_("No member with this id.")]})
    try:
        actions.do_invite_cosigner(request.user, proposal, member)
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "member" in exc.error_dict:
            raise ValidationError({"member_id": exc.message_dict["member"]}) from None
        raise
    return detail(request, pk)


@router.post("/{int:pk}/cosign", response=_WRITE, summary="Confirm or decline a co-sign invitation (once)")
def respond(request: HttpRequest, pk: Id, payload: RespondIn) -> Any:
    proposal = actions.access_proposal(request.user, pk)
    actions.do_respond_cosign(request.user, proposal, confirm=payload.confirm)
    return detail(request, pk)


@router.post("/{int:pk}/submit", response=_WRITE, summary="Submit a draft")
def submit(request: HttpRequest, pk: Id) -> Any:
    actions.do_submit(request.user, actions.access_proposal(request.user, pk))
    return detail(request, pk)


@router.post("/{int:pk}/withdraw", response=_WRITE, summary="Withdraw before filing (撤案)")
def withdraw(request: HttpRequest, pk: Id, payload: NoteIn) -> Any:
    actions.do_withdraw(request.user, actions.access_proposal(request.user, pk), note=payload.note)
    return detail(request, pk)


@router.post("/{int:pk}/file", response=_WRITE, summary="File with the next number (立案, staff)")
def file(request: HttpRequest, pk: Id, payload: NoteIn) -> Any:
    actions.do_file(request.user, actions.access_proposal(request.user, pk), note=payload.note)
    return detail(request, pk)


@router.post("/{int:pk}/reject", response=_WRITE, summary="Do not file (不予立案, staff)")
def reject(request: HttpRequest, pk: Id, payload: RejectIn) -> Any:
    proposal = actions.access_proposal(request.user, pk)
    actions.do_reject(request.user, proposal, reason=payload.reason, explanation=payload.explanation)
    return detail(request, pk)


@router.post("/{int:pk}/merge", response=_WRITE, summary="Merge into a filed proposal (并案, staff)")
def merge(request: HttpRequest, pk: Id, payload: MergeIn) -> Any:
    proposal = actions.access_proposal(request.user, pk)
    target = Proposal.objects.visible_to(request.user).filter(pk=payload.into_id).first()
    if target is None:
        raise ValidationError({"into_id": [_("No proposal with this id.")]})
    try:
        actions.do_merge(request.user, proposal, into=target, note=payload.note)
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "into" in exc.error_dict:
            raise ValidationError({"into_id": exc.message_dict["into"]}) from None
        raise
    return detail(request, pk)


@router.post("/{int:pk}/convert", response=_WRITE, summary="Convert (转为意见建议 / 转社情民意, staff)")
def convert(request: HttpRequest, pk: Id, payload: ConvertIn) -> Any:
    proposal = actions.access_proposal(request.user, pk)
    actions.do_convert(request.user, proposal, to=payload.to, note=payload.note)
    return detail(request, pk)
