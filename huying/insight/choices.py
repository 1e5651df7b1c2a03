from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Side(models.TextChoices):
    """Whose texts a topic is made of: the government side reads work orders (the command
    centre), the CPPCC side reads the public texts (suggestions, proposals, reports)."""

    GOVERNMENT = "government", _("Work orders")
    PUBLIC = "public", _("Public texts")


class Trend(models.TextChoices):
    NEW = "new", pgettext_lazy("topic trend", "New")
    RISING = "rising", pgettext_lazy("topic trend", "Rising")
    STEADY = "steady", pgettext_lazy("topic trend", "Steady")
    FALLING = "falling", pgettext_lazy("topic trend", "Falling")


class DraftKind(models.TextChoices):
    PROPOSAL = "proposal", _("Proposal")
    REPORT = "report", _("Opinion report")
