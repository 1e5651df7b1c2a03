"""An edit shown to the author: each changed field as a character diff (Chinese has no
spaces, so characters are the unit), with insertions in <ins> and deletions in <del>."""

from __future__ import annotations

import difflib
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from huying.opinions.models import ReportEdit

FIELD_LABELS = {"title": "标题", "situation": "情况", "analysis": "分析", "suggestion": "建议"}


def render_diff(before: str, after: str) -> SafeString:
    """HTML of ``before`` → ``after``: unchanged text, <del>removed</del>, <ins>added</ins>."""
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            out.append(escape(before[a1:a2]))
            continue
        if op in ("delete", "replace"):
            out.append(f"<del>{escape(before[a1:a2])}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{escape(after[b1:b2])}</ins>")
    return mark_safe("".join(out).replace("\n", "<br>"))


def edit_diffs(edit: ReportEdit) -> list[dict[str, Any]]:
    """``[{field, label, html}]`` of one stored edit, in the report's field order."""
    order = list(FIELD_LABELS)
    return [
        {"field": name, "label": FIELD_LABELS.get(name, name), "html": render_diff(*edit.changes[name])}
        for name in sorted(edit.changes, key=lambda n: order.index(n) if n in order else 99)
    ]
