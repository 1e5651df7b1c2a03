"""How the report writes its numbers (the same in the PDF, the Excel file and the page)."""

from __future__ import annotations

from typing import Any


def pct(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def signed_pct(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{'+' if value >= 0 else ''}{value * 100:.1f}%"


def change_words(value: float | None, what: str = "环比") -> str:
    """环比增长12.5% / 环比下降3.0% / 与上期持平; empty with nothing to compare."""
    if value is None:
        return ""
    if abs(value) < 0.0005:
        return f"{what}持平"
    return f"{what}{'增长' if value > 0 else '下降'}{abs(value) * 100:.1f}%"


def num(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.2f}"
    return f"{value:,}"
