"""Where the current change comes from (IP address and channel), for the audit log.

The middleware sets it per request; management commands run with channel ``cli``.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class AuditContext:
    ip: str | None = None
    channel: str = "system"


_current: ContextVar[AuditContext] = ContextVar("huying_audit_context", default=AuditContext())  # noqa: B039 - frozen dataclass


def current() -> AuditContext:
    return _current.get()


def set_context(ctx: AuditContext) -> object:
    return _current.set(ctx)


def reset_context(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]
