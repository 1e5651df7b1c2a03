"""Stored topics: incremental refresh over batches equals a full recompute; the planted
issues come out; idempotent runs; the emerging rule."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from huying.insight import sources
from huying.insight.emerging import is_emerging
from huying.insight.models import SourceMark, Topic, TopicSnapshot, TopicText
from huying.insight.refresh import refresh
from huying.insight.tests.corpus import generate_corpus
from huying.insight.topics import Message

pytestmark = pytest.mark.django_db


class Feed:
    """A text source whose texts arrive in batches (stamp = arrival order)."""

    def __init__(self) -> None:
        self.rows: list[tuple[datetime, int, Message]] = []

    def add(self, messages: list[Message]) -> None:
        base = datetime(2030, 1, 1, tzinfo=timezone.get_current_timezone())
        for message in messages:
            pk = len(self.rows) + 1
            self.rows.append((base + timedelta(seconds=pk), pk, message))

    def stream(self, stamp: datetime | None, last_id: int) -> Iterator[tuple[datetime, int, Message]]:
        for row in self.rows:
            if stamp is None or (row[0], row[1]) > (stamp, last_id):
                yield row


@pytest.fixture
def feed(monkeypatch: pytest.MonkeyPatch) -> Feed:
    feed = Feed()
    monkeypatch.setattr(sources, "_SOURCES", {})
    sources.register_source("letter", "Letters", lambda since: [], stream=feed.stream)
    return feed


def memberships() -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for topic_id, object_id in TopicText.objects.values_list("topic_id", "object_id"):
        groups.setdefault(topic_id, set()).add(object_id)
    return {frozenset(members) for members in groups.values()}


def figures() -> dict[frozenset[int], tuple[object, ...]]:
    """Each topic's kept counts, heat and description, by its members."""
    groups: dict[int, set[int]] = {}
    for topic_id, object_id in TopicText.objects.values_list("topic_id", "object_id"):
        groups.setdefault(topic_id, set()).add(object_id)
    fields = ("pk", "texts", "people", "support", "heat", "trend", "growth", "title", "place_or_group", "keywords")
    return {
        frozenset(groups[pk]): (*rest[:3], round(rest[3], 2), *rest[4:6], rest[6], rest[7], tuple(rest[8]))
        for pk, *rest in Topic.objects.values_list(*fields)
    }


def test_incremental_batches_give_the_topics_of_a_full_recompute(feed: Feed) -> None:
    messages, truth = generate_corpus(tail=120)
    ordered = sorted(messages, key=lambda m: (m.time, m.id))
    now = timezone.make_aware(ordered[-1].time + timedelta(hours=1))
    for begin in range(0, len(ordered), 60):  # a day's worth at a time, in time order
        feed.add(ordered[begin : begin + 60])
        refresh(now=now, notify=False)
    assert TopicText.objects.count() == len(ordered)
    incremental = memberships()
    kept = figures()  # counts kept up batch by batch
    assert refresh(now=now, notify=False).texts == 0  # nothing new: nothing read

    refresh(full=True, now=now, notify=False)
    assert memberships() == incremental
    assert figures() == kept  # the same counts, heat, trend and description as counted at once
    assert SourceMark.objects.get(source="letter").last_id == len(ordered)

    # The planted issues come out as topics of their own, most of their messages together.
    by_id = {message.id: pk for pk, (_, _, message) in enumerate(feed.rows, start=1)}
    for key, ids in truth.items():
        wanted = {by_id[i] for i in ids}
        best = max(incremental, key=lambda members: len(members & wanted))
        # (the graduates' subsidy question names no place: 11 of its 14 come together)
        assert len(best & wanted) >= 0.75 * len(wanted), key
        assert len(best - wanted) <= 0.1 * len(best), key
    top = Topic.objects.ranked().first()
    assert top is not None and top.people >= 12
    assert TopicSnapshot.objects.filter(topic=top).count() >= 2


def test_emerging_rule() -> None:
    assert is_emerging(5, [])[0]
    assert not is_emerging(4, [])[0]
    steady = [2, 3] * 7  # mean 2.5, deviation 0.5 (taken as 1): 5.5 needed
    assert is_emerging(6, steady)[0] and not is_emerging(5, steady)[0]
    assert not is_emerging(8, [0] * 13 + [10])[0]  # one busy day raises the bar
