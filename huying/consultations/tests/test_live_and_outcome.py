"""Live updates polled with ``after`` and ETags; the outcome answered through the engine."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from huying.consultations import actions
from huying.consultations.choices import ConsultationStatus, OutcomeStatus
from huying.consultations.models import Consultation
from huying.consultations.tests.conftest import DAY
from huying.consultations.transitions import TransitionError
from huying.core.tests.cache import clear_cache
from huying.handling import actions as engine
from huying.handling.models import Assignment
from huying.handling.transitions import NotAllowed


@pytest.fixture(autouse=True)
def empty_cache() -> Any:
    clear_cache()
    yield
    clear_cache()


def client_for(person: Any) -> Client:
    client = Client()
    client.force_login(person)
    return client


@pytest.fixture
def live(consultation: Consultation, frozen: Any, bob: Any) -> Consultation:
    frozen.move_to(DAY)
    actions.do_open(bob, consultation)
    return consultation


def test_only_organising_staff_post_and_only_while_live(
    consultation: Consultation, frozen: Any, bob: Any, gina: Any, alice: Any
) -> None:
    with pytest.raises(TransitionError):
        actions.do_post_update(bob, consultation, text="会议即将开始")
    frozen.move_to(DAY)
    actions.do_open(bob, consultation)
    for person in (gina, alice):
        with pytest.raises(PermissionDenied):
            actions.do_post_update(person, consultation, text="插话")
    assert not consultation.updates.exists()


def test_viewers_poll_after_the_last_id_with_etags(
    live: Consultation, bob: Any, alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    viewer = client_for(alice)
    url = f"/consultations/{live.pk}/live.json"
    first = viewer.get(url, {"after": 0})
    assert first.status_code == 200 and first.json()["updates"] == [] and first.json()["status"] == "live"
    tag = first["ETag"]
    assert "max-age=1" in first["Cache-Control"]
    assert viewer.get(url, {"after": 0}, HTTP_IF_NONE_MATCH=tag).status_code == 304
    with django_capture_on_commit_callbacks(execute=True):
        one = actions.do_post_update(bob, live, text="主持人宣布会议开始")
    with django_capture_on_commit_callbacks(execute=True):
        two = actions.do_post_update(bob, live, text="林教授发言：建议统筹资金")
    fresh = viewer.get(url, {"after": 0}, HTTP_IF_NONE_MATCH=tag)
    assert fresh.status_code == 200 and fresh["ETag"] != tag
    assert [u["text"] for u in fresh.json()["updates"]] == ["主持人宣布会议开始", "林教授发言：建议统筹资金"]
    later = viewer.get(url, {"after": one.pk}).json()
    assert [u["id"] for u in later["updates"]] == [two.pk] and later["last"] == two.pk
    assert viewer.get(url, {"after": two.pk}).json()["updates"] == []


def test_polls_are_served_from_the_cache(
    live: Consultation, bob: Any, alice: Any, django_assert_max_num_queries: Any
) -> None:
    viewer = client_for(alice)
    url = f"/consultations/{live.pk}/live.json"
    viewer.get(url)  # fills the cache (the document and alice's right to watch)
    with django_assert_max_num_queries(2):  # the session and the person, nothing else
        assert viewer.get(url, {"after": 0}).status_code == 200


def test_who_may_watch(live: Consultation, bob: Any, dora: Any, gina: Any, erin: Any) -> None:
    url = f"/consultations/{live.pk}/live.json"
    assert Client().get(url).status_code == 401
    assert client_for(dora).get(url).status_code == 404  # not open to the public
    assert client_for(gina).get(url).status_code == 404
    assert client_for(erin).get(url).status_code == 200  # a member of the CPPCC watches
    assert client_for(dora).get(f"/consultations/{live.pk}/").status_code == 404
    Consultation.objects.filter(pk=live.pk).update(public_viewing=True)
    clear_cache()
    assert client_for(dora).get(url).status_code == 200
    assert client_for(dora).get(f"/consultations/{live.pk}/").status_code == 200


def test_the_outcome_goes_to_departments_and_their_answers_are_tracked(
    live: Consultation, bob: Any, gina: Any, charlie: Any, hank: Any, tree: Any, other_department: Any
) -> None:
    actions.do_close(bob, live)
    actions.do_save_minutes(bob, live, minutes="会议听取了情况通报。\n委员们踊跃发言。")
    outcome = actions.do_save_outcome(
        bob, live, consensus="加快推进老旧小区改造", recommendations="统筹资金\n\n简化审批\n"
    )
    assert outcome.recommendation_items() == ["统筹资金", "简化审批"]
    with pytest.raises(PermissionDenied):
        actions.do_send_outcome(gina, outcome, units=[tree.department], days=20)
    first, second = actions.do_send_outcome(bob, outcome, units=[tree.department, other_department], days=20)
    live.refresh_from_db()
    outcome.refresh_from_db()
    assert (live.status, outcome.status) == (ConsultationStatus.CONCLUDED, OutcomeStatus.SENT)
    with pytest.raises(TransitionError):
        actions.do_save_outcome(bob, live, consensus="改", recommendations="改")
    # The department's staff see the consultation it came from; another's cannot answer it.
    assert Consultation.objects.visible_to(charlie).filter(pk=live.pk).exists()
    with pytest.raises(NotAllowed):
        actions.do_answer(hank, first, answer="越权答复")
    actions.do_answer(charlie, first, answer="已纳入年度计划")
    outcome.refresh_from_db()
    assert outcome.status == OutcomeStatus.SENT  # one department still to answer
    actions.do_answer(hank, second, answer="已简化审批流程")
    outcome.refresh_from_db()
    assert outcome.status == OutcomeStatus.ANSWERED
    # Reopened by the office: the outcome waits for an answer again.
    engine.do_reopen(bob, Assignment.objects.get(pk=second.pk), reason="答复不具体")
    outcome.refresh_from_db()
    assert outcome.status == OutcomeStatus.SENT


def test_the_shared_inbox_and_the_answer_page(live: Consultation, bob: Any, charlie: Any, hank: Any, tree: Any) -> None:
    actions.do_close(bob, live)
    outcome = actions.do_save_outcome(bob, live, consensus="共识", recommendations="建议一")
    [assignment] = actions.do_send_outcome(bob, outcome, units=[tree.department], days=10)
    unit = client_for(charlie)
    inbox = unit.get("/inbox/", {"workflow": "consultation"}).content.decode()
    assert outcome.number in inbox and live.topic in inbox
    page = unit.get(f"/consultations/answer/{assignment.pk}/")
    assert page.status_code == 200 and "建议一" in page.content.decode()
    assert client_for(hank).get(f"/consultations/answer/{assignment.pk}/").status_code == 404
    assert unit.post(f"/consultations/answer/{assignment.pk}/", {"answer": "已办理"}).status_code == 302
    outcome.refresh_from_db()
    assert outcome.status == OutcomeStatus.ANSWERED
    manage = client_for(bob).get(f"/consultations/console/{live.pk}/").content.decode()
    assert "已办理" in manage


def test_minutes_and_outcome_wait_for_the_close(live: Consultation, bob: Any, gina: Any) -> None:
    with pytest.raises(TransitionError):
        actions.do_save_minutes(bob, live, minutes="纪要")
    with pytest.raises(TransitionError):
        actions.do_save_outcome(bob, live, consensus="共识", recommendations="建议")
    actions.do_close(bob, live)
    with pytest.raises(PermissionDenied):
        actions.do_save_minutes(gina, live, minutes="纪要")
    live.refresh_from_db()
    assert live.minutes == ""


def test_pages_for_each_person(
    live: Consultation, bob: Any, alice: Any, erin: Any, gina: Any, dora: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_post_update(bob, live, text="会议开始")
    page = client_for(alice).get(f"/consultations/{live.pk}/").content.decode()
    assert "会议开始" in page and "meeting.tencent.com" in page and "consultation_live.js" in page
    assert 'name="summary"' in page  # alice may ask to speak
    assert 'name="summary"' not in client_for(erin).get(f"/consultations/{live.pk}/").content.decode()
    assert live.topic in client_for(erin).get("/consultations/").content.decode()
    assert client_for(bob).get(f"/consultations/console/{live.pk}/").status_code == 200
    assert client_for(bob).get("/consultations/console/new/").status_code == 200
    assert client_for(gina).get(f"/consultations/console/{live.pk}/").status_code == 404
    assert client_for(alice).get("/consultations/console/").status_code == 403
    assert client_for(alice).post(f"/consultations/console/{live.pk}/post/", {"text": "x"}).status_code == 403
    response = client_for(bob).post(f"/consultations/console/{live.pk}/post/", {"text": "第二条"})
    assert response.status_code == 302 and live.updates.count() == 2
    asked = client_for(alice).post(f"/consultations/{live.pk}/speak/", {"summary": "想发言"})
    assert asked.status_code == 302 and live.speeches.get().participant.user_id == alice.pk


def test_creating_through_the_console(frozen: Any, bob: Any, committee: Any) -> None:
    start = datetime.datetime(2026, 3, 10, 9, 0)
    response = client_for(bob).post(
        "/consultations/console/new/",
        {
            "topic": "营商环境对口协商",
            "kind": "counterpart",
            "organiser": committee.pk,
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "video_url": "https://meeting.tencent.com/dm/xyz",
            "agenda": "一、情况通报\n二、委员发言",
        },
    )
    assert response.status_code == 302
    c = Consultation.objects.get()
    assert (c.topic, c.agenda.count(), c.public_viewing) == ("营商环境对口协商", 2, False)


def test_the_page_poller_uses_its_signed_ticket_and_no_cookie(
    live: Consultation, bob: Any, alice: Any, django_assert_num_queries: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from huying.consultations.live import ticket

    page = client_for(alice).get(f"/consultations/{live.pk}/").content.decode()
    mine = ticket(live.pk, alice.pk)
    assert f'data-ticket="{mine}"' in page
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_post_update(bob, live, text="会议开始")
    anonymous = Client()  # the poller sends no cookie
    url = f"/consultations/{live.pk}/live.json"
    anonymous.get(url, {"t": mine})
    with django_assert_num_queries(0):  # the cached document only
        answer = anonymous.get(url, {"t": mine, "after": 0})
    assert [u["text"] for u in answer.json()["updates"]] == ["会议开始"]
    other = Consultation.objects.exclude(pk=live.pk).first()
    assert other is None or anonymous.get(url, {"t": ticket(other.pk, alice.pk)}).status_code == 403
    assert anonymous.get(url, {"t": mine + "x"}).status_code == 403
    assert anonymous.get(url, {"t": ticket(live.pk + 1, alice.pk)}).status_code == 403


def test_an_embed_is_the_one_frame_the_page_allows(live: Consultation, alice: Any) -> None:
    plain = client_for(alice).get(f"/consultations/{live.pk}/")
    assert "frame-src" not in plain["Content-Security-Policy"]
    Consultation.objects.filter(pk=live.pk).update(embed_url="https://meeting.tencent.com/embed/abc")
    page = client_for(alice).get(f"/consultations/{live.pk}/")
    assert page["Content-Security-Policy"].endswith("; frame-src https://meeting.tencent.com")
    assert '<iframe src="https://meeting.tencent.com/embed/abc"' in page.content.decode()


def test_the_list_page_costs_the_same_for_more_consultations(
    live: Consultation, bob: Any, alice: Any, committee: Any, django_assert_max_num_queries: Any
) -> None:
    from huying.consultations.tests.conftest import make_consultation

    viewer = client_for(alice)
    viewer.get("/consultations/")
    for n in range(3):
        actions.do_publish(bob, make_consultation(bob, committee, topic=f"协商{n}"))
    with django_assert_max_num_queries(8):
        page = viewer.get("/consultations/")
    assert page.content.decode().count('class="card consult-card"') == 4


def test_a_notice_leads_the_department_to_the_answer_page(
    live: Consultation, bob: Any, charlie: Any, tree: Any
) -> None:
    from huying.handling import centre
    from huying.handling.policy import notification_policy

    actions.do_close(bob, live)
    outcome = actions.do_save_outcome(bob, live, consensus="共识", recommendations="建议")
    [assignment] = actions.do_send_outcome(bob, outcome, units=[tree.department], days=10)
    [notice] = centre.notifications_for(charlie)
    assert outcome.number in notice.text
    policy = notification_policy(notice)
    assert policy is not None and policy.case_url is not None
    assert policy.case_url(charlie, notice) == f"/consultations/answer/{assignment.pk}/"
