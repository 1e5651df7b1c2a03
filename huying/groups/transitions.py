"""The only code that writes ``DiscussionGroup.status``: open ⇄ archived. Each move locks
the group, refuses an illegal move (nothing changed), writes a :class:`GroupEvent` and an
audit entry in the same transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from huying.audit.actions import record
from huying.core.actors import is_person
from huying.groups.choices import GroupStatus
from huying.groups.models import DiscussionGroup, GroupEvent

MOVES: dict[str, tuple[frozenset[str], str]] = {
    "archive": (frozenset({GroupStatus.OPEN}), GroupStatus.ARCHIVED),
    "reopen": (frozenset({GroupStatus.ARCHIVED}), GroupStatus.OPEN),
}


class TransitionError(ValidationError):
    pass


@transaction.atomic
def move(group: DiscussionGroup, name: str, actor: Any) -> DiscussionGroup:
    allowed, to = MOVES[name]
    locked = DiscussionGroup.objects.select_for_update().get(pk=group.pk)
    if locked.status not in allowed:
        raise TransitionError(
            _("This group is “%(status)s”; that is not possible now.") % {"status": locked.get_status_display()},
            code="illegal_move",
        )
    before = locked.status
    locked.status = to
    locked.version += 1
    locked.save(update_fields=["status", "version"])
    GroupEvent.objects.create(group=locked, from_status=before, to_status=to, actor=actor if is_person(actor) else None)
    record(actor, f"group.{name}", locked, {"status": [before, to]})
    return locked
