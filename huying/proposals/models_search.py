"""The full-text search document of a proposal (one row per proposal).

The words are segmented by :mod:`huying.proposals.search` (jieba, search mode) and stored
space-joined, so both database engines index whole Chinese words:

- SQLite: the FTS5 table ``proposals_search_fts`` (external content: this table), kept in
  step by triggers, ranked with ``bm25``;
- PostgreSQL: ``document``, a ``tsvector`` built by a trigger with the ``simple``
  configuration (title words weight A, body words weight D), GIN-indexed, ranked with
  ``ts_rank``. On SQLite the column exists but stays empty.

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
    body_words = models.TextField(_("body words"), blank=True)
    # PostgreSQL only: filled by a trigger from the two columns above.
    document = SearchVectorField(_("search document"), null=True, editable=False)
    indexed_at = models.DateTimeField(_("indexed at"), auto_now=True)

    class Meta:
        verbose_name = _("proposal search document")
        verbose_name_plural = _("proposal search documents")

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.title_words[:40]}"
