from django.db import models
from django.utils.translation import gettext_lazy as _


class ColumnKind(models.TextChoices):
    FLAGSHIP = "flagship", _("One committee, one flagship topic")
    TOPIC = "topic", _("Topic column")


class ColumnStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class CoverColour(models.TextChoices):
    RED = "red", _("Red")
    BLUE = "blue", _("Blue")
    TEAL = "teal", _("Teal")
    GREEN = "green", _("Green")
    ORANGE = "orange", _("Orange")
    PURPLE = "purple", _("Purple")


# Statuses in which a flagship counts as the committee's one active flagship.
ACTIVE_STATUSES = (ColumnStatus.DRAFT, ColumnStatus.PUBLISHED)
