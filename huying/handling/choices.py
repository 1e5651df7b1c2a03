"""Choices of the handling engine: one place for every status, role and kind."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday (rest day)")
    WORKDAY = "workday", _("Make-up working day")


class LimitUnit(models.TextChoices):
    MINUTES = "minutes", _("minutes")
    HOURS = "hours", _("hours")
    DAYS = "days", _("calendar days")
    WORKING_DAYS = "working_days", _("working days")
    MONTHS = "months", _("months")


class Stage(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    RESPOND = "respond", _("Respond")
    RESOLVE = "resolve", _("Resolve")


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Lead unit")
    CO = "co", _("Co-handling unit")
    SINGLE = "single", _("Sole handling unit")
    SEPARATE = "separate", _("Separate handling unit")


# Roles that carry the case: at most one active per case (DB constraint).
LEAD_ROLES = (AssignmentRole.LEAD, AssignmentRole.SINGLE)


class Status(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    ACCEPTED = "accepted", _("Accepted")
    RESPONDED = "responded", _("Responded")
    REOPENED = "reopened", _("Reopened")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    RETURNED = "returned", _("Returned")
    OBJECTED = "objected", _("Objected")
    ESCALATED = "escalated", _("Called up to the next tier")
    CANCELLED = "cancelled", _("Cancelled (reassigned)")


# The unit is working on it: deadlines run and warnings are sent.
OPEN_STATUSES = (Status.ASSIGNED, Status.ACCEPTED, Status.RESPONDED, Status.REOPENED)
# The assignment still holds the unit's place on the case (partial unique constraints).
ACTIVE_STATUSES = (*OPEN_STATUSES, Status.RESOLVED, Status.OBJECTED)
# Signed for and not yet resolved: respond, resolve, call up and ask for more time.
WORKING_STATUSES = (Status.ACCEPTED, Status.RESPONDED, Status.REOPENED)


class Tier(models.IntegerChoices):
    FIRST = 1, _("Tier 1: street / community")
    SECOND = 2, _("Tier 2: functional department")
    THIRD = 3, _("Tier 3: district / city leadership")


class EventKind(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")
    OBJECTED = "objected", _("Objection raised")
    OBJECTION_OVERRULED = "objection_overruled", _("Objection overruled")
    RESPONDED = "responded", _("Responded")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    ESCALATED = "escalated", _("Called up")
    CANCELLED = "cancelled", _("Cancelled")
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
    EXTENSION_APPROVED = "extension_approved", _("Extension approved")
    EXTENSION_REFUSED = "extension_refused", _("Extension refused")
    PROGRESS = "progress", _("Progress note")
    URGED = "urged", _("Urging notice")
    WARNING = "warning", _("Deadline warning")
    SUPERVISION_ESCALATED = "supervision_escalated", _("Supervision escalated")
    FEEDBACK = "feedback", _("Feedback recorded")


class EventScope(models.TextChoices):
    """Whose step a :class:`~huying.handling.models.CaseEvent` records, and so whose
    statuses its ``from_status``/``to_status`` are: one of the case's assignments (the
    engine's moves) or the case itself (the workflow's own steps)."""

    ASSIGNMENT = "assignment", _("Assignment")
    CASE = "case", _("Case")


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class WarningLevel(models.TextChoices):
    OK = "ok", _("On time")
    YELLOW = "yellow", _("Yellow warning")
    RED = "red", _("Red warning (overdue)")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class FeedbackChannel(models.TextChoices):
    PHONE = "phone", _("Return call")
    SMS = "sms", _("Text message")
    WEB = "web", _("Web or app")
    IN_PERSON = "in_person", _("In person")
    FORM = "form", _("Feedback form")


class NotificationKind(models.TextChoices):
    ASSIGNMENT = "assignment", _("New assignment")
    STATUS = "status", _("Status change")
    EXTENSION = "extension", _("Extension")
    URGE = "urge", _("Urging notice")
    WARNING = "warning", _("Deadline warning")
    SUPERVISION = "supervision", _("Supervision escalated")
    FEEDBACK = "feedback", _("Feedback")
