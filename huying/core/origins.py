"""Where a proposal or an opinion report came from (来源): the public suggestions, group
posts, reception-room questions or hot topics it was drafted from.

Each module that turns its texts into drafts registers one function per target model
from ``AppConfig.ready()``::

    register_origin("proposals.proposal", suggestion_origins)

The function takes the reader and the proposal (or report) and returns :class:`Origin`
rows — what the draft came from, with a link when the reader may open it. The proposal and
report pages show them under one heading, so the member, the staff and the handling units
see the public's voice behind a draft; the module that made the link keeps its rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Origin:
    kind: str | Promise  # e.g. 群众建议, 议政群帖子
    title: str
    url: str = ""  # empty when the reader may not open it
    note: str = ""  # e.g. the author's masked name, the date


OriginsOf = Callable[[Any, Any], list[Origin]]
_registry: dict[str, list[OriginsOf]] = {}


def register_origin(model: str, origins_of: OriginsOf) -> None:
    """``model`` is "app_label.model" in lower case (``proposals.proposal``, ``opinions.opinionreport``)."""
    found = _registry.setdefault(model, [])
    if origins_of not in found:
        found.append(origins_of)


def origins_of(user: Any, obj: Any) -> list[Origin]:
    """Every registered origin of ``obj`` the modules report to ``user`` (one or two queries each)."""
    meta = obj._meta
    rows: list[Origin] = []
    for origins in _registry.get(f"{meta.app_label}.{meta.model_name}", []):
        rows.extend(origins(user, obj))
    return rows


def rows_for(
    user: Any,
    items: list[Any],
    *,
    kind: str | Promise,
    readable: Any,
    url_of: Callable[[Any], str],
    title_of: Callable[[Any], str] = str,
    date_of: Callable[[Any], Any] | None = None,
) -> list[Origin]:
    """:class:`Origin` rows for ``items`` (model instances of one kind): each linked when it
    is in ``readable`` (the module's ``visible_to(user)`` queryset; one query), named only
    otherwise, with its date the Chinese way."""
    from django.utils import timezone

    allowed = set(readable.filter(pk__in=[i.pk for i in items]).values_list("pk", flat=True)) if items else set()
    rows = []
    for item in items:
        note = ""
        if date_of is not None and (moment := date_of(item)) is not None:
            local = timezone.localtime(moment)
            note = f"{local.year}年{local.month}月{local.day}日"
        rows.append(Origin(kind=kind, title=title_of(item), url=url_of(item) if item.pk in allowed else "", note=note))
    return rows
