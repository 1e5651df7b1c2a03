"""Intake and tracking pages outside the dispatcher's console: the public report form
(群众随手拍 / 网上诉求, no login), its confirmation, "track my report" (查询我的诉求) with the
caller's rating, the grid inspector's report (网格员上报) and the member's referral
(委员转办). Thin: the rules are in :mod:`huying.workorders.reporting` and
:mod:`huying.workorders.tracking`.

After a successful lookup (number and phone) or submission, the number is remembered in the
session for :data:`TRACK_SESSION_SECONDS`, so the detail page and its rating form need no
phone number in the address (phones stay out of logs and browser history).
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from huying.core.ratelimit import RateLimited
from huying.organisations.models import Organisation
from huying.workorders import actions, reporting, tracking
from huying.workorders.choices import Channel
from huying.workorders.forms import (
    GridReportForm,
    IntakeForm,
    RatingForm,
    ReferralForm,
    ReportForm,
    TrackForm,
)
from huying.workorders.models import WorkOrder

TRACKED_KEY = "workorders_tracked"
REPORTED_KEY = "workorders_reported"
TRACK_SESSION_SECONDS = 30 * 60
GEO_FILE = "geo/guangzhou_districts.geojson"


# --- session memory of the numbers this visitor may see ---------------------------------
def _remember(request: HttpRequest, number: str) -> None:
    now = int(time.time())
    tracked = {n: t for n, t in dict(request.session.get(TRACKED_KEY, {})).items() if t > now}
    tracked[number] = now + TRACK_SESSION_SECONDS
    request.session[TRACKED_KEY] = dict(sorted(tracked.items(), key=lambda item: item[1])[-20:])


def _remembered(request: HttpRequest, number: str) -> bool:
    return int(request.session.get(TRACKED_KEY, {}).get(number, 0)) > time.time()


# --- intake pages ---------------------------------------------------------------------
PAGES: dict[str, dict[str, Any]] = {
    Channel.WEB: {"form": ReportForm, "action": reporting.do_report},
    Channel.GRID: {"form": GridReportForm, "action": reporting.do_grid_report},
    Channel.MEMBER: {"form": ReferralForm, "action": reporting.do_member_referral},
}


def _map_data(districts: list[Organisation]) -> dict[str, Any]:
    return {
        "geo": static(GEO_FILE),
        "districts": {str(d.pk): {"code": d.division_code, "name": reporting.district_label(d)} for d in districts},
    }


def _intake_page(
    request: HttpRequest, channel: str, districts: list[Organisation], initial: dict[str, Any]
) -> HttpResponse:
    page = PAGES[channel]
    form_class: type[IntakeForm] = page["form"]
    status = 200
    had_files = False
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, districts=districts)
        had_files = bool(request.FILES)
        status = 400
        if form.is_valid():
            try:
                if channel == Channel.WEB:
                    reporting.check_report_rate(request)
                result = page["action"](
                    request.user,
                    form.intake_data(),
                    form.uploads(),
                    token=form.cleaned_data["token"],
                    key_field="token",
                )
            except RateLimited as exc:
                form.add_error(None, exc.message)
                status = 429
            except ValidationError as exc:
                form.add_action_errors(exc)
                if "token" in getattr(exc, "error_dict", {}):
                    _renew_token(form, channel)
            else:
                _remember(request, result.order.number)
                request.session[REPORTED_KEY] = result.order.number
                return redirect("workorders:report_done")
        elif "token" in form.errors:
            _renew_token(form, channel)
    else:
        form = form_class(initial={"token": reporting.new_token(channel), **initial}, districts=districts)
    context = {
        "form": form,
        "channel": channel,
        "districts": districts,
        "map_data": _map_data(districts),
        "had_files": had_files and status != 200,
    }
    return render(request, "workorders/public/intake.html", context, status=status)


def _renew_token(form: IntakeForm, channel: str) -> None:
    data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict: immutable, so copied
    data["token"] = reporting.new_token(channel)
    form.data = data


@require_http_methods(["GET", "HEAD", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """The public report form: anyone, no login needed (a logged-in person finds their
    name and mobile filled in)."""
    user: Any = request.user
    initial = {"caller_name": user.real_name, "caller_phone": user.mobile} if user.is_authenticated else {}
    return _intake_page(request, Channel.WEB, reporting.public_districts(), initial)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def grid_report(request: HttpRequest) -> HttpResponse:
    """网格员上报: street and community handlers, unit staff, dispatchers, administrators;
    the district, street and community come from the person's organisation."""
    user: Any = request.user
    actions.check_may_intake(user, Channel.GRID)
    place = reporting.grid_place(user)
    initial = {key: org.pk for key, org in place.items() if org is not None}
    return _intake_page(request, Channel.GRID, reporting.grid_districts(user), initial)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def member_referral(request: HttpRequest) -> HttpResponse:
    """委员转办: CPPCC members refer a problem someone raised with them."""
    actions.check_may_intake(request.user, Channel.MEMBER)
    return _intake_page(request, Channel.MEMBER, reporting.public_districts(), {})


@require_safe
def report_done(request: HttpRequest) -> HttpResponse:
    number = request.session.get(REPORTED_KEY)
    order = WorkOrder.objects.filter(number=number).first() if number else None
    if order is None:
        return redirect("workorders:report")
    return render(request, "workorders/public/done.html", {"order": order})


# --- tracking -------------------------------------------------------------------------
@require_http_methods(["GET", "HEAD", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """查询我的诉求: the number and the phone given with the report. Rate limited per client
    address and per number; the same "not found" whatever was wrong."""
    status = 200
    if request.method == "POST":
        form = TrackForm(request.POST)
        status = 400
        if form.is_valid():
            number = form.cleaned_data["number"].strip()
            try:
                tracking.check_lookup_rate(request, number)
            except RateLimited as exc:
                form.add_error(None, exc.message)
                status = 429
            else:
                order = tracking.find_order(number, form.cleaned_data["phone"])
                if order is not None:
                    _remember(request, order.number)
                    return redirect("workorders:track_detail", number=order.number)
                form.add_error(None, str(tracking.NOT_FOUND))
                status = 404
    else:
        form = TrackForm(initial={"number": request.GET.get("number", "")[:40]})
    return render(request, "workorders/public/track.html", {"form": form}, status=status)


def _tracked_order(request: HttpRequest, number: str) -> WorkOrder | None:
    """The order this visitor may follow: one looked up (or reported) in this session, or
    one the logged-in person reported themselves."""
    orders = WorkOrder.objects.select_related("category", "parent__category")
    user: Any = request.user
    if user.is_authenticated:
        own = orders.filter(number=number, created_by=user).first()
        if own is not None:
            return own
    if not _remembered(request, number):
        return None
    order = orders.filter(number=number).first()
    if order is None:
        raise Http404(str(tracking.NOT_FOUND))
    return order


MY_REPORTS_PAGE_SIZE = 20


@require_safe
@login_required
def my_reports(request: HttpRequest) -> HttpResponse:
    """我的诉求: the reports the logged-in person made (any channel), newest first, with
    their public status and a link to follow each."""
    orders = tracking.reported_by(request.user)
    page = Paginator(orders, MY_REPORTS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "workorders/public/my_reports.html", {"page": page})


def _detail(request: HttpRequest, order: WorkOrder, form: RatingForm, status: int = 200) -> HttpResponse:
    context = {"state": tracking.tracked(order), "order": order, "rating_form": form}
    return render(request, "workorders/public/track_detail.html", context, status=status)


def _back_to_lookup(number: str) -> HttpResponse:
    return redirect(f"{reverse('workorders:track')}?number={number}")


@require_safe
def track_detail(request: HttpRequest, number: str) -> HttpResponse:
    order = _tracked_order(request, number)
    if order is None:
        return _back_to_lookup(number)
    return _detail(request, order, RatingForm())


@require_POST
def track_rate(request: HttpRequest, number: str) -> HttpResponse:
    """The caller's satisfaction rating, once the report is resolved (see
    :func:`huying.workorders.tracking.do_rate_as_caller`)."""
    order = _tracked_order(request, number)
    if order is None:
        return _back_to_lookup(number)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            tracking.do_rate_as_caller(
                order,
                rating=form.cleaned_data["rating"],
                solved=form.solved_value(),
                comment=form.cleaned_data["comment"],
                rater=request.user,
            )
        except ValidationError as exc:
            for field, texts in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, texts)
        else:
            messages.success(request, _("Thank you: your rating has been recorded."))
            return redirect("workorders:track_detail", number=order.number)
    return _detail(request, order, form, status=400)
