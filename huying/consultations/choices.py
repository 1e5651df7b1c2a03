"""The consultations' choices: kinds, statuses, participants' parts, speeches and events."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsultationKind(models.TextChoices):
    THEMATIC = "thematic", _("Thematic consultation")
    COUNTERPART = "counterpart", _("Counterpart consultation")
    SECTOR = "sector", _("Sector consultation")
    PROPOSAL_HANDLING = "proposal_handling", _("Proposal-handling consultation")


class ConsultationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Announced")
    LIVE = "live", _("Live")
    CLOSED = "closed", _("Ended")
    CONCLUDED = "concluded", _("Outcome sent")


class ParticipantKind(models.TextChoices):
    MEMBER = "member", _("CPPCC member")
    OFFICIAL = "official", _("Department official")
    EXPERT = "expert", _("Expert")


class SpeechKind(models.TextChoices):
    BOOKED = "booked", _("Booked in advance")
    REQUESTED = "requested", _("Asked to speak on the day")


class SpeechStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to speak")
    GIVEN = "given", _("Given")
    SKIPPED = "skipped", _("Skipped")
    WITHDRAWN = "withdrawn", _("Withdrawn by the speaker")


class OutcomeStatus(models.TextChoices):
    DRAFT = "draft", _("Being written")
    SENT = "sent", _("Sent to departments")
    ANSWERED = "answered", _("All departments answered")


class EventKind(models.TextChoices):
    """The consultation's own steps in its history (``CaseEvent``, scope *case*)."""

    CREATED = "consultation_created", _("Consultation created")
    PUBLISHED = "consultation_published", _("Consultation published")
    OPENED = "consultation_opened", _("Consultation went live")
    CLOSED = "consultation_closed", _("Consultation closed")
    CONCLUDED = "consultation_concluded", _("Consultation outcome sent")


class OutcomeEventKind(models.TextChoices):
    SENT = "outcome_sent", _("Outcome sent to departments")
    ANSWERED = "outcome_answered", _("Every department answered the outcome")
    REOPENED = "outcome_reopened", _("Outcome answers reopened")
