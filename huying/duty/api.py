"""The duty record's REST API under ``/api/v1/duty`` (docs/duty.md). Same rules as the
pages: a member reads his own record (``/me``), staff and leaders the members they manage
(``/members/{id}``, 404 for anyone else), rankings for those who manage members, the points
rules for everyone logged in to read and for the province CPPCC's staff to change."""

import datetime
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Case, F, When
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from huying.accounts.models import User
from huying.core.api_errors import ErrorOut
from huying.core.api_types import Id, Int32, PageNumberPagination
from huying.duty import access, acts, queries
from huying.duty.actions import do_delete_rule, do_save_rule
from huying.duty.choices import ScopeKind
from huying.duty.models import DutyEntry, PointRule

router = Router(tags=["duty"])

# The years a record can hold (the pages accept the same).
Year = Annotated[int, Field(ge=2000, le=2100)]


class DutyKindOut(Schema):
    key: str
    label: str
    group: str
    group_label: str
    qualifiers: dict[str, str]


class DutyEntryOut(Schema):
    id: int
    kind: str
    kind_label: str
    group: str
    qualifier: str
    qualifier_label: str
    title: str
    source_type: str
    source_id: int
    occurred_at: datetime.datetime
    occurred_on: datetime.date | None
    points: int
    retracted: bool

    @staticmethod
    def resolve_kind_label(obj: DutyEntry) -> str:
        return queries.kind_label(obj.kind)

    @staticmethod
    def resolve_qualifier_label(obj: DutyEntry) -> str:
        return queries.qualifier_label(obj.kind, obj.qualifier)

    @staticmethod
    def resolve_retracted(obj: DutyEntry) -> bool:
        return obj.retracted_at is not None


class DutyEntryFilters(Schema):
    group: str = Field("", max_length=24)
    kind: str = Field("", max_length=48)
    year: Year | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None
    retracted: bool = Field(False, description="Include retracted acts (they count 0).")


class DutyKindLineOut(Schema):
    kind: str
    qualifier: str
    label: str
    qualifier_label: str
    group: str
    count: int
    points: int


class DutyYearOut(Schema):
    member_id: int
    member_name: str
    year: int
    points: int
    acts: int
    lines: list[DutyKindLineOut]


class DutyRankOut(Schema):
    rank: int
    member_id: int
    member_name: str
    points: int
    acts: int
    below_threshold: bool


class DutyRankingFilters(Schema):
    scope: ScopeKind = ScopeKind.CPPCC
    target: Id = Field(description="The CPPCC, special committee (organisation ids) or sector ranked.")
    year: Year
    threshold: Int32 = Field(10, description="Members below this many points are flagged.")
    flagged_only: bool = False


class DutyRuleOut(Schema):
    id: int
    kind: str
    kind_label: str
    qualifier: str
    points: int
    valid_from: datetime.date
    valid_to: datetime.date | None
    note: str

    @staticmethod
    def resolve_kind_label(obj: PointRule) -> str:
        return queries.kind_label(obj.kind)


class DutyRuleIn(Schema):
    kind: str = Field(max_length=48)
    qualifier: str = Field("", max_length=24, description="Empty: any qualifier.")
    points: int = Field(ge=-1000, le=1000)
    valid_from: datetime.date
    valid_to: datetime.date | None = Field(None, description="Empty: until further notice.")
    note: str = Field("", max_length=200)


def _member(request: HttpRequest, member_id: int) -> Any:
    member = User.objects.filter(pk=member_id).first()
    if member is None or not access.may_read_member(request.user, member):
        raise Http404(_("No such member."))
    return member


def _entries(request: HttpRequest, member: Any, filters: DutyEntryFilters) -> Any:
    # ``member`` is the caller or a member he reads (checked by ``_member``).
    return queries.entries(member, queries.Filters(**filters.dict()))


def _year(member: Any, year: int) -> dict[str, Any]:
    figures = queries.year_figures(member, year)
    return {
        "member_id": member.pk,
        "member_name": member.real_name,
        "year": year,
        "points": figures.points,
        "acts": figures.acts,
        "lines": [line.__dict__ for line in figures.lines],
    }


@router.get("/kinds", response=list[DutyKindOut], summary="The kinds of act the duty record knows")
def list_kinds(request: HttpRequest) -> Any:
    return [
        {
            "key": k.key,
            "label": str(k.label),
            "group": k.group,
            "group_label": queries.group_label(k.group),
            "qualifiers": {q: str(label) for q, label in k.qualifiers.items()},
        }
        for k in sorted(acts.kinds().values(), key=lambda k: (k.group, k.key))
    ]


@router.get("/me/entries", response=list[DutyEntryOut], summary="My duty record, newest first")
@paginate(PageNumberPagination, page_size=50)
def my_entries(request: HttpRequest, filters: Query[DutyEntryFilters]) -> Any:
    return _entries(request, request.user, filters)


@router.get("/me/years/{year}", response=DutyYearOut, summary="My acts and points of a year")
def my_year(request: HttpRequest, year: Year) -> Any:
    return _year(request.user, year)


@router.get(
    "/members/{member_id}/entries",
    response={200: list[DutyEntryOut], 404: ErrorOut},
    summary="A member's duty record (staff and leaders who manage the member)",
)
@paginate(PageNumberPagination, page_size=50)
def member_entries(request: HttpRequest, member_id: Id, filters: Query[DutyEntryFilters]) -> Any:
    return _entries(request, _member(request, member_id), filters)


@router.get(
    "/members/{member_id}/years/{year}",
    response={200: DutyYearOut, 404: ErrorOut},
    summary="A member's acts and points of a year",
)
def member_year(request: HttpRequest, member_id: Id, year: Year) -> Any:
    return _year(_member(request, member_id), year)


@router.get(
    "/rankings",
    response={200: list[DutyRankOut], 403: ErrorOut, 404: ErrorOut},
    summary="Members ranked by points in a CPPCC, special committee or sector",
)
@paginate(PageNumberPagination, page_size=50)
def rankings(request: HttpRequest, filters: Query[DutyRankingFilters]) -> Any:
    if not access.manages_members(request.user):
        raise PermissionDenied(_("Rankings are open to CPPCC staff, CPPCC leaders and administrators."))
    options = access.ranking_scopes(request.user).get(filters.scope, [])
    target = next((o for o in options if o.pk == filters.target), None)
    if target is None:
        raise Http404(_("No such group of members."))
    members = queries.ranking(request.user, filters.scope, target, filters.year)
    if filters.flagged_only:
        members = queries.below(members, filters.threshold)
    # Lazy: the pagination counts and slices in the database.
    return members.annotate(
        below_threshold=Case(When(points__lt=filters.threshold, then=True), default=False, output_field=BooleanField())
    ).values("points", "acts", "rank", "below_threshold", member_id=F("pk"), member_name=F("real_name"))


@router.get("/rules", response=list[DutyRuleOut], summary="The points rules")
def list_rules(request: HttpRequest) -> Any:
    return PointRule.objects.order_by("kind", "qualifier", "valid_from")


@router.post(
    "/rules", response={201: DutyRuleOut, 403: ErrorOut, 422: ErrorOut}, summary="Add a points rule (recomputes)"
)
def create_rule(request: HttpRequest, payload: DutyRuleIn) -> Any:
    return Status(201, do_save_rule(request.user, **payload.dict()))


@router.put(
    "/rules/{rule_id}",
    response={200: DutyRuleOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Change a points rule (recomputes)",
)
def update_rule(request: HttpRequest, rule_id: Id, payload: DutyRuleIn) -> Any:
    if not access.may_edit_rules(request.user):
        raise PermissionDenied(_("Only the province CPPCC's staff may change the points rules."))
    return do_save_rule(request.user, get_object_or_404(PointRule, pk=rule_id), **payload.dict())


@router.delete(
    "/rules/{rule_id}",
    response={204: None, 403: ErrorOut, 404: ErrorOut},
    summary="Delete a points rule (recomputes)",
)
def delete_rule(request: HttpRequest, rule_id: Id) -> Any:
    if not access.may_edit_rules(request.user):
        raise PermissionDenied(_("Only the province CPPCC's staff may change the points rules."))
    do_delete_rule(request.user, get_object_or_404(PointRule, pk=rule_id))
    return Status(204, None)
