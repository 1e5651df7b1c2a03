"""Pages of the excellent-proposal awards (优秀提案): the published lists for everyone,
and for the proposals committee staff and the special committees the open selections with
their nominations. Thin: reads and writes are in :mod:`huying.proposals.awards`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from huying.core.params import is_ascii_digits
from huying.organisations.choices import OrgKind
from huying.organisations.models import Organisation
from huying.proposals import actions, awards
from huying.proposals.choices import AwardDecision, AwardStatus
from huying.proposals.models import AwardNomination, AwardSelection, Proposal
from huying.proposals.search import clean_query, search

CANDIDATES = 20


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for messages_ in exc.message_dict.values() for m in messages_]
    return list(exc.messages)


def _staff_cppccs(request: HttpRequest) -> list[Organisation]:
    """The CPPCC committees for which the person may open a selection."""
    user = request.user
    if not user.is_authenticated:
        return []
    return [
        a.organisation
        for a in user.active_roles  # type: ignore[union-attr]
        if a.role == "agency_staff" and a.organisation is not None and a.organisation.kind == OrgKind.CPPCC
    ]


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    selections = (
        AwardSelection.objects.visible_to(request.user)
        .select_related("cppcc")
        .annotate(
            selected_count=Count("nominations", filter=Q(nominations__decision=AwardDecision.SELECTED)),
            nomination_count=Count("nominations"),
        )
        .order_by("-year", "cppcc__path")
    )
    context = {
        "selections": selections,
        "open_for": _staff_cppccs(request),
        "this_year": timezone.localdate().year,
        "active_area": "public",
    }
    return render(request, "proposals/awards/index.html", context)


@require_POST
@login_required
def open_selection(request: HttpRequest) -> HttpResponse:
    cppcc = next((o for o in _staff_cppccs(request) if str(o.pk) == request.POST.get("cppcc")), None)
    if cppcc is None:
        raise PermissionDenied(_("Only the proposals committee staff of this CPPCC may do this."))
    year_text = request.POST.get("year", "").strip()
    try:
        selection = actions.do_open_award_selection(
            request.user,
            cppcc=cppcc,
            year=int(year_text) if is_ascii_digits(year_text) and len(year_text) <= 4 else 0,
            title=request.POST.get("title", ""),
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
        return redirect("proposals:awards")
    messages.success(request, _("The selection is open for nominations."))
    return redirect("proposals:award_detail", selection.pk)


@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    selection = awards.access_selection(user, pk)
    nominations = list(awards.nominations_for(user, selection))
    staff = awards.is_selection_staff(user, selection.cppcc)
    nominator = selection.status == AwardStatus.OPEN and awards.may_nominate(user, selection)
    q = clean_query(request.GET.get("q"))
    candidates: list[Proposal] = []
    if nominator:
        eligible = awards.eligible_proposals(selection)
        eligible = search(eligible, q) if q else eligible.order_by("-decided_at", "-pk")
        candidates = list(eligible[:CANDIDATES])
    context = {
        "selection": selection,
        "nominations": nominations,
        "staff": staff and selection.status == AwardStatus.OPEN,
        "nominator": nominator,
        "committees": awards.nominating_committees(user, selection.cppcc) if nominator else [],
        "candidates": candidates,
        "q": q,
        "pending": sum(1 for n in nominations if n.decision == AwardDecision.PENDING),
        "active_area": "public",
    }
    return render(request, "proposals/awards/detail.html", context)


@require_POST
@login_required
def act(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    user = request.user
    selection = awards.access_selection(user, pk)
    post = request.POST
    try:
        if verb == "nominate":
            proposal = awards.eligible_proposals(selection).filter(pk=post.get("proposal") or 0).first()
            if proposal is None:
                proposal = Proposal.objects.filter(pk=post.get("proposal") or 0, session__cppcc=selection.cppcc).first()
            if proposal is None:
                raise ValidationError({"proposal": [_("Choose a filed proposal.")]})
            committee = Organisation.objects.filter(pk=post.get("committee") or 0).first()
            actions.do_nominate_for_award(user, selection, proposal, reason=post.get("reason", ""), committee=committee)
        elif verb == "decide":
            nomination = AwardNomination.objects.filter(pk=post.get("nomination") or 0, selection=selection).first()
            if nomination is None:
                raise ValidationError({"nomination": [_("No such nomination.")]})
            actions.do_decide_nomination(
                user, nomination, selected=post.get("decision") == AwardDecision.SELECTED, note=post.get("note", "")
            )
        elif verb == "publish":
            actions.do_publish_awards(user, selection)
        else:
            raise ValidationError(_("Unknown action."))
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("Done."))
    return redirect("proposals:award_detail", selection.pk)
