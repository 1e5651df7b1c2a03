"""Pages of the activities: thin, they call the actions and the visible_to querysets.

Members (履职 › 履职活动, phone first): their upcoming and past activities, one activity
with its answers (sign up, decline, leave), the check-in page the venue's QR code opens.
Staff (工作台 › 活动管理): the list, the form, the roster with leave decisions and
attendance ticks, its XLSX export, the QR code for a projector, finishing with a report
and photos.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from huying.accounts.choices import MemberLevel, Role
from huying.accounts.models import RoleAssignment, User
from huying.activities import access, actions, exports, qr
from huying.activities.choices import (
    SEAT_STATUSES,
    ActivityKind,
    ActivityStatus,
    InvitationMode,
    ParticipationStatus,
)
from huying.activities.models import Activity, ActivityPhoto, Participation
from huying.core.params import parse_id, parse_ids
from huying.organisations.choices import OrgKind
from huying.organisations.models import Organisation, Sector

PAGE_SIZE = 20
P = ParticipationStatus


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


def _flash(request: HttpRequest, exc: ValidationError) -> None:
    for field_messages in _errors(exc).values():
        for message in field_messages:
            messages.error(request, message)


def roster_queryset(activity: Activity) -> Any:
    """The participants with their member role (sector, committee) for the roster."""
    roles = RoleAssignment.objects.filter(role=Role.MEMBER, is_active=True).select_related(
        "sector", "special_committee"
    )
    rows = list(
        activity.participations.select_related("member")
        .prefetch_related(Prefetch("member__role_assignments", queryset=roles, to_attr="member_roles"))
        .order_by("member__real_name", "id")
    )
    for row in rows:
        found = row.member.member_roles  # type: ignore[attr-defined]
        row.member_role = found[0] if found else None  # type: ignore[attr-defined]
    return rows


# --- members ------------------------------------------------------------------------------
@require_safe
@login_required
def mine(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_role(Role.MEMBER):  # type: ignore[union-attr]
        raise PermissionDenied(_("Duty activities are open to CPPCC members."))
    now = timezone.now()
    visible = Activity.objects.visible_to(user).select_related("organiser")
    own = {p.activity_id: p for p in Participation.objects.filter(member=user.pk)}
    upcoming = list(visible.filter(status=ActivityStatus.PUBLISHED, ends_at__gte=now).order_by("starts_at", "id")[:50])
    past = Paginator(
        visible.filter(
            status__in=[ActivityStatus.FINISHED, ActivityStatus.CANCELLED], participations__member=user.pk
        ).order_by("-starts_at", "-id"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    for activity in [*upcoming, *past.object_list]:
        activity.mine = own.get(activity.pk)  # type: ignore[attr-defined]
    return render(request, "activities/mine.html", {"upcoming": upcoming, "past": past})


def _detail_context(request: HttpRequest, activity: Activity) -> dict[str, Any]:
    user = request.user
    manager = access.may_manage(user, activity)
    mine = Participation.objects.filter(activity=activity, member=user.pk).first()
    now = timezone.now()
    open_to_me = mine is None and actions.may_sign_up_openly(user, activity)
    counts = dict(activity.participations.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return {
        "activity": activity,
        "manager": manager,
        "mine": mine,
        "open_to_me": open_to_me,
        "started": now >= activity.starts_at,
        "signup_closed": now > (activity.signup_deadline or activity.starts_at),
        "over": now > activity.ends_at,
        "counts": [(label, counts.get(value, 0)) for value, label in P.choices if counts.get(value)],
        "seats": sum(counts.get(s, 0) for s in SEAT_STATUSES),
        "photos": list(activity.photos.all()),
        "events": activity.events.select_related("actor", "participation__member").order_by("-at", "-id")[:50]
        if manager
        else [],
    }


@require_safe
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = actions.access_activity(request.user, pk)
    return render(request, "activities/detail.html", _detail_context(request, activity))


@require_POST
@login_required
def act(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    user = request.user
    activity = actions.access_activity(user, pk)
    post = request.POST
    version = parse_id(post.get("version", ""))
    try:
        if verb == "sign_up":
            actions.do_sign_up(user, activity)
            messages.success(request, _("You are signed up."))
        elif verb == "decline":
            actions.do_decline(user, activity)
            messages.success(request, _("You have declined the activity."))
        elif verb == "leave":
            actions.do_ask_leave(user, activity, reason=post.get("reason", ""))
            messages.success(request, _("Your leave request has been sent."))
        elif verb == "publish":
            actions.do_publish(user, activity, expected_version=version)
            messages.success(request, _("The activity is published."))
        elif verb == "cancel":
            actions.do_cancel(user, activity, reason=post.get("reason", ""), expected_version=version)
            messages.success(request, _("The activity is cancelled."))
        elif verb == "finish":
            actions.do_finish(user, activity, report=post.get("report", ""), expected_version=version)
            messages.success(request, _("The activity is finished; attendance is recorded."))
        elif verb == "report":
            actions.do_update_report(user, activity, report=post.get("report", ""))
            messages.success(request, _("The report is saved."))
        elif verb == "photos":
            actions.do_add_photos(user, activity, request.FILES.getlist("photos"))
            messages.success(request, _("The photos are added."))
        elif verb == "rotate":
            actions.do_rotate_token(user, activity)
            messages.success(request, _("A new check-in code is shown; the old one no longer works."))
            return redirect("activities:qr", pk)
        else:
            raise Http404(_("Unknown action."))
    except ValidationError as exc:
        _flash(request, exc)
    return redirect("activities:detail", pk)


@login_required
def checkin(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """The page the venue's QR code opens: one tap checks the member in (a POST, so a
    link preview never checks anyone in)."""
    user = request.user
    activity = actions.access_activity(user, pk)
    context: dict[str, Any] = {"activity": activity, "token": token}
    status = 200
    if request.method == "POST":
        try:
            participation, first = actions.do_check_in(user, activity, token=token)
        except ValidationError as exc:
            context["error"] = " ".join(m for ms in _errors(exc).values() for m in ms)
            status = 422
        except PermissionDenied as exc:
            context["error"] = str(exc)
            status = 403
        else:
            context["done"] = participation
            context["first"] = first
    else:
        context["done"] = Participation.objects.filter(activity=activity, member=user.pk, status=P.ATTENDED).first()
    return render(request, "activities/checkin.html", context, status=status)


# --- staff --------------------------------------------------------------------------------
@require_safe
@login_required
def manage(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.is_organising_staff(user):
        raise PermissionDenied(_("Activity management is open to the staff who organise activities."))
    paths = access.managed_paths(user)
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(organiser__path__startswith=path)
    rows = Activity.objects.filter(condition).select_related("organiser")
    status = request.GET.get("status", "")
    if status in ActivityStatus.values:
        rows = rows.filter(status=status)
    rows = rows.annotate(
        seats=Count("participations", filter=Q(participations__status__in=SEAT_STATUSES)),
        leave=Count("participations", filter=Q(participations__status=P.LEAVE_REQUESTED)),
    ).order_by("-starts_at", "-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "activities/manage.html",
        {"page": page, "status": status, "statuses": ActivityStatus.choices},
    )


def _local(value: str) -> dt.datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _form_values(user: Any, post: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    organisers = access.organisers_for(user)
    organiser = organisers.filter(pk=parse_id(post.get("organiser", "")) or 0).first()
    if organiser is None:
        errors["organiser"] = [_("Choose the organiser.")]
    values: dict[str, Any] = {
        "organiser": organiser,
        "kind": post.get("kind", ""),
        "title": post.get("title", "")[:120],
        "description": post.get("description", "")[:5000],
        "place": post.get("place", "")[:200],
        "mode": post.get("mode", ""),
    }
    for name in ("starts_at", "ends_at", "signup_deadline"):
        values[name] = _local(post.get(name, ""))
        if values[name] is None and (name != "signup_deadline" or values["mode"] == InvitationMode.OPEN):
            errors[name] = [_("Enter a date and time.")]
    capacity = post.get("capacity", "").strip()
    values["capacity"] = None
    if capacity:
        number = parse_id(capacity)
        if number is None or number > 100000:
            errors["capacity"] = [_("The capacity is a whole number of people, or left empty.")]
        else:
            values["capacity"] = number
    values["committees"] = list(
        Organisation.objects.filter(pk__in=parse_ids(post.getlist("committees")), kind=OrgKind.SPECIAL_COMMITTEE)
    )
    values["sectors"] = list(Sector.objects.filter(pk__in=parse_ids(post.getlist("sectors"))))
    values["levels"] = [v for v in post.getlist("levels") if v in MemberLevel.values]
    names = [
        n
        for n in post.get("members", "").replace("，", ",").replace("、", ",").replace("\n", ",").split(",")
        if n.strip()
    ]
    members = []
    unknown = []
    for name in (n.strip() for n in names):
        found = list(
            User.objects.filter(Q(username=name) | Q(real_name=name), role_assignments__role=Role.MEMBER).distinct()[:2]
        )
        if len(found) == 1:
            members.append(found[0])
        else:
            unknown.append(name)
    if unknown:
        errors["members"] = [_("No single member is called: %(names)s.") % {"names": "、".join(unknown)}]
    values["members"] = members
    return values, errors


def _form_context(
    user: Any, activity: Activity | None, values: dict[str, Any], errors: dict[str, list[str]]
) -> dict[str, Any]:
    organisers = list(access.organisers_for(user))
    cppcc_ids = {o.pk for o in organisers if o.kind == OrgKind.CPPCC} | {
        o.parent_id for o in organisers if o.kind != OrgKind.CPPCC
    }
    committees = Organisation.objects.filter(
        kind=OrgKind.SPECIAL_COMMITTEE, parent_id__in=cppcc_ids, is_active=True
    ).order_by("path")
    return {
        "activity": activity,
        "values": values,
        "errors": errors,
        "organisers": organisers,
        "kinds": ActivityKind.choices,
        "modes": InvitationMode.choices,
        "committees": committees,
        "sectors": Sector.objects.order_by("sort_order", "id"),
        "levels": MemberLevel.choices,
        "locked_rules": activity is not None and activity.status != ActivityStatus.DRAFT,
    }


def _initial(activity: Activity) -> dict[str, Any]:
    return {
        "organiser": activity.organiser,
        "kind": activity.kind,
        "title": activity.title,
        "description": activity.description,
        "place": activity.place,
        "mode": activity.mode,
        "starts_at": activity.starts_at,
        "ends_at": activity.ends_at,
        "signup_deadline": activity.signup_deadline,
        "capacity": activity.capacity,
        "committees": list(activity.invite_committees.all()),
        "sectors": list(activity.invite_sectors.all()),
        "levels": activity.invite_levels,
        "members": list(activity.invite_members.all()),
    }


@login_required
def edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = request.user
    activity = actions.access_managed(user, pk) if pk is not None else None
    if activity is None and not access.is_organising_staff(user):
        raise PermissionDenied(_("Activity management is open to the staff who organise activities."))
    if request.method != "POST":
        values = (
            _initial(activity)
            if activity
            else {"mode": "", "kind": "", "levels": [], "committees": [], "sectors": [], "members": []}
        )
        return render(request, "activities/edit.html", _form_context(user, activity, values, {}))
    values, errors = _form_values(user, request.POST)
    if not errors:
        try:
            if activity is None:
                activity = actions.do_create_activity(user, **values)
            else:
                if activity.status != ActivityStatus.DRAFT:
                    for name in ("committees", "sectors", "levels", "members", "organiser", "mode"):
                        values.pop(name)
                actions.do_update_activity(
                    user, activity, expected_version=parse_id(request.POST.get("version", "")), **values
                )
        except ValidationError as exc:
            errors = _errors(exc)
        except PermissionDenied as exc:
            errors = {"organiser": [str(exc)]}
        else:
            messages.success(request, _("The activity is saved."))
            return redirect("activities:detail", activity.pk)
    return render(request, "activities/edit.html", _form_context(user, activity, values, errors), status=422)


@login_required
def roster(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    activity = actions.access_managed(user, pk)
    if request.method == "POST":
        post = request.POST
        try:
            if post.get("verb") == "attendance":
                changed = actions.do_set_attendance(user, activity, parse_ids(post.getlist("present")))
                messages.success(request, _("Attendance saved (%(n)d changed).") % {"n": changed})
            elif post.get("verb") in ("approve", "refuse"):
                row = activity.participations.filter(pk=parse_id(post.get("participation", "")) or 0).first()
                if row is None:
                    raise Http404(_("No such participant."))
                actions.do_decide_leave(user, row, approve=post["verb"] == "approve", note=post.get("note", ""))
                messages.success(request, _("The leave request is decided."))
            else:
                raise Http404(_("Unknown action."))
        except ValidationError as exc:
            _flash(request, exc)
        return redirect("activities:roster", pk)
    rows = roster_queryset(activity)
    return render(
        request,
        "activities/roster.html",
        {
            "activity": activity,
            "rows": rows,
            "leave_requests": [r for r in rows if r.status == P.LEAVE_REQUESTED],
            "may_tick": activity.status in (ActivityStatus.PUBLISHED, ActivityStatus.FINISHED),
        },
    )


@require_safe
@login_required
def roster_export(request: HttpRequest, pk: int) -> FileResponse:
    activity = actions.access_managed(request.user, pk)
    rows = exports.roster_rows(activity)
    actions.do_record_roster_export(request.user, activity, rows=len(rows))
    return FileResponse(
        exports.write_xlsx(activity, rows),
        as_attachment=True,
        filename=f"activity-roster-{activity.pk}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def checkin_url(request: HttpRequest, activity: Activity) -> str:
    return request.build_absolute_uri(reverse("activities:checkin", args=[activity.pk, activity.checkin_token]))


@require_safe
@login_required
def qr_page(request: HttpRequest, pk: int) -> HttpResponse:
    activity = actions.access_managed(request.user, pk)
    url = checkin_url(request, activity)
    attended = activity.participations.filter(status=P.ATTENDED).count()
    return render(
        request, "activities/qr.html", {"activity": activity, "svg": qr.svg(url), "url": url, "attended": attended}
    )


@require_safe
@login_required
def photo(request: HttpRequest, pk: int) -> FileResponse:
    item = ActivityPhoto.objects.filter(
        pk=pk, activity__in=Activity.objects.visible_to(request.user).values("pk")
    ).first()
    if item is None:
        raise Http404(_("No such photo."))
    return item.download(inline=True)
