from django.db import models


class OpinionStatus(models.TextChoices):
    NEW = "new", "待征询"
    CONSULTING = "consulting", "征询中"
    ANSWERED = "answered", "已答复"
    CLOSED = "closed", "已办结"


class OpinionRequest(models.Model):
    """The case: what the office asks. Its ``status`` is written only by ``transitions``."""

    number = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=200)
    office = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=OpinionStatus.choices, default=OpinionStatus.NEW)

    def __str__(self) -> str:
        return self.number
