"""互动 pages, phone first: public suggestions (list, detail, submit, mine, follow, adopt)
and opinion debates (list, detail with the chart, vote, argue, like; staff management and
export). Reading published content is open to everyone, anonymous visitors included.
Thin: the rules are in :mod:`huying.interaction.actions`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from huying.audit.actions import record
from huying.core.ratelimit import RateLimited
from huying.core.view_errors import field_errors, flash_error
from huying.interaction import actions
from huying.interaction.choices import DebateStatus, Side, SuggestionCategory
from huying.interaction.exports import debate_xlsx
from huying.interaction.models import Argument, Debate, Suggestion, SuggestionFollow, SuggestionPhoto
from huying.moderation.access import is_moderator
from huying.moderation.choices import ItemStatus

PAGE_SIZE = 20
STYLES = "css/interaction.css"


# --- suggestions ------------------------------------------------------------------------
@require_safe
def suggestions(request: HttpRequest) -> HttpResponse:
    items = Suggestion.objects.published().select_related("author")
    category = request.GET.get("category", "")
    if category in SuggestionCategory.values:
        items = items.filter(category=category)
    if request.GET.get("following") and request.user.is_authenticated:
        items = items.filter(follows__user=request.user)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "interaction/suggestions.html",
        {
            "page": page,
            "category": category,
            "categories": SuggestionCategory.choices,
            "stats": actions.statistics(),
            "may_adopt": actions.may_adopt(request.user),
            "page_query": f"category={category}" if category else "",
        },
    )


@require_safe
def suggestion(request: HttpRequest, pk: int) -> HttpResponse:
    item = actions.access_suggestion(request.user, pk)
    following = (
        request.user.is_authenticated and SuggestionFollow.objects.filter(suggestion=item, user=request.user).exists()
    )
    context: dict[str, Any] = {
        "s": item,
        "photos": list(item.photos.all()),
        "following": following,
        "outcomes": actions.outcomes(item),
        "may_adopt": actions.may_adopt(request.user) and item.moderation.status == ItemStatus.PUBLISHED,
        "is_author": request.user.is_authenticated and item.author_id == request.user.pk,
    }
    if context["may_adopt"]:
        context["sessions"] = _member_sessions(request.user)
    return render(request, "interaction/suggestion.html", context)


def _member_sessions(user: Any) -> list[Any]:
    from huying.proposals.actions.drafts import is_member_of
    from huying.proposals.models import Session

    return [s for s in Session.objects.select_related("cppcc").order_by("-pk")[:20] if is_member_of(user, s)]


@login_required
@require_http_methods(["GET", "POST"])
def submit_suggestion(request: HttpRequest) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    values = {"title": "", "body": "", "category": "", "place": ""}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in values}
        try:
            s = actions.do_submit_suggestion(request.user, photos=request.FILES.getlist("photos"), **values)
        except ValidationError as exc:
            errors = field_errors(exc)
        except RateLimited as exc:
            errors = {"form": [exc.message]}
        else:
            if s.moderation.status == ItemStatus.PUBLISHED:
                messages.success(request, _("Thank you. Your suggestion is published."))
            else:
                messages.success(request, _("Thank you. Your suggestion will appear once a moderator has checked it."))
            return redirect("interaction:suggestion", s.pk)
    return render(
        request,
        "interaction/submit.html",
        {
            "errors": errors,
            "values": values,
            "categories": SuggestionCategory.choices,
            "verified": getattr(request.user, "is_real_name_verified", False),
        },
        status=422 if errors else 200,
    )


@login_required
@require_safe
def my_suggestions(request: HttpRequest) -> HttpResponse:
    items = Suggestion.objects.filter(author_id=request.user.pk).select_related("moderation")
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(s, actions.outcomes(s)) for s in page.object_list]
    return render(request, "interaction/my_suggestions.html", {"page": page, "rows": rows})


@login_required
@require_POST
def follow(request: HttpRequest, pk: int) -> HttpResponse:
    item = actions.access_suggestion(request.user, pk)
    try:
        actions.do_follow(request.user, item, follow=request.POST.get("follow") != "0")
    except (ValidationError, PermissionDenied) as exc:
        flash_error(request, exc)
    return redirect("interaction:suggestion", pk)


@login_required
@require_POST
def adopt(request: HttpRequest) -> HttpResponse:
    """One or several suggestions into a new proposal draft of the member."""
    from huying.proposals.models import Session

    raw = request.POST.getlist("suggestion") + request.POST.get("more", "").replace(",", " ").split()
    ids = list(dict.fromkeys(int(x) for x in raw if x.isdigit() and len(x) < 12))[:50]
    chosen = list(Suggestion.objects.visible_to(request.user).filter(pk__in=ids).select_related("moderation"))
    session_id = request.POST.get("session", "")
    session = (
        Session.objects.filter(pk=int(session_id)).first() if session_id.isdigit() and len(session_id) < 12 else None
    )
    back = reverse("interaction:suggestion", args=[ids[0]]) if ids else reverse("interaction:suggestions")
    try:
        if request.POST.get("target") == "report":
            report = actions.do_adopt_into_report(request.user, chosen, title=request.POST.get("title", ""))
        else:
            proposal = actions.do_adopt_into_proposal(
                request.user, chosen, session=session, title=request.POST.get("title", "")
            )
    except (ValidationError, PermissionDenied) as exc:
        flash_error(request, exc)
        return redirect(back)
    if request.POST.get("target") == "report":
        messages.success(
            request, _("An opinion-report draft was made from the suggestions. Complete it and submit it.")
        )
        return redirect("opinions:detail", report.pk)
    messages.success(request, _("A proposal draft was made from the suggestions. Complete it and submit it."))
    return redirect("proposals:detail", proposal.pk)


@require_safe
def photo(request: HttpRequest, pk: int) -> FileResponse:
    item = get_object_or_404(SuggestionPhoto.objects.select_related("suggestion"), pk=pk)
    if not Suggestion.objects.visible_to(request.user).filter(pk=item.suggestion_id).exists():
        raise Http404
    return item.download(inline=True)


# --- debates ----------------------------------------------------------------------------
@require_safe
def debates(request: HttpRequest) -> HttpResponse:
    items = Debate.objects.visible_to(request.user).exclude(status=DebateStatus.DRAFT)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "interaction/debates.html", {"page": page, "now": timezone.now()})


@require_safe
def debate(request: HttpRequest, pk: int) -> HttpResponse:
    d = actions.access_debate(request.user, pk)
    mine = actions.user_vote(request.user, d)
    own_pending = []
    if request.user.is_authenticated:
        own_pending = list(
            Argument.objects.filter(debate=d, author=request.user).exclude(moderation__status=ItemStatus.PUBLISHED)
        )
    return render(
        request,
        "interaction/debate.html",
        {
            "d": d,
            "mine": mine,
            "open": d.accepts_votes(),
            "strongest_a": actions.strongest(d, Side.A),
            "strongest_b": actions.strongest(d, Side.B),
            "own_pending": own_pending,
            "chart": {"labels": [d.side_a, d.side_b], "values": [d.votes_a, d.votes_b]},
            "is_moderator": is_moderator(request.user),
        },
    )


@login_required
@require_POST
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    d = actions.access_debate(request.user, pk)
    try:
        actions.do_vote(request.user, d, request.POST.get("side", ""))
        messages.success(request, _("Your vote is counted."))
    except (ValidationError, PermissionDenied, RateLimited) as exc:
        flash_error(request, exc)
    return redirect("interaction:debate", pk)


@login_required
@require_POST
def argue(request: HttpRequest, pk: int) -> HttpResponse:
    d = actions.access_debate(request.user, pk)
    try:
        a = actions.do_argue(request.user, d, side=request.POST.get("side", ""), body=request.POST.get("body", ""))
        if a.moderation.status == ItemStatus.PUBLISHED:
            messages.success(request, _("Your argument is published."))
        else:
            messages.success(request, _("Your argument will appear once a moderator has checked it."))
    except (ValidationError, PermissionDenied, RateLimited) as exc:
        flash_error(request, exc)
    return redirect("interaction:debate", pk)


@login_required
@require_POST
def like(request: HttpRequest, pk: int) -> HttpResponse:
    a = get_object_or_404(Argument.objects.visible_to(request.user).select_related("moderation"), pk=pk)
    try:
        if not actions.do_like(request.user, a):
            messages.info(request, _("You already liked this argument."))
    except (ValidationError, PermissionDenied) as exc:
        flash_error(request, exc)
    return redirect("interaction:debate", a.debate_id)


def _parse_time(value: str) -> datetime | None:
    parsed = parse_datetime(value or "")
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


@login_required
@require_http_methods(["GET", "POST"])
def manage_debates(request: HttpRequest) -> HttpResponse:
    if not is_moderator(request.user):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    values = {
        k: request.POST.get(k, "") for k in ("question", "side_a", "side_b", "description", "opens_at", "closes_at")
    }
    if request.method == "POST":
        opens, closes = _parse_time(values["opens_at"]), _parse_time(values["closes_at"])
        if opens is None or closes is None:
            errors = {"opens_at": [_("Enter the opening and closing times.")]}
        else:
            try:
                actions.do_create_debate(
                    request.user,
                    question=values["question"],
                    side_a=values["side_a"],
                    side_b=values["side_b"],
                    description=values["description"],
                    opens_at=opens,
                    closes_at=closes,
                )
                messages.success(request, _("The debate is saved as a draft."))
                return redirect("interaction:manage_debates")
            except ValidationError as exc:
                errors = field_errors(exc)
    page = Paginator(Debate.objects.visible_to(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "interaction/manage.html",
        {"page": page, "errors": errors, "values": values},
        status=422 if errors else 200,
    )


@login_required
@require_POST
def move_debate(request: HttpRequest, pk: int) -> HttpResponse:
    d = actions.access_debate(request.user, pk)
    try:
        if request.POST.get("move") == "open":
            actions.do_open_debate(request.user, d)
        elif request.POST.get("move") == "close":
            actions.do_close_debate(request.user, d)
    except (ValidationError, PermissionDenied) as exc:
        flash_error(request, exc)
    return redirect("interaction:manage_debates")


@login_required
@require_safe
def export_debate(request: HttpRequest, pk: int) -> HttpResponse:
    d = actions.access_debate(request.user, pk)
    if not is_moderator(request.user):
        raise PermissionDenied
    record(request.user, "debate.export", d, {"format": "xlsx"})
    response = HttpResponse(
        debate_xlsx(d), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="debate-{d.pk}.xlsx"'
    return response
