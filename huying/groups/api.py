"""议政群 in the API (/api/v1/groups): the same rules as the pages
(:mod:`huying.groups.actions`, :mod:`huying.groups.access`): participants and the owning
CPPCC's staff and leaders read a group; anyone else gets 404."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from huying.core.api_errors import ErrorOut
from huying.core.api_types import Id, PageNumberPagination
from huying.groups import access, actions
from huying.groups.choices import DraftTarget, GroupStatus, ParticipantRole
from huying.groups.models import DiscussionGroup, Post
from huying.moderation.choices import ItemStatus

router = Router(tags=["groups"])


class GroupOut(Schema):
    id: int
    name: str
    description: str
    cppcc_id: int
    cppcc_name: str
    status: GroupStatus
    created_at: datetime

    @staticmethod
    def resolve_cppcc_name(obj: DiscussionGroup) -> str:
        return obj.cppcc.name


class GroupStatsOut(Schema):
    members: int = Field(description="Active member participants.")
    members_spoke: int = Field(description="Member participants who posted at least once.")
    speeches: int = Field(description="Threads and replies by member participants.")
    all_speeches: int = Field(description="Threads and replies by everyone, staff included.")
    suggestions: int = Field(description="Posts marked as suggestions (建言).")
    proposals: int = Field(description="Proposal drafts made from the group's posts.")
    reports: int = Field(description="Opinion-report drafts made from the group's posts.")


class GroupParticipantOut(Schema):
    user_id: int
    real_name: str
    role: ParticipantRole
    is_active: bool
    speech_count: int
    suggestion_count: int
    proposal_count: int
    report_count: int

    @staticmethod
    def resolve_real_name(obj: Any) -> str:
        return obj.user.real_name


class GroupDetailOut(GroupOut):
    my_role: str = Field(description="member, staff or empty (not a participant).")
    may_manage: bool
    stats: GroupStatsOut


class GroupStatsDetailOut(GroupStatsOut):
    participants: list[GroupParticipantOut]


class GroupOutcomeOut(Schema):
    target: DraftTarget
    id: int = Field(description="The proposal's or the report's id.")
    title: str
    number: str = Field(description="The proposal's filing number (第0123号) once filed, else empty.")
    status: str


class PostOut(Schema):
    id: int
    group_id: int
    thread_id: int | None = Field(description="Empty for a thread.")
    author_id: int
    author_name: str
    title: str
    body: str
    status: ItemStatus = Field(description="Moderation state.")
    is_pinned: bool
    is_suggestion: bool
    reply_count: int
    created_at: datetime
    last_activity_at: datetime

    @staticmethod
    def resolve_author_name(obj: Post) -> str:
        return obj.author.real_name

    @staticmethod
    def resolve_status(obj: Post) -> str:
        return obj.moderation.status


class PostDetailOut(PostOut):
    outcomes: list[GroupOutcomeOut]

    @staticmethod
    def resolve_outcomes(obj: Post) -> list[dict[str, Any]]:
        return actions.outcomes([obj]).get(obj.pk, [])


class ThreadIn(Schema):
    title: str = Field(max_length=80)
    body: str = Field(max_length=3000)


class GroupReplyIn(Schema):
    body: str = Field(max_length=3000)


class MarkIn(Schema):
    marked: bool = True


class PinIn(Schema):
    pinned: bool = True


class GroupConvertIn(Schema):
    target: DraftTarget
    title: str = Field("", max_length=100, description="Empty: 关于<thread title>的建议.")
    session_id: Id | None = Field(None, description="The proposal's session (proposals only).")


class ConvertOut(Schema):
    target: DraftTarget
    proposal_id: int | None
    report_id: int | None
    post_id: int


def _posts(request: HttpRequest) -> Any:
    return Post.objects.visible_to(request.user).select_related("author", "moderation")


@router.get("", response=list[GroupOut], summary="The groups I read")
@paginate(PageNumberPagination, page_size=25)
def list_groups(request: HttpRequest) -> Any:
    return DiscussionGroup.objects.visible_to(request.user).select_related("cppcc")


@router.get("/{int:pk}", response={200: GroupDetailOut, 404: ErrorOut}, summary="A group with its figures")
def get_group(request: HttpRequest, pk: Id) -> Any:
    group = actions.access_group(request.user, pk)
    me = actions.participant(request.user, group)
    group.my_role = me.role if me else ""  # type: ignore[attr-defined]
    group.may_manage = access.may_manage(request.user, group)  # type: ignore[attr-defined]
    group.stats = actions.statistics(group)  # type: ignore[attr-defined]
    return group


@router.get(
    "/{int:pk}/threads", response={200: list[PostOut], 404: ErrorOut}, summary="A group's threads, pinned first"
)
@paginate(PageNumberPagination, page_size=25)
def list_threads(request: HttpRequest, pk: Id) -> Any:
    group = actions.access_group(request.user, pk)
    return _posts(request).filter(group=group, thread=None).order_by("-is_pinned", "-last_activity_at", "-pk")


@router.post(
    "/{int:pk}/threads",
    response={201: PostDetailOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Start a thread (participants; screened and moderated)",
)
def post_thread(request: HttpRequest, pk: Id, payload: ThreadIn) -> Any:
    group = actions.access_group(request.user, pk)
    return Status(201, actions.do_post_thread(request.user, group, title=payload.title, body=payload.body))


@router.get(
    "/{int:pk}/stats",
    response={200: GroupStatsDetailOut, 403: ErrorOut, 404: ErrorOut},
    summary="Participation statistics (staff, leaders)",
)
def group_stats(request: HttpRequest, pk: Id) -> Any:
    group = actions.access_group(request.user, pk)
    if not access.may_read_stats(request.user, group):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("Only the group's staff and the CPPCC's leaders read its statistics."))
    return {**actions.statistics(group), "participants": actions.member_statistics(group)}


@router.get("/threads/{int:pk}", response={200: PostDetailOut, 404: ErrorOut}, summary="A thread")
def get_thread(request: HttpRequest, pk: Id) -> Any:
    return actions.access_thread(request.user, pk)


@router.get("/threads/{int:pk}/replies", response={200: list[PostOut], 404: ErrorOut}, summary="A thread's replies")
@paginate(PageNumberPagination, page_size=50)
def list_replies(request: HttpRequest, pk: Id) -> Any:
    thread = actions.access_thread(request.user, pk)
    return _posts(request).filter(thread=thread).order_by("created_at", "pk")


@router.post(
    "/threads/{int:pk}/replies",
    response={201: PostDetailOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Reply in a thread (participants; screened and moderated)",
)
def reply(request: HttpRequest, pk: Id, payload: GroupReplyIn) -> Any:
    thread = actions.access_thread(request.user, pk)
    return Status(201, actions.do_reply(request.user, thread, body=payload.body))


@router.post(
    "/threads/{int:pk}/pin",
    response={200: PostDetailOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Pin or unpin a thread (staff)",
)
def pin(request: HttpRequest, pk: Id, payload: PinIn) -> Any:
    return actions.do_pin(request.user, actions.access_thread(request.user, pk), pinned=payload.pinned)


@router.post(
    "/posts/{int:pk}/mark",
    response={200: PostDetailOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Mark a post as a suggestion, or take the mark off (staff)",
)
def mark(request: HttpRequest, pk: Id, payload: MarkIn) -> Any:
    return actions.do_mark_suggestion(request.user, actions.access_post(request.user, pk), marked=payload.marked)


@router.post(
    "/posts/{int:pk}/convert",
    response={201: ConvertOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Turn a thread or a marked suggestion into my proposal or opinion-report draft (member participants)",
)
def convert(request: HttpRequest, pk: Id, payload: GroupConvertIn) -> Any:
    from huying.proposals.models import Session

    post = actions.access_post(request.user, pk)
    session = None
    if payload.target == DraftTarget.PROPOSAL:
        session = Session.objects.filter(pk=payload.session_id).first() if payload.session_id else None
        if session is None:
            raise ValidationError({"session_id": [_("No such session.")]})
    draft = actions.do_convert(request.user, post, target=payload.target, title=payload.title, session=session)
    is_proposal = payload.target == DraftTarget.PROPOSAL
    return Status(
        201,
        {
            "target": payload.target,
            "proposal_id": draft.pk if is_proposal else None,
            "report_id": None if is_proposal else draft.pk,
            "post_id": post.pk,
        },
    )


@router.delete(
    "/posts/{int:pk}",
    response={204: None, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Remove a post (author, staff)",
)
def remove_post(request: HttpRequest, pk: Id) -> Any:
    actions.do_remove_post(request.user, actions.access_post(request.user, pk))
    return Status(204, None)


__all__ = ["Http404", "router"]
