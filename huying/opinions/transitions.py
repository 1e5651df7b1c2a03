"""The opinion-report workflow. The only module that writes ``OpinionReport.status`` (and
``handling_status``, ``ReportEdit.response``, ``Issue.status``).

Each move locks the report, refuses an illegal move with :class:`TransitionError` (a
``ValidationError``, nothing changed), checks the actor's right (``PermissionDenied``),
writes a step of the report's history (the engine's ``CaseEvent``, scope *case*), an audit
entry, the duty-record entries (``huying.duty.acts``) and the authors' notifications (the
engine's ``Notification`` rows, delivered after commit) in the same transaction.

=========================  ==========================  ================================
from                       to                          who
=========================  ==========================  ================================
draft                      submitted                   the author
submitted                  received (签收)              信息 staff of the report's CPPCC
received, edited           edited (an edit stored)     信息 staff
submitted…edited           rejected (a reason)         信息 staff
submitted…edited           merged (into a combined)    信息 staff
received, edited, adopted  adopted (at a level)        信息 staff
received, edited, adopted  submitted (at the parent)   信息 staff: forwarding
=========================  ==========================  ================================

``handling_status`` follows the engine's assignments (:func:`on_assignment_move`, the
adapter registered in ``apps.py``) after a leader's instruction orders handling.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huying.accounts.choices import Role
from huying.audit.actions import record as audit
from huying.core.actors import is_person
from huying.core.counters import next_value
from huying.duty import acts
from huying.handling import history, notify
from huying.handling.choices import NotificationKind
from huying.handling.models import Assignment, CaseEvent, Notification
from huying.handling.policy import CaseCard, Moved
from huying.opinions.choices import (
    AdoptionLevel,
    EditResponse,
    EventKind,
    HandlingStatus,
    IssueStatus,
    ReportStatus,
    SubmitterKind,
)
from huying.opinions.models import TEXT_FIELDS, Adoption, Issue, OpinionReport, ReportEdit, staff_cppcc_paths


class TransitionError(ValidationError):
    """An illegal move in the opinion-report workflow."""


class StaleVersion(ValidationError):
    """The report changed since the client read it."""


MOVES: dict[str, tuple[tuple[str, ...], str]] = {  # move: (from, to)
    "submit": ((ReportStatus.DRAFT,), ReportStatus.SUBMITTED),
    "receive": ((ReportStatus.SUBMITTED,), ReportStatus.RECEIVED),
    "edit": ((ReportStatus.RECEIVED, ReportStatus.EDITED), ReportStatus.EDITED),
    "reject": ((ReportStatus.SUBMITTED, ReportStatus.RECEIVED, ReportStatus.EDITED), ReportStatus.REJECTED),
    "merge": ((ReportStatus.SUBMITTED, ReportStatus.RECEIVED, ReportStatus.EDITED), ReportStatus.MERGED),
    "adopt": ((ReportStatus.RECEIVED, ReportStatus.EDITED, ReportStatus.ADOPTED), ReportStatus.ADOPTED),
    "forward": ((ReportStatus.RECEIVED, ReportStatus.EDITED, ReportStatus.ADOPTED), ReportStatus.SUBMITTED),
}
VERBS: dict[str, Promise] = {
    "submit": gettext_lazy("submitted"),
    "receive": gettext_lazy("received"),
    "edit": gettext_lazy("edited"),
    "reject": gettext_lazy("declined"),
    "merge": gettext_lazy("combined"),
    "adopt": gettext_lazy("adopted"),
    "forward": gettext_lazy("forwarded"),
}
# What the authors are told, per event kind (%(title)s and the event's data).
FEEDBACK: dict[str, Promise] = {
    EventKind.SUBMITTED: gettext_lazy("Your report “%(title)s” has been submitted."),
    EventKind.RECEIVED: gettext_lazy("Your report “%(title)s” has been received by the information office."),
    EventKind.EDITED: gettext_lazy("Your report “%(title)s” has been edited; please read the changes."),
    EventKind.REJECTED: gettext_lazy("Your report “%(title)s” was not adopted: %(reason)s"),
    EventKind.MERGED: gettext_lazy("Your report “%(title)s” was merged into the combined report “%(into)s”."),
    EventKind.ADOPTED: gettext_lazy("Your report “%(title)s” has been adopted at %(level_label)s."),
    EventKind.FORWARDED: gettext_lazy("Your report “%(title)s” has been forwarded to %(to_name)s."),
    EventKind.IN_ISSUE: gettext_lazy("Your report “%(title)s” was published in %(issue)s."),
    EventKind.INSTRUCTED: gettext_lazy("A leader (%(leader)s) gave an instruction on your report “%(title)s”."),
}
LEVEL_OF_ORG = {"national": AdoptionLevel.NATIONAL, "province": AdoptionLevel.PROVINCE, "city": AdoptionLevel.CITY}


def level_of(cppcc: Any) -> str:
    """The adoption level of a CPPCC committee: province, city, otherwise district."""
    return LEVEL_OF_ORG.get(getattr(cppcc, "level", ""), AdoptionLevel.DISTRICT)


# --- who -------------------------------------------------------------------------------
def is_info_staff(user: Any, cppcc: Any) -> bool:
    """信息 office staff of ``cppcc``: agency staff at the committee itself or at one of its
    offices (committee staff at a special committee are not)."""
    return is_person(user) and user.is_active and cppcc.path in staff_cppcc_paths(user)


def check_info_staff(user: Any, report: OpinionReport) -> None:
    if not is_info_staff(user, report.cppcc):
        raise PermissionDenied(_("Only the information office of this CPPCC may do this."))


def check_author(user: Any, report: OpinionReport) -> None:
    if not report.is_author(user):
        raise PermissionDenied(_("Only the author of the report may do this."))


def members_of(report: OpinionReport) -> list[Any]:
    """The members whose duty record counts the report: its author, or for a combined
    report every source report's author (collective reports count for nobody)."""
    if report.is_combined:
        found = {s.author_id: s.author for s in report.sources.select_related("author") if s.author_id}
        return [found[k] for k in sorted(found)]
    return [report.author] if report.author_id and report.submitter_kind == SubmitterKind.MEMBER else []


def recipients(report: OpinionReport) -> list[int]:
    """Who hears of a report's steps: its author and the staff who submitted it for a
    collective; for a combined report, the people of every source report."""
    ids = {report.author_id, report.submitted_by_id}
    if report.is_combined:
        for author_id, by_id in report.sources.values_list("author_id", "submitted_by_id"):
            ids.update((author_id, by_id))
    return sorted(i for i in ids if i is not None)


# --- the one move ----------------------------------------------------------------------
def lock(report: OpinionReport | int) -> OpinionReport:
    pk = report if isinstance(report, int) else report.pk
    return (
        OpinionReport.objects.select_for_update(of=("self",)).select_related("cppcc", "author", "collective").get(pk=pk)
    )


def check_version(report: OpinionReport, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != report.version:
        raise StaleVersion(
            {"version": [_("The report was changed by someone else; reload it and try again.")]}, code="stale"
        )


def feedback(report: OpinionReport, event: CaseEvent, user_ids: Iterable[int]) -> list[Notification]:
    """The authors' notification of one history step (none for kinds without a text)."""
    template = FEEDBACK.get(event.kind)
    users = sorted(set(user_ids))
    if template is None or not users:
        return []
    values = {"title": report.title, "reason": event.note, **event.data}
    text = notify.render(template % values)
    case_type = ContentType.objects.get_for_model(OpinionReport)
    return notify.send(
        [
            Notification(
                recipient_user_id=user,
                kind=NotificationKind.STATUS,
                case_type=case_type,
                case_id=report.pk,
                text=text,
                created_at=event.created_at,
            )
            for user in users
        ]
    )


def _move(
    report: OpinionReport,
    actor: Any,
    move: str,
    kind: str,
    *,
    note: str = "",
    data: dict[str, Any] | None = None,
    fields: dict[str, Any] | None = None,
    now: datetime | None = None,
    tell: Iterable[int] | None = None,
) -> CaseEvent:
    sources, to_status = MOVES[move]
    if report.status not in sources:
        raise TransitionError(
            _("A report that is %(status)s cannot be %(verb)s.")
            % {"status": report.get_status_display(), "verb": VERBS[move]},
            code="illegal_transition",
        )
    now = now or timezone.now()
    from_status = report.status
    report.status = to_status
    for name, value in (fields or {}).items():
        setattr(report, name, value)
    report.version += 1
    report.save()
    event = history.append(
        report, kind, actor, from_status=from_status, to_status=to_status, note=note, data=data, now=now
    )
    audit(actor if is_person(actor) else None, f"opinion.{move}", report, {"status": [from_status, to_status]})
    feedback(report, event, recipients(report) if tell is None else tell)
    return event


@transaction.atomic
def submit(report: OpinionReport, actor: Any, *, now: datetime | None = None) -> OpinionReport:
    report = lock(report)
    check_author(actor, report)
    now = now or timezone.now()
    _move(report, actor, "submit", EventKind.SUBMITTED, fields={"submitted_at": now}, now=now)
    for member in members_of(report):
        acts.record(member, "opinion.submitted", source=report, occurred_at=now, title=report.title)
    return report


@transaction.atomic
def receive(
    report: OpinionReport, actor: Any, *, expected_version: int | None = None, now: datetime | None = None
) -> OpinionReport:
    report = lock(report)
    check_info_staff(actor, report)
    check_version(report, expected_version)
    _move(report, actor, "receive", EventKind.RECEIVED, now=now, data={"cppcc": report.cppcc.name})
    return report


@transaction.atomic
def edit(
    report: OpinionReport,
    actor: Any,
    changes: dict[str, str],
    *,
    note: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> ReportEdit:
    """Store the staff's edit of the text (before and after each changed field)."""
    report = lock(report)
    check_info_staff(actor, report)
    check_version(report, expected_version)
    now = now or timezone.now()
    diff = {
        name: [getattr(report, name), value.strip()]
        for name, value in changes.items()
        if name in TEXT_FIELDS and value.strip() != getattr(report, name)
    }
    if not diff:
        raise ValidationError({"__all__": [_("The edit changes nothing.")]})
    if "title" in diff and not diff["title"][1]:
        raise ValidationError({"title": [_("A report needs a title.")]})
    fields = {name: after for name, (_before, after) in diff.items()}
    stored = ReportEdit.objects.create(report=report, editor=actor, changes=diff, note=note[:300], created_at=now)
    _move(
        report,
        actor,
        "edit",
        EventKind.EDITED,
        note=note,
        data={"edit": stored.pk, "fields": sorted(diff)},
        fields=fields,
        now=now,
    )
    return stored


@transaction.atomic
def respond_edit(
    edit_: ReportEdit, actor: Any, *, agree: bool, comment: str = "", now: datetime | None = None
) -> ReportEdit:
    """The author agrees with an edit or comments on it (once)."""
    report = lock(edit_.report_id)
    check_author(actor, report)
    stored = ReportEdit.objects.select_for_update().get(pk=edit_.pk)
    if stored.response != EditResponse.PENDING:
        raise TransitionError(_("This edit has already been answered."), code="illegal_transition")
    if not agree and not comment.strip():
        raise ValidationError({"comment": [_("Write your comment on the edit.")]})
    now = now or timezone.now()
    stored.response = EditResponse.AGREED if agree else EditResponse.COMMENTED
    stored.comment = comment.strip()
    stored.responded_at = now
    stored.save(update_fields=["response", "comment", "responded_at"])
    kind = EventKind.EDIT_AGREED if agree else EventKind.EDIT_COMMENTED
    history.append(report, kind, actor, note=stored.comment, data={"edit": stored.pk}, now=now)
    audit(actor, f"opinion.{kind}", report, {"edit": stored.pk})
    return stored


@transaction.atomic
def reject(
    report: OpinionReport,
    actor: Any,
    *,
    reason: str,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> OpinionReport:
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the author the reason.")]})
    report = lock(report)
    check_info_staff(actor, report)
    check_version(report, expected_version)
    _move(
        report,
        actor,
        "reject",
        EventKind.REJECTED,
        note=reason.strip(),
        fields={"reject_reason": reason.strip()},
        now=now,
    )
    return report


@transaction.atomic
def combine(
    sources: Sequence[OpinionReport],
    actor: Any,
    *,
    title: str,
    situation: str,
    analysis: str,
    suggestion: str,
    category: str,
    now: datetime | None = None,
) -> OpinionReport:
    """Merge two or more reports of one CPPCC into a new combined report (综合), received."""
    if len({s.pk for s in sources}) < 2:
        raise ValidationError({"sources": [_("Choose at least two reports to merge.")]})
    if not title.strip():
        raise ValidationError({"title": [_("A report needs a title.")]})
    locked = [lock(s) for s in sorted(sources, key=lambda s: s.pk)]
    cppcc = locked[0].cppcc
    for source in locked:
        check_info_staff(actor, source)
        if source.cppcc_id != cppcc.pk:
            raise ValidationError({"sources": [_("Merge only reports of the same CPPCC.")]})
    now = now or timezone.now()
    combined = OpinionReport.objects.create(
        cppcc=cppcc,
        origin_cppcc=cppcc,
        submitter_kind=SubmitterKind.COMBINED,
        submitted_by=None,
        title=title.strip(),
        situation=situation.strip(),
        analysis=analysis.strip(),
        suggestion=suggestion.strip(),
        category=category,
        status=ReportStatus.RECEIVED,
        created_at=now,
        submitted_at=now,
    )
    history.append(
        combined,
        EventKind.COMBINED,
        actor,
        to_status=ReportStatus.RECEIVED,
        data={"sources": [s.pk for s in locked]},
        now=now,
    )
    audit(actor, "opinion.combine", combined, {"sources": [s.pk for s in locked]})
    for source in locked:
        _move(
            source,
            actor,
            "merge",
            EventKind.MERGED,
            data={"into": combined.title, "into_id": combined.pk},
            fields={"merged_into": combined},
            now=now,
        )
    return combined


@transaction.atomic
def adopt(
    report: OpinionReport,
    actor: Any,
    *,
    level: str,
    on: date | None = None,
    note: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Adoption:
    """Adopt at ``level``; a report climbing the levels is adopted once per level."""
    if level not in AdoptionLevel.values:
        raise ValidationError({"level": [_("Choose district, city, province or national level.")]})
    report = lock(report)
    check_info_staff(actor, report)
    check_version(report, expected_version)
    if report.adoptions.filter(level=level).exists():
        raise TransitionError(_("The report has already been adopted at this level."), code="illegal_transition")
    now = now or timezone.now()
    adoption = Adoption.objects.create(
        report=report,
        level=level,
        cppcc=report.cppcc,
        adopted_on=on or timezone.localdate(now),
        adopted_by=actor if is_person(actor) else None,
        note=note[:300],
    )
    label = str(AdoptionLevel(level).label)
    _move(
        report,
        actor,
        "adopt",
        EventKind.ADOPTED,
        note=note,
        data={"level": level, "level_label": label, "cppcc": report.cppcc.name},
        now=now,
    )
    for member in members_of(report):
        acts.record(member, "opinion.adopted", source=report, occurred_at=now, qualifier=level, title=report.title)
    return adoption


@transaction.atomic
def forward(
    report: OpinionReport,
    actor: Any,
    *,
    note: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> OpinionReport:
    """Send the report on to the CPPCC committee above; its information office receives it."""
    from huying.organisations.choices import OrgKind
    from huying.organisations.models import Organisation

    report = lock(report)
    check_info_staff(actor, report)
    check_version(report, expected_version)
    parent_id = report.cppcc.parent_id
    parent = Organisation.objects.filter(pk=parent_id or 0, kind=OrgKind.CPPCC).first()
    if parent is None:
        raise TransitionError(_("There is no CPPCC committee above this one."), code="illegal_transition")
    _move(
        report,
        actor,
        "forward",
        EventKind.FORWARDED,
        note=note,
        data={"from": report.cppcc_id, "from_name": report.cppcc.name, "to": parent.pk, "to_name": parent.name},
        fields={"cppcc": parent},
        now=now,
    )
    return report


def instructed(report: OpinionReport, instruction: Any, actor: Any, now: datetime) -> CaseEvent:
    """A leader's instruction on ``report``: the history step, the authors' feedback and
    the duty entries (qualifier: the instructing leader's level). Inside the caller's
    transaction."""
    event = history.append(
        report,
        EventKind.INSTRUCTED,
        actor,
        note=instruction.text,
        data={"instruction": instruction.pk, "leader": instruction.leader_name, "level": instruction.level},
        now=now,
    )
    feedback(report, event, recipients(report))
    for member in members_of(report):
        acts.record(
            member,
            "opinion.instructed",
            source=report,
            occurred_at=now,
            qualifier=instruction.level,
            title=report.title,
        )
    return event


# --- issues ----------------------------------------------------------------------------
@transaction.atomic
def publish_issue(issue: Issue, actor: Any, *, recipients_: Sequence[Any], now: datetime | None = None) -> Issue:
    """Number the issue (第N期 of its committee and year, gap-free) and send it to leaders."""
    issue = Issue.objects.select_for_update().select_related("cppcc").get(pk=issue.pk)
    if not is_info_staff(actor, issue.cppcc):
        raise PermissionDenied(_("Only the information office of this CPPCC may do this."))
    if issue.status != IssueStatus.DRAFT:
        raise TransitionError(_("This issue has already been sent."), code="illegal_transition")
    items = list(issue.items.select_related("report"))
    if not items:
        raise ValidationError({"reports": [_("Put at least one adopted report in the issue.")]})
    leaders = [u for u in recipients_ if Role.LEADER in u.role_set]
    if not leaders or len(leaders) != len(recipients_):
        raise ValidationError({"recipients": [_("Choose the leaders to send the issue to.")]})
    now = now or timezone.now()
    issue.number = next_value(f"opinion-issue:{issue.cppcc_id}:{issue.year}")
    issue.status = IssueStatus.PUBLISHED
    issue.published_at = now
    issue.version += 1
    issue.save()
    issue.recipients.set(leaders)
    audit(actor, "opinion_issue.publish", issue, {"number": issue.number, "recipients": [u.pk for u in leaders]})
    for item in items:
        event = history.append(
            item.report, EventKind.IN_ISSUE, actor, data={"issue": issue.display_name, "issue_id": issue.pk}, now=now
        )
        feedback(item.report, event, recipients(item.report))
    return issue


# --- the engine's adapter ----------------------------------------------------------------
# The report's handling status after a move of one of its assignments: (wanted, from).
FOLLOWS: dict[str, tuple[str, tuple[str, ...]]] = {
    "assign": (HandlingStatus.HANDLING, (HandlingStatus.NONE, HandlingStatus.RETURNED, HandlingStatus.CLOSED)),
    "return": (HandlingStatus.RETURNED, (HandlingStatus.HANDLING,)),
    "resolve": (HandlingStatus.REPLIED, (HandlingStatus.HANDLING,)),
    "reopen": (HandlingStatus.HANDLING, (HandlingStatus.REPLIED, HandlingStatus.CLOSED)),
    "close": (HandlingStatus.CLOSED, (HandlingStatus.REPLIED,)),
}


def on_assignment_move(moved: Moved) -> None:
    """The engine calls this inside every move on an opinion report's assignment."""
    if moved.action not in FOLLOWS:
        return
    to, sources = FOLLOWS[moved.action]
    report = OpinionReport.objects.select_for_update().get(pk=moved.assignment.case_id)
    if report.handling_status == to:
        return
    if report.handling_status not in sources:
        raise TransitionError(
            {
                "handling_status": _("The handling of a report cannot go from “%(from)s” to “%(to)s”.")
                % {"from": report.get_handling_status_display(), "to": HandlingStatus(to).label}
            }
        )
    from_status = report.handling_status
    report.handling_status = to
    report.save(update_fields=["handling_status"])
    history.append(
        report,
        EventKind.HANDLING,
        moved.actor,
        data={"from": from_status, "to": to},
        now=moved.now,
    )


def cards(reader: Any, case_ids: Sequence[int]) -> dict[int, CaseCard]:
    return {
        r.pk: CaseCard(
            number=f"社情民意 {r.pk}",
            title=r.title,
            status=str(r.get_handling_status_display()),
            url=reverse("opinions:detail", args=[r.pk]),
        )
        for r in OpinionReport.objects.filter(pk__in=case_ids)
    }


def describe(assignment: Assignment) -> str:
    title = OpinionReport.objects.filter(pk=assignment.case_id).values_list("title", flat=True).first()
    return f"社情民意“{title}”" if title else ""


def describe_cases(case_ids: Sequence[int]) -> dict[int, str]:
    """:func:`describe` of many reports in one query (the deadline sweep)."""
    titles = OpinionReport.objects.filter(pk__in=list(case_ids)).values_list("pk", "title")
    return {pk: f"社情民意“{title}”" for pk, title in titles if title}


def case_url(user: Any, notification: Notification) -> str | None:
    if notification.assignment_id is not None:
        return reverse("handling:inbox")
    return reverse("opinions:detail", args=[notification.case_id])


def supervisor_unit(user: Any, owner: Any) -> Any:
    """Who supervises an opinion report's assignments: the 信息 office of the owning
    committee (agency staff at the committee or its offices), and administrators."""
    from huying.organisations.choices import OrgKind

    for role in user.active_roles:
        org = role.organisation
        if role.role != Role.AGENCY_STAFF or org is None:
            continue
        if org.pk == owner.pk or (org.kind == OrgKind.CPPCC_OFFICE and org.parent_id == owner.pk):
            return org
    if user.is_administrator:
        return owner
    return None
