"""A proposal's history through its whole journey — drafted, a co-signer invited who
confirms and one left pending (dropped at submission), submitted, filed, assigned,
replied, rated, completed, published — reads the same on its page and in the API: the
proposal's own steps in "History", the units' steps in the staff's handling timeline."""

from __future__ import annotations

from typing import Any

import time_machine
from django.test import Client
from django.utils import timezone

from huying.handling.choices import EventScope, Rating
from huying.handling.history import events_for
from huying.proposals import actions
from huying.proposals.models import Proposal, Session
from huying.proposals.tests.conftest import make_draft
from huying.proposals.tests.test_handling import reply_fields

# (kind, kind_display, from_status, to_status) of the proposal's own steps, oldest first.
HISTORY = [
    ("created", "创建草稿", "", ""),
    ("cosigner_invited", "邀请联名", "", ""),
    ("cosigner_invited", "邀请联名", "", ""),
    ("cosigner_confirmed", "联名确认", "", ""),
    ("cosigner_dropped", "未答复的联名委员已移除", "", ""),
    ("submitted", "已提交", "draft", "submitted"),
    ("filed", "已立案", "submitted", "filed"),
    ("assigned", "已交办", "", ""),
    ("reply_accepted", "收到答复", "", ""),
    ("rated", "答复已测评", "", ""),
    ("rated", "答复已测评", "", ""),
    ("completed", "办理完毕", "", ""),
    ("published", "已公开", "", ""),
]
# The units' steps (engine kinds), shown to the staff only.
HANDLING = ["assigned", "accepted", "resolved", "feedback", "feedback", "closed"]


def _journey(alice: Any, bob: Any, erin: Any, frank: Any, gina: Any, edu: Any, session: Session) -> Proposal:
    with time_machine.travel(timezone.now(), tick=False) as clock:
        proposal = make_draft(alice, session, "关于推进中小学课后服务提质的建议", summary="课后服务")
        for member in (erin, frank):
            clock.shift(60)
            actions.do_invite_cosigner(alice, proposal, member)
        clock.shift(60)
        actions.do_respond_cosign(erin, proposal, confirm=True)
        clock.shift(60)
        actions.do_submit(alice, proposal)
        clock.shift(60)
        actions.do_file(bob, proposal, note="同意立案")
        clock.shift(60)
        assignment = actions.do_assign(bob, proposal, mode="single", units=[edu])[0]
        clock.shift(60)
        reply = actions.do_submit_reply(gina, assignment, **reply_fields())
        clock.shift(60)
        actions.do_review_reply(bob, reply, accept=True)
        for rater in (erin, alice):
            clock.shift(60)
            actions.do_rate(rater, reply, rating=Rating.SATISFIED, comment="满意")
    proposal.refresh_from_db()
    return proposal


def test_the_history_of_a_whole_journey(
    client: Client, alice: Any, bob: Any, erin: Any, frank: Any, gina: Any, edu: Any, session: Session
) -> None:
    proposal = _journey(alice, bob, erin, frank, gina, edu, session)
    client.force_login(alice)
    history = client.get(f"/api/v1/proposals/{proposal.pk}").json()["history"]
    assert [(h["kind"], h["kind_display"], h["from_status"], h["to_status"]) for h in history] == HISTORY
    assert set(history[0]) == {
        "kind",
        "kind_display",
        "from_status",
        "to_status",
        "actor_name",
        "note",
        "data",
        "created_at",
    }
    by_kind = {h["kind"]: h for h in history}
    assert by_kind["filed"]["actor_name"] == str(bob) and by_kind["filed"]["note"] == "同意立案"
    assert by_kind["filed"]["data"]["formatted_number"] == proposal.formatted_number
    assert by_kind["cosigner_dropped"]["data"]["member_name"] == str(frank)
    assert by_kind["assigned"]["data"]["units"] == "荔湾区教育局"
    assert [h["created_at"] for h in history] == sorted(h["created_at"] for h in history)

    page = client.get(f"/proposals/{proposal.pk}/").content.decode()
    section = page[page.index('id="history-title"') :]
    for _kind, label, _from, _to in HISTORY:
        assert label in section
    assert proposal.formatted_number in section and "荔湾区教育局" in section

    # The staff also see the units' steps, in the handling timeline (not in "History").
    client.force_login(bob)
    staff_page = client.get(f"/proposals/{proposal.pk}/").content.decode()
    handling = staff_page[staff_page.index("<h3>办理过程</h3>") : staff_page.index('id="history-title"')]
    assert handling.count("<li>") == len(HANDLING)
    assert "荔湾区教育局" in handling and "创建草稿" not in handling
    assert [e.kind for e in proposal.events.all()] == [h[0] for h in HISTORY]
    assert [e.kind for e in events_for(proposal, scope=EventScope.ASSIGNMENT)] == HANDLING


def test_the_proposers_hear_of_the_steps_of_their_history(
    alice: Any, bob: Any, erin: Any, frank: Any, gina: Any, edu: Any, session: Session
) -> None:
    from huying.handling.models import Notification

    proposal = _journey(alice, bob, erin, frank, gina, edu, session)
    texts = list(Notification.objects.filter(recipient_user=alice, case_id=proposal.pk).values_list("text", flat=True))
    assert any(proposal.formatted_number in text for text in texts)
    filed = proposal.events.get(kind="filed")
    told = Notification.objects.get(recipient_user=alice, case_id=proposal.pk, text__contains=proposal.formatted_number)
    assert told.created_at == filed.created_at
