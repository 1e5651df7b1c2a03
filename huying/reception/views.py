"""委员会客室 pages, phone first: the session list (live, upcoming, past), a session's
questions and answers with the ask form, the host's console (answer, adopt, turn into
drafts), the member's own sessions, the asker's questions and the staff's management page.
Reading published Q&A is open to everyone, anonymous visitors included. Thin: the rules
are in :mod:`huying.reception.actions`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from huying.core.ratelimit import RateLimited
from huying.core.view_errors import field_errors, flash_error
from huying.moderation.choices import ItemStatus
from huying.reception import actions
from huying.reception.choices import Phase, SessionStatus
from huying.reception.models import Question, ReceptionSession

PAGE_SIZE = 10
SESSION_FIELDS = ("theme", "description", "starts_at", "ends_at")


def _parse_time(value: str) -> datetime | None:
    parsed = parse_datetime(value or "")
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _session_values(request: HttpRequest) -> dict[str, str]:
    return {k: request.POST.get(k, "") for k in (*SESSION_FIELDS, "host")}


def _create_from_post(request: HttpRequest, host: Any) -> tuple[ReceptionSession | None, dict[str, list[str]]]:
    values = _session_values(request)
    try:
        session = actions.do_create_session(
            request.user,
            host=host,
            theme=values["theme"],
            description=values["description"],
            starts_at=_parse_time(values["starts_at"]),
            ends_at=_parse_time(values["ends_at"]),
        )
    except ValidationError as exc:
        return None, field_errors(exc)
    messages.success(request, _("The session is scheduled."))
    return session, {}


# --- public -------------------------------------------------------------------------------
@require_safe
def sessions(request: HttpRequest) -> HttpResponse:
    visible = ReceptionSession.objects.visible_to(request.user).select_related("host", "cppcc").with_counts()
    past = Paginator(visible.phase(Phase.PAST), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reception/sessions.html",
        {
            "live": list(visible.phase(Phase.LIVE)[:20]),
            "upcoming": list(visible.phase(Phase.UPCOMING)[:20]),
            "page": past,
            "now": timezone.now(),
            "is_member": bool(actions.member_cppccs(request.user)),
        },
    )


@require_safe
def session(request: HttpRequest, pk: int) -> HttpResponse:
    s = actions.access_session(request.user, pk)
    questions = list(actions.questions_for(request.user, s))
    published = [q for q in questions if q.moderation.status == ItemStatus.PUBLISHED]
    mine = [q for q in questions if q.moderation.status != ItemStatus.PUBLISHED]
    user = request.user
    host = actions.is_host(user, s)
    for q in published:
        # What became of an adopted question: for its asker and the host.
        if q.adopted_at and (host or q.author_id == user.pk):
            q.outcome_list = actions.outcomes(q)  # type: ignore[attr-defined]
    return render(
        request,
        "reception/session.html",
        {
            "s": s,
            "published": published,
            "mine": mine,
            "accepts": s.accepts_questions(),
            "verified": getattr(user, "is_real_name_verified", False),
            "is_host": host,
            "may_manage": actions.may_manage(user, s),
            "answered": sum(1 for q in published if _has_answer(q)),
        },
    )


def _has_answer(q: Question) -> bool:
    return actions._answer_of(q) is not None


@login_required
@require_POST
def ask(request: HttpRequest, pk: int) -> HttpResponse:
    s = actions.access_session(request.user, pk)
    try:
        q = actions.do_ask(request.user, s, body=request.POST.get("body", ""))
    except (ValidationError, PermissionDenied, RateLimited) as exc:
        flash_error(request, exc)
        return redirect("reception:session", pk)
    if q.moderation.status == ItemStatus.PUBLISHED:
        messages.success(request, _("Your question is published."))
    else:
        messages.success(request, _("Thank you. Your question will appear once a moderator has checked it."))
    return redirect("reception:session", pk)


@login_required
@require_safe
def my_questions(request: HttpRequest) -> HttpResponse:
    items = (
        Question.objects.filter(author_id=request.user.pk)
        .select_related("session__host", "moderation", "answer")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(q, actions.outcomes(q) if q.adopted_at else []) for q in page.object_list]
    return render(request, "reception/my_questions.html", {"page": page, "rows": rows})


# --- the host -------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def mine(request: HttpRequest) -> HttpResponse:
    """The member's own sessions, and the form to schedule one."""
    if not actions.member_cppccs(request.user):
        raise PermissionDenied(_("Only CPPCC members host reception sessions."))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        created, errors = _create_from_post(request, request.user)
        if created is not None:
            return redirect("reception:console", created.pk)
    items = ReceptionSession.objects.filter(host_id=request.user.pk).with_counts().order_by("-starts_at", "-pk")
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reception/mine.html",
        {"page": page, "errors": errors, "values": _session_values(request)},
        status=422 if errors else 200,
    )


@login_required
@require_safe
def console(request: HttpRequest, pk: int) -> HttpResponse:
    """The host's answer console: unanswered questions first, answers to edit, adoption."""
    s = actions.access_session(request.user, pk)
    if not actions.is_host(request.user, s):
        raise PermissionDenied(_("Only the host member of this session may do this."))
    questions = [q for q in actions.questions_for(request.user, s) if q.moderation.status == ItemStatus.PUBLISHED]
    unanswered = [q for q in questions if not _has_answer(q)]
    answered = [q for q in questions if _has_answer(q)]
    adopted = [q for q in questions if q.adopted_at]
    for q in adopted:
        q.outcome_list = actions.outcomes(q)  # type: ignore[attr-defined]
    from huying.proposals.actions.drafts import is_member_of
    from huying.proposals.models import Session

    proposal_sessions = [
        ps for ps in Session.objects.select_related("cppcc").order_by("-pk")[:20] if is_member_of(request.user, ps)
    ]
    return render(
        request,
        "reception/console.html",
        {
            "s": s,
            "unanswered": unanswered,
            "answered": answered,
            "adopted": adopted,
            "editable": s.status == SessionStatus.OPEN,
            "proposal_sessions": proposal_sessions,
        },
    )


def _question_for_post(request: HttpRequest, pk: int) -> Question:
    return actions.access_question(request.user, pk)


def _back(request: HttpRequest, q: Question) -> HttpResponse:
    if request.POST.get("next") == "console":
        return redirect("reception:console", q.session_id)
    return redirect(q.get_absolute_url())


@login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    q = _question_for_post(request, pk)
    try:
        actions.do_answer(request.user, q, body=request.POST.get("body", ""))
        messages.success(request, _("Your answer is saved."))
    except (ValidationError, PermissionDenied) as exc:
        flash_error(request, exc)
    return _back(request, q)


@login_required
@require_POST
def adopt(request: HttpRequest, pk: int) -> HttpResponse:
    q = _question_for_post(request, pk)
    try:
        actions.do_adopt(request.user, q)
        messages.success(request, _("The question is adopted. You may turn it into a proposal or a report draft."))
    except (ValidationError, PermissionDenied) as exc:
        flash_error(request, exc)
    return _back(request, q)


@login_required
@require_POST
def hide(request: HttpRequest, pk: int) -> HttpResponse:
    q = _question_for_post(request, pk)
    try:
        actions.do_hide_question(request.user, q, reason=request.POST.get("reason", ""))
        messages.success(request, _("The question is hidden."))
    except (ValidationError, PermissionDenied) as exc:
        flash_error(request, exc)
    return _back(request, q)


@login_required
@require_POST
def convert(request: HttpRequest, pk: int) -> HttpResponse:
    """Adopted questions of a session into a new proposal or opinion-report draft."""
    from huying.proposals.models import Session

    s = actions.access_session(request.user, pk)
    ids = [int(x) for x in request.POST.getlist("question") if x.isdigit() and len(x) < 12][:50]
    chosen = list(
        Question.objects.visible_to(request.user)
        .filter(session=s, pk__in=ids)
        .select_related("session", "moderation", "answer")
    )
    title = request.POST.get("title", "")
    try:
        if request.POST.get("target") == "report":
            report = actions.do_convert_to_report(request.user, chosen, title=title)
            messages.success(
                request, _("An opinion-report draft was made from the questions. Complete it and submit it.")
            )
            return redirect("opinions:detail", report.pk)
        session_id = request.POST.get("session", "")
        proposal_session = (
            Session.objects.filter(pk=int(session_id)).first()
            if session_id.isdigit() and len(session_id) < 12
            else None
        )
        if proposal_session is None:
            raise ValidationError({"session": [_("Choose the session of the proposal.")]})
        proposal = actions.do_convert_to_proposal(request.user, chosen, session=proposal_session, title=title)
    except (ValidationError, PermissionDenied) as exc:
        flash_error(request, exc)
        return redirect("reception:console", pk)
    messages.success(request, _("A proposal draft was made from the questions. Complete it and submit it."))
    return redirect("proposals:detail", proposal.pk)


@login_required
@require_POST
def move(request: HttpRequest, pk: int) -> HttpResponse:
    s = actions.access_session(request.user, pk)
    name = request.POST.get("move", "")
    try:
        if name == "open":
            actions.do_open_session(request.user, s)
            messages.success(request, _("The session is open for questions."))
        elif name == "close":
            actions.do_close_session(request.user, s)
            messages.success(request, _("The session has ended. Its questions and answers stay readable."))
        elif name == "cancel":
            actions.do_cancel_session(request.user, s, reason=request.POST.get("reason", ""))
            messages.success(request, _("The session is cancelled."))
    except (ValidationError, PermissionDenied) as exc:
        flash_error(request, exc)
    nxt = request.POST.get("next", "")
    if nxt == "manage":
        return redirect("reception:manage")
    if nxt == "console":
        return redirect("reception:console", pk)
    return redirect("reception:session", pk)


# --- staff --------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest) -> HttpResponse:
    """Agency staff of a CPPCC (and administrators): schedule sessions for members, open,
    close, cancel them; the moderation queue decides what is published."""
    user = request.user
    if not actions.is_staff_manager(user):
        raise PermissionDenied(_("Only the agency staff of a CPPCC may manage reception sessions."))
    hosts = actions.hosts_for(user)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        host_id = request.POST.get("host", "")
        host = hosts.filter(pk=int(host_id)).first() if host_id.isdigit() and len(host_id) < 12 else None
        if host is None:
            errors = {"host": [_("Choose the host member.")]}
        else:
            created, errors = _create_from_post(request, host)
            if created is not None:
                return redirect("reception:manage")
    items = ReceptionSession.objects.visible_to(user).select_related("host", "cppcc").with_counts()
    if not getattr(user, "is_administrator", False):
        condition = Q(pk__in=[])
        for path in actions.staff_cppcc_paths(user):
            condition |= Q(cppcc__path__startswith=path)
        items = items.filter(condition)
    status = request.GET.get("status", "")
    if status in SessionStatus.values:
        items = items.filter(status=status)
    page = Paginator(items.order_by("-starts_at", "-pk"), PAGE_SIZE * 2).get_page(request.GET.get("page"))
    pending = Question.objects.filter(moderation__status=ItemStatus.PENDING, session__in=items.values("pk")).count()
    return render(
        request,
        "reception/manage.html",
        {
            "page": page,
            "errors": errors,
            "values": _session_values(request),
            "hosts": list(hosts[:300]),
            "statuses": SessionStatus.choices,
            "status": status,
            "pending": pending,
            "page_query": f"status={status}" if status else "",
        },
        status=422 if errors else 200,
    )
