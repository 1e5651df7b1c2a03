"""Questions and answers: who may ask (real name, open and inside the time box, word
screen, rate limit), pre-moderation (nothing public before it passes), answers by the host
only (editable until the end, in the duty record), hiding by the CPPCC's staff, adoption and
drafts with the link both ways, what the asker sees, and the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from huying.core.ratelimit import RateLimited
from huying.duty.models import DutyEntry
from huying.moderation import actions as moderation
from huying.moderation.choices import ItemStatus, WordAction
from huying.proposals.tests.conftest import make_session
from huying.reception import actions
from huying.reception.models import Question, QuestionProposalLink, QuestionReportLink
from huying.reception.tests.conftest import NOW, published_question, schedule

pytestmark = pytest.mark.django_db


def test_a_question_waits_for_moderation_and_nobody_else_sees_it(
    live: Any, citizen: Any, neighbour: Any, alice: Any, bob: Any
) -> None:
    q = actions.do_ask(citizen, live, body="长者饭堂周末能开吗？")
    assert q.moderation.status == ItemStatus.PENDING and q.moderation.space == "reception_questions"
    for person in (neighbour, alice, AnonymousUser()):
        assert not Question.objects.visible_to(person).exists()
    assert list(Question.objects.visible_to(citizen)) == [q]
    assert list(Question.objects.visible_to(bob)) == [q]
    moderation.do_publish(bob, q.moderation)
    for person in (neighbour, alice, AnonymousUser()):
        assert list(Question.objects.visible_to(person)) == [q]


def test_unverified_and_anonymous_people_cannot_ask(live: Any, dora: Any) -> None:
    for person in (dora, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            actions.do_ask(person, live, body="长者饭堂周末能开吗？")
    assert not Question.objects.exists()


def test_questions_only_while_open_and_inside_the_time_box(alice: Any, citizen: Any) -> None:
    scheduled = schedule(alice)
    with pytest.raises(ValidationError):
        actions.do_ask(citizen, scheduled, body="长者饭堂周末能开吗？")
    live = actions.do_open_session(alice, scheduled)
    with pytest.raises(ValidationError):
        actions.do_ask(citizen, live, body="长者饭堂周末能开吗？", now=NOW + dt.timedelta(hours=1))
    with pytest.raises(ValidationError):
        actions.do_ask(citizen, live, body="长者饭堂周末能开吗？", now=NOW - dt.timedelta(hours=2))
    actions.do_close_session(alice, live)
    with pytest.raises(ValidationError):
        actions.do_ask(citizen, live, body="长者饭堂周末能开吗？")
    assert not Question.objects.exists()


def test_bad_and_blocked_text_is_refused(live: Any, citizen: Any) -> None:
    moderation.do_add_word(None, "六合彩", action=WordAction.BLOCK)
    for body in ("短", "x" * 501, "欢迎来买六合彩，稳赚不赔"):
        with pytest.raises(ValidationError) as info:
            actions.do_ask(citizen, live, body=body)
        assert "body" in info.value.message_dict
    assert not Question.objects.exists()


def test_asking_is_rate_limited_per_person(live: Any, citizen: Any, neighbour: Any) -> None:
    for n in range(5):
        actions.do_ask(citizen, live, body=f"第{n}个关于养老的问题")
    with pytest.raises(RateLimited):
        actions.do_ask(citizen, live, body="第六个关于养老的问题")
    actions.do_ask(neighbour, live, body="邻居的第一个问题")
    assert Question.objects.count() == 6


def test_the_host_answers_edits_until_the_end_and_it_is_in_the_duty_record(
    live: Any, alice: Any, bob: Any, citizen: Any
) -> None:
    q = published_question(citizen, bob, live)
    answer = actions.do_answer(alice, q, body="已协调周末轮值供餐。")
    assert answer.author == alice and answer.updated_at is None
    entry = DutyEntry.objects.get(member=alice, kind="reception.answer")
    assert (entry.source_type, entry.source_id, entry.group) == ("reception.question", q.pk, "reception")
    actions.do_answer(alice, q, body="已协调周末轮值供餐，下月起实行。")
    answer.refresh_from_db()
    assert answer.body.endswith("下月起实行。") and answer.updated_at is not None
    assert DutyEntry.objects.filter(member=alice, kind="reception.answer").count() == 1
    # The asker hears once, at the first answer, with a link to the session (edits: no notice).
    from huying.handling.centre import link_of
    from huying.handling.models import Notification

    [notice] = Notification.objects.filter(recipient_user=citizen, text__contains="答复了您的提问")
    assert alice.real_name in notice.text and live.theme in notice.text
    notice = Notification.objects.select_related("case_type", "assignment").get(pk=notice.pk)
    assert link_of(citizen, notice) == reverse("moderation:open", args=[q.moderation_id])
    actions.do_close_session(alice, live)
    with pytest.raises(ValidationError):
        actions.do_answer(alice, q, body="再改一次")
    answer.refresh_from_db()
    assert answer.body.endswith("下月起实行。")


@pytest.mark.parametrize("who", ["erin", "bob", "citizen"])
def test_only_the_host_answers(request: pytest.FixtureRequest, live: Any, bob: Any, citizen: Any, who: str) -> None:
    q = published_question(citizen, bob, live)
    with pytest.raises(PermissionDenied):
        actions.do_answer(request.getfixturevalue(who), q, body="我来回答")
    assert not hasattr(Question.objects.get(pk=q.pk), "answer") or not DutyEntry.objects.exists()


def test_a_pending_question_cannot_be_answered(live: Any, alice: Any, citizen: Any) -> None:
    q = actions.do_ask(citizen, live, body="长者饭堂周末能开吗？")
    with pytest.raises(ValidationError):
        actions.do_answer(alice, q, body="可以")


def test_staff_of_the_hosts_cppcc_hide_a_question_and_the_asker_sees_why(
    live: Any, alice: Any, bob: Any, cindy: Any, citizen: Any
) -> None:
    q = published_question(citizen, bob, live)
    for person in (cindy, alice, citizen):
        with pytest.raises(PermissionDenied):
            actions.do_hide_question(person, q, reason="与主题无关")
    actions.do_hide_question(bob, q, reason="与主题无关")
    assert not Question.objects.visible_to(AnonymousUser()).exists()
    mine = Question.objects.visible_to(citizen).get()
    assert (mine.moderation.status, mine.moderation.reason) == (ItemStatus.HIDDEN, "与主题无关")


def test_adopt_and_turn_into_a_proposal_draft_with_the_link_both_ways(
    live: Any, alice: Any, erin: Any, bob: Any, citizen: Any, tree: Any
) -> None:
    session = make_session(tree)
    q = published_question(citizen, bob, live)
    actions.do_answer(alice, q, body="会后形成提案。")
    with pytest.raises(ValidationError):  # not adopted yet
        actions.do_convert_to_proposal(alice, [q], session=session, title="关于长者饭堂周末供餐的建议")
    for person in (erin, bob, citizen):
        with pytest.raises(PermissionDenied):
            actions.do_adopt(person, q)
    actions.do_adopt(alice, q)
    with pytest.raises(ValidationError):
        actions.do_adopt(alice, q)
    with pytest.raises(PermissionDenied):
        actions.do_convert_to_proposal(erin, [q], session=session, title="关于长者饭堂周末供餐的建议")
    proposal = actions.do_convert_to_proposal(alice, [q], session=session, title="关于长者饭堂周末供餐的建议")
    assert proposal.status == "draft" and proposal.proposer == alice
    assert "长者饭堂周末能开吗" in proposal.situation and "会后形成提案" in proposal.situation
    link = QuestionProposalLink.objects.get()
    assert list(q.proposal_links.all()) == [link] == list(proposal.reception_question_links.all())
    report = actions.do_convert_to_report(alice, [q], title="关于长者饭堂周末供餐的情况反映")
    assert list(report.reception_question_links.values_list("question", flat=True)) == [q.pk]
    assert QuestionReportLink.objects.get().report == report
    assert [o["kind"] for o in actions.outcomes(q)] == ["proposal", "report"]
    from huying.core.origins import origins_of

    for draft in (proposal, report):  # the draft's page names the question it came from
        [origin] = origins_of(alice, draft)
        assert str(origin.kind) == "会客室提问" and "长者饭堂周末能开吗" in origin.title
        assert origin.url == reverse("reception:session", args=[q.session_id]) + f"#q{q.pk}"


def test_pages_for_each_person(
    client: Any, live: Any, alice: Any, bob: Any, erin: Any, citizen: Any, dora: Any, tree: Any
) -> None:
    q = published_question(citizen, bob, live)
    actions.do_answer(alice, q, body="已协调周末轮值供餐。")
    page = reverse("reception:session", args=[live.pk])
    # Anonymous: reads the Q&A, told to log in.
    body = client.get(page).content.decode()
    assert "长者饭堂周末能开吗" in body and "已协调周末轮值供餐" in body and "登录" in body
    assert client.get(reverse("reception:sessions")).status_code == 200
    client.force_login(dora)
    assert "实名认证" in client.get(page).content.decode()
    assert client.post(reverse("reception:ask", args=[live.pk]), {"body": "未认证的人提问"}).status_code == 302
    assert Question.objects.count() == 1
    client.force_login(citizen)
    assert 'name="body"' in client.get(page).content.decode()
    response = client.post(reverse("reception:ask", args=[live.pk]), {"body": "社区卫生站能开夜诊吗？"}, follow=True)
    assert "审核" in response.content.decode()
    assert Question.objects.count() == 2
    for url in (reverse("reception:console", args=[live.pk]), reverse("reception:manage"), reverse("reception:mine")):
        assert client.get(url).status_code == 403
    client.force_login(erin)
    assert client.get(reverse("reception:console", args=[live.pk])).status_code == 403
    client.force_login(alice)
    console = client.get(reverse("reception:console", args=[live.pk])).content.decode()
    assert "长者饭堂周末能开吗" in console
    client.post(reverse("reception:answer", args=[q.pk]), {"body": "已协调，下月起周末供餐。", "next": "console"})
    assert Question.objects.get(pk=q.pk).answer.body == "已协调，下月起周末供餐。"
    client.post(reverse("reception:move", args=[live.pk]), {"move": "close"})
    client.force_login(bob)
    assert client.get(reverse("reception:manage")).status_code == 200
    client.logout()
    # After the session: still readable by everyone.
    assert "已协调，下月起周末供餐" in client.get(page).content.decode()


def test_the_asker_sees_what_became_of_the_question(
    client: Any, live: Any, alice: Any, bob: Any, citizen: Any, tree: Any
) -> None:
    q = published_question(citizen, bob, live)
    actions.do_adopt(alice, q)
    actions.do_convert_to_proposal(alice, [q], session=make_session(tree), title="关于长者饭堂周末供餐的建议")
    client.force_login(citizen)
    body = client.get(reverse("reception:my_questions")).content.decode()
    assert "委员已采纳" in body and "提案草稿" in body


def test_the_list_page_does_not_query_per_session(
    client: Any, alice: Any, bob: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(6):
        s = schedule(bob, host=alice, theme=f"第{n}场")
        if n % 2:
            actions.do_open_session(alice, s)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("reception:sessions")).status_code == 200
