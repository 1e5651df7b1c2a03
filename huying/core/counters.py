"""Numbers handed out in sequence (a proposal's filing number, a work order's number).

:func:`next_value` runs in the caller's transaction and locks the scope's
:class:`~huying.core.models.Counter` row until that transaction ends, so two callers never
get the same number, and a rolled-back transaction gives its number back: numbers are
gap-free. The row is created on first use; when two first uses race, one creates it and the
other waits for it (the unique scope decides), so both cannot get 1.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from huying.core.models import Counter


def next_value(scope: str) -> int:
    """The next value in ``scope`` (1 on first use). Call inside ``transaction.atomic``."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_value() must run inside the transaction that uses the number.")
    if not Counter.objects.filter(scope=scope).exists():
        try:
            # A savepoint, so a lost race leaves the caller's transaction usable.
            with transaction.atomic():
                Counter.objects.create(scope=scope)
        except IntegrityError:
            pass  # created by a concurrent first use: lock it below
    counter = Counter.objects.select_for_update().get(scope=scope)
    Counter.objects.filter(pk=counter.pk).update(value=F("value") + 1)
    return counter.value + 1
