"""The supervision sweep: yellow and red deadline warnings and escalated supervision.

Run by ``manage.py handling_sweep`` (cron or ``--loop`` in the embedded set-up) or the
Celery beat task ``huying.handling.tasks.sweep``. Correctness never depends on it: the
deadline state is derived from stored times (:mod:`huying.handling.supervision`); the
sweep only *sends* (records and notifies) warnings and raises supervision levels.

Set-based (docs/handling-engine.md, "The sweep"):

- *Which assignments*: a run reads only the open assignments that crossed a threshold
  since the last complete run — a warning time or a deadline in the window, or a red
  repeat falling due (:attr:`Warning.next_at`) — and those changed since then
  (``updated_at``: accepted late, reopened, new), each an indexed range. The window
  starts at the high-water mark kept in :class:`SweepState` less
  ``HANDLING_SWEEP_OVERLAP_MINUTES``. The first run, a run with ``full=True`` and a run
  whose ``now`` is before the mark read every open assignment past a threshold.
- *Batched*: the candidates' ids are read once, then ``batch_size`` at a time, each batch
  in its own transaction with a constant number of queries. On PostgreSQL two statements
  (:data:`_PG_WARN`, :data:`_PG_NOTIFY`): the warnings due inserted with conflicts ignored
  on their unique constraint and their events written from the ``RETURNING`` rows; then,
  with the case labels fetched once per workflow (:meth:`Policy.case_labels`), the
  notifications with texts built by ``format()`` in the database, and the supervision
  levels raised on locked rows with their events and notifications. Elsewhere (SQLite)
  the same in Python over ``values_list`` rows, one ``INSERT … RETURNING`` for the warnings.
- *Idempotent and safe to kill or run twice at once*: a warning is a :class:`Warning`
  row, unique per (assignment, level, stage, deadline, repeat); only the run that
  inserted it writes its event and notifications. A batch commits whole; the mark moves
  only after the last batch, so a killed run is simply done again by the next one.
- Red warnings repeat every ``HANDLING_RED_INTERVAL_HOURS`` while the stage stays overdue
  (repeat k is due k-1 intervals after the deadline; a sweep that missed some sends only
  the latest). Supervision level = highest red repeat // ``HANDLING_REDS_PER_SUPERVISION_LEVEL``
  (capped at 2), raised — never lowered — with a ``supervision_escalated`` event.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple, cast

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from huying.audit.actions import record
from huying.handling import conf, notify
from huying.handling.choices import OPEN_STATUSES, EventKind, NotificationKind, Stage, Status, WarningLevel
from huying.handling.models import (
    Assignment,
    AssignmentQuerySet,
    CaseEvent,
    Notification,
    SweepState,
    Warning,
    _stage_condition,
)
from huying.handling.policy import policy_for
from huying.handling.supervision import running_stages, stage_level

STATE = "deadlines"
YELLOW_TEXT = _("Yellow warning: %(case)s, stage “%(stage)s” due by %(due)s.")
RED_TEXT = _("Red warning (%(repeat)d): %(case)s, stage “%(stage)s” overdue since %(due)s.")
SUPERVISION_TEXT = _("Supervision of %(case)s raised to level %(level)d after repeated overdue warnings.")


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


class Row(NamedTuple):
    """The columns of an assignment the sweep reads (duck-types ``Assignment`` for
    :func:`huying.handling.supervision.running_stages`)."""

    pk: int
    workflow: str
    case_type_id: int
    case_id: int
    unit_id: int
    owner_id: int
    status: str
    responded_at: datetime | None
    accept_due: datetime | None
    accept_warn_at: datetime | None
    respond_due: datetime | None
    respond_warn_at: datetime | None
    resolve_due: datetime | None
    resolve_warn_at: datetime | None
    supervision_level: int


def candidates(now: datetime) -> AssignmentQuerySet:
    """Every open assignment with a running stage past its warning time or deadline."""
    return Assignment.objects.open().filter(_stage_condition(now, "warn_at") | _stage_condition(now, "due"))


def crossed_since(since: datetime, now: datetime) -> list[int]:
    """Ids of the assignments with something to send that may not have been sent by a run
    at ``since``: a warning time in (since, now], a deadline in [since, now), a red repeat
    due in (since, now], or a change after ``since`` (one query, a union of index ranges)."""
    open_rows = Assignment.objects.open()
    accept = Q(status=Status.ASSIGNED)
    respond = Q(status__in=(Status.ACCEPTED, Status.REOPENED), responded_at__isnull=True)
    queries = [
        open_rows.filter(accept, accept_warn_at__gt=since, accept_warn_at__lte=now),
        open_rows.filter(accept, accept_due__gte=since, accept_due__lt=now),
        open_rows.filter(respond, respond_warn_at__gt=since, respond_warn_at__lte=now),
        open_rows.filter(respond, respond_due__gte=since, respond_due__lt=now),
        open_rows.filter(resolve_warn_at__gt=since, resolve_warn_at__lte=now),
        open_rows.filter(resolve_due__gte=since, resolve_due__lt=now),
        candidates(now).filter(updated_at__gt=since),
    ]
    ids = [q.order_by().values_list("pk", flat=True) for q in queries]
    repeats = (
        Warning.objects.filter(next_at__gt=since, next_at__lte=now).order_by().values_list("assignment_id", flat=True)
    )
    union = ids[0].union(*ids[1:], repeats)
    return sorted(set(union))


def sweep(now: datetime | None = None, batch_size: int = 500, *, full: bool = False) -> SweepResult:
    now = now or timezone.now()
    result = SweepResult()
    mark = SweepState.objects.filter(name=STATE).values_list("swept_until", flat=True).first()
    if full or mark is None or now < mark:
        ids = list(candidates(now).order_by("pk").values_list("pk", flat=True))
    else:
        ids = crossed_since(mark - timedelta(minutes=conf.sweep_overlap_minutes()), now)
    for start in range(0, len(ids), batch_size):
        result.batches += 1
        _process_batch(ids[start : start + batch_size], now, result)
    _advance(now)
    return result


def _advance(now: datetime) -> None:
    """Move the high-water mark to ``now`` (never back: a slower concurrent run that
    started earlier leaves a later mark alone)."""
    moved = (
        SweepState.objects.filter(name=STATE)
        .filter(Q(swept_until__isnull=True) | Q(swept_until__lte=now))
        .update(swept_until=now, updated_at=timezone.now())
    )
    if not moved and not SweepState.objects.filter(name=STATE).exists():
        SweepState.objects.get_or_create(name=STATE, defaults={"swept_until": now, "updated_at": timezone.now()})


def _red_repeat(now: datetime, due: datetime, interval_hours: float) -> int:
    return math.floor((now - due).total_seconds() / (interval_hours * 3600)) + 1


class _Texts:
    """The warning texts of a batch, in the platform's main language, without a query each:
    case labels fetched once per workflow, templates translated once."""

    def __init__(self, rows: list[Row]) -> None:
        by_workflow: dict[str, list[int]] = {}
        for row in rows:
            by_workflow.setdefault(row.workflow, []).append(row.case_id)
        with translation.override(settings.LANGUAGE_CODE):
            self.labels = {
                (workflow, case_id): label
                for workflow, case_ids in by_workflow.items()
                for case_id, label in policy_for(workflow).case_labels(sorted(set(case_ids))).items()
            }
            self.yellow = str(YELLOW_TEXT)
            self.red = str(RED_TEXT)
            self.supervision = str(SUPERVISION_TEXT)
            self.stages = {value: str(label) for value, label in Stage.choices}

    def label(self, row: Row) -> str:
        return self.labels[(row.workflow, row.case_id)]

    def warning(self, row: Row, level: str, stage: str, due: datetime, repeat: int) -> str:
        values = {
            "case": self.label(row),
            "stage": self.stages[stage],
            "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M"),
            "repeat": repeat,
        }
        return ((self.yellow if level == WarningLevel.YELLOW else self.red) % values)[:300]

    def supervision_raised(self, row: Row, level: int) -> str:
        return (self.supervision % {"case": self.label(row), "level": level})[:300]


def _due_warnings(rows: list[Row], now: datetime, interval: float) -> dict[tuple[int, str, str], tuple[datetime, int]]:
    """(assignment, level, stage) -> (deadline, repeat) of the warning each running stage
    calls for at ``now``."""
    due_now: dict[tuple[int, str, str], tuple[datetime, int]] = {}
    for row in rows:
        for stage, due, warn in running_stages(cast(Assignment, row)):
            level = stage_level(now, due, warn)
            if level == WarningLevel.OK:
                continue
            repeat = 1 if level == WarningLevel.YELLOW else _red_repeat(now, due, interval)
            due_now[(row.pk, level, stage)] = (due, repeat)
    return due_now


def _insert_warnings(
    due_now: dict[tuple[int, str, str], tuple[datetime, int]], now: datetime, interval: float
) -> list[tuple[int, str, str]]:
    """Insert the warnings, ignoring those already there (unique constraint), and answer
    with the keys of the rows this call inserted (one query)."""
    if not due_now:
        return []
    ops, quote = connection.ops, connection.ops.quote_name
    columns = ("assignment_id", "level", "stage", "deadline", "repeat", "created_at", "next_at")
    params: list[Any] = []
    created = ops.adapt_datetimefield_value(now)
    for (assignment_id, level, stage), (due, repeat) in due_now.items():
        next_at = due + timedelta(hours=interval * repeat) if level == WarningLevel.RED else None
        params += [
            assignment_id,
            level,
            stage,
            ops.adapt_datetimefield_value(due),
            repeat,
            created,
            ops.adapt_datetimefield_value(next_at),
        ]
    table, names = quote(Warning._meta.db_table), ", ".join(quote(c) for c in columns)
    values = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(due_now))
    conflict = "ON CONFLICT DO NOTHING RETURNING assignment_id, level, stage"
    sql = f"INSERT INTO {table} ({names}) VALUES {values} {conflict}"  # noqa: S608 - names quoted, values bound
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(int(a), str(level), str(stage)) for a, level, stage in cursor.fetchall()]


# PostgreSQL, statement 1 of a batch: the warnings due, their insertion (conflicts ignored)
# and their events, written from what was inserted; answers per workflow with the cases
# named by the new warnings and the warnings' ids (nothing per row in Python).
_PG_WARN = """
WITH stage AS (
    SELECT a.id, s.stage, s.due, s.warn
    FROM {assignment} a
    CROSS JOIN LATERAL (VALUES
        ('accept', a.accept_due, a.accept_warn_at, a.status = %(assigned)s),
        ('respond', a.respond_due, a.respond_warn_at,
         a.status IN (%(accepted)s, %(reopened)s) AND a.responded_at IS NULL),
        ('resolve', a.resolve_due, a.resolve_warn_at, TRUE)
    ) AS s(stage, due, warn, running)
    WHERE a.id = ANY(%(ids)s) AND a.status = ANY(%(open)s) AND s.running AND s.due IS NOT NULL
), leveled AS (
    SELECT id, stage, due,
           CASE WHEN %(now)s > due THEN 'red' WHEN warn IS NOT NULL AND %(now)s >= warn THEN 'yellow' END AS level
    FROM stage
), due_now AS (
    SELECT id, stage, due, level,
           CASE WHEN level = 'red'
                THEN floor(extract(epoch FROM (%(now)s - due)) / %(interval)s)::int + 1 ELSE 1 END AS repeat
    FROM leveled WHERE level IS NOT NULL
), inserted AS (
    INSERT INTO {warning} (assignment_id, level, stage, deadline, repeat, created_at, next_at)
    SELECT id, level, stage, due, repeat, %(now)s,
           CASE WHEN level = 'red' THEN due + make_interval(secs => %(interval)s * repeat) END
    FROM due_now ORDER BY id, stage
    ON CONFLICT DO NOTHING
    RETURNING id, assignment_id, level, stage, deadline, repeat
), hit AS (
    SELECT i.id, i.assignment_id, i.level, i.stage, i.deadline, i.repeat, a.case_type_id, a.case_id, a.workflow
    FROM inserted i JOIN {assignment} a ON a.id = i.assignment_id
), events AS (
    INSERT INTO {event} (assignment_id, case_type_id, case_id, scope, kind, from_status, to_status,
                         actor_name, note, data, created_at)
    SELECT assignment_id, case_type_id, case_id, 'assignment', %(kind)s, '', '', '', '',
           jsonb_build_object(
               'level', level, 'stage', stage,
               'deadline', to_char(deadline AT TIME ZONE 'UTC',
                                   CASE WHEN date_trunc('second', deadline) = deadline
                                        THEN 'YYYY-MM-DD"T"HH24:MI:SS' ELSE 'YYYY-MM-DD"T"HH24:MI:SS.US' END)
                           || '+00:00',
               'repeat', repeat),
           %(now)s
    FROM hit ORDER BY assignment_id, stage
)
SELECT workflow, array_agg(DISTINCT case_id), array_agg(id), count(*) FILTER (WHERE level = 'yellow'),
       count(*) FILTER (WHERE level = 'red')
FROM hit GROUP BY workflow
"""

# Statement 2: the notifications of the new warnings, texts built here from the templates
# (translated once) and the case labels of statement 1's cases (one query per workflow);
# the supervision levels the new red warnings call for, raised on locked rows, with their
# events and notifications. Answers with the raised assignments' ids and, when a delivery
# hook is registered, the notifications' ids.
_PG_NOTIFY = """
WITH labels AS (
    SELECT * FROM unnest(%(workflows)s::text[], %(cases)s::bigint[], %(labels)s::text[]) AS l(workflow, case_id, label)
), hit AS (
    SELECT w.assignment_id, w.level, w.stage, w.deadline, w.repeat,
           a.case_type_id, a.case_id, a.unit_id, a.owner_id, l.label
    FROM {warning} w
    JOIN {assignment} a ON a.id = w.assignment_id
    JOIN labels l ON l.workflow = a.workflow AND l.case_id = a.case_id
    WHERE w.id = ANY(%(warnings)s)
), warning_notes AS (
    INSERT INTO {notification} (recipient_unit_id, kind, case_type_id, case_id, assignment_id, text, created_at)
    SELECT r.unit, %(warning_kind)s, h.case_type_id, h.case_id, h.assignment_id,
           left(format(CASE WHEN h.level = 'yellow' THEN %(yellow)s ELSE %(red)s END,
                       h.label, %(stages)s::jsonb ->> h.stage,
                       to_char(h.deadline AT TIME ZONE %(tz)s, 'YYYY-MM-DD HH24:MI'), h.repeat), 300),
           %(now)s
    FROM hit h CROSS JOIN LATERAL (VALUES (h.unit_id, 1), (h.owner_id, 2)) AS r(unit, nth)
    WHERE r.nth = 1 OR (h.level = 'red' AND h.owner_id <> h.unit_id)
    ORDER BY h.assignment_id, h.stage, r.nth
    RETURNING id
), highest AS (
    SELECT w.assignment_id, max(w.repeat) AS top
    FROM {warning} w
    WHERE w.level = 'red' AND w.assignment_id IN (SELECT assignment_id FROM hit WHERE level = 'red')
    GROUP BY w.assignment_id
), locked AS (
    SELECT a.id, a.case_type_id, a.case_id, a.unit_id, a.owner_id, a.workflow,
           a.supervision_level AS before, least(2, h.top / %(per_level)s) AS after
    FROM {assignment} a JOIN highest h ON h.assignment_id = a.id
    WHERE least(2, h.top / %(per_level)s) > a.supervision_level
    ORDER BY a.id
    FOR UPDATE OF a
), raised AS (
    UPDATE {assignment} a SET supervision_level = k.after
    FROM locked k
    WHERE a.id = k.id AND a.supervision_level < k.after
    RETURNING k.id, k.case_type_id, k.case_id, k.unit_id, k.owner_id, k.workflow, k.before, k.after
), supervision_events AS (
    INSERT INTO {event} (assignment_id, case_type_id, case_id, scope, kind, from_status, to_status,
                         actor_name, note, data, created_at)
    SELECT id, case_type_id, case_id, 'assignment', %(supervision_kind)s, '', '', '', '',
           jsonb_build_object('from', before, 'to', after), %(now)s
    FROM raised ORDER BY id
), supervision_notes AS (
    INSERT INTO {notification} (recipient_unit_id, kind, case_type_id, case_id, assignment_id, text, created_at)
    SELECT u.unit, %(supervision_note_kind)s, r.case_type_id, r.case_id, r.id,
           left(format(%(supervision)s, l.label, r.after), 300), %(now)s
    FROM raised r
    JOIN labels l ON l.workflow = r.workflow AND l.case_id = r.case_id
    CROSS JOIN LATERAL (VALUES (r.unit_id, 1), (r.owner_id, 2)) AS u(unit, nth)
    WHERE u.nth = 1 OR r.owner_id <> r.unit_id
    ORDER BY r.id, u.nth
    RETURNING id
)
SELECT (SELECT coalesce(array_agg(id ORDER BY id), '{{}}') FROM raised),
       CASE WHEN %(deliver)s THEN (SELECT coalesce(array_agg(id), '{{}}')
                                   FROM (SELECT id FROM warning_notes UNION ALL SELECT id FROM supervision_notes) n)
       END,
       (SELECT count(*) FROM warning_notes) + (SELECT count(*) FROM supervision_notes)
"""


def _sql_template(template: str, names: tuple[str, ...]) -> str:
    """A translated ``%(name)s`` / ``%(name)d`` template as a PostgreSQL ``format()`` string:
    each name becomes its position among ``names`` (``%1$s``…); ``%%`` stays a percent sign.
    Values are substituted once, so a case label holding ``%(stage)s`` stays as it is."""

    def place(match: re.Match[str]) -> str:
        if match.group(0) == "%%":
            return "%%"
        return f"%{names.index(match.group(1)) + 1}$s"

    return re.sub(r"%%|%\((\w+)\)[sd]", place, template)


def _process_batch(ids: list[int], now: datetime, result: SweepResult) -> None:
    if connection.vendor == "postgresql":
        _process_batch_pg(ids, now, result)
        return
    interval = conf.red_interval_hours()
    per_level = conf.reds_per_supervision_level()
    with transaction.atomic():
        rows = [Row(*values) for values in Assignment.objects.open().filter(pk__in=ids).values_list(*Row._fields)]
        result.scanned += len(rows)
        due_now = _due_warnings(rows, now, interval)
        inserted = _insert_warnings(due_now, now, interval)
        if not inserted:
            return
        by_pk = {row.pk: row for row in rows}
        texts = _Texts([by_pk[key[0]] for key in inserted])
        events: list[CaseEvent] = []
        notes: list[Notification] = []
        new_red: set[int] = set()
        for key in sorted(inserted):
            assignment_id, level, stage = key
            row = by_pk[assignment_id]
            due, repeat = due_now[key]
            events.append(_event(row, EventKind.WARNING, now, level=level, stage=stage, due=due, repeat=repeat))
            units = [row.unit_id] if level == WarningLevel.YELLOW else [row.unit_id, row.owner_id]
            text = texts.warning(row, level, stage, due, repeat)
            notes += _notes(row, NotificationKind.WARNING, text, now, units)
            if level == WarningLevel.RED:
                new_red.add(assignment_id)
                result.red += 1
            else:
                result.yellow += 1
        raised = _raise_supervision(new_red, by_pk, per_level)
        for row, before, level_value in raised:
            events.append(_event(row, EventKind.SUPERVISION_ESCALATED, now, before=before, after=level_value))
            notes += _notes(
                row,
                NotificationKind.SUPERVISION,
                texts.supervision_raised(row, level_value),
                now,
                [row.unit_id, row.owner_id],
            )
            result.escalated += 1
        CaseEvent.objects.bulk_create(events)
        notify.send(notes)
        result.warnings += len(inserted)
        record(
            None,
            "handling.sweep",
            None,
            {"warnings": len(inserted), "supervision_escalated": [row.pk for row, _before, _after in raised]},
            object_type="handling.assignment",
            object_repr=f"sweep {timezone.localtime(now):%Y-%m-%d %H:%M}",
        )


def _process_batch_pg(ids: list[int], now: datetime, result: SweepResult) -> None:
    """:func:`_process_batch` on PostgreSQL in two statements and the audit entry: warnings
    and their events (:data:`_PG_WARN`), then, with the cases' labels fetched once per
    workflow, notifications and supervision (:data:`_PG_NOTIFY`). No model instance and no
    Python work per warning: texts are built by ``format()`` in the database."""
    quote = connection.ops.quote_name
    tables = {
        "assignment": quote(Assignment._meta.db_table),
        "warning": quote(Warning._meta.db_table),
        "event": quote(CaseEvent._meta.db_table),
        "notification": quote(Notification._meta.db_table),
    }
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                _PG_WARN.format(**tables),
                {
                    "ids": ids,
                    "open": [str(status) for status in OPEN_STATUSES],
                    "assigned": str(Status.ASSIGNED),
                    "accepted": str(Status.ACCEPTED),
                    "reopened": str(Status.REOPENED),
                    "now": now,
                    "interval": conf.red_interval_hours() * 3600,
                    "kind": str(EventKind.WARNING),
                },
            )
            found = cursor.fetchall()
        result.scanned += len(ids)
        if not found:
            return
        workflows: list[str] = []
        cases: list[int] = []
        labels: list[str] = []
        warning_ids: list[int] = []
        with translation.override(settings.LANGUAGE_CODE):
            for workflow, case_ids, inserted, yellow, red in found:
                named = policy_for(workflow).case_labels(case_ids)
                workflows += [workflow] * len(named)
                cases += named.keys()
                labels += named.values()
                warning_ids += inserted
                result.yellow += yellow
                result.red += red
            params: dict[str, Any] = {
                "workflows": workflows,
                "cases": cases,
                "labels": labels,
                "warnings": warning_ids,
                "now": now,
                "tz": timezone.get_current_timezone_name(),
                "stages": json.dumps({value: str(label) for value, label in Stage.choices}),
                "yellow": _sql_template(str(YELLOW_TEXT), ("case", "stage", "due", "repeat")),
                "red": _sql_template(str(RED_TEXT), ("case", "stage", "due", "repeat")),
                "supervision": _sql_template(str(SUPERVISION_TEXT), ("case", "level")),
                "warning_kind": str(NotificationKind.WARNING),
                "supervision_note_kind": str(NotificationKind.SUPERVISION),
                "supervision_kind": str(EventKind.SUPERVISION_ESCALATED),
                "per_level": conf.reds_per_supervision_level(),
                "deliver": bool(notify.delivery_hooks),
            }
        with connection.cursor() as cursor:
            cursor.execute(_PG_NOTIFY.format(**tables), params)
            raised, note_ids, _notes = cursor.fetchone()
        result.escalated += len(raised)
        result.warnings += len(warning_ids)
        if note_ids:
            notify.deliver_on_commit(note_ids)
        record(
            None,
            "handling.sweep",
            None,
            {"warnings": len(warning_ids), "supervision_escalated": list(raised)},
            object_type="handling.assignment",
            object_repr=f"sweep {timezone.localtime(now):%Y-%m-%d %H:%M}",
        )


def _raise_supervision(new_red: set[int], by_pk: dict[int, Row], per_level: int) -> list[tuple[Row, int, int]]:
    """Raise the supervision level of the assignments whose highest red repeat now calls
    for it: (row, level before, level after) of each raised. The rows are locked first,
    so two sweeps at once raise each level once."""
    if not new_red:
        return []
    highest = dict(
        Warning.objects.filter(assignment_id__in=new_red, level=WarningLevel.RED)
        .values("assignment_id")
        .annotate(top=Max("repeat"))
        .values_list("assignment_id", "top")
    )
    targets = {pk: min(2, top // per_level) for pk, top in highest.items()}
    targets = {pk: level for pk, level in targets.items() if level > by_pk[pk].supervision_level}
    if not targets:
        return []
    current = dict(
        Assignment.objects.select_for_update()
        .filter(pk__in=targets)
        .order_by("pk")
        .values_list("pk", "supervision_level")
    )
    raised = [(by_pk[pk], current[pk], level) for pk, level in sorted(targets.items()) if level > current.get(pk, 2)]
    for level_value in sorted({level for _row, _before, level in raised}):
        group = [row.pk for row, _before, level in raised if level == level_value]
        Assignment.objects.filter(pk__in=group, supervision_level__lt=level_value).update(supervision_level=level_value)
    return raised


def _event(
    row: Row,
    kind: str,
    now: datetime,
    *,
    level: str = "",
    stage: str = "",
    due: datetime | None = None,
    repeat: int = 0,
    before: int = 0,
    after: int = 0,
) -> CaseEvent:
    if kind == EventKind.WARNING:
        assert due is not None
        data: dict[str, object] = {"level": level, "stage": stage, "deadline": due.isoformat(), "repeat": repeat}
    else:
        data = {"from": before, "to": after}
    return CaseEvent(
        assignment_id=row.pk, case_type_id=row.case_type_id, case_id=row.case_id, kind=kind, data=data, created_at=now
    )


def _notes(row: Row, kind: str, text: str, now: datetime, units: list[int]) -> list[Notification]:
    return [
        Notification(
            recipient_unit_id=unit,
            kind=kind,
            case_type_id=row.case_type_id,
            case_id=row.case_id,
            assignment_id=row.pk,
            text=text,
            created_at=now,
        )
        for unit in dict.fromkeys(units)
    ]
