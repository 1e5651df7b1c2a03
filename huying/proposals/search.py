"""Full-text search over proposals that works for Chinese, on SQLite and PostgreSQL.

Chinese has no spaces between words, so neither engine's own tokenizer finds the words of
a Chinese text. We segment in Python with jieba (``rjieba``, the Rust port: same
dictionary, same words, much faster) and give the engines space-separated words:

- **Index.** Each proposal has one :class:`~huying.proposals.models.ProposalSearch`
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
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar, overload

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connections
from django.db.models import Case, F, FloatField, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
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
# Marks the title's character pairs in the index (zz垃圾), apart from the words (垃圾).
GRAM_PREFIX = "zz"
MAX_QUERY_WORDS = 12
BATCH_SIZE = 500

_WORD_RE = re.compile(r"[^\W_]+")
_SPACES_RE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Full-width forms to half-width (NFKC), lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def _clean(tokens: Iterable[str]) -> list[str]:
    result: list[str] = []
    for token in tokens:
        for part in _WORD_RE.findall(token):
            if part not in STOPWORDS:
                result.append(part)
    return result


def index_words(text: str) -> list[str]:
    """The words of ``text`` as indexed: jieba's search mode, punctuation and stop words
    dropped. 关于完善城乡居民医疗保障制度的建议 → 完善 城乡 乡居 居民 城乡居民 医疗 保障
    医疗保障 制度."""
    return _clean(_cut_for_search(normalise(text)))


def words(text: str) -> list[str]:
    """The words of ``text`` in jieba's precise mode (each character in one word), stop
    words and punctuation dropped."""
    return _clean(_cut(normalise(text)))


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
    for word in words(q):
        if word in seen:
            continue
        seen.add(word)
        terms.append((word, _partition(word)))
        if len(terms) == MAX_QUERY_WORDS:
            break
    return terms


def _fts5_quoted(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _ts_quoted(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def fts5_query(
    terms: Sequence[tuple[str, list[str] | None]], columns: str = "title_words summary_words body_words"
) -> str:
    """``{title_words summary_words body_words} : ("生活" AND ("垃圾处理" OR ("垃圾" AND
    "处理")))``: every word in the title, summary or body words. Words contain only letters and digits, so quoting
    cannot be broken out of."""
    clauses = []
    for word, parts in terms:
        if parts:
            clauses.append(f"({_fts5_quoted(word)} OR ({' AND '.join(_fts5_quoted(p) for p in parts)}))")
        else:
            clauses.append(_fts5_quoted(word))
    return "{" + columns + "} : (" + " AND ".join(clauses) + ")"


def tsquery(terms: Sequence[tuple[str, list[str] | None]]) -> str:
    """``'生活' & ('垃圾处理' | ('垃圾' & '处理'))`` for ``to_tsquery('simple', …)``. The
    title's character pairs carry a prefix, so words never match them; without weights or
    phrases the GIN index answers without reading the documents."""
    clauses = []
    for word, parts in terms:
        if parts:
            clauses.append(f"({_ts_quoted(word)} | ({' & '.join(_ts_quoted(p) for p in parts)}))")
        else:
            clauses.append(_ts_quoted(word))
    return " & ".join(clauses)


def _runs(text: str) -> list[str]:
    return _WORD_RE.findall(normalise(text))


def _pairs(run: str) -> list[str]:
    return [GRAM_PREFIX + run[i : i + 2] for i in range(len(run) - 1)]


def title_grams(title: str) -> list[str]:
    """Neighbouring character pairs of each run of letters and digits of ``title``,
    prefixed so that no pair is ever taken for a word (a run of one character is kept as
    it is): 垃圾分类 → zz垃圾 zz圾分 zz分类."""
    grams: list[str] = []
    for run in _runs(title):
        grams += _pairs(run) or [GRAM_PREFIX + run]
    return grams


def query_grams(text: str) -> list[list[str]] | None:
    """The character pairs of each run of the typed text, or None when a run is a single
    character (pairs cannot find it: the title fallback then scans titles)."""
    runs = _runs(text)
    if not runs or any(len(run) < 2 for run in runs):
        return None
    return [_pairs(run) for run in runs]


def fts5_grams_query(grams: list[list[str]]) -> str:
    """``title_grams : ("zz垃圾 zz圾分 zz分类")``: the pairs in a row (an FTS5 phrase)."""
    phrases = " AND ".join('"' + " ".join(run) + '"' for run in grams)
    return "title_grams : (" + phrases + ")"


def ts_grams_query(grams: list[list[str]]) -> str:
    """``('zz垃圾' <-> 'zz圾分' <-> 'zz分类')``: the pairs in a row."""
    return " & ".join("(" + " <-> ".join(_ts_quoted(g) for g in run) + ")" for run in grams)


def clean_query(q: str | None) -> str:
    return _SPACES_RE.sub(" ", unicodedata.normalize("NFKC", q or "")).strip()[:MAX_QUERY_LENGTH]


_FTS_IDS_SQL = "SELECT rowid FROM proposals_search_fts WHERE proposals_search_fts MATCH %s"
# bm25 column weights: title words 5, summary words 2, body words 1, title pairs 0.
_BM25_SQL = (
    "COALESCE((SELECT h.score FROM ("
    "WITH h0 AS MATERIALIZED (SELECT rowid AS id, -bm25(proposals_search_fts, 5.0, 2.0, 1.0, 0.0) AS score "
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
    the query) and ``search_rank``. The long text fields (situation, analysis, suggestions)
    are deferred: lists do not show them, and the rows are sorted."""
    text = clean_query(q)
    if not text:
        return queryset
    terms = query_terms(text)
    grams = query_grams(text)
    title_hit = Q(title__icontains=text)
    word_match: Any = None
    rank: Any = Value(0.0)
    vendor = connections[queryset.db].vendor
    if vendor == "postgresql":
        condition = Q()
        if terms:
            words_query = SearchQuery(tsquery(terms), config="simple", search_type="raw")
            word_match = Q(pk__in=_pg_ids(tsquery(terms)))
            condition |= word_match
            rank = _ts_rank(words_query)
        if grams:
            # The title holds the typed text's pairs in a row: the title hit, from the index
            # (no title read, so PostgreSQL can sort the ids from an index-only scan).
            title_hit = Q(pk__in=_pg_head_ids(ts_grams_query(grams)))
            condition |= title_hit
    elif vendor == "sqlite":
        condition = Q()
        if terms:
            words_match = fts5_query(terms)
            word_match = Q(pk__in=RawSQL(_FTS_IDS_SQL, (words_match,)))  # noqa: S611 - constant SQL, parameter
            condition |= word_match
            rank = Bm25Rank(F("pk"), words_match)
        if grams:
            title_hit = Q(pk__in=RawSQL(_FTS_IDS_SQL, (fts5_grams_query(grams),)))  # noqa: S611 - constant SQL
            condition |= title_hit
    else:  # another engine: every word somewhere in the title or the case summary
        word_match = Q()
        for word, _parts in terms:
            word_match &= Q(title__icontains=word) | Q(summary__icontains=word)
        condition = word_match if terms else Q()
        grams = None
    if grams is None:
        # The typed text has a single character between punctuation: scan the titles.
        condition = condition | title_hit if condition else title_hit
    return (
        queryset.filter(condition)
        .defer("situation", "analysis", "suggestions")
        .annotate(
            search_words=_flag(word_match),
            search_title_hit=_flag(title_hit),
            search_rank=rank,
        )
        .order_by("-search_words", "-search_title_hit", "-search_rank", "-pk")
    )


class SearchResults:
    """The result of :func:`search` for lists that show one page at a time (Django's
    ``Paginator``, the API's pagination): counts like a queryset, and a slice first sorts
    the matching **ids** (a narrow query: the sort keys come from the index by id) and then
    fetches the page's rows from ``base`` (the caller's queryset, with its
    ``select_related``), instead of sorting every matching row with all its columns."""

    ordered = True  # for Paginator's check

    def __init__(self, base: QuerySet[Proposal], q: str | None) -> None:
        self.base = base
        self.matches = search(base, q)

    def count(self) -> int:
        return self.matches.count()

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Proposal]:
        return iter(self.matches)

    @overload
    def __getitem__(self, key: int) -> Proposal: ...

    @overload
    def __getitem__(self, key: slice) -> list[Proposal]: ...

    def __getitem__(self, key: int | slice) -> Proposal | list[Proposal]:
        if isinstance(key, int):
            found = self[key : key + 1]
            if not found:
                raise IndexError(key)
            return found[0]
        ids = list(self.matches.values_list("pk", flat=True)[key])
        rows = {p.pk: p for p in self.base.filter(pk__in=ids)}
        return [rows[pk] for pk in ids if pk in rows]


def paginate_search(queryset: _QS, q: str | None) -> _QS | SearchResults:
    """``queryset`` itself without a query, else its :class:`SearchResults`."""
    return SearchResults(queryset, q) if clean_query(q) else queryset


def search_any(queryset: _QS, terms: Sequence[str], *, at_least: int = 1) -> _QS:
    """``queryset`` narrowed to the proposals whose **title or case summary** contains at
    least ``at_least`` (1 or 2) of ``terms`` (words as :func:`words` or :func:`index_words`
    give them), best match first: the candidate prefilter of the similar-proposal lookup,
    which compares titles and summaries. "Two of" is written as the OR of every pair, which
    the engines answer from their index. Without words, nothing."""
    unique = [w for w in dict.fromkeys(terms) if _WORD_RE.fullmatch(w)]
    if not unique:
        return queryset.none()
    groups: list[list[str]] = [[w] for w in unique]
    if at_least >= 2 and len(unique) >= 2:
        groups = [[a, b] for i, a in enumerate(unique) for b in unique[i + 1 :]]
    vendor = connections[queryset.db].vendor
    if vendor == "postgresql":
        text = " | ".join("(" + tsquery([(w, None) for w in group]) + ")" for group in groups)
        query = SearchQuery(text, config="simple", search_type="raw")
        head_ids = RawSQL(_PG_HEAD_IDS_SQL, (text,))  # noqa: S611 - constant SQL, the query is a parameter
        return queryset.filter(pk__in=head_ids).annotate(search_rank=_ts_rank(query)).order_by("-search_rank", "-pk")
    if vendor == "sqlite":
        match = " OR ".join(
            "(" + fts5_query([(w, None) for w in group], "title_words summary_words") + ")" for group in groups
        )
        return (
            queryset.filter(pk__in=RawSQL(_FTS_IDS_SQL, (match,)))  # noqa: S611 - constant SQL, the query is a parameter
            .annotate(search_rank=Bm25Rank(F("pk"), match))
            .order_by("-search_rank", "-pk")
        )
    any_word = Q()
    for word in unique:
        any_word |= Q(title__icontains=word) | Q(summary__icontains=word)
    return queryset.filter(any_word).order_by("-pk")


_PG_IDS_SQL = "SELECT proposal_id FROM proposals_proposalsearch WHERE document @@ to_tsquery('simple', %s) OFFSET 0"
_PG_HEAD_IDS_SQL = "SELECT proposal_id FROM proposals_proposalsearch WHERE head @@ to_tsquery('simple', %s) OFFSET 0"


def _pg_ids(tsquery_text: str) -> RawSQL:
    """PostgreSQL: the ids whose document matches, as a subquery the planner keeps whole
    (``OFFSET 0``): one GIN bitmap scan, then a hash lookup per row. Flattened into a join,
    the planner may instead test every visible proposal's document."""
    return RawSQL(_PG_IDS_SQL, (tsquery_text,))  # noqa: S611 - constant SQL, the query is a parameter


def _pg_head_ids(tsquery_text: str) -> RawSQL:
    """As :func:`_pg_ids`, over the title and summary (``head``)."""
    return RawSQL(_PG_HEAD_IDS_SQL, (tsquery_text,))  # noqa: S611 - constant SQL, the query is a parameter


def _ts_rank(query: SearchQuery) -> Any:
    """PostgreSQL: ``ts_rank`` of the proposal's title and summary (``head``, kept in the
    row: reading the full documents of ten thousand matches would cost more than the rest
    of the search), divided by 1 + log(length) so a focused title ranks first; looked up by
    primary key for the rows that passed the filter."""
    ranked = (
        ProposalSearch.objects.filter(proposal_id=OuterRef("pk"))
        .annotate(r=SearchRank(F("head"), query, normalization=Value(1)))
        .values("r")[:1]
    )
    return Coalesce(Subquery(ranked, output_field=FloatField()), Value(0.0))


def _flag(condition: Any) -> Any:
    if condition is None:
        return Value(0, output_field=IntegerField())
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


# --- keeping the index in step ----------------------------------------------------------------
def _row(proposal: Proposal, merged_titles: Iterable[str] = ()) -> ProposalSearch:
    body = "\n".join([proposal.situation, proposal.analysis, proposal.suggestions, *merged_titles])
    return ProposalSearch(
        proposal_id=proposal.pk,
        title_words=" ".join(index_words(proposal.title)),
        summary_words=" ".join(index_words(proposal.summary)),
        title_grams=" ".join(title_grams(proposal.title)),
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
        update_fields=["title_words", "summary_words", "body_words", "title_grams", "indexed_at"],
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
