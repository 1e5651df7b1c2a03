"""Choices of the duty activities (履职活动), with their Chinese labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ActivityKind(models.TextChoices):
    INSPECTION = "inspection", _("Inspection")
    RESEARCH = "research", _("Research")
    CONSULTATION = "consultation", _("Consultation")
    TRAINING = "training", _("Training")
    MEETING = "meeting", _("Meeting")
    STUDIO = "studio", _("Members' studio")
    OTHER = "other", _("Other activity")


class ActivityStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", pgettext_lazy("activity", "Published")
    CANCELLED = "cancelled", pgettext_lazy("activity", "Cancelled")
    FINISHED = "finished", pgettext_lazy("activity", "Finished")


class InvitationMode(models.TextChoices):
    INVITED = "invited", _("By invitation")
    OPEN = "open", _("Open sign-up")


class ParticipationStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    SIGNED_UP = "signed_up", _("Signed up")
    DECLINED = "declined", pgettext_lazy("activity", "Declined")
    LEAVE_REQUESTED = "leave_requested", _("Leave requested")
    LEAVE_APPROVED = "leave_approved", _("Leave approved")
    LEAVE_REFUSED = "leave_refused", _("Leave refused")
    ATTENDED = "attended", _("Attended")
    ABSENT = "absent", _("Absent without leave")
    EXCUSED = "excused", _("Absent with leave")


class CheckInMethod(models.TextChoices):
    QR = "qr", _("QR code")
    STAFF = "staff", _("Marked by staff")


class ReminderSlot(models.TextChoices):
    DAY = "24h", _("A day before")
    HOURS = "2h", _("Two hours before")


class EventKind(models.TextChoices):
    """The steps written to an activity's history (one row per move)."""

    CREATED = "created", pgettext_lazy("activity", "Created")
    UPDATED = "updated", _("Changed")
    PUBLISHED = "published", pgettext_lazy("activity", "Published")
    CANCELLED = "cancelled", pgettext_lazy("activity", "Cancelled")
    FINISHED = "finished", pgettext_lazy("activity", "Finished")
    REPORT = "report", _("Report changed")
    TOKEN = "token", _("Check-in code renewed")
    SIGNED_UP = "signed_up", _("Signed up")
    DECLINED = "declined", pgettext_lazy("activity", "Declined")
    LEAVE_REQUESTED = "leave_requested", _("Asked for leave")
    LEAVE_APPROVED = "leave_approved", _("Leave approved")
    LEAVE_REFUSED = "leave_refused", _("Leave refused")
    CHECKED_IN = "checked_in", _("Checked in")
    UNMARKED = "unmarked", _("Attendance removed")
    CORRECTED = "corrected", _("Attendance corrected")


# Statuses that take a seat (counted against the capacity).
SEAT_STATUSES = (
    ParticipationStatus.SIGNED_UP,
    ParticipationStatus.LEAVE_REQUESTED,
    ParticipationStatus.LEAVE_REFUSED,
    ParticipationStatus.ATTENDED,
)
# Statuses from which a participant may check in (QR) or be marked present (staff).
CHECK_IN_FROM = (
    ParticipationStatus.INVITED,
    ParticipationStatus.SIGNED_UP,
    ParticipationStatus.LEAVE_REQUESTED,
    ParticipationStatus.LEAVE_APPROVED,
    ParticipationStatus.LEAVE_REFUSED,
)
# Outcomes once the activity is finished (recorded in the duty record).
OUTCOMES = (ParticipationStatus.ATTENDED, ParticipationStatus.ABSENT, ParticipationStatus.EXCUSED)
