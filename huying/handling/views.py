"""Pages of the notification centre (消息中心) under /notifications/. Thin: reads through
:mod:`huying.handling.centre` (``Notification.objects.visible_to``), writes through
:mod:`huying.handling.actions`. Reading a page never changes anything; opening a
notification (which marks it read) and "mark all read" are POSTs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from huying.handling import actions, centre
from huying.handling.models import Notification


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
