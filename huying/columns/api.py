"""一委一品 and 专题专栏 in the API (/api/v1/columns). Reading published columns needs no
login; each column's items per source are those the caller may see (the sources' own
rules). Managing (create, change, publish, archive, tag, untag, articles) follows the pages'
rules (:mod:`huying.columns.actions`). Cover pictures are uploaded through the console page."""

import datetime
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from huying.columns import actions
from huying.columns.choices import ColumnKind, ColumnStatus, CoverColour
from huying.columns.models import Column
from huying.columns.sources import get_source
from huying.core.api_errors import ErrorOut
from huying.core.api_types import Id, PageNumberPagination, SmallCount, Version
from huying.organisations.models import Organisation

router = Router(tags=["columns"])

SourceKey = Annotated[str, Field(min_length=1, max_length=30, pattern=r"^[a-z0-9_]+$")]


def _item(item: actions.Item) -> dict[str, Any]:
    return {
        "source": item.source,
        "id": item.pk,
        "title": item.title,
        "url": item.url,
        "date": item.date,
        "meta": item.meta,
    }


class ColumnOut(Schema):
    id: int
    title: str
    slug: str
    kind: ColumnKind
    cppcc: str = Field(description="The CPPCC committee the column belongs to.")
    committee: str = Field(description="The special committee of a flagship topic; empty for a topic column.")
    summary: str
    cover_colour: CoverColour
    has_cover: bool
    position: int
    status: ColumnStatus
    version: int
    published_at: datetime.datetime | None

    @staticmethod
    def resolve_cppcc(obj: Column) -> str:
        return obj.cppcc.name

    @staticmethod
    def resolve_committee(obj: Column) -> str:
        return obj.committee.name if obj.committee else ""

    @staticmethod
    def resolve_has_cover(obj: Column) -> bool:
        return hasattr(obj, "cover")


class ColumnItemOut(Schema):
    source: str
    id: int
    title: str
    url: str
    date: datetime.datetime | datetime.date | None
    meta: str


class ColumnSectionOut(Schema):
    source: str
    label: str
    count: int = Field(description="Tagged items of this source the caller may see.")
    items: list[ColumnItemOut] = Field(description="The latest of them.")


class ColumnArticleOut(Schema):
    id: int
    column_id: int
    title: str
    body: str
    published_on: datetime.date


class ColumnDetailOut(ColumnOut):
    intro: str
    sections: list[ColumnSectionOut]
    articles: list[ColumnArticleOut] = Field(description="The latest articles.")

    @staticmethod
    def resolve_sections(obj: Column, context: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            {
                "source": s.source.key,
                "label": str(s.source.label),
                "count": s.count,
                "items": [_item(i) for i in s.items],
            }
            for s in actions.sections(context["request"].user, obj)
        ]

    @staticmethod
    def resolve_articles(obj: Column) -> list[Any]:
        return list(obj.articles.all()[: actions.SECTION_SIZE])


class ColumnIn(Schema):
    title: str = Field(max_length=60)
    slug: str = Field(max_length=60, description="Lower-case letters, digits and hyphens.")
    summary: str = Field("", max_length=120)
    intro: str = Field("", max_length=5000)
    cover_colour: CoverColour = CoverColour.RED
    position: SmallCount = 100


class ColumnCreateIn(ColumnIn):
    kind: ColumnKind
    owner_id: Id = Field(description="A special committee (flagship) or a CPPCC committee (topic column).")


class ColumnUpdateIn(ColumnIn):
    version: Version = Field(description="The version read; a stale one is refused.")


class ColumnFilters(Schema):
    kind: ColumnKind | None = None


class TagIn(Schema):
    source: SourceKey
    object_ids: list[Id] = Field(min_length=1, max_length=100)


class TagOut(Schema):
    added: int


class PickerFilters(Schema):
    q: str = Field("", max_length=50)
    source: SourceKey | None = None


class PickerItemOut(ColumnItemOut):
    tagged: bool


class ArticleIn(Schema):
    title: str = Field(max_length=100)
    body: str = Field(max_length=20000)
    published_on: datetime.date | None = Field(None, description="Today when left out; years 2000–2100.")


def _managed(request: HttpRequest, pk: int) -> Column:
    column = actions.access_column(request.user, pk=pk)
    actions.check_manage(request.user, column)
    return column


@router.get("", response=list[ColumnOut], auth=None, summary="Columns (published for everyone; drafts for their staff)")
@paginate(PageNumberPagination, page_size=50)
def list_columns(request: HttpRequest, filters: Query[ColumnFilters]) -> Any:
    qs = Column.objects.visible_to(request.user).for_list()
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return qs


@router.get("/{int:pk}", response={200: ColumnDetailOut, 404: ErrorOut}, auth=None, summary="A column with its items")
def get_column(request: HttpRequest, pk: Id) -> Any:
    return actions.access_column(request.user, pk=pk)


@router.get(
    "/{int:pk}/items/{source}",
    response={200: list[ColumnItemOut], 404: ErrorOut},
    auth=None,
    summary="A column's items of one source that the caller may see",
)
@paginate(PageNumberPagination, page_size=25)
def list_items(request: HttpRequest, pk: Id, source: SourceKey) -> Any:
    column = actions.access_column(request.user, pk=pk)
    src = get_source(source)
    if src is None:
        raise Http404(_("No such source."))
    return [
        _item(i) for i in actions.items_page(request.user, column, src, actions.tagged_items(request.user, column, src))
    ]


@router.get("/{int:pk}/articles", response={200: list[ColumnArticleOut], 404: ErrorOut}, auth=None, summary="Articles")
@paginate(PageNumberPagination, page_size=25)
def list_articles(request: HttpRequest, pk: Id) -> Any:
    return actions.access_column(request.user, pk=pk).articles.all()


@router.get("/articles/{int:pk}", response={200: ColumnArticleOut, 404: ErrorOut}, auth=None, summary="An article")
def get_article(request: HttpRequest, pk: Id) -> Any:
    return actions.access_article(request.user, pk)


@router.post("", response={201: ColumnOut, 403: ErrorOut, 422: ErrorOut}, summary="Create a column (staff)")
def create_column(request: HttpRequest, payload: ColumnCreateIn) -> Any:
    if not actions.may_create(request.user):
        raise PermissionDenied(_("Only CPPCC agency staff and administrators create columns."))
    data = payload.dict()
    owner = Organisation.objects.filter(pk=data.pop("owner_id")).first()
    column = actions.do_create_column(request.user, kind=data.pop("kind"), owner=owner, **data)
    return Status(201, actions.access_column(request.user, pk=column.pk))


@router.put("/{int:pk}", response={200: ColumnOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}, summary="Change")
def update_column(request: HttpRequest, pk: Id, payload: ColumnUpdateIn) -> Any:
    column = _managed(request, pk)
    data = payload.dict()
    actions.do_update_column(request.user, column, version=data.pop("version"), **data)
    return actions.access_column(request.user, pk=pk)


def _move(request: HttpRequest, pk: int, step: str) -> Any:
    column = _managed(request, pk)
    actions.do_move(request.user, column, step)
    return actions.access_column(request.user, pk=pk)


@router.post(
    "/{int:pk}/publish", response={200: ColumnOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}, summary="Publish"
)
def publish_column(request: HttpRequest, pk: Id) -> Any:
    return _move(request, pk, "publish")


@router.post(
    "/{int:pk}/archive", response={200: ColumnOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}, summary="Archive"
)
def archive_column(request: HttpRequest, pk: Id) -> Any:
    return _move(request, pk, "archive")


@router.post(
    "/{int:pk}/republish",
    response={200: ColumnOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Publish an archived column again",
)
def republish_column(request: HttpRequest, pk: Id) -> Any:
    return _move(request, pk, "republish")


@router.get(
    "/{int:pk}/picker",
    response={200: list[PickerItemOut], 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Search items to tag, across sources (staff; only items the caller may see)",
)
def picker(request: HttpRequest, pk: Id, filters: Query[PickerFilters]) -> Any:
    column = _managed(request, pk)
    if filters.source and get_source(filters.source) is None:
        raise Http404(_("No such source."))
    return [
        {**_item(item), "tagged": tagged}
        for _source, rows in actions.picker(request.user, column, filters.q, filters.source or "")
        for item, tagged in rows
    ]


@router.post(
    "/{int:pk}/tags", response={200: TagOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}, summary="Tag items (staff)"
)
def tag(request: HttpRequest, pk: Id, payload: TagIn) -> Any:
    column = _managed(request, pk)
    return {"added": actions.do_tag(request.user, column, payload.source, payload.object_ids)}


@router.delete(
    "/{int:pk}/tags/{source}/{int:object_id}",
    response={204: None, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Remove an item from a column (staff)",
)
def untag(request: HttpRequest, pk: Id, source: SourceKey, object_id: Id) -> Any:
    column = _managed(request, pk)
    actions.do_untag(request.user, column, source, object_id)
    return Status(204, None)


@router.post(
    "/{int:pk}/articles",
    response={201: ColumnArticleOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Write a column article (staff)",
)
def create_article(request: HttpRequest, pk: Id, payload: ArticleIn) -> Any:
    column = _managed(request, pk)
    return Status(201, actions.do_save_article(request.user, column, **payload.dict()))
