"""Excellent-proposal awards in the API (mounted on the proposals router by
:mod:`huying.proposals.api`). Same rules as the pages: see :mod:`huying.proposals.awards`."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from huying.core.api_errors import ErrorOut
from huying.core.api_types import Id, SmallCount
from huying.organisations.models import Organisation
from huying.proposals import actions, awards
from huying.proposals.choices import AwardDecision, AwardStatus
from huying.proposals.models import AwardNomination, AwardSelection, Proposal

router = Router(tags=["proposals"])


class SelectionOut(Schema):
    id: int
    cppcc_id: int
    cppcc_name: str
    year: int
    title: str
    note: str
    status: AwardStatus
    published_at: datetime | None

    @staticmethod
    def resolve_cppcc_name(obj: AwardSelection) -> str:
        return obj.cppcc.name


class NominationOut(Schema):
    id: int
    proposal_id: int
    proposal_title: str
    formatted_number: str
    submitter_name: str
    committee_id: int | None = Field(description="The nominating special committee; null when staff nominated.")
    committee_name: str
    nominated_by_name: str
    reason: str
    decision: AwardDecision
    decision_note: str
    created_at: datetime

    @staticmethod
    def resolve_proposal_title(obj: AwardNomination) -> str:
        return obj.proposal.title

    @staticmethod
    def resolve_formatted_number(obj: AwardNomination) -> str:
        return obj.proposal.formatted_number

    @staticmethod
    def resolve_submitter_name(obj: AwardNomination) -> str:
        return obj.proposal.submitter_name

    @staticmethod
    def resolve_committee_name(obj: AwardNomination) -> str:
        return obj.committee.name if obj.committee else ""

    @staticmethod
    def resolve_nominated_by_name(obj: AwardNomination) -> str:
        return str(obj.nominated_by) if obj.nominated_by else ""


class SelectionDetailOut(SelectionOut):
    nominations: list[NominationOut] = Field(
        description="Staff of the CPPCC committee: every nomination; others: the final list once published."
    )

    @staticmethod
    def resolve_nominations(obj: AwardSelection, context: dict[str, Any]) -> list[AwardNomination]:
        return list(awards.nominations_for(context["request"].user, obj))


class OpenIn(Schema):
    cppcc_id: Id
    year: SmallCount
    title: str = Field("", max_length=100, description="Default: 2026年度优秀提案.")
    note: str = Field("", max_length=2000)


class NominateIn(Schema):
    proposal_id: Id
    reason: str = Field(max_length=1000)
    committee_id: Id | None = Field(None, description="The special committee you nominate for (committee staff).")


class DecideIn(Schema):
    selected: bool
    note: str = Field("", max_length=1000)


def _detail(request: HttpRequest, selection: AwardSelection) -> AwardSelection:
    """The selection as the caller now sees it (fresh from the database)."""
    return awards.access_selection(request.user, selection.pk)


_READ = {200: SelectionDetailOut, 404: ErrorOut}
_WRITE = {200: SelectionDetailOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@router.get("/awards", response=list[SelectionOut], summary="Excellent-proposal selections the caller may see")
def list_selections(request: HttpRequest) -> Any:
    return AwardSelection.objects.visible_to(request.user).select_related("cppcc").order_by("-year", "cppcc__path")


@router.post(
    "/awards", response={201: SelectionDetailOut, 403: ErrorOut, 422: ErrorOut}, summary="Open a selection (staff)"
)
def open_selection(request: HttpRequest, payload: OpenIn) -> Any:
    cppcc = Organisation.objects.filter(pk=payload.cppcc_id).first()
    if cppcc is None:
        raise ValidationError({"cppcc_id": [_("No organisation with this id.")]})
    selection = actions.do_open_award_selection(
        request.user, cppcc=cppcc, year=payload.year, title=payload.title, note=payload.note
    )
    return Status(201, _detail(request, selection))


@router.get("/awards/{int:pk}", response=_READ, summary="A selection with its nominations or final list")
def get_selection(request: HttpRequest, pk: Id) -> Any:
    return _detail(request, awards.access_selection(request.user, pk))


@router.post("/awards/{int:pk}/nominations", response=_WRITE, summary="Nominate a filed proposal (staff, committees)")
def nominate(request: HttpRequest, pk: Id, payload: NominateIn) -> Any:
    selection = awards.access_selection(request.user, pk)
    proposal = Proposal.objects.filter(pk=payload.proposal_id).first()
    if proposal is None:
        raise ValidationError({"proposal_id": [_("No proposal with this id.")]})
    committee = None
    if payload.committee_id is not None:
        committee = Organisation.objects.filter(pk=payload.committee_id).first()
        if committee is None:
            raise ValidationError({"committee_id": [_("No organisation with this id.")]})
    try:
        actions.do_nominate_for_award(request.user, selection, proposal, reason=payload.reason, committee=committee)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            renamed = {
                {"proposal": "proposal_id", "committee": "committee_id"}.get(k, k): v
                for k, v in exc.message_dict.items()
            }
            raise ValidationError(renamed) from None
        raise
    return _detail(request, selection)


@router.post(
    "/awards/{int:pk}/nominations/{int:nomination_id}/decision",
    response=_WRITE,
    summary="Decide a nomination: selected or not (staff)",
)
def decide(request: HttpRequest, pk: Id, nomination_id: Id, payload: DecideIn) -> Any:
    selection = awards.access_selection(request.user, pk)
    nomination = AwardNomination.objects.filter(pk=nomination_id, selection=selection).first()
    if nomination is None:
        from django.http import Http404

        raise Http404(_("No such nomination."))
    actions.do_decide_nomination(request.user, nomination, selected=payload.selected, note=payload.note)
    return _detail(request, selection)


@router.post("/awards/{int:pk}/publish", response=_WRITE, summary="Publish the final list (staff)")
def publish(request: HttpRequest, pk: Id) -> Any:
    selection = awards.access_selection(request.user, pk)
    actions.do_publish_awards(request.user, selection)
    return _detail(request, selection)
