"""The only code that writes ``Debate.status``: draft → open → closed. Each move locks the
debate, refuses an illegal move (nothing changed), writes a :class:`DebateEvent` and an
audit entry in the same transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from huying.audit.actions import record
from huying.core.actors import is_person
from huying.interaction.choices import DebateStatus
from huying.interaction.models import Debate, DebateEvent

MOVES: dict[str, tuple[frozenset[str], str]] = {
    "open": (frozenset({DebateStatus.DRAFT}), DebateStatus.OPEN),
    "close": (frozenset({DebateStatus.OPEN}), DebateStatus.CLOSED),
}


class TransitionError(ValidationError):
    pass


@transaction.atomic
def move(debate: Debate, name: str, actor: Any) -> Debate:
    allowed, to = MOVES[name]
    locked = Debate.objects.select_for_update().get(pk=debate.pk)
    if locked.status not in allowed:
        raise TransitionError(
            _("This debate is “%(status)s”; that is not possible now.") % {"status": locked.get_status_display()},
            code="illegal_move",
        )
    before = locked.status
    locked.status = to
    locked.version += 1
    locked.save(update_fields=["status", "version"])
    DebateEvent.objects.create(
        debate=locked, from_status=before, to_status=to, actor=actor if is_person(actor) else None
    )
    record(actor, f"debate.{name}", locked, {"status": [before, to]})
    return locked
