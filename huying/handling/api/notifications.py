"""The notification centre (消息中心) over the API, under /api/v1/notifications.

A caller reads and marks what ``Notification.objects.visible_to`` gives them: their own
notifications and those of the units where they hold a staff role. Someone else's
notification answers **404** (no hint that it exists) and nothing changes. A unit's
notification is read once for the unit: marking it read marks it read for every staff of
the unit. Errors come in the API's one format (``huying.core.api_errors``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from huying.core.api_errors import ErrorOut
from huying.core.api_types import Id, PageNumberPagination
from huying.handling import actions, centre
from huying.handling.models import Notification

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str = Field(description="assignment, status, extension, urge, warning, supervision or feedback.")
    kind_display: str
    text: str
    workflow: str = Field(description="The workflow's label (工单, 提案…); empty when no workflow is registered.")
    case_type: str = Field(description="The case model as app_label.model, e.g. workorders.workorder.")
    case_id: int
    assignment_id: int | None
    recipient: str = Field(description="user (addressed to you) or unit (to a unit you are staff of).")
    unit_id: int | None = Field(description="The recipient unit, for a unit's notification.")
    unit: str | None
    url: str | None = Field(description="The page of the case for you (path), or null when there is none.")
    created_at: datetime
    read_at: datetime | None = Field(description="When it was read; a unit's notification is read once for the unit.")
    read: bool


class UnreadOut(Schema):
    unread: int = Field(description="Unread notifications you may see.")


class ReadAllOut(Schema):
    marked: int = Field(description="How many notifications this request marked read.")
    unread: int = Field(description="Unread notifications left (0, unless new ones arrived meanwhile).")


def _out(n: Notification) -> dict[str, Any]:
    return {
        "id": n.pk,
        "kind": n.kind,
        "kind_display": str(n.get_kind_display()),
        "text": n.text,
        "workflow": n.workflow_label,  # type: ignore[attr-defined]
        "case_type": f"{n.case_type.app_label}.{n.case_type.model}",
        "case_id": n.case_id,
        "assignment_id": n.assignment_id,
        "recipient": "unit" if n.recipient_unit_id else "user",
        "unit_id": n.recipient_unit_id,
        "unit": n.recipient_unit.name if n.recipient_unit is not None else None,
        "url": n.url,  # type: ignore[attr-defined]
        "created_at": n.created_at,
        "read_at": n.read_at,
        "read": n.read_at is not None,
    }


class _NotificationPagination(PageNumberPagination):
    """The page's links are worked out without a query (2 queries a page: count and rows)."""

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        result = super().paginate_queryset(queryset, pagination, request, **params)
        rows = centre.with_links(request.user, result[self.items_attribute])  # type: ignore[arg-type]
        result[self.items_attribute] = [_out(n) for n in rows]
        return result


@router.get("", response=list[NotificationOut], summary="My notifications, newest first (消息中心)")
@paginate(_NotificationPagination, page_size=centre.PAGE_SIZE)
def list_notifications(request: HttpRequest, unread: bool = False) -> Any:
    """Your own notifications and your units' ones, newest first, 20 a page;
    ``unread=true`` lists only the unread ones. Each carries ``url``, the page of its case
    for you."""
    return centre.notifications_for(request.user, unread_only=unread)


@router.get("/unread-count", response=UnreadOut, summary="How many of my notifications are unread")
def unread_count(request: HttpRequest) -> Any:
    return {"unread": centre.unread_count(request.user)}


@router.post("/read-all", response={200: ReadAllOut}, summary="Mark all my notifications read")
def read_all(request: HttpRequest) -> Any:
    """Marks every unread notification you may see read (one ``UPDATE``), nothing else."""
    marked = actions.do_mark_all_notifications_read(request.user)
    return Status(200, {"marked": marked, "unread": centre.unread_count(request.user)})


@router.post(
    "/{int:notification_id}/read",
    response={200: NotificationOut, 404: ErrorOut},
    summary="Mark one notification read",
)
def read_one(request: HttpRequest, notification_id: Id) -> Any:
    """Idempotent: an already read notification keeps its first read time. Someone else's
    notification (or one that does not exist) is 404 and nothing changes."""
    notification = centre.notifications_for(request.user).filter(pk=notification_id).first()
    if notification is None:
        raise Http404(_("There is no such notification, or it is not addressed to you."))
    actions.do_mark_notification_read(request.user, notification)
    return Status(200, _out(centre.with_links(request.user, [notification])[0]))  # type: ignore[arg-type]
