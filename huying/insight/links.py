"""A topic's member texts for one reader: the label and the page of each record the reader
may open (none for the others), and the units handling its work orders."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from huying.insight.models import TopicText
from huying.insight.sources import get as get_source


@dataclass
class MemberLink:
    source: str
    object_id: int
    at: Any
    excerpt: str
    label: str = ""
    url: str | None = None
    units: list[str] = field(default_factory=list)


def _orders(user: Any, ids: list[int]) -> dict[int, tuple[str, str | None]]:
    from huying.workorders.models import WorkOrder

    visible = set(WorkOrder.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    return {
        pk: (number, reverse("workorders:console_detail", args=[pk]) if pk in visible else None)
        for pk, number in WorkOrder.objects.filter(pk__in=ids).values_list("pk", "number")
    }


def _suggestions(user: Any, ids: list[int]) -> dict[int, tuple[str, str | None]]:
    from huying.interaction.models import Suggestion

    visible = set(Suggestion.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    return {pk: ("", reverse("interaction:suggestion", args=[pk]) if pk in visible else None) for pk in ids}


def _proposals(user: Any, ids: list[int]) -> dict[int, tuple[str, str | None]]:
    from huying.proposals.models import Proposal

    visible = set(Proposal.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    return {pk: ("", reverse("proposals:detail", args=[pk]) if pk in visible else None) for pk in ids}


def _reports(user: Any, ids: list[int]) -> dict[int, tuple[str, str | None]]:
    from huying.opinions.models import OpinionReport

    visible = set(OpinionReport.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    return {pk: ("", reverse("opinions:detail", args=[pk]) if pk in visible else None) for pk in ids}


RESOLVERS: dict[str, Callable[[Any, list[int]], dict[int, tuple[str, str | None]]]] = {
    "workorder": _orders,
    "suggestion": _suggestions,
    "proposal": _proposals,
    "report": _reports,
}


def handling_units(order_ids: Iterable[int]) -> dict[int, list[str]]:
    """The units the handling engine has assigned each order (merged orders: their
    parent's), lead first, withdrawn assignments left out."""
    from django.contrib.contenttypes.models import ContentType

    from huying.handling.models import Assignment
    from huying.workorders.models import WorkOrder

    ids = list(order_ids)
    parents = dict(WorkOrder.objects.filter(pk__in=ids, parent__isnull=False).values_list("pk", "parent_id"))
    cases = set(ids) | set(parents.values())
    by_case: dict[int, list[str]] = defaultdict(list)
    rows = (
        Assignment.objects.filter(case_type=ContentType.objects.get_for_model(WorkOrder), case_id__in=cases)
        .exclude(status="cancelled")
        .order_by("case_id", "tier", "pk")
        .values_list("case_id", "unit__name", "role")
    )
    for case, unit, role in rows:
        name = unit if role in ("lead", "single", "separate") else _("%(unit)s (co-handling)") % {"unit": unit}
        if name not in by_case[case]:
            by_case[case].append(name)
    return {pk: by_case.get(parents.get(pk, pk), []) for pk in ids}


def members(user: Any, topic: Any, limit: int = 200) -> list[MemberLink]:
    """The topic's newest ``limit`` texts with what ``user`` may open."""
    rows = list(
        TopicText.objects.filter(topic=topic)
        .order_by("-at", "-pk")
        .values_list("source", "object_id", "at", "excerpt")[:limit]
    )
    found = [MemberLink(source=s, object_id=o, at=a, excerpt=e) for s, o, a, e in rows]
    by_source: dict[str, list[int]] = defaultdict(list)
    for member in found:
        by_source[member.source].append(member.object_id)
    resolved: dict[tuple[str, int], tuple[str, str | None]] = {}
    for source, ids in by_source.items():
        registered = get_source(source)
        resolver = (
            registered.links if registered is not None and registered.links is not None else RESOLVERS.get(source)
        )
        if resolver is not None:
            for pk, value in resolver(user, ids).items():
                resolved[(source, pk)] = value
    units = handling_units(by_source.get("workorder", []))
    for member in found:
        member.label, member.url = resolved.get((member.source, member.object_id), ("", None))
        if member.source == "workorder":
            member.units = units.get(member.object_id, [])
    return found
