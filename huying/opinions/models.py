"""Opinion reports (社情民意信息): the reports, the staff's edits, adoptions, the periodical
issues (《社情民意》第N期) and leaders' instructions (批示).

Only :mod:`huying.opinions.transitions` writes ``OpinionReport.status`` and
``handling_status``, ``ReportEdit.response`` and ``Issue.status``; every move writes a step
of the report's history (the handling engine's ``CaseEvent``, scope *case*) in the same
transaction.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huying.opinions.choices import (
    AdoptionLevel,
    Category,
    CollectiveKind,
    EditResponse,
    HandlingStatus,
    IssueStatus,
    ReportStatus,
    SubmitterKind,
)

# The handling engine's workflow name for opinion reports (Policy in apps.py).
WORKFLOW = "opinions"
TEXT_FIELDS = ("title", "situation", "analysis", "suggestion")


def staff_cppcc_paths(user: Any) -> list[str]:
    """Paths of the CPPCC committees whose 信息 office ``user`` works in: agency staff at the
    committee itself or at one of its offices (kind CPPCC_OFFICE). Agency staff at a special
    committee are committee staff and handle no reports."""
    from huying.accounts.choices import Role
    from huying.organisations.choices import OrgKind

    paths = []
    for role in getattr(user, "active_roles", []):
        org = role.organisation
        if role.role != Role.AGENCY_STAFF or org is None:
            continue
        if org.kind == OrgKind.CPPCC:
            paths.append(org.path)
        elif org.kind == OrgKind.CPPCC_OFFICE and org.parent_id is not None:
            paths.append(org.path.rsplit("/", 2)[0] + "/")
    return paths


class ReportQuerySet(models.QuerySet["OpinionReport"]):
    def visible_to(self, user: Any) -> ReportQuerySet:
        """Who sees which reports.

        - the author (or the staff who drafted a collective report) sees their own, drafts
          included, and the combined reports their reports were merged into;
        - 信息 office staff see every non-draft report sent to (or forwarded through) their
          CPPCC committee or a committee below it;
        - a leader sees the reports of the issues sent to them and those they instructed;
        - a handling unit's staff see the reports assigned to their unit by the engine;
        - everyone else (other members, committee staff, the public) sees nothing.
        """
        from huying.handling.access import unit_condition
        from huying.handling.models import Assignment

        if not getattr(user, "is_authenticated", False):
            return self.none()
        mine = Q(author=user) | Q(submitted_by=user)
        condition = mine
        condition |= Q(pk__in=OpinionReport.objects.filter(mine).exclude(merged_into=None).values("merged_into_id"))
        paths = staff_cppcc_paths(user)
        if paths:
            under = Q()
            for path in paths:
                under |= Q(cppcc__path__startswith=path) | Q(origin_cppcc__path__startswith=path)
            condition |= under & ~Q(status=ReportStatus.DRAFT)
        condition |= Q(pk__in=IssueItem.objects.filter(issue__recipients=user).values("report_id"))
        condition |= Q(pk__in=Instruction.objects.filter(leader_user=user).values("report_id"))
        units = unit_condition(user)
        if units is not None:
            condition |= Q(pk__in=Assignment.objects.filter(units, workflow=WORKFLOW).values("case_id"))
        return self.filter(condition)


class OpinionReport(models.Model):
    cppcc = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("CPPCC committee"),
        on_delete=models.PROTECT,
        related_name="opinion_reports",
        help_text=_("The committee whose information office handles the report now."),
    )
    origin_cppcc = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("first sent to"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitter_kind = models.CharField(
        _("reported by"), max_length=12, choices=SubmitterKind.choices, default=SubmitterKind.MEMBER
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opinion_reports",
    )
    collective = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("collective reporter"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="collective_opinion_reports",
    )
    collective_kind = models.CharField(
        _("kind of collective reporter"), max_length=20, choices=CollectiveKind.choices, blank=True
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opinion_reports_submitted",
    )
    title = models.CharField(_("title"), max_length=100)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices, default=Category.OTHER)
    situation = models.TextField(_("situation"), max_length=3000, blank=True)
    analysis = models.TextField(_("analysis"), max_length=3000, blank=True)
    suggestion = models.TextField(_("suggestions"), max_length=3000, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT, db_index=True
    )
    reject_reason = models.TextField(_("reason not adopted"), max_length=1000, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sources",
    )
    handling_status = models.CharField(
        _("handling"), max_length=12, choices=HandlingStatus.choices, default=HandlingStatus.NONE
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("opinion report")
        verbose_name_plural = _("opinion reports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(author__isnull=False) | Q(collective__isnull=False) | Q(submitter_kind="combined"),
                name="opinion_report_has_submitter",
            ),
        ]
        indexes = [models.Index(fields=["cppcc", "status"], name="opinion_report_cppcc_status")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_combined(self) -> bool:
        return self.submitter_kind == SubmitterKind.COMBINED

    @property
    def submitter_name(self) -> str:
        if self.is_combined:
            return str(_("Combined report"))
        if self.collective_id is not None and self.collective is not None:
            return self.collective.name
        return self.author.real_name if self.author is not None else ""

    def is_author(self, user: Any) -> bool:
        return bool(getattr(user, "is_authenticated", False)) and user.pk in (self.author_id, self.submitted_by_id)


class ReportEdit(models.Model):
    """One edit by the information office: the text of each changed field before and after
    (``changes = {field: [before, after]}``), and the author's answer."""

    report = models.ForeignKey(OpinionReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="edits")
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("editor"), on_delete=models.PROTECT, related_name="+"
    )
    changes = models.JSONField(_("changes"), default=dict)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"))
    response = models.CharField(
        _("author's answer"), max_length=10, choices=EditResponse.choices, default=EditResponse.PENDING
    )
    comment = models.TextField(_("comment"), max_length=1000, blank=True)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("edit")
        verbose_name_plural = _("edits")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id}: {', '.join(sorted(self.changes))}"


class Adoption(models.Model):
    """A report adopted (采用) at a level by a CPPCC committee; a report climbing the levels
    has one row per level."""

    report = models.ForeignKey(
        OpinionReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="adoptions"
    )
    level = models.CharField(_("level"), max_length=10, choices=AdoptionLevel.choices)
    cppcc = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("adopted by"), on_delete=models.PROTECT, related_name="+"
    )
    adopted_on = models.DateField(_("adopted on"))
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("adoption")
        verbose_name_plural = _("adoptions")
        ordering = ["adopted_on", "id"]
        constraints = [models.UniqueConstraint(fields=["report", "level"], name="opinion_adoption_once_per_level")]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.level}"


class IssueQuerySet(models.QuerySet["Issue"]):
    def visible_to(self, user: Any) -> IssueQuerySet:
        """信息 office staff see the issues of their committee and those below it; a leader
        sees the published issues sent to them; nobody else sees issues."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        condition = Q(recipients=user, status=IssueStatus.PUBLISHED)
        for path in staff_cppcc_paths(user):
            condition |= Q(cppcc__path__startswith=path)
        return self.filter(pk__in=Issue.objects.filter(condition).values("pk"))


class Issue(models.Model):
    """《社情民意》第N期: adopted reports compiled by a committee's information office; the
    number (per committee and year, gap-free) is given when the issue is sent."""

    cppcc = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("CPPCC committee"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("issue number"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=IssueStatus.choices, default=IssueStatus.DRAFT)
    compiled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("compiled by"), on_delete=models.PROTECT, related_name="+"
    )
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("sent to"), blank=True, related_name="opinion_issues"
    )
    created_at = models.DateTimeField(_("created at"))
    published_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = IssueQuerySet.as_manager()

    class Meta:
        verbose_name = _("periodical issue")
        verbose_name_plural = _("periodical issues")
        ordering = ["-year", "-number", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cppcc", "year", "number"], condition=Q(number__isnull=False), name="opinion_issue_number"
            ),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(status=IssueStatus.PUBLISHED), name="opinion_issue_number_sent"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.number is None:
            return str(_("Issue being compiled"))
        return f"《社情民意》{self.year}年第{self.number}期"


class IssueItem(models.Model):
    issue = models.ForeignKey(Issue, verbose_name=_("issue"), on_delete=models.CASCADE, related_name="items")
    report = models.ForeignKey(
        OpinionReport, verbose_name=_("report"), on_delete=models.PROTECT, related_name="issue_items"
    )
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        verbose_name = _("report in an issue")
        verbose_name_plural = _("reports in issues")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["issue", "report"], name="opinion_issue_item_once")]

    def __str__(self) -> str:
        return f"{self.issue_id}/{self.position}"


class Instruction(models.Model):
    """A leader's instruction (批示) on an opinion report or on a key proposal."""

    report = models.ForeignKey(
        OpinionReport,
        verbose_name=_("report"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="instructions",
    )
    proposal = models.ForeignKey(
        "proposals.Proposal",
        verbose_name=_("proposal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="instructions",
    )
    text = models.TextField(_("instruction"), max_length=2000)
    leader_name = models.CharField(_("leader"), max_length=50)
    leader_title = models.CharField(_("leader's title"), max_length=80, blank=True)
    leader_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader's account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opinion_instructions",
    )
    level = models.CharField(_("level"), max_length=10, choices=AdoptionLevel.choices)
    instructed_on = models.DateField(_("instructed on"))
    requires_handling = models.BooleanField(_("orders handling"), default=False)
    deadline = models.DateField(_("handling deadline"), null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("leader's instruction")
        verbose_name_plural = _("leaders' instructions")
        ordering = ["instructed_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(report__isnull=False) & Q(proposal__isnull=True))
                | (Q(report__isnull=True) & Q(proposal__isnull=False)),
                name="opinion_instruction_one_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.leader_name}: {self.text[:30]}"
