"""Proposal statistics in the API: the same figures as the statistics page.

``GET /api/v1/proposals/stats``, mounted on the proposals router by :mod:`huying.proposals.api`."""

from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from huying.core.api_errors import ErrorOut
from huying.core.api_types import Id
from huying.proposals.stats import as_json, check_may_view, session_stats, sessions_for

router = Router(tags=["proposals"])


class StatusCountsOut(Schema):
    submitted: int = Field(description="Proposals that left the draft state.")
    pending: int = Field(description="Still awaiting review.")
    filed: int = Field(description="Given a filing number (立案).")
    rejected: int = Field(description="Not filed (不予立案).")
    merged: int
    converted: int
    withdrawn: int
    filing_rate: float | None = Field(description="filed ÷ (submitted − pending − withdrawn); null without proposals.")


class RowOut(StatusCountsOut):
    key: str = Field(description="Code or id of the group; empty for 'none recorded'.")
    label: str


class UnitOut(Schema):
    unit_id: int
    name: str
    proposals: int
    lead: int
    co: int
    separate: int
    replied: int
    replied_on_time: int
    on_time_rate: float | None
    rated: int
    satisfied: int
    satisfaction_rate: float | None


class ShareOut(Schema):
    key: str
    label: str
    count: int
    share: float | None


class SessionRefOut(Schema):
    id: int
    name: str


class ProposalStatsOut(Schema):
    session: SessionRefOut
    totals: StatusCountsOut
    status_labels: dict[str, str]
    by_submitter_kind: list[RowOut]
    by_category: list[RowOut]
    by_sector: list[RowOut] = Field(description="Sector of the first proposer; collective proposals last.")
    by_committee: list[RowOut] = Field(description="Special committee of the first proposer, or the submitting one.")
    by_unit: list[UnitOut] = Field(description="From the handling engine's assignments (workflow 'proposal').")
    reply_classes: list[ShareOut] = Field(description="Accepted replies, latest round of each assignment.")
    satisfaction: list[ShareOut] = Field(description="Current ratings of the proposers.")
    replied: int
    replied_on_time: int
    on_time_rate: float | None
    satisfaction_rate: float | None


@router.get(
    "/stats",
    response={200: ProposalStatsOut, 403: ErrorOut, 404: ErrorOut},
    summary="Statistics of one session (agency staff, leaders, administrators)",
)
def stats(request: HttpRequest, session: Id | None = None) -> Any:
    """Without ``session``: the current session of the caller's CPPCC committee (else the
    latest one they may read). Definitions in docs/proposals.md."""
    check_may_view(request.user)
    sessions = sessions_for(request.user).order_by("-is_current", "cppcc__path", "-term", "-number")
    chosen = sessions.filter(pk=session).first() if session else sessions.first()
    if chosen is None:
        raise Http404(_("No such session."))
    return as_json(session_stats(chosen))
