"""Reads of the notification centre (消息中心), shared by its pages and its API.

A person's notifications are ``Notification.objects.visible_to(user)``: their own and
those of the units where they hold a staff role. Each row gets the link to its case for
that person from the workflow's ``Policy.case_url`` and the workflow's label, without a
query per row or per workflow (the list query joins the case type, the assignment and the
recipient unit).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from huying.handling.models import Notification, NotificationQuerySet
from huying.handling.policy import notification_policy

if TYPE_CHECKING:
    from huying.accounts.models import User

PAGE_SIZE = 20


def notifications_for(user: Any, *, unread_only: bool = False) -> NotificationQuerySet:
    """The person's notifications, newest first, with what the links need joined in."""
    rows = Notification.objects.visible_to(user).select_related("case_type", "assignment__unit", "recipient_unit")
    if unread_only:
        rows = rows.unread()
    return rows.order_by("-created_at", "-id")


def unread_count(user: Any) -> int:
    return Notification.objects.visible_to(user).unread().count()


def with_links(user: User, rows: Iterable[Notification]) -> list[Notification]:
    """Set ``url`` (the case page for ``user``, or ``None``) and ``workflow_label`` on each row."""
    items = list(rows)
    for notification in items:
        policy = notification_policy(notification)
        url = None
        if policy is not None and policy.case_url is not None:
            url = policy.case_url(user, notification)
        notification.url = url  # type: ignore[attr-defined]
        notification.workflow_label = str(policy.label) if policy is not None and policy.label else ""  # type: ignore[attr-defined]
    return items


def link_of(user: User, notification: Notification) -> str | None:
    """The case page of one notification for ``user`` (loads what the link needs)."""
    return with_links(user, [notification])[0].url  # type: ignore[attr-defined]
