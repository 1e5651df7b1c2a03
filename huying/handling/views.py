"""Pages of the notification centre (消息中心) under /notifications/ and of the shared inbox
(待办) under /inbox/. Thin: reads through
:mod:`huying.handling.centre` (``Notification.objects.visible_to``), writes through
:mod:`huying.handling.actions`. Reading a page never changes anything; opening a
notification (which marks it read) and "mark all read" are POSTs."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from huying.core.params import parse_id
from huying.handling import actions, centre, steps
from huying.handling import inbox as inbox_rows
from huying.handling.choices import Status
from huying.handling.models import Assignment, ExtensionRequest, Notification
from huying.handling.policy import STAFF_ROLES, policy_for


@require_safe
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    show = "unread" if request.GET.get("show") == "unread" else "all"
    rows = centre.notifications_for(user, unread_only=show == "unread")
    page = Paginator(rows, centre.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "items": centre.with_links(user, page.object_list),  # type: ignore[arg-type]
        "show": show,
        "query": f"show={show}",
        "unread": centre.unread_count(user),
    }
    return render(request, "handling/notifications.html", context)


@require_safe
def badge(request: HttpRequest) -> HttpResponse:
    """The unread count in the header, fetched by htmx after the page has loaded (so no
    page pays for it). Nothing (204) for visitors who are not logged in."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    response = render(request, "handling/_badge.html", {"count": centre.unread_count(request.user)})
    response["Cache-Control"] = "no-store"
    return response


def _visible(request: HttpRequest, pk: int) -> Notification:
    notification = centre.notifications_for(request.user).filter(pk=pk).first()
    if notification is None:
        raise Http404(_("There is no such notification, or it is not addressed to you."))
    return notification


@require_POST
@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and go to its case; without a case page for this person,
    back to the list."""
    notification = _visible(request, pk)
    actions.do_mark_notification_read(request.user, notification)
    url = centre.link_of(request.user, notification)  # type: ignore[arg-type]
    if url:
        return redirect(url)
    messages.info(request, _("This notification has no page to open; it is marked read."))
    return redirect(_back(request))


@require_POST
@login_required
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = actions.do_mark_all_notifications_read(request.user)
    if count:
        messages.success(
            request,
            ngettext("%(count)s notification marked read.", "%(count)s notifications marked read.", count)
            % {"count": count},
        )
    else:
        messages.info(request, _("There were no unread notifications."))
    return redirect(_back(request))


def _back(request: HttpRequest) -> str:
    """The list page the form was on (``next``), if it is one of ours."""
    target = request.POST.get("next", "")
    if target.startswith(reverse("handling:notifications")) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "handling:notifications"


# --- the shared inbox (待办) ---------------------------------------------------------------
def _require_staff(user: Any) -> None:
    """The inbox is for the staff of units and offices; members and the public have none."""
    if not (user.is_administrator or any(role.role in STAFF_ROLES for role in user.active_roles)):
        raise PermissionDenied(_("The inbox is open only to the staff of handling units and offices."))


STATE_FILTERS = ("open", "all")


@require_safe
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The assignments of every workflow the person may read (their units', and those their
    office supervises), newest first or by deadline: one card a row, tabs by workflow,
    filters by state and overdue. The generic steps post to :func:`act`."""
    user = request.user
    _require_staff(user)
    get = request.GET
    known = dict(inbox_rows.workflows())
    workflow = get.get("workflow", "")
    workflow = workflow if workflow in known else ""
    state = get.get("state", "open")
    state = state if state in STATE_FILTERS or state in Status.values else "open"
    overdue = get.get("overdue") == "1"
    order = "due" if get.get("order") == "due" else "newest"
    now = timezone.now()
    common: dict[str, Any] = {
        "statuses": [state] if state in Status.values else (),
        "open_only": state == "open",
        "overdue": True if overdue else None,
        "now": now,
    }
    counts = dict(
        inbox_rows.assignments_for(user, **common)
        .order_by()
        .values_list("workflow")
        .annotate(n=Count("id"))
        .values_list("workflow", "n")
    )
    rows = inbox_rows.assignments_for(user, workflow=workflow, order=order, **common)
    page = Paginator(rows, inbox_rows.PAGE_SIZE).get_page(get.get("page"))
    items = [
        (row, steps.allowed_steps(user, row.assignment, has_pending=False))
        for row in inbox_rows.rows_for(user, page.object_list, now)
    ]
    params = {"workflow": workflow, "state": state, "overdue": "1" if overdue else "", "order": order}
    query = urlencode({k: v for k, v in params.items() if v})
    tab_params = {k: v for k, v in params.items() if v and k != "workflow"}
    tabs = [("", _("All"), sum(counts.values()))] + [(w, label, counts.get(w, 0)) for w, label in known.items()]
    context = {
        "page": page,
        "items": items,
        "tabs": [(w, label, n, urlencode({**tab_params, **({"workflow": w} if w else {})})) for w, label, n in tabs],
        "workflow": workflow,
        "state": state,
        "overdue": overdue,
        "order": order,
        "query": query,
        "status_choices": [(s, label) for s, label in Status.choices],
    }
    return render(request, "handling/inbox.html", context)


# Words the two workflows' old forms used for a step.
STEP_ALIASES = {"extend": "extension", "overrule_objection": "overrule", "request_extension": "extension"}

DONE = {
    "accept": _lazy("Accepted."),
    "return": _lazy("Returned to the supervising office."),
    "object": _lazy("Your objection has been sent to the supervising office."),
    "extension": _lazy("Extension requested."),
    "progress": _lazy("Progress note added."),
    "escalate": _lazy("Called up to the next tier."),
    "urge": _lazy("The urging notice has been sent."),
    "reassign": _lazy("Reassigned."),
    "cancel": _lazy("The assignment has been withdrawn."),
    "decide_extension": _lazy("The extension request has been decided."),
    "overrule": _lazy("The objection has been overruled."),
}


@require_POST
@login_required
def act(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """The one form target of the generic steps on an assignment of any workflow: the same
    switch as ``/api/v1/assignments`` (:func:`huying.handling.steps.perform`). An
    assignment the person may not read is 404; a step they have no right to is 403; both
    change nothing. Returns to the page the form was posted from (``next``), else the
    workflow's page of the assignment."""
    user = request.user
    step = STEP_ALIASES.get(step, step)
    if step not in steps.STEP_MOVES:
        raise Http404(_("Unknown action."))
    _require_staff(user)
    assignment = (
        Assignment.objects.visible_to(user)  # type: ignore[arg-type]
        .select_related("unit", "owner", "case_type")
        .filter(pk=pk)
        .first()
    )
    if assignment is None:
        raise Http404(_("There is no such assignment, or you may not see it."))
    back = _act_back(request, assignment)
    post = request.POST
    steps.check_step_right(user, assignment, step)  # 403 before anything else is looked at
    if step in steps.DESTRUCTIVE_STEPS and post.get("confirm") != "1":
        messages.error(request, _("Tick the box to confirm this step; nothing was changed."))
        return redirect(back)
    decision = post.get("decision", "")
    try:
        steps.perform(
            user,
            assignment,
            step,
            note=post.get("note", ""),
            reason=post.get("reason", ""),
            text=post.get("text", ""),
            until=steps.parse_deadline(post.get("until", "")),
            to_unit=parse_id(post.get("to_unit")),
            approve={"approve": True, "refuse": False}.get(decision),
            extension=ExtensionRequest.objects.filter(
                pk=parse_id(post.get("extension")) or 0, assignment=assignment
            ).first(),
            version=parse_id(post.get("version")),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(back)
    messages.success(request, DONE[step])
    return redirect(back)


def _act_back(request: HttpRequest, assignment: Assignment) -> str:
    """The page the form was on (``next``, if it is one of ours), else the workflow's page
    of the assignment, else the inbox."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    page = policy_for(assignment.workflow).assignment_page
    return reverse(page, args=[assignment.pk]) if page else reverse("handling:inbox")
