"""Remote consultations (远程协商): the consultation, its agenda, participants, speeches,
live text updates and the outcome document (协商成果) that departments answer through the
handling engine."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huying.consultations.choices import (
    ConsultationKind,
    ConsultationStatus,
    OutcomeStatus,
    ParticipantKind,
    SpeechKind,
    SpeechStatus,
)

# Statuses in which a consultation is shown to anyone but its organising staff.
SHOWN = (
    ConsultationStatus.PUBLISHED,
    ConsultationStatus.LIVE,
    ConsultationStatus.CLOSED,
    ConsultationStatus.CONCLUDED,
)


def staff_paths(user: Any) -> list[str]:
    """The organisation paths where ``user`` holds the agency-staff role: they organise the
    consultations of those organisations and of the special committees below them."""
    from huying.accounts.choices import Role

    return [
        a.organisation.path for a in user.active_roles if a.role == Role.AGENCY_STAFF and a.organisation is not None
    ]


def member_paths(user: Any) -> list[str]:
    from huying.accounts.choices import Role

    return [a.organisation.path for a in user.active_roles if a.role == Role.MEMBER and a.organisation is not None]


class ConsultationQuerySet(models.QuerySet["Consultation"]):
    def visible_to(self, user: Any) -> ConsultationQuerySet:
        """Who sees which consultations.

        - administrators and the organising staff (agency staff of the organiser or of a
          CPPCC committee above it) see every one, drafts included;
        - participants (members, officials, experts with an account) see theirs once
          published;
        - members see the published consultations organised in their CPPCC (the committee
          where they hold the member role and the special committees below it);
        - any signed-in person, the public included, sees those open to public viewers;
        - anonymous visitors see nothing.
        """
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_administrator:
            return self.all()
        condition = Q(pk__in=[])
        for path in staff_paths(user):
            condition |= Q(organiser__path__startswith=path)
        shown = Q(pk__in=Participant.objects.filter(user=user).values("consultation_id")) | Q(public_viewing=True)
        for path in member_paths(user):
            shown |= Q(organiser__path__startswith=path)
        condition |= Q(shown, status__in=SHOWN)
        # The departments the outcome was assigned to read the consultation it came from.
        from huying.handling.access import unit_condition
        from huying.handling.models import Assignment

        units = unit_condition(user)
        if units is not None:
            assigned = Assignment.objects.filter(units, workflow="consultation").values("case_id")
            condition |= Q(outcome__pk__in=assigned)
        return self.filter(condition)


class Consultation(models.Model):
    topic = models.CharField(_("topic"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=ConsultationKind.choices)
    summary = models.TextField(_("summary"), blank=True)
    organiser = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organiser")
    )
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    # The video runs on an existing conferencing service: its room link and, if it offers
    # one, its embed address (https only). Never a home-made video.
    video_url = models.URLField(_("conference room link"), max_length=500, blank=True)
    embed_url = models.URLField(_("conference embed address"), max_length=500, blank=True)
    place = models.CharField(_("venue"), max_length=200, blank=True)
    public_viewing = models.BooleanField(_("open to public viewers"), default=False)
    status = models.CharField(
        _("status"), max_length=12, choices=ConsultationStatus.choices, default=ConsultationStatus.DRAFT
    )
    minutes = models.TextField(_("meeting minutes"), blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="consult_ends_after")
        ]

    def __str__(self) -> str:
        return self.topic

    @property
    def number(self) -> str:
        return f"XS-{self.starts_at:%Y}-{self.pk:04d}"

    def minutes_paragraphs(self) -> list[str]:
        return [p.strip() for p in self.minutes.split("\n") if p.strip()]


class AgendaItem(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(_("agenda item"), max_length=200)

    class Meta:
        ordering = ["consultation", "position"]
        constraints = [models.UniqueConstraint(fields=["consultation", "position"], name="consult_agenda_position")]

    def __str__(self) -> str:
        return self.title


class Participant(models.Model):
    """A member, a department official or an expert taking part. Experts may have no
    account: then only their name and affiliation are kept (the staff speak for them)."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="participants")
    kind = models.CharField(_("part"), max_length=10, choices=ParticipantKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=60)
    affiliation = models.CharField(_("affiliation"), max_length=120, blank=True)

    class Meta:
        ordering = ["consultation", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "user"], condition=Q(user__isnull=False), name="consult_participant_once"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Speech(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="speeches")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="speeches")
    kind = models.CharField(_("speech type"), max_length=10, choices=SpeechKind.choices)
    summary = models.TextField(_("summary"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=SpeechStatus.choices, default=SpeechStatus.QUEUED)
    position = models.PositiveIntegerField(default=0)  # the host's order of the speakers
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["consultation", "position", "id"]
        constraints = [
            # One waiting speech per participant.
            models.UniqueConstraint(
                fields=["consultation", "participant"],
                condition=Q(status="queued"),
                name="consult_one_queued_speech",
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant.name}: {self.summary[:30]}"


class LiveUpdate(models.Model):
    """A short text update posted by the staff during the consultation; viewers poll for
    the ones after the last id they have (``?after=``)."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="updates")
    text = models.CharField(_("update"), max_length=500)
    speech = models.ForeignKey(Speech, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["consultation", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class Outcome(models.Model):
    """协商成果: the consensus and the numbered recommendations, sent to departments whose
    answers go through the handling engine (workflow ``consultation``; this is its case)."""

    consultation = models.OneToOneField(Consultation, on_delete=models.CASCADE, related_name="outcome")
    consensus = models.TextField(_("consensus"))
    recommendations = models.TextField(_("recommendations"), help_text=_("One recommendation a line."))
    status = models.CharField(_("status"), max_length=10, choices=OutcomeStatus.choices, default=OutcomeStatus.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"XSCG-{self.consultation_id:04d}"

    def recommendation_items(self) -> list[str]:
        return [line.strip() for line in self.recommendations.split("\n") if line.strip()]


def answers(assignment_ids: list[int]) -> dict[int, str]:
    """The departments' answers: the note of each assignment's latest *resolved* step."""
    from huying.handling.models import CaseEvent

    found: dict[int, str] = {}
    for assignment_id, note in (
        CaseEvent.objects.filter(assignment_id__in=assignment_ids, kind="resolved")
        .order_by("created_at", "id")
        .values_list("assignment_id", "note")
    ):
        found[assignment_id] = note
    return found
