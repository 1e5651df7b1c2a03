from typing import Any

from django import template

from huying.reports.fmt import num, pct, signed_pct

register = template.Library()


@register.filter
def percent(value: Any) -> str:
    return pct(value)


@register.filter
def change(value: Any) -> str:
    return signed_pct(value)


@register.filter
def number(value: Any) -> str:
    return num(value)
