"""Bounded integer types for every integer the REST API reads (path, query, body).

Python integers have no size, database columns do: ``?page=99999999999999999999`` or an id
past 64 bits used to reach the database and fail there (HTTP 500: ``OverflowError`` on
SQLite, ``DataError`` on PostgreSQL). Every integer an endpoint accepts is one of these
types, so pydantic refuses it first (422 in the one error format) and the OpenAPI document
states the range. ``huying/core/tests/test_api_contract.py`` checks that no integer input
of the document is left without a ``maximum``.
"""

from __future__ import annotations

from typing import Annotated

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination as NinjaPageNumberPagination

BIGINT_MAX = 2**63 - 1  # bigint / BigAutoField, SQLite INTEGER
INT_MAX = 2**31 - 1  # integer / PositiveIntegerField
SMALLINT_MAX = 2**15 - 1  # smallint / PositiveSmallIntegerField

# A primary or foreign key (BigAutoField).
Id = Annotated[int, Field(ge=1, le=BIGINT_MAX)]
# A row's optimistic-lock counter (PositiveIntegerField).
Version = Annotated[int, Field(ge=0, le=INT_MAX)]
# Any other integer column (IntegerField), e.g. a sort order.
Int32 = Annotated[int, Field(ge=-INT_MAX - 1, le=INT_MAX)]
# A year, a term number (PositiveSmallIntegerField).
SmallCount = Annotated[int, Field(ge=0, le=SMALLINT_MAX)]

# How far a page number may go: far past any real list, far below an OFFSET overflow.
MAX_PAGE = 10**6


class PageNumberPagination(NinjaPageNumberPagination):
    """django-ninja's page-number pagination with bounded ``page`` and ``page_size``; every
    list endpoint pages with this class (or a subclass)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=1000)


# How many items a "top n" endpoint returns.
Limit = Annotated[int, Field(ge=1, le=100)]
