from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting moderation")
    PUBLISHED = "published", _("Published")
    HIDDEN = "hidden", _("Hidden")


class WordAction(models.TextChoices):
    BLOCK = "block", _("Block the submission")
    REVIEW = "review", _("Send to the moderation queue")


class Move(models.TextChoices):
    SUBMIT = "submit", _("Submitted")
    PUBLISH = "publish", _("Published")
    HIDE = "hide", _("Hidden")
    RESTORE = "restore", _("Restored")
    REQUEUE = "requeue", _("Sent back to the queue after reports")
