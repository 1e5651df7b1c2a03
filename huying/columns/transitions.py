"""The only code that writes ``Column.status``: draft → published → archived, and an
archived column published again. Each move locks the column, refuses an illegal move
(nothing changed), writes a :class:`ColumnEvent` and an audit entry in the same
transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huying.audit.actions import record
from huying.columns.choices import ACTIVE_STATUSES, ColumnKind, ColumnStatus
from huying.columns.models import Column, ColumnEvent
from huying.core.actors import is_person

MOVES: dict[str, tuple[frozenset[str], str]] = {
    "publish": (frozenset({ColumnStatus.DRAFT}), ColumnStatus.PUBLISHED),
    "archive": (frozenset({ColumnStatus.PUBLISHED}), ColumnStatus.ARCHIVED),
    "republish": (frozenset({ColumnStatus.ARCHIVED}), ColumnStatus.PUBLISHED),
}


class TransitionError(ValidationError):
    pass


def allowed_moves(column: Column) -> list[str]:
    return [name for name, (sources, _to) in MOVES.items() if column.status in sources]


@transaction.atomic
def move(column: Column, name: str, actor: Any) -> Column:
    if name not in MOVES:
        raise TransitionError(_("Unknown step."), code="unknown_move")
    allowed, to = MOVES[name]
    locked = Column.objects.select_for_update().get(pk=column.pk)
    if locked.status not in allowed:
        raise TransitionError(
            _("This column is “%(status)s”; that is not possible now.") % {"status": locked.get_status_display()},
            code="illegal_move",
        )
    if (
        locked.kind == ColumnKind.FLAGSHIP
        and to in ACTIVE_STATUSES
        and locked.status not in ACTIVE_STATUSES
        and Column.objects.filter(
            kind=ColumnKind.FLAGSHIP, committee_id=locked.committee_id, status__in=ACTIVE_STATUSES
        ).exists()
    ):
        raise TransitionError(
            _("This committee already has an active flagship topic; archive it first."), code="flagship_taken"
        )
    before = locked.status
    locked.status = to
    locked.version += 1
    fields = ["status", "version", "updated_at"]
    if to == ColumnStatus.PUBLISHED and locked.published_at is None:
        locked.published_at = timezone.now()
        fields.append("published_at")
    locked.save(update_fields=fields)
    ColumnEvent.objects.create(
        column=locked, from_status=before, to_status=to, actor=actor if is_person(actor) else None
    )
    record(actor, f"column.{name}", locked, {"status": [before, to]})
    return locked
