"""The per-space ``on_visibility`` hook: called by the one status writer, inside the move's
transaction, exactly when an item enters or leaves public view — publish, hide of a
published item, restore, requeue after reports — and never for a move that keeps it out of
view, a refused move or a person who may not moderate. A hook that fails undoes the move.

Named people (conftest): citizen, who posts; neighbour and a third person, who report; bob,
a moderator (agency staff); dora, the public (no moderator)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from huying.core.tests.cache import clear_cache
from huying.moderation import actions
from huying.moderation.choices import ItemStatus
from huying.moderation.models import ModerationEvent, ModerationItem
from huying.moderation.spaces import _spaces, get_space, register_space
from huying.moderation.tests.conftest import make_public

pytestmark = pytest.mark.django_db
SPACE = "hook_test"


class Broken(Exception):
    pass


@pytest.fixture
def calls() -> Iterator[list[tuple[int, bool, str]]]:
    """A space whose hook writes down (item, visible, the status it sees) for each call."""
    seen: list[tuple[int, bool, str]] = []
    clear_cache()

    def hook(item: ModerationItem, visible: bool) -> None:
        seen.append((item.pk, visible, ModerationItem.objects.get(pk=item.pk).status))
        if item.text == "boom":
            raise Broken

    register_space(SPACE, "hook test", premoderated_default=True, on_visibility=hook)
    yield seen
    _spaces.pop(SPACE, None)


def test_the_hook_is_registered_with_the_space(calls: Any) -> None:
    assert get_space(SPACE).on_visibility is not None
    assert get_space("suggestions").on_visibility is None  # nothing kept depends on it (docs/moderation.md)
    assert get_space("group_posts").on_visibility is not None
    assert get_space("reception_questions").on_visibility is not None


def test_called_exactly_when_the_item_enters_or_leaves_public_view(
    calls: Any, citizen: Any, neighbour: Any, bob: Any, settings: Any
) -> None:
    settings.MODERATION_REPORTS_TO_QUEUE = 2
    item = actions.do_submit(citizen, SPACE, "建议在社区增设充电桩")
    assert item.status == ItemStatus.PENDING and calls == []  # submission: the app reads the first state
    actions.do_publish(bob, item)
    actions.do_hide(bob, item, reason="广告")
    actions.do_restore(bob, item, reason="复核")
    actions.do_report(neighbour, item, reason="不实")
    actions.do_report(make_public("third", "李三"), item, reason="不实")  # requeued: out of view
    # Each call sees the new status already written, in the same transaction.
    assert calls == [
        (item.pk, True, ItemStatus.PUBLISHED),
        (item.pk, False, ItemStatus.HIDDEN),
        (item.pk, True, ItemStatus.PUBLISHED),
        (item.pk, False, ItemStatus.PENDING),
    ]
    actions.do_hide(bob, item, reason="广告")  # pending → hidden: never in view, no call
    assert len(calls) == 4


def test_not_called_for_refused_moves_or_people(calls: Any, citizen: Any, bob: Any, dora: Any) -> None:
    item = actions.do_submit(citizen, SPACE, "建议在社区增设充电桩")
    with pytest.raises(ValidationError):
        actions.do_restore(bob, item, reason="复核")  # pending cannot be restored
    with pytest.raises(PermissionDenied):
        actions.do_publish(dora, item)
    with pytest.raises(PermissionDenied):
        actions.do_publish(citizen, item)
    assert calls == []
    item.refresh_from_db()
    assert item.status == ItemStatus.PENDING


def test_a_failing_hook_undoes_the_move(calls: Any, citizen: Any, bob: Any) -> None:
    item = actions.do_submit(citizen, SPACE, "boom")
    events = ModerationEvent.objects.filter(item=item).count()
    with pytest.raises(Broken):
        actions.do_publish(bob, item)
    item.refresh_from_db()
    assert item.status == ItemStatus.PENDING and item.decided_at is None
    assert ModerationEvent.objects.filter(item=item).count() == events
    assert len(calls) == 1  # it was called, inside the transaction that was then rolled back
