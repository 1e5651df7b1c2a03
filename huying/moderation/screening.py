"""Sensitive-word screening of submitted text.

Text and words are compared in a *normalised* form: full-width characters folded to
half-width (NFKC), lower case, and every space, punctuation mark, symbol and invisible
(zero-width, control) character removed. So “法 轮-功”, “法．轮．功” or “Ｆ ａ ｌ ｕ ｎ” match the
words “法轮功” and “falun”. Matching is Aho–Corasick (``pyahocorasick``) over the whole
list at once: one pass over the text whatever the list's length.

The automaton is built once per process and rebuilt when the list changes: every change
bumps a version in the shared cache (:func:`bump_version`), and each screening compares
its automaton's version with it (one cache read).
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import ahocorasick
from django.core.cache import cache

from huying.moderation.choices import WordAction

VERSION_KEY = "moderation:words:version"
_REMOVED_CATEGORIES = ("Z", "P", "S", "C")  # separators, punctuation, symbols, control/format


def normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in folded if not unicodedata.category(ch).startswith(_REMOVED_CATEGORIES))


@dataclass
class ScreenResult:
    block: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)

    @property
    def words(self) -> list[str]:
        return self.block + self.review


_lock = threading.Lock()
_state: dict[str, Any] = {"version": None, "automaton": None}


def bump_version() -> None:
    """Call after the word list changed (after commit): every process rebuilds."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 1, timeout=None)


def _current_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return int(version)


def _build() -> Any:
    from huying.moderation.models import SensitiveWord

    automaton = ahocorasick.Automaton()
    for word, normalised, action in SensitiveWord.objects.values_list("word", "normalised", "action"):
        automaton.add_word(normalised, (word, action))
    if len(automaton):
        automaton.make_automaton()
    return automaton


def automaton() -> Any:
    version = _current_version()
    with _lock:
        if _state["version"] != version or _state["automaton"] is None:
            _state["automaton"] = _build()
            _state["version"] = version
        return _state["automaton"]


def screen(*texts: str) -> ScreenResult:
    """The listed words found in ``texts`` (each once), split by what a match does."""
    result = ScreenResult()
    found = automaton()
    if not len(found):
        return result
    seen: set[str] = set()
    for text in texts:
        for _end, (word, action) in found.iter(normalise(text or "")):
            if word in seen:
                continue
            seen.add(word)
            (result.block if action == WordAction.BLOCK else result.review).append(word)
    return result


def reset() -> None:
    """Forget the built automaton (tests, after the database was rolled back)."""
    with _lock:
        _state["version"] = None
        _state["automaton"] = None
