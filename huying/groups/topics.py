"""Discussion-group posts as a text source of the stored hot topics (docs/insight.md,
"Sources"): registered from ``GroupsConfig.ready`` with the insight app's one call.

Posts join the public side's topics once published and while they stay so: a post hidden
by the moderators or removed (a thread removed takes its replies with it) leaves its topic
at the next refresh. Read in the order they were published (the moderation's
``decided_at``: in a pre-moderated space a post is read when it is let through, and read
again when a hidden post is restored)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from huying.moderation.choices import ItemStatus


def eligible() -> Any:
    """Posts whose text may be in topics: published, not removed, nor is their thread."""
    from huying.groups.models import Post

    return Post.objects.filter(moderation__status=ItemStatus.PUBLISHED, removed_at=None).filter(
        Q(thread__isnull=True) | Q(thread__removed_at=None)
    )


FIELDS = ("pk", "title", "body", "created_at", "author_id", "moderation__decided_at")


def _message(row: dict[str, Any]) -> Any:
    from huying.insight.topics import Message

    return Message(
        id=str(row["pk"]),
        subject=row["title"] or "",
        text=row["body"] or "",
        time=timezone.localtime(row["created_at"]).replace(tzinfo=None),
        author=f"user-{row['author_id']}",
    )


def stream(stamp: datetime | None, last_id: int) -> Iterator[tuple[datetime, int, Any]]:
    """Published posts after the mark, in the order they were published."""
    from huying.insight.sources import moderated_stream

    return moderated_stream(eligible(), _message, FIELDS, stamp, last_id)


def messages(since: datetime | None) -> Iterator[Any]:
    """Published posts written since ``since`` (the file-style engine's source)."""
    from huying.insight.sources import moderated_messages

    return moderated_messages(eligible(), _message, FIELDS, since)


def links(user: Any, ids: list[int]) -> dict[int, tuple[str, str | None]]:
    """The thread page (at the post) for posts ``user`` may read; no link for the others."""
    from huying.groups.models import Post

    visible = dict(Post.objects.visible_to(user).filter(pk__in=ids).values_list("pk", "thread_id"))
    return {
        pk: (
            "",
            reverse("groups:thread", args=[visible[pk] or pk]) + ("" if visible[pk] is None else f"#post-{pk}")
            if pk in visible
            else None,
        )
        for pk in ids
    }
