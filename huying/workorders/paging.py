"""Capped counts for the work-order lists (console, unit inbox, API).

At ten million orders an exact ``COUNT(*)`` of a broad list (every order of a district, a
third of them in one category) costs more than the page itself, and nobody pages through
200 pages of 50: they narrow the list. So a list counts at most ``COUNT_CAP + 1`` rows
(``SELECT count(*) FROM (SELECT id … LIMIT 10001)``, which stops early) and says
"10,000+" beyond that (docs/workorders-benchmark.md). Pages stay numbered and ordered by a
total order (``-created_at, -id``), so paging never shows a row twice or skips one while
the list does not change. The console pages through the first 10,000 rows; the API
serves any page number (with the capped count), so a client may still walk a whole list.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, NamedTuple

from django.core.paginator import Paginator
from django.db.models import QuerySet

COUNT_CAP = 10_000


class CappedCount(NamedTuple):
    number: int
    capped: bool  # more than ``number`` rows: shown as "10000+"


def capped_count(queryset: QuerySet[Any], cap: int | None = None) -> CappedCount:
    """The exact number of rows when it is at most ``cap`` (default ``COUNT_CAP``), else
    ``(cap, capped=True)``. One query that reads at most ``cap + 1`` rows."""
    cap = COUNT_CAP if cap is None else cap
    found = queryset.order_by().values("pk")[: cap + 1].count()
    return CappedCount(cap, True) if found > cap else CappedCount(found, False)


class CappedPaginator(Paginator):
    """A ``Paginator`` whose count stops at ``cap`` (``count_capped`` is then true): the
    first ``cap`` rows are paged as usual (``cap / per_page`` pages); past them a person
    narrows the list with its filters (the page says so)."""

    def __init__(self, object_list: Any, per_page: int, cap: int | None = None, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap

    @cached_property
    def _capped(self) -> CappedCount:
        if isinstance(self.object_list, QuerySet):
            return capped_count(self.object_list, self.cap)
        n = len(self.object_list)
        return CappedCount(self.cap, True) if n > self.cap else CappedCount(n, False)

    @cached_property
    def count(self) -> int:
        return self._capped[0]

    @property
    def count_capped(self) -> bool:
        return self._capped[1]
