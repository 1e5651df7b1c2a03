"""Moderation state of every piece of public content, the word list and the per-space
settings. Only :mod:`huying.moderation.transitions` writes ``ModerationItem.status``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huying.moderation.choices import ItemStatus, Move, WordAction


class SpaceSetting(models.Model):
    """A moderator's choice for one space; without a row the space's default applies."""

    space = models.CharField(_("space"), max_length=40, unique=True)
    premoderated = models.BooleanField(_("pre-moderation"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("moderation setting")

    def __str__(self) -> str:
        return f"{self.space}: {self.premoderated}"


class SensitiveWord(models.Model):
    """One entry of the word list, matched on normalised text (:mod:`huying.moderation.screening`)."""

    word = models.CharField(_("word"), max_length=50)
    normalised = models.CharField(_("normalised form"), max_length=50, unique=True)
    action = models.CharField(_("on a match"), max_length=10, choices=WordAction.choices, default=WordAction.REVIEW)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sensitive word")
        ordering = ["normalised"]
        constraints = [
            models.CheckConstraint(condition=Q(action__in=WordAction.values), name="moderation_word_action_valid"),
            models.CheckConstraint(condition=~Q(normalised=""), name="moderation_word_not_empty"),
        ]

    def __str__(self) -> str:
        return self.word


class ModerationItemQuerySet(models.QuerySet["ModerationItem"]):
    def visible_to(self, user: Any) -> ModerationItemQuerySet:
        """Moderators see every item; authors their own; nobody else any."""
        from huying.moderation.access import is_moderator

        if not getattr(user, "is_authenticated", False):
            return self.none()
        if is_moderator(user):
            return self.all()
        return self.filter(author=user)


class ModerationItem(models.Model):
    """The moderation state of one public item (a suggestion, a debate argument…). The item
    points here with a one-to-one key; its public lists read ``status = published`` only."""

    space = models.CharField(_("space"), max_length=40, db_index=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="moderation_items"
    )
    status = models.CharField(_("status"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.PENDING)
    text = models.TextField(_("text"), help_text=_("The text as submitted, for the queue."))
    flagged_words = models.JSONField(_("flagged words"), default=list, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    report_count = models.PositiveIntegerField(_("reports"), default=0)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ModerationItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("moderated item")
        ordering = ["submitted_at", "pk"]
        indexes = [models.Index(fields=["status", "space", "submitted_at"], name="moderation_queue_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ItemStatus.values), name="moderation_item_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.space} #{self.pk}"

    @property
    def space_label(self) -> str:
        from huying.moderation.spaces import _spaces

        space = _spaces.get(self.space)
        return str(space.label) if space else self.space

    @property
    def content_url(self) -> str:
        from huying.moderation.spaces import _spaces

        space = _spaces.get(self.space)
        return space.url(self) if space and space.url else ""


class ModerationEvent(models.Model):
    """The item's history: every move with who, when, from, to and the reason."""

    item = models.ForeignKey(ModerationItem, on_delete=models.CASCADE, related_name="events")
    move = models.CharField(_("move"), max_length=10, choices=Move.choices)
    from_status = models.CharField(_("from"), max_length=10, choices=ItemStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=ItemStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.move}"


class Report(models.Model):
    """A user's report (举报) of a published item; one per person and item."""

    item = models.ForeignKey(ModerationItem, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=200)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "reporter"], name="moderation_one_report_per_person")]

    def __str__(self) -> str:
        return f"{self.item_id} ← {self.reporter_id}"
