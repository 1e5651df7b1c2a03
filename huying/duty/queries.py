"""Reads of the duty record shared by the pages, the API, the exports and the benchmark:
a member's entries with filters, the timeline grouped by month with links to the sources
the viewer may open, a year's counts and points, and the rankings."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Count, F, FilteredRelation, IntegerField, Max, Q, QuerySet, Sum, Value, Window
from django.db.models.functions import Coalesce, Rank

from huying.accounts.models import User
from huying.duty import acts
from huying.duty.access import member_assignments
from huying.duty.choices import ActGroup, ScopeKind
from huying.duty.models import DutyEntry, DutySummary


def kind_label(key: str) -> str:
    try:
        return str(acts.kind(key).label)
    except LookupError:
        return key


def qualifier_label(key: str, qualifier: str) -> str:
    if not qualifier:
        return ""
    try:
        return str(acts.kind(key).qualifiers.get(qualifier, qualifier))
    except LookupError:
        return qualifier


def group_label(group: str) -> str:
    return str(ActGroup(group).label) if group in ActGroup.values else group


def group_choices() -> list[tuple[str, str]]:
    groups = {k.group for k in acts.kinds().values()} | set(ActGroup.values)
    order = list(ActGroup.values)
    return [(g, group_label(g)) for g in sorted(groups, key=lambda g: (order.index(g) if g in order else 99, g))]


def kind_choices() -> list[tuple[str, str]]:
    return [(k.key, str(k.label)) for k in sorted(acts.kinds().values(), key=lambda k: (k.group, k.key))]


@dataclass
class Filters:
    group: str = ""
    kind: str = ""
    year: int | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None
    retracted: bool = False  # include retracted entries (shown struck through)


def entries(member: Any, filters: Filters | None = None) -> QuerySet[DutyEntry]:
    """``member``'s entries, newest first, filtered. The caller has checked the viewer may
    read ``member`` (``DutyEntry.objects.visible_to``)."""
    f = filters or Filters()
    qs = DutyEntry.objects.filter(member=member)
    if not f.retracted:
        qs = qs.filter(retracted_at__isnull=True)
    if f.group:
        qs = qs.filter(group=f.group)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.year:
        qs = qs.filter(occurred_at__gte=_year_start(f.year), occurred_at__lt=_year_start(f.year + 1))
    if f.start:
        qs = qs.filter(occurred_on__gte=f.start)
    if f.end:
        qs = qs.filter(occurred_on__lte=f.end)
    return qs.order_by("-occurred_at", "-id")


def _year_start(year: int) -> datetime.datetime:
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime(year, 1, 1))


@dataclass
class Item:
    entry: DutyEntry
    label: str
    qualifier: str
    url: str | None


@dataclass
class Month:
    year: int
    month: int
    items: list[Item] = field(default_factory=list)


def source_links(rows: list[DutyEntry], viewer: Any) -> dict[tuple[str, int], str]:
    """The page of each entry's source that ``viewer`` may open: asked of the source model
    (``get_absolute_url``), for the sources its ``visible_to`` lets the viewer see."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        wanted[row.source_type].add(row.source_id)
    links: dict[tuple[str, int], str] = {}
    for source_type, ids in wanted.items():
        try:
            model = apps.get_model(source_type)
        except (LookupError, ValueError):
            continue
        if not hasattr(model, "get_absolute_url"):
            continue
        queryset = model._default_manager.all()
        if not hasattr(queryset, "visible_to"):
            continue
        for obj in queryset.visible_to(viewer).filter(pk__in=ids):
            links[(source_type, obj.pk)] = obj.get_absolute_url()
    return links


def timeline(rows: list[DutyEntry], viewer: Any) -> list[Month]:
    from django.utils import timezone

    links = source_links(rows, viewer)
    months: list[Month] = []
    for row in rows:
        local = timezone.localtime(row.occurred_at)
        if not months or (months[-1].year, months[-1].month) != (local.year, local.month):
            months.append(Month(local.year, local.month))
        months[-1].items.append(
            Item(
                row,
                kind_label(row.kind),
                qualifier_label(row.kind, row.qualifier),
                links.get((row.source_type, row.source_id)),
            )
        )
    return months


@dataclass
class KindLine:
    kind: str
    qualifier: str
    label: str
    qualifier_label: str
    group: str
    count: int
    points: int


@dataclass
class YearFigures:
    year: int
    lines: list[KindLine]
    points: int
    acts: int
    groups: dict[str, int]

    @property
    def group_counts(self) -> list[tuple[str, int]]:
        """(label, count) of each group with acts, in the groups' order."""
        order = [g for g, _label in group_choices()]
        return [
            (group_label(g), self.groups[g])
            for g in sorted(self.groups, key=lambda g: order.index(g) if g in order else 99)
        ]


def year_figures(member: Any, year: int) -> YearFigures:
    """Counts and points per kind (and qualifier) of ``member``'s acts in ``year``."""
    rows = (
        DutyEntry.objects.filter(
            member=member,
            retracted_at__isnull=True,
            occurred_at__gte=_year_start(year),
            occurred_at__lt=_year_start(year + 1),
        )
        .values("kind", "qualifier", "group")
        .annotate(count=Count("id"), points=Sum("points"))
        .order_by("group", "kind", "qualifier")
    )
    lines = [
        KindLine(
            r["kind"],
            r["qualifier"],
            kind_label(r["kind"]),
            qualifier_label(r["kind"], r["qualifier"]),
            r["group"],
            r["count"],
            r["points"] or 0,
        )
        for r in rows
    ]
    groups: dict[str, int] = defaultdict(int)
    for line in lines:
        groups[line.group] += line.count
    return YearFigures(year, lines, sum(line.points for line in lines), sum(line.count for line in lines), dict(groups))


def member_years(member: Any) -> list[int]:
    return list(DutySummary.objects.filter(member=member).order_by("-year").values_list("year", flat=True))


def ranking(viewer: Any, scope: str, target: Any, year: int) -> QuerySet[User]:
    """The members of ``target`` (a CPPCC and those below it, a special committee or a
    sector) that ``viewer`` reads, with their points and acts in ``year`` (0 without any),
    ranked by points (equal points share a rank)."""
    assignments = member_assignments(viewer)
    if scope == ScopeKind.CPPCC:
        assignments = assignments.filter(organisation__path__startswith=target.path)
    elif scope == ScopeKind.COMMITTEE:
        assignments = assignments.filter(special_committee=target)
    elif scope == ScopeKind.SECTOR:
        assignments = assignments.filter(sector=target)
    else:
        return User.objects.none()
    # One LEFT JOIN on the year's summary (unique per member and year): 0 without one.
    return (
        User.objects.filter(pk__in=assignments.values("user_id"))
        .only("pk", "username", "real_name")
        .annotate(year_summary=FilteredRelation("duty_summaries", condition=Q(duty_summaries__year=year)))
        .annotate(
            points=Coalesce(F("year_summary__points"), Value(0), output_field=IntegerField()),
            acts=Coalesce(F("year_summary__acts"), Value(0), output_field=IntegerField()),
        )
        .annotate(rank=Window(Rank(), order_by=F("points").desc()))
        .order_by("-points", "real_name", "pk")
    )


def describe_members(users: list[Any]) -> dict[int, Any]:
    """Each listed member's member role (CPPCC, sector, special committee), one query."""
    from huying.accounts.choices import Role
    from huying.accounts.models import RoleAssignment

    found: dict[int, Any] = {}
    for assignment in (
        RoleAssignment.objects.filter(user__in=users, role=Role.MEMBER, is_active=True)
        .select_related("organisation", "sector", "special_committee")
        .order_by("organisation__path")
    ):
        found.setdefault(assignment.user_id, assignment)
    return found


def below(members: QuerySet[User], threshold: int) -> QuerySet[User]:
    """Only the ranked members below ``threshold`` points, keeping their rank in the whole
    ranking (the filter reads a window expression, so it applies after the ranking)."""
    return members.annotate(
        flag_points=Window(Max("points"), partition_by=[F("pk")]),
    ).filter(flag_points__lt=threshold)
