"""Similar proposals: TF-IDF over character n-grams of titles and case summaries.

Character n-grams need no word segmentation and catch the same issue worded differently
(老旧小区加装电梯 / 既有住宅增设电梯 share 电梯, 住宅…). The boilerplate of every title
(关于…的建议) is stripped so it does not make all proposals look alike. The vectoriser is
fitted per lookup over the candidates; at 100,000 proposals a stored index is needed
(later work, see docs/proposals.md).
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Q
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel

from huying.proposals.choices import ProposalStatus
from huying.proposals.models import Proposal, Session

MAX_CANDIDATES = 5000
_BOILERPLATE = re.compile(r"^关于|的(建议|提案)$")
_PUNCT = re.compile(r"[\s，。、；：！？“”‘’（）()《》,.;:!?\"']+")


def normalise(text: str) -> str:
    lines = [_BOILERPLATE.sub("", line.strip()) for line in text.splitlines()]
    return _PUNCT.sub(" ", " ".join(lines)).strip()


def document(proposal: Proposal) -> str:
    return normalise(f"{proposal.title}\n{proposal.summary}")


def candidates_for(session: Session | None, queryset: Any = None) -> Any:
    qs = queryset if queryset is not None else Proposal.objects.all()
    qs = qs.exclude(status__in=[ProposalStatus.DRAFT, ProposalStatus.WITHDRAWN])
    if session is not None:
        qs = qs.filter(session__cppcc=session.cppcc).filter(
            Q(session__term__lt=session.term) | Q(session__term=session.term, session__number__lte=session.number)
        )
    return qs.select_related("session", "merged_into", "merged_into__session").order_by("-id")[:MAX_CANDIDATES]


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
    pool = [p for p in candidates_for(session, queryset) if p.pk != exclude_pk]
    if not pool:
        return []
    vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
    matrix = vectoriser.fit_transform([document(p) for p in pool] + [query])
    scores = linear_kernel(matrix[-1], matrix[:-1]).ravel()
    ranked = sorted(zip(pool, scores, strict=True), key=lambda pair: -pair[1])
    return [(p, round(float(s), 3)) for p, s in ranked[:limit] if s >= min_score]
