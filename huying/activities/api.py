"""The activities' REST API under ``/api/v1/activities``: the same rules as the pages (the
same ``visible_to`` reads and ``do_*`` actions). Members list, read, sign up, decline, ask
for leave and check in; the organising staff create, change, publish, cancel and finish
activities, read the roster, decide leave and mark attendance."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from huying.accounts.choices import MemberLevel
from huying.accounts.models import User
from huying.activities import access, actions
from huying.activities.choices import ActivityKind, ActivityStatus, CheckInMethod, InvitationMode, ParticipationStatus
from huying.activities.models import Activity, ActivityPhoto, Participation
from huying.core.api_errors import ErrorOut
from huying.core.api_types import Id, PageNumberPagination, Version
from huying.organisations.choices import OrgKind
from huying.organisations.models import Organisation, Sector

router = Router(tags=["activities"])


class ActivityParticipationOut(Schema):
    id: int
    member_id: int
    member_name: str
    status: ParticipationStatus
    invited: bool
    leave_reason: str
    leave_note: str
    checked_in_at: datetime | None
    check_in_method: CheckInMethod | None = Field(description="qr or staff; null when not checked in.")
    version: int

    @staticmethod
    def resolve_member_name(obj: Participation) -> str:
        return obj.member.real_name

    @staticmethod
    def resolve_check_in_method(obj: Participation) -> str | None:
        return obj.check_in_method or None


class ActivityOut(Schema):
    id: int
    kind: ActivityKind
    title: str
    description: str
    organiser_id: int
    organiser_name: str
    cppcc_id: int
    starts_at: datetime
    ends_at: datetime
    place: str
    capacity: int | None
    mode: InvitationMode
    signup_deadline: datetime | None
    status: ActivityStatus
    report: str
    version: int
    my_status: ParticipationStatus | None = Field(description="The caller's part in the activity, if any.")
    may_manage: bool = Field(description="Whether the caller organises this activity.")

    @staticmethod
    def resolve_organiser_name(obj: Activity) -> str:
        return obj.organiser.name

    @staticmethod
    def resolve_my_status(obj: Activity, context: dict[str, Any]) -> str | None:
        mine = getattr(obj, "my_status", None)
        if mine is not None or hasattr(obj, "my_status"):
            return mine
        user = context["request"].user
        row = Participation.objects.filter(activity=obj, member=user.pk).values_list("status", flat=True).first()
        return row

    @staticmethod
    def resolve_may_manage(obj: Activity, context: dict[str, Any]) -> bool:
        return access.may_manage(context["request"].user, obj)


class ActivityDetailOut(ActivityOut):
    checkin_url: str | None = Field(description="The check-in link the venue's QR code encodes (organising staff).")
    invite_committee_ids: list[int]
    invite_sector_ids: list[int]
    invite_levels: list[str]
    invite_member_ids: list[int]

    @staticmethod
    def resolve_checkin_url(obj: Activity, context: dict[str, Any]) -> str | None:
        request = context["request"]
        if not access.may_manage(request.user, obj):
            return None
        return request.build_absolute_uri(reverse("activities:checkin", args=[obj.pk, obj.checkin_token]))

    @staticmethod
    def resolve_invite_committee_ids(obj: Activity) -> list[int]:
        return sorted(obj.invite_committees.values_list("pk", flat=True))

    @staticmethod
    def resolve_invite_sector_ids(obj: Activity) -> list[int]:
        return sorted(obj.invite_sectors.values_list("pk", flat=True))

    @staticmethod
    def resolve_invite_member_ids(obj: Activity) -> list[int]:
        return sorted(obj.invite_members.values_list("pk", flat=True))


class ActivityFilters(Schema):
    status: ActivityStatus | None = None
    upcoming: bool = Field(False, description="Only activities that have not ended.")
    managed: bool = Field(False, description="Only activities the caller organises.")


class ActivityIn(Schema):
    organiser_id: Id
    kind: ActivityKind
    title: str = Field(max_length=120)
    description: str = Field("", max_length=5000)
    starts_at: datetime
    ends_at: datetime
    place: str = Field(max_length=200)
    capacity: Version | None = None
    mode: InvitationMode = InvitationMode.INVITED
    signup_deadline: datetime | None = None
    committee_ids: list[Id] = Field(default_factory=list, max_length=200)
    sector_ids: list[Id] = Field(default_factory=list, max_length=200)
    levels: list[MemberLevel] = Field(default_factory=list, max_length=4)
    member_ids: list[Id] = Field(default_factory=list, max_length=2000)


class ActivityPatchIn(Schema):
    version: Version
    kind: ActivityKind | None = None
    title: str | None = Field(None, max_length=120)
    description: str | None = Field(None, max_length=5000)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    place: str | None = Field(None, max_length=200)
    capacity: Version | None = None
    signup_deadline: datetime | None = None


class ActivityVersionIn(Schema):
    version: Version


class ActivityCancelIn(Schema):
    version: Version
    reason: str = Field(max_length=300)


class ActivityFinishIn(Schema):
    version: Version
    report: str = Field(max_length=5000)


class ActivityLeaveIn(Schema):
    reason: str = Field(max_length=300)


class ActivityCheckInIn(Schema):
    token: str = Field(max_length=64)


class ActivityCheckInOut(Schema):
    participation: ActivityParticipationOut
    first: bool = Field(description="False when the member was already checked in (nothing changed).")


class ActivityLeaveDecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=300)


class ActivityAttendanceIn(Schema):
    present: bool


_READ = {200: ActivityDetailOut, 404: ErrorOut}
_WRITE = {200: ActivityDetailOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
_PART = {200: ActivityParticipationOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _fresh(request: HttpRequest, pk: int) -> Activity:
    return actions.access_activity(request.user, pk)


def _rules(payload: ActivityIn) -> dict[str, Any]:
    committees = list(Organisation.objects.filter(pk__in=payload.committee_ids, kind=OrgKind.SPECIAL_COMMITTEE))
    if len(committees) != len(set(payload.committee_ids)):
        raise ValidationError({"committee_ids": [_("Choose special committees from the list.")]})
    sectors = list(Sector.objects.filter(pk__in=payload.sector_ids))
    if len(sectors) != len(set(payload.sector_ids)):
        raise ValidationError({"sector_ids": [_("Choose sectors from the list.")]})
    members = list(User.objects.filter(pk__in=payload.member_ids))
    if len(members) != len(set(payload.member_ids)):
        raise ValidationError({"member_ids": [_("Choose members from the list.")]})
    return {"committees": committees, "sectors": sectors, "members": members, "levels": list(payload.levels)}


def _participant(request: HttpRequest, pk: int) -> Participation:
    row = (
        Participation.objects.visible_to(request.user)
        .select_related("activity__organiser", "member")
        .filter(pk=pk)
        .first()
    )
    if row is None:
        raise Http404(_("No such participant."))
    return row


@router.get("", response=list[ActivityOut], summary="Activities the caller may see")
@paginate(PageNumberPagination, page_size=25)
def list_activities(request: HttpRequest, filters: Query[ActivityFilters]) -> Any:
    from django.db.models import OuterRef, Q, Subquery

    rows = Activity.objects.visible_to(request.user).select_related("organiser")
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.upcoming:
        rows = rows.filter(ends_at__gte=timezone.now())
    if filters.managed:
        condition = Q(pk__in=[])
        for path in access.managed_paths(request.user):
            condition |= Q(organiser__path__startswith=path)
        rows = rows.filter(condition)
    mine = Participation.objects.filter(activity=OuterRef("pk"), member=request.user.pk).values("status")[:1]
    return rows.annotate(my_status=Subquery(mine)).order_by("-starts_at", "-id")


@router.post("", response={201: ActivityDetailOut, 403: ErrorOut, 422: ErrorOut}, summary="Create a draft (staff)")
def create_activity(request: HttpRequest, payload: ActivityIn) -> Any:
    organiser = Organisation.objects.filter(pk=payload.organiser_id).first()
    if organiser is None:
        raise ValidationError({"organiser_id": [_("Choose the organiser.")]})
    activity = actions.do_create_activity(
        request.user,
        organiser=organiser,
        kind=payload.kind,
        title=payload.title,
        description=payload.description,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        place=payload.place,
        capacity=payload.capacity,
        mode=payload.mode,
        signup_deadline=payload.signup_deadline,
        **_rules(payload),
    )
    return Status(201, _fresh(request, activity.pk))


@router.get("/{int:pk}", response=_READ, summary="One activity")
def get_activity(request: HttpRequest, pk: Id) -> Any:
    return _fresh(request, pk)


@router.patch("/{int:pk}", response=_WRITE, summary="Change an activity (staff)")
def update_activity(request: HttpRequest, pk: Id, payload: ActivityPatchIn) -> Any:
    activity = actions.access_managed(request.user, pk)
    values = payload.dict(exclude_unset=True)
    version = values.pop("version")
    actions.do_update_activity(request.user, activity, expected_version=version, **values)
    return _fresh(request, pk)


@router.post("/{int:pk}/publish", response=_WRITE, summary="Publish a draft: invitees are invited (staff)")
def publish(request: HttpRequest, pk: Id, payload: ActivityVersionIn) -> Any:
    actions.do_publish(request.user, actions.access_managed(request.user, pk), expected_version=payload.version)
    return _fresh(request, pk)


@router.post("/{int:pk}/cancel", response=_WRITE, summary="Cancel an activity (staff)")
def cancel(request: HttpRequest, pk: Id, payload: ActivityCancelIn) -> Any:
    activity = actions.access_managed(request.user, pk)
    actions.do_cancel(request.user, activity, reason=payload.reason, expected_version=payload.version)
    return _fresh(request, pk)


@router.post("/{int:pk}/finish", response=_WRITE, summary="Finish with a report; attendance is recorded (staff)")
def finish(request: HttpRequest, pk: Id, payload: ActivityFinishIn) -> Any:
    activity = actions.access_managed(request.user, pk)
    actions.do_finish(request.user, activity, report=payload.report, expected_version=payload.version)
    return _fresh(request, pk)


@router.post("/{int:pk}/checkin-token", response=_WRITE, summary="Renew the check-in code (staff)")
def rotate_token(request: HttpRequest, pk: Id) -> Any:
    actions.do_rotate_token(request.user, actions.access_managed(request.user, pk))
    return _fresh(request, pk)


@router.get(
    "/{int:pk}/participants",
    response={200: list[ActivityParticipationOut], 403: ErrorOut, 404: ErrorOut},
    summary="The roster (staff)",
)
def roster(request: HttpRequest, pk: Id) -> Any:
    activity = actions.access_managed(request.user, pk)
    return activity.participations.select_related("member").order_by("member__real_name", "id")


@router.post("/{int:pk}/sign-up", response=_PART, summary="Sign up (member)")
def sign_up(request: HttpRequest, pk: Id) -> Any:
    return actions.do_sign_up(request.user, _fresh(request, pk))


@router.post("/{int:pk}/decline", response=_PART, summary="Decline (member)")
def decline(request: HttpRequest, pk: Id) -> Any:
    return actions.do_decline(request.user, _fresh(request, pk))


@router.post("/{int:pk}/leave", response=_PART, summary="Ask for leave with a reason (member)")
def ask_leave(request: HttpRequest, pk: Id, payload: ActivityLeaveIn) -> Any:
    return actions.do_ask_leave(request.user, _fresh(request, pk), reason=payload.reason)


@router.post(
    "/{int:pk}/check-in",
    response={200: ActivityCheckInOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Check in with the venue's code (member)",
)
def check_in(request: HttpRequest, pk: Id, payload: ActivityCheckInIn) -> Any:
    participation, first = actions.do_check_in(request.user, _fresh(request, pk), token=payload.token)
    return {"participation": participation, "first": first}


@router.post("/participants/{int:pk}/leave-decision", response=_PART, summary="Approve or refuse leave (staff)")
def decide_leave(request: HttpRequest, pk: Id, payload: ActivityLeaveDecisionIn) -> Any:
    row = _participant(request, pk)
    return actions.do_decide_leave(request.user, row, approve=payload.approve, note=payload.note)


@router.post("/participants/{int:pk}/attendance", response=_PART, summary="Mark present or not (staff)")
def attendance(request: HttpRequest, pk: Id, payload: ActivityAttendanceIn) -> Any:
    row = _participant(request, pk)
    return actions.do_mark_attendance(request.user, row, present=payload.present)


class ActivityPhotoOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    created_at: datetime
    url: str


def _photo(p: ActivityPhoto) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.original_name,
        "content_type": p.content_type,
        "size": p.size,
        "created_at": p.created_at,
        "url": f"/api/v1/activities/photos/{p.pk}/file",
    }


@router.get("/{int:pk}/photos", response={200: list[ActivityPhotoOut], 404: ErrorOut}, summary="The report's photos")
def list_photos(request: HttpRequest, pk: Id) -> Any:
    return [_photo(p) for p in _fresh(request, pk).photos.all()]


@router.post(
    "/{int:pk}/photos",
    response={201: ActivityPhotoOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Add a photo to a finished activity's report (multipart, field file; staff)",
)
def add_photo(request: HttpRequest, pk: Id, file: UploadedFile | None = File(None)) -> Any:  # noqa: B008
    """JPEG, PNG or WebP by its bytes; at most 12 per report."""
    activity = actions.access_managed(request.user, pk)
    [photo] = actions.do_add_photos(request.user, activity, [file] if file is not None else [])
    return Status(201, _photo(photo))


@router.get("/photos/{int:pk}/file", response={404: ErrorOut}, summary="Download a photo of a report")
def download_photo(request: HttpRequest, pk: Id) -> Any:
    photo = ActivityPhoto.objects.filter(
        pk=pk, activity__in=Activity.objects.visible_to(request.user).values("pk")
    ).first()
    if photo is None:
        raise Http404(_("No such photo."))
    return photo.download(inline=True)


@router.get(
    "/{int:pk}/roster.xlsx", response={403: ErrorOut, 404: ErrorOut}, summary="The roster as an XLSX workbook (staff)"
)
def export_roster(request: HttpRequest, pk: Id) -> Any:
    from django.http import FileResponse

    from huying.activities import exports

    activity = actions.access_managed(request.user, pk)
    rows = exports.roster_rows(activity)
    actions.do_record_roster_export(request.user, activity, rows=len(rows))
    return FileResponse(
        exports.write_xlsx(activity, rows),
        as_attachment=True,
        filename=f"activity-roster-{activity.pk}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
