"""Who sees and does what in the handling, through the querysets, the pages and the API;
query counts on the inbox, the supervision board and the public lists."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from huying.accounts.choices import Role
from huying.accounts.tests.factories import UserFactory
from huying.handling import actions as engine
from huying.handling.choices import Rating, Status
from huying.handling.models import Assignment
from huying.proposals import actions
from huying.proposals.choices import HandlingStatus, Publication
from huying.proposals.models import Proposal, Reply
from huying.proposals.supervision import replies_to_rate
from huying.proposals.tests.conftest import make_draft
from huying.proposals.tests.test_handling import PDF, assign_single, replied, reply_fields

pytestmark = pytest.mark.django_db
API = "/api/v1/proposals"


def _sees(person: Any, proposal: Proposal) -> bool:
    return Proposal.objects.visible_to(person).filter(pk=proposal.pk).exists()


def _client(person: Any = None) -> Client:
    client = Client()
    if person is not None:
        client.force_login(person)
    return client


def _post(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, data or {}, content_type="application/json")


# --- visibility -----------------------------------------------------------------------------
def test_who_sees_an_assigned_proposal(
    filed: Proposal,
    alice: Any,
    erin: Any,
    frank: Any,
    bob: Any,
    gina: Any,
    hank: Any,
    charlie: Any,
    dora: Any,
    lei: Any,
    edu: Any,
    health: Any,
) -> None:
    assert not _sees(gina, filed)
    assignment = assign_single(bob, filed, edu)
    for person in (alice, erin, bob, gina):
        assert _sees(person, filed), person
    for person in (frank, hank, charlie, dora, lei, AnonymousUser()):
        assert not _sees(person, filed), person
    # A unit that objected and was replaced keeps seeing what it was assigned.
    engine.do_object(gina, assignment, reason="不属本单位")
    engine.do_reassign(bob, assignment, to_unit=health, reason="改派卫健局")
    assert _sees(gina, filed) and _sees(hank, filed)
    actions.do_mark_key(bob, filed, is_key=True, leader=lei)
    assert _sees(lei, filed)


def test_staff_of_a_unit_above_or_below_the_assigned_unit(filed: Proposal, bob: Any, edu: Any, tree: Any) -> None:
    district_staff = UserFactory(roles=[(Role.UNIT_STAFF, tree.district_gov)])  # above: acts for its departments
    assign_single(bob, filed, edu)
    assert _sees(district_staff, filed)


def test_proposers_see_accepted_replies_only(
    filed: Proposal, alice: Any, erin: Any, bob: Any, gina: Any, hank: Any, edu: Any
) -> None:
    _assignment, reply = replied(bob, gina, filed, edu, accept=False)
    assert not Reply.objects.visible_to(alice).exists()
    assert not Reply.objects.visible_to(hank).exists()
    assert Reply.objects.visible_to(bob).get() == reply
    assert Reply.objects.visible_to(gina).get() == reply
    actions.do_review_reply(bob, reply, accept=True)
    assert Reply.objects.visible_to(erin).get() == reply
    assert list(replies_to_rate(alice)) == [reply]
    actions.do_rate(alice, reply, rating=Rating.SATISFIED)
    assert list(replies_to_rate(alice)) == []
    assert list(replies_to_rate(erin)) == [reply]
    assert list(replies_to_rate(gina)) == []


# --- pages --------------------------------------------------------------------------------
def test_the_whole_handling_through_the_pages(
    filed: Proposal, alice: Any, erin: Any, bob: Any, gina: Any, edu: Any, dora: Any
) -> None:
    staff = _client(bob)
    page = staff.get(f"/proposals/{filed.pk}/").content.decode()
    assert "id_mode_single" in page and edu.name in page
    r = staff.post(f"/proposals/{filed.pk}/handle/assign/", {"mode": "single", "units": [edu.pk], "note": "请办理"})
    assert r.status_code == 302
    assignment = Assignment.objects.get()
    unit = _client(gina)
    assert unit.get("/proposals/inbox/")["Location"] == "/inbox/?workflow=proposal"
    assert filed.title in unit.get("/inbox/", {"workflow": "proposal"}).content.decode()
    assert unit.get(f"/proposals/inbox/{assignment.pk}/").status_code == 200
    r = unit.post(f"/inbox/{assignment.pk}/accept/", {"version": assignment.version})  # the shared step view
    assert r.status_code == 302
    assignment.refresh_from_db()
    r = unit.post(f"/proposals/inbox/{assignment.pk}/act/contact/", {"note": "电话联系", "version": assignment.version})
    assert r.status_code == 302
    assignment.refresh_from_db()
    # A bad reply comes back with the errors next to the fields, and nothing saved.
    r = unit.post(f"/proposals/inbox/{assignment.pk}/act/reply/", {"version": assignment.version, "body": "答复"})
    assert r.status_code == 422 and {"reply_class", "reference_number", "contact_person"} <= set(r.context["errors"])
    assert Reply.objects.count() == 0
    data = {**reply_fields(), "version": assignment.version, "document": SimpleUploadedFile("答复.pdf", PDF)}
    assert unit.post(f"/proposals/inbox/{assignment.pk}/act/reply/", data).status_code == 302
    reply = Reply.objects.get()
    board = staff.get("/proposals/supervision/", {"pending": "1"}).content.decode()
    assert filed.title in board
    r = staff.post(f"/proposals/{filed.pk}/handle/review/", {"reply": reply.pk, "decision": "accept"})
    assert r.status_code == 302
    member = _client(alice)
    assert filed.title in member.get("/proposals/").content.decode()  # replies to rate
    assert 'class="stacked-form rate-form"' in member.get(f"/proposals/{filed.pk}/").content.decode()
    # The document downloads for the proposers; not for the public before publication.
    assert member.get(f"/proposals/replies/{reply.pk}/document/").status_code == 200
    assert _client(dora).get(f"/proposals/replies/{reply.pk}/document/").status_code == 404
    assert (
        member.post(f"/proposals/{filed.pk}/handle/rate/", {"reply": reply.pk, "rating": "satisfied"}).status_code
        == 302
    )
    co_signer = _client(erin)
    r = co_signer.post(f"/proposals/{filed.pk}/handle/rate/", {"reply": reply.pk, "rating": "satisfied"})
    assert r.status_code == 302
    filed.refresh_from_db()
    assert (filed.handling_status, filed.publication) == (HandlingStatus.COMPLETED, Publication.PUBLISHED)
    # Published: everyone reads it, anonymous visitors included.
    anonymous = _client()
    listing = anonymous.get("/proposals/public/").content.decode()
    assert filed.title in listing
    assert filed.title in anonymous.get("/proposals/public/", {"q": "课后服务"}).content.decode()
    assert filed.title not in anonymous.get("/proposals/public/", {"q": "高铁"}).content.decode()
    detail = anonymous.get(f"/proposals/public/{filed.pk}/").content.decode()
    assert "王丽" in detail and "周燕" in detail and reply.body in detail and filed.formatted_number in detail
    assert anonymous.get(f"/proposals/replies/{reply.pk}/document/").status_code == 200


def test_a_refused_page_action_says_why_and_changes_nothing(filed: Proposal, alice: Any, bob: Any, edu: Any) -> None:
    staff = _client(bob)
    r = staff.post(f"/proposals/{filed.pk}/handle/assign/", {"mode": "single"}, follow=True)
    assert Assignment.objects.count() == 0
    assert len(list(r.context["messages"])) == 1
    member = _client(alice)
    assert (
        member.post(f"/proposals/{filed.pk}/handle/assign/", {"mode": "single", "units": [edu.pk]}).status_code == 403
    )
    assert member.post(f"/proposals/{filed.pk}/handle/nonsense/").status_code == 404
    assert Assignment.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "url", "status"),
    [
        ("alice", "/proposals/inbox/", 403),
        ("dora", "/proposals/inbox/", 403),
        ("gina", "/proposals/inbox/", 302),  # to the shared inbox's proposal tab
        ("gina", "/inbox/", 200),
        ("alice", "/inbox/", 403),
        ("alice", "/proposals/supervision/", 403),
        ("gina", "/proposals/supervision/", 403),
        ("bob", "/proposals/supervision/", 200),
        ("alice", "/proposals/key/", 403),
        ("lei", "/proposals/key/", 200),
        ("dora", "/proposals/public/", 200),
        (None, "/proposals/public/", 200),
        (None, "/proposals/inbox/", 302),
    ],
)
def test_who_opens_which_page(request: pytest.FixtureRequest, who: str | None, url: str, status: int) -> None:
    person = request.getfixturevalue(who) if who else None
    assert _client(person).get(url).status_code == status


def test_unit_pages_of_other_units_are_not_found(filed: Proposal, bob: Any, hank: Any, charlie: Any, edu: Any) -> None:
    assignment = assign_single(bob, filed, edu)
    for person in (hank, charlie):
        client = _client(person)
        assert client.get(f"/proposals/inbox/{assignment.pk}/").status_code == 404
        assert client.post(f"/inbox/{assignment.pk}/accept/").status_code == 404
    assignment.refresh_from_db()
    assert assignment.status == Status.ASSIGNED


def test_leader_page_lists_the_key_proposals(filed: Proposal, bob: Any, lei: Any, edu: Any) -> None:
    assign_single(bob, filed, edu)
    client = _client(lei)
    assert filed.title not in client.get("/proposals/key/").content.decode()
    actions.do_mark_key(bob, filed, is_key=True, leader=lei)
    assert filed.title in client.get("/proposals/key/").content.decode()
    assert client.get(f"/proposals/{filed.pk}/").status_code == 200


# --- API ------------------------------------------------------------------------------------
def test_the_whole_handling_through_the_api(
    filed: Proposal,
    alice: Any,
    erin: Any,
    bob: Any,
    gina: Any,
    hank: Any,
    charlie: Any,
    edu: Any,
    health: Any,
    lei: Any,
) -> None:
    staff, unit = _client(bob), _client(gina)
    assert (
        _post(_client(alice), f"{API}/{filed.pk}/assign", {"mode": "single", "unit_ids": [edu.pk]}).status_code == 403
    )
    r = _post(staff, f"{API}/{filed.pk}/assign", {"mode": "single", "unit_ids": [edu.pk, health.pk]})
    assert r.status_code == 422 and "unit_ids" in r.json()["errors"]
    r = _post(staff, f"{API}/{filed.pk}/assign", {"mode": "separate", "unit_ids": [edu.pk, health.pk]})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["handling_status"] == "assigned" and [a["role"] for a in body["assignments"]] == ["separate"] * 2
    edu_id, health_id = (a["id"] for a in body["assignments"])
    assert body["assignments"][0]["deadline_state"] == "ok"
    # Outside the assignment: charlie does not see it (404); hank sees it but may not reply for edu (403).
    fields = reply_fields()
    assert _client(charlie).post(f"{API}/assignments/{edu_id}/reply", fields).status_code == 404
    r = _client(hank).post(f"{API}/assignments/{edu_id}/reply", fields)
    assert r.status_code == 403 and r.json()["message"]
    assert Reply.objects.count() == 0
    # The unit's steps.
    r = _post(unit, f"{API}/assignments/{edu_id}/contact", {"note": "电话联系提案者"})
    assert r.status_code == 200
    r = unit.post(f"{API}/assignments/{edu_id}/reply", {**fields, "document": SimpleUploadedFile("x.exe", b"MZ..")})
    assert r.status_code == 422 and list(r.json()["errors"]) == ["document"]
    r = unit.post(f"{API}/assignments/{edu_id}/reply", {**fields, "document": SimpleUploadedFile("a.pdf", PDF)})
    assert r.status_code == 200, r.content
    reply = next(x for x in r.json()["replies"] if x["assignment_id"] == edu_id)
    assert reply["status"] == "submitted" and reply["document_url"] and reply["proposer_contacted"] is True
    assert _client(alice).get(f"{API}/{filed.pk}/handling").json()["replies"] == []  # not yet reviewed
    r = _post(_client(hank), f"{API}/assignments/{health_id}/object", {"reason": "不属本单位职责"})
    assert r.status_code == 200
    r = _post(staff, f"{API}/assignments/{health_id}/overrule", {"reason": "属卫健局职责"})
    assert r.status_code == 200
    # Review, key marking, urging.
    assert _post(unit, f"{API}/replies/{reply['id']}/review", {"accept": True}).status_code == 403
    r = _post(staff, f"{API}/replies/{reply['id']}/review", {"accept": False, "note": ""})
    assert r.status_code == 422 and "note" in r.json()["errors"]
    assert _post(staff, f"{API}/replies/{reply['id']}/review", {"accept": True}).status_code == 200
    r = _post(staff, f"{API}/{filed.pk}/key", {"is_key": True, "leader_id": alice.pk})
    assert r.status_code == 422 and "leader_id" in r.json()["errors"]
    assert _post(staff, f"{API}/{filed.pk}/key", {"is_key": True, "leader_id": lei.pk}).json()["is_key"] is True
    assert _client(lei).get(f"{API}/key").json()["count"] == 1
    assert _post(staff, f"{API}/assignments/{health_id}/urge", {"text": "请尽快答复"}).status_code == 200
    # Rating: once per person.
    member = _client(alice)
    assert [x["id"] for x in member.get(f"{API}/to-rate").json()["items"]] == [reply["id"]]
    r = _post(member, f"{API}/replies/{reply['id']}/rate", {"rating": "dissatisfied"})
    assert r.status_code == 422 and "comment" in r.json()["errors"]
    assert _post(member, f"{API}/replies/{reply['id']}/rate", {"rating": "satisfied"}).status_code == 200
    assert _post(member, f"{API}/replies/{reply['id']}/rate", {"rating": "satisfied"}).status_code == 422
    assert _post(_client(gina), f"{API}/replies/{reply['id']}/rate", {"rating": "satisfied"}).status_code == 403
    # Publication.
    r = _post(_client(erin), f"{API}/{filed.pk}/publication/object", {"reason": "暂不公开"})
    assert r.status_code == 200 and r.json()["publication"] == "objected"
    assert _post(staff, f"{API}/{filed.pk}/publication/publish").status_code == 422
    r = _post(staff, f"{API}/{filed.pk}/publication/restrict", {"reason": "涉及内部数据"})
    assert r.json()["publication"] == "restricted"
    # Lists.
    assert _client(gina).get(f"{API}/inbox").json()["count"] == 0  # replied: nothing open
    inbox = _client(gina).get(f"{API}/inbox", {"show": "all"}).json()
    assert [(i["id"], i["proposal_title"]) for i in inbox["items"]] == [(edu_id, filed.title)]
    assert _client(alice).get(f"{API}/inbox").status_code == 403
    board = staff.get(f"{API}/supervision", {"key": True}).json()
    assert board["count"] == 1 and board["items"][0]["is_key"] is True
    assert _client(gina).get(f"{API}/supervision").status_code == 403
    assert _client().get(f"{API}/public").json()["count"] == 0
    assert _client().get(f"{API}/public/{filed.pk}").status_code == 404


def test_api_publication_and_public_reads(
    filed: Proposal, alice: Any, erin: Any, bob: Any, gina: Any, edu: Any
) -> None:
    _assignment, reply = replied(bob, gina, filed, edu)
    assert _post(_client(bob), f"{API}/{filed.pk}/publication/publish").status_code == 200
    anonymous = _client()
    listing = anonymous.get(f"{API}/public", {"q": "课后"}).json()
    assert [p["id"] for p in listing["items"]] == [filed.pk]
    # Words, not a substring: 小学 服务 (two words, not adjacent in the title) still finds it.
    listing = anonymous.get(f"{API}/public", {"q": "小学 服务"}).json()
    assert [p["id"] for p in listing["items"]] == [filed.pk]
    assert anonymous.get(f"{API}/public", {"q": "加装电梯"}).json()["items"] == []
    detail = anonymous.get(f"{API}/public/{filed.pk}").json()
    assert detail["proposers"] == ["王丽", "周燕"]
    assert [r["body"] for r in detail["replies"]] == [reply.body]
    assert "ratings" not in detail["replies"][0]


def test_api_extension_and_reassignment(filed: Proposal, bob: Any, gina: Any, edu: Any, health: Any) -> None:
    assignment = assign_single(bob, filed, edu)
    assert assignment.resolve_due is not None
    until = assignment.resolve_due.isoformat()
    r = _post(_client(gina), f"{API}/assignments/{assignment.pk}/extension", {"until": until, "reason": "需调研"})
    assert r.status_code == 422  # not later than the current deadline
    later = assignment.resolve_due.replace(year=assignment.resolve_due.year + 1).isoformat()
    r = _post(_client(gina), f"{API}/assignments/{assignment.pk}/extension", {"until": later, "reason": "需调研"})
    assert r.status_code == 200
    pending = _client(bob).get(f"{API}/{filed.pk}/handling").json()["pending_extensions"]
    assert len(pending) == 1
    assert _client(gina).get(f"{API}/{filed.pk}/handling").json()["pending_extensions"] == []
    r = _post(_client(bob), f"{API}/extensions/{pending[0]['id']}/decide", {"approve": False})
    assert r.status_code == 422 and "reason" in r.json()["errors"]
    assert _post(_client(bob), f"{API}/extensions/{pending[0]['id']}/decide", {"approve": True}).status_code == 200
    r = _post(_client(bob), f"{API}/assignments/{assignment.pk}/reassign", {"unit_id": edu.pk, "reason": "x"})
    assert r.status_code == 422 and "unit_id" in r.json()["errors"]
    r = _post(_client(bob), f"{API}/assignments/{assignment.pk}/reassign", {"unit_id": health.pk, "reason": "改派"})
    assert r.status_code == 200
    assert [a["unit_id"] for a in r.json()["assignments"] if a["status"] != "cancelled"] == [health.pk]


# --- query counts ----------------------------------------------------------------------------
def _many(alice: Any, bob: Any, session: Any, units: list[Any], count: int) -> list[Proposal]:
    made = []
    for i in range(count):
        proposal = actions.do_file(bob, actions.do_submit(alice, make_draft(alice, session, f"关于第{i}项工作的建议")))
        actions.do_assign(bob, proposal, mode="separate", units=units)
        made.append(proposal)
    return made


def _count_queries(client: Client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm the session and the role caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_list_query_counts_do_not_grow_with_the_page(
    alice: Any, bob: Any, gina: Any, session: Any, edu: Any, health: Any
) -> None:
    staff, unit, anonymous = _client(bob), _client(gina), _client()
    urls = [
        (staff, "/proposals/supervision/"),
        (staff, f"{API}/supervision"),
        (unit, "/inbox/"),
        (unit, f"{API}/inbox"),
        (unit, "/api/v1/assignments"),
        (anonymous, "/proposals/public/"),
        (anonymous, f"{API}/public"),
    ]
    small = _many(alice, bob, session, [edu, health], 2)
    for proposal in small:
        proposal.publication = Publication.PUBLISHED
        proposal.save(update_fields=["publication"])
    before = [_count_queries(c, u) for c, u in urls]
    more = _many(alice, bob, session, [edu, health], 5)
    for proposal in more:
        proposal.publication = Publication.PUBLISHED
        proposal.save(update_fields=["publication"])
    after = [_count_queries(c, u) for c, u in urls]
    assert before == after, list(zip([u for _c, u in urls], before, after, strict=True))


def test_pinned_query_counts(
    alice: Any, bob: Any, gina: Any, session: Any, edu: Any, health: Any, django_assert_num_queries: Any
) -> None:
    for proposal in _many(alice, bob, session, [edu, health], 3):
        proposal.publication = Publication.PUBLISHED
        proposal.save(update_fields=["publication"])
    staff, unit, anonymous = _client(bob), _client(gina), _client()
    for client, url, expected in (
        # session, user, roles, count, page, assignments
        (staff, "/proposals/supervision/", 6),
        # session, user, roles, tab counts, count, page, proposals, own units
        (unit, "/inbox/", 8),
        (anonymous, "/proposals/public/", 2),  # count, page
        (staff, f"{API}/supervision", 6),
        (unit, f"{API}/inbox", 6),
        (unit, "/api/v1/assignments", 7),  # session, user, roles, count, page, proposals, own units
        (anonymous, f"{API}/public", 2),
    ):
        client.get(url)
        with django_assert_num_queries(expected):
            assert client.get(url).status_code == 200


def test_the_staff_forms_on_the_proposal_page_use_the_shared_step_view(
    filed: Proposal, bob: Any, gina: Any, edu: Any, health: Any
) -> None:
    """Urging, withdrawing a co-handling unit and deciding an extension are the engine's
    generic steps: the proposal page's forms post to ``handling:act`` and come back."""
    lead, co = actions.do_assign(bob, filed, mode="lead", units=[edu], co_units=[health])
    staff = _client(bob)
    page = staff.get(f"/proposals/{filed.pk}/").content.decode()
    assert f'action="/inbox/{lead.pk}/urge/"' in page and f'action="/inbox/{co.pk}/cancel/"' in page
    back = f"/proposals/{filed.pk}/"
    r = staff.post(f"/inbox/{lead.pk}/urge/", {"text": "请加快办理", "next": back})
    assert r.status_code == 302 and r["Location"] == back
    assert lead.events.filter(kind="urged").count() == 1
    # Withdrawing needs the tick box; without it nothing changes.
    staff.post(f"/inbox/{co.pk}/cancel/", {"reason": "异议成立", "next": back})
    co.refresh_from_db()
    assert co.status == Status.ASSIGNED
    staff.post(f"/inbox/{co.pk}/cancel/", {"reason": "异议成立", "confirm": "1", "next": back})
    co.refresh_from_db()
    assert co.status == Status.CANCELLED
    # The unit may not urge itself (403), and nothing is written.
    assert _client(gina).post(f"/inbox/{lead.pk}/urge/", {"text": "x", "next": back}).status_code == 403
    assert lead.events.filter(kind="urged").count() == 1
    # An extension decision from the page's form.
    engine.do_accept(gina, lead)
    asked = engine.do_request_extension(gina, lead, until=lead.resolve_due + timedelta(days=10), reason="需调研")
    page = staff.get(back).content.decode()
    assert f'action="/inbox/{lead.pk}/decide_extension/"' in page
    r = staff.post(f"/inbox/{lead.pk}/decide_extension/", {"extension": asked.pk, "decision": "approve", "next": back})
    assert r.status_code == 302
    asked.refresh_from_db()
    assert asked.status == "approved"
