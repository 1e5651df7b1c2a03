"""A URL converter for work-order numbers (荔湾-2026-000123), so that fixed API paths such as
``/workorders/track/feedback`` or ``/workorders/assignments`` are never read as an order
number, whatever order the routers are mounted in."""

from __future__ import annotations

from typing import Annotated

from django.urls import register_converter
from pydantic import Field

NUMBER_PATTERN = r"[^/]+-[0-9]{4}-[0-9]{6}"
# The type of an order number in an API path: the OpenAPI document states the pattern, so a
# client (or a generated one) never sends /workorders/dashboard as an order number.
OrderNumber = Annotated[str, Field(pattern=f"^{NUMBER_PATTERN}$", description="e.g. 荔湾-2026-000123")]


class OrderNumberConverter:
    regex = NUMBER_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(OrderNumberConverter, "order")
