"""Notices to the author of public content when a moderator decides on it.

A pending item that is published, an item that is hidden (with the moderator's reason)
and a hidden item that is restored each send its author one notice in the notification
centre. They are the handling engine's :class:`~huying.handling.models.Notification`
rows without an assignment, naming the moderation item as their case; the centre links
them to ``moderation:open``, which sends the author to the item's page in its space
(suggestion, debate, group post, reception-room question…).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from huying.handling import notify
from huying.handling.choices import NotificationKind
from huying.handling.models import Notification
from huying.moderation.choices import Move
from huying.moderation.models import ModerationItem
from huying.moderation.spaces import get_space

TEXTS = {
    Move.PUBLISH: _("Your post in “%(space)s” passed review and is now public: %(excerpt)s"),
    Move.HIDE: _("Your post in “%(space)s” was hidden: %(reason)s. Post: %(excerpt)s"),
    Move.RESTORE: _("Your post in “%(space)s” is public again: %(reason)s. Post: %(excerpt)s"),
}


def excerpt(text: str, length: int = 24) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[:length] + "…"


def text_for(item: ModerationItem, move: str) -> str:
    try:
        space_label = get_space(item.space).label
    except LookupError:
        space_label = item.space
    with translation.override(settings.LANGUAGE_CODE):
        values = {"space": str(space_label), "reason": item.reason, "excerpt": excerpt(item.text)}
        return (str(TEXTS[move]) % values)[:300]  # type: ignore[index]


def send(item: ModerationItem, move: str) -> list[Notification]:
    """Tell the author what a moderator decided (in the caller's transaction; delivered
    after commit). Other moves (a report sending an item back to the queue) send nothing."""
    if move not in TEXTS:
        return []
    return tell_author(item, text_for(item, move))


def tell_author(item: ModerationItem, text: str) -> list[Notification]:
    """One notice to the author of a public post, linked to it (a module's own news about
    the post: a member answered the question…); ``text`` in the platform's main language."""
    return notify.send(
        [
            Notification(
                recipient_user_id=item.author_id,
                kind=NotificationKind.STATUS,
                case_type=ContentType.objects.get_for_model(ModerationItem),
                case_id=item.pk,
                text=text[:300],
                created_at=timezone.now(),
            )
        ]
    )


def case_url(user: Any, notification: Notification) -> str | None:
    return reverse("moderation:open", args=[notification.case_id])
