"""Every write of the activities: pages, the API, the sweep, the demo and the tests call
these ``do_*`` functions. Each checks the actor's right (``PermissionDenied``), validates
(``ValidationError``: nothing changed), writes in one transaction with its audit entry and
history step, and leaves notices to be delivered after commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from huying.accounts.choices import MemberLevel, Role
from huying.activities import access, clock, notifications
from huying.activities.choices import (
    SEAT_STATUSES,
    ActivityKind,
    ActivityStatus,
    CheckInMethod,
    EventKind,
    InvitationMode,
    ParticipationStatus,
)
from huying.activities.models import Activity, ActivityPhoto, Participation, new_token
from huying.activities.transitions import (
    CORRECTIONS,
    TransitionError,
    check_in,
    check_version,
    event,
    lock,
    move_activity,
    move_participant,
    settle,
)
from huying.audit.actions import record
from huying.core.actors import is_system

P = ParticipationStatus
# The check-in window: from this long before the start until the end.
CHECK_IN_OPENS = dt.timedelta(hours=2)
MAX_PHOTOS = 12


# --- the activity (staff) ----------------------------------------------------------------
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


def _moment(value: dt.datetime | None, field: str, errors: dict[str, list[str]]) -> dt.datetime | None:
    """A time as stored: aware (a time without an offset is Beijing time), and between 2000
    and 2100 (far dates would overflow the database's range)."""
    from django.utils import timezone

    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if not EARLIEST <= value < LATEST:
        errors[field] = [_("Enter a time between the years 2000 and 2100.")]
        return None
    return value


def _times(values: dict[str, Any]) -> None:
    """Make the activity's times aware and in range (ValidationError otherwise)."""
    errors: dict[str, list[str]] = {}
    for name in ("starts_at", "ends_at", "signup_deadline"):
        if name in values:
            values[name] = _moment(values[name], name, errors)
    if errors:
        raise ValidationError(errors)


def _clean(
    *,
    organiser: Any,
    kind: str,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str,
    capacity: int | None,
    mode: str,
    signup_deadline: dt.datetime | None,
    levels: Sequence[str],
) -> None:
    errors: dict[str, list[str]] = {}
    if kind not in ActivityKind.values:
        errors["kind"] = [_("Choose a kind of activity.")]
    if not title.strip():
        errors["title"] = [_("Give the activity a title.")]
    if not place.strip():
        errors["place"] = [_("Say where the activity takes place.")]
    if ends_at <= starts_at:
        errors["ends_at"] = [_("The activity must end after it starts.")]
    if capacity is not None and capacity < 1:
        errors["capacity"] = [_("The capacity is at least one person, or left empty.")]
    if mode not in InvitationMode.values:
        errors["mode"] = [_("Choose who takes part.")]
    if mode == InvitationMode.OPEN:
        if signup_deadline is None:
            errors["signup_deadline"] = [_("An open sign-up needs a deadline.")]
        elif signup_deadline > starts_at:
            errors["signup_deadline"] = [_("The sign-up deadline must be before the activity starts.")]
    if any(level not in MemberLevel.values for level in levels):
        errors["levels"] = [_("Choose member levels from the list.")]
    if organiser is None or organiser.kind not in access.ORGANISER_KINDS:
        errors["organiser"] = [_("An activity is organised by a CPPCC committee, its office or special committee.")]
    if errors:
        raise ValidationError(errors)


def _check_organiser(actor: Any, organiser: Any) -> None:
    if not any(organiser.path.startswith(p) for p in access.managed_paths(actor)):
        raise PermissionDenied(_("You do not organise activities for this organisation."))


def _set_rules(activity: Activity, committees: Iterable[Any], sectors: Iterable[Any], members: Iterable[Any]) -> None:
    activity.invite_committees.set(list(committees))
    activity.invite_sectors.set(list(sectors))
    activity.invite_members.set(list(members))


@transaction.atomic
def do_create_activity(
    actor: Any,
    *,
    organiser: Any,
    kind: str,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str,
    description: str = "",
    capacity: int | None = None,
    mode: str = InvitationMode.INVITED,
    signup_deadline: dt.datetime | None = None,
    committees: Iterable[Any] = (),
    sectors: Iterable[Any] = (),
    levels: Sequence[str] = (),
    members: Iterable[Any] = (),
) -> Activity:
    """Staff who organise for ``organiser`` create a draft activity with its invitation rules."""
    if not is_system(actor):
        _check_organiser(actor, organiser)
    times: dict[str, Any] = {"starts_at": starts_at, "ends_at": ends_at, "signup_deadline": signup_deadline}
    _times(times)  # aware and in range, or a ValidationError: never None for the two required
    starts_at, ends_at, signup_deadline = times["starts_at"], times["ends_at"], times["signup_deadline"]
    _clean(
        organiser=organiser,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        capacity=capacity,
        mode=mode,
        signup_deadline=signup_deadline,
        levels=levels,
    )
    activity = Activity.objects.create(
        organiser=organiser,
        cppcc=access.cppcc_of(organiser),
        kind=kind,
        title=title.strip(),
        description=description.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip(),
        capacity=capacity,
        mode=mode,
        signup_deadline=signup_deadline if mode == InvitationMode.OPEN else None,
        invite_levels=sorted(set(levels)),
        created_by=actor if not is_system(actor) else None,
    )
    _set_rules(activity, committees, sectors, members)
    event(activity, EventKind.CREATED, actor, to_status=activity.status)
    record(actor, "activity.create", activity, {"title": activity.title, "kind": kind, "mode": mode})
    return activity


@transaction.atomic
def do_update_activity(
    actor: Any, activity: Activity, *, expected_version: int | None = None, **values: Any
) -> Activity:
    """The organising staff change a draft or published activity. The invitation rules
    and the mode change only while it is a draft (published invitations stand)."""
    activity = lock(activity)
    access.check_manage(actor, activity)
    check_version(activity, expected_version)
    if activity.status not in (ActivityStatus.DRAFT, ActivityStatus.PUBLISHED):
        raise TransitionError(_("A cancelled or finished activity cannot be changed."), code="illegal_transition")
    committees = values.pop("committees", None)
    sectors = values.pop("sectors", None)
    members = values.pop("members", None)
    levels = values.pop("levels", None)
    if activity.status != ActivityStatus.DRAFT and (
        any(v is not None for v in (committees, sectors, members, levels))
        or ("mode" in values and values["mode"] != activity.mode)
        or ("organiser" in values and values["organiser"] != activity.organiser)
    ):
        raise TransitionError(_("Who takes part is settled once the activity is published."), code="illegal_transition")
    if "organiser" in values:
        _check_organiser(actor, values["organiser"])
    _times(values)
    merged = {
        name: values.get(name, getattr(activity, name))
        for name in (
            "organiser",
            "kind",
            "title",
            "starts_at",
            "ends_at",
            "place",
            "capacity",
            "mode",
            "signup_deadline",
        )
    }
    _clean(**merged, levels=levels if levels is not None else activity.invite_levels)
    changes: dict[str, Any] = {}
    for name, value in {**merged, "description": values.get("description", activity.description)}.items():
        if name == "signup_deadline" and merged["mode"] != InvitationMode.OPEN:
            value = None
        if isinstance(value, str):
            value = value.strip()
        old = getattr(activity, name)
        if old != value:
            changes[name] = [old, value]
            setattr(activity, name, value)
    if "organiser" in changes:
        activity.cppcc = access.cppcc_of(activity.organiser)
    if levels is not None and sorted(set(levels)) != activity.invite_levels:
        changes["invite_levels"] = [activity.invite_levels, sorted(set(levels))]
        activity.invite_levels = sorted(set(levels))
    activity.version += 1
    activity.save()
    if committees is not None or sectors is not None or members is not None:
        _set_rules(
            activity,
            committees if committees is not None else activity.invite_committees.all(),
            sectors if sectors is not None else activity.invite_sectors.all(),
            members if members is not None else activity.invite_members.all(),
        )
        changes["invitation"] = "changed"
    event(activity, EventKind.UPDATED, actor)
    record(actor, "activity.update", activity, changes)
    return activity


def invitees(activity: Activity) -> list[int]:
    """The members the rules invite: members of the organiser's CPPCC in one of the
    special committees or sectors or at one of the levels, and the members named (at the
    CPPCC or a CPPCC below it)."""
    from huying.accounts.models import RoleAssignment

    rules = Q(pk__in=[])
    committee_ids = list(activity.invite_committees.values_list("pk", flat=True))
    sector_ids = list(activity.invite_sectors.values_list("pk", flat=True))
    if committee_ids:
        rules |= Q(special_committee_id__in=committee_ids)
    if sector_ids:
        rules |= Q(sector_id__in=sector_ids)
    if activity.invite_levels:
        rules |= Q(member_level__in=activity.invite_levels)
    at_cppcc = RoleAssignment.objects.filter(rules, role=Role.MEMBER, is_active=True, organisation=activity.cppcc)
    named = RoleAssignment.objects.filter(
        role=Role.MEMBER,
        is_active=True,
        organisation__path__startswith=activity.cppcc.path,
        user__in=activity.invite_members.all(),
    )
    ids = set(at_cppcc.values_list("user_id", flat=True)) | set(named.values_list("user_id", flat=True))
    return sorted(ids)


@transaction.atomic
def do_publish(actor: Any, activity: Activity, *, expected_version: int | None = None) -> Activity:
    """Publish a draft: the invitees become participants (invited) and are told."""
    activity = lock(activity)
    if not is_system(actor):
        access.check_manage(actor, activity)
    check_version(activity, expected_version)
    now = clock.now()
    if activity.status == ActivityStatus.DRAFT and activity.starts_at <= now:
        raise TransitionError(_("An activity that has already started cannot be published."), code="past")
    ids: list[int] = []
    if activity.status == ActivityStatus.DRAFT and activity.mode == InvitationMode.INVITED:
        ids = invitees(activity)
        if not ids:
            raise ValidationError(
                {
                    "invitation": [
                        _("The invitation rules invite nobody: choose committees, sectors, levels or members.")
                    ]
                }
            )
    move_activity(activity, actor, EventKind.PUBLISHED, fields={"published_at": now})
    Participation.objects.bulk_create(
        [Participation(activity=activity, member_id=i, status=P.INVITED, invited=True) for i in ids]
    )
    if ids:
        notifications.send(activity, ids, notifications.INVITED)
    return activity


@transaction.atomic
def do_cancel(actor: Any, activity: Activity, *, reason: str, expected_version: int | None = None) -> Activity:
    """Cancel a draft or published activity (with a reason); participants are told."""
    activity = lock(activity)
    access.check_manage(actor, activity)
    check_version(activity, expected_version)
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the activity is cancelled.")]})
    move_activity(
        activity, actor, EventKind.CANCELLED, note=reason.strip(), fields={"cancel_reason": reason.strip()[:300]}
    )
    ids = list(activity.participations.exclude(status=P.DECLINED).values_list("member_id", flat=True))
    notifications.send(activity, ids, notifications.CANCELLED)
    return activity


@transaction.atomic
def do_finish(actor: Any, activity: Activity, *, report: str, expected_version: int | None = None) -> Activity:
    """Finish a published activity once it has started, with a short report: every
    participant's outcome (attended, absent with or without leave) is written and
    recorded in their duty record."""
    activity = lock(activity)
    if not is_system(actor):
        access.check_manage(actor, activity)
    check_version(activity, expected_version)
    now = clock.now()
    if activity.status == ActivityStatus.PUBLISHED and now < activity.starts_at:
        raise TransitionError(_("An activity can be finished once it has started."), code="not_started")
    if not report.strip():
        raise ValidationError({"report": [_("Write a short report of the activity.")]})
    move_activity(activity, actor, EventKind.FINISHED, fields={"finished_at": now, "report": report.strip()})
    settle(activity, actor, now)
    return activity


@transaction.atomic
def do_update_report(actor: Any, activity: Activity, *, report: str) -> Activity:
    activity = lock(activity)
    access.check_manage(actor, activity)
    if activity.status != ActivityStatus.FINISHED:
        raise TransitionError(_("The report is written when the activity is finished."), code="illegal_transition")
    if not report.strip():
        raise ValidationError({"report": [_("Write a short report of the activity.")]})
    old = activity.report
    activity.report = report.strip()
    activity.version += 1
    activity.save(update_fields=["report", "version"])
    event(activity, EventKind.REPORT, actor)
    record(actor, "activity.report", activity, {"report": [old[:60], activity.report[:60]]})
    return activity


@transaction.atomic
def do_add_photos(actor: Any, activity: Activity, files: Sequence[Any]) -> list[ActivityPhoto]:
    """Photos of a finished activity's report (JPEG, PNG, WebP: read from the bytes)."""
    from huying.core.uploads import JPEG, PNG, WEBP, check_upload_batch, sniff

    activity = lock(activity)
    access.check_manage(actor, activity)
    if activity.status != ActivityStatus.FINISHED:
        raise TransitionError(_("Photos go with the report, once the activity is finished."), code="illegal_transition")
    if not files:
        raise ValidationError({"photos": [_("Choose at least one photo.")]})
    check_upload_batch(files, field="photos")
    if activity.photos.count() + len(files) > MAX_PHOTOS:
        raise ValidationError({"photos": [_("A report has at most %(n)d photos.") % {"n": MAX_PHOTOS}]})
    photos = []
    for upload in files:
        content_type, size = sniff(upload, (JPEG, PNG, WEBP), field="photos")
        photo = ActivityPhoto(
            activity=activity,
            content_type=content_type,
            size=size,
            original_name=(getattr(upload, "name", "") or "")[:200],
            uploaded_by=actor,
        )
        photo.file.save(getattr(upload, "name", "photo") or "photo", upload, save=True)
        photos.append(photo)
    record(actor, "activity.photos", activity, {"photos": len(photos)})
    return photos


@transaction.atomic
def do_rotate_token(actor: Any, activity: Activity) -> Activity:
    """A new check-in code: the old QR code stops working."""
    activity = lock(activity)
    access.check_manage(actor, activity)
    activity.checkin_token = new_token()
    activity.save(update_fields=["checkin_token"])
    event(activity, EventKind.TOKEN, actor)
    record(actor, "activity.token", activity)
    return activity


# --- the member ---------------------------------------------------------------------------
def _check_published(activity: Activity) -> None:
    if activity.status != ActivityStatus.PUBLISHED:
        raise TransitionError(
            _("An activity that is %(status)s takes no answers.") % {"status": activity.get_status_display()},
            code="illegal_transition",
        )


def _own(activity: Activity, member: Any) -> Participation | None:
    row = Participation.objects.select_for_update().filter(activity=activity, member=member).first()
    if row is not None:
        row.activity = activity
    return row


def may_sign_up_openly(member: Any, activity: Activity) -> bool:
    """Members of the organiser's CPPCC and of the CPPCCs below it."""
    return activity.is_open and any(p.startswith(activity.cppcc.path) for p in access.member_cppcc_paths(member))


def seats_taken(activity: Activity) -> int:
    return activity.participations.filter(status__in=SEAT_STATUSES).count()


@transaction.atomic
def do_sign_up(member: Any, activity: Activity) -> Participation:
    """An invited member accepts, or a member signs up for an open activity before its
    deadline. Refused beyond the capacity: the activity row is locked while the seats are
    counted, so two last sign-ups cannot both take the last seat."""
    activity = lock(activity)
    _check_published(activity)
    now = clock.now()
    participation = _own(activity, member)
    if participation is None and not may_sign_up_openly(member, activity):
        raise PermissionDenied(_("This activity is by invitation only."))
    deadline = activity.signup_deadline if activity.is_open else activity.starts_at
    if deadline is not None and now > deadline:
        raise TransitionError(_("Sign-up for this activity has closed."), code="closed")
    if participation is not None and participation.status == P.SIGNED_UP:
        return participation
    if activity.capacity is not None and seats_taken(activity) >= activity.capacity:
        raise TransitionError(_("The activity is full."), code="full")
    if participation is None:
        participation = Participation.objects.create(activity=activity, member=member, status=P.DECLINED)
        participation.activity = activity
    return move_participant(participation, member, EventKind.SIGNED_UP)


@transaction.atomic
def do_decline(member: Any, activity: Activity) -> Participation:
    """An invited or signed-up member says they will not come (before the start)."""
    activity = lock(activity)
    _check_published(activity)
    participation = _own(activity, member)
    if participation is None:
        raise PermissionDenied(_("You are not taking part in this activity."))
    if clock.now() >= activity.starts_at:
        raise TransitionError(_("The activity has started: ask for leave instead."), code="started")
    return move_participant(participation, member, EventKind.DECLINED)


@transaction.atomic
def do_ask_leave(member: Any, activity: Activity, *, reason: str) -> Participation:
    """An invited or signed-up member asks for leave (请假) with a reason, until the end."""
    activity = lock(activity)
    _check_published(activity)
    participation = _own(activity, member)
    if participation is None:
        raise PermissionDenied(_("You are not taking part in this activity."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Give a reason for the leave.")]})
    if clock.now() >= activity.ends_at:
        raise TransitionError(_("The activity is over."), code="over")
    return move_participant(
        participation,
        member,
        EventKind.LEAVE_REQUESTED,
        note=reason.strip(),
        fields={"leave_reason": reason.strip()[:300], "leave_note": ""},
    )


@transaction.atomic
def do_decide_leave(actor: Any, participation: Participation, *, approve: bool, note: str = "") -> Participation:
    """The organising staff approve or refuse a leave request (a refusal says why)."""
    activity = lock(participation.activity)
    access.check_manage(actor, activity)
    _check_published(activity)
    participation = Participation.objects.select_for_update().get(pk=participation.pk)
    participation.activity = activity
    if not approve and not note.strip():
        raise ValidationError({"note": [_("Say why the leave is refused.")]})
    kind = EventKind.LEAVE_APPROVED if approve else EventKind.LEAVE_REFUSED
    move_participant(participation, actor, kind, note=note.strip(), fields={"leave_note": note.strip()[:300]})
    text = notifications.LEAVE_APPROVED if approve else notifications.LEAVE_REFUSED
    notifications.send(activity, [participation.member_id], text, note=note.strip())
    return participation


def check_window(activity: Activity, now: dt.datetime) -> None:
    if now < activity.starts_at - CHECK_IN_OPENS:
        raise TransitionError(_("Check-in opens two hours before the activity starts."), code="too_early")
    if now > activity.ends_at:
        raise TransitionError(_("The activity is over: check-in has closed."), code="too_late")


def do_check_in(member: Any, activity: Activity, *, token: str) -> tuple[Participation, bool]:
    """A member checks in by the venue's QR code: the right code, during the window (two
    hours before the start until the end), once. Answers ``(participation, True)`` the
    first time and ``(participation, False)`` when already checked in (harmless)."""
    import secrets

    with transaction.atomic():
        activity = lock(activity)
        if not secrets.compare_digest(token.encode(), activity.checkin_token.encode()):
            raise PermissionDenied(_("This check-in code is not valid (any more). Scan the code shown at the venue."))
        _check_published(activity)
        participation = _own(activity, member)
        if participation is None:
            raise PermissionDenied(_("You are not taking part in this activity."))
        if participation.status == P.ATTENDED:
            return participation, False
        now = clock.now()
        check_window(activity, now)
        if participation.status == P.DECLINED:
            raise TransitionError(_("You declined this activity."), code="declined")
        return check_in(activity, participation, member, CheckInMethod.QR, now)


@transaction.atomic
def do_mark_attendance(actor: Any, participation: Participation, *, present: bool) -> Participation:
    """The organising staff tick a participant present (or take the tick back). Before the
    activity is finished the same rules as the QR check-in apply (from two hours before the
    start; until the activity is finished); after, the outcome is corrected and the duty
    record follows (the old entry retracted, the new one recorded)."""
    from huying.activities import duty

    activity = lock(participation.activity)
    access.check_manage(actor, activity)
    participation = Participation.objects.select_for_update().select_related("member").get(pk=participation.pk)
    participation.activity = activity
    now = clock.now()
    if activity.status == ActivityStatus.FINISHED:
        target = P.ATTENDED if present else P.ABSENT
        if participation.status == target:
            return participation
        if participation.status not in CORRECTIONS or target not in CORRECTIONS[participation.status]:
            raise TransitionError(
                _("A participant who is %(status)s cannot be corrected to %(target)s.")
                % {"status": participation.get_status_display(), "target": P(target).label},
                code="illegal_transition",
            )
        fields = {"checked_in_at": now, "check_in_method": CheckInMethod.STAFF} if present else {}
        move_participant(participation, actor, EventKind.CORRECTED, to_status=target, fields=fields)
        duty.record_outcome(participation)
        return participation
    _check_published(activity)
    if present:
        if participation.status == P.ATTENDED:
            return participation
        if now < activity.starts_at - CHECK_IN_OPENS:
            raise TransitionError(_("Check-in opens two hours before the activity starts."), code="too_early")
        if participation.status == P.DECLINED:
            raise TransitionError(_("This member declined the activity."), code="declined")
        return check_in(activity, participation, actor, CheckInMethod.STAFF, now)[0]
    if participation.status != P.ATTENDED:
        return participation
    return move_participant(
        participation, actor, EventKind.UNMARKED, fields={"checked_in_at": None, "check_in_method": ""}
    )


def do_set_attendance(actor: Any, activity: Activity, present_ids: Iterable[int]) -> int:
    """The roster's tick boxes: every participant ticked is present, every other one not
    (only those whose attendance changes are moved). Returns how many changed."""
    access.check_manage(actor, activity)
    wanted = set(present_ids)
    changed = 0
    with transaction.atomic():
        for participation in activity.participations.select_related("member").order_by("id"):
            is_present = participation.status == P.ATTENDED
            if (participation.pk in wanted) == is_present:
                continue
            if participation.status == P.DECLINED:
                continue
            do_mark_attendance(actor, participation, present=participation.pk in wanted)
            changed += 1
    return changed


# --- reads with a check -------------------------------------------------------------------
def access_activity(user: Any, pk: int) -> Activity:
    """The activity ``pk`` if ``user`` may see it, else 404 (no hint that it exists)."""
    from django.http import Http404

    activity = Activity.objects.visible_to(user).select_related("organiser", "cppcc").filter(pk=pk).first()
    if activity is None:
        raise Http404(_("No such activity."))
    return activity


def access_managed(user: Any, pk: int) -> Activity:
    """The activity ``pk`` if ``user`` manages it: 404 if they may not see it, 403 if they
    see it without managing it (a leader, a member)."""
    activity = access_activity(user, pk)
    access.check_manage(user, activity)
    return activity


@transaction.atomic
def do_record_roster_export(actor: Any, activity: Activity, *, rows: int) -> None:
    access.check_manage(actor, activity)
    record(actor, "activity.export", activity, {"rows": rows})
