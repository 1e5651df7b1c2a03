"""Stored hot topics, refreshed incrementally (docs/insight.md, "Stored topics").

Each registered text source with a ``stream`` is read from its high-water mark
(``SourceMark``: the stamp and id of the last text read). The new texts are taken in one
canonical order — their time, then source, then id — and each is placed by the online
variant of the engine's rules:

* the same analysis as the file command (``topics.text``: normalising, jieba words and
  paraphrase concepts, places and groups), terms weighted 1 + ln(tf), the subject counted
  twice, place names left out of the terms (they gate instead);
* candidate topics: those of the same side active in the last ``WINDOW_DAYS`` that share
  a place, an area or one of the text's strongest terms;
* the text joins the candidate whose centroid it is most similar to (cosine), if that
  similarity clears the threshold for what the two name — a shared place or group
  ``LINK_SAME_PLACE``, a shared road or area ``LINK_SAME_AREA``, nothing in common
  ``LINK`` — and never when both name places and none is shared; else it starts a topic.

Every step depends only on the topics as they stand and the text, so refreshing after
each batch of new texts and recomputing everything at once place each text the same way,
as long as the batches come in time order (the test proves it). A text that comes in late
(received before texts already placed) is placed against the topics as they are now: the
full recompute (``refresh_topics --full``) puts it where a fresh run would.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import islice
from operator import itemgetter
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone

from huying.insight.choices import Side, Trend
from huying.insight.models import SourceMark, Topic, TopicSnapshot, TopicText
from huying.insight.sources import registered
from huying.insight.topics import Message
from huying.insight.topics.engine import _match, _title
from huying.insight.topics.text import ADMIN_TOKEN, STOP_WORDS, WEAK_KINDS, analyse, normalise

WINDOW_DAYS = 90  # a topic quiet for longer than this takes no new texts
LINK_SAME_PLACE = 0.20
LINK_SAME_AREA = 0.35
LINK = 0.45
CENTROID_TERMS = 40  # terms kept in a topic's centroid
PROBE_TERMS = 6  # a text's strongest terms used to look up candidate topics
TERM_TAIL = 60  # ... each among the most recent topics having it
PLACE_TAIL = 400  # the most recent topics naming a place looked at
RECENT_DAYS = 30
BASELINE_DAYS = 90
HALF_LIFE_DAYS = 90.0


# The boilerplate of proposals and reports (近年来…高度重视…出台了一系列政策措施，取得了积极
# 进展。但调研发现…依然存在): without document frequencies the online placing would glue
# unrelated proposals on these.
BOILERPLATE = frozenset(
    [
        "近年来",
        "高度重视",
        "重视",
        "出台",
        "一系列",
        "政策措施",
        "政策",
        "措施",
        "取得",
        "积极进展",
        "进展",
        "积极",
        "调研",
        "发现",
        "依然",
        "存在",
        "仍然",
        "成效",
        "一定",
        "亟需",
        "较为",
        "集中",
        "工作",
        "我省",
        "我市",
        "加强",
        "推进",
        "完善",
        "提升",
        "关于",
        "进一步",
        "有效",
        "方面",
        "情况",
    ]
)


@dataclass
class Item:
    """One text ready to place."""

    source: str
    pk: int
    side: str
    at: datetime
    author: str
    support: int
    excerpt: str
    title: str
    terms: dict[str, float]
    places: frozenset[str]
    areas: frozenset[str]

    @property
    def order(self) -> tuple[datetime, str, int]:
        return (self.at, self.source, self.pk)


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:20]


def prepare(source: str, side: str, pk: int, message: Message) -> Item:
    """The text's terms, places and areas (the engine's analysis, one text at a time)."""
    text, subject = normalise(message.text), normalise(message.subject)
    doc = analyse(f"{subject}。{text}" if subject else text)
    names = sorted({e.key for e in doc.entities} | {e.label for e in doc.entities}, key=len, reverse=True)
    words = [w for w in doc.words if w not in BOILERPLATE and not any(w in name for name in names)]
    if subject:
        words += [w for w in analyse(subject).words if w not in BOILERPLATE and not any(w in name for name in names)]
    counts = Counter(words)
    weights = {term: 1.0 + math.log(n) for term, n in counts.items()}
    norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
    terms = {term: v / norm for term, v in weights.items()}
    moment = message.time or timezone.localtime().replace(tzinfo=None)
    at = timezone.make_aware(moment) if timezone.is_naive(moment) else moment
    author = _hash(f"{source}|{message.author}") if message.author else _hash(f"text|{text[:80]}")
    return Item(
        source=source,
        pk=pk,
        side=side,
        at=at,
        author=author,
        support=max(0, message.likes - message.dislikes) + max(0, message.extra),
        excerpt=(subject + " " + text).strip()[:200] if subject else text[:200],
        title=_title(subject, text)[:200],
        terms=terms,
        places=frozenset(e.key for e in doc.entities if e.kind not in WEAK_KINDS),
        areas=frozenset(e.key for e in doc.entities if e.kind in WEAK_KINDS),
    )


def _top(counts: Counter[str], keep: int = 20) -> Counter[str]:
    """The ``keep`` most named keys, ties by key: what is stored is what is kept in memory."""
    return Counter(dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:keep]))


def _strongest(pairs: Iterable[tuple[str, float]]) -> list[tuple[str, float]]:
    """Strongest term first, ties by term: by term, then (stable) by weight descending —
    the order of ``key=(-weight, term)`` with two sorts in C instead of a key per pair."""
    return sorted(sorted(pairs), key=itemgetter(1), reverse=True)


def _ordered(centroid: dict[str, float]) -> dict[str, float]:
    """Strongest term first, ties by term (jsonb does not keep the order of keys)."""
    return dict(_strongest(centroid.items()))


@dataclass(eq=False)
class State:
    """One topic as the clustering sees it."""

    seq: int
    centroid: dict[str, float]
    places: Counter[str]
    areas: Counter[str]
    size: int
    last_at: datetime
    first_at: datetime
    title: str
    title_score: float
    last_key: tuple[datetime, str, int]  # the canonical order of its latest member
    pk: int | None = None
    people: int = 0  # the stored figures (refresh adds the new members' to them)
    support: int = 0
    touched: bool = False
    norm: float = 0.0
    members: list[Item] = field(default_factory=list)  # the texts placed in this run

    _dominant: tuple[set[str], set[str]] | None = None  # of places and areas, until the next add

    def dominant(self, counts: Counter[str]) -> set[str]:
        if not counts:
            return set()
        top = max(counts.values())
        floor = max(1, top * 0.34, self.size * 0.2)
        return {key for key, count in counts.items() if count >= floor}

    def dominants(self) -> tuple[set[str], set[str]]:
        """The dominant places and areas, kept until the topic changes (placing asks for
        them hundreds of times per text)."""
        if self._dominant is None:
            self._dominant = (self.dominant(self.places), self.dominant(self.areas))
        return self._dominant

    def similarity(self, terms: dict[str, float]) -> float:
        if not self.norm:
            self.norm = math.sqrt(sum(v * v for v in self.centroid.values())) or 1.0
        centroid = self.centroid
        # The same sum as over every term with 0 for the missing ones (adding 0.0 changes
        # no float), without the lookups of the missing ones.
        return sum([w * centroid[t] for t, w in terms.items() if t in centroid]) / self.norm

    def add(self, item: Item) -> None:
        merged = dict(self.centroid)
        for term, weight in item.terms.items():
            merged[term] = merged.get(term, 0.0) + weight
        self.centroid = dict(_strongest(merged.items())[:CENTROID_TERMS])
        self.norm = 0.0
        self._dominant = None
        self.last_key = max(self.last_key, item.order)
        self.places = _top(self.places + Counter(item.places))
        self.areas = _top(self.areas + Counter(item.areas))
        self.size += 1
        self.last_at = max(self.last_at, item.at)
        self.first_at = min(self.first_at, item.at)
        score = self.similarity(item.terms)
        if score > self.title_score:
            self.title, self.title_score = item.title, score
        self.touched = True
        self.members.append(item)


class Clustering:
    """The topics of one side, with lookup lists by place, area and centroid term. Each list
    is ordered by the topics' latest member (canonical order), so "the most recent topics
    sharing this term" is its tail: a common term (噪音, 工地) looks at the ``TERM_TAIL``
    most recent topics that have it, not at thousands."""

    def __init__(self, side: str, states: Iterable[State], next_seq: int) -> None:
        self.side = side
        self.states: dict[int, State] = {}
        self.by_key: dict[str, dict[int, None]] = defaultdict(dict)
        self.next_seq = next_seq
        by_key = self.by_key
        for state in sorted(states, key=lambda s: (s.last_key, s.seq)):
            self.states[state.seq] = state
            for key in self._keys(state):  # a topic's keys are distinct: no entry to move yet
                by_key[key][state.seq] = None

    def _keys(self, state: State) -> list[str]:
        places = sorted(state.places)  # sorted: the same lists whatever order they were read in
        areas = sorted(state.areas)
        return (
            [f"p:{k}" for k in places]
            + [f"a:{k}" for k in areas]
            + [f"t:{t}" for t in list(state.centroid)[: PROBE_TERMS * 2]]
        )

    def _index(self, state: State, old: list[str] | None = None) -> None:
        """(Re)file the topic at the tail of each of its lists."""
        self.states[state.seq] = state
        for key in old or ():
            self.by_key[key].pop(state.seq, None)
        for key in self._keys(state):
            entries = self.by_key[key]
            entries.pop(state.seq, None)
            entries[state.seq] = None

    def place(self, item: Item) -> State:
        probe = _strongest(item.terms.items())[:PROBE_TERMS]
        keys = [f"p:{k}" for k in sorted(item.places)] + [f"a:{k}" for k in sorted(item.areas)]
        keys += [f"t:{t}" for t, _ in probe]
        candidates: set[int] = set()
        for key in keys:
            entries = self.by_key.get(key)
            if entries:
                tail = PLACE_TAIL if key.startswith("p:") else TERM_TAIL
                candidates.update(islice(reversed(entries), tail))
        horizon = item.at - timedelta(days=WINDOW_DAYS)
        best: tuple[float, int] | None = None
        for seq in sorted(candidates):
            state = self.states[seq]
            if state.last_at < horizon:
                continue
            own, own_areas = state.dominants()
            if item.places and own and _match(item.places, own):
                needed = LINK_SAME_PLACE
            elif item.areas & own_areas:
                needed = LINK_SAME_AREA
            elif item.places and own:
                continue  # each names a place and none is shared: never the same issue
            else:
                needed = LINK
            score = state.similarity(item.terms)
            if score >= needed and (best is None or score > best[0]):
                best = (score, seq)
        if best is None:
            state = State(
                seq=self.next_seq,
                centroid={},
                places=Counter(),
                areas=Counter(),
                size=0,
                last_at=item.at,
                first_at=item.at,
                title=item.title,
                title_score=-1.0,
                last_key=item.order,
            )
            self.next_seq += 1
            old: list[str] = []
        else:
            state = self.states[best[1]]
            old = self._keys(state)
        state.add(item)
        self._index(state, old)
        return state


# --- reading and writing ----------------------------------------------------------------


@dataclass
class Outcome:
    texts: int = 0
    new_topics: int = 0
    touched_topics: int = 0
    alerts: int = 0
    by_source: dict[str, int] = field(default_factory=dict)
    phases: dict[str, tuple[float, float]] = field(default_factory=dict)  # name: (wall s, CPU s)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Time a part of the run (the benchmark prints them)."""
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            before = self.phases.get(name, (0.0, 0.0))
            self.phases[name] = (
                before[0] + time.perf_counter() - wall,
                before[1] + time.process_time() - cpu,
            )

    def as_dict(self) -> dict[str, Any]:
        return {
            "texts": self.texts,
            "new_topics": self.new_topics,
            "touched_topics": self.touched_topics,
            "alerts": self.alerts,
            "by_source": self.by_source,
        }


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


LOAD_FIELDS = (
    "id",
    "seq",
    "centroid",
    "places",
    "areas",
    "texts",
    "people",
    "support",
    "last_at",
    "first_at",
    "title",
    "title_score",
    "last_source",
    "last_object",
)


def _load(side: str, since: datetime) -> Clustering:
    """The side's topics active since ``since`` (about 100,000 at 1,000,000 texts a year).
    On PostgreSQL read with one plain cursor (the three JSON columns decoded here), which
    is several times cheaper than the ORM's per-value converters at this size."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(LOAD_FIELDS)} FROM insight_topic WHERE side = %s AND last_at >= %s",  # noqa: S608 (constant names)
                [side, since],
            )
            rows = [(pk, seq, _json(c), _json(p), _json(a), *rest) for pk, seq, c, p, a, *rest in cursor.fetchall()]
    else:
        fields = ["pk" if name == "id" else name for name in LOAD_FIELDS]
        rows = list(Topic.objects.filter(side=side, last_at__gte=since).values_list(*fields))
    states = [
        State(
            seq=seq,
            centroid=_ordered(centroid),
            places=Counter(places),
            areas=Counter(areas),
            size=texts,
            last_at=last_at or since,
            first_at=first_at or since,
            title=title,
            title_score=score,
            last_key=(last_at or since, last_source, last_object),
            pk=pk,
            people=people,
            support=support,
        )
        for (
            pk,
            seq,
            centroid,
            places,
            areas,
            texts,
            people,
            support,
            last_at,
            first_at,
            title,
            score,
            last_source,
            last_object,
        ) in rows
    ]
    top = Topic.objects.filter(side=side).aggregate(top=Max("seq"))["top"]
    return Clustering(side, states, (top or 0) + 1)


def refresh(*, full: bool = False, now: datetime | None = None, notify: bool = True) -> Outcome:
    """Read every source's new texts since its mark and place them (``full``: forget all
    stored topics first and read everything). Then heat and trend of the topics touched
    (and of the ranked topics still in the window, whose recency decays), and the emerging
    alerts of today. Idempotent: a second run right after reads nothing new."""
    now = now or timezone.now()
    outcome = Outcome()
    with transaction.atomic():
        if full:
            TopicText.objects.all().delete()
            Topic.objects.all().delete()
            SourceMark.objects.all().delete()
        marks = {mark.source: mark for mark in SourceMark.objects.select_for_update()}
        # The heat of topics no text touched moves with the clock: redone at the first run
        # of a day (or when a source was never read).
        today = timezone.localdate(now)
        first_of_day = not marks or any(
            m.refreshed_at is None or timezone.localdate(m.refreshed_at) < today for m in marks.values()
        )
        items: dict[str, list[Item]] = defaultdict(list)
        seen: list[tuple[str, int]] = []
        for source in registered():
            if source.stream is None:
                continue
            mark = marks.get(source.key) or SourceMark(source=source.key)
            count = 0
            with outcome.phase("read and analyse"):
                for stamp, pk, message in source.stream(mark.stamp, mark.last_id):
                    mark.stamp, mark.last_id = stamp, pk
                    items[source.side].append(prepare(source.key, source.side, pk, message))
                    seen.append((source.key, pk))
                    count += 1
            mark.refreshed_at = now
            mark.save()
            outcome.by_source[source.key] = count
            outcome.texts += count
        # Texts whose records were hidden or removed since leave their topics first.
        with outcome.phase("withdraw"):
            withdrawn = [] if full else _withdraw()
        # A text read again (its record came back after the mark moved) keeps its topic.
        known = _already_placed(seen)
        touched: list[State] = []
        for side, batch in items.items():
            batch = sorted((i for i in batch if (i.source, i.pk) not in known), key=lambda i: i.order)
            if not batch:
                continue
            with outcome.phase("load topics"):
                clustering = _load(side, batch[0].at - timedelta(days=WINDOW_DAYS))
            with outcome.phase("place"):
                for item in batch:
                    clustering.place(item)
            changed = [state for state in clustering.states.values() if state.touched]
            with outcome.phase("write"):
                outcome.new_topics += _save(side, changed)
            touched.extend(changed)
        outcome.touched_topics = len(touched)
        pks = [state.pk for state in touched if state.pk is not None]
        counts = {
            state.pk: Figures(state.size, state.people, state.support, state.first_at, state.last_at)
            for state in touched
            if state.pk is not None
        }
        with outcome.phase("figures"):
            _update_figures(counts, now, decay=first_of_day, recount=withdrawn)
        pks = sorted(set(pks) | set(withdrawn))
        from huying.insight.emerging import raise_alerts

        # A full recompute records today's alerts again (the topics are new rows) but tells
        # no one: the incremental runs told them already.
        with outcome.phase("alerts"):
            outcome.alerts = raise_alerts(pks, now, notify=notify and not full)
    return outcome


def _item(row: TopicText) -> Item:
    """A stored member as the clustering saw it when it was placed."""
    return Item(
        source=row.source,
        pk=row.object_id,
        side="",
        at=row.at,
        author=row.author,
        support=row.support,
        excerpt=row.excerpt,
        title=row.title,
        terms=row.terms,
        places=frozenset(row.places),
        areas=frozenset(row.areas),
    )


def _withdraw() -> list[int]:
    """Take out of their topics the texts whose records left their source's ``eligible``
    set (hidden by the moderators, removed, withdrawn): each topic they leave is rebuilt
    from its remaining members in the canonical order, as if they had never come, with
    its day counts. A topic left empty keeps its row (drafts link to it) with no texts,
    no state and no heat: it is never ranked nor a candidate again. Returns the topics."""
    gone: list[tuple[int, int]] = []
    for source in registered():
        if source.eligible is None:
            continue
        eligible = source.eligible().values("pk")
        gone += list(
            TopicText.objects.filter(source=source.key).exclude(object_id__in=eligible).values_list("pk", "topic_id")
        )
    if not gone:
        return []
    TopicText.objects.filter(pk__in=[pk for pk, _ in gone]).delete()
    topic_ids = sorted({topic for _, topic in gone})
    for topic in Topic.objects.filter(pk__in=topic_ids).order_by("pk"):
        items = sorted((_item(row) for row in TopicText.objects.filter(topic=topic)), key=lambda i: i.order)
        TopicSnapshot.objects.filter(topic=topic).delete()
        if not items:
            Topic.objects.filter(pk=topic.pk).update(
                centroid={}, places={}, areas={}, keywords=[], place_or_group="", texts=0, people=0, support=0,
                heat=0.0, growth=1.0, trend=Trend.STEADY,
            )  # fmt: skip
            continue
        first = items[0]
        state = State(
            seq=topic.seq,
            centroid={},
            places=Counter(),
            areas=Counter(),
            size=0,
            last_at=first.at,
            first_at=first.at,
            title=first.title,
            title_score=-1.0,
            last_key=first.order,
            pk=topic.pk,
        )
        for item in items:
            state.add(item)
        _topic_row(topic.side, state, topic).save()
        days = Counter(timezone.localdate(item.at) for item in items)
        TopicSnapshot.objects.bulk_create(
            [TopicSnapshot(topic=topic, day=day, count=count) for day, count in sorted(days.items())]
        )
    # The kept counts of the rebuilt topics (a text placed later in this run adds to them).
    for pk, figures in _recount(topic_ids).items():
        Topic.objects.filter(pk=pk).update(texts=figures.texts, people=figures.people, support=figures.support)
    return topic_ids


def _already_placed(seen: list[tuple[str, int]]) -> set[tuple[str, int]]:
    by_source: dict[str, list[int]] = defaultdict(list)
    for source, pk in seen:
        by_source[source].append(pk)
    found: set[tuple[str, int]] = set()
    for source, pks in by_source.items():
        for begin in range(0, len(pks), 5000):
            chunk = pks[begin : begin + 5000]
            found.update(
                (source, pk)
                for pk in TopicText.objects.filter(source=source, object_id__in=chunk).values_list(
                    "object_id", flat=True
                )
            )
    return found


STATE_FIELDS = (
    "centroid",
    "places",
    "areas",
    "title",
    "title_score",
    "first_at",
    "last_at",
    "texts",
    "last_source",
    "last_object",
    "keywords",
    "place_or_group",
)
FIGURE_FIELDS = ("texts", "people", "support", "first_at", "last_at", "heat", "trend", "growth")
SQL_TYPES = {
    "centroid": "jsonb",
    "places": "jsonb",
    "areas": "jsonb",
    "keywords": "jsonb",
    "title": "text",
    "last_source": "text",
    "place_or_group": "text",
    "trend": "text",
    "title_score": "double precision",
    "heat": "double precision",
    "growth": "double precision",
    "first_at": "timestamptz",
    "last_at": "timestamptz",
    "texts": "integer",
    "people": "integer",
    "support": "integer",
    "last_object": "bigint",
}
JSON_FIELDS = frozenset({"centroid", "places", "areas", "keywords"})


def _write(rows: list[Topic], fields: tuple[str, ...]) -> None:
    """Set ``fields`` of existing topics. On PostgreSQL one ``UPDATE … FROM (VALUES …)``
    per 1,000 rows; the ORM's ``bulk_update`` builds a CASE per field and row, which took
    most of a refresh's time at 1,000+ touched topics."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        Topic.objects.bulk_update(rows, list(fields), batch_size=500)
        return
    columns = ", ".join(["id", *fields])
    assignments = ", ".join(f"{name} = v.{name}::{SQL_TYPES[name]}" for name in fields)
    with connection.cursor() as cursor:
        for begin in range(0, len(rows), 1000):
            chunk = rows[begin : begin + 1000]
            values: list[Any] = []
            for row in chunk:
                values.append(row.pk)
                for name in fields:
                    value = getattr(row, name)
                    values.append(json.dumps(value, ensure_ascii=False) if name in JSON_FIELDS else value)
            placeholder = "(" + ", ".join(["%s::bigint"] + ["%s"] * len(fields)) + ")"
            cursor.execute(
                f"UPDATE insight_topic AS t SET {assignments}, updated_at = now() "  # noqa: S608 - constant names, values bound
                f"FROM (VALUES {', '.join([placeholder] * len(chunk))}) AS v({columns}) WHERE t.id = v.id",
                values,
            )


def _save(side: str, states: list[State]) -> int:
    """Write the touched topics, their new members and the day counts; count each
    touched topic's new people (authors it did not have) and support on the way."""
    created = [state for state in states if state.pk is None]
    existing = [state for state in states if state.pk is not None]
    rows = Topic.objects.bulk_create(
        [_topic_row(side, state, Topic()) for state in created],
        batch_size=1000,
    )
    for state, row in zip(created, rows, strict=True):
        state.pk = row.pk
    _write([_topic_row(side, state, Topic(pk=state.pk)) for state in existing], STATE_FIELDS)
    # Authors the existing topics already have (one query per 2,000 topics, by the
    # (topic, author) index) before the new members are written.
    had: set[tuple[int, str]] = set()
    for begin in range(0, len(existing), 2000):
        chunk = existing[begin : begin + 2000]
        authors = sorted({item.author for state in chunk for item in state.members})
        had.update(
            TopicText.objects.filter(topic_id__in=[state.pk for state in chunk], author__in=authors).values_list(
                "topic_id", "author"
            )
        )
    for state in states:
        assert state.pk is not None
        state.people += len({item.author for item in state.members if (state.pk, item.author) not in had})
        state.support += sum(item.support for item in state.members)
    members = [
        TopicText(
            topic_id=state.pk or 0,
            source=item.source,
            object_id=item.pk,
            at=item.at,
            author=item.author,
            support=item.support,
            excerpt=item.excerpt,
            terms={t: round(w, 4) for t, w in item.terms.items()},
            title=item.title[:200],
            places=sorted(item.places),
            areas=sorted(item.areas),
        )
        for state in states
        for item in state.members
    ]
    TopicText.objects.bulk_create(members, batch_size=2000)
    days: Counter[tuple[int, date]] = Counter()
    for state in states:
        for item in state.members:
            assert state.pk is not None
            days[(state.pk, timezone.localdate(item.at))] += 1
    if days:
        topic_ids = sorted({pk for pk, _ in days})
        old: dict[tuple[int, date], int] = {}
        for begin in range(0, len(topic_ids), 2000):
            for pk, day, count in TopicSnapshot.objects.filter(
                topic_id__in=topic_ids[begin : begin + 2000], day__in=sorted({d for _, d in days})
            ).values_list("topic_id", "day", "count"):
                old[(pk, day)] = count
        TopicSnapshot.objects.bulk_create(
            [
                TopicSnapshot(topic_id=pk, day=day, count=old.get((pk, day), 0) + count)
                for (pk, day), count in sorted(days.items())
            ],
            update_conflicts=True,
            unique_fields=["topic", "day"],
            update_fields=["count"],
            batch_size=2000,
        )
    return len(created)


def _topic_row(side: str, state: State, row: Topic) -> Topic:
    row.side = side
    row.seq = state.seq
    row.centroid = state.centroid
    row.places = dict(state.places)
    row.areas = dict(state.areas)
    row.title = state.title[:200]
    row.title_score = state.title_score
    row.last_source, row.last_object = state.last_key[1], state.last_key[2]
    row.first_at = state.first_at
    row.last_at = state.last_at
    row.texts = state.size
    row.keywords = keywords(state.centroid, set(state.places) | set(state.areas))
    row.place_or_group = label(state.places, state.size) or label(state.areas, state.size)
    row.texts = state.size
    return row


def keywords(centroid: dict[str, float], place_keys: set[str]) -> list[str]:
    return [
        term
        for term in centroid
        if not term.startswith("#")
        and term not in STOP_WORDS
        and len(term) > 1
        and not ADMIN_TOKEN.match(term)
        and not any(term in key for key in place_keys)
    ][:5]


def label(counts: Counter[str] | dict[str, int], size: int) -> str:
    """The place or group most members name (at least two and a quarter of them)."""
    if not counts:
        return ""
    key, count = max(counts.items(), key=lambda kv: (kv[1], len(kv[0]), kv[0]))
    if size > 1 and count < max(2, math.ceil(size * 0.25)):
        return ""
    return key[:100]


@dataclass(frozen=True)
class Figures:
    texts: int
    people: int
    support: int
    first: datetime | None
    last: datetime | None


def _recount(ids: list[int]) -> dict[int, Figures]:
    """The figures of topics from their members (after texts left them)."""
    return {
        row["topic_id"]: Figures(row["n"], row["people"], int(row["support"] or 0), row["first"], row["last"])
        for row in TopicText.objects.filter(topic_id__in=ids)
        .values("topic_id")
        .annotate(
            n=Count("pk"),
            people=Count("author", distinct=True),
            support=Sum("support"),
            first=Min("at"),
            last=Max("at"),
        )
    }


def _update_figures(
    touched: dict[int, Figures], now: datetime, *, decay: bool = False, recount: Iterable[int] = ()
) -> None:
    """Heat, trend and growth of the touched topics (their counts kept up by the refresh:
    ``touched``), of the topics texts left (``recount``: counted again from their members)
    and (``decay``) of the ranked topics still in the window, whose recency and trend move
    with the clock (their stored counts stand). Only the day counts of the last 120 days are
    read for them: no topic's members are aggregated again."""
    again = set(recount) - set(touched)
    wanted = set(touched) | again
    if decay:
        window = now - timedelta(days=RECENT_DAYS + BASELINE_DAYS)
        decaying = Topic.objects.filter(last_at__gte=window).filter(Q(people__gte=2) | Q(support__gte=20))
        wanted |= set(decaying.values_list("pk", flat=True))
    ids = sorted(wanted)
    today = timezone.localdate(now)
    recent_start = today - timedelta(days=RECENT_DAYS)
    baseline_start = recent_start - timedelta(days=BASELINE_DAYS)
    for begin in range(0, len(ids), 2000):
        chunk = ids[begin : begin + 2000]
        figures = {pk: touched[pk] for pk in chunk if pk in touched}
        figures.update(_recount([pk for pk in chunk if pk in again]))
        stored = [pk for pk in chunk if pk not in touched and pk not in again]
        for pk, texts, people, support, first, last in Topic.objects.filter(pk__in=stored).values_list(
            "pk", "texts", "people", "support", "first_at", "last_at"
        ):
            figures[pk] = Figures(texts, people, support, first, last)
        windows = {
            row["topic_id"]: row
            for row in TopicSnapshot.objects.filter(topic_id__in=chunk, day__gt=baseline_start)
            .values("topic_id")
            .annotate(
                recent=Sum("count", filter=Q(day__gt=recent_start)),
                baseline=Sum("count", filter=Q(day__lte=recent_start)),
            )
        }
        rows = []
        for pk in chunk:
            got = figures.get(pk)
            if got is None or not got.texts or got.last is None:
                continue  # a topic all of whose texts left: _withdraw emptied it
            span = windows.get(pk) or {}
            rows.append(_figures(pk, got, int(span.get("recent") or 0), int(span.get("baseline") or 0), now))
        _write(rows, FIGURE_FIELDS)


def _figures(pk: int, got: Figures, recent: int, baseline: int, now: datetime) -> Topic:
    """The engine's heat (docs/insight.md, Method 8) from the stored counts."""
    people, texts, support = got.people, got.texts, got.support
    age = max(0.0, (now - (got.last or now)).total_seconds() / 86400)
    recency = 0.6 + 0.4 * math.pow(0.5, age / HALF_LIFE_DAYS)
    expected = baseline * RECENT_DAYS / BASELINE_DAYS
    growth = (recent + 1) / (expected + 1)
    earlier = texts - recent
    trend = Trend.STEADY
    if recent >= 3 and earlier == 0:
        trend = Trend.NEW
    elif recent >= 3 and growth >= 2:
        trend = Trend.RISING
    elif (recent == 0 and baseline > 0) or (expected >= 2 and growth <= 0.5):
        trend = Trend.FALLING
    bonus = 1.0 + 0.15 * min(3.0, math.log2(growth)) if growth > 1 else 1.0
    raised = people + 0.25 * (texts - people)
    heat = (raised + 1.5 * math.log1p(support)) * recency * bonus
    return Topic(
        pk=pk,
        texts=texts,
        people=people,
        support=support,
        first_at=got.first,
        last_at=got.last,
        heat=round(heat, 2),
        trend=trend,
        growth=round(growth, 2),
    )


SIDES = tuple(Side.values)
