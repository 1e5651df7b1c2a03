"""The only code that writes ``ModerationItem.status``.

    (new) ──submit──► pending ──publish──► published ──hide──► hidden ──restore──► published
                         └──────hide──────────────────────────►┘
    published ──requeue (N reports)──► pending

Each move locks the item, refuses an illegal move with a translated error (nothing
changed), writes one :class:`ModerationEvent` and one audit entry in the same transaction.
A move that takes the item into or out of public view (only *published* is public) calls
the space's ``on_visibility`` hook in that transaction too (:mod:`huying.moderation.spaces`).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huying.audit.actions import record
from huying.core.actors import is_person
from huying.moderation.choices import ItemStatus, Move
from huying.moderation.models import ModerationEvent, ModerationItem
from huying.moderation.spaces import visibility_changed

P, PUB, H = ItemStatus.PENDING, ItemStatus.PUBLISHED, ItemStatus.HIDDEN
MOVES: dict[str, tuple[frozenset[str], str]] = {
    Move.PUBLISH: (frozenset({P}), PUB),
    Move.HIDE: (frozenset({P, PUB}), H),
    Move.RESTORE: (frozenset({H}), PUB),
    Move.REQUEUE: (frozenset({PUB}), P),
}


class TransitionError(ValidationError):
    pass


def start(item: ModerationItem, actor: Any, *, published: bool, note: str = "") -> ModerationItem:
    """The first state of a new item: published at once, or pending in the queue."""
    item.status = PUB if published else P
    if published:
        item.decided_at = timezone.now()
    item.save()
    ModerationEvent.objects.create(
        item=item, move=Move.SUBMIT, from_status="", to_status=item.status, actor=actor if is_person(actor) else None,
        note=note[:200],
    )  # fmt: skip
    record(actor, "moderation.submit", item, {"status": item.status, "space": item.space})
    return item


@transaction.atomic
def move(item: ModerationItem, move: str, actor: Any, *, reason: str = "") -> ModerationItem:
    allowed, to = MOVES[move]
    locked = ModerationItem.objects.select_for_update().get(pk=item.pk)
    if locked.status not in allowed:
        raise TransitionError(
            _("This item is “%(status)s”; it cannot be %(move)s now.")
            % {"status": locked.get_status_display(), "move": Move(move).label.lower()},
            code="illegal_move",
        )
    before = locked.status
    locked.status = to
    if move != Move.REQUEUE:
        locked.decided_at = timezone.now()
        locked.decided_by = actor if is_person(actor) else None
    if move in (Move.HIDE, Move.RESTORE, Move.REQUEUE):
        locked.reason = reason[:200]
    if move == Move.RESTORE:
        locked.report_count = 0
    locked.save()
    ModerationEvent.objects.create(
        item=locked, move=move, from_status=before, to_status=to, actor=actor if is_person(actor) else None,
        note=reason[:200],
    )  # fmt: skip
    record(actor, f"moderation.{move}", locked, {"status": [before, to], **({"reason": reason} if reason else {})})
    if (before == PUB) != (to == PUB):
        visibility_changed(locked, to == PUB)
    item.refresh_from_db()
    return locked
