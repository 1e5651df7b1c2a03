"""Similar reports while a member writes: the proposals' approach (TF-IDF over character
n-grams, boilerplate stripped; ``huying.proposals.similarity.normalise``) over the reports
of the same committee, newest first, at most ``MAX_CANDIDATES`` of them."""

from __future__ import annotations

from typing import Any

from huying.opinions.choices import ReportStatus
from huying.opinions.models import OpinionReport
from huying.proposals.similarity import normalise

MAX_CANDIDATES = 3000


def document(report: OpinionReport) -> str:
    return normalise(f"{report.title}\n{report.situation[:300]}")


def similar_reports(
    text: str, cppcc: Any, *, limit: int = 5, exclude_pk: int | None = None, min_score: float = 0.12
) -> list[tuple[OpinionReport, float]]:
    """The reports of ``cppcc`` (sent to or forwarded through it; not drafts) most like
    ``text``, best first, with cosine scores in [0, 1]."""
    query = normalise(text)
    if not query:
        return []
    qs = OpinionReport.objects.exclude(status=ReportStatus.DRAFT).filter(origin_cppcc=cppcc)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    pool = list(qs.only("id", "title", "situation", "status").order_by("-id")[:MAX_CANDIDATES])
    if not pool:
        return []
    # scikit-learn is loaded here, on first use: at import it costs every process a second.
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import linear_kernel

    vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
    matrix = vectoriser.fit_transform([document(r) for r in pool] + [query])
    scores = linear_kernel(matrix[-1], matrix[:-1]).ravel()
    ranked = sorted(zip(pool, scores, strict=True), key=lambda pair: (-pair[1], -pair[0].pk))
    return [(r, round(float(s), 3)) for r, s in ranked[:limit] if s >= min_score]
