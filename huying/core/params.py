"""Reading ids and numbers from query strings and form posts without ever failing.

``str.isdigit()`` is true for "²" and "①" (which ``int()`` refuses) and says nothing about
size, so an id past 64 bits reached the database and answered 500. Pages read every id
through :func:`parse_id`: plain ASCII digits, 1 … 2⁶³−1, or ``None``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

MAX_ID = 2**63 - 1
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")


def is_ascii_digits(value: Any) -> bool:
    """Whether ``value`` is a string of ASCII digits (a category code, a year…)."""
    return isinstance(value, str) and bool(re.fullmatch(r"[0-9]+", value))


def parse_id(value: Any) -> int | None:
    """``value`` as a database id (1 … 2⁶³−1), or ``None`` for anything else."""
    if not isinstance(value, str) or not _ASCII_DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


def parse_ids(values: Iterable[Any]) -> list[int]:
    """The ids among ``values`` (others are left out), in order."""
    return [number for number in map(parse_id, values) if number is not None]
