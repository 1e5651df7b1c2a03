"""A URL converter for work-order numbers (荔湾-2026-000123), so that fixed API paths such as
``/workorders/track/feedback`` or ``/workorders/assignments`` are never read as an order
number, whatever order the routers are mounted in."""

from __future__ import annotations

from django.urls import register_converter


class OrderNumberConverter:
    regex = r"[^/]+-[0-9]{4}-[0-9]{6}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(OrderNumberConverter, "order")
