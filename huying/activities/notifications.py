"""Notices about activities in the platform's notification centre (消息中心).

They are the handling engine's :class:`~huying.handling.models.Notification` rows without
an assignment, naming the activity as their case (``case_type`` = the activity model), so
the centre links them through the activities' ``Policy.case_model``/``case_url`` (apps.py)
and delivers them after commit through the one hook registry
(:data:`huying.handling.notify.delivery_hooks`). The engine's notification kinds are a
closed list with a migration; the activities use *status change* for every notice (an
invitation, a decision on leave, a cancellation, a reminder) rather than changing the
engine — the text says what it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from huying.activities import clock
from huying.handling import notify
from huying.handling.choices import NotificationKind
from huying.handling.models import Notification

INVITED = _("You are invited to the activity “%(title)s” on %(when)s at %(place)s.")
CANCELLED = _("The activity “%(title)s” on %(when)s has been cancelled.")
LEAVE_APPROVED = _("Your leave from the activity “%(title)s” has been approved.")
LEAVE_REFUSED = _("Your leave from the activity “%(title)s” was refused: %(note)s")
REMINDER = _("Reminder: the activity “%(title)s” starts %(when)s at %(place)s.")


def when_text(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def text_for(activity: Any, text: str | Promise, **extra: Any) -> str:
    """The notice in the platform's main language, with the activity's title, time and place."""
    values = {"title": activity.title, "when": when_text(activity.starts_at), "place": activity.place, **extra}
    with translation.override(settings.LANGUAGE_CODE):
        return (str(text) % values)[:300]


def build(activity: Any, users: Iterable[int], body: str, now: datetime | None = None) -> list[Notification]:
    from huying.activities.models import Activity

    case_type = ContentType.objects.get_for_model(Activity)
    moment = now or clock.now()
    return [
        Notification(
            recipient_user_id=user_id,
            kind=NotificationKind.STATUS,
            case_type=case_type,
            case_id=activity.pk,
            text=body,
            created_at=moment,
        )
        for user_id in sorted(set(users))
    ]


def send(activity: Any, users: Iterable[int], text: str | Promise, **extra: Any) -> list[Notification]:
    """Write the notices in the caller's transaction; delivered after commit."""
    return notify.send(build(activity, users, text_for(activity, text, **extra)))


def case_url(user: Any, notification: Notification) -> str | None:
    """The activity's page for the reader (members and staff share the detail page)."""
    return reverse("activities:detail", args=[notification.case_id])
