"""The supervision sweep: yellow and red deadline warnings and escalated supervision.

Run by ``manage.py handling_sweep`` (cron or ``--loop`` in the embedded set-up) or the
Celery beat task ``huying.handling.tasks.sweep``. Correctness never depends on it: the
deadline state is derived from stored times (:mod:`huying.handling.supervision`); the
sweep only *sends* (records and notifies) warnings and raises supervision levels.

- Idempotent: a warning is a :class:`Warning` row, unique per (assignment, level, stage,
  deadline, repeat); a second run finds it and sends nothing.
- Batched: keyset pagination over assignment ids, ``batch_size`` at a time, a constant
  number of queries per batch whatever the batch holds.
- Red warnings repeat every ``HANDLING_RED_INTERVAL_HOURS`` while the stage stays overdue
  (repeat k is due k-1 intervals after the deadline; a sweep that missed some sends only
  the latest). Supervision level = highest red repeat // ``HANDLING_REDS_PER_SUPERVISION_LEVEL``
  (capped at 2), raised — never lowered — with a ``supervision_escalated`` event.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from huying.audit.actions import record
from huying.handling import conf, notify
from huying.handling.choices import OPEN_STATUSES, EventKind, NotificationKind, WarningLevel
from huying.handling.models import (
    Assignment,
    AssignmentQuerySet,
    CaseEvent,
    Notification,
    Warning,
    _stage_condition,
)
from huying.handling.policy import policy_for
from huying.handling.supervision import running_stages, stage_level


@dataclass
class SweepResult:
    batches: int = 0
    scanned: int = 0
    warnings: int = 0
    yellow: int = 0
    red: int = 0
    escalated: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def candidates(now: datetime) -> AssignmentQuerySet:
    return Assignment.objects.open().filter(_stage_condition(now, "warn_at") | _stage_condition(now, "due"))


def sweep(now: datetime | None = None, batch_size: int = 500) -> SweepResult:
    now = now or timezone.now()
    result = SweepResult()
    last_id = 0
    while True:
        ids = list(candidates(now).filter(pk__gt=last_id).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        last_id = ids[-1]
        result.batches += 1
        result.scanned += len(ids)
        _process_batch(ids, now, result)
        if len(ids) < batch_size:
            break
    return result


def _red_repeat(now: datetime, due: datetime, interval_hours: float) -> int:
    return math.floor((now - due).total_seconds() / (interval_hours * 3600)) + 1


def _text(level: str, stage: str, assignment: Assignment, due: datetime, repeat: int) -> str:
    from django.utils.translation import gettext_lazy as _

    from huying.handling.choices import Stage

    label = policy_for(assignment.workflow).case_label(assignment)
    local = timezone.localtime(due).strftime("%Y-%m-%d %H:%M")
    stage_label = Stage(stage).label
    if level == WarningLevel.YELLOW:
        return notify.render(
            _("Yellow warning: %(case)s, stage “%(stage)s” due by %(due)s.")
            % {"case": label, "stage": stage_label, "due": local}
        )
    return notify.render(
        _("Red warning (%(repeat)d): %(case)s, stage “%(stage)s” overdue since %(due)s.")
        % {"case": label, "stage": stage_label, "due": local, "repeat": repeat}
    )


def _process_batch(ids: list[int], now: datetime, result: SweepResult) -> None:
    interval = conf.red_interval_hours()
    per_level = conf.reds_per_supervision_level()
    with transaction.atomic():
        rows = list(
            Assignment.objects.select_for_update(skip_locked=True)
            .filter(pk__in=ids, status__in=OPEN_STATUSES)
            .order_by("pk")
        )
        existing = set(
            Warning.objects.filter(assignment_id__in=ids).values_list(
                "assignment_id", "level", "stage", "deadline", "repeat"
            )
        )
        highest_red: dict[int, int] = {}
        for assignment_id, level, _stage, _deadline, repeat in existing:
            if level == WarningLevel.RED:
                highest_red[assignment_id] = max(highest_red.get(assignment_id, 0), repeat)
        new_warnings: list[Warning] = []
        events: list[CaseEvent] = []
        notes: list[Notification] = []
        for row in rows:
            for stage, due, warn in running_stages(row):
                level = stage_level(now, due, warn)
                if level == WarningLevel.OK:
                    continue
                repeat = 1 if level == WarningLevel.YELLOW else _red_repeat(now, due, interval)
                key = (row.pk, level, stage, due, repeat)
                if key in existing:
                    continue
                existing.add(key)
                new_warnings.append(
                    Warning(assignment=row, level=level, stage=stage, deadline=due, repeat=repeat, created_at=now)
                )
                events.append(_warning_event(row, level, stage, due, repeat, now))
                text = _text(level, stage, row, due, repeat)
                units = [row.unit_id] if level == WarningLevel.YELLOW else [row.unit_id, row.owner_id]
                notes += notify.build(row, NotificationKind.WARNING, text, now, units=units)
                if level == WarningLevel.RED:
                    highest_red[row.pk] = max(highest_red.get(row.pk, 0), repeat)
                    result.red += 1
                else:
                    result.yellow += 1
        raised: dict[int, list[Assignment]] = {}
        for row in rows:
            target = min(2, highest_red.get(row.pk, 0) // per_level)
            if target > row.supervision_level:
                raised.setdefault(target, []).append(row)
        for level_value, group in raised.items():
            Assignment.objects.filter(pk__in=[r.pk for r in group], supervision_level__lt=level_value).update(
                supervision_level=level_value
            )
            for row in group:
                events.append(
                    CaseEvent(
                        assignment=row,
                        case_type_id=row.case_type_id,
                        case_id=row.case_id,
                        kind=EventKind.SUPERVISION_ESCALATED,
                        data={"from": row.supervision_level, "to": level_value},
                        created_at=now,
                    )
                )
                notes += notify.build(
                    row,
                    NotificationKind.SUPERVISION,
                    _supervision_text(row, level_value),
                    now,
                    units=[row.unit_id, row.owner_id],
                )
                row.supervision_level = level_value
                result.escalated += 1
        if new_warnings:
            Warning.objects.bulk_create(new_warnings, ignore_conflicts=True)
        if events:
            CaseEvent.objects.bulk_create(events)
        notify.send(notes)
        result.warnings += len(new_warnings)
        if new_warnings or raised:
            record(
                None,
                "handling.sweep",
                None,
                {
                    "warnings": len(new_warnings),
                    "supervision_escalated": [r.pk for group in raised.values() for r in group],
                },
                object_type="handling.assignment",
                object_repr=f"sweep {timezone.localtime(now):%Y-%m-%d %H:%M}",
            )


def _warning_event(row: Assignment, level: str, stage: str, due: datetime, repeat: int, now: datetime) -> CaseEvent:
    return CaseEvent(
        assignment=row,
        case_type_id=row.case_type_id,
        case_id=row.case_id,
        kind=EventKind.WARNING,
        data={"level": level, "stage": stage, "deadline": due.isoformat(), "repeat": repeat},
        created_at=now,
    )


def _supervision_text(row: Assignment, level: int) -> str:
    from django.utils.translation import gettext_lazy as _

    return notify.render(
        _("Supervision of %(case)s raised to level %(level)d after repeated overdue warnings.")
        % {"case": policy_for(row.workflow).case_label(row), "level": level}
    )
