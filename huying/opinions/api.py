"""Opinion reports' REST API under ``/api/v1/opinions``: members' reports (list, detail,
drafts, submit, answers to edits), the 信息 office's moves (receive, edit, reject, merge,
adopt, forward), periodical issues and leaders' instructions.

Reads use the same ``visible_to`` querysets as the pages; writes call the actions, whose
``ValidationError`` / ``PermissionDenied`` become 422 / 403 in the project's format.
"""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from huying.accounts.models import User
from huying.core.api_errors import ErrorOut
from huying.core.api_types import Id, PageNumberPagination, Version
from huying.handling import history
from huying.opinions import actions
from huying.opinions.choices import AdoptionLevel, Category, CollectiveKind, ReportStatus
from huying.opinions.diffs import edit_diffs
from huying.opinions.models import Issue, OpinionReport, ReportEdit
from huying.opinions.similarity import similar_reports
from huying.organisations.models import Organisation

router = Router(tags=["opinions"])


# --- schemas ------------------------------------------------------------------------------
class OpinionReportOut(Schema):
    id: int
    title: str
    category: Category
    status: ReportStatus
    status_display: str
    submitter_kind: str = Field(description="member, collective or combined (综合).")
    submitter_name: str
    cppcc_id: int = Field(description="The CPPCC committee whose information office handles it now.")
    origin_cppcc_id: int
    handling_status: str
    submitted_at: datetime | None
    adopted_levels: list[str]
    version: int

    @staticmethod
    def resolve_status_display(obj: Any) -> str:
        if isinstance(obj, dict):
            return str(obj["status_display"])
        return str(obj.get_status_display())

    @staticmethod
    def resolve_adopted_levels(obj: Any) -> list[str]:
        if isinstance(obj, dict):
            return list(obj["adopted_levels"])
        return [a.level for a in obj.adoptions.all()]


class OpinionEditOut(Schema):
    id: int
    editor_name: str
    note: str
    created_at: datetime
    response: str
    comment: str
    changes: dict[str, list[str]] = Field(description="{field: [before, after]}")
    diff_html: dict[str, str] = Field(description="Each changed field as HTML with <ins> and <del>.")


class OpinionAdoptionOut(Schema):
    level: AdoptionLevel
    cppcc_id: int
    cppcc_name: str
    adopted_on: date


class OpinionInstructionOut(Schema):
    id: int
    report_id: int | None
    proposal_id: int | None
    text: str
    leader_name: str
    leader_title: str
    level: AdoptionLevel
    instructed_on: date
    requires_handling: bool
    deadline: date | None


class OpinionEventOut(Schema):
    at: datetime
    kind: str
    title: str
    who: str
    unit: str
    note: str


class OpinionReportDetailOut(OpinionReportOut):
    situation: str
    analysis: str
    suggestion: str
    reject_reason: str
    merged_into_id: int | None
    source_ids: list[int]
    edits: list[OpinionEditOut]
    adoptions: list[OpinionAdoptionOut]
    instructions: list[OpinionInstructionOut]
    history: list[OpinionEventOut]


class OpinionDraftIn(Schema):
    title: str = Field(max_length=100)
    category: Category = Category.OTHER
    situation: str = Field("", max_length=3000)
    analysis: str = Field("", max_length=3000)
    suggestion: str = Field("", max_length=3000)
    cppcc_id: Id | None = Field(None, description="A committee where you are a member (yours by default).")
    collective_id: Id | None = Field(None, description="Collective submitter (its staff only).")
    collective_kind: CollectiveKind | None = None
    version: Version | None = Field(None, description="The version you edited (updates).")


class OpinionEditIn(Schema):
    title: str | None = Field(None, max_length=100)
    situation: str | None = Field(None, max_length=3000)
    analysis: str | None = Field(None, max_length=3000)
    suggestion: str | None = Field(None, max_length=3000)
    note: str = Field("", max_length=300)
    version: Version | None = None


class OpinionAnswerIn(Schema):
    agree: bool
    comment: str = Field("", max_length=1000)


class OpinionVersionIn(Schema):
    version: Version | None = None
    note: str = Field("", max_length=300)


class OpinionRejectIn(Schema):
    reason: str = Field(max_length=1000)
    version: Version | None = None


class OpinionAdoptIn(Schema):
    level: AdoptionLevel
    version: Version | None = None


class OpinionMergeIn(Schema):
    source_ids: list[Id] = Field(max_length=50)
    title: str = Field(max_length=100)
    category: Category = Category.OTHER
    situation: str = Field("", max_length=3000)
    analysis: str = Field("", max_length=3000)
    suggestion: str = Field("", max_length=3000)


class OpinionInstructionIn(Schema):
    report_id: Id | None = None
    proposal_id: Id | None = None
    text: str = Field(max_length=2000)
    level: AdoptionLevel
    leader_name: str = Field("", max_length=50, description="Staff entering it for a leader.")
    leader_title: str = Field("", max_length=80)
    instructed_on: date | None = None
    requires_handling: bool = False
    unit_ids: list[Id] = Field(default_factory=list, max_length=20)
    deadline: date | None = None


class OpinionIssueOut(Schema):
    id: int
    cppcc_id: int
    year: int
    number: int | None
    name: str
    status: str
    published_at: datetime | None
    report_ids: list[int]
    recipient_ids: list[int]

    @staticmethod
    def resolve_name(obj: Issue) -> str:
        return obj.display_name

    @staticmethod
    def resolve_report_ids(obj: Issue) -> list[int]:
        return [i.report_id for i in obj.items.all()]

    @staticmethod
    def resolve_recipient_ids(obj: Issue) -> list[int]:
        return [u.pk for u in obj.recipients.all()]


class OpinionIssueIn(Schema):
    cppcc_id: Id
    report_ids: list[Id] = Field(default_factory=list, max_length=30)


class OpinionIssueReportsIn(Schema):
    report_ids: list[Id] = Field(max_length=30, description="In the order of the issue.")


class OpinionPublishIn(Schema):
    recipient_ids: list[Id] = Field(max_length=200, description="Leaders (people holding the leader role).")


class OpinionSimilarOut(Schema):
    id: int
    title: str
    status: str
    score: float


class OpinionListFilters(Schema):
    status: ReportStatus | None = None
    mine: bool = Field(False, description="Only the caller's own reports.")


_WRITE = {200: OpinionReportDetailOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


# --- helpers ------------------------------------------------------------------------------
def _report(request: HttpRequest, pk: int) -> OpinionReport:
    report = (
        OpinionReport.objects.visible_to(request.user)
        .select_related("cppcc", "author", "collective")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404(_("No such report."))
    return report


def _detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    report = _report(request, pk)
    edits = [
        {
            "id": e.pk,
            "editor_name": str(e.editor),
            "note": e.note,
            "created_at": e.created_at,
            "response": e.response,
            "comment": e.comment,
            "changes": e.changes,
            "diff_html": {d["field"]: str(d["html"]) for d in edit_diffs(e)},
        }
        for e in report.edits.select_related("editor")
    ]
    return {
        **{
            f: getattr(report, f)
            for f in (
                "id",
                "title",
                "category",
                "status",
                "submitter_kind",
                "submitter_name",
                "cppcc_id",
                "origin_cppcc_id",
                "handling_status",
                "submitted_at",
                "version",
                "situation",
                "analysis",
                "suggestion",
                "reject_reason",
                "merged_into_id",
            )
        },
        "status_display": str(report.get_status_display()),
        "adopted_levels": [a.level for a in report.adoptions.all()],
        "source_ids": list(report.sources.values_list("pk", flat=True)),
        "edits": edits,
        "adoptions": [
            {"level": a.level, "cppcc_id": a.cppcc_id, "cppcc_name": a.cppcc.name, "adopted_on": a.adopted_on}
            for a in report.adoptions.select_related("cppcc")
        ],
        "instructions": list(report.instructions.all()),
        "history": history.timeline(report),
    }


def _issue(request: HttpRequest, pk: int) -> Issue:
    issue = Issue.objects.visible_to(request.user).select_related("cppcc").filter(pk=pk).first()
    if issue is None:
        raise Http404(_("No such issue."))
    return issue


def _organisation(pk: int | None, field: str) -> Organisation | None:
    if pk is None:
        return None
    found = Organisation.objects.filter(pk=pk, is_active=True).first()
    if found is None:
        raise ValidationError({field: [_("No organisation with this id.")]})
    return found


# --- members ------------------------------------------------------------------------------
@router.get("", response=list[OpinionReportOut], summary="Opinion reports the caller may see")
@paginate(PageNumberPagination, page_size=25)
def list_reports(request: HttpRequest, filters: Query[OpinionListFilters]) -> Any:
    qs = (
        OpinionReport.objects.visible_to(request.user)
        .select_related("author", "collective")
        .prefetch_related("adoptions")
    )
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.mine:
        from django.db.models import Q

        qs = qs.filter(Q(author=request.user.pk) | Q(submitted_by=request.user.pk))
    return qs


@router.get(
    "/similar", response={200: list[OpinionSimilarOut], 403: ErrorOut}, summary="Similar reports (hints while writing)"
)
def similar(request: HttpRequest, text: str = Query(..., max_length=3100)) -> Any:
    cppccs = actions.member_cppccs(request.user)
    if not cppccs:
        raise PermissionDenied(_("Opinion reports are written by CPPCC members."))
    return [{"id": r.pk, "title": r.title, "status": r.status, "score": s} for r, s in similar_reports(text, cppccs[0])]


@router.get("/issues", response=list[OpinionIssueOut], summary="Periodical issues the caller may see")
@paginate(PageNumberPagination, page_size=25)
def list_issues(request: HttpRequest) -> Any:
    return Issue.objects.visible_to(request.user).prefetch_related("items", "recipients")


@router.post(
    "/issues", response={201: OpinionIssueOut, 403: ErrorOut, 422: ErrorOut}, summary="Compile an issue (信息 staff)"
)
def create_issue(request: HttpRequest, payload: OpinionIssueIn) -> Any:
    cppcc = _organisation(payload.cppcc_id, "cppcc_id")
    assert cppcc is not None
    reports = list(OpinionReport.objects.visible_to(request.user).filter(pk__in=payload.report_ids))
    if len(reports) != len(set(payload.report_ids)):
        raise ValidationError({"report_ids": [_("No such report.")]})
    reports.sort(key=lambda r: payload.report_ids.index(r.pk))
    issue = actions.do_create_issue(request.user, cppcc, reports=reports)
    return Status(201, issue)


@router.get("/issues/{int:pk}", response={200: OpinionIssueOut, 404: ErrorOut}, summary="One issue")
def get_issue(request: HttpRequest, pk: Id) -> Any:
    return _issue(request, pk)


@router.put(
    "/issues/{int:pk}/reports",
    response={200: OpinionIssueOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Choose and order an issue's reports",
)
def set_issue_reports(request: HttpRequest, pk: Id, payload: OpinionIssueReportsIn) -> Any:
    issue = _issue(request, pk)
    found = {r.pk: r for r in OpinionReport.objects.visible_to(request.user).filter(pk__in=payload.report_ids)}
    if len(found) != len(set(payload.report_ids)):
        raise ValidationError({"report_ids": [_("No such report.")]})
    return actions.do_set_issue_reports(request.user, issue, [found[i] for i in dict.fromkeys(payload.report_ids)])


@router.post(
    "/issues/{int:pk}/publish",
    response={200: OpinionIssueOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Number an issue and send it to leaders",
)
def publish_issue(request: HttpRequest, pk: Id, payload: OpinionPublishIn) -> Any:
    issue = _issue(request, pk)
    leaders = list(User.objects.filter(pk__in=payload.recipient_ids, is_active=True))
    if len(leaders) != len(set(payload.recipient_ids)):
        raise ValidationError({"recipient_ids": [_("Choose the leaders to send the issue to.")]})
    return actions.do_publish_issue(request.user, issue, recipients=leaders)


@router.post(
    "/instructions",
    response={201: OpinionInstructionOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Record a leader's instruction (批示)",
)
def record_instruction(request: HttpRequest, payload: OpinionInstructionIn) -> Any:
    report = _report(request, payload.report_id) if payload.report_id else None
    proposal = None
    if payload.proposal_id:
        from huying.proposals.actions import access_proposal

        proposal = access_proposal(request.user, payload.proposal_id)
    units = list(Organisation.objects.filter(pk__in=payload.unit_ids, is_active=True))
    if len(units) != len(set(payload.unit_ids)):
        raise ValidationError({"unit_ids": [_("No organisation with this id.")]})
    instruction = actions.do_record_instruction(
        request.user,
        report=report,
        proposal=proposal,
        text=payload.text,
        level=payload.level,
        leader_name=payload.leader_name,
        leader_title=payload.leader_title,
        instructed_on=payload.instructed_on,
        requires_handling=payload.requires_handling,
        units=units,
        deadline=payload.deadline,
    )
    return Status(201, instruction)


@router.post("", response={201: OpinionReportDetailOut, 403: ErrorOut, 422: ErrorOut}, summary="Write a draft")
def create_draft(request: HttpRequest, payload: OpinionDraftIn) -> Any:
    report = actions.do_create_draft(
        request.user,
        cppcc=_organisation(payload.cppcc_id, "cppcc_id"),
        collective=_organisation(payload.collective_id, "collective_id"),
        collective_kind=payload.collective_kind or "",
        title=payload.title,
        category=payload.category,
        situation=payload.situation,
        analysis=payload.analysis,
        suggestion=payload.suggestion,
    )
    return Status(201, _detail(request, report.pk))


@router.get(
    "/{int:pk}",
    response={200: OpinionReportDetailOut, 404: ErrorOut},
    summary="One report with its edits, adoptions, instructions and history",
)
def get_report(request: HttpRequest, pk: Id) -> Any:
    return _detail(request, pk)


@router.put("/{int:pk}", response=_WRITE, summary="Change a draft (author)")
def update_draft(request: HttpRequest, pk: Id, payload: OpinionDraftIn) -> Any:
    actions.do_update_draft(
        request.user,
        _report(request, pk),
        expected_version=payload.version,
        title=payload.title,
        category=payload.category,
        situation=payload.situation,
        analysis=payload.analysis,
        suggestion=payload.suggestion,
    )
    return _detail(request, pk)


@router.post("/{int:pk}/submit", response=_WRITE, summary="Submit a draft (author)")
def submit(request: HttpRequest, pk: Id) -> Any:
    actions.do_submit(request.user, _report(request, pk))
    return _detail(request, pk)


@router.post(
    "/{int:pk}/edits/{int:edit_id}/answer", response=_WRITE, summary="Agree with an edit or comment on it (author)"
)
def answer_edit(request: HttpRequest, pk: Id, edit_id: Id, payload: OpinionAnswerIn) -> Any:
    report = _report(request, pk)
    edit = ReportEdit.objects.filter(pk=edit_id, report=report).first()
    if edit is None:
        raise Http404(_("No such edit."))
    actions.do_respond_edit(request.user, edit, agree=payload.agree, comment=payload.comment)
    return _detail(request, pk)


# --- the 信息 office ----------------------------------------------------------------------
@router.post("/{int:pk}/receive", response=_WRITE, summary="Receive a submitted report (信息 staff)")
def receive(request: HttpRequest, pk: Id, payload: OpinionVersionIn) -> Any:
    actions.do_receive(request.user, _report(request, pk), expected_version=payload.version)
    return _detail(request, pk)


@router.post("/{int:pk}/edit", response=_WRITE, summary="Edit the text (信息 staff); the author sees a diff")
def edit_report(request: HttpRequest, pk: Id, payload: OpinionEditIn) -> Any:
    changes = {
        k: v
        for k, v in payload.dict().items()
        if k in ("title", "situation", "analysis", "suggestion") and v is not None
    }
    actions.do_edit(request.user, _report(request, pk), changes, note=payload.note, expected_version=payload.version)
    return _detail(request, pk)


@router.post("/{int:pk}/reject", response=_WRITE, summary="Do not adopt, with the reason (信息 staff)")
def reject(request: HttpRequest, pk: Id, payload: OpinionRejectIn) -> Any:
    actions.do_reject(request.user, _report(request, pk), reason=payload.reason, expected_version=payload.version)
    return _detail(request, pk)


@router.post("/{int:pk}/adopt", response=_WRITE, summary="Adopt at a level (信息 staff)")
def adopt(request: HttpRequest, pk: Id, payload: OpinionAdoptIn) -> Any:
    actions.do_adopt(request.user, _report(request, pk), level=payload.level, expected_version=payload.version)
    return _detail(request, pk)


@router.post("/{int:pk}/forward", response=_WRITE, summary="Forward to the CPPCC above (信息 staff)")
def forward(request: HttpRequest, pk: Id, payload: OpinionVersionIn) -> Any:
    actions.do_forward(request.user, _report(request, pk), note=payload.note, expected_version=payload.version)
    return _detail(request, pk)


@router.post(
    "/merge",
    response={201: OpinionReportDetailOut, 403: ErrorOut, 422: ErrorOut},
    summary="Merge reports into a combined report (信息 staff)",
)
def merge(request: HttpRequest, payload: OpinionMergeIn) -> Any:
    sources = list(OpinionReport.objects.visible_to(request.user).filter(pk__in=payload.source_ids))
    if len(sources) != len(set(payload.source_ids)):
        raise ValidationError({"source_ids": [_("No such report.")]})
    combined = actions.do_merge(
        request.user,
        sources,
        title=payload.title,
        category=payload.category,
        situation=payload.situation,
        analysis=payload.analysis,
        suggestion=payload.suggestion,
    )
    return Status(201, _detail(request, combined.pk))
