"""Stored hot topics: the topics, their member texts, a daily count per topic (trend and
baseline), the emerging alerts, the high-water mark of each text source and the drafts
started from a topic (docs/insight.md, "Stored topics")."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huying.insight.choices import DraftKind, Side, Trend


class TopicQuerySet(models.QuerySet["Topic"]):
    def visible_to(self, user: Any) -> TopicQuerySet:
        """Topics of the sides ``user`` may read (``access.sides_for``); on the government
        side, only topics with at least one work order the reader sees (an administrator or
        a city-wide reader sees all)."""
        from huying.insight.access import sees_all_orders, sides_for

        sides = sides_for(user)
        if not sides:
            return self.none()
        condition = Q(side__in=[s for s in sides if s != Side.GOVERNMENT])
        if Side.GOVERNMENT in sides:
            if sees_all_orders(user):
                condition |= Q(side=Side.GOVERNMENT)
            else:
                from huying.workorders.models import WorkOrder

                orders = WorkOrder.objects.visible_to(user).values("pk")
                members = TopicText.objects.filter(topic=OuterRef("pk"), source="workorder", object_id__in=orders)
                condition |= Q(Exists(members), side=Side.GOVERNMENT)
        return self.filter(condition)

    def ranked(self) -> TopicQuerySet:
        """Topics of at least two people (or the engine's minimum support), hottest first."""
        return self.filter(Q(people__gte=2) | Q(support__gte=20)).order_by("-heat", "-people", "pk")


class Topic(models.Model):
    side = models.CharField(pgettext_lazy("hot topic", "side"), max_length=12, choices=Side.choices)
    title = models.CharField(pgettext_lazy("hot topic", "description"), max_length=200)
    keywords = models.JSONField(_("keywords"), default=list)
    place_or_group = models.CharField(_("place or group"), max_length=100, blank=True)
    first_at = models.DateTimeField(_("first text"), null=True)
    last_at = models.DateTimeField(_("latest text"), null=True, db_index=True)
    texts = models.PositiveIntegerField(_("texts"), default=0)
    people = models.PositiveIntegerField(pgettext_lazy("hot topic", "people"), default=0)
    support = models.PositiveIntegerField(_("support"), default=0)
    heat = models.FloatField(_("heat"), default=0.0)
    trend = models.CharField(_("trend"), max_length=8, choices=Trend.choices, default=Trend.STEADY)
    growth = models.FloatField(_("growth"), default=1.0)
    # The clustering's state (refresh.py): summed term weights (top terms only), the place
    # and area keys its members name, and the score of the text its title comes from.
    centroid = models.JSONField(default=dict)
    places = models.JSONField(default=dict)
    areas = models.JSONField(default=dict)
    title_score = models.FloatField(default=0.0)
    last_source = models.CharField(max_length=20, blank=True)  # the latest member's source and id:
    last_object = models.PositiveBigIntegerField(default=0)  # the clustering's canonical order
    seq = models.PositiveBigIntegerField(_("order of creation"), db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TopicQuerySet.as_manager()

    class Meta:
        verbose_name = _("hot topic")
        verbose_name_plural = _("hot topics")
        indexes = [models.Index(fields=["side", "-heat"], name="insight_topic_side_heat")]
        constraints = [models.UniqueConstraint(fields=["side", "seq"], name="insight_topic_side_seq")]

    def __str__(self) -> str:
        return self.title


class TopicText(models.Model):
    """One text's membership: the source's key and the record's id (``workorder`` 12)."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="members")
    source = models.CharField(_("source"), max_length=20)
    object_id = models.PositiveBigIntegerField(_("record"))
    at = models.DateTimeField(_("time"), db_index=True)
    author = models.CharField(max_length=24, blank=True)  # a hash: tells people apart, shows no one
    support = models.PositiveIntegerField(default=0)
    excerpt = models.CharField(_("excerpt"), max_length=200)
    terms = models.JSONField(default=dict)  # the text's weighted terms (to take it out again)
    # What else the clustering saw of it, so a topic a text leaves can be rebuilt from the
    # rest (refresh._withdraw): its title and the place and area keys it names.
    title = models.CharField(max_length=200, blank=True, default="")
    places = models.JSONField(default=list)
    areas = models.JSONField(default=list)

    class Meta:
        verbose_name = _("topic text")
        verbose_name_plural = _("topic texts")
        constraints = [models.UniqueConstraint(fields=["source", "object_id"], name="insight_text_once")]
        indexes = [
            models.Index(fields=["topic", "at"], name="insight_text_topic_at"),
            # "does this topic already have this author": a refresh counts new people by it
            models.Index(fields=["topic", "author"], name="insight_text_topic_author"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.object_id}"


class TopicSnapshot(models.Model):
    """How many of a topic's texts came in on one (local) day: the sparkline and the
    baseline of the emerging-topic rule."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="snapshots")
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("texts"), default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["topic", "day"], name="insight_snapshot_once")]

    def __str__(self) -> str:
        return f"{self.topic_id} {self.day}: {self.count}"


class TopicAlert(models.Model):
    """An emerging topic, raised once per topic per day (the unique constraint is the
    idempotency guard)."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="alerts")
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("texts that day"))
    baseline_mean = models.FloatField(_("baseline mean"))
    baseline_std = models.FloatField(_("baseline deviation"))
    created_at = models.DateTimeField(_("raised at"))

    class Meta:
        verbose_name = _("emerging topic alert")
        verbose_name_plural = _("emerging topic alerts")
        constraints = [models.UniqueConstraint(fields=["topic", "day"], name="insight_alert_once")]

    def __str__(self) -> str:
        return f"{self.topic_id} {self.day}"


class SourceMark(models.Model):
    """How far the refresh has read one text source: its stamp and id of the last text."""

    source = models.CharField(max_length=20, unique=True)
    stamp = models.DateTimeField(null=True)
    last_id = models.PositiveBigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.source} {self.stamp} #{self.last_id}"


class TopicDraft(models.Model):
    """A proposal or opinion-report draft started from a topic: the link both ways."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="drafts")
    kind = models.CharField(_("kind"), max_length=10, choices=DraftKind.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="insight_draft_one_topic"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
