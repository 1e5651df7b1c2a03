"""Clustering same-issue messages into topics and scoring their heat.

1. Each message is normalised, segmented and read for places and groups (``text.py``).
2. Two TF-IDF views — topic words (the subject counted twice, places and groups as extra
   terms) and character 2-3-grams of the subject and the text's opening — are stacked into
   one L2-normalised vector, robust both to jieba's mistakes and to reworded texts.
3. Candidate pairs come from a sparse product in row blocks (cosine similarity). A pair
   is linked when its similarity clears a threshold that depends on what the two name:
   low when they share a place or group, high when they name different ones, in between
   when one or both name none. Links are taken strongest first and two clusters merge only
   when their places agree, so same-issue messages about different compounds stay apart
   and no chain of weak links grows one giant cluster.
4. Heat = distinct people + damped support, times recency and growth; best first.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from huying.insight.topics.message import Message
from huying.insight.topics.text import (
    ADMIN_TOKEN,
    GROUP_WORDS,
    STOP_WORDS,
    WEAK_KINDS,
    Analysed,
    Entity,
    analyse,
    normalise,
)


@dataclass(frozen=True)
class Parameters:
    link: float = 0.50  # similarity that links two messages naming no common place
    link_same_place: float = 0.15  # ... when they share a place or group
    link_same_area: float = 0.36  # ... when they share only a road, street or village
    link_other_place: float = 1.1  # ... when each names places and none is shared (above 1: never)
    cohesion: float = 0.20  # mean pairwise similarity two clusters need to merge ...
    cohesion_same_place: float = 0.12  # ... when they are about the same place or group
    candidate: float = 0.18  # pairs below this are never looked at
    common_place_share: float = 0.15  # a place named by more messages than this is weak
    neighbours: int = 30  # strongest neighbours kept per message
    support_weight: float = 1.5  # heat per log(1 + net likes)
    recent_days: int = 30  # the trend's recent window ...
    baseline_days: int = 90  # ... against this many days before it
    half_life_days: float = 90.0
    min_people: int = 2  # a topic needs this many people to be ranked among topics ...
    min_support: int = 20  # ... or this much net support (one message with 2,000 likes)


@dataclass
class Topic:
    rank: int
    heat: float
    description: str
    title: str
    keywords: list[str]
    place_or_group: str
    first: datetime | None
    last: datetime | None
    trend: str  # new, rising, steady, falling
    growth: float
    people: int
    support: int
    member_ids: list[str] = field(default_factory=list)

    @property
    def time_range(self) -> str:
        if self.first is None or self.last is None:
            return ""
        return f"{self.first:%Y-%m-%d} 至 {self.last:%Y-%m-%d}"


class _Clusters:
    """Union-find that keeps each cluster's places so incompatible clusters never merge."""

    def __init__(self, places: list[frozenset[str]], matrix: sparse.csr_matrix) -> None:
        self.parent = list(range(len(places)))
        self.places: list[Counter[str]] = [Counter(p) for p in places]
        self.size = [1] * len(places)
        self.matrix = matrix
        # Each cluster's summed vector as sorted unique column indices and their values.
        self.vectors: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def vector(self, root: int) -> tuple[np.ndarray, np.ndarray]:
        found = self.vectors.get(root)
        if found is None:
            begin, end = self.matrix.indptr[root], self.matrix.indptr[root + 1]
            indices = self.matrix.indices[begin:end]
            order = np.argsort(indices)
            found = (indices[order], self.matrix.data[begin:end][order].astype(np.float64))
            self.vectors[root] = found
        return found

    def dot(self, a: int, b: int) -> float:
        (ia, va), (ib, vb) = self.vector(a), self.vector(b)
        _, at_a, at_b = np.intersect1d(ia, ib, assume_unique=True, return_indices=True)
        return float(np.dot(va[at_a], vb[at_b]))

    def cohesion(self, a: int, b: int, similarity: float) -> float:
        """Mean similarity over all pairs across the two clusters (average linkage).

        Rows are unit vectors, so the dot product of the two summed vectors is the sum of
        the pairwise similarities. Unlike a centroid test, this does not let a big, loose
        cluster keep absorbing "average" messages.
        """
        if self.size[a] == 1 and self.size[b] == 1:
            return similarity
        return self.dot(a, b) / (self.size[a] * self.size[b])

    def find(self, item: int) -> int:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def dominant(self, root: int) -> set[str]:
        counts = self.places[root]
        if not counts:
            return set()
        top = max(counts.values())
        floor = max(1, top * 0.34, self.size[root] * 0.2)
        return {key for key, count in counts.items() if count >= floor}

    def union(self, a: int, b: int) -> None:
        if self.size[a] < self.size[b]:
            a, b = b, a
        self.parent[b] = a
        (ia, va), (ib, vb) = self.vector(a), self.vector(b)
        del self.vectors[b]
        merged, where = np.unique(np.concatenate([ia, ib]), return_inverse=True)
        self.vectors[a] = (merged, np.bincount(where, weights=np.concatenate([va, vb]), minlength=merged.size))
        self.size[a] += self.size[b]
        self.places[a].update(self.places[b])
        self.places[b] = Counter()


def _match(a: Iterable[str], b: Iterable[str]) -> bool:
    """Whether two sets of place keys name one place (伊景园滨河苑 ~ 滨河苑)."""
    for x in a:
        for y in b:
            if x == y or (min(len(x), len(y)) >= 3 and (x in y or y in x)):
                return True
    return False


def _mentions(docs: list[Analysed], subjects: list[str], texts: list[str], place_df: Counter[str]) -> None:
    """Add the names other messages introduced (鑫利贷受害人, 锦绣华庭小区) where a text
    mentions them bare (我在鑫利贷投了二十万, 锦绣华庭这边)."""
    known: dict[str, Entity] = {}
    for doc in docs:
        for entity in doc.entities:
            if entity.kind not in WEAK_KINDS and place_df[entity.key] >= 2 and len(entity.key) >= 3:
                known.setdefault(entity.key, entity)
    if not known:
        return
    pattern = re.compile("|".join(re.escape(key) for key in sorted(known, key=len, reverse=True)))
    for doc, subject, text in zip(docs, subjects, texts, strict=True):
        have = {entity.key for entity in doc.entities}
        for found in set(pattern.findall(subject + " " + text)):
            if found not in have and not any(found in key for key in have):
                entity = known[found]
                doc.entities.append(Entity(key=entity.key, label=entity.key, kind=entity.kind))
                have.add(found)


def _fit(documents: list[Any], **options: Any) -> sparse.csr_matrix:
    try:
        return TfidfVectorizer(**options).fit_transform(documents)
    except ValueError:  # no term left (empty or one-word texts)
        return sparse.csr_matrix((len(documents), 1), dtype=np.float32)


def _features(docs: list[Analysed], subjects: list[str], texts: list[str]) -> sparse.csr_matrix:
    """Vectors of what a message is about, without the places it names.

    Places are left out on purpose: the clustering weighs them separately, so two
    messages about one compound but different problems do not look alike.
    """
    word_docs = []
    short = []
    for doc, subject, text in zip(docs, subjects, texts, strict=True):
        names = sorted({e.key for e in doc.entities} | {e.label for e in doc.entities}, key=len, reverse=True)

        def named(word: str, names: list[str] = names) -> bool:
            return any(word in name for name in names)

        terms = [word for word in doc.words if not named(word)]
        if subject:
            terms += [word for word in analyse(subject).words if not named(word)]  # the subject counts twice
        word_docs.append(terms)
        opening = (subject + " " + text)[:160]
        for name in names:
            opening = opening.replace(name, " ")
        short.append(opening)
    small = len(word_docs) < 30  # too few texts for document-frequency cut-offs
    words = _fit(
        word_docs,
        analyzer=lambda terms: terms,
        sublinear_tf=True,
        min_df=1,
        max_df=1.0 if small else 0.3,
        dtype=np.float32,
    )
    chars = _fit(
        short,
        analyzer="char",
        ngram_range=(2, 3),
        sublinear_tf=True,
        min_df=1 if small else 2,
        max_df=1.0 if small else 0.2,
        dtype=np.float32,
    )
    stacked = sparse.hstack([normalize(words) * 0.8, normalize(chars) * 0.6]).tocsr()
    return normalize(stacked)


def _candidate_pairs(matrix: sparse.csr_matrix, parameters: Parameters) -> list[tuple[float, int, int]]:
    pairs: list[tuple[float, int, int]] = []
    count = matrix.shape[0]
    transposed = matrix.T.tocsc()
    block = 400
    keep = parameters.neighbours
    for begin in range(0, count, block):
        end = min(count, begin + block)
        dense = (matrix[begin:end] @ transposed).toarray()
        for row in range(end - begin):
            item = begin + row
            dense[row, : item + 1] = 0.0  # each pair once, never with itself
            values = dense[row]
            hits = np.flatnonzero(values >= parameters.candidate)
            if hits.size > keep:
                hits = hits[np.argpartition(values[hits], -keep)[-keep:]]
            pairs.extend((float(values[other]), item, int(other)) for other in hits)
    pairs.sort(reverse=True)
    return pairs


def _cluster(
    matrix: sparse.csr_matrix,
    places: list[frozenset[str]],
    areas: list[frozenset[str]],
    parameters: Parameters,
) -> list[list[int]]:
    clusters = _Clusters(places, matrix)
    refused: dict[tuple[int, int], tuple[int, int]] = {}
    for similarity, a, b in _candidate_pairs(matrix, parameters):
        root_a, root_b = clusters.find(a), clusters.find(b)
        if root_a == root_b:
            continue
        own_a, own_b = places[a], places[b]
        if own_a and own_b and _match(own_a, own_b):
            needed = parameters.link_same_place
        elif areas[a] & areas[b]:
            needed = parameters.link_same_area
        elif own_a and own_b:
            needed = parameters.link_other_place
        else:
            needed = parameters.link
        if similarity < needed:
            continue
        dom_a, dom_b = clusters.dominant(root_a), clusters.dominant(root_b)
        same_place = bool(dom_a and dom_b and _match(dom_a, dom_b))
        if dom_a and dom_b and not same_place and similarity < parameters.link_other_place:
            continue
        # Average linkage on top of the strongest link: no chain of weak links grows a
        # giant cluster of loosely related messages.
        floor = parameters.cohesion_same_place if same_place else parameters.cohesion
        pair = (min(root_a, root_b), max(root_a, root_b))
        sizes = (clusters.size[pair[0]], clusters.size[pair[1]])
        if refused.get(pair) == sizes:  # the same two clusters, already found apart
            continue
        if clusters.cohesion(root_a, root_b, similarity) < floor:
            refused[pair] = sizes
            continue
        clusters.union(root_a, root_b)
    groups: dict[int, list[int]] = {}
    for item in range(len(places)):
        groups.setdefault(clusters.find(item), []).append(item)
    return list(groups.values())


def _label(members: list[int], entities: list[list[Entity]], places: list[frozenset[str]]) -> str:
    keys: Counter[str] = Counter()
    labels: dict[str, Counter[str]] = {}
    for item in members:
        for entity in entities[item]:
            if entity.key in places[item]:
                keys[entity.key] += 1
                labels.setdefault(entity.key, Counter())[entity.label] += 1
    if not keys:
        return ""
    threshold = max(2, math.ceil(len(members) * 0.25)) if len(members) > 1 else 1
    chosen = [key for key, count in keys.most_common() if count >= threshold][:2]
    if len(chosen) == 2 and keys[chosen[1]] < 0.4 * len(members):
        chosen = chosen[:1]
    if not chosen:
        return ""
    # A longer variant of the chosen name said often enough is the more precise one.
    shown: list[str] = []
    for key in chosen:
        longer = [other for other in keys if other != key and key in other and keys[other] * 3 >= keys[key]]
        best = max(longer, key=lambda other: keys[other]) if longer else key
        if any(best in done or done in best for done in shown):
            continue
        shown.append(labels[best].most_common(1)[0][0])
    return "、".join(shown)


def _focus(members: list[int], places: list[frozenset[str]]) -> float:
    """1 for a topic about one place (or none); less when its messages name many places.

    Many people raising one kind of problem each about their own compound is a category,
    not a hot issue: it is ranked down by the share of the most named place.
    """
    naming = [places[item] for item in members if places[item]]
    if len(naming) < 3 or len(naming) < 0.3 * len(members):
        return 1.0
    counts: Counter[str] = Counter(key for keys in naming for key in keys)
    top = counts.most_common(1)[0][0]
    share = sum(1 for keys in naming if _match({top}, keys)) / len(naming)
    return 1.0 if share >= 0.5 else max(0.05, share)


def _crowd(counts: Counter[str], members: list[int]) -> str:
    """The group most of a place-less topic's messages speak for (毕业生, 车主), if any."""
    if len(members) < 2:
        return ""
    found = [
        (counts[word], word)
        for word in GROUP_WORDS
        if word not in ("居民", "业主", "老人") and counts[word] * 2 >= len(members)
    ]
    return max(found)[1] if found else ""


def _title(subject: str, text: str) -> str:
    source = subject.strip() or text
    for opening in ("您好", "你好", "尊敬的领导", "领导", "各位领导"):
        source = source.removeprefix(opening).lstrip("！!，,。: ：")
    first = source
    for mark in "。！？!?\n":
        head = first.split(mark)[0]
        if len(head) >= 8:
            first = head
    first = first.strip()
    return first[:60] + ("…" if len(first) > 60 else "")


def find_topics(
    messages: Sequence[Message], parameters: Parameters | None = None, *, now: datetime | None = None
) -> list[Topic]:
    """Topics of ``messages``, best first (those raised by fewer than ``min_people`` and
    with less than ``min_support`` last)."""
    parameters = parameters or Parameters()
    if not messages:
        return []
    texts = [normalise(message.text) for message in messages]
    subjects = [normalise(message.subject) for message in messages]
    docs = [analyse(f"{subject}。{text}" if subject else text) for subject, text in zip(subjects, texts, strict=True)]
    entities = [doc.entities for doc in docs]
    place_df: Counter[str] = Counter(entity.key for doc in docs for entity in doc.entities)
    _mentions(docs, subjects, texts, place_df)
    place_df = Counter(entity.key for doc in docs for entity in doc.entities)
    # A place named by a large share of all messages (the city's one big hospital, a
    # district) says little about the issue: it counts only as an area.
    limit = max(50, parameters.common_place_share * len(messages))
    named = [doc.entities for doc in docs]
    places = [
        frozenset(e.key for e in found if e.kind not in WEAK_KINDS and place_df[e.key] <= limit) for found in named
    ]
    areas = [frozenset(e.key for e in found if e.kind in WEAK_KINDS or place_df[e.key] > limit) for found in named]

    matrix = _features(docs, subjects, texts)
    groups = _cluster(matrix, places, areas, parameters)

    times = [message.time for message in messages if message.time is not None]
    reference = now or (max(times) if times else None)
    topics = []
    for members in groups:
        topics.append(
            _topic(members, messages, texts, subjects, docs, entities, places, areas, matrix, reference, parameters)
        )

    def ranked(topic: Topic) -> bool:
        return topic.people >= parameters.min_people or topic.support >= parameters.min_support

    topics.sort(key=lambda topic: (ranked(topic), topic.heat, topic.people), reverse=True)
    for rank, topic in enumerate(topics, start=1):
        topic.rank = rank
    return topics


def _topic(
    members: list[int],
    messages: Sequence[Message],
    texts: list[str],
    subjects: list[str],
    docs: list[Analysed],
    entities: list[list[Entity]],
    places: list[frozenset[str]],
    areas: list[frozenset[str]],
    matrix: sparse.csr_matrix,
    reference: datetime | None,
    parameters: Parameters,
) -> Topic:
    chosen = [messages[item] for item in members]
    authors = {message.author for message in chosen if message.author}
    unnamed = {texts[item][:80] for item in members if not messages[item].author}
    people = len(authors) + len(unnamed)
    support = sum(max(0, m.likes - m.dislikes) + max(0, m.extra) for m in chosen)
    times = sorted(m.time for m in chosen if m.time is not None)
    first = times[0] if times else None
    last = times[-1] if times else None

    recency = 1.0
    growth = 1.0
    trend = "steady"
    if reference is not None and times:
        age = max(0.0, (reference - times[-1]).total_seconds() / 86400)
        recency = 0.6 + 0.4 * math.pow(0.5, age / parameters.half_life_days)
        recent_start = reference - timedelta(days=parameters.recent_days)
        baseline_start = recent_start - timedelta(days=parameters.baseline_days)
        recent = sum(1 for t in times if t > recent_start)
        baseline = sum(1 for t in times if baseline_start < t <= recent_start)
        expected = baseline * parameters.recent_days / parameters.baseline_days
        growth = (recent + 1) / (expected + 1)
        earlier = sum(1 for t in times if t <= recent_start)
        if recent >= 3 and earlier == 0:
            trend = "new"
        elif recent >= 3 and growth >= 2:
            trend = "rising"
        elif (recent == 0 and baseline > 0) or (expected >= 2 and growth <= 0.5):
            trend = "falling"
    growth_bonus = 1.0 + 0.15 * min(3.0, math.log2(growth)) if growth > 1 else 1.0
    # Both the named compounds, schools, companies and groups and the roads and streets:
    # the same complaint about the water company from every street is a category.
    focus = min(_focus(members, places), _focus(members, areas))
    repeats = len(members) - people  # the same text again, or the same author again
    raised = people + 0.25 * repeats
    heat = (raised + parameters.support_weight * math.log1p(support)) * recency * growth_bonus * focus

    # The representative: the member closest to the others (the medoid).
    if len(members) > 1:
        block = matrix[members]
        centrality = np.asarray(block @ block.sum(axis=0).T).ravel()
        representative = members[int(np.argmax(centrality))]
    else:
        representative = members[0]
    title = _title(subjects[representative], texts[representative])
    place_keys = {key for item in members for key in places[item] | areas[item]}
    counts: Counter[str] = Counter()
    for item in members:
        counts.update(set(docs[item].words))
    keywords = [
        word
        for word, count in counts.most_common(40)
        if word not in STOP_WORDS
        and not word.startswith("#")
        and not ADMIN_TOKEN.match(word)
        and not any(word in key for key in place_keys)
        and len(word) > 1
    ][:5]
    if len(members) == 1:
        keywords = keywords[:3]
    description = title
    if keywords:
        description += "（" + "、".join(keywords) + "）"
    ordered = sorted(members, key=lambda item: (messages[item].time or datetime.min, item))
    return Topic(
        rank=0,
        heat=round(heat, 2),
        description=description,
        title=title,
        keywords=keywords,
        place_or_group=_label(members, entities, places) or _label(members, entities, areas) or _crowd(counts, members),
        first=first,
        last=last,
        trend=trend,
        growth=round(growth, 2),
        people=people,
        support=support,
        member_ids=[messages[item].id for item in ordered],
    )
