"""Writing to the audit log. Every action in every app calls :func:`record`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext as _

from huying.audit.context import current
from huying.audit.models import AuditEntry
from huying.core.actors import is_person

SECRET_FIELDS = frozenset({"password", "token", "token_hash", "secret", "key", "otp_token"})


def _clean(changes: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for field, value in changes.items():
        if field in SECRET_FIELDS:
            cleaned[field] = "***"
        elif isinstance(value, (list, tuple)):
            cleaned[field] = [str(v) if v is not None else None for v in value]
        else:
            cleaned[field] = str(value) if value is not None else None
    return cleaned


def record(
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    *,
    object_type: str | None = None,
    object_id: str | int | None = None,
    object_repr: str | None = None,
) -> AuditEntry:
    """Append one entry. ``changes`` maps field names to ``[old, new]`` pairs (or a
    single value for creations); secrets are replaced by ``***``."""
    entry = build(actor, action, obj, changes, object_type=object_type, object_id=object_id, object_repr=object_repr)
    entry.save()
    return entry


def build(
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    *,
    object_type: str | None = None,
    object_id: Any = None,
    object_repr: Any = None,
) -> AuditEntry:
    """The entry :func:`record` saves, unsaved (a caller writing it in its own statement).
    ``object_id`` and ``object_repr`` may be SQL expressions for an object inserted in the
    same statement."""
    ctx = current()
    person = is_person(actor)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
        object_repr = object_repr if object_repr is not None else str(obj)
    return AuditEntry(
        actor=actor if person else None,
        actor_name=(str(actor) if person else "")[:60],
        action=action,
        object_type=object_type or "",
        object_id=object_id
        if hasattr(object_id, "resolve_expression")
        else ""
        if object_id is None
        else str(object_id),
        object_repr=object_repr if hasattr(object_repr, "resolve_expression") else (object_repr or "")[:200],
        changes=_clean(changes or {}),
        ip_address=ctx.ip,
        channel=ctx.channel,
    )


def record_many(actor: Any, action: str, entries: Sequence[tuple[models.Model, dict[str, Any]]]) -> list[AuditEntry]:
    """:func:`record` of one ``action`` on many objects, one insert: ``(obj, changes)`` each
    (a batch intake records each order it created)."""
    ctx = current()
    person = is_person(actor)
    rows = [
        AuditEntry(
            actor=actor if person else None,
            actor_name=(str(actor) if person else "")[:60],
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            object_repr=str(obj)[:200],
            changes=_clean(changes or {}),
            ip_address=ctx.ip,
            channel=ctx.channel,
        )
        for obj, changes in entries
    ]
    return AuditEntry.objects.bulk_create(rows)


def diff(instance: models.Model, **new_values: Any) -> dict[str, list[Any]]:
    """Apply ``new_values`` to ``instance`` and return the ``[old, new]`` pairs that changed."""
    changes: dict[str, list[Any]] = {}
    for field, new in new_values.items():
        old = getattr(instance, field)
        if old != new:
            changes[field] = [old, new]
            setattr(instance, field, new)
    return changes


def check_may_read_audit_log(user: Any) -> None:
    """Only system administrators read the audit log; everyone else is refused."""
    if not (getattr(user, "is_authenticated", False) and user.is_administrator):
        raise PermissionDenied(_("The audit log is open to system administrators only."))


@transaction.atomic
def do_record_export(actor: Any, *, file_format: str, filters: dict[str, str], rows: int) -> AuditEntry:
    """Record that ``actor`` (an administrator) exported ``rows`` audit entries matching
    ``filters`` as ``file_format``. The only write the audit app makes on its own behalf;
    exporting the log is itself an auditable act."""
    check_may_read_audit_log(actor)
    return record(
        actor,
        "audit.export",
        None,
        {
            "format": file_format,
            "rows": rows,
            "filters": "; ".join(f"{name}={value}" for name, value in filters.items()),
        },
        object_type=AuditEntry._meta.label_lower,
    )
