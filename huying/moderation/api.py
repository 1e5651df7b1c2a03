"""Moderation in the API (/api/v1/moderation): the queue and decisions, reports, the word
list and the per-space settings. Same rules as the pages (:mod:`huying.moderation.actions`)."""

from datetime import datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from huying.core.api_errors import ErrorOut
from huying.core.api_types import Id, PageNumberPagination
from huying.moderation import actions
from huying.moderation.choices import ItemStatus, Move, WordAction
from huying.moderation.models import ModerationItem, SensitiveWord
from huying.moderation.spaces import all_spaces

router = Router(tags=["moderation"])


class ModerationItemOut(Schema):
    id: int
    space: str
    space_label: str
    author_name: str
    status: ItemStatus
    text: str
    flagged_words: list[str]
    reason: str
    report_count: int
    submitted_at: datetime
    decided_at: datetime | None

    @staticmethod
    def resolve_author_name(obj: ModerationItem) -> str:
        return obj.author.real_name


class ModerationEventOut(Schema):
    move: Move
    from_status: str
    to_status: ItemStatus
    actor_name: str
    note: str
    at: datetime

    @staticmethod
    def resolve_actor_name(obj: Any) -> str:
        return obj.actor.real_name if obj.actor else ""


class ModerationItemFilters(Schema):
    status: ItemStatus = Field(ItemStatus.PENDING)
    space: str = Field("", max_length=40)


class ModerationDecideIn(Schema):
    decision: Literal["publish", "hide", "restore"]
    reason: str = Field("", max_length=200, description="Required to hide or restore.")


class ModerationReportIn(Schema):
    reason: str = Field(max_length=200)


class ModerationReportOut(Schema):
    item_id: int
    reported: bool


class ModerationSpaceOut(Schema):
    key: str
    label: str
    premoderated: bool


class ModerationSpaceIn(Schema):
    premoderated: bool


class SensitiveWordOut(Schema):
    id: int
    word: str
    normalised: str
    action: WordAction


class SensitiveWordIn(Schema):
    word: str = Field(max_length=50)
    action: WordAction = WordAction.REVIEW


_WRITE = {200: ModerationItemOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@router.get("/items", response=list[ModerationItemOut], summary="The moderation queue (moderators)")
@paginate(PageNumberPagination, page_size=25)
def list_items(request: HttpRequest, filters: Query[ModerationItemFilters]) -> Any:
    actions.check_moderator(request.user)
    qs = ModerationItem.objects.visible_to(request.user).filter(status=filters.status).select_related("author")
    if filters.space:
        qs = qs.filter(space=filters.space)
    return qs


@router.get(
    "/items/{int:pk}/history", response={200: list[ModerationEventOut], 404: ErrorOut}, summary="An item's moves"
)
def item_history(request: HttpRequest, pk: Id) -> Any:
    item = actions.access_item(request.user, pk)
    return list(item.events.select_related("actor"))


@router.post("/items/{int:pk}/decide", response=_WRITE, summary="Publish, hide or restore an item (moderators)")
def decide(request: HttpRequest, pk: Id, payload: ModerationDecideIn) -> Any:
    item = actions.access_item(request.user, pk)
    if payload.decision == "publish":
        return actions.do_publish(request.user, item)
    if payload.decision == "hide":
        return actions.do_hide(request.user, item, reason=payload.reason)
    return actions.do_restore(request.user, item, reason=payload.reason)


@router.post(
    "/items/{int:pk}/report",
    response={201: ModerationReportOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Report a published item (once per person)",
)
def report(request: HttpRequest, pk: Id, payload: ModerationReportIn) -> Any:
    item = ModerationItem.objects.filter(pk=pk, status=ItemStatus.PUBLISHED).first()
    if item is None:
        raise Http404(_("No such item."))
    actions.do_report(request.user, item, reason=payload.reason)
    return Status(201, {"item_id": item.pk, "reported": True})


@router.get("/spaces", response=list[ModerationSpaceOut], summary="Moderated spaces and their pre-moderation setting")
def list_spaces(request: HttpRequest) -> Any:
    actions.check_moderator(request.user)
    return [{"key": s.key, "label": str(s.label), "premoderated": actions.is_premoderated(s)} for s in all_spaces()]


@router.put(
    "/spaces/{key}",
    response={200: ModerationSpaceOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Set pre-moderation",
)
def set_space(request: HttpRequest, key: str, payload: ModerationSpaceIn) -> Any:
    keys = {s.key: s for s in all_spaces()}
    if key not in keys:
        raise Http404(_("No such space."))
    actions.do_set_space(request.user, key, premoderated=payload.premoderated)
    return {"key": key, "label": str(keys[key].label), "premoderated": payload.premoderated}


@router.get("/words", response=list[SensitiveWordOut], summary="The sensitive-word list (moderators)")
@paginate(PageNumberPagination, page_size=100)
def list_words(request: HttpRequest) -> Any:
    actions.check_moderator(request.user)
    return SensitiveWord.objects.all()


@router.post(
    "/words",
    response={201: SensitiveWordOut, 403: ErrorOut, 422: ErrorOut},
    summary="Add a word (or change its action)",
)
def add_word(request: HttpRequest, payload: SensitiveWordIn) -> Any:
    actions.check_moderator(request.user)
    return Status(201, actions.do_add_word(request.user, payload.word, action=payload.action))


@router.delete("/words/{int:pk}", response={204: None, 403: ErrorOut, 404: ErrorOut}, summary="Remove a word")
def remove_word(request: HttpRequest, pk: Id) -> Any:
    actions.check_moderator(request.user)
    actions.do_remove_word(request.user, get_object_or_404(SensitiveWord, pk=pk))
    return Status(204, None)
