"""Pages of remote consultations: thin, they call the actions and ``visible_to``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from huying.accounts.models import User
from huying.consultations import actions, live, transitions
from huying.consultations.choices import ConsultationKind, ConsultationStatus, ParticipantKind, SpeechStatus
from huying.consultations.models import Consultation, Speech, answers, staff_paths
from huying.core.params import parse_id
from huying.handling import history
from huying.handling.access import can_act
from huying.handling.models import Assignment
from huying.organisations.choices import OrgKind
from huying.organisations.models import Organisation


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for messages_ in exc.message_dict.values() for m in messages_]
    return list(exc.messages)


def _report(request: HttpRequest, exc: ValidationError) -> None:
    for message in _errors(exc):
        messages.error(request, message)


def _visible(request: HttpRequest, pk: int) -> Consultation:
    return get_object_or_404(Consultation.objects.visible_to(request.user).select_related("organiser"), pk=pk)


@require_safe
@login_required
def consultation_list(request: HttpRequest) -> HttpResponse:
    rows = list(
        Consultation.objects.visible_to(request.user)
        .filter(status__in=[s for s in ConsultationStatus.values if s != ConsultationStatus.DRAFT])
        .select_related("organiser")[:200]
    )
    return render(
        request,
        "consultations/list.html",
        {
            "live": [c for c in rows if c.status == ConsultationStatus.LIVE],
            "upcoming": sorted(
                (c for c in rows if c.status == ConsultationStatus.PUBLISHED), key=lambda c: c.starts_at
            ),
            "past": [c for c in rows if c.status in (ConsultationStatus.CLOSED, ConsultationStatus.CONCLUDED)],
            "is_staff": bool(staff_paths(request.user)) or request.user.is_administrator,  # type: ignore[union-attr]
        },
    )


def _detail_context(request: HttpRequest, consultation: Consultation) -> dict[str, Any]:
    user = request.user
    doc = live.document(consultation.pk)
    participant = actions.participant_of(user, consultation)
    speeches = list(consultation.speeches.select_related("participant").order_by("position", "id"))
    mine = [s for s in speeches if participant is not None and s.participant_id == participant.pk]
    return {
        "c": consultation,
        "agenda": list(consultation.agenda.all()),
        "participants": list(consultation.participants.all()),
        "participant": participant,
        "queue": [s for s in speeches if s.status == SpeechStatus.QUEUED],
        "given": [s for s in speeches if s.status == SpeechStatus.GIVEN],
        "my_speeches": mine,
        "waiting": next((s for s in mine if s.status == SpeechStatus.QUEUED), None),
        "updates": doc["updates"],
        "last": doc["last"],
        "poll_ms": int(live.POLL_SECONDS * 1000),
        "ticket": live.ticket(consultation.pk, user.pk or 0),
        "outcome": None,  # the pages read it (``_outcome_of``)
        "is_organiser": transitions.is_organiser(user, consultation),
        "may_book": consultation.status == ConsultationStatus.PUBLISHED
        and timezone.localdate() < timezone.localtime(consultation.starts_at).date(),
        "may_request": consultation.status == ConsultationStatus.LIVE,
    }


def _outcome_of(consultation: Consultation) -> Any:
    from huying.consultations.models import Outcome

    return Outcome.objects.filter(consultation=consultation).first()


@require_safe
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _visible(request, pk)
    context = _detail_context(request, consultation)
    context["outcome"] = _outcome_of(consultation)
    response = render(request, "consultations/detail.html", context)
    if consultation.embed_url:
        # The conferencing service's embed is the one frame this page may show.
        from urllib.parse import urlsplit

        from django.conf import settings

        parts = urlsplit(consultation.embed_url)
        response["Content-Security-Policy"] = f"{settings.CONTENT_SECURITY_POLICY}; frame-src https://{parts.netloc}"
    return response


@require_GET
def live_json(request: HttpRequest, pk: int) -> HttpResponse:
    """The live updates after ``?after=<id>``: from the cache, with an ETag (304 when
    nothing changed) and a short max-age. The page's poller sends the signed viewing
    ticket it was given (``?t=``) and no cookie, so a poll costs one cache read; without a
    ticket the session decides, and who may read it is remembered for a minute
    (docs/consultations.md)."""
    ticket = request.GET.get("t")
    if ticket is not None:
        if not live.ticket_valid(ticket, pk):
            return JsonResponse({"message": _("Reload the page to keep following this consultation.")}, status=403)
    elif not request.user.is_authenticated:
        return JsonResponse({"message": _("Sign in to follow this consultation.")}, status=401)
    elif not _may_watch(request.user, pk):
        return JsonResponse({"message": _("Not found.")}, status=404)
    after = parse_id(request.GET.get("after", "0")) or 0
    doc = live.document(pk)
    tag = live.etag(doc)
    if request.headers.get("If-None-Match") == tag:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = JsonResponse(live.since(doc, after))
    response["ETag"] = tag
    response["Cache-Control"] = f"private, max-age={live.MAX_AGE}"
    return response


def _may_watch(user: Any, pk: int) -> bool:
    from django.core.cache import cache

    key = f"consult:see:{pk}:{user.pk}"
    seen = cache.get(key)
    if seen is None:
        seen = Consultation.objects.visible_to(user).filter(pk=pk).exists()
        cache.set(key, seen, 60)
    return bool(seen)


@require_POST
@login_required
def speak(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _visible(request, pk)
    try:
        if consultation.status == ConsultationStatus.LIVE:
            actions.do_request_speech(request.user, consultation, summary=request.POST.get("summary", ""))
            messages.success(request, _("Your request to speak was sent to the host."))
        else:
            actions.do_book_speech(request.user, consultation, summary=request.POST.get("summary", ""))
            messages.success(request, _("Your speech is booked."))
    except ValidationError as exc:
        _report(request, exc)
    return redirect("consultations:detail", pk)


@require_POST
@login_required
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    speech = get_object_or_404(
        Speech.objects.filter(consultation__in=Consultation.objects.visible_to(request.user)), pk=pk
    )
    try:
        actions.do_withdraw_speech(request.user, speech)
        messages.success(request, _("Your speech is withdrawn."))
    except ValidationError as exc:
        _report(request, exc)
    return redirect("consultations:detail", speech.consultation_id)


# --- Console (organising staff) ------------------------------------------------------------


def _require_staff(request: HttpRequest) -> None:
    user = request.user
    if not user.is_authenticated or not (staff_paths(user) or user.is_administrator):  # type: ignore[union-attr]
        raise PermissionDenied(_("Only the organising staff of this consultation may do this."))


def _organised(request: HttpRequest, pk: int) -> Consultation:
    consultation = _visible(request, pk)
    transitions.check_organiser(request.user, consultation)
    return consultation


@require_safe
@login_required
def console(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    rows = [
        c
        for c in Consultation.objects.visible_to(request.user).select_related("organiser")[:200]
        if transitions.is_organiser(request.user, c)
    ]
    return render(request, "consultations/console.html", {"rows": rows})


def _organisers(user: Any) -> list[Organisation]:
    orgs = Organisation.objects.filter(kind__in=[OrgKind.CPPCC, OrgKind.SPECIAL_COMMITTEE], is_active=True)
    if not user.is_administrator:
        from django.db.models import Q

        condition = Q(pk__in=[])
        for path in staff_paths(user):
            condition |= Q(path__startswith=path)
        orgs = orgs.filter(condition)
    return list(orgs.order_by("path")[:300])


def _parse_local(value: str) -> datetime | None:
    parsed = parse_datetime(value or "")
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_staff(request)
    consultation = _organised(request, pk) if pk else None
    organisers = _organisers(request.user)
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    if request.method == "POST":
        post = request.POST
        organiser_id = parse_id(post.get("organiser", ""))
        organiser = next((o for o in organisers if o.pk == organiser_id), None)
        values = {
            "topic": post.get("topic", ""),
            "kind": post.get("kind", ""),
            "summary": post.get("summary", ""),
            "organiser": organiser,
            "starts_at": _parse_local(post.get("starts_at", "")),
            "ends_at": _parse_local(post.get("ends_at", "")),
            "video_url": post.get("video_url", ""),
            "embed_url": post.get("embed_url", ""),
            "place": post.get("place", ""),
            "public_viewing": post.get("public_viewing") == "1",
        }
        agenda = post.get("agenda", "").splitlines()
        try:
            if consultation is None:
                consultation = actions.do_create_consultation(request.user, agenda=agenda, **values)
            else:
                actions.do_update_consultation(request.user, consultation, agenda=agenda, **values)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            values["agenda"] = post.get("agenda", "")
        else:
            messages.success(request, _("Saved."))
            return redirect("consultations:manage", consultation.pk)
    elif consultation is not None:
        values = {
            "topic": consultation.topic,
            "kind": consultation.kind,
            "summary": consultation.summary,
            "organiser": consultation.organiser,
            "starts_at": timezone.localtime(consultation.starts_at),
            "ends_at": timezone.localtime(consultation.ends_at),
            "video_url": consultation.video_url,
            "embed_url": consultation.embed_url,
            "place": consultation.place,
            "public_viewing": consultation.public_viewing,
            "agenda": "\n".join(a.title for a in consultation.agenda.all()),
        }
    return render(
        request,
        "consultations/edit.html",
        {
            "c": consultation,
            "values": values,
            "errors": errors,
            "organisers": organisers,
            "kinds": ConsultationKind.choices,
        },
    )


@require_safe
@login_required
def manage(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _organised(request, pk)
    context = _detail_context(request, consultation)
    outcome = _outcome_of(consultation)
    context["outcome"] = outcome
    context["assignments"] = (
        list(
            Assignment.objects.filter(workflow=transitions.WORKFLOW, case_id=outcome.pk)
            .select_related("unit")
            .order_by("id")
        )
        if outcome
        else []
    )
    context["answers"] = answers([a.pk for a in context["assignments"]])
    context["units"] = list(Organisation.objects.filter(kind=OrgKind.DEPARTMENT, is_active=True).order_by("path")[:300])
    context["participant_kinds"] = ParticipantKind.choices
    context["history"] = history.timeline(consultation)
    return render(request, "consultations/manage.html", context)


STEPS = {
    "publish",
    "open",
    "close",
    "participant",
    "remove_participant",
    "up",
    "down",
    "give",
    "skip",
    "post",
    "minutes",
    "outcome",
    "send",
}


@require_POST
@login_required
def manage_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in STEPS:
        raise PermissionDenied(_("Unknown action."))
    consultation = _organised(request, pk)
    user, post = request.user, request.POST
    try:
        if step == "publish":
            actions.do_publish(user, consultation)
        elif step == "open":
            actions.do_open(user, consultation)
        elif step == "close":
            actions.do_close(user, consultation)
        elif step == "participant":
            person = None
            login = post.get("username", "").strip()
            if login:
                person = User.objects.filter(username=login, is_active=True).first()
                if person is None:
                    raise ValidationError({"username": [_("No active person with this login name.")]})
            actions.do_add_participant(
                user,
                consultation,
                kind=post.get("kind", ""),
                user=person,
                name=post.get("name", ""),
                affiliation=post.get("affiliation", ""),
            )
        elif step == "remove_participant":
            participant = get_object_or_404(consultation.participants, pk=parse_id(post.get("participant", "")) or 0)
            actions.do_remove_participant(user, participant)
        elif step in ("up", "down", "give", "skip"):
            speech = get_object_or_404(consultation.speeches, pk=parse_id(post.get("speech", "")) or 0)
            if step in ("up", "down"):
                actions.do_move_speaker(user, speech, step)
            elif step == "give":
                actions.do_give_speech(user, speech)
            else:
                actions.do_skip_speech(user, speech)
        elif step == "post":
            speech_id = parse_id(post.get("speech", ""))
            about = consultation.speeches.filter(pk=speech_id).first() if speech_id else None
            actions.do_post_update(user, consultation, text=post.get("text", ""), speech=about)
        elif step == "minutes":
            actions.do_save_minutes(user, consultation, minutes=post.get("minutes", ""))
        elif step == "outcome":
            actions.do_save_outcome(
                user, consultation, consensus=post.get("consensus", ""), recommendations=post.get("recommendations", "")
            )
        elif step == "send":
            outcome = _outcome_of(consultation)
            if outcome is None:
                raise ValidationError({"outcome": [_("Write the outcome first.")]})
            ids = [i for i in (parse_id(v) for v in post.getlist("units")) if i is not None]
            units = list(Organisation.objects.filter(pk__in=ids, is_active=True))
            actions.do_send_outcome(user, outcome, units=units, days=parse_id(post.get("days", "")) or 0)
    except ValidationError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("Done."))
    return redirect("consultations:manage", pk)


# --- The department's answer ----------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    mine = Assignment.objects.visible_to(request.user)  # type: ignore[arg-type]
    assignment = get_object_or_404(mine.filter(workflow=transitions.WORKFLOW).select_related("unit"), pk=pk)
    from huying.consultations.models import Outcome

    outcome = get_object_or_404(Outcome.objects.select_related("consultation"), pk=assignment.case_id)
    if request.method == "POST":
        try:
            actions.do_answer(
                request.user,
                assignment,
                answer=request.POST.get("answer", ""),
                expected_version=parse_id(request.POST.get("version", "")),
            )
        except ValidationError as exc:
            _report(request, exc)
        else:
            messages.success(request, _("Your answer was sent."))
            return redirect("consultations:answer", pk)
    return render(
        request,
        "consultations/answer.html",
        {
            "assignment": assignment,
            "outcome": outcome,
            "c": outcome.consultation,
            "answer_text": answers([assignment.pk]).get(assignment.pk, ""),
            "may_answer": can_act(request.user, assignment)
            and assignment.status in ("assigned", "accepted", "reopened"),
        },
    )
