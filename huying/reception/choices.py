from django.db import models
from django.utils.translation import gettext_lazy as _


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open", _("Open for questions")
    CLOSED = "closed", _("Ended")
    CANCELLED = "cancelled", _("Session cancelled")


class Phase(models.TextChoices):
    """How the list groups sessions (read from the status)."""

    UPCOMING = "upcoming", _("Coming sessions")
    LIVE = "live", _("Receiving now")
    PAST = "past", _("Past sessions")
