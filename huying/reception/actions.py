"""The reception-room writes: sessions (create, open, close, cancel, the sweep), questions
(ask, hide), answers (give, edit), adoption and conversion into a proposal or an
opinion-report draft. Public questions go through :func:`huying.moderation.actions.do_submit`
(real name, rate limit, word screen, queue).

Who may do what:

- the **host** (the member the session is for) opens, closes and cancels it, answers
  published questions while it is open, adopts questions and turns them into drafts;
- **managing staff** — agency staff of the host's CPPCC (its committee or office) or of a
  CPPCC above it, and administrators — create sessions for a member, open, close, cancel
  them and hide questions (the moderation queue decides what is published);
- **real-name verified people** ask questions while the session is open and inside its time box.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huying.accounts.choices import Role
from huying.audit.actions import record
from huying.moderation import actions as moderation
from huying.moderation.choices import ItemStatus
from huying.moderation.models import ModerationItem
from huying.reception import transitions
from huying.reception.choices import SessionStatus
from huying.reception.models import (
    Answer,
    Question,
    QuestionProposalLink,
    QuestionReportLink,
    ReceptionSession,
)

SPACE = "reception_questions"
ANSWER_KIND = "reception.answer"
MAX_LENGTH = timedelta(days=7)  # a session is time-boxed: at most a week


# --- who ----------------------------------------------------------------------------------
def staff_cppcc_paths(user: Any) -> list[str]:
    """Paths of the CPPCC committees whose sessions ``user`` manages as agency staff (at the
    committee itself or at one of its offices; the CPPCCs below are included by prefix)."""
    from huying.duty.access import cppcc_of

    if not getattr(user, "is_authenticated", False):
        return []
    paths = set()
    for a in user.active_roles:
        if a.role == Role.AGENCY_STAFF and (cppcc := cppcc_of(a.organisation)) is not None:
            paths.add(cppcc.path)
    return sorted(paths)


def may_manage(user: Any, session: ReceptionSession) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_administrator:
        return True
    return any(session.cppcc.path.startswith(p) for p in staff_cppcc_paths(user))


def is_host(user: Any, session: ReceptionSession) -> bool:
    return bool(getattr(user, "is_authenticated", False) and session.host_id == user.pk)


def is_staff_manager(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and (user.is_administrator or staff_cppcc_paths(user)))


def member_cppccs(user: Any) -> list[Any]:
    from huying.opinions.actions import member_cppccs as cppccs

    return cppccs(user)


def hosts_for(user: Any) -> Any:
    """The members ``user`` may create a session for (staff: members of the CPPCCs they
    manage; administrators: every member)."""
    from huying.accounts.models import User

    members = User.objects.filter(role_assignments__role=Role.MEMBER, role_assignments__is_active=True)
    if not user.is_administrator:
        condition = Q(pk__in=[])
        for path in staff_cppcc_paths(user):
            condition |= Q(role_assignments__organisation__path__startswith=path)
        members = members.filter(condition)
    return members.distinct().order_by("real_name", "pk")


def _check_host_or_manager(actor: Any, session: ReceptionSession) -> None:
    if not (is_host(actor, session) or may_manage(actor, session)):
        raise PermissionDenied(_("Only the host member and the agency staff of the CPPCC may do this."))


# --- reads --------------------------------------------------------------------------------
def access_session(user: Any, pk: int) -> ReceptionSession:
    try:
        return ReceptionSession.objects.visible_to(user).select_related("host", "cppcc").get(pk=pk)
    except ReceptionSession.DoesNotExist:
        raise Http404(_("No such reception session.")) from None


def access_question(user: Any, pk: int) -> Question:
    try:
        return (
            Question.objects.visible_to(user)
            .select_related("session__host", "session__cppcc", "moderation", "author")
            .get(pk=pk)
        )
    except Question.DoesNotExist:
        raise Http404(_("No such question.")) from None


def questions_for(user: Any, session: ReceptionSession) -> Any:
    """The questions of a session ``user`` reads, with answers, in the order asked."""
    return (
        Question.objects.visible_to(user)
        .filter(session=session)
        .select_related("moderation", "author", "answer")
        .order_by("created_at", "pk")
    )


# --- sessions -----------------------------------------------------------------------------
def _check_session_fields(theme: str, description: str, starts_at: Any, ends_at: Any) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not theme:
        errors["theme"] = [_("Enter the theme.")]
    elif len(theme) > 100:
        errors["theme"] = [_("At most %(max)d characters.") % {"max": 100}]
    if len(description) > 2000:
        errors["description"] = [_("At most %(max)d characters.") % {"max": 2000}]
    if starts_at is None or ends_at is None:
        errors["starts_at"] = [_("Enter when the session starts and ends.")]
    elif ends_at <= starts_at:
        errors["ends_at"] = [_("The session must end after it starts.")]
    elif ends_at - starts_at > MAX_LENGTH:
        errors["ends_at"] = [_("A session lasts at most %(days)d days.") % {"days": MAX_LENGTH.days}]
    return errors


def do_create_session(
    actor: Any,
    *,
    theme: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    description: str = "",
    host: Any = None,
) -> ReceptionSession:
    """A CPPCC member schedules a session they host (``host`` omitted or themselves), or
    agency staff / an administrator schedule one for a member of a CPPCC they manage. The
    session belongs to the host's CPPCC."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Log in to schedule a session."))
    host = host or actor
    cppccs = member_cppccs(host)
    if not cppccs:
        if host.pk == actor.pk:
            raise PermissionDenied(_("Only CPPCC members host reception sessions."))
        raise ValidationError({"host": [_("The host must be a CPPCC member.")]})
    cppcc = cppccs[0]
    if host.pk != actor.pk:
        paths = staff_cppcc_paths(actor)
        managed = [c for c in cppccs if any(c.path.startswith(p) for p in paths)]
        if not actor.is_administrator and not managed:
            raise PermissionDenied(_("Only the agency staff of the member's CPPCC may schedule a session for them."))
        cppcc = managed[0] if managed else cppcc
    theme, description = (theme or "").strip(), (description or "").strip()
    errors = _check_session_fields(theme, description, starts_at, ends_at)
    if errors or starts_at is None or ends_at is None:
        raise ValidationError(errors)
    with transaction.atomic():
        session = ReceptionSession.objects.create(
            cppcc=cppcc,
            host=host,
            theme=theme,
            description=description,
            starts_at=starts_at,
            ends_at=ends_at,
            created_by=actor,
        )
        record(actor, "reception.create", session, {"theme": theme, "host": host.pk})
    return session


def do_open_session(actor: Any, session: ReceptionSession, *, now: datetime | None = None) -> ReceptionSession:
    """The host or managing staff open a scheduled session (questions are taken from its
    start time on)."""
    _check_host_or_manager(actor, session)
    return transitions.move(session, "open", actor, now=now)


def do_close_session(actor: Any, session: ReceptionSession, *, now: datetime | None = None) -> ReceptionSession:
    """The host or managing staff end an open session: no more questions, answers are final."""
    _check_host_or_manager(actor, session)
    return transitions.move(session, "close", actor, now=now)


def do_cancel_session(actor: Any, session: ReceptionSession, *, reason: str = "") -> ReceptionSession:
    """The host or managing staff cancel a session that has not opened."""
    _check_host_or_manager(actor, session)
    return transitions.move(session, "cancel", actor, note=reason.strip())


def do_sweep(now: datetime | None = None) -> dict[str, int]:
    """Open the scheduled sessions whose time box has begun and close the open ones whose
    time box is over (``manage.py reception_sweep``, every few minutes). Idempotent."""
    now = now or timezone.now()
    opened = closed = 0
    for session in ReceptionSession.objects.filter(
        status=SessionStatus.SCHEDULED, starts_at__lte=now, ends_at__gt=now
    ).order_by("pk"):
        try:
            transitions.move(session, "open", None, note="sweep", now=now)
            opened += 1
        except transitions.TransitionError:
            pass  # moved by someone else meanwhile
    for session in ReceptionSession.objects.filter(status=SessionStatus.OPEN, ends_at__lte=now).order_by("pk"):
        try:
            transitions.move(session, "close", None, note="sweep", now=now)
            closed += 1
        except transitions.TransitionError:
            pass
    return {"opened": opened, "closed": closed}


# --- questions and answers ------------------------------------------------------------------
def do_ask(actor: Any, session: ReceptionSession, *, body: str, now: datetime | None = None) -> Question:
    """A real-name verified person asks the host a question while the session is open and
    inside its time box. Screened and moderated (pre-moderated by default): it is public
    only once published."""
    moderation.check_real_name(actor)
    body = (body or "").strip()
    if len(body) < 5:
        raise ValidationError({"body": [_("Write at least 5 characters.")]})
    if len(body) > 500:
        raise ValidationError({"body": [_("At most %(max)d characters.") % {"max": 500}]})
    if not session.accepts_questions(now):
        raise ValidationError(_("This session is not taking questions now."), code="closed")
    with transaction.atomic():
        item = moderation.do_submit(actor, SPACE, body)
        question = Question.objects.create(
            session=session, author=actor, body=body, moderation=item, created_at=now or timezone.now()
        )
        record(actor, "reception.ask", question, {"session": session.pk})
    return question


def _check_host(actor: Any, session: ReceptionSession) -> None:
    if not is_host(actor, session):
        raise PermissionDenied(_("Only the host member of this session may do this."))


def do_answer(actor: Any, question: Question, *, body: str, now: datetime | None = None) -> Answer:
    """The host answers a published question, or edits the answer, while the session is
    open. The answer lands in the host's duty record (kind ``reception.answer``)."""
    from huying.duty.acts import record as record_act

    session = question.session
    _check_host(actor, session)
    body = (body or "").strip()
    if len(body) < 2:
        raise ValidationError({"body": [_("Write the answer.")]})
    if len(body) > 3000:
        raise ValidationError({"body": [_("At most %(max)d characters.") % {"max": 3000}]})
    if session.status != SessionStatus.OPEN:
        raise ValidationError(_("Answers can be given and edited only while the session is open."), code="closed")
    if question.moderation.status != ItemStatus.PUBLISHED:
        raise ValidationError(_("Only published questions can be answered."), code="not_published")
    now = now or timezone.now()
    with transaction.atomic():
        # Checked again under the item's lock: a moderator hiding the question at the same
        # moment either comes first (refused here) or retracts the entry written here.
        if ModerationItem.objects.select_for_update().get(pk=question.moderation_id).status != ItemStatus.PUBLISHED:
            raise ValidationError(_("Only published questions can be answered."), code="not_published")
        answer = Answer.objects.select_for_update().filter(question=question).first()
        if answer is None:
            answer = Answer.objects.create(question=question, author=actor, body=body, created_at=now)
            record(actor, "reception.answer", question, {"session": session.pk})
            _tell_asker(question, actor)
        elif answer.body != body:
            before = answer.body
            answer.body, answer.updated_at = body, now
            answer.save(update_fields=["body", "updated_at"])
            record(actor, "reception.answer_edit", question, {"body": [before[:100], body[:100]]})
        record_act(actor, ANSWER_KIND, source=question, occurred_at=answer.created_at, title=session.theme)
    question.answer = answer
    return answer


ANSWERED = gettext_lazy("Member %(host)s answered your question in the reception room “%(theme)s”: %(excerpt)s")


def _tell_asker(question: Question, host: Any) -> None:
    """The asker hears once, when the first answer is given (edits send nothing)."""
    from django.conf import settings as django_settings
    from django.utils import translation

    from huying.moderation import notices

    with translation.override(django_settings.LANGUAGE_CODE):
        text = str(ANSWERED) % {
            "host": host.real_name,
            "theme": question.session.theme,
            "excerpt": notices.excerpt(question.body),
        }
    notices.tell_author(question.moderation, text)


def on_moderation_visibility(item: Any, visible: bool) -> None:
    """The ``on_visibility`` hook of the space ``reception_questions`` (registered in
    :mod:`huying.reception.apps`), run inside the moderation move's transaction. A question
    that leaves public view (hidden, or sent back to the queue by reports) takes its answer
    with it, so the host's ``reception.answer`` duty entry is retracted; when the question is
    published or restored the entry is recorded again (the same entry, dated by the answer).
    Both are idempotent (:mod:`huying.duty.acts`); a question without an answer changes
    nothing. The reception room keeps no counters: its figures are counted on read."""
    from huying.duty import acts

    answer = Answer.objects.filter(question__moderation_id=item.pk).select_related("question__session").first()
    if answer is None:
        return
    question = answer.question
    if visible:
        acts.record(
            answer.author, ANSWER_KIND, source=question, occurred_at=answer.created_at, title=question.session.theme
        )
    else:
        acts.retract(answer.author, ANSWER_KIND, source=question)


def do_hide_question(actor: Any, question: Question, *, reason: str) -> Question:
    """Managing staff hide a question (and so its answer) with the reason, shown to the asker."""
    if not may_manage(actor, question.session):
        raise PermissionDenied(_("Only the agency staff of the host's CPPCC may hide questions."))
    moderation.do_hide(actor, question.moderation, reason=reason)
    question.moderation.refresh_from_db()
    return question


# --- adoption -------------------------------------------------------------------------------
def do_adopt(actor: Any, question: Question, *, now: datetime | None = None) -> Question:
    """The host adopts (采纳) a published question of their session."""
    _check_host(actor, question.session)
    if question.moderation.status != ItemStatus.PUBLISHED:
        raise ValidationError(_("Only published questions can be adopted."), code="not_published")
    with transaction.atomic():
        updated = Question.objects.filter(pk=question.pk, adopted_at__isnull=True).update(
            adopted_at=now or timezone.now(), adopted_by=actor
        )
        if not updated:
            raise ValidationError(_("This question is adopted already."), code="adopted")
        record(actor, "reception.adopt", question, {"session": question.session_id})
    question.refresh_from_db(fields=["adopted_at", "adopted_by"])
    return question


def _check_convertible(actor: Any, questions: Sequence[Question]) -> list[Question]:
    chosen = list({q.pk: q for q in questions}.values())
    if not chosen:
        raise ValidationError({"questions": [_("Choose at least one question.")]})
    if any(q.session.host_id != getattr(actor, "pk", None) for q in chosen):
        raise PermissionDenied(_("Only the host member may turn the questions of their sessions into drafts."))
    if any(q.adopted_at is None or q.moderation.status != ItemStatus.PUBLISHED for q in chosen):
        raise ValidationError({"questions": [_("Adopt a published question before turning it into a draft.")]})
    return chosen


def _answer_of(q: Question) -> Answer | None:
    try:
        return q.answer
    except Answer.DoesNotExist:
        return None


def do_convert_to_proposal(
    actor: Any, questions: Sequence[Question], *, session: Any, title: str, category: str | None = None
) -> Any:
    """The host turns adopted questions into a new proposal draft of their own (through the
    proposals' draft action, so every draft rule applies); links kept both ways."""
    from huying.proposals.actions.drafts import do_save_draft
    from huying.proposals.choices import Category

    chosen = _check_convertible(actor, questions)
    with transaction.atomic():
        result = do_save_draft(
            actor,
            session=session,
            title=title,
            situation=_joined(chosen),
            category=category or Category.OTHER,
        )
        proposal = result.proposal
        now = timezone.now()
        QuestionProposalLink.objects.bulk_create(
            [QuestionProposalLink(question=q, proposal=proposal, adopted_by=actor, created_at=now) for q in chosen]
        )
        for q in chosen:
            record(actor, "reception.to_proposal", q, {"proposal": proposal.pk})
    return proposal


def do_convert_to_report(actor: Any, questions: Sequence[Question], *, title: str) -> Any:
    """The host turns adopted questions into a new opinion-report (社情民意) draft of their
    own, through the opinions app's draft action; links kept both ways."""
    from huying.opinions.actions import do_create_draft

    chosen = _check_convertible(actor, questions)
    with transaction.atomic():
        report = do_create_draft(actor, title=title, situation=_joined(chosen))
        now = timezone.now()
        QuestionReportLink.objects.bulk_create(
            [QuestionReportLink(question=q, report=report, adopted_by=actor, created_at=now) for q in chosen]
        )
        for q in chosen:
            record(actor, "reception.to_report", q, {"report": report.pk})
    return report


def _joined(questions: Sequence[Question]) -> str:
    room, answered = _("Member reception room"), _("Member answer")
    parts = []
    for q in questions:
        text = f"【{room} · {q.session.theme}】{q.body}"
        answer = _answer_of(q)
        if answer is not None:
            text += f"\n{answered}: {answer.body}"
        parts.append(text)
    return "\n\n".join(parts)[:3000]


def outcomes(question: Question) -> list[dict[str, Any]]:
    """What became of a question: adopted, and the proposal (filing number once filed) or
    opinion report it went into, with their status read live."""
    result: list[dict[str, Any]] = []
    for link in question.proposal_links.select_related("proposal__session"):
        proposal = link.proposal
        result.append(
            {
                "kind": "proposal",
                "proposal": proposal,
                "report": None,
                "number": proposal.formatted_number if proposal.filing_number else "",
                "status": proposal.get_status_display(),
            }
        )
    for report_link in question.report_links.select_related("report"):
        result.append(
            {
                "kind": "report",
                "proposal": None,
                "report": report_link.report,
                "number": "",
                "status": report_link.report.get_status_display(),
            }
        )
    return result
