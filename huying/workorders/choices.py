"""Choices of the work-order workflow: one place for every channel, nature and status."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("12345 hotline")
    GRID = "grid", _("Grid inspector")
    WEB = "web", _("Public web form")
    MEMBER = "member", _("Member referral")
    OPEN311 = "open311", _("Open311")


class Nature(models.TextChoices):
    CONSULTATION = "consultation", pgettext_lazy("work order nature", "Consultation")
    HELP = "help", _("Request for help")
    COMPLAINT = "complaint", _("Complaint")
    REPORT = "report", _("Report of a violation")
    SUGGESTION = "suggestion", _("Suggestion")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
    EMERGENCY = "emergency", _("Emergency")


class AreaClass(models.TextChoices):
    CLASS_1 = "1", _("Class 1 area")
    CLASS_2 = "2", _("Class 2 area")
    CLASS_3 = "3", _("Class 3 area")


class OrderStatus(models.TextChoices):
    NEW = "new", _("New")
    DISPATCHED = "dispatched", _("Dispatched")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged into another order")
    CANCELLED = "cancelled", _("Cancelled")


def status_display(status: str) -> str:
    """``order.get_status_display()`` without its cost: Django builds a dictionary of the
    choices on every call, the enumeration looks the label up (the API's order answers,
    a list's every row). A value outside the choices is shown as it is, as Django does."""
    try:
        return str(OrderStatus(status).label)
    except ValueError:
        return status


class OrderEventKind(models.TextChoices):
    """The order's own steps in its history (the engine's ``CaseEvent`` with scope *case*;
    its units' steps are the engine's kinds). Registered in ``apps.py``."""

    RECEIVED = "received", _("Order received")
    STATUS = "status", _("Status changed")
    MERGED = "merged", _("Duplicates merged into this order")
    MERGE_MOVED = "merge_moved", _("Merged orders moved to the new parent")


class AttachmentKind(models.TextChoices):
    INTAKE = "intake", _("Submitted with the report")
    EVIDENCE = "evidence", _("Evidence of the result")


# Orders still waiting for an answer.
OPEN_ORDER_STATUSES = (OrderStatus.NEW, OrderStatus.DISPATCHED, OrderStatus.IN_PROGRESS)

# Second-level categories the dashboard breaks out by their children (codes of the seeded
# tree): 六乱, 五类车. The stored daily summary keeps these down to the third level.
FOCUS_CATEGORIES = ("0101", "0102")

# Chinese names the hotline systems export, mapped to our codes (imports and the API accept both).
NATURE_ALIASES = {
    "咨询": Nature.CONSULTATION,
    "求助": Nature.HELP,
    "投诉": Nature.COMPLAINT,
    "举报": Nature.REPORT,
    "建议": Nature.SUGGESTION,
}
URGENCY_ALIASES = {"一般": Urgency.NORMAL, "普通": Urgency.NORMAL, "紧急": Urgency.URGENT, "特急": Urgency.EMERGENCY}
AREA_CLASS_ALIASES = {"一类": AreaClass.CLASS_1, "二类": AreaClass.CLASS_2, "三类": AreaClass.CLASS_3}
