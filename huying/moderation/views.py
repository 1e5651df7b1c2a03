"""Moderation pages: the queue and decisions (moderators), reports (any logged-in person),
the word list and the per-space settings (moderators). Thin: the rules are in
:mod:`huying.moderation.actions`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from huying.core.ratelimit import RateLimited
from huying.moderation import actions
from huying.moderation.access import is_moderator
from huying.moderation.choices import ItemStatus, WordAction
from huying.moderation.models import ModerationItem, SensitiveWord
from huying.moderation.spaces import all_spaces, get_space


def _error_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


@login_required
def open_item(request: HttpRequest, pk: int) -> HttpResponse:
    """Where a notice about a moderation decision leads: the item's page in its space (its
    author and moderators only; anyone else gets 404)."""
    item = actions.access_item(request.user, pk)
    try:
        space = get_space(item.space)
    except LookupError:
        space = None
    url = space.url(item) if space is not None and space.url is not None else ""
    if not url and is_moderator(request.user):
        url = reverse("moderation:queue") + f"?status={item.status}"
    if not url:
        raise Http404(_("No such item."))
    return redirect(url)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    actions.check_moderator(request.user)
    status = request.GET.get("status", ItemStatus.PENDING)
    if status not in ItemStatus.values:
        status = ItemStatus.PENDING
    space = request.GET.get("space", "")
    items = ModerationItem.objects.visible_to(request.user).filter(status=status).select_related("author")
    if space:
        items = items.filter(space=space)
    if status != ItemStatus.PENDING:
        items = items.order_by("-decided_at", "-pk")
    page = Paginator(items, 20).get_page(request.GET.get("page"))
    counts = {s: ModerationItem.objects.filter(status=s).count() for s in ItemStatus.values}
    return render(
        request,
        "moderation/queue.html",
        {
            "page": page,
            "status": status,
            "space": space,
            "spaces": all_spaces(),
            "statuses": [(value, label, counts[value]) for value, label in ItemStatus.choices],
        },
    )


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    item = actions.access_item(request.user, pk)
    decision = request.POST.get("decision", "")
    reason = request.POST.get("reason", "")
    try:
        if decision == "publish":
            actions.do_publish(request.user, item)
        elif decision == "hide":
            actions.do_hide(request.user, item, reason=reason)
        elif decision == "restore":
            actions.do_restore(request.user, item, reason=reason)
        else:
            raise ValidationError(_("Choose a decision."))
        messages.success(request, _("Decision recorded."))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return _back(request, "moderation:queue")


@login_required
@require_POST
def report(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(ModerationItem, pk=pk, status=ItemStatus.PUBLISHED)
    try:
        actions.do_report(request.user, item, reason=request.POST.get("reason", ""))
        messages.success(request, _("Thank you. Moderators will look at it."))
    except (ValidationError, RateLimited) as exc:
        messages.error(request, exc.message if isinstance(exc, RateLimited) else _error_text(exc))
    return _back(request, "core:public")


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    actions.check_moderator(request.user)
    if request.method == "POST":
        try:
            if "space" in request.POST:
                actions.do_set_space(
                    request.user, request.POST["space"], premoderated=request.POST.get("premoderated") == "on"
                )
            else:
                actions.do_add_word(
                    request.user, request.POST.get("word", ""), action=request.POST.get("action", WordAction.REVIEW)
                )
            messages.success(request, _("Saved."))
        except (ValidationError, LookupError) as exc:
            messages.error(request, _error_text(exc) if isinstance(exc, ValidationError) else _("Unknown space."))
        return redirect("moderation:settings")
    spaces = [(s, actions.is_premoderated(s)) for s in all_spaces()]
    words = Paginator(SensitiveWord.objects.all(), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "moderation/settings.html",
        {"spaces": spaces, "words": words, "word_actions": WordAction.choices},
    )


@login_required
@require_POST
def remove_word(request: HttpRequest, pk: int) -> HttpResponse:
    if not actions.is_moderator(request.user):
        raise PermissionDenied
    actions.do_remove_word(request.user, get_object_or_404(SensitiveWord, pk=pk))
    messages.success(request, _("Removed."))
    return redirect("moderation:settings")
