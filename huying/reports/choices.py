from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    """Which half of the platform a report covers; decided by its scope's kind."""

    HOTLINE = "hotline", _("Work orders (有呼必应)")
    CPPCC = "cppcc", _("Proposals and opinion reports")


class ReportStatus(models.TextChoices):
    GENERATING = "generating", _("Generating")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class FileFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "Excel (XLSX)"
