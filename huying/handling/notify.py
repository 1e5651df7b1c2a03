"""Notifications: a row per recipient written in the caller's transaction, delivered by
the hooks in :data:`delivery_hooks` after the transaction commits (no delivery channel is
wired yet; SMS or app push register a hook here). With a hook registered, the delivery is
an outbox task written in the same transaction (:mod:`huying.core.outbox`): a process
killed after the commit, or Redis down, delays it but never loses it.

This is the one notification hook registry of every workflow: the engine's moves and each
workflow's own events (a proposal filed, a work order closed) write rows through
:func:`send`, so a rolled-back decision notifies no one and a hook sees every row once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import translation

from huying.core import outbox
from huying.handling.models import Assignment, Notification

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from huying.accounts.models import User
    from huying.organisations.models import Organisation

# Delivery channels register here; each hook is called after commit with each
# Notification row delivered (recipient, kind, case, text).
logger = logging.getLogger(__name__)

delivery_hooks: list[Callable[[Notification], None]] = []


DELIVER = "handling.deliver_notifications"


def _deliver(notifications: list[Notification]) -> None:
    logger.info("delivering %d notification(s)", len(notifications))
    for notification in notifications:
        for hook in list(delivery_hooks):
            hook(notification)


def _deliver_later(ids: list[int]) -> None:
    """The delivery of these rows as an outbox task in the caller's transaction."""
    if delivery_hooks and ids:
        outbox.enqueue(DELIVER, {"ids": ids})


@outbox.handler(DELIVER)
def _deliver_task(payload: dict[str, Any]) -> None:
    _deliver(list(Notification.objects.filter(pk__in=payload.get("ids") or []).order_by("pk")))


def render(text: str | Promise) -> str:
    """Notifications are stored in the platform's main language."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)[:300]


def build(
    assignment: Assignment,
    kind: str,
    text: str,
    now: datetime,
    *,
    units: Iterable[Organisation | int | None] = (),
    users: Iterable[User | None] = (),
) -> list[Notification]:
    rows = []
    for unit in {u.pk if hasattr(u, "pk") else u for u in units if u is not None}:  # type: ignore[union-attr]
        rows.append(
            Notification(
                recipient_unit_id=unit,
                kind=kind,
                case_type_id=assignment.case_type_id,
                case_id=assignment.case_id,
                assignment=assignment,
                text=text,
                created_at=now,
            )
        )
    for user in {u for u in users if u is not None}:
        rows.append(
            Notification(
                recipient_user=user,
                kind=kind,
                case_type_id=assignment.case_type_id,
                case_id=assignment.case_id,
                assignment=assignment,
                text=text,
                created_at=now,
            )
        )
    return rows


def send(rows: list[Notification]) -> list[Notification]:
    """Insert the rows (one query) and deliver them once the transaction commits."""
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    _deliver_later([row.pk for row in created])
    return created


def deliver_on_commit(ids: Sequence[int]) -> None:
    """Deliver notifications written in SQL (the deadline sweep): like :func:`send`, one
    outbox task in the caller's transaction, run once it commits (only when a hook is
    registered)."""
    _deliver_later(list(ids))
