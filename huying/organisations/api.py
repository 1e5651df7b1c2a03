"""Organisations API: the directory tree and the sectors; administrators add and move units.

Reads follow ``Organisation.objects.visible_to`` exactly as the pages do (everything that is
active; inactive units only for administrators).
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from huying.core.api_errors import ErrorOut
from huying.core.api_types import Id, Int32, PageNumberPagination
from huying.organisations.actions import do_create_organisation, do_move_organisation
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.models import Organisation, OrganisationQuerySet, Sector

router = Router(tags=["organisations"])


# --- schemas ------------------------------------------------------------------------------
class OrganisationRef(Schema):
    id: int
    name: str = Field(description="Full official name.")


class OrganisationOut(Schema):
    id: int
    name: str = Field(description="Full official name, unique among its siblings.")
    short_name: str = Field(description="Short name used in tight spaces; may be empty.")
    kind: OrgKind = Field(description="What sort of body this is (CPPCC committee, department, street…).")
    kind_display: str = Field(description="The kind, translated for display.")
    level: OrgLevel = Field(description="Administrative level it works at.")
    level_display: str = Field(description="The level, translated for display.")
    division_code: str = Field(description="Statistical division code of the area served (e.g. 440103); may be empty.")
    parent_id: int | None = Field(description="The unit directly above; null for a top-level unit.")
    depth: int = Field(description="0 for top-level units, 1 for their children, and so on.")
    is_active: bool = Field(description="Inactive units are shown to administrators only.")
    child_count: int = Field(description="How many sub-units the caller can see directly below this unit.")

    @staticmethod
    def resolve_kind_display(obj: Organisation) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_level_display(obj: Organisation) -> str:
        return str(obj.get_level_display())


class OrganisationDetailOut(OrganisationOut):
    ancestors: list[OrganisationRef] = Field(description="The units above this one, from the top of the tree down.")


class SectorOut(Schema):
    id: int
    name: str = Field(description="Official name of the sector (界别).")
    short_name: str
    group: str = Field(description="Grouping used in statistics; may be empty.")
    sort_order: int = Field(description="Position in the official order (1 = 中国共产党).")


class OrganisationFilters(Schema):
    kind: OrgKind | None = Field(None, description="Only units of this kind.")
    level: OrgLevel | None = Field(None, description="Only units at this level.")
    parent: Id | None = Field(None, description="Only the direct children of this unit.")
    under: Id | None = Field(
        None, description="Only this unit and everything below it, at any depth (one prefix query)."
    )
    q: str | None = Field(None, max_length=100, description="Name or short name contains this text.")


class OrganisationCreateIn(Schema):
    parent_id: Id = Field(description="The unit the new one is created under.")
    name: str = Field(min_length=1, max_length=100, description="Unique among the parent's sub-units.")
    short_name: str = Field("", max_length=40)
    kind: OrgKind
    level: OrgLevel
    division_code: str = Field("", pattern=r"^(\d{2,12})?$", description="2 to 12 digits, or empty.")
    sort_order: Int32 = Field(0, description="Position among siblings; lower first.")


class OrganisationMoveIn(Schema):
    parent_id: Id | None = Field(description="The new parent; null moves the unit to the top level.")


# --- helpers ------------------------------------------------------------------------------
def _visible(request: HttpRequest) -> OrganisationQuerySet:
    return Organisation.objects.visible_to(request.user)  # type: ignore[arg-type]


def _annotated(request: HttpRequest) -> OrganisationQuerySet:
    return _visible(request).with_child_count(request.user)  # type: ignore[arg-type]


def _get_visible(request: HttpRequest, org_id: int) -> Organisation:
    org = _annotated(request).filter(pk=org_id).first()
    if org is None:
        raise HttpError(404, _("No organisation with this id."))
    return org


def _require_admin(request: HttpRequest) -> None:
    if not request.user.is_administrator:  # type: ignore[union-attr]
        raise HttpError(403, _("Only administrators can change the organisation tree."))


def _renamed(exc: ValidationError, field_map: dict[str, str]) -> ValidationError:
    """The action's field names as the API's payload names them (``parent`` → ``parent_id``)."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    renamed: dict[str, list[str]] = {}
    for field, messages in errors.items():
        renamed.setdefault(field_map.get(field, field), []).extend(messages)
    return ValidationError(renamed)


# --- endpoints ----------------------------------------------------------------------------
@router.get(
    "/sectors",
    response=list[SectorOut],
    summary="List the sectors (界别)",
    description="The 34 sectors of the CPPCC in the official order.",
)
@paginate(PageNumberPagination, page_size=50)
def list_sectors(request: HttpRequest) -> Any:
    return Sector.objects.all()


@router.get(
    "",
    response=list[OrganisationOut],
    summary="List or search organisations",
    description="Units in tree order. Filters combine; `under` selects a whole subtree in one query. "
    "Unknown `under` ids answer 404.",
)
@paginate(PageNumberPagination, page_size=50)
def list_organisations(request: HttpRequest, filters: Query[OrganisationFilters]) -> Any:
    qs = _annotated(request)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.parent is not None:
        qs = qs.filter(parent_id=filters.parent)
    if filters.under is not None:
        root = _visible(request).filter(pk=filters.under).only("path").first()
        if root is None:
            raise HttpError(404, _("under: no organisation with this id."))
        qs = qs.subtree(root)
    if filters.q:
        qs = qs.search(filters.q)
    return qs.order_by("path")


@router.get(
    "/{int:org_id}",
    response={200: OrganisationDetailOut, 404: ErrorOut},
    summary="One organisation",
    description="The unit with its ancestors (for a breadcrumb).",
)
def get_organisation(request: HttpRequest, org_id: Id) -> Any:
    org = _get_visible(request, org_id)
    org.ancestors = list(_visible(request).ancestors_of(org).order_by("depth"))  # type: ignore[assignment]
    return org


@router.get(
    "/{int:org_id}/children",
    response=list[OrganisationOut],
    summary="The sub-units directly below an organisation",
    description="Ordered by sort order, then creation.",
)
@paginate(PageNumberPagination, page_size=50)
def list_children(request: HttpRequest, org_id: Id) -> Any:
    if not _visible(request).filter(pk=org_id).exists():
        raise HttpError(404, _("No organisation with this id."))
    return _annotated(request).filter(parent_id=org_id).order_by("sort_order", "path")


@router.post(
    "",
    response={201: OrganisationDetailOut, 403: ErrorOut, 422: ErrorOut},
    summary="Create a sub-unit (administrators)",
    description="Adds a unit under `parent_id`. Errors name the field: an unknown parent, "
    "a name already used under the same parent.",
)
def create_organisation(request: HttpRequest, payload: OrganisationCreateIn) -> Any:
    _require_admin(request)
    parent = _visible(request).filter(pk=payload.parent_id).first()
    if parent is None:
        raise ValidationError({"parent_id": _("No organisation with this id.")})
    data = payload.dict(exclude={"parent_id"})
    try:
        org = do_create_organisation(request.user, parent=parent, **data)
    except ValidationError as exc:
        raise _renamed(exc, {"parent": "parent_id"}) from None
    org = _get_visible(request, org.pk)
    org.ancestors = list(_visible(request).ancestors_of(org).order_by("depth"))  # type: ignore[assignment]
    return Status(201, org)


@router.post(
    "/{int:org_id}/move",
    response={200: OrganisationDetailOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Move an organisation with its sub-units (administrators)",
    description="Re-parents the unit and its whole subtree. Refused (422, field `parent_id`) under the unit "
    "itself or one of its sub-units, or where the new parent already has a unit of the same name.",
)
def move_organisation(request: HttpRequest, org_id: Id, payload: OrganisationMoveIn) -> Any:
    _require_admin(request)
    org = _get_visible(request, org_id)
    new_parent = None
    if payload.parent_id is not None:
        new_parent = _visible(request).filter(pk=payload.parent_id).first()
        if new_parent is None:
            raise ValidationError({"parent_id": _("No organisation with this id.")})
    try:
        do_move_organisation(request.user, org, new_parent)
    except ValidationError as exc:
        raise _renamed(exc, {"parent": "parent_id", "name": "parent_id"}) from None
    org = _get_visible(request, org.pk)
    org.ancestors = list(_visible(request).ancestors_of(org).order_by("depth"))  # type: ignore[assignment]
    return Status(200, org)
