"""Celery task of the reception room: sessions open when their time comes and end when it
is over (``do_sweep``, idempotent). On the one beat schedule in settings
(``reception-sweep``); embedded, ``manage.py run_periodic`` or ``manage.py reception_sweep``."""

from __future__ import annotations

from celery import shared_task

from huying.reception.actions import do_sweep


@shared_task(name="huying.reception.tasks.sweep", ignore_result=True)
def sweep() -> dict[str, int]:
    return dict(do_sweep())
