"""委员会客室: a CPPCC member hosts a themed, time-boxed session; the real-name verified
public ask questions (moderated, space ``reception_questions``), the host answers.

A question carries a one-to-one :class:`~huying.moderation.models.ModerationItem`; public
reads take ``published`` ones only. Only :mod:`huying.reception.transitions` writes
``ReceptionSession.status``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huying.moderation.choices import ItemStatus
from huying.reception.choices import Phase, SessionStatus

PUBLISHED = Q(moderation__status=ItemStatus.PUBLISHED)


def _is_moderator(user: Any) -> bool:
    from huying.moderation.access import is_moderator

    return is_moderator(user)


class SessionQuerySet(models.QuerySet["ReceptionSession"]):
    def visible_to(self, user: Any) -> SessionQuerySet:
        """Scheduled, open and ended sessions for everyone (anonymous visitors included);
        cancelled ones for their host and for moderators (agency staff, administrators)."""
        if _is_moderator(user):
            return self.all()
        if getattr(user, "is_authenticated", False):
            return self.filter(~Q(status=SessionStatus.CANCELLED) | Q(host=user))
        return self.exclude(status=SessionStatus.CANCELLED)

    def with_counts(self) -> SessionQuerySet:
        """Published questions and answers per session (two counts in the same query)."""
        return self.annotate(
            published_questions=models.Count("questions", filter=Q(questions__moderation__status=ItemStatus.PUBLISHED)),
            answered_questions=models.Count(
                "questions",
                filter=Q(questions__moderation__status=ItemStatus.PUBLISHED, questions__answer__isnull=False),
            ),
        )

    def phase(self, phase: str) -> SessionQuerySet:
        if phase == Phase.LIVE:
            return self.filter(status=SessionStatus.OPEN).order_by("ends_at", "pk")
        if phase == Phase.UPCOMING:
            return self.filter(status=SessionStatus.SCHEDULED).order_by("starts_at", "pk")
        return self.filter(status=SessionStatus.CLOSED).order_by("-ends_at", "-pk")


class ReceptionSession(models.Model):
    """One session of the reception room: a theme, a time box and the member who hosts it
    in the CPPCC where they are a member."""

    cppcc = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("CPPCC committee"), on_delete=models.PROTECT, related_name="+"
    )
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("host member"), on_delete=models.PROTECT, related_name="+"
    )
    theme = models.CharField(_("theme"), max_length=100)
    description = models.TextField(_("session description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(
        _("status"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("reception session")
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["status", "starts_at"], name="reception_status_start_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=SessionStatus.values), name="reception_status_valid"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="reception_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.theme

    def get_absolute_url(self) -> str:
        return reverse("reception:session", args=[self.pk])

    def accepts_questions(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.status == SessionStatus.OPEN and self.starts_at <= now < self.ends_at

    @property
    def phase(self) -> str:
        return {
            SessionStatus.OPEN: Phase.LIVE,
            SessionStatus.SCHEDULED: Phase.UPCOMING,
        }.get(SessionStatus(self.status), Phase.PAST)


class SessionEvent(models.Model):
    """A session's status history (one row per move)."""

    session = models.ForeignKey(ReceptionSession, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=10, choices=SessionStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=SessionStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.session_id} {self.to_status}"


class QuestionQuerySet(models.QuerySet["Question"]):
    def visible_to(self, user: Any) -> QuestionQuerySet:
        """Published questions of visible sessions for everyone; one's own in any state;
        every question for moderators."""
        sessions = ReceptionSession.objects.visible_to(user)
        if _is_moderator(user):
            return self.filter(session__in=sessions)
        if getattr(user, "is_authenticated", False):
            return self.filter(PUBLISHED | Q(author=user), session__in=sessions)
        return self.filter(PUBLISHED, session__in=sessions)

    def published(self) -> QuestionQuerySet:
        return self.filter(PUBLISHED)


class Question(models.Model):
    session = models.ForeignKey(ReceptionSession, on_delete=models.CASCADE, related_name="questions")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("asked by"), on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(_("question text"))
    moderation = models.OneToOneField(
        "moderation.ModerationItem", on_delete=models.PROTECT, related_name="reception_question"
    )
    adopted_at = models.DateTimeField(_("adopted at"), null=True, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("reception question")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["session", "created_at"], name="reception_question_idx")]

    def __str__(self) -> str:
        return self.body[:30]

    def get_absolute_url(self) -> str:
        return reverse("reception:session", args=[self.session_id]) + f"#q{self.pk}"


class Answer(models.Model):
    """The host's answer to a question; editable until the session ends."""

    question = models.OneToOneField(Question, on_delete=models.CASCADE, related_name="answer")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("answered by"), on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(_("answer"))
    created_at = models.DateTimeField(_("answered at"), default=timezone.now)
    updated_at = models.DateTimeField(_("edited at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reception answer")

    def __str__(self) -> str:
        return self.body[:30]


class QuestionProposalLink(models.Model):
    """An adopted question taken into a proposal draft; the link both ways:
    ``question.proposal_links`` and ``proposal.reception_question_links``."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="proposal_links")
    proposal = models.ForeignKey(
        "proposals.Proposal", on_delete=models.CASCADE, related_name="reception_question_links"
    )
    adopted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("question taken into a proposal")
        constraints = [
            models.UniqueConstraint(fields=["question", "proposal"], name="reception_question_proposal_once")
        ]

    def __str__(self) -> str:
        return f"{self.question_id} → {self.proposal_id}"


class QuestionReportLink(models.Model):
    """An adopted question taken into an opinion-report (社情民意) draft; the link both ways:
    ``question.report_links`` and ``report.reception_question_links``."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="report_links")
    report = models.ForeignKey(
        "opinions.OpinionReport", on_delete=models.CASCADE, related_name="reception_question_links"
    )
    adopted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("question taken into an opinion report")
        constraints = [models.UniqueConstraint(fields=["question", "report"], name="reception_question_report_once")]

    def __str__(self) -> str:
        return f"{self.question_id} → report {self.report_id}"
