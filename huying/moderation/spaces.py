"""The spaces whose public content is moderated.

An app with public content registers its space once from ``AppConfig.ready()``::

    register_space("suggestions", _("Public suggestions"), premoderated_default=True)

Each space has its own setting (pre-moderation on or off, :class:`~huying.moderation.models.SpaceSetting`,
changed by moderators) and its own rate limit per person. Spaces today: public suggestions
and debate arguments (``huying.interaction``), discussion-group posts (``huying.groups``) and
reception-room questions (``huying.reception``).

A space whose app keeps figures or duty-record entries that depend on an item being public
registers ``on_visibility(item, visible)``. :func:`huying.moderation.transitions.move` — the
one place that writes an item's status — calls it, inside the transaction of the move and
with the item locked, whenever the item enters public view (``visible=True``: a pending item
published, a hidden one restored) or leaves it (``False``: a published item hidden, or sent
back to the queue by reports). A move that keeps the item out of view (hiding a pending
item) calls nothing; nor does the submission (the app creates its object after
``do_submit`` and reads the first state from the returned item). If the hook raises, the
move is undone with it. Hooks must be idempotent: called twice with the same answer, the
second call changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Space:
    key: str
    label: str | Promise
    premoderated_default: bool = True
    # Submissions per person and window (seconds) before the rate limit refuses.
    rate_limit: int = 10
    rate_window: int = 3600
    # The page of an item's content (for the queue), from the ModerationItem.
    url: Callable[[Any], str] | None = None
    # Called with (ModerationItem, visible) when the item enters or leaves public view.
    on_visibility: Callable[[Any, bool], None] | None = None


_spaces: dict[str, Space] = {}


def register_space(
    key: str,
    label: str | Promise,
    premoderated_default: bool = True,
    *,
    rate_limit: int = 10,
    rate_window: int = 3600,
    url: Callable[[Any], str] | None = None,
    on_visibility: Callable[[Any, bool], None] | None = None,
) -> Space:
    """Register (or replace) the space ``key``."""
    space = Space(key, label, premoderated_default, rate_limit, rate_window, url, on_visibility)
    _spaces[key] = space
    return space


def get_space(key: str) -> Space:
    try:
        return _spaces[key]
    except KeyError:
        raise LookupError(f"Unknown moderation space {key!r}; known: {', '.join(_spaces)}") from None


def all_spaces() -> list[Space]:
    return list(_spaces.values())


def visibility_changed(item: Any, visible: bool) -> None:
    """Tell the item's space that the item entered (``visible``) or left public view. Only
    :func:`huying.moderation.transitions.move` calls this, inside the move's transaction."""
    space = _spaces.get(item.space)
    if space is not None and space.on_visibility is not None:
        space.on_visibility(item, visible)
