"""The only code that writes ``ReceptionSession.status``::

    scheduled ──open──► open ──close──► closed
        └──cancel──► cancelled

Each move locks the session, refuses an illegal move (nothing changed), writes a
:class:`SessionEvent` and an audit entry in the same transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huying.audit.actions import record
from huying.core.actors import is_person
from huying.reception.choices import SessionStatus
from huying.reception.models import ReceptionSession, SessionEvent

MOVES: dict[str, tuple[frozenset[str], str]] = {
    "open": (frozenset({SessionStatus.SCHEDULED}), SessionStatus.OPEN),
    "close": (frozenset({SessionStatus.OPEN}), SessionStatus.CLOSED),
    "cancel": (frozenset({SessionStatus.SCHEDULED}), SessionStatus.CANCELLED),
}


class TransitionError(ValidationError):
    pass


@transaction.atomic
def move(session: ReceptionSession, name: str, actor: Any, *, note: str = "", now: Any = None) -> ReceptionSession:
    allowed, to = MOVES[name]
    locked = ReceptionSession.objects.select_for_update().get(pk=session.pk)
    if locked.status not in allowed:
        raise TransitionError(
            _("This session is “%(status)s”; that is not possible now.") % {"status": locked.get_status_display()},
            code="illegal_move",
        )
    before = locked.status
    locked.status = to
    locked.version += 1
    locked.save(update_fields=["status", "version"])
    SessionEvent.objects.create(
        session=locked,
        from_status=before,
        to_status=to,
        actor=actor if is_person(actor) else None,
        note=note[:200],
        at=now or timezone.now(),
    )
    record(actor, f"reception.{name}", locked, {"status": [before, to]})
    session.status, session.version = locked.status, locked.version
    return locked
