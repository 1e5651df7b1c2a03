"""Proposals (提案): sessions, proposals, co-signers, the history of events and the
filing-number counters.

Only :mod:`huying.proposals.transitions` writes ``Proposal.status``; every move writes a
step of the proposal's history (the handling engine's ``CaseEvent``, scope *case*) in the
same transaction, and that event log is the history shown to people.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huying.core.models import StoredFile, stored_file_path
from huying.handling.choices import EventScope, Rating
from huying.proposals.choices import (
    Category,
    CollectiveKind,
    ConvertTarget,
    CoSignStatus,
    HandlingStatus,
    ProposalKind,
    ProposalStatus,
    Publication,
    RejectReason,
    ReplyClass,
    ReplyStatus,
    SubmitterKind,
)

if TYPE_CHECKING:
    from huying.accounts.models import User
    from huying.handling.models import CaseEvent

_DIGITS = "零一二三四五六七八九"
# The handling engine's workflow name for proposals (huying.handling, Policy in apps.py).
HANDLING_WORKFLOW = "proposal"


def chinese_number(n: int) -> str:
    """1 → 一, 13 → 十三, 20 → 二十, 105 → 一百零五 (enough for terms and sessions)."""
    if n < 0:
        raise ValueError(n)
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    rest = n % 100
    head = _DIGITS[n // 100] + "百"
    if rest == 0:
        return head
    if rest < 10:
        return head + "零" + _DIGITS[rest]
    return head + (_DIGITS[rest // 10] + "十" + (_DIGITS[rest % 10] if rest % 10 else ""))


class Session(models.Model):
    """One session (次会议) of a term (届) of a CPPCC committee, with the window in which
    proposals count as plenary-session proposals (大会提案)."""

    cppcc = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("CPPCC committee"),
        on_delete=models.PROTECT,
        related_name="proposal_sessions",
    )
    term = models.PositiveSmallIntegerField(_("term"))
    number = models.PositiveSmallIntegerField(_("session number"))
    name = models.CharField(_("name"), max_length=40, blank=True, help_text=_("For example 十三届三次会议."))
    plenary_starts = models.DateField(_("plenary starts"), null=True, blank=True)
    plenary_ends = models.DateField(_("plenary ends"), null=True, blank=True)
    window_opens = models.DateField(_("plenary proposals open"), null=True, blank=True)
    window_closes = models.DateField(_("plenary proposals close"), null=True, blank=True)
    is_current = models.BooleanField(_("current"), default=False)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["cppcc_id", "-term", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["cppcc", "term", "number"], name="proposal_session_unique"),
            models.UniqueConstraint(
                fields=["cppcc"], condition=Q(is_current=True), name="proposal_session_one_current"
            ),
            models.CheckConstraint(
                condition=Q(window_opens__isnull=True)
                | Q(window_closes__isnull=True)
                | Q(window_opens__lte=models.F("window_closes")),
                name="proposal_session_window_order",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or f"{chinese_number(self.term)}届{chinese_number(self.number)}次会议"

    def kind_on(self, day: datetime.date) -> str:
        """Plenary if ``day`` falls inside the submission window, ordinary otherwise."""
        if self.window_opens and self.window_closes and self.window_opens <= day <= self.window_closes:
            return ProposalKind.PLENARY
        return ProposalKind.ORDINARY


class ProposalQuerySet(models.QuerySet["Proposal"]):
    def visible_to(self, user: Any) -> ProposalQuerySet:
        """Who sees which proposals.

        - the author (first proposer, or the staff who drafted a collective proposal) sees
          their own, drafts included;
        - a co-signer sees the proposal while invited or confirmed (so they can read what
          they are asked to sign), and keeps seeing it once confirmed;
        - agency staff see every non-draft proposal of sessions of the CPPCC committees at
          or below the organisations where they hold the agency-staff role;
        - staff of a handling unit (unit staff, street handlers, leaders holding a role in
          the unit) see the proposals assigned to their unit, whatever became of the
          assignment; a leader also those assigned to the units below their organisation
          (``huying.handling.access.unit_condition``) — never those assigned to a unit above;
        - a leader sees the key proposals they supervise, by name or as a leader of the
          supervising committee;
        - everyone else (other members, the public, anonymous visitors) sees nothing here:
          published proposals are read through :func:`huying.proposals.public.public_queryset`.
        """
        from huying.accounts.choices import Role
        from huying.handling.access import unit_condition
        from huying.handling.models import Assignment

        if not getattr(user, "is_authenticated", False):
            return self.none()
        condition = Q(proposer=user) | Q(submitted_by=user)
        # Pending invitations are dropped at submission, so after that only confirmed
        # co-signers match. A subquery, not a join: no duplicate rows, and the test stays a
        # per-row condition that PostgreSQL checks from an index (no set of every visible id
        # is built, which at 100,000 proposals cost more than the search itself).
        signing = CoSigner.objects.filter(member=user, status__in=[CoSignStatus.INVITED, CoSignStatus.CONFIRMED])
        condition |= Q(pk__in=signing.values("proposal_id"))
        staff_paths = [
            a.organisation.path for a in user.active_roles if a.role == Role.AGENCY_STAFF and a.organisation_id
        ]
        if staff_paths:
            under = Q()
            for path in staff_paths:
                under |= Q(session__cppcc__path__startswith=path)
            condition |= under & ~Q(status=ProposalStatus.DRAFT)
        units = unit_condition(user)
        if units is not None:
            assigned = Assignment.objects.filter(units, workflow=HANDLING_WORKFLOW).values("case_id")
            condition |= Q(pk__in=assigned)
        leader_orgs = [a.organisation_id for a in user.active_roles if a.role == Role.LEADER and a.organisation_id]
        if Role.LEADER in user.role_set:
            condition |= Q(is_key=True, key_leader=user)
            if leader_orgs:
                condition |= Q(is_key=True, key_committee_id__in=leader_orgs)
        return self.filter(condition)

    def for_list(self) -> ProposalQuerySet:
        return self.select_related("session", "proposer", "collective", "merged_into", "merged_into__session")


class Proposal(models.Model):
    session = models.ForeignKey(Session, verbose_name=_("session"), on_delete=models.PROTECT, related_name="proposals")
    kind = models.CharField(_("kind"), max_length=10, choices=ProposalKind.choices, default=ProposalKind.ORDINARY)
    submitter_kind = models.CharField(
        _("submitter"), max_length=12, choices=SubmitterKind.choices, default=SubmitterKind.MEMBER
    )
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("first proposer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    collective = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("collective submitter"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="collective_proposals",
    )
    collective_kind = models.CharField(
        _("kind of collective"), max_length=24, choices=CollectiveKind.choices, blank=True
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals_submitted_for_collectives",
    )
    title = models.CharField(_("title"), max_length=100)
    summary = models.TextField(_("case summary"), max_length=500, blank=True)
    situation = models.TextField(_("situation"), max_length=3000, blank=True)
    analysis = models.TextField(_("analysis"), max_length=3000, blank=True)
    suggestions = models.TextField(_("suggestions"), max_length=3000, blank=True)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices, default=Category.OTHER)
    suggested_units = models.ManyToManyField(
        "organisations.Organisation",
        verbose_name=_("suggested handling units"),
        blank=True,
        related_name="suggested_for_proposals",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT, db_index=True
    )
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    reject_reason = models.CharField(_("reason not filed"), max_length=20, choices=RejectReason.choices, blank=True)
    explanation = models.TextField(_("explanation"), max_length=1000, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_proposals",
    )
    converted_to = models.CharField(_("converted to"), max_length=16, choices=ConvertTarget.choices, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # Supervision (督办): key proposals with a supervising leader and/or committee.
    is_key = models.BooleanField(_("key proposal"), default=False, db_index=True)
    key_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supervising leader"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervised_key_proposals",
    )
    key_committee = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("supervising committee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervised_key_proposals",
    )
    # Publication in the public zone (公开): replies are published unless the proposer
    # objects with a reason or staff restrict them.
    publication = models.CharField(
        _("publication"), max_length=12, choices=Publication.choices, default=Publication.UNPUBLISHED
    )
    publication_note = models.TextField(_("publication note"), max_length=1000, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Handling (办理) through the engine: the proposal-level state, kept in step by
    # huying.proposals.actions.handling; the units' own steps are engine assignments.
    handling_status = models.CharField(
        _("handling"), max_length=12, choices=HandlingStatus.choices, default=HandlingStatus.UNASSIGNED, db_index=True
    )
    handling_round = models.PositiveSmallIntegerField(
        _("handling round"), default=1, help_text=_("1 for the first handling, 2 after the first re-handling, …")
    )
    handling_completed_at = models.DateTimeField(_("handling completed at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "number"], condition=Q(number__isnull=False), name="proposal_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(proposer__isnull=False) | Q(collective__isnull=False), name="proposal_has_submitter"
            ),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(status=ProposalStatus.FILED), name="proposal_number_only_filed"
            ),
        ]
        indexes = [
            models.Index(fields=["session", "status"], name="proposal_session_status"),
            models.Index(fields=["publication", "published_at"], name="proposal_publication"),
            # Statistics of a session and the staff's visibility test read these columns
            # only (an index-only scan on PostgreSQL; SQLite ignores the included columns).
            models.Index(
                fields=["session", "status"],
                include=[
                    "id",
                    "submitter_kind",
                    "category",
                    "proposer",
                    "submitted_by",
                    "collective",
                    "collective_kind",
                    "number",
                ],
                name="proposal_session_stats",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("proposals:detail", args=[self.pk])

    @property
    def filing_number(self) -> int | None:
        """The number of this proposal, or of the proposal it was merged into."""
        if self.number is not None:
            return self.number
        if self.status == ProposalStatus.MERGED and self.merged_into_id and self.merged_into is not None:
            return self.merged_into.number
        return None

    @property
    def formatted_number(self) -> str:
        """十三届三次会议 第0123号, or an empty string before filing."""
        number = self.filing_number
        if number is None:
            return ""
        return format_number(self.session, number)

    @property
    def body_length(self) -> int:
        return len(self.situation) + len(self.analysis) + len(self.suggestions)

    @property
    def submitter_name(self) -> str:
        if self.collective_id and self.collective is not None:
            return str(self.collective)
        return str(self.proposer) if self.proposer_id else ""

    def is_author(self, user: User | Any) -> bool:
        if not getattr(user, "is_authenticated", False):
            return False
        return user.pk in (self.proposer_id, self.submitted_by_id)

    @property
    def events(self) -> models.QuerySet[CaseEvent]:
        """The proposal's own steps in its history (drafting, co-signing, the decisions, the
        handling and publication steps), oldest first: the case-level rows of its one event
        log; the units' steps are the rows of its assignments."""
        from huying.handling.history import events_for

        return events_for(self, scope=EventScope.CASE)


def format_number(session: Session, number: int) -> str:
    return f"{session.display_name} 第{number:04d}号"


class CoSigner(models.Model):
    """A member invited by the first proposer to sign a joint proposal (联名)."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="cosigners"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.PROTECT, related_name="cosignatures"
    )
    status = models.CharField(_("status"), max_length=10, choices=CoSignStatus.choices, default=CoSignStatus.INVITED)
    invited_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("co-signer")
        verbose_name_plural = _("co-signers")
        ordering = ["invited_at", "id"]
        constraints = [models.UniqueConstraint(fields=["proposal", "member"], name="cosigner_unique_member")]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_status_display()}"


def reply_upload_to(instance: Reply, filename: str) -> str:
    return f"proposals/replies/{instance.proposal_id}/{filename}"


class ReplyQuerySet(models.QuerySet["Reply"]):
    def visible_to(self, user: Any) -> ReplyQuerySet:
        """Replies of the proposals ``user`` may see (``Proposal.objects.visible_to``):
        accepted ones for everyone who sees the proposal; also those awaiting review or sent
        back for the supervising staff and the staff of the handling units."""
        from huying.accounts.choices import Role
        from huying.handling.access import unit_condition
        from huying.handling.models import Assignment

        if not getattr(user, "is_authenticated", False):
            return self.none()
        condition = Q(status=ReplyStatus.ACCEPTED)
        for a in user.active_roles:
            if a.organisation is not None and a.role == Role.AGENCY_STAFF:
                condition |= Q(proposal__session__cppcc__path__startswith=a.organisation.path)
        units = unit_condition(user)
        if units is not None:
            condition |= Q(
                proposal_id__in=Assignment.objects.filter(units, workflow=HANDLING_WORKFLOW).values("case_id")
            )
        return self.filter(condition, proposal_id__in=Proposal.objects.visible_to(user).values("pk"))


class Reply(models.Model):
    """A handling unit's reply (答复) to a filed proposal, for one engine assignment.

    Each round of handling (the first, then each 再办理) produces a new reply; the
    supervising staff accept it or send it back. Only the proposals' actions write it.
    """

    proposal = models.ForeignKey(Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="replies")
    assignment = models.ForeignKey(
        "handling.Assignment",
        verbose_name=_("assignment record"),
        on_delete=models.PROTECT,
        related_name="proposal_replies",
    )
    unit = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("handling unit"),
        on_delete=models.PROTECT,
        related_name="proposal_replies",
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    reply_class = models.CharField(_("reply class"), max_length=1, choices=ReplyClass.choices)
    reference_number = models.CharField(_("reference number"), max_length=60)
    contact_person = models.CharField(_("contact person"), max_length=40)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    body = models.TextField(_("reply"), max_length=10000)
    document = models.FileField(_("reply document"), upload_to=reply_upload_to, max_length=255, blank=True)
    proposer_contacted = models.BooleanField(_("proposer contacted"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=ReplyStatus.choices, default=ReplyStatus.SUBMITTED)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), max_length=1000, blank=True)

    objects = ReplyQuerySet.as_manager()

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["submitted_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(reply_class__in=ReplyClass.values), name="reply_class_valid"),
            models.CheckConstraint(condition=Q(status__in=ReplyStatus.values), name="reply_status_valid"),
            models.UniqueConstraint(
                fields=["assignment"],
                condition=Q(status="submitted"),
                name="reply_one_pending_per_assignment",
            ),
        ]
        indexes = [models.Index(fields=["proposal", "status"], name="reply_proposal_status")]

    def __str__(self) -> str:
        return f"{self.proposal_id} · {self.unit_id} · {self.reply_class}"


class ReplyRating(models.Model):
    """One proposer's rating (满意度测评) of one accepted reply: the first proposer, each
    confirmed co-signer, or the staff who submitted a collective proposal. One per person
    per reply (so one per round: a re-handled assignment answers with a new reply); a second
    rating is refused. The engine's ``Feedback`` row (for the satisfaction rate) is linked."""

    proposal = models.ForeignKey(Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="ratings")
    reply = models.ForeignKey(Reply, verbose_name=_("reply"), on_delete=models.CASCADE, related_name="ratings")
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("rated by"), on_delete=models.PROTECT, related_name="+"
    )
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices)
    comment = models.TextField(_("comment"), max_length=1000, blank=True)
    feedback = models.ForeignKey(
        "handling.Feedback",
        verbose_name=_("feedback"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("reply rating")
        verbose_name_plural = _("reply ratings")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["reply", "rater"], name="replyrating_once_per_person"),
            models.CheckConstraint(condition=Q(rating__in=Rating.values), name="replyrating_rating_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.reply_id} · {self.rater_id} · {self.rating}"


# Referenced by migration 0005: the shared storage name of every stored file.
attachment_upload_to = stored_file_path


class ProposalAttachment(StoredFile):
    """A file attached to a proposal by its author while drafting (附件: survey data,
    photos, a report). The type is read from the file's bytes; the stored name is the
    platform's. Readable by whoever may see the proposal."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="attachments"
    )

    class Meta:
        verbose_name = _("proposal attachment")
        verbose_name_plural = _("proposal attachments")
        ordering = ["created_at", "id"]

    def storage_dir(self) -> str:
        return f"proposals/attachments/{self.proposal_id}"
