"""Celery tasks of the platform shell: housekeeping and the round-trip check.

Scheduled in settings ``CELERY_BEAT_SCHEDULE`` (docs/operations.md "Periodic jobs").
"""

from __future__ import annotations

import os
import socket
from typing import Any

from celery import shared_task
from django.core.management import call_command


@shared_task(name="huying.core.tasks.clear_sessions", ignore_result=True)
def clear_sessions() -> None:
    """Delete expired sessions (Django's ``clearsessions``); idempotent."""
    call_command("clearsessions")


@shared_task(name="huying.core.tasks.ping", bind=True)
def ping(self: Any, token: str = "") -> dict[str, Any]:
    """Answer which worker ran it: ``scripts/prod-smoke`` sends one through the broker and
    waits for the answer in the result backend."""
    return {"token": token, "worker": self.request.hostname or socket.gethostname(), "pid": os.getpid()}


@shared_task(name="huying.core.tasks.run_outbox", ignore_result=True)
def run_outbox(pk: int) -> str:
    """Run one outbox task (``huying.core.outbox``): exactly once however often delivered."""
    from huying.core import outbox

    return outbox.run(pk)


@shared_task(name="huying.core.tasks.requeue_outbox", ignore_result=True)
def requeue_outbox() -> dict[str, int]:
    """Hand over again the outbox tasks not done in time (beat, ``outbox-requeue``)."""
    from huying.core import outbox

    return outbox.requeue()
