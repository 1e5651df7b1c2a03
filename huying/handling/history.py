"""One history per case (docs/handling-engine.md, "One history per case").

Every case — a work order, a proposal, whatever workflow joins next — has one event log:
the :class:`~huying.handling.models.CaseEvent` rows of the case. Two sorts of steps live in
it, told apart by ``scope``:

- ``assignment``: the engine's moves on one of the case's assignments (assigned, accepted,
  urged, extension decisions, warnings, feedback…), written by
  :mod:`huying.handling.transitions`, :mod:`huying.handling.actions` and the sweep; their
  ``from_status``/``to_status`` are assignment statuses;
- ``case``: the workflow's own steps on the case (a proposal submitted or filed, a work
  order received, its status changed, duplicates merged…), written by the workflow's
  transitions with :func:`append`; their statuses are the case's own.

The labels of every kind live here: the engine's :class:`~huying.handling.choices.EventKind`
is registered below, and each workflow registers its own kinds, its case statuses and, if
it wants, a note formatter in its ``AppConfig.ready()`` with :func:`register_kinds`. The
pages and the API read a case's history with :func:`events_for` (the rows) or
:func:`timeline` (ready-made entries). The audit log stays the auditors' record (who did
what) and is never read to tell a case's history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise

from huying.handling.choices import EventKind, EventScope, Status
from huying.handling.models import CaseEvent
from huying.handling.policy import is_person

if TYPE_CHECKING:
    from huying.handling.models import Assignment
    from huying.organisations.models import Organisation

Label = str | Promise
NoteFormatter = Callable[[CaseEvent], str]
# The registry key of the engine's own kinds and assignment statuses.
ENGINE = ""


@dataclass
class _Registered:
    kinds: dict[str, Label] = field(default_factory=dict)
    statuses: dict[str, Label] = field(default_factory=dict)
    note: NoteFormatter | None = None


_registry: dict[str, _Registered] = {}


def _key(case_model: type[models.Model] | str) -> str:
    return case_model if isinstance(case_model, str) else case_model._meta.label_lower


def register_kinds(
    case_model: type[models.Model] | str,
    choices: Iterable[tuple[str, Label]],
    *,
    statuses: Iterable[tuple[str, Label]] = (),
    note: NoteFormatter | None = None,
) -> None:
    """Register the labels of a workflow's own event kinds (``choices``, e.g. a
    ``TextChoices.choices``) and of its case's statuses for ``case_model`` (the model or
    ``"app_label.model"``). ``note`` formats the note of every event of such a case in
    :func:`timeline` (the engine's kinds too: a work order names its evidence files);
    without one the stored note is shown. Called from the workflow's ``ready()``;
    registering again adds to what is there."""
    entry = _registry.setdefault(_key(case_model), _Registered())
    entry.kinds.update(dict(choices))
    entry.statuses.update(dict(statuses))
    if note is not None:
        entry.note = note


def unregister_kinds(case_model: type[models.Model] | str) -> None:
    """Forget what a workflow registered (tests that plug a workflow in for a while)."""
    if _key(case_model) != ENGINE:
        _registry.pop(_key(case_model), None)


register_kinds(ENGINE, EventKind.choices, statuses=Status.choices)


def _case_key(case_type: int | ContentType | type[models.Model] | str | None) -> str:
    if case_type is None:
        return ENGINE
    if isinstance(case_type, int):
        case_type = ContentType.objects.get_for_id(case_type)
    if isinstance(case_type, ContentType):
        return f"{case_type.app_label}.{case_type.model}"
    return _key(case_type)


def _tables(case_type: Any, scope: str) -> list[_Registered]:
    engine = _registry[ENGINE]
    if scope == EventScope.ASSIGNMENT:
        return [engine]
    own = _registry.get(_case_key(case_type))
    return [own, engine] if own is not None else [engine]


def kind_label(kind: str, case_type: Any = None, *, scope: str = EventScope.CASE) -> str:
    """The label of ``kind``: for a step of the case (``scope="case"``) the workflow's own
    label registered for ``case_type`` (a ContentType, its id, the model or its label)
    first, then the engine's; for an assignment's step the engine's. An unknown kind is
    shown as it is stored."""
    for table in _tables(case_type, scope):
        if kind in table.kinds:
            return str(table.kinds[kind])
    return kind


def status_label(status: str, case_type: Any = None, *, scope: str = EventScope.CASE) -> str:
    """The label of a ``from_status``/``to_status``: a case status for a step of the case,
    an assignment status for an assignment's step."""
    if not status:
        return ""
    table = _registry[ENGINE] if scope == EventScope.ASSIGNMENT else _registry.get(_case_key(case_type))
    if table is not None and status in table.statuses:
        return str(table.statuses[status])
    return status


def events_for(case: models.Model, *, scope: str | None = None) -> models.QuerySet[CaseEvent]:
    """The history of ``case``, oldest first: every step, or only the case's own steps
    (``scope="case"``) or its assignments' (``scope="assignment"``)."""
    rows = CaseEvent.objects.filter(case_type=ContentType.objects.get_for_model(case), case_id=case.pk)
    if scope is not None:
        rows = rows.filter(scope=scope)
    return rows.order_by("created_at", "id")


def note_of(event: CaseEvent) -> str:
    """The note of ``event`` as the timeline shows it (the workflow's formatter, if any)."""
    entry = _registry.get(_case_key(event.case_type_id))
    if entry is not None and entry.note is not None:
        return entry.note(event)
    return event.note


def timeline(case: models.Model, *, scope: str | None = None) -> list[dict[str, Any]]:
    """The history of ``case`` as the pages and the API show it:
    ``[{at, kind, scope, title, who, unit, note}]``, oldest first (two queries)."""
    return [
        {
            "at": event.created_at,
            "kind": event.kind,
            "scope": event.scope,
            "title": event.get_kind_display(),
            "who": event.actor_name,
            "unit": event.assignment.unit.name if event.assignment else "",
            "note": note_of(event),
        }
        for event in events_for(case, scope=scope).select_related("assignment__unit")
    ]


def append(
    case: models.Model,
    kind: str,
    actor: Any,
    *,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
    actor_unit: Organisation | None = None,
    assignment: Assignment | None = None,
) -> CaseEvent:
    """Write one step of the case itself (``scope="case"``) in the caller's transaction:
    the workflow's transitions call it for each of their moves. ``now`` is the time of the
    step (a loader replaying the past passes it); the actor is recorded as the engine does
    (a person by name, the system as nobody)."""
    event = build(
        case,
        kind,
        actor,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data,
        now=now,
        actor_unit=actor_unit,
        assignment=assignment,
    )
    event.save()
    return event


def build(
    case: models.Model,
    kind: str,
    actor: Any,
    *,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
    actor_unit: Organisation | None = None,
    assignment: Assignment | None = None,
    case_id: Any = None,
) -> CaseEvent:
    """The step :func:`append` saves, unsaved (a caller writing it in its own statement);
    ``case_id`` may be an SQL expression for a case inserted in the same statement."""
    person = is_person(actor)
    return CaseEvent(
        assignment=assignment,
        case_type=ContentType.objects.get_for_model(case),
        case_id=case.pk if case_id is None else case_id,
        scope=EventScope.CASE,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        actor=actor if person else None,
        actor_name=(str(actor) if person else "")[:60],
        actor_unit=actor_unit,
        note=note,
        data=data or {},
        created_at=now or timezone.now(),
    )


def append_many(steps: Iterable[tuple[models.Model, str, dict[str, Any]]], actor: Any) -> list[CaseEvent]:
    """:func:`append` for many cases at once, one insert: ``(case, kind, data)`` per step,
    all by ``actor`` now (a batch intake writes each order's *received* step this way)."""
    person = is_person(actor)
    now = timezone.now()
    rows = [
        CaseEvent(
            case_type=ContentType.objects.get_for_model(case),
            case_id=case.pk,
            scope=EventScope.CASE,
            kind=kind,
            actor=actor if person else None,
            actor_name=(str(actor) if person else "")[:60],
            data=data or {},
            created_at=now,
        )
        for case, kind, data in steps
    ]
    return CaseEvent.objects.bulk_create(rows)
