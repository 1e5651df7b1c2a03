"""议政群 / 建言献策群: themed discussion groups of a CPPCC committee.

A group belongs to one CPPCC; its participants are members of that CPPCC (who speak) and
agency staff of that CPPCC or its offices (who manage it). Posts are threads (``thread`` is
empty) and replies; each carries a one-to-one :class:`~huying.moderation.models.ModerationItem`
(space ``group_posts``). Participation figures are kept counters on the participant rows,
so a group's statistics are one aggregate over its participants whatever the number of posts.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huying.groups.choices import GroupStatus, ParticipantRole
from huying.moderation.choices import ItemStatus


class GroupQuerySet(models.QuerySet["DiscussionGroup"]):
    def visible_to(self, user: Any) -> GroupQuerySet:
        """Participants read their groups; agency staff and leaders of the owning CPPCC
        (staff also of its offices) read all of its groups; administrators read all. Other
        members, other CPPCCs, unit staff, the public and anonymous visitors: none."""
        from huying.groups.access import managed_cppcc_ids, reading_cppcc_ids

        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_administrator:
            return self.all()
        cppccs = reading_cppcc_ids(user) | managed_cppcc_ids(user)
        mine = Participant.objects.filter(user=user, is_active=True).values("group_id")
        return self.filter(Q(pk__in=mine) | Q(cppcc_id__in=cppccs))


class DiscussionGroup(models.Model):
    cppcc = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("CPPCC committee"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=GroupStatus.choices, default=GroupStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = GroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("discussion group")
        ordering = ["status", "-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=GroupStatus.values), name="group_status_valid"),
            models.UniqueConstraint(fields=["cppcc", "name"], name="group_name_unique_in_cppcc"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("groups:group", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == GroupStatus.OPEN


class GroupEvent(models.Model):
    """A group's status history (one row per move)."""

    group = models.ForeignKey(DiscussionGroup, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=10, choices=GroupStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=GroupStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.group_id} {self.to_status}"


class Participant(models.Model):
    """A person in a group, with the kept participation counters. Removing someone keeps
    the row (``is_active`` off) so the group's figures keep what they said."""

    group = models.ForeignKey(DiscussionGroup, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_participations")
    role = models.CharField(_("role"), max_length=10, choices=ParticipantRole.choices)
    is_active = models.BooleanField(_("active"), default=True)
    speech_count = models.PositiveIntegerField(_("speeches"), default=0)
    suggestion_count = models.PositiveIntegerField(_("suggestions marked"), default=0)
    proposal_count = models.PositiveIntegerField(_("proposal drafts"), default=0)
    report_count = models.PositiveIntegerField(_("opinion-report drafts"), default=0)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("group participant")
        ordering = ["role", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="group_participant_once"),
            models.CheckConstraint(condition=Q(role__in=ParticipantRole.values), name="group_participant_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.group_id} {self.user_id} {self.role}"


class PostQuerySet(models.QuerySet["Post"]):
    def visible_to(self, user: Any) -> PostQuerySet:
        """Posts of the groups ``user`` reads, not removed; published ones, one's own in any
        moderation state, and every one for the group's managers."""
        from huying.groups.access import managed_cppcc_ids

        groups = DiscussionGroup.objects.visible_to(user)
        qs = self.filter(group__in=groups, removed_at=None)
        if not getattr(user, "is_authenticated", False):
            return qs.none()
        if user.is_administrator:
            return qs
        return qs.filter(
            Q(moderation__status=ItemStatus.PUBLISHED) | Q(author=user) | Q(group__cppcc_id__in=managed_cppcc_ids(user))
        )


class Post(models.Model):
    """A thread (``thread`` empty, with a title) or a reply in a thread."""

    group = models.ForeignKey(DiscussionGroup, on_delete=models.CASCADE, related_name="posts")
    thread = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=80, blank=True)
    body = models.TextField(_("text"))
    moderation = models.OneToOneField("moderation.ModerationItem", on_delete=models.PROTECT, related_name="group_post")
    is_pinned = models.BooleanField(_("pinned"), default=False)
    is_suggestion = models.BooleanField(_("marked as suggestion"), default=False)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    marked_at = models.DateTimeField(null=True, blank=True)
    reply_count = models.PositiveIntegerField(_("reply count"), default=0)
    last_activity_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(_("posted at"), default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Whether the post is in the kept figures (its author's speech and suggestion counts, its
    # thread's reply count) and its duty entry is live: while readers can see it (not
    # removed, published, in a thread that is too). Written only by ``actions._sync_counts``.
    counted = models.BooleanField(_("counted in the figures"), default=False)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("group post")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["group", "thread", "-is_pinned", "-last_activity_at"], name="group_post_threads_idx"),
            models.Index(fields=["thread", "created_at"], name="group_post_replies_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(thread__isnull=False) | ~Q(title=""), name="group_thread_has_title"),
        ]

    def __str__(self) -> str:
        return self.title or self.body[:30]

    def get_absolute_url(self) -> str:
        url = reverse("groups:thread", args=[self.root_id])
        return url if self.is_thread else f"{url}#post-{self.pk}"

    @property
    def is_thread(self) -> bool:
        return self.thread_id is None

    @property
    def root_id(self) -> int:
        return self.thread_id or self.pk


class PostProposalLink(models.Model):
    """A thread or a marked suggestion taken into a proposal draft; the link both ways:
    ``post.proposal_links`` and ``proposal.group_post_links``."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="proposal_links")
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="group_post_links")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "proposal"], name="group_post_proposal_once")]

    def __str__(self) -> str:
        return f"{self.post_id} → proposal {self.proposal_id}"


class PostReportLink(models.Model):
    """A thread or a marked suggestion taken into an opinion-report (社情民意) draft; the
    link both ways: ``post.report_links`` and ``report.group_post_links``."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="report_links")
    report = models.ForeignKey("opinions.OpinionReport", on_delete=models.CASCADE, related_name="group_post_links")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "report"], name="group_post_report_once")]

    def __str__(self) -> str:
        return f"{self.post_id} → report {self.report_id}"
