"""Duty activities (履职活动): the activity, its participants, their reminders, the
photos of its report and the history of every move.

Only :mod:`huying.activities.transitions` writes ``Activity.status`` and
``Participation.status``; every move writes an :class:`ActivityEvent` in the same
transaction.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huying.activities.choices import (
    ActivityKind,
    ActivityStatus,
    CheckInMethod,
    EventKind,
    InvitationMode,
    ParticipationStatus,
    ReminderSlot,
)
from huying.core.models import StoredFile


def new_token() -> str:
    return secrets.token_urlsafe(24)


def path_ids(path: str) -> list[int]:
    """The ids of a node and its ancestors from its materialised path."""
    return [int(part) for part in path.strip("/").split("/") if part]


class ActivityQuerySet(models.QuerySet["Activity"]):
    def visible_to(self, user: Any) -> ActivityQuerySet:
        """Who sees which activities.

        - the staff who manage an organiser (:func:`huying.activities.access.managed_paths`)
          see its activities, drafts included;
        - leaders at a CPPCC committee see the published activities of it and below;
        - a member sees the activities they take part in (invited, signed up…) and the
          open sign-up activities of their CPPCC and the CPPCCs above it;
        - everyone else (other staff, the public, anonymous visitors) sees nothing.
        """
        from huying.accounts.choices import Role
        from huying.activities.access import managed_paths, member_cppcc_paths
        from huying.organisations.choices import OrgKind

        if not getattr(user, "is_authenticated", False):
            return self.none()
        condition = Q(pk__in=[])
        for path in managed_paths(user):
            condition |= Q(organiser__path__startswith=path)
        shown = ~Q(status=ActivityStatus.DRAFT)
        for role in user.active_roles:
            org = role.organisation
            if role.role == Role.LEADER and org is not None and org.kind == OrgKind.CPPCC:
                condition |= shown & Q(cppcc__path__startswith=org.path)
        member_paths = member_cppcc_paths(user)
        if member_paths:
            condition |= shown & Q(participations__member=user)
            above: set[int] = set()
            for path in member_paths:
                above.update(path_ids(path))
            condition |= shown & Q(mode=InvitationMode.OPEN, cppcc_id__in=sorted(above))
        return self.filter(condition).distinct()


class Activity(models.Model):
    """An activity organised by agency staff of a CPPCC, its office or special committee."""

    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    organiser = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    # The organiser's CPPCC committee (the organiser itself or the committee above its office
    # or special committee): whose members are invited or may sign up.
    cppcc = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("CPPCC committee"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    mode = models.CharField(
        _("who takes part"), max_length=8, choices=InvitationMode.choices, default=InvitationMode.INVITED
    )
    signup_deadline = models.DateTimeField(_("sign-up deadline"), null=True, blank=True)
    # The invitation rules (a member matching any of them is invited when published).
    invite_committees = models.ManyToManyField(
        "organisations.Organisation", verbose_name=_("special committees invited"), blank=True, related_name="+"
    )
    invite_sectors = models.ManyToManyField(
        "organisations.Sector", verbose_name=_("sectors invited"), blank=True, related_name="+"
    )
    invite_levels = models.JSONField(_("member levels invited"), default=list, blank=True)
    invite_members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members invited by name"), blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ActivityStatus.choices, default=ActivityStatus.DRAFT, db_index=True
    )
    checkin_token = models.CharField(_("check-in code"), max_length=64, default=new_token)
    report = models.TextField(_("activity report"), blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="activity_ends_after_start"),
            models.CheckConstraint(
                condition=~Q(mode=InvitationMode.OPEN) | Q(signup_deadline__isnull=False),
                name="activity_open_has_deadline",
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gt=0), name="activity_capacity_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        """The activity's page (the duty record links its entries here)."""
        from django.urls import reverse

        return reverse("activities:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.mode == InvitationMode.OPEN


class ParticipationQuerySet(models.QuerySet["Participation"]):
    def visible_to(self, user: Any) -> ParticipationQuerySet:
        """A member sees their own participations; the staff who manage the organiser see
        the whole roster; leaders at a CPPCC the rosters of its published activities."""
        from huying.accounts.choices import Role
        from huying.activities.access import managed_paths
        from huying.organisations.choices import OrgKind

        if not getattr(user, "is_authenticated", False):
            return self.none()
        condition = Q(member=user, activity__status__in=[s for s in ActivityStatus.values if s != "draft"])
        for path in managed_paths(user):
            condition |= Q(activity__organiser__path__startswith=path)
        for role in user.active_roles:
            org = role.organisation
            if role.role == Role.LEADER and org is not None and org.kind == OrgKind.CPPCC:
                condition |= ~Q(activity__status=ActivityStatus.DRAFT) & Q(activity__cppcc__path__startswith=org.path)
        return self.filter(condition)


class Participation(models.Model):
    """One member's part in one activity: invited, signed up, on leave, attended…"""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="participations"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.PROTECT, related_name="participations"
    )
    status = models.CharField(_("status"), max_length=16, choices=ParticipationStatus.choices, db_index=True)
    invited = models.BooleanField(_("invited"), default=False)
    leave_reason = models.CharField(_("reason for leave"), max_length=300, blank=True)
    leave_note = models.CharField(_("note on the leave"), max_length=300, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    check_in_method = models.CharField(_("checked in by"), max_length=8, choices=CheckInMethod.choices, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["activity_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "member"], name="participation_one_per_member"),
        ]
        indexes = [models.Index(fields=["member", "status"], name="participation_member_status")]

    def __str__(self) -> str:
        return f"{self.member} · {self.activity}"


class Reminder(models.Model):
    """A reminder sent to one participant before an activity; once per slot (unique)."""

    activity = models.ForeignKey(Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.CASCADE)
    slot = models.CharField(_("when"), max_length=4, choices=ReminderSlot.choices)
    sent_at = models.DateTimeField(_("reminded at"))

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(fields=["activity", "member", "slot"], name="activity_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}/{self.member_id}/{self.slot}"


class ActivityEvent(models.Model):
    """One step of an activity's history (a move of the activity or of a participant)."""

    activity = models.ForeignKey(Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="events")
    participation = models.ForeignKey(
        Participation,
        verbose_name=_("participation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("activity event")
        verbose_name_plural = _("activity events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


class ActivityPhoto(StoredFile):
    """A photo of the activity's report; read by whoever may see the activity."""

    activity = models.ForeignKey(Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="photos")

    class Meta:
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")
        ordering = ["created_at", "id"]

    def storage_dir(self) -> str:
        return f"activities/{self.activity_id}"
