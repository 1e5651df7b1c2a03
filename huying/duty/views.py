"""Pages of the duty record (我的履职): the member's record, ledger and yearly report (also
read by the staff and leaders who manage the member), the rankings and their export, and
the points rules. Thin: reads come from :mod:`huying.duty.queries`, writes from
:mod:`huying.duty.actions`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from huying.accounts.models import User
from huying.duty import access, exports, queries
from huying.duty.actions import do_delete_rule, do_save_rule
from huying.duty.choices import ScopeKind
from huying.duty.forms import RankingForm, RecordFilterForm, RuleForm
from huying.duty.models import DutyEntry, PointRule

PAGE_SIZE = 30
RANKING_PAGE_SIZE = 50


def access_member(request: HttpRequest, pk: int | None) -> Any:
    """The member whose record is read: the viewer himself, or one he manages (404 else)."""
    user = request.user
    if pk is None or pk == user.pk:
        return user
    member = User.objects.filter(pk=pk).first()
    if member is None or not access.may_read_member(user, member):
        raise Http404(_("No such member."))
    return member


def _context(request: HttpRequest, member: Any) -> dict[str, Any]:
    own = member.pk == request.user.pk
    return {
        "member": member,
        "own": own,
        "active_area": "duty" if own else "console",
        "member_pk": None if own else member.pk,
    }


@require_safe
@login_required
def record(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The timeline (newest first, by month) with the list filters, and the year's figures."""
    member = access_member(request, pk)
    form = RecordFilterForm(request.GET or None)
    filters = form.filters()
    page = Paginator(queries.entries(member, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    year = filters.year or timezone.localdate().year
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "duty/record.html",
        {
            **_context(request, member),
            "form": form,
            "page": page,
            "months": queries.timeline(list(page.object_list), request.user),
            "figures": queries.year_figures(member, year),
            "years": queries.member_years(member),
            "page_query": query.urlencode(),
        },
    )


def _year(request: HttpRequest, year: int | None) -> int:
    year = year or timezone.localdate().year
    if not 2000 <= year <= 2100:
        raise Http404(_("No such year."))
    return year


@require_safe
@login_required
def ledger(request: HttpRequest, year: int | None = None, pk: int | None = None) -> HttpResponse:
    """The points ledger of a year: every act with its points, and the totals per kind."""
    member = access_member(request, pk)
    year = _year(request, year)
    rows = list(
        DutyEntry.objects.visible_to(request.user).filter(member=member, year=year).order_by("occurred_at", "id")
    )
    lines = [(row, queries.kind_label(row.kind), queries.qualifier_label(row.kind, row.qualifier)) for row in rows]
    return render(
        request,
        "duty/ledger.html",
        {
            **_context(request, member),
            "year": year,
            "lines": lines,
            "figures": queries.year_figures(member, year),
            "years": sorted({*queries.member_years(member), timezone.localdate().year}, reverse=True),
        },
    )


@require_safe
@login_required
def report(request: HttpRequest, year: int, pk: int | None = None) -> HttpResponse:
    member = access_member(request, pk)
    year = _year(request, year)
    return render(request, "duty/report.html", {**_context(request, member), **exports.report_context(member, year)})


@require_safe
@login_required
def report_pdf(request: HttpRequest, year: int, pk: int | None = None) -> FileResponse:
    member = access_member(request, pk)
    year = _year(request, year)
    return FileResponse(
        exports.report_pdf(member, year),
        as_attachment=True,
        filename=f"duty-report-{year}-{member.pk}.pdf",
        content_type="application/pdf",
    )


def _ranking(request: HttpRequest) -> dict[str, Any]:
    if not access.manages_members(request.user):
        raise PermissionDenied(_("Rankings are open to CPPCC staff, CPPCC leaders and administrators."))
    scopes = access.ranking_scopes(request.user)
    form = RankingForm(request.GET or None)
    values = form.values()
    options = scopes.get(values["scope"], [])
    if not options:
        values["scope"] = next((s for s in ScopeKind.values if scopes.get(s)), ScopeKind.CPPCC)
        options = scopes.get(values["scope"], [])
    target = next((o for o in options if o.pk == values["target"]), options[0] if options else None)
    if values["target"] and (target is None or target.pk != values["target"]):
        raise Http404(_("No such group of members."))
    members = queries.ranking(request.user, values["scope"], target, values["year"]) if target else User.objects.none()
    if values["flagged_only"]:
        members = queries.below(members, values["threshold"])
    return {"scopes": scopes, "form": form, "values": values, "target": target, "members": members}


@require_safe
@login_required
def rankings(request: HttpRequest) -> HttpResponse:
    data = _ranking(request)
    page = Paginator(data["members"], RANKING_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    roles = queries.describe_members(rows)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "duty/rankings.html",
        {
            **data,
            "page": page,
            "rows": [(user, roles.get(user.pk), user.points < data["values"]["threshold"]) for user in rows],
            "page_query": query.urlencode(),
            "scope_choices": ScopeKind.choices,
            "active_area": "console",
        },
    )


@require_safe
@login_required
def rankings_export(request: HttpRequest) -> FileResponse:
    data = _ranking(request)
    if data["target"] is None:
        raise Http404(_("No such group of members."))
    return FileResponse(
        exports.rankings_xlsx(request.user, data),
        as_attachment=True,
        filename=f"duty-ranking-{data['values']['year']}-{timezone.localtime():%Y%m%d-%H%M%S}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _rules_allowed(request: HttpRequest) -> None:
    if not access.may_edit_rules(request.user):
        raise PermissionDenied(_("Only the province CPPCC's staff may change the points rules."))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def rules(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The rules table, with the form to add a rule (or change the rule ``pk``)."""
    _rules_allowed(request)
    rule = get_object_or_404(PointRule, pk=pk) if pk else None
    initial = (
        {f: getattr(rule, f) for f in ("kind", "qualifier", "points", "valid_from", "valid_to", "note")} if rule else {}
    )
    form = RuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            do_save_rule(request.user, rule, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The rule is saved and the points are recomputed."))
            return redirect("duty:rules")
    rows = [
        (r, queries.kind_label(r.kind), queries.qualifier_label(r.kind, r.qualifier))
        for r in PointRule.objects.order_by("kind", "qualifier", "valid_from")
    ]
    return render(request, "duty/rules.html", {"form": form, "rule": rule, "rows": rows, "active_area": "console"})


@require_POST
@login_required
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _rules_allowed(request)
    do_delete_rule(request.user, get_object_or_404(PointRule, pk=pk))
    messages.success(request, _("The rule is deleted and the points are recomputed."))
    return redirect("duty:rules")
