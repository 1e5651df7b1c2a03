"""Supervision (督办): the deadline state of an assignment, derived from stored times at
read time, so it is right even when no sweep has run.

A stage is *running* while the unit still owes it: accept while the assignment waits to be
signed for, respond while signed for (or reopened) and not yet responded, resolve while
open. Its state is red once its deadline has passed, yellow once its warning time (stored
with the deadline) has come, else ok; the assignment's state is the worst running stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from huying.handling import conf
from huying.handling.choices import OPEN_STATUSES, Stage, Status, WarningLevel
from huying.handling.models import Assignment

LEVEL_ORDER = {WarningLevel.OK: 0, WarningLevel.YELLOW: 1, WarningLevel.RED: 2}


def warn_at(start: datetime, due: datetime | None) -> datetime | None:
    """When the yellow window of a deadline set at ``start`` opens: ``HANDLING_WARNING_HOURS``
    before the deadline if set, else the last ``HANDLING_WARNING_FRACTION`` of the time
    allowed; never before ``start``."""
    if due is None:
        return None
    hours = conf.warning_hours()
    window = timedelta(hours=hours) if hours is not None else (due - start) * conf.warning_fraction()
    return max(start, due - window)


@dataclass(frozen=True)
class StageState:
    stage: str
    level: str
    due: datetime
    warn_at: datetime | None


@dataclass(frozen=True)
class DeadlineState:
    level: str
    stage: str | None = None
    due: datetime | None = None
    stages: tuple[StageState, ...] = ()

    @property
    def is_overdue(self) -> bool:
        return self.level == WarningLevel.RED


def running_stages(a: Assignment) -> list[tuple[str, datetime, datetime | None]]:
    stages: list[tuple[str, datetime, datetime | None]] = []
    if a.status not in OPEN_STATUSES:
        return stages
    if a.status == Status.ASSIGNED and a.accept_due:
        stages.append((Stage.ACCEPT, a.accept_due, a.accept_warn_at))
    if a.status in (Status.ACCEPTED, Status.REOPENED) and a.responded_at is None and a.respond_due:
        stages.append((Stage.RESPOND, a.respond_due, a.respond_warn_at))
    if a.resolve_due:
        stages.append((Stage.RESOLVE, a.resolve_due, a.resolve_warn_at))
    return stages


def stage_level(now: datetime, due: datetime, warn: datetime | None) -> str:
    if now > due:
        return WarningLevel.RED
    if warn is not None and now >= warn:
        return WarningLevel.YELLOW
    return WarningLevel.OK


def deadline_state(assignment: Assignment, now: datetime | None = None) -> DeadlineState:
    """ok / yellow / red for the worst running stage (ties: the earliest deadline)."""
    now = now or timezone.now()
    states = tuple(
        StageState(stage, stage_level(now, due, warn), due, warn) for stage, due, warn in running_stages(assignment)
    )
    if not states:
        return DeadlineState(WarningLevel.OK)
    worst = min(states, key=lambda s: (-LEVEL_ORDER[WarningLevel(s.level)], s.due))
    return DeadlineState(worst.level, worst.stage, worst.due, states)


def do_urge(actor: object, assignment: Assignment, text: str, *, now: datetime | None = None) -> Assignment:
    """An urging notice (催办) from a supervisor to the unit: an event and a notification."""
    from huying.handling.transitions import do_urge as urge

    return urge(actor, assignment, text, now=now)
