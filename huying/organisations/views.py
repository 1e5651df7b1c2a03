"""The organisation directory: open to everyone; administrators may add and move units."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from huying.organisations.actions import do_create_organisation, do_move_organisation
from huying.organisations.forms import OrganisationCreateForm, OrganisationMoveForm, apply_action_errors
from huying.organisations.models import Organisation, OrganisationQuerySet, Sector

PAGE_SIZE = 25
# The inline expansion shows this many sub-units, then links to the unit's own page.
PARTIAL_LIMIT = 50


def _page(request: HttpRequest, queryset: Any, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _visible(request: HttpRequest) -> OrganisationQuerySet:
    return Organisation.objects.visible_to(request.user)  # type: ignore[arg-type]


def _children_of(request: HttpRequest, org: Organisation) -> OrganisationQuerySet:
    return (
        _visible(request).filter(parent=org).with_child_count(request.user).order_by("sort_order", "path")  # type: ignore[arg-type]
    )


def _is_admin(request: HttpRequest) -> bool:
    return bool(request.user.is_authenticated and request.user.is_administrator)  # type: ignore[union-attr]


def _check_admin(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not _is_admin(request):
        raise PermissionDenied(_("Only administrators can change the organisation tree."))
    return None


def _with_ancestry(request: HttpRequest, nodes: list[Organisation]) -> list[tuple[Organisation, list[Organisation]]]:
    """Each node with its ancestors, fetched for the whole page in one query."""
    paths = {p for node in nodes for p in node.ancestor_paths()}
    by_path = {o.path: o for o in _visible(request).filter(path__in=paths)} if paths else {}
    return [(node, [by_path[p] for p in node.ancestor_paths() if p in by_path]) for node in nodes]


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    if query:
        results = _visible(request).search(query).with_child_count(request.user).order_by("path")  # type: ignore[arg-type]
        page = _page(request, results)
        return render(
            request,
            "organisations/index.html",
            {"query": query, "page": page, "results": _with_ancestry(request, list(page.object_list))},
        )
    roots = _visible(request).roots().with_child_count(request.user).order_by("sort_order", "path")  # type: ignore[arg-type]
    return render(request, "organisations/index.html", {"query": "", "page": _page(request, roots)})


def _detail_context(
    request: HttpRequest,
    org: Organisation,
    create_form: OrganisationCreateForm | None = None,
    move_form: OrganisationMoveForm | None = None,
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "org": org,
        "ancestors": list(_visible(request).ancestors_of(org).order_by("depth")),
        "page": _page(request, _children_of(request, org)),
        "is_admin": _is_admin(request),
    }
    if context["is_admin"]:
        context["create_form"] = create_form or OrganisationCreateForm(
            initial={"level": org.level, "division_code": org.division_code}
        )
        context["move_form"] = move_form or OrganisationMoveForm(initial={"parent": org.parent_id})
    return context


@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(_visible(request), pk=pk)
    return render(request, "organisations/detail.html", _detail_context(request, org))


@require_safe
def children(request: HttpRequest, pk: int) -> HttpResponse:
    """The htmx partial that expands a node in place."""
    org = get_object_or_404(_visible(request), pk=pk)
    nodes = list(_children_of(request, org)[: PARTIAL_LIMIT + 1])
    return render(
        request,
        "organisations/_children.html",
        {"org": org, "nodes": nodes[:PARTIAL_LIMIT], "has_more": len(nodes) > PARTIAL_LIMIT},
    )


@require_POST
def create_child(request: HttpRequest, pk: int) -> HttpResponse:
    refusal = _check_admin(request)
    if refusal:
        return refusal
    parent = get_object_or_404(_visible(request), pk=pk)
    form = OrganisationCreateForm(request.POST)
    if form.is_valid():
        try:
            child = do_create_organisation(request.user, parent=parent, **form.action_kwargs())
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            messages.success(request, _("“%(name)s” has been added.") % {"name": child.name})
            return redirect("organisations:detail", pk=child.pk)
    return render(request, "organisations/detail.html", _detail_context(request, parent, create_form=form), status=400)


@require_POST
def move(request: HttpRequest, pk: int) -> HttpResponse:
    refusal = _check_admin(request)
    if refusal:
        return refusal
    org = get_object_or_404(_visible(request), pk=pk)
    form = OrganisationMoveForm(request.POST)
    if form.is_valid():
        try:
            org = do_move_organisation(request.user, org, form.cleaned_data["parent"])
        except ValidationError as exc:
            # A clashing name is a property of the chosen parent, so it is shown there.
            apply_action_errors(form, exc, {"name": "parent"})
        else:
            messages.success(request, _("“%(name)s” has been moved.") % {"name": org.name})
            return redirect("organisations:detail", pk=org.pk)
    return render(request, "organisations/detail.html", _detail_context(request, org, move_form=form), status=400)


@require_safe
def sectors(request: HttpRequest) -> HttpResponse:
    return render(request, "organisations/sectors.html", {"page": _page(request, Sector.objects.all(), 50)})
