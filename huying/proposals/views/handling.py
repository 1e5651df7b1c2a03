"""Pages of the proposal handling: the unit inbox and its forms, the staff supervision board,
the leaders' key proposals, the handling part of a proposal's detail page (staff tools,
ratings, publication), the public zone's proposals and the reply documents.

Thin: reads through :mod:`huying.proposals.supervision` and the ``visible_to`` querysets,
writes through the actions (:mod:`huying.proposals.actions.handling`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.core.params import parse_id, parse_ids
from huying.core.uploads import download_response
from huying.handling import access
from huying.handling.choices import ACTIVE_STATUSES, AssignmentRole, Rating, Status, WarningLevel
from huying.handling.inbox import shared_inbox_url, step_redirect
from huying.handling.models import Assignment
from huying.handling.steps import parse_deadline
from huying.organisations.models import Organisation
from huying.proposals import actions, public, supervision
from huying.proposals.choices import HandlingMode, HandlingStatus, ProposalStatus, Publication, ReplyClass
from huying.proposals.documents import CONTENT_TYPES
from huying.proposals.models import HANDLING_WORKFLOW, Proposal, Reply

PAGE_SIZE = 20
INBOX_ROLES = (Role.UNIT_STAFF, Role.STREET_HANDLER, Role.LEADER)


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    if not hasattr(exc, "error_dict"):
        return {"all": exc.messages}
    errors = dict(exc.message_dict)
    if "__all__" in errors:
        errors["all"] = errors.pop("__all__")
    return errors


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- the detail page's handling part ------------------------------------------------------
def handling_context(request: HttpRequest, proposal: Proposal) -> dict[str, Any]:
    """What the detail page shows of the handling (added to its context by ``views.detail``)."""
    if proposal.status != ProposalStatus.FILED:
        return {"handling": None}
    user = request.user
    handling = supervision.handling_of(user, proposal)
    context: dict[str, Any] = {
        "handling": handling,
        "ratings": Rating.choices,
        "can_object_publication": handling.proposer and proposal.publication == Publication.UNPUBLISHED,
    }
    if handling.staff:
        context.update(
            {
                "can_assign": not any(r.assignment.status in ACTIVE_STATUSES for r in handling.assignments)
                and proposal.handling_status != HandlingStatus.COMPLETED,
                "modes": HandlingMode.choices,
                "units": supervision.candidate_units(proposal),
                "suggested_ids": set(proposal.suggested_units.values_list("pk", flat=True)),
                "leaders": supervision.leaders_for(proposal),
                "committees": supervision.committees_for(proposal),
                "can_publish": proposal.publication in (Publication.UNPUBLISHED, Publication.RESTRICTED)
                and any(v.reply.status == "accepted" for v in handling.replies),
                "can_restrict": proposal.publication != Publication.RESTRICTED,
            }
        )
    return context


# The staff's steps of the proposal itself; the generic steps on its assignments (urge,
# reassign, withdraw, overrule, extension decisions) post to the shared ``handling:act``.
STAFF_VERBS = ("assign", "review", "key", "publish", "restrict")
PROPOSER_VERBS = ("rate", "object_publication")


def _case_assignment(proposal: Proposal, pk: int | None) -> Assignment:
    assignment = (
        Assignment.objects.filter(workflow=HANDLING_WORKFLOW, case_id=proposal.pk, pk=pk or 0)
        .select_related("unit", "owner")
        .first()
    )
    if assignment is None:
        raise ValidationError({"assignment": _("Choose an assignment of this proposal.")})
    return assignment


def _unit(pk: int | None, field: str) -> Organisation:
    unit = Organisation.objects.filter(pk=pk or 0).first()
    if unit is None:
        raise ValidationError({field: _("Choose a handling unit.")})
    return unit


def _units(ids: list[str]) -> list[Organisation]:
    wanted = parse_ids(ids)
    found = Organisation.objects.in_bulk(wanted)
    return [found[i] for i in wanted if i in found]


@require_POST
@login_required
def handle(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    """The staff's and the proposers' handling forms on the detail page."""
    if verb not in STAFF_VERBS + PROPOSER_VERBS:
        raise Http404(_("Unknown action."))
    user = request.user
    proposal = actions.access_proposal(user, pk)
    post = request.POST
    done = _("Done.")
    try:
        if verb == "assign":
            mode = post.get("mode", "")
            units = _units(post.getlist("units"))
            co_units = _units(post.getlist("co_units")) if mode == HandlingMode.LEAD else []
            actions.do_assign(user, proposal, mode=mode, units=units, co_units=co_units, note=post.get("note", ""))
            done = _("The proposal has been assigned.")
        elif verb == "review":
            reply = Reply.objects.filter(proposal=proposal, pk=parse_id(post.get("reply")) or 0).first()
            if reply is None:
                raise ValidationError({"reply": _("Choose a reply of this proposal.")})
            accept = post.get("decision") == "accept"
            due = parse_deadline(post.get("due", ""))
            actions.do_review_reply(user, reply, accept=accept, note=post.get("note", ""), due=due)
            done = _("The reply has been accepted.") if accept else _("The reply has been sent back.")
        elif verb == "key":
            is_key = post.get("is_key") == "1"
            leader = User.objects.filter(pk=parse_id(post.get("leader")) or 0).first()
            committee = Organisation.objects.filter(pk=parse_id(post.get("committee")) or 0).first()
            actions.do_mark_key(
                user, proposal, is_key=is_key, leader=leader, committee=committee, note=post.get("note", "")
            )
            done = _("Saved.")
        elif verb == "publish":
            actions.do_publish(user, proposal, note=post.get("note", ""))
            done = _("The proposal has been published.")
        elif verb == "restrict":
            actions.do_restrict_publication(user, proposal, reason=post.get("reason", ""))
            done = _("Publication has been restricted.")
        elif verb == "object_publication":
            actions.do_object_publication(user, proposal, reason=post.get("reason", ""))
            done = _("Your objection to publication has been recorded.")
        else:  # rate
            reply = (
                Reply.objects.visible_to(user).filter(proposal=proposal, pk=parse_id(post.get("reply")) or 0).first()
            )
            if reply is None:
                raise ValidationError({"reply": _("Choose a reply of this proposal.")})
            actions.do_rate(user, reply, rating=post.get("rating", ""), comment=post.get("comment", ""))
            done = _("Thank you: your rating has been recorded.")
    except ValidationError as exc:
        for field_messages in _errors(exc).values():
            for message in field_messages:
                messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("proposals:detail", pk)


# --- unit inbox -----------------------------------------------------------------------
def _require_unit(user: Any) -> None:
    if not (user.is_administrator or user.has_role(*INBOX_ROLES)):
        raise PermissionDenied(_("The proposal inbox is open only to staff of handling units."))


@require_safe
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The proposals inbox is the shared inbox's proposal tab."""
    _require_unit(request.user)
    return redirect(shared_inbox_url(HANDLING_WORKFLOW, request))


def _inbox_assignment(user: Any, pk: int) -> tuple[Assignment, Proposal]:
    _require_unit(user)
    condition = supervision.unit_condition(user)
    assignment = None
    if condition is not None:
        assignment = (
            Assignment.objects.filter(condition, workflow=HANDLING_WORKFLOW, pk=pk)
            .select_related("unit", "owner")
            .first()
        )
    if assignment is None:
        raise Http404(_("There is no such assignment, or you may not see it."))
    proposal = Proposal.objects.for_list().get(pk=assignment.case_id)
    return assignment, proposal


def _inbox_page(
    request: HttpRequest, assignment: Assignment, proposal: Proposal, errors: dict[str, list[str]], verb: str = ""
) -> HttpResponse:
    now = timezone.now()
    handling = supervision.handling_of(request.user, proposal, now)
    # Only the assigned unit's own staff get the forms (``access``: the engine's right); a
    # leader reading a unit below, for example, sees the case without them.
    may_act = access.can_act(request.user, assignment)
    available = set(access.allowed_actions(request.user, assignment))
    responsible = assignment.role != AssignmentRole.CO
    context = {
        "assignment": assignment,
        "row": supervision.AssignmentRow(assignment, supervision.deadline_state(assignment, now)),
        "proposal": proposal,
        "handling": handling,
        "available": available,
        "can_object": "object" in available
        and assignment.objection_due is not None
        and now <= assignment.objection_due,
        "may_act": may_act,
        "can_work": may_act
        and assignment.status in (Status.ASSIGNED, Status.ACCEPTED, Status.RESPONDED, Status.REOPENED),
        "responsible": responsible,
        "my_replies": [v for v in handling.replies if v.reply.assignment_id == assignment.pk],
        "reply_classes": ReplyClass.choices,
        "errors": errors,
        "verb": verb,
        "values": request.POST if request.method == "POST" else {},
        "cosigners": proposal.cosigners.filter(status="confirmed").select_related("member"),
    }
    return render(request, "proposals/inbox_detail.html", context, status=422 if errors else 200)


@require_safe
@login_required
def inbox_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assignment, proposal = _inbox_assignment(request.user, pk)
    return _inbox_page(request, assignment, proposal, {})


# The proposals' own steps on the inbox page; the generic ones (accept, object, ask for
# more time) post to the shared ``handling:act``, and their old addresses answer 308 there.
UNIT_VERBS = ("contact", "co_view", "reply")
GENERIC_VERBS = {"accept": "accept", "object": "object", "extend": "extension"}


@require_POST
@login_required
def inbox_act(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    user = request.user
    if verb in GENERIC_VERBS:
        return step_redirect(pk, GENERIC_VERBS[verb])
    if verb not in UNIT_VERBS:
        raise Http404(_("Unknown action."))
    assignment, proposal = _inbox_assignment(user, pk)
    post = request.POST
    version = parse_id(post.get("version"))
    try:
        if verb == "contact":
            actions.do_record_contact(user, assignment, note=post.get("note", ""), version=version)
            done = _("The contact with the proposer has been recorded.")
        elif verb == "co_view":
            actions.do_submit_co_view(user, assignment, view=post.get("view", ""), version=version)
            done = _("Your views have been sent to the lead unit.")
        else:
            actions.do_submit_reply(
                user,
                assignment,
                reply_class=post.get("reply_class", ""),
                reference_number=post.get("reference_number", ""),
                contact_person=post.get("contact_person", ""),
                contact_phone=post.get("contact_phone", ""),
                body=post.get("body", ""),
                document=request.FILES.get("document"),
                version=version,
            )
            done = _("The reply has been submitted for review.")
    except ValidationError as exc:
        assignment.refresh_from_db()
        return _inbox_page(request, assignment, proposal, _errors(exc), verb)
    messages.success(request, done)
    return redirect("proposals:inbox_detail", pk=assignment.pk)


# --- supervision board and key proposals ------------------------------------------------
@require_safe
@login_required
def board(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not supervision.may_supervise(user):
        raise PermissionDenied(_("The supervision board is open only to the proposals committee staff."))
    get = request.GET
    unit_id = parse_id(get.get("unit"))
    unit = Organisation.objects.filter(pk=unit_id).first() if unit_id else None
    filters = {
        "state": get.get("state", ""),
        "key": get.get("key") == "1",
        "handling": get.get("handling", ""),
        "pending": get.get("pending") == "1",
        "unit": unit,
        "q": get.get("q", "")[:100],
    }
    now = timezone.now()
    page = Paginator(supervision.board_queryset(user, now, filters), PAGE_SIZE).get_page(get.get("page"))
    context = {
        "page": page,
        "rows": supervision.board_rows(list(page.object_list), now),
        "filters": filters,
        "states": [
            (WarningLevel.RED, _("Overdue")),
            (WarningLevel.YELLOW, _("Due soon")),
            (WarningLevel.OK, _("On time")),
        ],
        "handling_statuses": [c for c in HandlingStatus.choices if c[0] != HandlingStatus.UNASSIGNED],
        "query": _query(request),
    }
    return render(request, "proposals/board.html", context)


@require_safe
@login_required
def key(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_role(Role.LEADER):  # type: ignore[union-attr]
        raise PermissionDenied(_("My key proposals is open only to leaders."))
    now = timezone.now()
    page = Paginator(supervision.key_queryset(user, now), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "rows": supervision.board_rows(list(page.object_list), now), "query": _query(request)}
    return render(request, "proposals/key.html", context)


# --- public zone ------------------------------------------------------------------------
@require_safe
def public_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:100]
    page = Paginator(public.search(public.public_queryset(), q), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "q": q, "query": _query(request), "active_area": "public"}
    return render(request, "proposals/public_list.html", context)


@require_safe
def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = public.public_detail_queryset().filter(pk=pk).first()
    if proposal is None:
        raise Http404(_("No such published proposal."))
    context = {"proposal": proposal, "names": public.proposer_names(proposal), "active_area": "public"}
    return render(request, "proposals/public_detail.html", context)


@require_safe
def reply_document(request: HttpRequest, pk: int) -> FileResponse:
    """The reply document, for whoever may read the reply: the proposal's readers, and
    everyone once the proposal is published and the reply accepted."""
    reply = Reply.objects.visible_to(request.user).filter(pk=pk).first()
    if reply is None:
        reply = Reply.objects.filter(
            pk=pk, status="accepted", proposal_id__in=public.public_queryset().values("pk")
        ).first()
    if reply is None or not reply.document:
        raise Http404(_("There is no such document, or you may not see it."))
    extension = reply.document.name.rsplit(".", 1)[-1].lower()
    return download_response(
        reply.document.open("rb"),
        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
        filename=f"reply-{reply.pk}.{extension}",
    )
