"""Excellent-proposal awards: opening, nominating, deciding and publishing, with every
refusal, the permission boundaries of named people, visibility before and after
publication, pages and API."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from huying.accounts.choices import Role
from huying.accounts.tests.factories import UserFactory
from huying.audit.models import AuditEntry
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.tests.factories import OrganisationFactory
from huying.proposals import actions
from huying.proposals.awards import nominations_for
from huying.proposals.choices import AwardDecision, AwardStatus
from huying.proposals.models import AwardNomination, AwardSelection, Proposal
from huying.proposals.tests.conftest import make_draft
from huying.proposals.transitions import TransitionError

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


@pytest.fixture
def economy(tree: Any) -> Any:
    return OrganisationFactory(
        name="经济委员会", kind=OrgKind.SPECIAL_COMMITTEE, level=OrgLevel.PROVINCE, parent=tree.province_cppcc
    )


@pytest.fixture
def mona(economy: Any) -> Any:
    """Agency staff of the 经济委员会 special committee: nominates in its name."""
    return UserFactory(username="mona", real_name="莫娜", roles=[(Role.AGENCY_STAFF, economy)])


@pytest.fixture
def nick(tree: Any) -> Any:
    """Agency staff of the city CPPCC below: no part in the provincial selection."""
    return UserFactory(username="nick", real_name="聂克", roles=[(Role.AGENCY_STAFF, tree.city_cppcc)])


@pytest.fixture
def filed(alice: Any, bob: Any, session: Any) -> list[Proposal]:
    titles = ["关于优化营商环境的建议", "关于发展职业教育的建议", "关于推进垃圾分类的建议"]
    return [actions.do_file(bob, actions.do_submit(alice, make_draft(alice, session, t))) for t in titles]


@pytest.fixture
def selection(bob: Any, tree: Any) -> AwardSelection:
    return actions.do_open_award_selection(bob, cppcc=tree.province_cppcc, year=YEAR)


def test_open_a_selection(bob: Any, alice: Any, charlie: Any, mona: Any, nick: Any, tree: Any) -> None:
    s = actions.do_open_award_selection(bob, cppcc=tree.province_cppcc, year=YEAR, note="评选公告")
    assert (s.status, s.title, s.opened_by) == (AwardStatus.OPEN, f"{YEAR}年度优秀提案", bob)
    assert AuditEntry.objects.filter(action="proposal.award_open", object_id=str(s.pk)).exists()
    with pytest.raises(ValidationError) as exc:
        actions.do_open_award_selection(bob, cppcc=tree.province_cppcc, year=YEAR)
    assert "year" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.do_open_award_selection(bob, cppcc=tree.province_cppcc, year=1899)
    assert "year" in exc.value.message_dict
    for person in (alice, charlie, mona, nick):  # mona: committee staff; nick: the city below
        with pytest.raises(PermissionDenied):
            actions.do_open_award_selection(person, cppcc=tree.province_cppcc, year=YEAR + 1)
    assert AwardSelection.objects.count() == 1
    # nick may open one for his own city CPPCC
    assert actions.do_open_award_selection(nick, cppcc=tree.city_cppcc, year=YEAR).cppcc == tree.city_cppcc


def test_nominations_and_their_refusals(
    alice: Any, bob: Any, mona: Any, nick: Any, economy: Any, session: Any, selection: Any, filed: Any
) -> None:
    n1 = actions.do_nominate_for_award(bob, selection, filed[0], reason="调研深入，建议可行")
    assert (n1.committee, n1.nominated_by, n1.decision) == (None, bob, AwardDecision.PENDING)
    n2 = actions.do_nominate_for_award(mona, selection, filed[1], reason="委员会推荐")
    assert n2.committee == economy  # her only committee, taken for her

    def refused(person: Any, proposal: Any, field: str, reason: str = "理由", **kw: Any) -> None:
        with pytest.raises(ValidationError) as exc:
            actions.do_nominate_for_award(person, selection, proposal, reason=reason, **kw)
        assert field in exc.value.message_dict, exc.value.message_dict

    refused(bob, filed[0], "proposal")  # twice
    refused(mona, filed[0], "proposal")  # twice, by someone else
    refused(bob, filed[2], "reason", reason="  ")
    refused(bob, actions.do_submit(alice, make_draft(alice, session, "关于未立案的建议")), "proposal")  # not filed
    refused(bob, make_draft(alice, session, "关于草稿的建议"), "proposal")
    refused(mona, filed[2], "committee", committee=selection.cppcc)  # not a committee she works in
    last_year = filed[2]
    Proposal.objects.filter(pk=last_year.pk).update(decided_at=timezone.now() - datetime.timedelta(days=400))
    refused(bob, last_year, "proposal")  # filed in another year
    for person in (alice, nick):
        with pytest.raises(PermissionDenied):
            actions.do_nominate_for_award(person, selection, filed[2], reason="理由")
    assert AwardNomination.objects.count() == 2
    assert AuditEntry.objects.filter(action="proposal.award_nominate").count() == 2


def test_decide_and_publish(alice: Any, bob: Any, mona: Any, dora: Any, selection: Any, filed: Any) -> None:
    n1 = actions.do_nominate_for_award(bob, selection, filed[0], reason="调研深入")
    n2 = actions.do_nominate_for_award(mona, selection, filed[1], reason="委员会推荐")
    with pytest.raises(PermissionDenied):
        actions.do_decide_nomination(mona, n1, selected=True)
    with pytest.raises(TransitionError):
        actions.do_publish_awards(bob, selection)  # both pending
    actions.do_decide_nomination(bob, n2, selected=False, note="与往年重复")
    with pytest.raises(TransitionError):
        actions.do_publish_awards(bob, selection)  # n1 pending
    actions.do_decide_nomination(bob, n1, selected=False)
    with pytest.raises(TransitionError):
        actions.do_publish_awards(bob, selection)  # nothing selected
    actions.do_decide_nomination(bob, n1, selected=True, note="入选")  # changed while open
    for person in (alice, mona):
        with pytest.raises(PermissionDenied):
            actions.do_publish_awards(person, selection)
    # Before publication only the staff (and the committees) see the selection.
    assert list(AwardSelection.objects.visible_to(alice)) == []
    assert list(AwardSelection.objects.visible_to(dora)) == []
    assert list(AwardSelection.objects.visible_to(mona)) == [selection]
    published = actions.do_publish_awards(bob, selection)
    assert published.status == AwardStatus.PUBLISHED and published.published_by == bob
    assert AuditEntry.objects.filter(action="proposal.award_publish").count() == 1
    with pytest.raises(TransitionError):
        actions.do_decide_nomination(bob, n2, selected=True)
    with pytest.raises(TransitionError):
        actions.do_nominate_for_award(bob, selection, filed[2], reason="理由")
    for person in (alice, dora, AnonymousUser()):
        assert list(AwardSelection.objects.visible_to(person)) == [selection]
        assert [n.proposal for n in nominations_for(person, published)] == [filed[0]]  # the final list only
    assert len(nominations_for(bob, published)) == 2


def test_pages(alice: Any, bob: Any, mona: Any, dora: Any, selection: Any, filed: Any) -> None:
    c = Client()
    c.force_login(mona)
    r = c.get(f"/proposals/awards/{selection.pk}/", {"q": "营商环境"})
    assert r.status_code == 200 and filed[0].title in r.content.decode()
    r = c.post(f"/proposals/awards/{selection.pk}/act/nominate/", {"proposal": filed[0].pk, "reason": "委员会推荐"})
    assert r.status_code == 302 and AwardNomination.objects.get().committee.name == "经济委员会"
    c.post(f"/proposals/awards/{selection.pk}/act/nominate/", {"proposal": filed[1].pk, "reason": ""})
    assert AwardNomination.objects.count() == 1  # refused: no reason
    nomination = AwardNomination.objects.get()
    c.post(f"/proposals/awards/{selection.pk}/act/decide/", {"nomination": nomination.pk, "decision": "selected"})
    assert AwardNomination.objects.get().decision == AwardDecision.PENDING  # committee staff may not decide
    c.force_login(bob)
    c.post(f"/proposals/awards/{selection.pk}/act/decide/", {"nomination": nomination.pk, "decision": "selected"})
    c.post(f"/proposals/awards/{selection.pk}/act/publish/")
    assert AwardSelection.objects.get().status == AwardStatus.PUBLISHED
    r = c.post("/proposals/awards/open/", {"cppcc": selection.cppcc_id, "year": YEAR + 1, "title": ""})
    assert r.status_code == 302 and AwardSelection.objects.filter(year=YEAR + 1).exists()
    for person in (alice, dora, None):
        if person is None:
            c.logout()
        else:
            c.force_login(person)
        r = c.get("/proposals/awards/")
        assert r.status_code == 200 and selection.title in r.content.decode()
        assert str(YEAR + 1) not in r.content.decode()  # still open: staff only
        body = c.get(f"/proposals/awards/{selection.pk}/").content.decode()
        assert filed[0].title in body and "委员会推荐" in body
        assert c.get(f"/proposals/awards/{selection.pk + 1}/").status_code == 404
    assert c.post("/proposals/awards/open/", {"cppcc": selection.cppcc_id, "year": YEAR + 2}).status_code == 302
    assert not AwardSelection.objects.filter(year=YEAR + 2).exists()  # anonymous: to the login page


def test_api(alice: Any, bob: Any, mona: Any, dora: Any, tree: Any, filed: Any) -> None:
    c = Client()
    c.force_login(alice)
    r = c.post(
        "/api/v1/proposals/awards", {"cppcc_id": tree.province_cppcc.pk, "year": YEAR}, content_type="application/json"
    )
    assert r.status_code == 403
    c.force_login(bob)
    r = c.post(
        "/api/v1/proposals/awards", {"cppcc_id": tree.province_cppcc.pk, "year": YEAR}, content_type="application/json"
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    r = c.post(
        "/api/v1/proposals/awards", {"cppcc_id": tree.province_cppcc.pk, "year": YEAR}, content_type="application/json"
    )
    assert r.status_code == 422 and "year" in r.json()["errors"]
    url = f"/api/v1/proposals/awards/{pk}"
    r = c.post(
        f"{url}/nominations", {"proposal_id": filed[0].pk, "reason": "调研深入"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["nominations"][0]["proposal_title"] == filed[0].title
    r = c.post(f"{url}/nominations", {"proposal_id": filed[0].pk, "reason": "再次"}, content_type="application/json")
    assert r.status_code == 422 and "proposal_id" in r.json()["errors"]
    nomination_id = r.json()["errors"] and AwardNomination.objects.get().pk
    c.force_login(mona)
    r = c.post(f"{url}/nominations/{nomination_id}/decision", {"selected": True}, content_type="application/json")
    assert r.status_code == 403
    c.force_login(bob)
    r = c.post(f"{url}/nominations/{nomination_id}/decision", {"selected": True}, content_type="application/json")
    assert r.status_code == 200 and r.json()["nominations"][0]["decision"] == "selected"
    c.force_login(dora)
    assert c.get(url).status_code == 404
    c.force_login(bob)
    assert c.post(f"{url}/publish").status_code == 200
    c.force_login(dora)
    r = c.get(url)
    assert r.status_code == 200 and [n["proposal_title"] for n in r.json()["nominations"]] == [filed[0].title]
    assert [s["id"] for s in c.get("/api/v1/proposals/awards").json()] == [pk]
