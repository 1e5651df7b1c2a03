from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine

from huying.audit.actions import record
from huying.audit.context import AuditContext, reset_context, set_context
from huying.audit.models import AuditEntry

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def entry_at(when: dt.datetime, actor: Any, action: str, obj: Any = None, changes: Any = None, **kw: Any) -> AuditEntry:
    """Record one entry as if at ``when``, from ``ip`` over ``channel`` (keywords)."""
    ip = kw.pop("ip", "203.0.113.7")
    channel = kw.pop("channel", "web")
    token = set_context(AuditContext(ip=ip, channel=channel))
    try:
        with time_machine.travel(when, tick=False):
            return record(actor, action, obj, changes, **kw)
    finally:
        reset_context(token)
