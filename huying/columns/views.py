"""一委一品 and 专题专栏 pages, phone first: the index, a column (intro, counts, the latest
items of each source, articles), a source's items, an article; the staff console (create,
edit, publish, archive, cover, tag picker, articles). Thin: the rules are in
:mod:`huying.columns.actions`."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from huying.columns import actions, transitions
from huying.columns.choices import ColumnKind, ColumnStatus, CoverColour
from huying.columns.models import Column, ColumnArticle, ColumnCover
from huying.columns.sources import all_sources, get_source
from huying.core.params import parse_id, parse_ids
from huying.core.view_errors import field_errors, flash_error

PAGE_SIZE = 20


def _managed(request: HttpRequest, pk: int) -> Column:
    column = Column.objects.managed_by(request.user).for_list().filter(pk=pk).first()
    if column is None:
        if Column.objects.visible_to(request.user).filter(pk=pk).exists():
            raise PermissionDenied(_("Only the staff of the column's committee may change it."))
        raise Http404(_("No such column."))
    return column


# --- reading --------------------------------------------------------------------------
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    columns = list(Column.objects.filter(status=ColumnStatus.PUBLISHED).for_list())
    return render(
        request,
        "columns/index.html",
        {
            "flagships": [c for c in columns if c.kind == ColumnKind.FLAGSHIP],
            "topics": [c for c in columns if c.kind == ColumnKind.TOPIC],
            "may_manage": actions.may_create(request.user),
        },
    )


@require_safe
def column(request: HttpRequest, slug: str) -> HttpResponse:
    c = actions.access_column(request.user, slug=slug)
    sections = actions.sections(request.user, c)
    article_list = list(c.articles.all()[: actions.SECTION_SIZE + 1])
    return render(
        request,
        "columns/column.html",
        {
            "column": c,
            "sections": sections,
            "articles": article_list[: actions.SECTION_SIZE],
            "more_articles": len(article_list) > actions.SECTION_SIZE,
            "article_count": c.articles.count() if len(article_list) > actions.SECTION_SIZE else len(article_list),
            "may_manage": actions.may_manage(request.user, c),
        },
    )


@require_safe
def source_items(request: HttpRequest, slug: str, source: str) -> HttpResponse:
    c = actions.access_column(request.user, slug=slug)
    src = get_source(source)
    if src is None:
        raise Http404(_("No such source."))
    page = Paginator(actions.tagged_items(request.user, c, src), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "columns/items.html",
        {"column": c, "source": src, "page": page, "items": actions.items_page(request.user, c, src, page)},
    )


@require_safe
def articles(request: HttpRequest, slug: str) -> HttpResponse:
    c = actions.access_column(request.user, slug=slug)
    page = Paginator(c.articles.all(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "columns/articles.html", {"column": c, "page": page})


@require_safe
def article(request: HttpRequest, pk: int) -> HttpResponse:
    a = actions.access_article(request.user, pk)
    c = actions.access_column(request.user, pk=a.column_id)
    return render(
        request, "columns/article.html", {"article": a, "column": c, "may_manage": actions.may_manage(request.user, c)}
    )


@require_safe
def cover(request: HttpRequest, pk: int) -> FileResponse:
    c = actions.access_column(request.user, pk=pk)
    picture = ColumnCover.objects.filter(column=c).first()
    if picture is None:
        raise Http404
    return picture.download(inline=True)


# --- console --------------------------------------------------------------------------
def _check_console(request: HttpRequest) -> None:
    if not actions.may_create(request.user):
        raise PermissionDenied(_("The columns console is open only to CPPCC agency staff and administrators."))


@login_required
@require_safe
def console(request: HttpRequest) -> HttpResponse:
    _check_console(request)
    columns = (
        Column.objects.managed_by(request.user)
        .for_list()
        .annotate(tag_count=Count("tags", distinct=True), article_total=Count("articles", distinct=True))
        .order_by("status", "kind", "position", "title", "pk")
    )
    return render(request, "columns/console.html", {"columns": columns})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _check_console(request)
    existing = _managed(request, pk) if pk is not None else None
    owners = actions.owners_for(request.user)
    fields = ("title", "slug", "summary", "intro", "cover_colour", "position")
    values: dict[str, Any] = {f: getattr(existing, f) for f in fields} if existing else {"position": 100}
    values.setdefault("kind", existing.kind if existing else ColumnKind.FLAGSHIP)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = {f: request.POST.get(f, "") for f in fields}
        try:
            if existing is None:
                values["kind"] = request.POST.get("kind", "")
                owner_id = parse_id(request.POST.get("owner"))
                owner = next((o for o in owners if o.pk == owner_id), None)
                saved = actions.do_create_column(
                    request.user,
                    kind=values["kind"],
                    owner=owner,
                    **{f: values[f] for f in fields},
                )
                messages.success(request, _("The column was created as a draft."))
            else:
                saved = actions.do_update_column(
                    request.user, existing, version=parse_id(request.POST.get("version")), **values
                )
                messages.success(request, _("The column was saved."))
        except ValidationError as exc:
            errors = field_errors(exc)
        else:
            return redirect("columns:manage", saved.pk)
    return render(
        request,
        "columns/edit.html",
        {
            "column": existing,
            "values": values,
            "errors": errors,
            "owners": owners,
            "owner_id": request.POST.get("owner", "") if request.method == "POST" else "",
            "kinds": ColumnKind.choices,
            "colours": CoverColour.choices,
        },
        status=422 if errors else 200,
    )


@login_required
@require_safe
def manage(request: HttpRequest, pk: int) -> HttpResponse:
    c = _managed(request, pk)
    q = request.GET.get("q", "").strip()[:50]
    source_key = request.GET.get("source", "")
    if source_key and get_source(source_key) is None:
        source_key = ""
    return render(
        request,
        "columns/manage.html",
        {
            "column": c,
            "moves": transitions.allowed_moves(c),
            "sections": actions.sections(request.user, c, limit=50),
            "articles": list(c.articles.all()),
            "q": q,
            "source_key": source_key,
            "sources": all_sources(),
            "results": actions.picker(request.user, c, q, source_key) if q or source_key else None,
            "events": list(c.events.select_related("actor")),
            "has_cover": ColumnCover.objects.filter(column=c).exists(),
        },
    )


@login_required
@require_POST
def move(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    c = _managed(request, pk)
    try:
        actions.do_move(request.user, c, step)
    except ValidationError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("Done: the column is now “%(status)s”.") % {"status": _status_label(c.pk)})
    return redirect("columns:manage", c.pk)


def _status_label(pk: int) -> str:
    return str(Column.objects.get(pk=pk).get_status_display())


@login_required
@require_POST
def cover_upload(request: HttpRequest, pk: int) -> HttpResponse:
    c = _managed(request, pk)
    try:
        if request.POST.get("remove"):
            actions.do_set_cover(request.user, c, None)
            messages.success(request, _("The cover picture was removed."))
        else:
            upload = request.FILES.get("cover")
            if upload is None:
                raise ValidationError({"cover": [_("Choose a picture.")]})
            actions.do_set_cover(request.user, c, upload)
            messages.success(request, _("The cover picture was saved."))
    except ValidationError as exc:
        flash_error(request, exc)
    return redirect("columns:manage", c.pk)


@login_required
@require_POST
def tag(request: HttpRequest, pk: int) -> HttpResponse:
    c = _managed(request, pk)
    source = request.POST.get("source", "")
    ids = parse_ids(request.POST.getlist("object"))
    try:
        added = actions.do_tag(request.user, c, source, ids)
    except ValidationError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("%(n)d item(s) added to the column.") % {"n": added})
    query = urlencode({"q": request.POST.get("q", "")[:50], "source": request.POST.get("return_source", "")})
    return redirect(f"{reverse('columns:manage', args=[c.pk])}?{query}#picker")


@login_required
@require_POST
def untag(request: HttpRequest, pk: int) -> HttpResponse:
    c = _managed(request, pk)
    try:
        actions.do_untag(request.user, c, request.POST.get("source", ""), parse_id(request.POST.get("object")) or 0)
    except ValidationError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("The item was removed from the column."))
    return redirect("columns:manage", c.pk)


@login_required
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, pk: int | None = None, article: int | None = None) -> HttpResponse:
    existing = None
    if article is not None:
        existing = get_object_or_404(ColumnArticle.objects.select_related("column"), pk=article)
        pk = existing.column_id
    assert pk is not None
    c = _managed(request, pk)
    values = {
        "title": existing.title if existing else "",
        "body": existing.body if existing else "",
        "published_on": existing.published_on.isoformat() if existing else "",
    }
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in values}
        day = parse_date(values["published_on"]) if values["published_on"] else None
        try:
            if values["published_on"] and day is None:
                raise ValidationError({"published_on": [_("Enter a date such as 2026-05-01.")]})
            saved = actions.do_save_article(
                request.user, c, title=values["title"], body=values["body"], published_on=day, article=existing
            )
        except (ValidationError, ValueError) as exc:
            errors = field_errors(exc) if isinstance(exc, ValidationError) else {"published_on": [str(exc)]}
        else:
            messages.success(request, _("The article was saved."))
            return redirect("columns:article", saved.pk)
    return render(
        request,
        "columns/article_edit.html",
        {"column": c, "article": existing, "values": values, "errors": errors},
        status=422 if errors else 200,
    )


@login_required
@require_POST
def article_delete(request: HttpRequest, article: int) -> HttpResponse:
    a = get_object_or_404(ColumnArticle.objects.select_related("column"), pk=article)
    c = _managed(request, a.column_id)
    try:
        actions.do_delete_article(request.user, a)
    except ValidationError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("The article was deleted."))
    return redirect("columns:manage", c.pk)
