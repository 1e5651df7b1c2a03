"""The handling engine's tables: working-time calendar, time-limit rules, assignments of
cases to units with their events, extension requests, deadline warnings, feedback and
notifications.

A *case* is any row of another app (a work order, a proposal…), referenced by
``(case_type, case_id)``; the engine never imports the workflow apps. Only
:mod:`huying.handling.transitions` writes ``Assignment.status`` and the timestamps and
deadlines that go with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huying.handling.choices import (
    ACTIVE_STATUSES,
    LEAD_ROLES,
    OPEN_STATUSES,
    AssignmentRole,
    DayKind,
    EventKind,
    EventScope,
    ExtensionStatus,
    FeedbackChannel,
    LimitUnit,
    NotificationKind,
    Rating,
    Stage,
    Status,
    WarningLevel,
)

if TYPE_CHECKING:
    from datetime import datetime

    from huying.accounts.models import User


class CalendarDay(models.Model):
    """An exception to the default week (Monday–Friday work, Saturday–Sunday rest): a
    public holiday on a weekday, or a make-up working day (调休上班) on a weekend."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=40, blank=True, help_text=_("E.g. 春节 or 国庆节"))

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]
        constraints = [models.CheckConstraint(condition=Q(kind__in=DayKind.values), name="calendarday_kind_valid")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()


class TimeLimitRule(models.Model):
    """Time limits of one workflow for the cases it matches.

    Empty match fields are wildcards. :func:`huying.handling.limits.limits_for` picks the
    most specific active rule (precedence in docs/handling-engine.md)."""

    workflow = models.CharField(_("workflow"), max_length=30, db_index=True)
    nature = models.CharField(_("nature"), max_length=30, blank=True, help_text=_("Empty matches any nature."))
    urgency = models.CharField(_("urgency"), max_length=30, blank=True, help_text=_("Empty matches any urgency."))
    category_prefix = models.CharField(
        _("category code prefix"),
        max_length=30,
        blank=True,
        help_text=_("Matches every category whose code starts with this; empty matches any."),
    )
    name = models.CharField(_("name"), max_length=80, blank=True)
    accept_amount = models.PositiveIntegerField(
        _("accept limit"), null=True, blank=True, validators=[MinValueValidator(1)], help_text=_("Empty: no limit.")
    )
    accept_unit = models.CharField(
        _("accept limit unit"), max_length=12, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS
    )
    respond_amount = models.PositiveIntegerField(
        _("respond limit"), null=True, blank=True, validators=[MinValueValidator(1)], help_text=_("Empty: no limit.")
    )
    respond_unit = models.CharField(
        _("respond limit unit"), max_length=12, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS
    )
    resolve_amount = models.PositiveIntegerField(
        _("resolve limit"), null=True, blank=True, validators=[MinValueValidator(1)], help_text=_("Empty: no limit.")
    )
    resolve_unit = models.CharField(
        _("resolve limit unit"), max_length=12, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS
    )
    objection_amount = models.PositiveIntegerField(
        _("objection limit"), null=True, blank=True, validators=[MinValueValidator(1)], help_text=_("Empty: no limit.")
    )
    objection_unit = models.CharField(
        _("objection limit unit"), max_length=12, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS
    )
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("time-limit rule")
        verbose_name_plural = _("time-limit rules")
        ordering = ["workflow", "urgency", "category_prefix", "nature"]
        constraints = [
            models.UniqueConstraint(
                fields=["workflow", "nature", "urgency", "category_prefix"], name="timelimitrule_unique_match"
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{stage}_amount__isnull": True}) | Q(**{f"{stage}_amount__gt": 0}),
                    name=f"timelimitrule_{stage}_positive",
                )
                for stage in ("accept", "respond", "resolve", "objection")
            ],
        ]

    def __str__(self) -> str:
        return self.name or f"{self.workflow} {self.nature or '*'}/{self.urgency or '*'}/{self.category_prefix or '*'}"


class AssignmentQuerySet(models.QuerySet["Assignment"]):
    def for_case(self, case: models.Model) -> AssignmentQuerySet:
        return self.filter(case_type=ContentType.objects.get_for_model(case), case_id=case.pk)

    def open(self) -> AssignmentQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def active(self) -> AssignmentQuerySet:
        return self.filter(status__in=ACTIVE_STATUSES)

    def overdue(self, now: datetime) -> AssignmentQuerySet:
        """Open assignments past the deadline of a stage still running (red)."""
        return self.open().filter(_stage_condition(now, "due"))

    def due_soon(self, now: datetime) -> AssignmentQuerySet:
        """Open assignments inside the warning window of a running stage but not overdue (yellow)."""
        return self.open().filter(_stage_condition(now, "warn_at")).exclude(_stage_condition(now, "due"))

    def visible_to(self, user: User) -> AssignmentQuerySet:
        """What a person may read (docs/handling-engine.md, "Who sees and acts on an
        assignment"): the assignments of the units where they hold a handling role (a
        leader also those of the units below), those supervised by an office where they
        hold a supervising role or below it; everything for administrators. Never an
        assignment made to a unit above the person's own (:mod:`huying.handling.access`)."""
        from huying.handling.access import visible_condition

        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_administrator:
            return self.all()
        condition = visible_condition(user)
        if condition is None:
            return self.none()
        return self.filter(condition)


def _stage_condition(now: datetime, column: str) -> Q:
    """Running stages whose ``<stage>_<column>`` has passed: accept while not yet signed
    for, respond while signed for but not responded, resolve while open."""
    return (
        Q(status=Status.ASSIGNED, **{f"accept_{column}__lte" if column == "warn_at" else f"accept_{column}__lt": now})
        | Q(
            status__in=(Status.ACCEPTED, Status.REOPENED),
            responded_at__isnull=True,
            **{f"respond_{column}__lte" if column == "warn_at" else f"respond_{column}__lt": now},
        )
        | Q(**{f"resolve_{column}__lte" if column == "warn_at" else f"resolve_{column}__lt": now})
    )


class Assignment(models.Model):
    """One unit's part in one case: its role, the tier at which it was called, its status
    and its deadlines. ``version`` increases with every change (optimistic concurrency)."""

    workflow = models.CharField(_("workflow"), max_length=30, db_index=True)
    case_type = models.ForeignKey(ContentType, verbose_name=_("case type"), on_delete=models.PROTECT, related_name="+")
    case_id = models.PositiveBigIntegerField(_("case id"))
    case = GenericForeignKey("case_type", "case_id")
    unit = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("handling unit"),
        on_delete=models.PROTECT,
        related_name="handling_assignments",
    )
    owner = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("supervising office"),
        on_delete=models.PROTECT,
        related_name="supervised_assignments",
        help_text=_("The command centre or office that dispatched the case and supervises it."),
    )
    role = models.CharField(
        pgettext_lazy("assignment", "role"),
        max_length=10,
        choices=AssignmentRole.choices,
        default=AssignmentRole.SINGLE,
    )
    tier = models.PositiveSmallIntegerField(
        _("tier"), default=1, validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ASSIGNED)
    called_by = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("called up by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="called_assignments",
    )
    escalated_from = models.ForeignKey(
        "self",
        verbose_name=_("called up from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalations",
    )
    reason = models.TextField(_("reason"), blank=True)
    rule = models.ForeignKey(
        TimeLimitRule,
        verbose_name=_("time-limit rule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The rule the deadlines came from (reused when the case is called up or reopened)."),
    )

    assigned_at = models.DateTimeField(_("assigned at"))
    accept_due = models.DateTimeField(_("accept by"), null=True, blank=True)
    respond_due = models.DateTimeField(_("respond by"), null=True, blank=True)
    resolve_due = models.DateTimeField(_("resolve by"), null=True, blank=True)
    objection_due = models.DateTimeField(_("object by"), null=True, blank=True)
    # When the yellow warning window of each deadline opens (stored with the deadline so
    # that "due soon" is an indexed comparison, like "overdue").
    accept_warn_at = models.DateTimeField(_("accept warning from"), null=True, blank=True)
    respond_warn_at = models.DateTimeField(_("respond warning from"), null=True, blank=True)
    resolve_warn_at = models.DateTimeField(_("resolve warning from"), null=True, blank=True)

    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    responded_at = models.DateTimeField(pgettext_lazy("assignment", "responded at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    extension_count = models.PositiveSmallIntegerField(_("extensions granted"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    supervision_level = models.PositiveSmallIntegerField(
        _("supervision level"), default=0, validators=[MaxValueValidator(2)]
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case_type", "case_id"],
                condition=Q(role__in=LEAD_ROLES, status__in=ACTIVE_STATUSES),
                name="assignment_one_active_lead",
                violation_error_message=_("This case already has an active lead unit."),
            ),
            models.UniqueConstraint(
                fields=["case_type", "case_id", "unit"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="assignment_unit_once_per_case",
                violation_error_message=_("This unit is already assigned to the case."),
            ),
            models.CheckConstraint(condition=Q(role__in=AssignmentRole.values), name="assignment_role_valid"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="assignment_status_valid"),
            models.CheckConstraint(condition=Q(tier__gte=1, tier__lte=3), name="assignment_tier_range"),
            models.CheckConstraint(condition=Q(supervision_level__lte=2), name="assignment_supervision_range"),
            models.CheckConstraint(condition=Q(version__gte=1), name="assignment_version_positive"),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{col}__isnull": True}) | Q(**{f"{col}__gte": F("assigned_at")}),
                    name=f"assignment_{col}_after_assigned",
                )
                for col in ("accept_due", "respond_due", "resolve_due", "objection_due", "accepted_at", "resolved_at")
            ],
            models.CheckConstraint(
                condition=Q(called_by__isnull=True) | Q(tier__gte=2), name="assignment_called_up_above_tier_1"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=(Status.RESOLVED, Status.CLOSED)) | Q(resolved_at__isnull=False),
                name="assignment_resolved_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "resolve_due"], name="assignment_status_resolve_due"),
            models.Index(fields=["status", "accept_due"], name="assignment_status_accept_due"),
            models.Index(fields=["status", "respond_due"], name="assignment_status_respond_due"),
            models.Index(fields=["case_type", "case_id"], name="assignment_case"),
            models.Index(fields=["unit", "assigned_at"], name="assignment_unit_assigned"),
            models.Index(fields=["workflow", "assigned_at"], name="assignment_workflow_assigned"),
            models.Index(fields=["owner", "status"], name="assignment_owner_status"),
            # The dashboard's overdue list (open, earliest deadline first): read in order and
            # stopped after a page instead of sorting every overdue assignment.
            models.Index(
                fields=["resolve_due", "accept_due", "id"],
                condition=Q(status__in=OPEN_STATUSES),
                name="assignment_open_by_due",
            ),
            # The deadline sweep's windows (huying.handling.sweep): thresholds crossed since
            # its last run, and open assignments changed since then, over open rows only.
            *[
                models.Index(fields=[col], condition=Q(status__in=OPEN_STATUSES), name=f"assignment_open_{short}")
                for col, short in (
                    ("accept_warn_at", "accept_warn"),
                    ("respond_warn_at", "respond_warn"),
                    ("resolve_warn_at", "resolve_warn"),
                    ("updated_at", "updated"),
                )
            ],
        ]

    def __str__(self) -> str:
        return f"{self.workflow}#{self.case_id} → {self.unit_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseEvent(models.Model):
    """One step in a case's history — the one history of every case (docs/handling-engine.md,
    "One history per case"). ``scope`` says whose step it is: one of the case's assignments
    (the engine's moves, notes, urging notices, warnings and feedback; ``from_status`` and
    ``to_status`` are assignment statuses) or the case itself (a workflow's own steps — a
    proposal filed, a work order received or merged; the statuses are the case's).
    Append-only; the timelines shown to people and the API are this table, read through
    :mod:`huying.handling.history`, which also holds the labels of every kind."""

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), null=True, on_delete=models.CASCADE, related_name="events"
    )
    # Indexed by (case_type, case_id, created_at), which leads with it.
    case_type = models.ForeignKey(
        ContentType, verbose_name=_("case type"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    case_id = models.PositiveBigIntegerField(_("case id"))
    scope = models.CharField(_("scope"), max_length=10, choices=EventScope.choices, default=EventScope.ASSIGNMENT)
    # The engine's kinds (EventKind) and each workflow's own, registered with their labels
    # in huying.handling.history; the statuses are the assignment's or the case's (scope).
    kind = models.CharField(_("kind"), max_length=30)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("actor name"), max_length=60, blank=True)
    actor_unit = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("acting for"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        verbose_name = _("handling event")
        verbose_name_plural = _("handling events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case_type", "case_id", "created_at"], name="assignmentevent_case_time")]
        constraints = [
            models.CheckConstraint(condition=Q(scope__in=EventScope.values), name="caseevent_scope_valid"),
            models.CheckConstraint(
                condition=Q(scope=EventScope.CASE) | Q(assignment__isnull=False),
                name="caseevent_assignment_step_has_assignment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.kind} {self.from_status}→{self.to_status}"

    def get_kind_display(self) -> str:
        from huying.handling.history import kind_label

        return kind_label(self.kind, self.case_type_id, scope=self.scope)

    def get_from_status_display(self) -> str:
        from huying.handling.history import status_label

        return status_label(self.from_status, self.case_type_id, scope=self.scope)

    def get_to_status_display(self) -> str:
        from huying.handling.history import status_label

        return status_label(self.to_status, self.case_type_id, scope=self.scope)


class ExtensionRequest(models.Model):
    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="extension_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"))
    previous_due = models.DateTimeField(_("previous deadline"))
    requested_due = models.DateTimeField(_("requested deadline"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    granted_due = models.DateTimeField(_("granted deadline"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(pgettext_lazy("extension request", "decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"],
                condition=Q(status=ExtensionStatus.PENDING),
                name="extension_one_pending",
                violation_error_message=_("An extension request is already waiting for a decision."),
            ),
            models.CheckConstraint(condition=Q(requested_due__gt=F("previous_due")), name="extension_later_due"),
            models.CheckConstraint(
                condition=~Q(status=ExtensionStatus.APPROVED) | Q(granted_due__isnull=False),
                name="extension_approved_has_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id}: {self.requested_due:%Y-%m-%d} ({self.status})"


class Warning(models.Model):  # the domain word (预警); shadows the builtin in this module only
    """A deadline warning that was sent. The unique constraint makes the sweep idempotent:
    a warning for the same deadline is recorded (and notified) once."""

    # Indexed by the unique constraint below, which leads with it.
    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="warnings", db_index=False
    )
    level = models.CharField(pgettext_lazy("warning", "level"), max_length=6, choices=WarningLevel.choices)
    stage = models.CharField(_("stage"), max_length=8, choices=Stage.choices)
    deadline = models.DateTimeField(_("deadline"))
    repeat = models.PositiveSmallIntegerField(
        _("repeat"), default=1, help_text=_("1 for the first red warning, 2 one interval later, …")
    )
    created_at = models.DateTimeField(_("created at"))
    # Red warnings: when the next repeat falls due (deadline + repeat × interval), so the
    # sweep finds the repeats due since its last run by an indexed range.
    next_at = models.DateTimeField(_("next repeat at"), null=True, blank=True)

    class Meta:
        verbose_name = _("deadline warning")
        verbose_name_plural = _("deadline warnings")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["next_at"], condition=Q(next_at__isnull=False), name="warning_next_at")]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "level", "stage", "deadline", "repeat"], name="warning_once_per_deadline"
            ),
            models.CheckConstraint(condition=Q(level__in=("yellow", "red")), name="warning_level_valid"),
            models.CheckConstraint(condition=Q(repeat__gte=1), name="warning_repeat_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.level} {self.stage} {self.deadline:%Y-%m-%d %H:%M} #{self.repeat}"


class SweepState(models.Model):
    """How far the deadline sweep has got: ``swept_until`` is the time of its last complete
    run (the high-water mark); the next run looks only at thresholds crossed and
    assignments changed since then, less a safety overlap. No row, or no mark: a full run."""

    name = models.CharField(_("name"), max_length=30, unique=True)
    swept_until = models.DateTimeField(_("swept until"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sweep state")
        verbose_name_plural = _("sweep states")

    def __str__(self) -> str:
        return f"{self.name}: {self.swept_until}"


class Feedback(models.Model):
    """The caller's or proposer's rating of the answer (回访 / 满意度测评)."""

    case_type = models.ForeignKey(ContentType, verbose_name=_("case type"), on_delete=models.PROTECT, related_name="+")
    case_id = models.PositiveBigIntegerField(_("case id"))
    assignment = models.ForeignKey(
        Assignment,
        verbose_name=_("assignment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedbacks",
    )
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rater_name = models.CharField(_("rater's name"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=FeedbackChannel.choices)
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices)
    solved = models.BooleanField(_("solved"), null=True, blank=True)
    attributable_to_unit = models.BooleanField(_("attributable to the unit"), default=False)
    comment = models.TextField(_("comment"), blank=True)
    superseded = models.BooleanField(
        _("superseded"), default=False, help_text=_("A later rating by the same person on the same assignment.")
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(rating__in=Rating.values), name="feedback_rating_valid")]
        indexes = [models.Index(fields=["case_type", "case_id"], name="feedback_case")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.rating}"


class NotificationQuerySet(models.QuerySet["Notification"]):
    def visible_to(self, user: User) -> NotificationQuerySet:
        """A person's own notifications and those of the units they hold a staff role in."""
        from huying.handling.policy import STAFF_ROLES

        if not getattr(user, "is_authenticated", False):
            return self.none()
        unit_ids = [a.organisation_id for a in user.active_roles if a.organisation_id and a.role in STAFF_ROLES]
        return self.filter(Q(recipient_user=user) | Q(recipient_unit_id__in=unit_ids))

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A message for a person or a unit. Delivery channels (SMS, app push…) hook in through
    :data:`huying.handling.notify.delivery_hooks`, called after the transaction commits."""

    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="handling_notifications",
        db_index=False,  # the (recipient_user, read_at) index leads with it
    )
    recipient_unit = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("recipient unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="handling_notifications",
        db_index=False,  # the (recipient_unit, read_at) index leads with it
    )
    kind = models.CharField(_("kind"), max_length=12, choices=NotificationKind.choices)
    case_type = models.ForeignKey(ContentType, verbose_name=_("case type"), on_delete=models.PROTECT, related_name="+")
    case_id = models.PositiveBigIntegerField(_("case id"))
    assignment = models.ForeignKey(
        Assignment,
        verbose_name=_("assignment"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    text = models.CharField(_("text"), max_length=300)
    created_at = models.DateTimeField(_("created at"), db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient_user__isnull=False) | Q(recipient_unit__isnull=False),
                name="notification_has_recipient",
            )
        ]
        indexes = [
            models.Index(fields=["recipient_unit", "read_at"], name="notification_unit_unread"),
            models.Index(fields=["recipient_user", "read_at"], name="notification_user_unread"),
        ]

    def __str__(self) -> str:
        return self.text


__all__ = [
    "Assignment",
    "CalendarDay",
    "CaseEvent",
    "EventKind",
    "ExtensionRequest",
    "Feedback",
    "Notification",
    "SweepState",
    "TimeLimitRule",
    "Warning",
]
