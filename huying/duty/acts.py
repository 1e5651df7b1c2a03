"""The one registration call through which every module records a member's acts (我的履职).

A module declares the kinds of act it records once, from its ``AppConfig.ready()``::

    from huying.duty.acts import ActKind, register_kind
    register_kind(ActKind("proposal.filed", _("Proposal filed"), group="proposal"))

and then, inside the transaction of the move that is the act (a transition, an action),
calls :func:`record` — or :func:`retract` when the act is undone (a co-signer drops out, an
adoption is withdrawn). Both are idempotent: recording the same act of the same member from
the same source again changes nothing, so a retried request or a re-run backfill never
counts an act twice. Nothing else writes duty entries; the points ledger is computed from
these entries and the rules table, never written by the modules.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.functional import Promise


@dataclass(frozen=True)
class ActKind:
    """A kind of act: ``key`` ("opinion.adopted"), its label, its group (the member's
    timeline and list filters group by it: proposal, opinion, activity, consultation…) and
    the qualifiers it may carry (an adoption's level, a proposer's part), each with its label."""

    key: str
    label: str | Promise
    group: str
    qualifiers: dict[str, str | Promise] = field(default_factory=dict)


_KINDS: dict[str, ActKind] = {}


def register_kind(kind: ActKind) -> ActKind:
    """Declare a kind of act (from ``AppConfig.ready()``); declaring it again replaces it."""
    if len(kind.key) > 48 or "." not in kind.key:
        raise ValueError(f"An act kind is 'group.name' of at most 48 characters, not {kind.key!r}.")
    _KINDS[kind.key] = kind
    return kind


def kinds() -> dict[str, ActKind]:
    return dict(_KINDS)


def kind(key: str) -> ActKind:
    try:
        return _KINDS[key]
    except KeyError:
        raise LookupError(f"No act kind {key!r} is registered.") from None


def source_label(source: models.Model) -> str:
    return f"{source._meta.app_label}.{source._meta.model_name}"


def record(
    member: Any,
    kind_key: str,
    *,
    source: models.Model,
    occurred_at: datetime.datetime | None = None,
    qualifier: str = "",
    title: str = "",
) -> Any:
    """Record that ``member`` did an act of kind ``kind_key`` about ``source`` (the
    proposal, report, activity…), with an optional ``qualifier`` from the kind's own list.

    Idempotent on (member, kind, source, qualifier): the entry is made once; recording it
    again — or after a :func:`retract` — restores and returns the one entry. Call it inside
    the transaction of the act, so the entry and the act stand or fall together."""
    from huying.duty.models import DutyEntry

    act = kind(kind_key)
    if qualifier and qualifier not in act.qualifiers:
        raise ValueError(f"{qualifier!r} is not a qualifier of {kind_key!r}.")
    from huying.duty.points import bump, points_for

    when = occurred_at or timezone.now()
    day = timezone.localdate(when)
    points = points_for(kind_key, qualifier, day)
    entry, created = DutyEntry.objects.get_or_create(
        member=member,
        kind=kind_key,
        source_type=source_label(source),
        source_id=source.pk,
        qualifier=qualifier,
        defaults={
            "group": act.group,
            "occurred_at": when,
            "occurred_on": day,
            "year": day.year,
            "points": points,
            "title": title[:200],
        },
    )
    if created:
        bump(entry.member_id, day.year, points, 1)
    elif entry.retracted_at is not None:
        entry.retracted_at = None
        entry.occurred_at, entry.occurred_on, entry.year, entry.points = when, day, day.year, points
        entry.save(update_fields=["retracted_at", "occurred_at", "occurred_on", "year", "points"])
        bump(entry.member_id, day.year, points, 1)
    return entry


def retract(member: Any, kind_key: str, *, source: models.Model, qualifier: str | None = None) -> int:
    """Mark ``member``'s acts of ``kind_key`` about ``source`` as undone (all qualifiers
    unless one is named); the entries stay, flagged, so the record shows nothing was lost.
    Returns how many entries were retracted."""
    from huying.duty.models import DutyEntry

    kind(kind_key)
    entries = DutyEntry.objects.filter(
        member=member, kind=kind_key, source_type=source_label(source), source_id=source.pk, retracted_at=None
    )
    if qualifier is not None:
        entries = entries.filter(qualifier=qualifier)
    from huying.duty.points import bump

    undone = list(entries.select_for_update().values_list("pk", "member_id", "year", "points"))
    if not undone:
        return 0
    DutyEntry.objects.filter(pk__in=[pk for pk, *_ in undone]).update(retracted_at=timezone.now(), points=0)
    for _pk, member_id, year, points in undone:
        if year is not None:
            bump(member_id, year, -points, -1)
    return len(undone)


_BACKFILLS: dict[str, Callable[[], int]] = {}


def register_backfill(name: str, backfill: Callable[[], int]) -> None:
    """Declare how a module re-records the acts of its existing objects (``manage.py
    duty_rebuild``): a function calling :func:`record` for each act, answering how many
    objects it read. It must be idempotent, as :func:`record` is."""
    _BACKFILLS[name] = backfill


def backfills() -> dict[str, Callable[[], int]]:
    return dict(_BACKFILLS)
