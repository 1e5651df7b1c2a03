"""Pages of the proposals app: thin, they call the actions and the visible_to querysets."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.core.origins import origins_of
from huying.core.params import parse_id, parse_ids
from huying.proposals import actions
from huying.proposals.choices import Category, ConvertTarget, CoSignStatus, ProposalStatus, RejectReason
from huying.proposals.models import CoSigner, Proposal, Session
from huying.proposals.search import clean_query, paginate_search
from huying.proposals.similarity import similar_proposals

PAGE_SIZE = 20


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


def _page_query(request: HttpRequest) -> str:
    """The list's query string without the page number, for the pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _similar_pool(user: Any) -> Any:
    return Proposal.objects.filter(
        Q(status=ProposalStatus.FILED) | Q(pk__in=Proposal.objects.visible_to(user).values("pk"))
    )


@require_safe
@login_required
def mine(request: HttpRequest) -> HttpResponse:
    user = request.user
    # Members, and the staff who submitted proposals for a collective (they rate the replies).
    if not user.has_role(Role.MEMBER) and not Proposal.objects.filter(submitted_by=user.pk).exists():  # type: ignore[union-attr]
        raise PermissionDenied(_("My proposals is open only to CPPCC members."))
    own = Proposal.objects.visible_to(user).for_list().filter(Q(proposer=user) | Q(submitted_by=user))
    q = clean_query(request.GET.get("q"))
    page = Paginator(paginate_search(own, q), PAGE_SIZE).get_page(request.GET.get("page"))
    invitations = (
        CoSigner.objects.filter(member=user.pk, status=CoSignStatus.INVITED, proposal__status=ProposalStatus.DRAFT)
        .select_related("proposal", "proposal__proposer")
        .order_by("-invited_at")[:50]
    )
    from huying.proposals.supervision import replies_to_rate

    to_rate = replies_to_rate(user)[:50]
    context = {"page": page, "invitations": invitations, "to_rate": to_rate, "q": q, "page_query": _page_query(request)}
    return render(request, "proposals/mine.html", context)


def _may_draft(user: Any) -> list[Session]:
    """The sessions ``user`` may draft a member's proposal in (those of the CPPCC
    committees where they are a member); refused (403) for everyone else."""
    sessions = [s for s in Session.objects.select_related("cppcc") if actions.is_member_of(user, s)]
    if not sessions:
        raise PermissionDenied(_("Only CPPCC members draft proposals here."))
    return sessions


def _invitees(post: Any) -> tuple[list[User], list[str]]:
    """The members picked as co-signers (ids from the picker), and an error when an id is
    unknown."""
    raw = [v.strip() for v in post.getlist("invite") if v.strip()]
    ids = parse_ids(raw)
    found = User.objects.in_bulk(ids)
    unknown = len(ids) != len(raw) or any(i not in found for i in ids)
    errors = [_("Choose the co-signers from the search results.")] if unknown else []
    return [found[i] for i in dict.fromkeys(ids) if i in found], errors


@login_required
def edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Draft a new proposal or edit one's draft. A save is all or nothing (text and new
    co-signers); a refused or stale save re-shows what was typed, with the reasons."""
    user = request.user
    proposal = actions.access_proposal(user, pk) if pk else None
    if proposal is not None and not proposal.is_author(user):
        raise PermissionDenied(_("Only the first proposer or the authorised staff may do this."))
    if proposal is not None and proposal.status != ProposalStatus.DRAFT:
        messages.info(request, _("Only drafts can be edited."))
        return redirect("proposals:detail", proposal.pk)
    sessions = [proposal.session] if proposal is not None and proposal.collective_id else _may_draft(user)
    errors: dict[str, list[str]] = {}
    warnings: list[str] = []
    values: dict[str, Any] = {}
    picked: list[User] = []
    stale = False
    version = proposal.version if proposal is not None else None
    if proposal is not None:
        values = {f: getattr(proposal, f) for f in ("title", "summary", "situation", "analysis", "suggestions")}
        values["category"] = proposal.category
    if request.method == "POST":
        values = {
            f: request.POST.get(f, "") for f in ("title", "summary", "situation", "analysis", "suggestions", "category")
        }
        values["category"] = values["category"] or Category.OTHER
        session = next((s for s in sessions if str(s.pk) == request.POST.get("session")), None)
        if proposal is not None:
            session = proposal.session
        picked, invite_errors = _invitees(request.POST)
        save = actions.do_save_and_submit if request.POST.get("submit") else actions.do_save_draft
        try:
            if invite_errors:
                raise ValidationError({"member": invite_errors})
            result = save(
                user,
                proposal,
                session=session,
                version=parse_id(request.POST.get("version", "")),
                invite=picked,
                **values,
            )
        except ValidationError as exc:
            errors = _errors(exc)
            if proposal is not None and "version" in errors:
                # Keep what the member typed; offer the newer version's number so that saving
                # again (deliberately) replaces it.
                stale = True
                proposal.refresh_from_db()
                version = proposal.version
        else:
            for warning in result.warnings:
                messages.warning(request, warning)
            if request.POST.get("submit"):
                messages.success(request, _("The proposal has been submitted."))
                return redirect("proposals:detail", result.proposal.pk)
            messages.success(request, _("The draft has been saved."))
            return redirect("proposals:edit", result.proposal.pk)
    elif proposal is not None:
        warnings = actions.format_warnings(
            proposal.title, proposal.summary, proposal.situation, proposal.analysis, proposal.suggestions
        )
    context = {
        "proposal": proposal,
        "sessions": sessions,
        "values": values,
        "version": version,
        "stale": stale,
        "errors": errors,
        "general_errors": errors.get("__all__", []),
        "warnings": warnings,
        "categories": Category.choices,
        "cosigners": proposal.cosigners.select_related("member") if proposal else [],
        "picked": _member_rows(picked),
        "may_invite": proposal is None or proposal.proposer_id == user.pk,
    }
    return render(request, "proposals/edit.html", context, status=422 if errors else 200)


def _member_rows(users: list[User]) -> list[dict[str, Any]]:
    """What the co-signer picker shows of a member: name, sector and special committee
    (never the phone number)."""
    if not users:
        return []
    from huying.accounts.models import RoleAssignment

    roles: dict[int, Any] = {}
    for a in RoleAssignment.objects.filter(user__in=users, role=Role.MEMBER, is_active=True).select_related(
        "sector", "special_committee"
    ):
        roles.setdefault(a.user_id, a)
    rows = []
    for member in users:
        role = roles.get(member.pk)
        rows.append(
            {
                "id": member.pk,
                "name": str(member),
                "sector": str(role.sector) if role and role.sector_id else "",
                "committee": role.special_committee.name if role and role.special_committee_id else "",
            }
        )
    return rows


@require_safe
@login_required
def member_search(request: HttpRequest) -> HttpResponse:
    """htmx partial of the co-signer picker: members of the same CPPCC committee whose
    name contains what was typed (name, sector and special committee only)."""
    sessions = _may_draft(request.user)
    session = next((s for s in sessions if str(s.pk) == request.GET.get("session")), None)
    q = (request.GET.get("member_q") or "").strip()[:20]
    users: list[User] = []
    if session is not None and q:
        from huying.accounts.models import RoleAssignment

        member_ids = RoleAssignment.objects.filter(
            role=Role.MEMBER, is_active=True, organisation__path__startswith=session.cppcc.path
        ).values("user_id")
        found = User.objects.filter(pk__in=member_ids, is_active=True, real_name__icontains=q).exclude(
            pk=request.user.pk
        )
        exclude = parse_id(request.GET.get("exclude", ""))
        if exclude is not None:
            # Those already invited to the member's own draft are not offered again.
            found = found.exclude(
                pk__in=CoSigner.objects.filter(proposal_id=exclude, proposal__proposer=request.user.pk).values(
                    "member_id"
                )
            )
        users = list(found.order_by("real_name", "pk")[:10])
    return render(request, "proposals/_member_results.html", {"members": _member_rows(users), "q": q})


@require_safe
@login_required
def similar(request: HttpRequest) -> HttpResponse:
    """htmx partial: similar proposals for the title and summary being typed (for those who
    draft or review proposals)."""
    if not request.user.has_role(Role.MEMBER, Role.AGENCY_STAFF):  # type: ignore[union-attr]
        raise PermissionDenied(_("Only CPPCC members draft proposals here."))
    text = f"{request.GET.get('title', '')}\n{request.GET.get('summary', '')}"[:2000]
    session = Session.objects.select_related("cppcc").filter(pk=request.GET.get("session") or 0).first()
    exclude = request.GET.get("exclude", "")
    results = similar_proposals(
        text,
        session,
        queryset=_similar_pool(request.user),
        exclude_pk=parse_id(exclude),
    )
    return render(request, "proposals/_similar.html", {"results": results})


def _back_link(user: Any, proposal: Proposal, reviewer: bool) -> tuple[str, str] | None:
    """The list a reader of ``proposal`` came from, as (url, label): the review queue for
    reviewers, 我的提案 for members and the staff who submitted it, the key proposals for
    leaders; none for the others (a link they could not open is never shown)."""
    if reviewer:
        return reverse("proposals:queue"), _("Review")
    if user.has_role(Role.MEMBER) or proposal.submitted_by_id == user.pk:
        return reverse("proposals:mine"), _("My proposals")
    if user.has_role(Role.LEADER) and proposal.is_key:
        return reverse("proposals:key"), _("My key proposals")
    return None


@require_safe
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = actions.access_proposal(request.user, pk)
    from huying.proposals.transitions import is_reviewer

    reviewer = is_reviewer(request.user, proposal)
    context = {
        "proposal": proposal,
        "back": _back_link(request.user, proposal, reviewer),
        "events": proposal.events.select_related("actor"),
        "cosigners": proposal.cosigners.select_related("member"),
        "is_author": proposal.is_author(request.user),
        "my_invitation": proposal.cosigners.filter(member=request.user.pk, status=CoSignStatus.INVITED).first(),
        "reviewer": reviewer,
        "origins": origins_of(request.user, proposal),
        "reject_reasons": RejectReason.choices,
        "convert_targets": ConvertTarget.choices,
        "filed": (
            Proposal.objects.filter(session=proposal.session, status=ProposalStatus.FILED).order_by("number")[:200]
            if reviewer
            else []
        ),
        "similar": similar_proposals(
            f"{proposal.title}\n{proposal.summary}",
            proposal.session,
            queryset=_similar_pool(request.user),
            exclude_pk=proposal.pk,
        )
        if reviewer
        else [],
    }
    from huying.proposals.views.handling import handling_context

    context.update(handling_context(request, proposal))
    return render(request, "proposals/detail.html", context)


@require_safe
@login_required
def queue(request: HttpRequest) -> HttpResponse:
    if not request.user.has_role(Role.AGENCY_STAFF):  # type: ignore[union-attr]
        raise PermissionDenied(_("Only the proposals committee staff may review proposals."))
    qs = Proposal.objects.visible_to(request.user).for_list()
    # ?status=all (or any status) searches beyond the queue of submitted proposals.
    status = request.GET.get("status", ProposalStatus.SUBMITTED)
    if status in ProposalStatus.values:
        qs = qs.filter(status=status)
    else:
        status = "all"
        qs = qs.exclude(status=ProposalStatus.DRAFT)
    q = clean_query(request.GET.get("q"))
    results = paginate_search(qs, q) if q else qs.order_by("submitted_at", "id")
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": q,
        "status": status,
        "statuses": ProposalStatus.choices[1:],
        "page_query": _page_query(request),
    }
    return render(request, "proposals/queue.html", context)


# Decisions that cannot be undone: the form carries a confirmation box the server checks.
CONFIRMED_VERBS = ("withdraw", "reject", "merge", "convert")


@require_POST
@login_required
def act(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    user = request.user
    proposal = actions.access_proposal(user, pk)
    post = request.POST
    if verb in CONFIRMED_VERBS:
        # Who may decide is checked before the confirmation box: outsiders get a 403.
        from huying.proposals.transitions import check_author, check_reviewer

        (check_author if verb == "withdraw" else check_reviewer)(user, proposal)
    try:
        if verb in CONFIRMED_VERBS and post.get("confirm") != "1":
            raise ValidationError({"confirm": [_("Tick the box to confirm this decision; it cannot be undone.")]})
        if verb == "submit":
            actions.do_submit(user, proposal)
        elif verb == "withdraw":
            actions.do_withdraw(user, proposal, note=post.get("note", ""))
        elif verb in ("confirm", "decline"):
            actions.do_respond_cosign(user, proposal, confirm=verb == "confirm")
        elif verb == "file":
            actions.do_file(user, proposal, note=post.get("note", ""))
        elif verb == "reject":
            actions.do_reject(user, proposal, reason=post.get("reason", ""), explanation=post.get("explanation", ""))
        elif verb == "merge":
            into = post.get("into", "")
            target = Proposal.objects.visible_to(user).filter(pk=into).first() if parse_id(into) is not None else None
            if target is None:
                raise ValidationError({"into": [_("Choose a filed proposal.")]})
            actions.do_merge(user, proposal, into=target, note=post.get("note", ""))
        elif verb == "convert":
            actions.do_convert(user, proposal, to=post.get("to", ""), note=post.get("note", ""))
        else:
            raise ValidationError(_("Unknown action."))
    except ValidationError as exc:
        for field_messages in _errors(exc).values():
            for message in field_messages:
                messages.error(request, message)
    else:
        messages.success(request, _("Done."))
    if verb in ("confirm", "decline"):
        return redirect("proposals:mine")
    return redirect("proposals:detail", pk)
