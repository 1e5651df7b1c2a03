from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from huying.accounts.choices import Role
from huying.accounts.tests.factories import UserFactory
from huying.proposals import actions
from huying.proposals.models import Proposal
from huying.proposals.similarity import similar_proposals
from huying.proposals.tests.conftest import COMPLETE, make_draft


def _visible(user: Any) -> set[int]:
    return set(Proposal.objects.visible_to(user).values_list("pk", flat=True))


@pytest.mark.django_db
def test_visibility_named_people(
    alice: Any, bob: Any, charlie: Any, dora: Any, erin: Any, frank: Any, session: Any
) -> None:
    from django.contrib.auth.models import AnonymousUser

    draft = make_draft(alice, session)
    actions.do_invite_cosigner(alice, draft, erin)
    submitted = actions.do_submit(alice, make_draft(alice, session, "关于另一件事的建议"))
    assert _visible(alice) == {draft.pk, submitted.pk}
    assert _visible(erin) == {draft.pk}  # invited: may read what they are asked to sign
    assert _visible(bob) == {submitted.pk}  # staff: non-drafts of their CPPCC only
    for person in (frank, charlie, dora, AnonymousUser()):
        assert _visible(person) == set()
    actions.do_respond_cosign(erin, draft, confirm=False)
    assert _visible(erin) == set()


@pytest.mark.django_db
def test_staff_of_lower_cppcc_sees_nothing_above(alice: Any, tree: Any, session: Any) -> None:
    city_staff = UserFactory(roles=[(Role.AGENCY_STAFF, tree.city_cppcc)])
    actions.do_submit(alice, make_draft(alice, session))
    assert _visible(city_staff) == set()


@pytest.mark.django_db
def test_api_flow_and_refusals(alice: Any, bob: Any, charlie: Any, erin: Any, session: Any) -> None:
    c = Client()
    c.force_login(alice)
    r = c.post(
        "/api/v1/proposals",
        {"session_id": session.pk, "title": "加强电梯", "summary": "老旧小区"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    pk = body["proposal"]["id"]
    assert body["warnings"]
    r = c.post("/api/v1/proposals", {"session_id": session.pk, "title": ""}, content_type="application/json")
    assert r.status_code == 422 and "title" in r.json()["errors"]
    assert (
        c.post(f"/api/v1/proposals/{pk}/cosigners", {"member_id": erin.pk}, content_type="application/json").status_code
        == 200
    )
    # Only a title and a summary: submission is refused, naming each missing section.
    r = c.post(f"/api/v1/proposals/{pk}/submit")
    assert r.status_code == 422
    assert set(r.json()["errors"]) == {"title", "situation", "analysis", "suggestions"}
    assert Proposal.objects.get(pk=pk).status == "draft"
    complete = {"title": "关于加强电梯安全管理的建议", "summary": "老旧小区", **COMPLETE, "version": 1}
    assert c.put(f"/api/v1/proposals/{pk}", complete, content_type="application/json").status_code == 200
    assert c.post(f"/api/v1/proposals/{pk}/submit").status_code == 200
    c.force_login(charlie)
    assert c.get(f"/api/v1/proposals/{pk}").status_code == 404
    c.force_login(alice)
    assert c.post(f"/api/v1/proposals/{pk}/file", {}, content_type="application/json").status_code == 403
    c.force_login(bob)
    r = c.post(f"/api/v1/proposals/{pk}/file", {}, content_type="application/json")
    assert r.status_code == 200 and r.json()["formatted_number"] == "十三届三次会议 第0001号"
    assert [e["kind"] for e in r.json()["history"]][-1] == "filed"
    r = c.post(
        f"/api/v1/proposals/{pk}/reject", {"reason": "empty", "explanation": "x"}, content_type="application/json"
    )
    assert r.status_code == 422
    c.logout()
    assert c.get("/api/v1/proposals").status_code == 401


@pytest.mark.django_db
def test_list_query_counts(alice: Any, bob: Any, session: Any, django_assert_num_queries: Any) -> None:
    for i in range(6):
        actions.do_submit(alice, make_draft(alice, session, f"关于第{i}件事的建议"))
    c = Client()
    c.force_login(bob)
    c.get("/api/v1/proposals/queue")  # warm the session and role caches
    with django_assert_num_queries(5):
        r = c.get("/api/v1/proposals/queue")
    assert r.json()["count"] == 6
    c.force_login(alice)
    c.get("/proposals/")
    with django_assert_num_queries(7):  # + the replies waiting for her rating
        r = c.get("/proposals/")
    assert r.status_code == 200


@pytest.mark.django_db
def test_pages(alice: Any, bob: Any, dora: Any, erin: Any, session: Any) -> None:
    c = Client()
    c.force_login(alice)
    r = c.post(
        "/proposals/new/",
        {"session": session.pk, "title": "关于推进既有住宅增设电梯的建议", "summary": "电梯", **COMPLETE},
    )
    assert r.status_code == 302
    p = Proposal.objects.get()
    assert c.get(f"/proposals/{p.pk}/").status_code == 200
    assert c.post("/proposals/new/", {"session": session.pk, "title": ""}).status_code == 422
    assert c.get("/proposals/similar/", {"title": "电梯", "session": session.pk}).status_code == 200
    c.post(f"/proposals/{p.pk}/act/submit/")
    c.force_login(bob)
    assert c.get("/proposals/review/").status_code == 200
    assert c.get(f"/proposals/{p.pk}/").status_code == 200
    c.post(f"/proposals/{p.pk}/act/file/")
    p.refresh_from_db()
    assert p.number == 1
    c.force_login(dora)
    assert c.get(f"/proposals/{p.pk}/").status_code == 404
    assert c.get("/proposals/review/").status_code == 403
    assert c.get("/proposals/").status_code == 403


@pytest.mark.django_db
def test_similarity_ranks_near_duplicates(alice: Any, bob: Any, session: Any) -> None:
    titles = [
        ("关于加强老旧小区加装电梯工作的建议", "老旧小区住宅没有电梯，老年人上下楼困难，加装电梯推进缓慢"),
        ("关于加强农村饮用水安全保障的建议", "部分农村地区饮用水水质不达标"),
        ("关于推动粤港澳大湾区科技创新合作的建议", "大湾区科研资金跨境流动不畅"),
        ("关于加强中小学生近视防控的建议", "学生近视率逐年上升"),
        ("关于完善社区养老服务体系的建议", "社区养老服务供给不足"),
    ]
    for title, summary in titles:
        actions.do_file(bob, actions.do_submit(alice, make_draft(alice, session, title, summary=summary)))
    results = similar_proposals("关于推进既有住宅增设电梯的建议\n既有住宅加装电梯方便老人出行", session)
    assert results[0][0].title == titles[0][0]
    assert results[0][1] > 2 * (results[1][1] if len(results) > 1 else 0)


@pytest.mark.django_db(transaction=True)
def test_concurrent_filing_never_reuses_numbers(alice: Any, bob: Any, session: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises writes anyway)")
    proposals = [actions.do_submit(alice, make_draft(alice, session, f"关于第{i}项的建议")) for i in range(8)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(proposals))

    def work(p: Proposal) -> None:
        try:
            barrier.wait()
            actions.do_file(bob, p)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(p,)) for p in proposals]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(Proposal.objects.values_list("number", flat=True)) == list(range(1, 9))
