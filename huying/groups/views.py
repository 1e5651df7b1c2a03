"""议政群 pages, phone first: my groups, a group with its threads, a thread with its
replies and the "turn into a draft" form, the staff's management pages and the statistics.
Thin: the rules are in :mod:`huying.groups.actions`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.core.ratelimit import RateLimited
from huying.core.view_errors import field_errors, flash_error
from huying.groups import access, actions
from huying.groups.choices import DraftTarget, GroupStatus, ParticipantRole
from huying.groups.models import DiscussionGroup, Participant, Post
from huying.moderation.choices import ItemStatus
from huying.organisations.models import Organisation

THREADS_PER_PAGE = 20
REPLIES_PER_PAGE = 50


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 12 else None


@login_required
@require_safe
def group_list(request: HttpRequest) -> HttpResponse:
    groups = DiscussionGroup.objects.visible_to(request.user).select_related("cppcc")
    page = Paginator(groups, THREADS_PER_PAGE).get_page(request.GET.get("page"))
    mine = dict(
        Participant.objects.filter(
            user_id=request.user.pk or 0, is_active=True, group__in=page.object_list
        ).values_list("group_id", "role")
    )
    rows = [(g, ParticipantRole(mine[g.pk]).label if g.pk in mine else "") for g in page.object_list]
    return render(
        request, "groups/list.html", {"page": page, "rows": rows, "may_create": access.may_create(request.user)}
    )


def _with_outcomes(posts: list[Post]) -> list[Post]:
    """Each post with ``found``: what came out of it (two queries for the page)."""
    found = actions.outcomes(posts)
    for post in posts:
        post.found = found.get(post.pk, [])  # type: ignore[attr-defined]
    return posts


def _sessions(user: Any, group: DiscussionGroup) -> list[Any]:
    from huying.proposals.actions.drafts import is_member_of
    from huying.proposals.models import Session

    sessions = Session.objects.filter(cppcc=group.cppcc).select_related("cppcc").order_by("-is_current", "-pk")[:10]
    return [s for s in sessions if is_member_of(user, s)]


@login_required
@require_safe
def group(request: HttpRequest, pk: int) -> HttpResponse:
    g = actions.access_group(request.user, pk)
    threads = (
        Post.objects.visible_to(request.user)
        .filter(group=g, thread=None)
        .select_related("author", "moderation")
        .order_by("-is_pinned", "-last_activity_at", "-pk")
    )
    page = Paginator(threads, THREADS_PER_PAGE).get_page(request.GET.get("page"))
    me = actions.participant(request.user, g)
    rows = _with_outcomes(list(page.object_list))
    return render(
        request,
        "groups/group.html",
        {
            "g": g,
            "page": page,
            "threads": rows,
            "me": me,
            "may_post": me is not None and g.is_open,
            "may_manage": access.may_manage(request.user, g),
            "may_read_stats": access.may_read_stats(request.user, g),
            "stats": actions.statistics(g),
        },
    )


@login_required
@require_POST
def new_thread(request: HttpRequest, pk: int) -> HttpResponse:
    g = actions.access_group(request.user, pk)
    try:
        post = actions.do_post_thread(
            request.user, g, title=request.POST.get("title", ""), body=request.POST.get("body", "")
        )
    except (ValidationError, PermissionDenied, RateLimited) as exc:
        flash_error(request, exc)
        return redirect("groups:group", pk)
    if post.moderation.status != ItemStatus.PUBLISHED:
        messages.success(request, _("Your post will appear once a moderator has checked it."))
    return redirect("groups:thread", post.pk)


@login_required
@require_safe
def thread(request: HttpRequest, pk: int) -> HttpResponse:
    t = actions.access_thread(request.user, pk)
    g = t.group
    replies = (
        Post.objects.visible_to(request.user)
        .filter(thread=t)
        .select_related("author", "moderation")
        .order_by("created_at", "pk")
    )
    page = Paginator(replies, REPLIES_PER_PAGE).get_page(request.GET.get("page"))
    me = actions.participant(request.user, g)
    may_convert = me is not None and me.role == ParticipantRole.MEMBER
    replies_list = _with_outcomes([t, *page.object_list])[1:]
    return render(
        request,
        "groups/thread.html",
        {
            "g": g,
            "t": t,
            "page": page,
            "me": me,
            "may_post": me is not None and g.is_open,
            "may_manage": access.may_manage(request.user, g),
            "may_convert": may_convert,
            "sessions": _sessions(request.user, g) if may_convert else [],
            "replies": replies_list,
            "default_title": actions.default_title(t),
        },
    )


@login_required
@require_POST
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    t = actions.access_thread(request.user, pk)
    try:
        post = actions.do_reply(request.user, t, body=request.POST.get("body", ""))
    except (ValidationError, PermissionDenied, RateLimited) as exc:
        flash_error(request, exc)
        return redirect("groups:thread", pk)
    if post.moderation.status != ItemStatus.PUBLISHED:
        messages.success(request, _("Your post will appear once a moderator has checked it."))
    return redirect(post.get_absolute_url())


@login_required
@require_POST
def pin(request: HttpRequest, pk: int) -> HttpResponse:
    t = actions.access_thread(request.user, pk)
    try:
        actions.do_pin(request.user, t, pinned=request.POST.get("pinned") != "0")
    except (ValidationError, PermissionDenied) as exc:
        flash_error(request, exc)
    return redirect("groups:thread", pk)


@login_required
@require_POST
def mark(request: HttpRequest, pk: int) -> HttpResponse:
    post = actions.access_post(request.user, pk)
    try:
        actions.do_mark_suggestion(request.user, post, marked=request.POST.get("marked") != "0")
    except (ValidationError, PermissionDenied) as exc:
        flash_error(request, exc)
    return redirect(post.get_absolute_url())


@login_required
@require_POST
def remove_post(request: HttpRequest, pk: int) -> HttpResponse:
    post = actions.access_post(request.user, pk)
    try:
        actions.do_remove_post(request.user, post)
    except (ValidationError, PermissionDenied) as exc:
        flash_error(request, exc)
        return redirect(post.get_absolute_url())
    messages.success(request, _("The post is removed."))
    if post.is_thread:
        return redirect("groups:group", post.group_id)
    return redirect("groups:thread", post.thread_id)


@login_required
@require_POST
def convert(request: HttpRequest, pk: int) -> HttpResponse:
    from huying.proposals.models import Session

    post = actions.access_post(request.user, pk)
    target = request.POST.get("target", "")
    session_id = _int(request.POST.get("session"))
    session = Session.objects.filter(pk=session_id).first() if session_id else None
    try:
        draft = actions.do_convert(
            request.user, post, target=target, title=request.POST.get("title", ""), session=session
        )
    except (ValidationError, PermissionDenied) as exc:
        flash_error(request, exc)
        return redirect(post.get_absolute_url())
    if target == DraftTarget.REPORT:
        messages.success(request, _("An opinion-report draft was made from the discussion. Complete it and submit it."))
        return redirect("opinions:detail", draft.pk)
    messages.success(request, _("A proposal draft was made from the discussion. Complete it and submit it."))
    return redirect("proposals:detail", draft.pk)


# --- staff ------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not access.may_create(user):
        raise PermissionDenied
    cppccs = list(
        Organisation.objects.filter(pk__in=access.managed_cppcc_ids(request.user)).order_by("path")
        if not user.is_administrator
        else Organisation.objects.filter(kind="cppcc", is_active=True).order_by("path")[:200]
    )
    errors: dict[str, list[str]] = {}
    values = {"name": request.POST.get("name", ""), "description": request.POST.get("description", "")}
    if request.method == "POST":
        cppcc = next((c for c in cppccs if c.pk == _int(request.POST.get("cppcc"))), None)
        if cppcc is None:
            errors = {"cppcc": [_("Choose the CPPCC committee.")]}
        else:
            try:
                g = actions.do_create_group(request.user, cppcc=cppcc, **values)
            except ValidationError as exc:
                errors = field_errors(exc)
            else:
                messages.success(request, _("The group is open. Add its members now."))
                return redirect("groups:people", g.pk)
    groups = DiscussionGroup.objects.visible_to(request.user).filter(cppcc__in=cppccs).select_related("cppcc")
    page = Paginator(groups, THREADS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "groups/manage.html",
        {"page": page, "cppccs": cppccs, "errors": errors, "values": values},
        status=422 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def people(request: HttpRequest, pk: int) -> HttpResponse:
    g = actions.access_group(request.user, pk)
    actions.check_manager(request.user, g)
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and request.POST.get("form") == "details":
        try:
            actions.do_update_group(
                request.user, g, name=request.POST.get("name", ""), description=request.POST.get("description", "")
            )
            messages.success(request, _("Saved."))
            return redirect("groups:people", pk)
        except ValidationError as exc:
            errors = field_errors(exc)
    elif request.method == "POST":
        ids = [i for i in (_int(x) for x in request.POST.getlist("user")) if i][:200]
        role = request.POST.get("role", "")
        try:
            added = actions.do_add_participants(request.user, g, list(User.objects.filter(pk__in=ids)), role=role)
        except ValidationError as exc:
            errors = field_errors(exc)
        else:
            messages.success(request, _("%(n)d added.") % {"n": added})
            return redirect("groups:people", pk)
    q = request.GET.get("q", "").strip()[:40]
    role = request.GET.get("role", ParticipantRole.MEMBER)
    if role not in ParticipantRole.values:
        role = ParticipantRole.MEMBER
    candidates: list[User] = []
    if q:
        inside = Participant.objects.filter(group=g, is_active=True).values("user_id")
        if role == ParticipantRole.MEMBER:
            where = Q(role_assignments__role=Role.MEMBER, role_assignments__organisation_id=g.cppcc_id)
        else:
            where = Q(role_assignments__role=Role.AGENCY_STAFF) & (
                Q(role_assignments__organisation_id=g.cppcc_id)
                | Q(role_assignments__organisation__parent_id=g.cppcc_id)
            )
        candidates = list(
            User.objects.filter(where, role_assignments__is_active=True, is_active=True)
            .filter(Q(real_name__contains=q) | Q(username__startswith=q))
            .exclude(pk__in=inside)
            .distinct()
            .order_by("real_name", "pk")[:30]
        )
    participants = Participant.objects.filter(group=g, is_active=True).select_related("user").order_by("-role", "pk")
    return render(
        request,
        "groups/people.html",
        {
            "g": g,
            "participants": participants,
            "candidates": candidates,
            "q": q,
            "role": role,
            "roles": ParticipantRole.choices,
            "errors": errors,
            "events": g.events.select_related("actor"),
        },
        status=422 if errors else 200,
    )


@login_required
@require_POST
def remove_person(request: HttpRequest, pk: int) -> HttpResponse:
    g = actions.access_group(request.user, pk)
    person = User.objects.filter(pk=_int(request.POST.get("user")) or 0).first()
    try:
        if person is None:
            raise ValidationError(_("This person is not in the group."))
        actions.do_remove_participant(request.user, g, person)
        messages.success(request, _("%(name)s is no longer in the group.") % {"name": person.real_name})
    except (ValidationError, PermissionDenied) as exc:
        flash_error(request, exc)
    return redirect("groups:people", pk)


@login_required
@require_POST
def move(request: HttpRequest, pk: int) -> HttpResponse:
    g = actions.access_group(request.user, pk)
    try:
        if request.POST.get("move") == "archive":
            actions.do_archive(request.user, g)
            messages.success(request, _("The group is archived."))
        elif request.POST.get("move") == "reopen":
            actions.do_reopen(request.user, g)
            messages.success(request, _("The group is open again."))
    except (ValidationError, PermissionDenied) as exc:
        flash_error(request, exc)
    return redirect("groups:people", pk)


@login_required
@require_safe
def stats(request: HttpRequest, pk: int) -> HttpResponse:
    g = actions.access_group(request.user, pk)
    if not access.may_read_stats(request.user, g):
        raise PermissionDenied
    return render(
        request,
        "groups/stats.html",
        {
            "g": g,
            "stats": actions.statistics(g),
            "rows": actions.member_statistics(g),
            "archived": g.status == GroupStatus.ARCHIVED,
        },
    )
