from __future__ import annotations

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """0.8512 → "85.1%"; a rate without a denominator (None) → "—"."""
    if value is None:
        return "—"
    return f"{number_format(value * 100, 1)}%"
