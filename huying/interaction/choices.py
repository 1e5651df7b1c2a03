from django.db import models
from django.utils.translation import gettext_lazy as _


class SuggestionCategory(models.TextChoices):
    ECONOMY = "economy", _("Economy and business")
    CITY = "city", _("Urban construction and transport")
    ENVIRONMENT = "environment", _("Environment")
    EDUCATION = "education", _("Education and culture")
    HEALTH = "health", _("Health and elderly care")
    SOCIAL = "social", _("Social affairs and livelihood")
    OTHER = "other", _("Other")


class DebateStatus(models.TextChoices):
    DRAFT = "draft", _("Not yet open")
    OPEN = "open", _("Voting open")
    CLOSED = "closed", _("Voting closed")


class Side(models.TextChoices):
    A = "a", _("Side A")
    B = "b", _("Side B")
