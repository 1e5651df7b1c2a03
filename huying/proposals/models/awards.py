"""Excellent-proposal awards (优秀提案): one selection per CPPCC committee and year, its
nominations and the final decisions. Written only by :mod:`huying.proposals.awards`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huying.proposals.choices import AwardDecision, AwardStatus


class AwardSelectionQuerySet(models.QuerySet["AwardSelection"]):
    def visible_to(self, user: Any) -> AwardSelectionQuerySet:
        """Published selections are public (members, the public, anonymous visitors);
        agency staff also see the open selections of their CPPCC committee (staff at the
        committee or above, and the staff of its special committees and offices)."""
        from huying.proposals.awards import staff_cppcc_paths

        condition = Q(status=AwardStatus.PUBLISHED)
        paths = staff_cppcc_paths(user)
        if paths:
            under = Q()
            for path in paths:
                under |= Q(cppcc__path__startswith=path)
            condition |= under
        return self.filter(condition)


class AwardSelection(models.Model):
    cppcc = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("CPPCC committee"),
        on_delete=models.PROTECT,
        related_name="award_selections",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=100)
    note = models.TextField(_("announcement"), max_length=2000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=AwardStatus.choices, default=AwardStatus.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    objects = AwardSelectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("excellent-proposal selection")
        verbose_name_plural = _("excellent-proposal selections")
        ordering = ["-year", "cppcc_id"]
        constraints = [
            models.UniqueConstraint(fields=["cppcc", "year"], name="award_selection_one_per_year"),
            models.CheckConstraint(condition=Q(status__in=AwardStatus.values), name="award_selection_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=AwardStatus.PUBLISHED) | Q(published_at__isnull=False),
                name="award_selection_published_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == AwardStatus.OPEN


class AwardNomination(models.Model):
    selection = models.ForeignKey(
        AwardSelection, verbose_name=_("selection"), on_delete=models.CASCADE, related_name="nominations"
    )
    proposal = models.ForeignKey(
        "proposals.Proposal", verbose_name=_("proposal"), on_delete=models.PROTECT, related_name="award_nominations"
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("nominated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    committee = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("nominating special committee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="award_nominations",
        help_text=_("Empty when the agency staff nominated the proposal."),
    )
    reason = models.TextField(_("reason for nomination"), max_length=1000)
    decision = models.CharField(
        pgettext_lazy("award", "decision"), max_length=12, choices=AwardDecision.choices, default=AwardDecision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("award", "decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(pgettext_lazy("award", "decided at"), null=True, blank=True)
    decision_note = models.TextField(pgettext_lazy("award", "decision note"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("nominated at"), auto_now_add=True)

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "proposal"], name="award_nomination_once"),
            # A proposal is an excellent proposal at most once, whatever the year.
            models.UniqueConstraint(
                fields=["proposal"],
                condition=Q(decision=AwardDecision.SELECTED),
                name="award_selected_once",
            ),
            models.CheckConstraint(
                condition=Q(decision__in=AwardDecision.values), name="award_nomination_decision_valid"
            ),
        ]
        indexes = [models.Index(fields=["selection", "decision"], name="award_nomination_decision")]

    def __str__(self) -> str:
        return f"{self.selection_id} · {self.proposal_id} · {self.decision}"
