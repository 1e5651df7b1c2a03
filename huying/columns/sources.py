"""The registry of what a column can gather (栏目来源).

A module whose items may be tagged to a column registers one source, once, from its
``AppConfig.ready()`` (or columns registers it for a module that predates it: see
:mod:`huying.columns.builtin_sources`)::

    from huying.columns.sources import register_source

    register_source(
        "groups",                      # the key: stored on each tag, used in URLs and the API
        DiscussionGroup,               # the model whose rows are tagged
        _("Discussion groups"),        # the section's title on a column page
        visible_to=lambda user: DiscussionGroup.objects.visible_to(user),
        title_of=lambda group: group.name,
        url_of=lambda group: reverse("groups:detail", args=[group.pk]),
        date_of=lambda group: group.created_at,
        ordering=("-created_at", "-pk"),
        search_fields=("name",),
    )

Columns never import the module: a column page asks each source for the tagged items the
reader may see (``visible_to(user)`` filtered to the tagged ids), so a source's own
visibility rules decide, and a reader sees nothing there that the module would not show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet
from django.utils.functional import Promise


@dataclass(frozen=True)
class Source:
    key: str
    model: type[models.Model]
    label: str | Promise
    # Every item of the model ``user`` may read (anonymous visitors included): the module's own rule.
    visible_to: Callable[[Any], QuerySet[Any]]
    title_of: Callable[[Any], str]
    url_of: Callable[[Any], str]
    date_of: Callable[[Any], date | datetime | None]
    # Newest first, in the database (the column page shows the latest items of each source).
    ordering: tuple[str, ...] = ("-pk",)
    # Text fields the staff's tag picker searches (contains, case-insensitive).
    search_fields: tuple[str, ...] = ("title",)
    # A short line under the title (a number, a status, a place); optional.
    meta_of: Callable[[Any], str] | None = None
    select_related: tuple[str, ...] = ()
    # Sources are shown in this order on a column page.
    order: int = 100

    @property
    def content_type(self) -> Any:
        from django.contrib.contenttypes.models import ContentType

        return ContentType.objects.get_for_model(self.model)

    def items_for(self, user: Any) -> QuerySet[Any]:
        qs = self.visible_to(user)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        return qs.order_by(*self.ordering)

    def search(self, user: Any, text: str) -> QuerySet[Any]:
        """Items ``user`` may see whose search fields contain ``text``, newest first."""
        qs = self.items_for(user)
        text = text.strip()
        if text:
            condition = Q()
            for name in self.search_fields:
                condition |= Q(**{f"{name}__icontains": text})
            qs = qs.filter(condition)
        return qs

    def meta(self, obj: Any) -> str:
        return self.meta_of(obj) if self.meta_of else ""


_sources: dict[str, Source] = {}


def register_source(
    key: str,
    model: type[models.Model],
    label: str | Promise,
    visible_to: Callable[[Any], QuerySet[Any]],
    title_of: Callable[[Any], str],
    url_of: Callable[[Any], str],
    date_of: Callable[[Any], date | datetime | None],
    *,
    ordering: tuple[str, ...] = ("-pk",),
    search_fields: tuple[str, ...] = ("title",),
    meta_of: Callable[[Any], str] | None = None,
    select_related: tuple[str, ...] = (),
    order: int = 100,
) -> Source:
    """Make ``model``'s items taggable to columns under ``key`` (letters, digits, ``_``; at
    most 30 characters). A key or a model registered twice is a programming error."""
    if not key or len(key) > 30 or not key.replace("_", "").isalnum() or not key.isascii():
        raise ValueError(f"Bad source key {key!r}")
    if key in _sources:
        raise ValueError(f"Column source {key!r} is registered twice")
    if any(s.model is model for s in _sources.values()):
        raise ValueError(f"{model.__name__} is already a column source")
    source = Source(
        key=key,
        model=model,
        label=label,
        visible_to=visible_to,
        title_of=title_of,
        url_of=url_of,
        date_of=date_of,
        ordering=ordering,
        search_fields=search_fields,
        meta_of=meta_of,
        select_related=select_related,
        order=order,
    )
    _sources[key] = source
    return source


def unregister_source(key: str) -> None:
    _sources.pop(key, None)


def get_source(key: str) -> Source | None:
    return _sources.get(key)


def all_sources() -> list[Source]:
    return sorted(_sources.values(), key=lambda s: (s.order, s.key))


def source_for_model(model: type[models.Model]) -> Source | None:
    return next((s for s in _sources.values() if s.model is model), None)
