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


def reserve_values(scope: str, count: int) -> range:
    """``count`` consecutive values of ``scope`` in one statement (``UPDATE … RETURNING``),
    e.g. the numbers of a batch of work orders. Same guarantees as :func:`next_value`: the
    row stays locked until the caller's transaction ends, and a rollback gives the whole
    block back (gap-free). Call inside ``transaction.atomic``."""
    if count < 1:
        raise ValueError("reserve_values() needs a count of at least 1.")
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("reserve_values() must run inside the transaction that uses the numbers.")
    table = connection.ops.quote_name(Counter._meta.db_table)
    sql = f"UPDATE {table} SET value = value + %s WHERE scope = %s RETURNING value"  # noqa: S608 - our table name
    for _attempt in range(2):
        with connection.cursor() as cursor:
            cursor.execute(sql, [count, scope])
            row = cursor.fetchone()
        if row is not None:
            last = int(row[0])
            return range(last - count + 1, last + 1)
        try:
            with transaction.atomic():  # a savepoint: a lost race leaves the caller's transaction usable
                Counter.objects.create(scope=scope)
        except IntegrityError:
            pass  # created by a concurrent first use: the UPDATE waits for it
    raise RuntimeError(f"Counter {scope!r} could not be created.")  # pragma: no cover
