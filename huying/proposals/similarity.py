"""Similar proposals: TF-IDF over character n-grams of titles and case summaries.

Character n-grams need no word segmentation and catch the same issue worded differently
(老旧小区加装电梯 / 既有住宅增设电梯 share 电梯, 住宅…). The boilerplate of every title
(关于…的建议) is stripped so it does not make all proposals look alike.

Scale. The vectoriser is fitted per lookup over the candidates (no stored model to keep in
step). Up to ``EXACT_LIMIT`` candidates it is fitted over all of them. Above that (a
province's history: 100,000 proposals) the full-text index — already kept in step by the
actions — picks the ``PREFILTER`` candidates sharing the most informative words with the
text (any of them, ranked by bm25 / ts_rank), and TF-IDF re-ranks those. A near-duplicate
shares words with the text, so it survives the prefilter; the character n-grams then do
the fine ranking. Figures in docs/proposals.md ("Benchmark").
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Q

from huying.proposals.choices import ProposalStatus
from huying.proposals.models import Proposal, Session

EXACT_LIMIT = 3000
PREFILTER = 200
MAX_TERMS = 8
# Below this many candidates sharing two words, candidates sharing one word are taken.
MIN_POOL = 30
# Words of every other proposal (verbs of the 关于…的建议 form, the places a Guangdong
# proposal is about, generic nouns): they pick nothing out, and make the prefilter rank
# long lists of matches.
# fmt: off
GENERIC_WORDS = frozenset([
    "推进", "加强", "完善", "加快", "推动", "促进", "支持", "优化", "提升", "深化", "健全", "规范",
    "建立", "构建", "打造", "实施", "开展", "落实", "强化", "做好", "提高", "扩大", "发展", "建设",
    "工作", "问题", "机制", "体系", "能力", "水平", "我省", "全省", "各地", "地区", "取得", "一定",
    "成效", "存在", "亟需", "仍然", "当前", "近年来", "政策", "措施", "广东", "广东省", "粤东",
    "西北", "西北地区", "粤东西北", "珠三角", "珠三角地区", "县域", "城乡", "城市", "农村", "基层",
    "山区", "沿海", "沿海地区", "一等", "不足", "有待", "进一步", "服务", "管理",
])
# fmt: on
# Kept for callers of the first version: the most recent candidates considered.
MAX_CANDIDATES = EXACT_LIMIT
_BOILERPLATE = re.compile(r"^关于|的(建议|提案)$")
_PUNCT = re.compile(r"[\s，。、；：！？“”‘’（）()《》,.;:!?\"']+")


def normalise(text: str) -> str:
    lines = [_BOILERPLATE.sub("", line.strip()) for line in text.splitlines()]
    return _PUNCT.sub(" ", " ".join(lines)).strip()


def document(proposal: Proposal) -> str:
    return normalise(f"{proposal.title}\n{proposal.summary}")


def candidate_queryset(session: Session | None, queryset: Any = None) -> Any:
    """Non-draft, non-withdrawn proposals of ``session``'s CPPCC committee in that session
    and earlier ones (all of them without a session), within ``queryset`` if given."""
    qs = queryset if queryset is not None else Proposal.objects.all()
    qs = qs.exclude(status__in=[ProposalStatus.DRAFT, ProposalStatus.WITHDRAWN])
    if session is not None:
        qs = qs.filter(session__cppcc=session.cppcc).filter(
            Q(session__term__lt=session.term) | Q(session__term=session.term, session__number__lte=session.number)
        )
    return qs


def candidates_for(session: Session | None, queryset: Any = None) -> Any:
    """The most recent ``EXACT_LIMIT`` candidates (the pool of a small history)."""
    return (
        candidate_queryset(session, queryset)
        .select_related("session", "merged_into", "merged_into__session")
        .order_by("-id")[:EXACT_LIMIT]
    )


def prefilter_terms(text: str) -> list[str]:
    """The words that pick the candidates: the title's (first line's) distinct words (jieba's
    precise mode: whole words, which the index holds too), then the rest's, without generic
    words and single characters; longer words first within each part, at most
    ``MAX_TERMS``."""
    from huying.proposals.search import words

    first, _newline, rest = text.partition("\n")
    terms: list[str] = []
    for part in (first, rest):
        found = [w for w in dict.fromkeys(words(part)) if w not in GENERIC_WORDS and len(w) > 1]
        terms += sorted((w for w in found if w not in terms), key=lambda w: -len(w))
        if len(terms) >= 3:
            break
    return terms[:MAX_TERMS]


def candidate_pool(
    text: str, session: Session | None, queryset: Any = None, exclude_pk: int | None = None
) -> list[Proposal]:
    """All candidates when there are at most ``EXACT_LIMIT``, else the ``PREFILTER`` best
    full-text matches sharing two of the text's words (one, if too few share two)."""
    from huying.proposals.search import search_any

    qs = candidate_queryset(session, queryset)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    related = ("session", "merged_into", "merged_into__session")
    recent = list(qs.order_by("-id").values_list("id", flat=True)[: EXACT_LIMIT + 1])
    if len(recent) <= EXACT_LIMIT:
        return list(qs.filter(pk__in=recent).select_related(*related).order_by("-id"))
    terms = prefilter_terms(text)
    pool = list(search_any(qs, terms, at_least=2).select_related(*related)[:PREFILTER])
    if len(pool) < MIN_POOL:
        pool = list(search_any(qs, terms).select_related(*related)[:PREFILTER])
    return pool


def similar_proposals(
    text: str,
    session: Session | None = None,
    limit: int = 5,
    *,
    queryset: Any = None,
    exclude_pk: int | None = None,
    min_score: float = 0.05,
) -> list[tuple[Proposal, float]]:
    """The ``limit`` proposals most similar to ``text`` among the non-draft proposals of
    ``session`` and earlier sessions of its CPPCC (restricted to ``queryset`` if given),
    best first, with cosine scores in [0, 1]."""
    query = normalise(text)
    if not query:
        return []
    pool = candidate_pool(text, session, queryset, exclude_pk)
    if not pool:
        return []
    # scikit-learn is loaded here, on first use: at import it costs every process a second.
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import linear_kernel

    vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
    matrix = vectoriser.fit_transform([document(p) for p in pool] + [query])
    scores = linear_kernel(matrix[-1], matrix[:-1]).ravel()
    ranked = sorted(zip(pool, scores, strict=True), key=lambda pair: (-pair[1], -pair[0].pk))
    return [(p, round(float(s), 3)) for p, s in ranked[:limit] if s >= min_score]
