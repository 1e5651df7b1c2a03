"""The audit log over the API: ``GET /api/v1/audit`` and ``GET /api/v1/audit/{id}``.

Administrators only; everyone else gets 403 with a message. Same filters as the page."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from huying.audit.actions import check_may_read_audit_log
from huying.audit.filters import FILTER_FIELDS, filtered_entries
from huying.audit.labels import action_label
from huying.audit.models import AuditEntry
from huying.core.api_types import Id, PageNumberPagination

router = Router(tags=["audit"])


class AuditFilters(Schema):
    actor: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    channel: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


class AuditEntryOut(Schema):
    id: int
    created_at: dt.datetime
    actor_id: int | None
    actor_name: str
    actor_username: str | None
    action: str
    action_label: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict[str, Any]
    ip_address: str | None
    channel: str
    channel_label: str

    @staticmethod
    def resolve_actor_username(entry: AuditEntry) -> str | None:
        return entry.actor.username if entry.actor_id and entry.actor else None

    @staticmethod
    def resolve_action_label(entry: AuditEntry) -> str:
        return action_label(entry.action, entry.object_type)

    @staticmethod
    def resolve_channel_label(entry: AuditEntry) -> str:
        return str(entry.get_channel_display())


def _check(request: HttpRequest) -> None:
    check_may_read_audit_log(request.user)  # PermissionDenied → 403 (huying.core.api_errors)


@router.get("", response=list[AuditEntryOut], summary="Audit entries, newest first (administrators only)")
@paginate(PageNumberPagination, page_size=50)
def list_entries(request: HttpRequest, filters: Query[AuditFilters]) -> Any:
    _check(request)
    data = {name: value for name, value in filters.dict().items() if name in FILTER_FIELDS and value is not None}
    form, entries = filtered_entries(request.user, data)
    if not form.is_valid():
        raise DjangoValidationError({field: list(messages) for field, messages in form.errors.items()})
    return entries


@router.get("/{entry_id}", response=AuditEntryOut, summary="One audit entry (administrators only)")
def get_entry(request: HttpRequest, entry_id: Id) -> AuditEntry:
    _check(request)
    return get_object_or_404(AuditEntry.objects.visible_to(request.user).select_related("actor"), pk=entry_id)
