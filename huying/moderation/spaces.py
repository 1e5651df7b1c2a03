"""The spaces whose public content is moderated.

An app with public content registers its space once from ``AppConfig.ready()``::

    register_space("suggestions", _("Public suggestions"), premoderated_default=True)

Each space has its own setting (pre-moderation on or off, :class:`~huying.moderation.models.SpaceSetting`,
changed by moderators) and its own rate limit per person. Spaces today: public suggestions
and debate arguments (``huying.interaction``); discussion-group posts and reception-room
questions plug in the same way.
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


_spaces: dict[str, Space] = {}


def register_space(
    key: str,
    label: str | Promise,
    premoderated_default: bool = True,
    *,
    rate_limit: int = 10,
    rate_window: int = 3600,
    url: Callable[[Any], str] | None = None,
) -> Space:
    """Register (or replace) the space ``key``."""
    space = Space(key, label, premoderated_default, rate_limit, rate_window, url)
    _spaces[key] = space
    return space


def get_space(key: str) -> Space:
    try:
        return _spaces[key]
    except KeyError:
        raise LookupError(f"Unknown moderation space {key!r}; known: {', '.join(_spaces)}") from None


def all_spaces() -> list[Space]:
    return list(_spaces.values())
