"""The full-text search document of a proposal (one row per proposal).

The words are segmented by :mod:`huying.proposals.search` (jieba, search mode) and stored
space-joined, so both database engines index whole Chinese words:

- SQLite: the FTS5 table ``proposals_search_fts`` (external content: this table), kept in
  step by triggers, ranked with ``bm25``;
- PostgreSQL: ``document``, a ``tsvector`` built by a trigger with the ``simple``
  configuration (title words weight A, title character pairs B, summary words C, body
  words D), and ``head`` (the same without the body), small and kept in the row; both
  GIN-indexed; ``ts_rank`` over ``head``. On SQLite the two columns exist but stay empty.

The triggers, the FTS5 table and the GIN index are created by migration
``0003_search_awards`` (and re-created if missing by ``manage.py proposals_reindex``); see
:mod:`huying.proposals.search_sql`.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _


class ProposalSearch(models.Model):
    proposal = models.OneToOneField(
        "proposals.Proposal",
        verbose_name=_("proposal"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="search_doc",
    )
    title_words = models.TextField(_("title words"), blank=True)
    summary_words = models.TextField(_("case summary words"), blank=True)
    body_words = models.TextField(_("body words"), blank=True)
    # Pairs of neighbouring characters of the title: a title "contains" a typed string when
    # it holds the string's pairs in a row, which both engines answer from their index.
    title_grams = models.TextField(_("title character pairs"), blank=True)
    # PostgreSQL only, filled by a trigger from the columns above: ``head`` (title words,
    # title pairs, summary words; small, kept in the row) for ranking, the title fallback and
    # the similar-proposal prefilter, ``document`` (head + body words; in the TOAST table)
    # for matching words.
    document = SearchVectorField(_("search document"), null=True, editable=False)
    head = SearchVectorField(_("title and summary"), null=True, editable=False)
    indexed_at = models.DateTimeField(_("indexed at"), auto_now=True)

    class Meta:
        verbose_name = _("proposal search document")
        verbose_name_plural = _("proposal search documents")

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.title_words[:40]}"
