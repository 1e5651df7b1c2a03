"""Template filters of the work-order statistics pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

EMPTY = "—"


@register.filter
def pct(value: Any) -> str:
    """A share 0–1 as a percentage with one decimal (``0.953`` → ``95.3%``); a rate with
    nothing to measure (``None``) as "—", never 0 % or 100 %."""
    if value is None or value == "":
        return EMPTY
    return f"{float(value) * 100:.1f}%"


@register.filter
def dash(value: Any) -> Any:
    """``None`` as "—" (counts that do not apply to a grouping)."""
    return EMPTY if value is None else value
