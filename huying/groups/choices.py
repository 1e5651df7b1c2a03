from django.db import models
from django.utils.translation import gettext_lazy as _


class GroupStatus(models.TextChoices):
    OPEN = "open", _("Open for discussion")
    ARCHIVED = "archived", _("Archived")


class ParticipantRole(models.TextChoices):
    MEMBER = "member", _("Member")
    STAFF = "staff", _("Group staff")


class DraftTarget(models.TextChoices):
    PROPOSAL = "proposal", _("Proposal draft")
    REPORT = "report", _("Opinion-report draft")
