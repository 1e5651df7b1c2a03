from django.db import models
from django.utils.translation import gettext_lazy as _


class ActGroup(models.TextChoices):
    """The groups of acts the record is filtered and counted by (a module may add its own
    group; an unknown group reads as its key)."""

    PROPOSAL = "proposal", _("Proposals")
    OPINION = "opinion", _("Public-opinion reports")
    ACTIVITY = "activity", _("Duty activities")
    CONSULTATION = "consultation", _("Consultations")
    RECEPTION = "reception", _("Member reception room")


class ScopeKind(models.TextChoices):
    """What a ranking ranks the members of."""

    CPPCC = "cppcc", _("CPPCC committee")
    COMMITTEE = "committee", _("Special committee")
    SECTOR = "sector", _("Sector")
