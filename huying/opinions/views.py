"""Pages of the opinion-report workflow: thin, they call the actions and the visible_to
querysets. Members (履职 → 社情民意, phone first), the 信息 office (work console) and
leaders (the issues sent to them)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.core.origins import origins_of
from huying.core.params import parse_id, parse_ids
from huying.handling import history
from huying.opinions import actions, transitions
from huying.opinions.choices import AdoptionLevel, Category, CollectiveKind, EditResponse, IssueStatus, ReportStatus
from huying.opinions.diffs import edit_diffs
from huying.opinions.models import TEXT_FIELDS, Issue, OpinionReport, ReportEdit, staff_cppcc_paths
from huying.opinions.similarity import similar_reports
from huying.organisations.choices import OrgKind
from huying.organisations.models import Organisation
from huying.proposals.supervision import area_units

PAGE_SIZE = 20

# The instruction forms' unit list: departments first, then the people's governments.
UNIT_GROUP_ORDER = (OrgKind.DEPARTMENT, OrgKind.GOVERNMENT)


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return list(exc.messages)


def _report(request: HttpRequest, pk: int) -> OpinionReport:
    return get_object_or_404(
        OpinionReport.objects.visible_to(request.user).select_related("cppcc", "author", "collective", "merged_into"),
        pk=pk,
    )


def _staff_cppccs(user: Any) -> list[Organisation]:
    paths = staff_cppcc_paths(user)
    return list(Organisation.objects.filter(path__in=paths).order_by("path"))


@require_safe
@login_required
def mine(request: HttpRequest) -> HttpResponse:
    user = request.user
    may_write = bool(actions.member_cppccs(user) or actions.collectives_for(user))
    if not may_write and not OpinionReport.objects.filter(submitted_by=user.pk).exists():
        raise PermissionDenied(_("Opinion reports are written by CPPCC members."))
    own = (
        OpinionReport.objects.visible_to(user)
        .filter(Q(author=user.pk) | Q(submitted_by=user.pk))
        .select_related("cppcc")
        .prefetch_related("adoptions")
    )
    status = request.GET.get("status", "")
    if status in ReportStatus.values:
        own = own.filter(status=status)
    page = Paginator(own, PAGE_SIZE).get_page(request.GET.get("page"))
    pending = ReportEdit.objects.filter(
        Q(report__author=user.pk) | Q(report__submitted_by=user.pk), response=EditResponse.PENDING
    ).select_related("report")[:20]
    return render(
        request,
        "opinions/mine.html",
        {
            "page": page,
            "pending": pending,
            "statuses": ReportStatus.choices,
            "status": status,
            "status_query": f"status={status}" if status else "",
            "may_write": may_write,
        },
    )


def _form_values(post: Any) -> dict[str, str]:
    values = {name: post.get(name, "") for name in TEXT_FIELDS}
    values["category"] = post.get("category", "")
    return values


@login_required
def edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A member's draft (new or changed), or the 信息 staff's edit of a received report."""
    user = request.user
    report = _report(request, pk) if pk is not None else None
    staff_edit = report is not None and report.status != ReportStatus.DRAFT
    # A new report: in the member's own name, or in a collective's the staff work for.
    collectives = actions.collectives_for(user) if report is None else []
    is_member = bool(actions.member_cppccs(user))
    if report is None and not is_member and not collectives:
        raise PermissionDenied(_("Opinion reports are written by CPPCC members."))
    if staff_edit and not transitions.is_info_staff(user, report.cppcc):  # type: ignore[union-attr]
        raise PermissionDenied(_("Only the information office of this CPPCC may do this."))
    if report is not None and not staff_edit and not report.is_author(user):
        raise PermissionDenied(_("Only the author of the report may do this."))
    errors: list[str] = []
    values = {name: getattr(report, name) for name in TEXT_FIELDS} if report else dict.fromkeys(TEXT_FIELDS, "")
    values["category"] = report.category if report else ""
    on_behalf = "" if is_member or len(collectives) != 1 else str(collectives[0][0].pk)
    if request.method == "POST":
        values = _form_values(request.POST)
        version = parse_id(request.POST.get("version", ""))
        on_behalf = request.POST.get("on_behalf", "")
        try:
            if report is None and collectives and on_behalf != "self":
                chosen = next((c for c in collectives if str(c[0].pk) == on_behalf), None)
                if chosen is None:
                    raise ValidationError({"on_behalf": [_("Choose in whose name the report is written.")]})
                report = actions.do_create_draft(
                    user,
                    collective=chosen[0],
                    collective_kind=chosen[1],
                    **values,  # type: ignore[arg-type]
                )
            elif report is None:
                report = actions.do_create_draft(user, **values)  # type: ignore[arg-type]
            elif staff_edit:
                changes = {n: values[n] for n in TEXT_FIELDS}
                actions.do_edit(user, report, changes, note=request.POST.get("note", ""), expected_version=version)
            else:
                actions.do_update_draft(user, report, expected_version=version, **values)
            if request.POST.get("then") == "submit" and not staff_edit:
                actions.do_submit(user, report)
                messages.success(request, _("Your report has been submitted."))
            else:
                messages.success(request, _("Saved."))
            return redirect("opinions:detail", report.pk)
        except (ValidationError, PermissionDenied) as exc:
            errors = _errors(exc) if isinstance(exc, ValidationError) else [str(exc)]
    target = report.cppcc if report else _writing_cppcc(user, collectives)
    similar = (
        similar_reports(f"{values['title']}\n{values['situation']}", target, exclude_pk=report.pk if report else None)
        if values["title"] and target is not None
        else []
    )
    return render(
        request,
        "opinions/edit.html",
        {
            "report": report,
            "values": values,
            "errors": errors,
            "categories": Category.choices,
            "staff_edit": staff_edit,
            "similar": similar,
            "collectives": [(org, CollectiveKind(kind).label) for org, kind in collectives],
            "is_member": is_member,
            "on_behalf": on_behalf,
        },
    )


def _writing_cppcc(user: Any, collectives: list[tuple[Organisation, str]]) -> Organisation | None:
    """The committee whose reports the similar hints search: the member's own, else the
    one the (first) collective reports to."""
    mine = actions.member_cppccs(user)
    if mine:
        return mine[0]
    return actions.collective_cppcc(*collectives[0]) if collectives else None


@require_safe
@login_required
def similar(request: HttpRequest) -> HttpResponse:
    """The similar-report hints (htmx partial) while a member writes."""
    cppcc = _writing_cppcc(request.user, actions.collectives_for(request.user))
    if cppcc is None:
        raise PermissionDenied(_("Opinion reports are written by CPPCC members."))
    text = f"{request.GET.get('title', '')[:100]}\n{request.GET.get('situation', '')[:3000]}"
    results = similar_reports(text, cppcc, exclude_pk=parse_id(request.GET.get("exclude", "")))
    return render(request, "opinions/_similar.html", {"similar": results})


@require_safe
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    report = _report(request, pk)
    is_staff = transitions.is_info_staff(user, report.cppcc)
    edits = [{"edit": e, "diffs": edit_diffs(e)} for e in report.edits.select_related("editor")]
    leaders = User.objects.none()
    context = {
        "report": report,
        "is_author": report.is_author(user),
        "is_staff": is_staff,
        "may_instruct": report.status != ReportStatus.DRAFT and actions.may_instruct_report(user, report),
        "timeline": history.timeline(report),
        "edits": edits,
        "adoptions": report.adoptions.select_related("cppcc"),
        "instructions": report.instructions.all(),
        "sources": report.sources.select_related("author", "collective") if report.is_combined else [],
        "origins": origins_of(user, report),
        "levels": AdoptionLevel.choices,
        "adoptable": [lv for lv in AdoptionLevel.choices if lv[0] not in {a.level for a in report.adoptions.all()}],
        "leaders": leaders,
        "may_forward": is_staff and report.cppcc.parent_id is not None,
    }
    if context["may_instruct"]:
        context["unit_groups"] = unit_groups(area_units(report.cppcc))
    return render(request, "opinions/detail.html", context)


def unit_groups(units: list[Organisation]) -> list[tuple[str, list[Organisation]]]:
    """``units`` as (kind label, units) groups for the picker's ``<optgroup>``s; the order
    within a group is ``area_units``' (higher levels first)."""
    by_kind: dict[str, list[Organisation]] = {}
    for unit in units:
        by_kind.setdefault(unit.kind, []).append(unit)
    return [(str(OrgKind(kind).label), by_kind[kind]) for kind in UNIT_GROUP_ORDER if kind in by_kind]


def _chosen_units(post: Any, offered: list[Organisation]) -> list[Organisation]:
    """The units ticked in the picker, only among those offered (their ids, in order)."""
    wanted = parse_ids(post.getlist("units"))
    by_id = {u.pk: u for u in offered}
    return [by_id[i] for i in wanted if i in by_id]


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@require_POST
@login_required
def act(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    user = request.user
    report = _report(request, pk)
    post = request.POST
    version = parse_id(post.get("version", ""))
    try:
        if verb == "submit":
            actions.do_submit(user, report)
            messages.success(request, _("Your report has been submitted."))
        elif verb == "delete":
            actions.do_delete_draft(user, report)
            messages.success(request, _("The draft has been deleted."))
            return redirect("opinions:mine")
        elif verb == "receive":
            actions.do_receive(user, report, expected_version=version)
            messages.success(request, _("The report has been received."))
        elif verb == "reject":
            if post.get("confirm") != "yes":
                raise ValidationError({"confirm": [_("Tick the box to confirm.")]})
            actions.do_reject(user, report, reason=post.get("reason", ""), expected_version=version)
            messages.success(request, _("The author has been told the report was not adopted."))
        elif verb == "adopt":
            actions.do_adopt(user, report, level=post.get("level", ""), expected_version=version)
            messages.success(request, _("The report has been adopted."))
        elif verb == "forward":
            actions.do_forward(user, report, note=post.get("note", ""), expected_version=version)
            messages.success(request, _("The report has been forwarded."))
        elif verb == "instruct":
            units = _chosen_units(post, area_units(report.cppcc))
            actions.do_record_instruction(
                user,
                report=report,
                text=post.get("text", ""),
                level=post.get("level", ""),
                leader_name=post.get("leader_name", ""),
                leader_title=post.get("leader_title", ""),
                instructed_on=_date(post.get("instructed_on", "")),
                requires_handling=post.get("requires_handling") == "on",
                units=units,
                deadline=_date(post.get("deadline", "")),
            )
            messages.success(request, _("The instruction has been recorded."))
        else:
            raise Http404
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    return redirect("opinions:detail", report.pk)


@require_POST
@login_required
def answer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    edit_ = get_object_or_404(
        ReportEdit.objects.filter(report__in=OpinionReport.objects.visible_to(request.user)), pk=pk
    )
    try:
        actions.do_respond_edit(
            request.user, edit_, agree=request.POST.get("answer") == "agree", comment=request.POST.get("comment", "")
        )
        messages.success(request, _("Your answer has been sent."))
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    return redirect("opinions:detail", edit_.report_id)


@require_safe
@login_required
def queue(request: HttpRequest) -> HttpResponse:
    cppccs = _staff_cppccs(request.user)
    if not cppccs:
        raise PermissionDenied(_("Only the information office of a CPPCC may do this."))
    status = request.GET.get("status", ReportStatus.SUBMITTED)
    if status not in ReportStatus.values or status == ReportStatus.DRAFT:
        status = ReportStatus.SUBMITTED
    rows = (
        OpinionReport.objects.visible_to(request.user)
        .filter(cppcc__in=cppccs, status=status)
        .select_related("author", "collective", "cppcc")
        .order_by("-submitted_at", "-id")
    )
    counts = dict(
        OpinionReport.objects.filter(cppcc__in=cppccs)
        .exclude(status=ReportStatus.DRAFT)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    tabs = [
        (value, label, counts.get(value, 0)) for value, label in ReportStatus.choices if value != ReportStatus.DRAFT
    ]
    return render(
        request,
        "opinions/queue.html",
        {
            "page": page,
            "status": status,
            "tabs": tabs,
            "categories": Category.choices,
            "mergeable": status in ("submitted", "received", "edited"),
        },
    )


@require_POST
@login_required
def merge(request: HttpRequest) -> HttpResponse:
    ids = parse_ids(request.POST.getlist("reports"))
    sources = list(OpinionReport.objects.visible_to(request.user).filter(pk__in=ids))
    joined = {
        name: "\n\n".join(f"{getattr(s, name)}" for s in sources if getattr(s, name))
        for name in ("situation", "analysis", "suggestion")
    }
    try:
        combined = actions.do_merge(
            request.user,
            sources,
            title=request.POST.get("title", ""),
            category=request.POST.get("category") or (sources[0].category if sources else Category.OTHER),
            **joined,
        )
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
        return redirect(f"{request.META.get('HTTP_REFERER') or '/opinions/desk/'}")
    messages.success(request, _("The combined report has been compiled; edit its text before adopting it."))
    return redirect("opinions:detail", combined.pk)


@require_safe
@login_required
def issues(request: HttpRequest) -> HttpResponse:
    user = request.user
    cppccs = _staff_cppccs(user)
    if not cppccs and Role.LEADER not in user.role_set:  # type: ignore[union-attr]
        raise PermissionDenied(_("Only the information office and leaders read the periodical."))
    rows = Issue.objects.visible_to(user).select_related("cppcc").order_by("-year", "status", "-number", "-id")
    candidates = (
        OpinionReport.objects.filter(adoptions__cppcc__in=cppccs)
        .exclude(issue_items__issue__cppcc__in=cppccs)
        .select_related("author", "collective")
        .distinct()
        .order_by("-id")[:100]
        if cppccs
        else []
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "opinions/issues.html",
        {"page": page, "cppccs": cppccs, "candidates": candidates, "is_leader": Role.LEADER in user.role_set},  # type: ignore[union-attr]
    )


@require_POST
@login_required
def issue_new(request: HttpRequest) -> HttpResponse:
    cppcc = get_object_or_404(Organisation, pk=parse_id(request.POST.get("cppcc", "")) or 0)
    ids = parse_ids(request.POST.getlist("reports"))
    reports = sorted(OpinionReport.objects.visible_to(request.user).filter(pk__in=ids), key=lambda r: ids.index(r.pk))
    try:
        issue = actions.do_create_issue(request.user, cppcc, reports=reports)
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
        return redirect("opinions:issues")
    return redirect("opinions:issue_detail", issue.pk)


@login_required
def issue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    issue = get_object_or_404(Issue.objects.visible_to(user).select_related("cppcc"), pk=pk)
    is_staff = transitions.is_info_staff(user, issue.cppcc)
    if request.method == "POST":
        if not is_staff:
            raise PermissionDenied(_("Only the information office of this CPPCC may do this."))
        try:
            if request.POST.get("step") == "order":
                current = list(issue.items.values_list("report_id", flat=True))
                keep = [i for i in current if request.POST.get(f"drop-{i}") != "on"]
                keep.sort(key=lambda i: (parse_id(request.POST.get(f"pos-{i}", "")) or 999, current.index(i)))
                actions.do_set_issue_reports(user, issue, list(OpinionReport.objects.filter(pk__in=keep).order_by()))
                # keep the chosen order
                actions.do_set_issue_reports(
                    user, issue, sorted(OpinionReport.objects.filter(pk__in=keep), key=lambda r: keep.index(r.pk))
                )
                messages.success(request, _("Saved."))
            elif request.POST.get("step") == "publish":
                leaders = list(User.objects.filter(pk__in=parse_ids(request.POST.getlist("recipients"))))
                actions.do_publish_issue(user, issue, recipients=leaders)
                messages.success(request, _("The issue has been numbered and sent."))
        except ValidationError as exc:
            for message in _errors(exc):
                messages.error(request, message)
        return redirect("opinions:issue_detail", issue.pk)
    items = issue.items.select_related("report", "report__author", "report__collective")
    leaders = (
        User.objects.filter(role_assignments__role=Role.LEADER, role_assignments__is_active=True, is_active=True)
        .distinct()
        .order_by("real_name")[:200]
        if is_staff and issue.status == IssueStatus.DRAFT
        else []
    )
    return render(
        request,
        "opinions/issue_detail.html",
        {
            "issue": issue,
            "items": items,
            "is_staff": is_staff,
            "leaders": leaders,
            "recipients": issue.recipients.all(),
            "is_leader": Role.LEADER in user.role_set,  # type: ignore[union-attr]
            "levels": AdoptionLevel.choices,
        },
    )


@require_safe
@login_required
def issue_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from huying.opinions.pdf import issue_pdf as render_pdf

    issue = get_object_or_404(Issue.objects.visible_to(request.user).select_related("cppcc"), pk=pk)
    response = HttpResponse(render_pdf(issue), content_type="application/pdf")
    name = f"opinion-issue-{issue.year}-{issue.number or 'draft'}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _instructable_proposals(user: Any) -> Any:
    """Key proposals ``user`` may record an instruction on: the proposals staff's (the
    sessions of their committee) and the supervising leader's own."""
    from huying.proposals.models import Proposal

    rows = Proposal.objects.visible_to(user).filter(is_key=True).select_related("session__cppcc", "key_leader")
    keep = [p for p in rows.order_by("-id")[:200] if actions.may_instruct_proposal(user, p)]
    return keep


def _proposal_units(proposals: list[Any]) -> list[Organisation]:
    """The units offered for the key proposals listed: their CPPCCs' ``area_units``."""
    cppccs = {p.session.cppcc_id: p.session.cppcc for p in proposals}
    units: dict[int, Organisation] = {}
    for cppcc in cppccs.values():
        for unit in area_units(cppcc):
            units.setdefault(unit.pk, unit)
    return list(units.values())


@login_required
def proposal_instruction(request: HttpRequest) -> HttpResponse:
    """Record a leader's instruction on a key proposal (proposals staff for a leader, or the
    supervising leader)."""
    user = request.user
    from huying.opinions.apps import _is_cppcc_staff

    if not _is_cppcc_staff(user) and Role.LEADER not in user.role_set:  # type: ignore[union-attr]
        raise PermissionDenied(_("You may not record an instruction on this proposal."))
    proposals = _instructable_proposals(user)
    if request.method == "POST":
        post = request.POST
        chosen = next((p for p in proposals if p.pk == parse_id(post.get("proposal", ""))), None)
        try:
            if chosen is None:
                raise ValidationError({"proposal": [_("Choose a key proposal.")]})
            actions.do_record_instruction(
                user,
                proposal=chosen,
                text=post.get("text", ""),
                level=post.get("level", ""),
                leader_name=post.get("leader_name", ""),
                leader_title=post.get("leader_title", ""),
                instructed_on=_date(post.get("instructed_on", "")),
                requires_handling=post.get("requires_handling") == "on",
                units=_chosen_units(post, area_units(chosen.session.cppcc)),
            )
            messages.success(request, _("The instruction has been recorded."))
            return redirect("opinions:proposal_instruction")
        except ValidationError as exc:
            for message in _errors(exc):
                messages.error(request, message)
    from huying.opinions.models import Instruction

    recent = Instruction.objects.filter(proposal__in=[p.pk for p in proposals]).select_related("proposal")[:50]
    return render(
        request,
        "opinions/proposal_instruction.html",
        {
            "proposals": proposals,
            "levels": AdoptionLevel.choices,
            "recent": recent,
            "unit_groups": unit_groups(_proposal_units(proposals)),
            "is_leader": Role.LEADER in user.role_set,  # type: ignore[union-attr]
        },
    )
