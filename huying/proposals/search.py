"""Full-text search over proposals that works for Chinese, on SQLite and PostgreSQL.

Chinese has no spaces between words, so neither engine's own tokenizer finds the words of
a Chinese text. We segment in Python with jieba (``rjieba``, the Rust port: same
dictionary, same words, much faster) and give the engines space-separated words:

- **Index.** Each proposal has one :class:`~huying.proposals.models_search.ProposalSearch`
  row: the words of the title and the words of the case summary and body (plus the titles
  of proposals merged into it), segmented in jieba's *search mode*, which also emits the
  shorter words inside a long one (医疗保障 → 医疗, 保障, 医疗保障). SQLite indexes them
  in an FTS5 table, PostgreSQL in a ``tsvector`` (``simple`` configuration, GIN index).
  The actions that write proposal text keep the row in step (:func:`index_proposal`);
  ``manage.py proposals_reindex`` rebuilds everything.
- **Query.** The query is segmented in precise mode; every word must occur (AND). A word
  that jieba keeps whole but that a text may split (垃圾处理 in 生活垃圾分类处理) also
  matches as its parts: ``垃圾处理 OR (垃圾 AND 处理)``.
- **Fallback.** A proposal whose title contains the query as typed also matches (names
  and new words jieba does not know, half-typed words).
- **Order.** Proposals matched by words first, then title matches, then by the engine's
  relevance: ``bm25`` (SQLite, title words weigh 5× body words) or ``ts_rank``
  (PostgreSQL, title weight A = 1.0, body weight D = 0.1); newest first on ties.

:func:`search` filters and orders a queryset the caller passes in, so visibility
(``Proposal.objects.visible_to(user)``) is kept: pass the visible queryset.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connections
from django.db.models import Case, F, FloatField, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import Expression, RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from huying.proposals.choices import ProposalStatus
from huying.proposals.models import Proposal, ProposalSearch

try:  # jieba-rs: the same dictionary and algorithm as jieba, about twenty times faster.
    import rjieba

    def _cut(text: str) -> list[str]:
        return list(rjieba.cut(text))

    def _cut_for_search(text: str) -> list[str]:
        return list(rjieba.cut_for_search(text))

except ImportError:  # pragma: no cover - the pure Python jieba gives the same words
    import jieba

    jieba.setLogLevel(logging.WARNING)

    def _cut(text: str) -> list[str]:
        return jieba.lcut(text)

    def _cut_for_search(text: str) -> list[str]:
        return jieba.lcut_for_search(text)


# Function words and the boilerplate of every proposal title (关于…的建议): they occur in
# almost every proposal and only slow the engines down.
# fmt: off
STOPWORDS = frozenset([
    "的", "了", "和", "与", "及", "或", "等", "在", "是", "对", "为", "把", "被", "将", "从", "以",
    "于", "之", "其", "并", "而", "也", "就", "都", "中", "上", "下", "个", "这", "那", "有", "我",
    "关于", "建议", "提案", "我们", "进一步", "有关", "相关", "一些", "一个", "以及", "通过", "进行",
])
# fmt: on
MAX_QUERY_LENGTH = 100
MAX_QUERY_WORDS = 12
BATCH_SIZE = 500

_WORD_RE = re.compile(r"[^\W_]+")
_SPACES_RE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Full-width forms to half-width (NFKC), lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def _clean(tokens: Iterable[str]) -> list[str]:
    words: list[str] = []
    for token in tokens:
        for part in _WORD_RE.findall(token):
            if part not in STOPWORDS:
                words.append(part)
    return words


def index_words(text: str) -> list[str]:
    """The words of ``text`` as indexed: jieba's search mode, punctuation and stop words
    dropped. 关于完善城乡居民医疗保障制度的建议 → 完善 城乡 乡居 居民 城乡居民 医疗 保障
    医疗保障 制度."""
    return _clean(_cut_for_search(normalise(text)))


def _partition(word: str) -> list[str] | None:
    """``word`` split into shorter dictionary words that cover it exactly (垃圾处理 → 垃圾,
    处理), or None when there is no such split (粤港澳 → 粤港/港澳 overlap)."""
    parts = {w for w in _cut_for_search(word) if w != word and len(w) > 1}
    if not parts:
        return None
    best: list[list[str] | None] = [None] * (len(word) + 1)
    best[0] = []
    for end in range(1, len(word) + 1):
        for start in range(end):
            prefix = best[start]
            if prefix is not None and word[start:end] in parts:
                candidate = [*prefix, word[start:end]]
                current = best[end]
                if current is None or len(candidate) < len(current):
                    best[end] = candidate
    return best[len(word)]


def query_terms(q: str) -> list[tuple[str, list[str] | None]]:
    """The query's words (precise mode, stop words dropped, duplicates removed), each with
    its split into parts if it has one."""
    seen: set[str] = set()
    terms: list[tuple[str, list[str] | None]] = []
    for word in _clean(_cut(normalise(q))):
        if word in seen:
            continue
        seen.add(word)
        terms.append((word, _partition(word)))
        if len(terms) == MAX_QUERY_WORDS:
            break
    return terms


def fts5_query(terms: Sequence[tuple[str, list[str] | None]]) -> str:
    """``"生活" AND ("垃圾处理" OR ("垃圾" AND "处理"))``. Words contain only letters and
    digits, so quoting cannot be broken out of."""

    def quoted(word: str) -> str:
        return '"' + word.replace('"', '""') + '"'

    clauses = []
    for word, parts in terms:
        if parts:
            clauses.append(f"({quoted(word)} OR ({' AND '.join(quoted(p) for p in parts)}))")
        else:
            clauses.append(quoted(word))
    return " AND ".join(clauses)


def tsquery(terms: Sequence[tuple[str, list[str] | None]]) -> str:
    """``'生活' & ('垃圾处理' | ('垃圾' & '处理'))`` for ``to_tsquery('simple', …)``."""

    def quoted(word: str) -> str:
        return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"

    clauses = []
    for word, parts in terms:
        if parts:
            clauses.append(f"({quoted(word)} | ({' & '.join(quoted(p) for p in parts)}))")
        else:
            clauses.append(quoted(word))
    return " & ".join(clauses)


def clean_query(q: str | None) -> str:
    return _SPACES_RE.sub(" ", unicodedata.normalize("NFKC", q or "")).strip()[:MAX_QUERY_LENGTH]


_FTS_IDS_SQL = "SELECT rowid FROM proposals_search_fts WHERE proposals_search_fts MATCH %s"
# bm25 column weights: title_words 5.0, body_words 1.0.
_BM25_SQL = (
    "COALESCE((SELECT h.score FROM ("
    "WITH h0 AS MATERIALIZED (SELECT rowid AS id, -bm25(proposals_search_fts, 5.0, 1.0) AS score "
    "FROM proposals_search_fts WHERE proposals_search_fts MATCH %s) SELECT id, score FROM h0"
    ") AS h WHERE h.id = {pk}), 0.0)"
)


class Bm25Rank(Expression):
    """SQLite: ``-bm25()`` of the proposal in the FTS5 index for ``match`` (0 when it does
    not match). The FTS5 query runs once per statement (a materialised CTE, looked up
    through an automatic index), not once per row: bm25 computes its statistics over the
    whole match set each time it runs."""

    output_field = FloatField()

    def __init__(self, pk: Any, match: str) -> None:
        super().__init__()
        self.pk = pk
        self.match = match

    def get_source_expressions(self) -> list[Any]:
        return [self.pk]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.pk,) = exprs

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple[Any, ...]]:
        pk_sql, pk_params = compiler.compile(self.pk)
        # pk_sql is the compiled primary-key column; the query text is a parameter.
        sql = _BM25_SQL.replace("{pk}", pk_sql)
        return sql, (self.match, *pk_params)


_QS = TypeVar("_QS", bound=QuerySet[Proposal])


def search(queryset: _QS, q: str | None) -> _QS:
    """``queryset`` narrowed to the proposals matching ``q`` and ordered by relevance (see
    the module docstring). An empty query returns ``queryset`` unchanged. Annotates
    ``search_words`` (1 = matched by words), ``search_title_hit`` (1 = the title contains
    the query) and ``search_rank``."""
    text = clean_query(q)
    if not text:
        return queryset
    terms = query_terms(text)
    title_hit = Q(title__icontains=text)
    condition = title_hit
    words: Q | None = None
    rank: Any = Value(0.0)
    vendor = connections[queryset.db].vendor
    if terms and vendor == "postgresql":
        query = SearchQuery(tsquery(terms), config="simple", search_type="raw")
        condition |= Q(pk__in=ProposalSearch.objects.filter(document=query).values("proposal_id"))
        words = Q(search_doc__document=query)
        rank = Coalesce(SearchRank(F("search_doc__document"), query), Value(0.0))
    elif terms and vendor == "sqlite":
        match = fts5_query(terms)
        words = Q(pk__in=RawSQL(_FTS_IDS_SQL, (match,)))  # noqa: S611 - constant SQL, the query is a parameter
        condition |= words
        rank = Bm25Rank(F("pk"), match)
    elif terms:  # another engine: every word somewhere in the title or the case summary
        words = Q()
        for word, _parts in terms:
            words &= Q(title__icontains=word) | Q(summary__icontains=word)
        condition |= words
    return (
        queryset.filter(condition)
        .annotate(
            search_words=_flag(words),
            search_title_hit=_flag(title_hit),
            search_rank=rank,
        )
        .order_by("-search_words", "-search_title_hit", "-search_rank", "-pk")
    )


def _flag(condition: Q | None) -> Any:
    if condition is None:
        return Value(0, output_field=IntegerField())
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


# --- keeping the index in step ----------------------------------------------------------------
def _row(proposal: Proposal, merged_titles: Iterable[str] = ()) -> ProposalSearch:
    body = "\n".join([proposal.summary, proposal.situation, proposal.analysis, proposal.suggestions, *merged_titles])
    return ProposalSearch(
        proposal_id=proposal.pk,
        title_words=" ".join(index_words(proposal.title)),
        body_words=" ".join(index_words(body)),
        indexed_at=timezone.now(),
    )


def _merged_titles(ids: Sequence[int]) -> dict[int, list[str]]:
    titles: dict[int, list[str]] = {}
    rows = Proposal.objects.filter(merged_into_id__in=ids, status=ProposalStatus.MERGED).values_list(
        "merged_into_id", "title"
    )
    for target, title in rows.order_by("pk"):
        titles.setdefault(target, []).append(title)
    return titles


def _upsert(rows: list[ProposalSearch]) -> None:
    ProposalSearch.objects.bulk_create(
        rows,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["proposal"],
        update_fields=["title_words", "body_words", "indexed_at"],
    )


def index_proposal(proposal: Proposal) -> None:
    """(Re)write the search document of one proposal. Called by the actions that change a
    proposal's text (drafts) or what its document includes (submission, merging), inside
    their transaction. Two queries."""
    _upsert([_row(proposal, _merged_titles([proposal.pk]).get(proposal.pk, ()))])


def index_proposals(proposals: Iterable[Proposal]) -> int:
    """(Re)write the documents of many proposals, ``BATCH_SIZE`` at a time."""
    count = 0
    batch: list[Proposal] = []

    def flush() -> None:
        merged = _merged_titles([p.pk for p in batch])
        _upsert([_row(p, merged.get(p.pk, ())) for p in batch])

    for proposal in proposals:
        batch.append(proposal)
        if len(batch) == BATCH_SIZE:
            flush()
            count += len(batch)
            batch = []
    if batch:
        flush()
        count += len(batch)
    return count


def reindex(queryset: QuerySet[Proposal] | None = None) -> int:
    """Rebuild the index of ``queryset`` (default: every proposal): documents of deleted
    proposals go with them (cascade), documents are rewritten in batches, then the engine's
    index is rebuilt or analysed. Returns the number of proposals indexed."""
    from huying.proposals import search_sql

    qs = queryset if queryset is not None else Proposal.objects.all()
    connection = connections[qs.db]
    if not search_sql.is_installed(connection):
        search_sql.install(connection)
    fields = ("id", "title", "summary", "situation", "analysis", "suggestions")
    count = index_proposals(qs.only(*fields).order_by("pk").iterator(chunk_size=BATCH_SIZE * 4))
    search_sql.rebuild(connection)
    return count
