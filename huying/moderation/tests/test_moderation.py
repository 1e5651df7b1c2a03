"""Moderation: the word screen (with evasions), the queue's moves allowed and refused,
reports, rate limits, real-name checks, space settings, and who may moderate."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from huying.audit.models import AuditEntry
from huying.core.ratelimit import RateLimited
from huying.core.tests.cache import clear_cache
from huying.moderation import actions, screening
from huying.moderation.choices import ItemStatus, WordAction
from huying.moderation.models import ModerationEvent, ModerationItem, Report
from huying.moderation.realname import DemoProvider, do_verify_real_name
from huying.moderation.tests.conftest import make_public

pytestmark = pytest.mark.django_db
SPACE = "suggestions"


@pytest.fixture(autouse=True)
def _clear_rate_limits() -> None:
    clear_cache()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("法 轮-功", "法轮功"),
        ("法．轮．功", "法轮功"),
        ("ＦＡＬＵＮ gong", "falungong"),
        ("法\u200b轮\u200d功!!", "法轮功"),
        ("Hello, World 你好。", "helloworld你好"),
    ],
)
def test_normalise_folds_width_case_and_drops_separators(text: str, expected: str) -> None:
    assert screening.normalise(text) == expected


@pytest.mark.parametrize("text", ["法轮功", "法 轮 功", "法-轮_功", "法．轮．功", "法\u200b轮功", "学习法。轮。功的人"])
def test_a_block_word_is_caught_with_inserted_spaces_and_symbols(citizen: Any, text: str) -> None:
    actions.do_add_word(None, "法轮功", action=WordAction.BLOCK)
    with pytest.raises(ValidationError) as info:
        actions.do_submit(citizen, SPACE, text)
    assert "法轮功" in str(info.value)
    assert not ModerationItem.objects.exists()


def test_a_review_word_sends_the_item_to_the_queue_even_without_premoderation(citizen: Any, admin: Any) -> None:
    actions.do_set_space(admin, SPACE, premoderated=False)
    actions.do_add_word(admin, "ＶＰＮ", action=WordAction.REVIEW)
    item = actions.do_submit(citizen, SPACE, "推荐一个 v p n 工具")
    assert item.status == ItemStatus.PENDING
    assert item.flagged_words == ["ＶＰＮ"]
    clean = actions.do_submit(citizen, SPACE, "建议增加公交班次")
    assert clean.status == ItemStatus.PUBLISHED


def test_the_automaton_is_rebuilt_when_the_list_changes(
    citizen: Any, admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    assert not screening.screen("赌博网站").words
    with django_capture_on_commit_callbacks(execute=True):
        word = actions.do_add_word(admin, "赌博", action=WordAction.BLOCK)
    assert screening.screen("赌 博网站").block == ["赌博"]
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_remove_word(admin, word)
    assert not screening.screen("赌博网站").words


def test_premoderated_space_keeps_everything_pending_until_published(citizen: Any, bob: Any) -> None:
    assert actions.is_premoderated(SPACE)
    item = actions.do_submit(citizen, SPACE, "建议在社区增设充电桩")
    assert item.status == ItemStatus.PENDING
    actions.do_publish(bob, item)
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED and item.decided_by == bob


def test_hide_and_restore_need_reasons_and_leave_an_audit_trail(citizen: Any, bob: Any) -> None:
    item = actions.do_submit(citizen, SPACE, "建议在社区增设充电桩")
    actions.do_publish(bob, item)
    with pytest.raises(ValidationError):
        actions.do_hide(bob, item, reason="  ")
    actions.do_hide(bob, item, reason="广告")
    item.refresh_from_db()
    assert (item.status, item.reason) == (ItemStatus.HIDDEN, "广告")
    actions.do_restore(bob, item, reason="误判")
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED
    moves = list(ModerationEvent.objects.filter(item=item).values_list("move", "from_status", "to_status", "note"))
    assert moves == [
        ("submit", "", "pending", ""),
        ("publish", "pending", "published", ""),
        ("hide", "published", "hidden", "广告"),
        ("restore", "hidden", "published", "误判"),
    ]
    codes = list(
        AuditEntry.objects.filter(object_id=str(item.pk), object_type="moderation.moderationitem")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert codes == ["moderation.submit", "moderation.publish", "moderation.hide", "moderation.restore"]


@pytest.mark.parametrize(
    ("start", "move"),
    [("pending", "restore"), ("published", "publish"), ("published", "restore"), ("hidden", "publish")],
)
def test_illegal_moves_are_refused_and_change_nothing(citizen: Any, bob: Any, start: str, move: str) -> None:
    item = actions.do_submit(citizen, SPACE, "建议在社区增设充电桩")
    if start in ("published", "hidden"):
        actions.do_publish(bob, item)
    if start == "hidden":
        actions.do_hide(bob, item, reason="重复")
    before = ModerationEvent.objects.count()
    with pytest.raises(ValidationError):
        if move == "publish":
            actions.do_publish(bob, item)
        else:
            actions.do_restore(bob, item, reason="理由")
    item.refresh_from_db()
    assert item.status == start
    assert ModerationEvent.objects.count() == before


@pytest.mark.parametrize("who", ["citizen", "alice", "dora"])
def test_only_moderators_decide(request: pytest.FixtureRequest, citizen: Any, who: str) -> None:
    person = request.getfixturevalue(who)
    item = actions.do_submit(citizen, SPACE, "建议在社区增设充电桩")
    with pytest.raises(PermissionDenied):
        actions.do_publish(person, item)
    with pytest.raises(PermissionDenied):
        actions.do_set_space(person, SPACE, premoderated=False)
    with pytest.raises(PermissionDenied):
        actions.do_add_word(person, "词")


def test_admin_moderates_too(citizen: Any, admin: Any) -> None:
    item = actions.do_submit(citizen, SPACE, "建议在社区增设充电桩")
    assert actions.do_publish(admin, item).status == ItemStatus.PUBLISHED


def test_unverified_and_anonymous_people_cannot_post(dora: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    for person in (dora, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            actions.do_submit(person, SPACE, "建议")
    assert not ModerationItem.objects.exists()


def test_real_name_verification_goes_through_the_provider(dora: Any) -> None:
    with pytest.raises(ValidationError):
        do_verify_real_name(None, dora, real_name="赵多", id_number="123")
    do_verify_real_name(None, dora, real_name="赵多", id_number="44010619900101123X")
    dora.refresh_from_db()
    assert dora.is_real_name_verified
    assert DemoProvider().verify(real_name="赵多", id_number="440106199001011234")


def test_reports_once_per_person_and_n_reports_requeue(citizen: Any, neighbour: Any, bob: Any, settings: Any) -> None:
    settings.MODERATION_REPORTS_TO_QUEUE = 2
    item = actions.do_submit(citizen, SPACE, "建议在社区增设充电桩")
    with pytest.raises(ValidationError):  # not published yet
        actions.do_report(neighbour, item, reason="广告")
    actions.do_publish(bob, item)
    item.refresh_from_db()
    actions.do_report(neighbour, item, reason="广告")
    with pytest.raises(ValidationError) as info:
        actions.do_report(neighbour, item, reason="广告")
    assert info.value.code == "already_reported"
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED and item.report_count == 1
    other = make_public("third", "李三")
    actions.do_report(other, item, reason="不实")
    item.refresh_from_db()
    assert item.status == ItemStatus.PENDING and item.report_count == 2
    assert Report.objects.filter(item=item).count() == 2
    assert item.events.last().move == "requeue"


def test_posting_is_rate_limited_per_person(citizen: Any, neighbour: Any) -> None:
    from huying.moderation.spaces import get_space

    limit = get_space(SPACE).rate_limit
    for n in range(limit):
        actions.do_submit(citizen, SPACE, f"建议第{n}条")
    with pytest.raises(RateLimited):
        actions.do_submit(citizen, SPACE, "再来一条")
    actions.do_submit(neighbour, SPACE, "另一个人不受影响")


def test_queue_visibility(citizen: Any, neighbour: Any, bob: Any) -> None:
    item = actions.do_submit(citizen, SPACE, "建议在社区增设充电桩")
    assert list(ModerationItem.objects.visible_to(bob)) == [item]
    assert list(ModerationItem.objects.visible_to(citizen)) == [item]
    assert not ModerationItem.objects.visible_to(neighbour).exists()


@pytest.mark.parametrize(
    "code",
    [
        "moderation.submit", "moderation.publish", "moderation.hide", "moderation.restore", "moderation.requeue",
        "moderation.report", "moderation.space_setting", "moderation.word_add", "moderation.word_remove",
        "account.real_name_verify", "suggestion.submit", "suggestion.adopt", "suggestion.adopt_report", "debate.create", "debate.open",
        "debate.close", "debate.argue", "debate.export",
    ],
)  # fmt: skip
def test_every_recorded_action_reads_in_chinese(code: str) -> None:
    import re

    from django.utils import translation

    from huying.audit.labels import action_label

    with translation.override("zh-hans"):
        label = action_label(code)
    assert label != code and re.search(r"[\u4e00-\u9fff]", label)
