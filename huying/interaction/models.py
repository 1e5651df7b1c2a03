"""互动: public suggestions (群众建议) and opinion debates (观点PK台).

Public content (a suggestion, a debate argument) carries a one-to-one
:class:`~huying.moderation.models.ModerationItem`; public reads take ``published`` ones only.
A debate keeps its tally in two counters (``votes_a``, ``votes_b``) updated with the vote in
one transaction, so the tally is one row read whatever the number of votes."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huying.core.models import StoredFile
from huying.interaction.choices import DebateStatus, Side, SuggestionCategory
from huying.moderation.choices import ItemStatus

PUBLISHED = Q(moderation__status=ItemStatus.PUBLISHED)


def _own_or_published(user: Any) -> Q:
    from huying.moderation.access import is_moderator

    if is_moderator(user):
        return Q()
    if getattr(user, "is_authenticated", False):
        return PUBLISHED | Q(author=user)
    return PUBLISHED


class SuggestionQuerySet(models.QuerySet["Suggestion"]):
    def visible_to(self, user: Any) -> SuggestionQuerySet:
        """Published suggestions for everyone (also anonymous visitors); one's own in any
        state; every suggestion for moderators."""
        return self.filter(_own_or_published(user))

    def published(self) -> SuggestionQuerySet:
        return self.filter(PUBLISHED)


class Suggestion(models.Model):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="suggestions"
    )
    title = models.CharField(_("title"), max_length=60)
    body = models.TextField(_("suggestion"))
    category = models.CharField(_("category"), max_length=20, choices=SuggestionCategory.choices)
    place = models.CharField(_("place"), max_length=100, blank=True)
    moderation = models.OneToOneField("moderation.ModerationItem", on_delete=models.PROTECT, related_name="suggestion")
    follower_count = models.PositiveIntegerField(_("followers"), default=0)
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now, db_index=True)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("public suggestion")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=SuggestionCategory.values), name="suggestion_category_valid"
            )
        ]

    def __str__(self) -> str:
        return self.title


class SuggestionPhoto(StoredFile):
    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="photos")

    class Meta:
        verbose_name = _("suggestion photo")
        ordering = ["pk"]


class SuggestionFollow(models.Model):
    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["suggestion", "user"], name="suggestion_follow_once")]

    def __str__(self) -> str:
        return f"{self.suggestion_id} ← {self.user_id}"


class SuggestionAdoption(models.Model):
    """A suggestion taken into a proposal draft (several suggestions may go into one; one
    suggestion into several). The link both ways: ``suggestion.adoptions`` and
    ``proposal.public_suggestion_links``."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="adoptions")
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="public_suggestion_links")
    adopted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("adopted at"), default=timezone.now)

    class Meta:
        verbose_name = _("adopted suggestion")
        constraints = [models.UniqueConstraint(fields=["suggestion", "proposal"], name="suggestion_adopted_once")]

    def __str__(self) -> str:
        return f"{self.suggestion_id} → {self.proposal_id}"


class SuggestionReportLink(models.Model):
    """A suggestion taken into an opinion-report (社情民意) draft; the link both ways:
    ``suggestion.report_links`` and ``report.public_suggestion_links``."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="report_links")
    report = models.ForeignKey(
        "opinions.OpinionReport", on_delete=models.CASCADE, related_name="public_suggestion_links"
    )
    adopted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("adopted at"), default=timezone.now)

    class Meta:
        verbose_name = _("suggestion adopted into a report")
        constraints = [models.UniqueConstraint(fields=["suggestion", "report"], name="suggestion_reported_once")]

    def __str__(self) -> str:
        return f"{self.suggestion_id} → report {self.report_id}"


class DebateQuerySet(models.QuerySet["Debate"]):
    def visible_to(self, user: Any) -> DebateQuerySet:
        """Open and closed debates for everyone; drafts for moderators only."""
        from huying.moderation.access import is_moderator

        if is_moderator(user):
            return self.all()
        return self.exclude(status=DebateStatus.DRAFT)


class Debate(models.Model):
    question = models.CharField(_("question"), max_length=100)
    description = models.TextField(_("background"), blank=True)
    side_a = models.CharField(_("side A"), max_length=40)
    side_b = models.CharField(_("side B"), max_length=40)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    status = models.CharField(_("status"), max_length=10, choices=DebateStatus.choices, default=DebateStatus.DRAFT)
    votes_a = models.PositiveIntegerField(_("votes for side A"), default=0)
    votes_b = models.PositiveIntegerField(_("votes for side B"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = DebateQuerySet.as_manager()

    class Meta:
        verbose_name = _("opinion debate")
        ordering = ["-opens_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=DebateStatus.values), name="debate_status_valid"),
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="debate_closes_after_opening"),
        ]

    def __str__(self) -> str:
        return self.question

    def accepts_votes(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.status == DebateStatus.OPEN and self.opens_at <= now < self.closes_at

    @property
    def total_votes(self) -> int:
        return self.votes_a + self.votes_b

    def share(self, side: str) -> float | None:
        total = self.total_votes
        if not total:
            return None
        return round(100 * (self.votes_a if side == Side.A else self.votes_b) / total, 1)

    @property
    def share_a(self) -> float | None:
        return self.share(Side.A)

    @property
    def share_b(self) -> float | None:
        return self.share(Side.B)

    def side_label(self, side: str) -> str:
        return self.side_a if side == Side.A else self.side_b


class DebateEvent(models.Model):
    """A debate's status history (one row per move)."""

    debate = models.ForeignKey(Debate, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=10, choices=DebateStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=DebateStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.debate_id} {self.to_status}"


class Vote(models.Model):
    debate = models.ForeignKey(Debate, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    side = models.CharField(_("side"), max_length=1, choices=Side.choices)
    created_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["debate", "user"], name="debate_one_vote_per_person"),
            models.CheckConstraint(condition=Q(side__in=Side.values), name="debate_vote_side_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.debate_id} {self.user_id} {self.side}"


class ArgumentQuerySet(models.QuerySet["Argument"]):
    def visible_to(self, user: Any) -> ArgumentQuerySet:
        return self.filter(_own_or_published(user), debate__in=Debate.objects.visible_to(user))


class Argument(models.Model):
    debate = models.ForeignKey(Debate, on_delete=models.CASCADE, related_name="arguments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(_("side"), max_length=1, choices=Side.choices)
    body = models.TextField(_("argument"))
    moderation = models.OneToOneField("moderation.ModerationItem", on_delete=models.PROTECT, related_name="argument")
    like_count = models.PositiveIntegerField(_("likes"), default=0)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ArgumentQuerySet.as_manager()

    class Meta:
        ordering = ["-like_count", "pk"]
        indexes = [models.Index(fields=["debate", "side", "-like_count"], name="argument_strongest_idx")]
        constraints = [models.CheckConstraint(condition=Q(side__in=Side.values), name="argument_side_valid")]

    def __str__(self) -> str:
        return self.body[:30]


class ArgumentLike(models.Model):
    argument = models.ForeignKey(Argument, on_delete=models.CASCADE, related_name="likes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["argument", "user"], name="argument_like_once")]

    def __str__(self) -> str:
        return f"{self.argument_id} ← {self.user_id}"
