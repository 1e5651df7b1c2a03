"""Every write of the opinion-report workflow. Pages, the API, the demo loader and tests call
these; status moves are :mod:`huying.opinions.transitions`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huying.accounts.choices import Role
from huying.audit.actions import record as audit
from huying.core.actors import is_person
from huying.handling import history
from huying.opinions import transitions
from huying.opinions.choices import (
    AdoptionLevel,
    Category,
    CollectiveKind,
    EventKind,
    IssueStatus,
    ReportStatus,
    SubmitterKind,
)
from huying.opinions.models import (
    TEXT_FIELDS,
    WORKFLOW,
    Adoption,
    Instruction,
    Issue,
    IssueItem,
    OpinionReport,
    ReportEdit,
)
from huying.organisations.choices import OrgKind
from huying.organisations.models import Organisation

MAX_ISSUE_REPORTS = 30


def member_cppccs(user: Any) -> list[Organisation]:
    """The CPPCC committees where ``user`` holds the member role."""
    return [
        a.organisation
        for a in getattr(user, "active_roles", [])
        if a.role == Role.MEMBER and a.organisation is not None and a.organisation.kind == OrgKind.CPPCC
    ]


def _collective_cppcc(collective: Organisation, kind: str) -> Organisation | None:
    """The committee a collective's reports go to: a city or county CPPCC sends to the
    committee above it; a sector group or special committee to its own committee."""
    start = collective.parent if kind == CollectiveKind.CPPCC else collective
    node = start
    while node is not None and node.kind != OrgKind.CPPCC:
        node = node.parent
    return node


def _check_text(fields: dict[str, Any]) -> dict[str, Any]:
    clean = {name: str(fields.get(name, "") or "").strip() for name in TEXT_FIELDS}
    errors: dict[str, list[str]] = {}
    if not clean["title"]:
        errors["title"] = [_("A report needs a title.")]
    elif len(clean["title"]) > 100:
        errors["title"] = [_("At most 100 characters.")]
    for name in ("situation", "analysis", "suggestion"):
        if len(clean[name]) > 3000:
            errors[name] = [_("At most 3,000 characters.")]
    category = fields.get("category") or Category.OTHER
    if category not in Category.values:
        errors["category"] = [_("Choose a category.")]
    if errors:
        raise ValidationError(errors)
    clean["category"] = category
    return clean


@transaction.atomic
def do_create_draft(
    actor: Any,
    *,
    cppcc: Organisation | None = None,
    collective: Organisation | None = None,
    collective_kind: str = "",
    now: datetime | None = None,
    **fields: Any,
) -> OpinionReport:
    """A member drafts a report to their CPPCC committee (``cppcc``: one where they are a
    member; their only one by default); or agency staff of a sector group, special committee
    or city/county CPPCC (``collective``) draft one in its name."""
    if not is_person(actor):
        raise PermissionDenied(_("Only a signed-in person may write a report."))
    text = _check_text(fields)
    now = now or timezone.now()
    if collective is not None:
        if collective_kind not in CollectiveKind.values:
            raise ValidationError({"collective_kind": [_("Choose the kind of collective reporter.")]})
        if not any(
            a.role == Role.AGENCY_STAFF
            and a.organisation is not None
            and a.organisation.path.startswith(collective.path)
            for a in actor.active_roles
        ):
            raise PermissionDenied(_("Only the staff of the collective may write a report in its name."))
        target = _collective_cppcc(collective, collective_kind)
        if target is None:
            raise ValidationError({"collective": [_("This collective has no CPPCC committee to send reports to.")]})
        report = OpinionReport(
            submitter_kind=SubmitterKind.COLLECTIVE,
            collective=collective,
            collective_kind=collective_kind,
            submitted_by=actor,
            cppcc=target,
            origin_cppcc=target,
        )
    else:
        mine = member_cppccs(actor)
        if not mine:
            raise PermissionDenied(_("Only CPPCC members write opinion reports."))
        if cppcc is None:
            cppcc = mine[0]
        elif cppcc.pk not in {c.pk for c in mine}:
            raise ValidationError({"cppcc": [_("Send the report to a CPPCC committee you are a member of.")]})
        report = OpinionReport(author=actor, cppcc=cppcc, origin_cppcc=cppcc)
    for name, value in text.items():
        setattr(report, name, value)
    report.created_at = now
    report.save()
    history.append(report, EventKind.CREATED, actor, to_status=ReportStatus.DRAFT, now=now)
    audit(actor, "opinion.create", report, {"title": report.title})
    return report


@transaction.atomic
def do_update_draft(
    actor: Any, report: OpinionReport, *, expected_version: int | None = None, **fields: Any
) -> OpinionReport:
    """The author changes their draft."""
    report = transitions.lock(report)
    transitions.check_author(actor, report)
    transitions.check_version(report, expected_version)
    if report.status != ReportStatus.DRAFT:
        raise transitions.TransitionError(_("Only a draft can be changed by its author."), code="illegal_transition")
    text = _check_text({**{n: getattr(report, n) for n in TEXT_FIELDS}, "category": report.category, **fields})
    for name, value in text.items():
        setattr(report, name, value)
    report.version += 1
    report.save()
    audit(actor, "opinion.update", report, {"title": report.title})
    return report


@transaction.atomic
def do_delete_draft(actor: Any, report: OpinionReport) -> None:
    report = transitions.lock(report)
    transitions.check_author(actor, report)
    if report.status != ReportStatus.DRAFT:
        raise transitions.TransitionError(_("Only a draft can be deleted."), code="illegal_transition")
    audit(actor, "opinion.delete", report, {"title": report.title})
    from django.contrib.contenttypes.models import ContentType

    from huying.handling.models import CaseEvent

    CaseEvent.objects.filter(case_type=ContentType.objects.get_for_model(report), case_id=report.pk).delete()
    report.delete()


def do_submit(actor: Any, report: OpinionReport, *, now: datetime | None = None) -> OpinionReport:
    """The author submits a draft (a member's submission counts in their duty record)."""
    if not all((report.title, report.situation, report.suggestion)):
        raise ValidationError({"__all__": [_("Write the situation and the suggestions before submitting.")]})
    return transitions.submit(report, actor, now=now)


def do_receive(actor: Any, report: OpinionReport, **kw: Any) -> OpinionReport:
    """信息 staff sign for a submitted report."""
    return transitions.receive(report, actor, **kw)


def do_edit(actor: Any, report: OpinionReport, changes: dict[str, str], **kw: Any) -> ReportEdit:
    """信息 staff edit the text; the author sees the edit as a diff."""
    return transitions.edit(report, actor, changes, **kw)


def do_respond_edit(actor: Any, edit: ReportEdit, *, agree: bool, comment: str = "", **kw: Any) -> ReportEdit:
    """The author agrees with an edit or comments on it."""
    return transitions.respond_edit(edit, actor, agree=agree, comment=comment, **kw)


def do_reject(actor: Any, report: OpinionReport, *, reason: str, **kw: Any) -> OpinionReport:
    """信息 staff decline a report, with the reason the author reads."""
    return transitions.reject(report, actor, reason=reason, **kw)


def do_merge(actor: Any, sources: Sequence[OpinionReport], **kw: Any) -> OpinionReport:
    """信息 staff merge several reports into a new combined report (综合)."""
    return transitions.combine(sources, actor, **kw)


def do_adopt(actor: Any, report: OpinionReport, *, level: str, **kw: Any) -> Adoption:
    """信息 staff adopt (采用) a report at a level."""
    return transitions.adopt(report, actor, level=level, **kw)


def do_forward(actor: Any, report: OpinionReport, **kw: Any) -> OpinionReport:
    """信息 staff forward a report to the CPPCC committee above."""
    return transitions.forward(report, actor, **kw)


# --- issues ----------------------------------------------------------------------------
@transaction.atomic
def do_create_issue(
    actor: Any, cppcc: Organisation, *, reports: Sequence[OpinionReport] = (), now: datetime | None = None
) -> Issue:
    """信息 staff start compiling an issue of their committee (numbered when sent)."""
    if not transitions.is_info_staff(actor, cppcc):
        raise PermissionDenied(_("Only the information office of this CPPCC may do this."))
    now = now or timezone.now()
    issue = Issue.objects.create(cppcc=cppcc, year=timezone.localdate(now).year, compiled_by=actor, created_at=now)
    audit(actor, "opinion_issue.create", issue, {"cppcc": cppcc.name})
    if reports:
        do_set_issue_reports(actor, issue, reports)
    return issue


@transaction.atomic
def do_set_issue_reports(actor: Any, issue: Issue, reports: Sequence[OpinionReport]) -> Issue:
    """Choose and order the reports of an issue being compiled: reports adopted by the
    issue's committee, in the order given."""
    issue = Issue.objects.select_for_update().select_related("cppcc").get(pk=issue.pk)
    if not transitions.is_info_staff(actor, issue.cppcc):
        raise PermissionDenied(_("Only the information office of this CPPCC may do this."))
    if issue.status != IssueStatus.DRAFT:
        raise transitions.TransitionError(_("This issue has already been sent."), code="illegal_transition")
    ids = list(dict.fromkeys(r.pk for r in reports))
    if len(ids) > MAX_ISSUE_REPORTS:
        raise ValidationError({"reports": [_("An issue holds at most 30 reports.")]})
    adopted = set(Adoption.objects.filter(report_id__in=ids, cppcc=issue.cppcc).values_list("report_id", flat=True))
    if set(ids) - adopted:
        raise ValidationError({"reports": [_("Only reports adopted by this CPPCC go into its issues.")]})
    issue.items.all().delete()
    IssueItem.objects.bulk_create([IssueItem(issue=issue, report_id=pk, position=i) for i, pk in enumerate(ids, 1)])
    audit(actor, "opinion_issue.reports", issue, {"reports": ids})
    return issue


def do_publish_issue(actor: Any, issue: Issue, *, recipients: Sequence[Any], now: datetime | None = None) -> Issue:
    """Number the issue and send it to the chosen leaders."""
    return transitions.publish_issue(issue, actor, recipients_=recipients, now=now)


# --- instructions ----------------------------------------------------------------------
def may_instruct_report(user: Any, report: OpinionReport) -> bool:
    """信息 staff of the report's committee (entering it for a leader), or a leader who was
    sent an issue holding the report."""
    if transitions.is_info_staff(user, report.cppcc):
        return True
    return (
        is_person(user)
        and Role.LEADER in user.role_set
        and IssueItem.objects.filter(
            report=report, issue__recipients=user, issue__status=IssueStatus.PUBLISHED
        ).exists()
    )


def _leader_role_title(user: Any) -> str:
    for a in user.active_roles:
        if a.role == Role.LEADER:
            return a.title or (a.organisation.name if a.organisation else "")
    return ""


@transaction.atomic
def do_record_instruction(
    actor: Any,
    *,
    report: OpinionReport | None = None,
    proposal: Any = None,
    text: str,
    level: str,
    leader_name: str = "",
    leader_title: str = "",
    leader_user: Any = None,
    instructed_on: date | None = None,
    requires_handling: bool = False,
    units: Sequence[Organisation] = (),
    deadline: date | None = None,
    now: datetime | None = None,
) -> Instruction:
    """Record a leader's instruction (批示) on an opinion report or a key proposal.

    Entered by 信息 staff on the leader's behalf (``leader_name`` / ``leader_title``), or by
    a leader themself (on a report of an issue sent to them, or a key proposal they
    supervise). The authors are told; a report's authors get an ``opinion.instructed``
    duty entry at the leader's level. With ``requires_handling`` the case goes to
    ``units`` through the handling engine (a report) or the proposals' own assignment
    (a key proposal)."""
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if (report is None) == (proposal is None):
        raise ValidationError({"__all__": [_("An instruction is on one report or one key proposal.")]})
    leader_self = is_person(actor) and Role.LEADER in actor.role_set and not is_info_staff_of(actor, report, proposal)
    if leader_self:
        leader_user = actor
        leader_name = leader_name or actor.real_name
        leader_title = leader_title or _leader_role_title(actor)
    if not text.strip():
        errors["text"] = [_("Write the instruction.")]
    if not leader_name.strip():
        errors["leader_name"] = [_("Name the leader.")]
    if level not in AdoptionLevel.values:
        errors["level"] = [_("Choose district, city, province or national level.")]
    if requires_handling and not units:
        errors["units"] = [_("Choose the units that handle it.")]
    today = timezone.localdate(now)
    if requires_handling and deadline is not None and deadline <= today:
        errors["deadline"] = [_("The deadline must be after today.")]
    if errors:
        raise ValidationError(errors)
    if report is not None:
        report = transitions.lock(report)
        if not may_instruct_report(actor, report):
            raise PermissionDenied(_("You may not record an instruction on this report."))
        if report.status == ReportStatus.DRAFT:
            raise transitions.TransitionError(_("A draft cannot be instructed on."), code="illegal_transition")
    else:
        from huying.proposals.models import Proposal

        proposal = Proposal.objects.select_for_update(of=("self",)).select_related("session__cppcc").get(pk=proposal.pk)
        _check_proposal_instruction(actor, proposal)
    instruction = Instruction.objects.create(
        report=report,
        proposal=proposal,
        text=text.strip(),
        leader_name=leader_name.strip()[:50],
        leader_title=leader_title.strip()[:80],
        leader_user=leader_user,
        level=level,
        instructed_on=instructed_on or today,
        requires_handling=requires_handling,
        deadline=deadline if requires_handling else None,
        entered_by=actor,
        created_at=now,
    )
    audit(actor, "opinion.instruct", report or proposal, {"instruction": instruction.pk, "level": level})
    if report is not None:
        transitions.instructed(report, instruction, actor, now)
        if requires_handling:
            _assign_report(actor, report, instruction, units, deadline, now)
    else:
        _proposal_instructed(actor, proposal, instruction, units if requires_handling else (), now)
    return instruction


def is_info_staff_of(user: Any, report: OpinionReport | None, proposal: Any) -> bool:
    if report is not None:
        return transitions.is_info_staff(user, report.cppcc)
    from huying.proposals.actions.handling import is_staff

    return proposal is not None and is_staff(user, proposal)


def _assign_report(
    actor: Any,
    report: OpinionReport,
    instruction: Instruction,
    units: Sequence[Organisation],
    deadline: date | None,
    now: datetime,
) -> None:
    """The instruction orders handling: one engine assignment per unit, owned by the
    report's committee. A leader's own instruction is assigned by the platform on their
    order (a leader outside the committee does not supervise its assignments)."""
    from huying.handling import actions as engine
    from huying.handling.choices import AssignmentRole, LimitUnit
    from huying.handling.limits import Limit, Limits, limits_for

    limits = limits_for(WORKFLOW)
    if deadline is not None:
        days = max(1, (deadline - timezone.localdate(now)).days)
        limits = Limits(
            rule_id=None, accept=limits.accept or Limit(2, LimitUnit.WORKING_DAYS), resolve=Limit(days, LimitUnit.DAYS)
        )
    assigner = actor if transitions.is_info_staff(actor, report.cppcc) else None
    role = AssignmentRole.SINGLE if len(units) == 1 else AssignmentRole.SEPARATE
    for unit in units:
        engine.do_assign(
            assigner,
            report,
            workflow=WORKFLOW,
            unit=unit,
            owner=report.cppcc,
            role=role,
            limits=limits,
            reason=_("Leader's instruction: %(text)s") % {"text": instruction.text[:100]},
            now=now,
            data={"instruction": instruction.pk},
        )


def may_instruct_proposal(user: Any, proposal: Any) -> bool:
    """The proposals staff of the proposal's committee (for a leader), or its supervising
    leader; key proposals only."""
    from huying.proposals.actions.handling import is_staff

    if not proposal.is_key or not is_person(user):
        return False
    return is_staff(user, proposal) or (Role.LEADER in user.role_set and proposal.key_leader_id == user.pk)


def _check_proposal_instruction(actor: Any, proposal: Any) -> None:
    if not proposal.is_key:
        raise ValidationError({"proposal": [_("Instructions are recorded on key proposals only.")]})
    if not may_instruct_proposal(actor, proposal):
        raise PermissionDenied(_("You may not record an instruction on this proposal."))


def _proposal_instructed(
    actor: Any, proposal: Any, instruction: Instruction, units: Sequence[Organisation], now: datetime
) -> None:
    """A key proposal's instruction: a step of its history and the proposers' notice; one
    that orders handling goes through the proposals' own assignment action."""
    from huying.proposals import notifications
    from huying.proposals.transitions import recipients

    history.append(
        proposal,
        EventKind.INSTRUCTED,
        actor,
        note=instruction.text,
        data={"instruction": instruction.pk, "leader": instruction.leader_name, "level": instruction.level},
        now=now,
    )
    notifications.send(
        proposal,
        _("A leader (%(leader)s) gave an instruction on your proposal “%(title)s”.")
        % {"leader": instruction.leader_name, "title": proposal.title},
        now,
        users=recipients(proposal),
    )
    if units:
        from huying.proposals.actions.handling import do_assign, is_staff
        from huying.proposals.choices import HandlingMode

        mode = HandlingMode.SINGLE if len(units) == 1 else HandlingMode.SEPARATE
        # A supervising leader's own instruction is assigned by the platform on their order.
        do_assign(
            actor if is_staff(actor, proposal) else None,
            proposal,
            mode=mode,
            units=list(units),
            note=instruction.text[:200],
            now=now,
        )
