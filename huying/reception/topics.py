"""Reception-room questions as a text source of the stored hot topics (docs/insight.md,
"Sources"): registered from ``ReceptionConfig.ready`` with the insight app's one call.

A question joins the public side's topics once a moderator publishes it (the space is
pre-moderated), read in the order they were published (the moderation's ``decided_at``),
and leaves its topic at the next refresh when it is hidden or its session cancelled. The
session's theme is not part of the text: every question of a session would share it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone

from huying.moderation.choices import ItemStatus
from huying.reception.choices import SessionStatus

FIELDS = ("pk", "body", "created_at", "author_id", "moderation__decided_at")


def eligible() -> Any:
    """Questions whose text may be in topics: published, of a session not cancelled."""
    from huying.reception.models import Question

    return Question.objects.filter(moderation__status=ItemStatus.PUBLISHED).exclude(
        session__status=SessionStatus.CANCELLED
    )


def _message(row: dict[str, Any]) -> Any:
    from huying.insight.topics import Message

    return Message(
        id=str(row["pk"]),
        text=row["body"] or "",
        time=timezone.localtime(row["created_at"]).replace(tzinfo=None),
        author=f"user-{row['author_id']}",
    )


def stream(stamp: datetime | None, last_id: int) -> Iterator[tuple[datetime, int, Any]]:
    """Published questions after the mark, in the order they were published."""
    from huying.insight.sources import moderated_stream

    return moderated_stream(eligible(), _message, FIELDS, stamp, last_id)


def messages(since: datetime | None) -> Iterator[Any]:
    """Published questions asked since ``since`` (the file-style engine's source)."""
    from huying.insight.sources import moderated_messages

    return moderated_messages(eligible(), _message, FIELDS, since)


def links(user: Any, ids: list[int]) -> dict[int, tuple[str, str | None]]:
    """The session page (at the question) for questions ``user`` may read; none for others."""
    from huying.reception.models import Question

    visible = dict(Question.objects.visible_to(user).filter(pk__in=ids).values_list("pk", "session_id"))
    return {
        pk: ("", reverse("reception:session", args=[visible[pk]]) + f"#q{pk}" if pk in visible else None) for pk in ids
    }
