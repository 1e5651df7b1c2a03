"""The registry of text sources hot topics are found in.

Each kind of text the platform holds (work orders, proposals, and later opinion reports,
discussion posts…) registers one function that yields its texts since a time as
``Message`` objects. ``collect`` gathers them all; ids become ``"<kind>:<id>"`` so the
members of a topic can be linked back to their records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.db.models import Q

from huying.insight.topics import Message

SourceFunction = Callable[[datetime | None], Iterable[Message]]
# The stored topics' refresh reads each source from a high-water mark: ``stream(stamp,
# last_id)`` yields ``(stamp, id, message)`` after the mark, ordered by (stamp, id).
Row = tuple[datetime, int, Message]
StreamFunction = Callable[[datetime | None, int], Iterable[Row]]
# ``eligible()``: a queryset of the records whose texts may stay in topics (published, not
# hidden or removed); a placed text whose record left it leaves its topic at the next
# refresh. ``links(user, ids)``: ``{id: (label, url or None)}``, the url only for records
# ``user`` may open (the topic pages show the others' excerpts without a link).
EligibleFunction = Callable[[], Any]
LinksFunction = Callable[[Any, list[int]], dict[int, tuple[str, str | None]]]


@dataclass(frozen=True)
class Source:
    key: str
    label: object  # a (lazily) translated label
    fn: SourceFunction
    side: str = "government"  # whose topics its texts join (insight.choices.Side)
    stream: StreamFunction | None = None
    eligible: EligibleFunction | None = None
    links: LinksFunction | None = None


_SOURCES: dict[str, Source] = {}


def register_source(
    key: str,
    label: object,
    fn: SourceFunction,
    *,
    side: str = "government",
    stream: StreamFunction | None = None,
    eligible: EligibleFunction | None = None,
    links: LinksFunction | None = None,
) -> None:
    """Register (or replace) the source ``key``; ``fn(since)`` yields its messages;
    ``stream`` (optional) feeds the stored topics of ``side`` from a high-water mark;
    ``eligible`` (optional) takes hidden or removed records out again; ``links`` (optional)
    links the member texts on the topic pages."""
    if ":" in key:
        raise ValueError("a source key cannot contain ':'")
    if len(key) > 20:
        raise ValueError("a source key has at most 20 characters")
    _SOURCES[key] = Source(key=key, label=label, fn=fn, side=side, stream=stream, eligible=eligible, links=links)


def registered() -> list[Source]:
    return list(_SOURCES.values())


def get(key: str) -> Source | None:
    return _SOURCES.get(key)


def collect(since: datetime | None = None, keys: Iterable[str] | None = None) -> list[Message]:
    """Every registered source's messages since ``since``, ids prefixed with the source key."""
    wanted = set(keys) if keys is not None else None
    messages: list[Message] = []
    for source in _SOURCES.values():
        if wanted is not None and source.key not in wanted:
            continue
        messages.extend(replace(message, id=f"{source.key}:{message.id}") for message in source.fn(since))
    return messages


def split_id(member_id: str) -> tuple[str, str]:
    """``"workorder:12"`` → ``("workorder", "12")``."""
    key, _, identifier = member_id.partition(":")
    return key, identifier


def moderated_stream(
    rows: Any, message: Callable[[dict[str, Any]], Any], fields: Sequence[str], stamp: datetime | None, last_id: int
) -> Iterator[tuple[datetime, int, Any]]:
    """The ``stream`` of a moderated source: ``rows`` (its eligible records) after the mark,
    in the order they were published (a restored record is read again)."""
    if stamp is not None:
        rows = rows.filter(Q(moderation__decided_at__gt=stamp) | Q(moderation__decided_at=stamp, pk__gt=last_id))
    for row in rows.order_by("moderation__decided_at", "pk").values(*fields).iterator(chunk_size=2000):
        yield row["moderation__decided_at"], row["pk"], message(row)


def moderated_messages(
    rows: Any, message: Callable[[dict[str, Any]], Any], fields: Sequence[str], since: datetime | None
) -> Iterator[Any]:
    """The file-style ``messages`` of a moderated source: ``rows`` written since ``since``."""
    if since is not None:
        rows = rows.filter(created_at__gte=since)
    for row in rows.order_by("created_at", "pk").values(*fields).iterator(chunk_size=2000):
        yield message(row)
