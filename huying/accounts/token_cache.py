"""The API tokens a web process has checked recently, so that a client pushing many requests
costs no token and role lookups on each (issue 13 point 3: a hotline push is mostly this
overhead otherwise).

A token is looked up in the database once, with its person and their active roles, and kept
in this process for at most ``API_TOKEN_CACHE_SECONDS`` (settings; 0 turns the cache off).
Every change that can end or narrow a token's rights — a token revoked, a person deactivated,
a role assigned or revoked, an administrator flag changed — moves a **generation** stamp in
the shared cache (Redis at scale, the database cache embedded) once its transaction has
committed; every process reads the stamp (one cache read, shared by its requests of the
same tenth of a second: ``STAMP_READ_SECONDS``) and drops what it kept when the stamp moved.
So a revoked token stops working at once in the process that revoked it and within a tenth
of a second in every other, not only after the time limit. The stamp is read before the database lookup,
so an entry can only be tagged with a stamp older than the data it holds, never newer.
While the shared cache is down every request looks its token up (as without this cache),
and a change made meanwhile reaches the other processes within the time limit.

Each request gets its own copy of the person (views may set attributes on ``request.user``);
the copy shares the role list, which nobody changes in place.
"""

from __future__ import annotations

import copy
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

GENERATION_KEY = "accounts:api-credentials-generation"
# Bound on what one process keeps (distinct tokens seen within the time limit).
MAX_ENTRIES = 2_000


@dataclass(frozen=True)
class _Entry:
    token: Any  # ApiToken with its user, whose active roles are read already
    generation: Any
    loaded_at: float


_entries: dict[str, _Entry] = {}
_lock = threading.Lock()
# How often a process reads the shared stamp: a busy client's requests share one read, and
# another process's revocation counts here within this time.
STAMP_READ_SECONDS = 0.1
_stamp: tuple[Any, float] = (None, -1e9)


def _seconds() -> float:
    return float(getattr(settings, "API_TOKEN_CACHE_SECONDS", 0) or 0)


def _load(token_hash: str) -> Any:
    from huying.accounts.models import ApiToken

    return ApiToken.objects.usable().select_related("user").filter(token_hash=token_hash).first()


def _uncached(token_hash: str) -> tuple[Any, Any] | None:
    """Looked up for this request only (the cache off, or the shared cache down)."""
    api_token = _load(token_hash)
    return None if api_token is None else (api_token, api_token.user)


def _generation(now: float) -> Any:
    """The shared stamp, read at most every :data:`STAMP_READ_SECONDS` by this process."""
    global _stamp
    value, read_at = _stamp
    if now - read_at < STAMP_READ_SECONDS:
        return value
    value = cache.get(GENERATION_KEY)
    _stamp = (value, now)
    return value


def lookup(token_hash: str) -> tuple[Any, Any] | None:
    """``(api_token, user)`` for a usable token, or None. ``user`` is this request's own copy."""
    seconds = _seconds()
    if seconds <= 0:
        return _uncached(token_hash)
    now = time.monotonic()
    try:
        generation = _generation(now)
    except Exception:  # the shared cache is down: look every token up until it is back
        return _uncached(token_hash)
    entry = _entries.get(token_hash)
    if entry is None or entry.generation != generation or now - entry.loaded_at > seconds:
        api_token = _load(token_hash)
        if api_token is not None:
            api_token.user.role_set  # noqa: B018 - reads the active roles once, kept with the entry
        with _lock:
            if api_token is None:
                _entries.pop(token_hash, None)
                return None
            if len(_entries) >= MAX_ENTRIES:
                _entries.clear()
            entry = _Entry(api_token, generation, now)
            _entries[token_hash] = entry
    api_token = entry.token
    if api_token.expires_at is not None and api_token.expires_at <= timezone.now():
        return None
    return api_token, copy.copy(api_token.user)


def invalidate() -> None:
    """Make every process look its tokens up again: this one at once (what it loads before
    the commit is tagged with the old stamp), every other once the caller's transaction
    commits."""
    forget()

    def move() -> None:
        global _stamp
        forget()
        stamp = secrets.token_hex(8)
        try:
            cache.set(GENERATION_KEY, stamp, timeout=None)
            _stamp = (stamp, time.monotonic())
        except Exception:  # the shared cache is down: the others drop theirs within the time limit
            logger.exception("Could not tell the other processes that API credentials changed")

    transaction.on_commit(move)


def forget() -> None:
    """Drop what this process keeps (tests; :func:`invalidate`)."""
    global _stamp
    with _lock:
        _entries.clear()
        _stamp = (None, -1e9)


def _changed(sender: Any, instance: Any = None, update_fields: Any = None, **kwargs: Any) -> None:
    from huying.accounts.models import User

    if sender is User and update_fields is not None and not {"is_active", "is_superuser"} & set(update_fields):
        return  # a login's last_login, a profile edit: no rights change
    invalidate()


def connect() -> None:
    """Saves and deletes of tokens, role assignments and people move the stamp (the actions
    that change them with ``update()`` call :func:`invalidate` themselves)."""
    from django.db.models.signals import post_delete, post_save

    from huying.accounts.models import ApiToken, RoleAssignment, User

    for model in (ApiToken, RoleAssignment, User):
        post_save.connect(_changed, sender=model, dispatch_uid=f"token-cache-{model.__name__}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"token-cache-{model.__name__}-delete")
