"""Public suggestions: submission (real name, screening, photos, moderation), who sees
what, following, adoption into a proposal draft with the link both ways, what the
suggester sees (filing number and reply class read live), statistics."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from huying.core.tests.cache import clear_cache
from huying.interaction import actions
from huying.interaction.models import Suggestion, SuggestionAdoption
from huying.moderation import actions as moderation
from huying.moderation.choices import ItemStatus, WordAction
from huying.proposals.choices import ProposalStatus
from huying.proposals.tests.conftest import make_session

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_rate_limits() -> None:
    clear_cache()


def png(name: str = "photo.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def submit(person: Any, title: str = "建议增设社区长者食堂", **kw: Any) -> Suggestion:
    values = {"body": "我们小区老人多，吃饭不方便，建议增设长者食堂。", "category": "social", "place": "荔湾区"}
    values.update(kw)
    return actions.do_submit_suggestion(person, title=title, **values)


def published(person: Any, bob: Any, title: str = "建议增设社区长者食堂") -> Suggestion:
    s = submit(person, title)
    moderation.do_publish(bob, s.moderation)
    s.moderation.refresh_from_db()
    return s


def test_a_verified_citizen_submits_and_it_waits_for_moderation(citizen: Any, neighbour: Any, bob: Any) -> None:
    s = submit(citizen, photos=[png()])
    assert s.moderation.status == ItemStatus.PENDING
    assert s.photos.get().content_type == "image/png"
    # Nothing public before it passes
    assert not Suggestion.objects.visible_to(AnonymousUser()).exists()
    assert not Suggestion.objects.visible_to(neighbour).exists()
    assert list(Suggestion.objects.visible_to(citizen)) == [s]
    assert list(Suggestion.objects.visible_to(bob)) == [s]
    moderation.do_publish(bob, s.moderation)
    assert list(Suggestion.objects.visible_to(AnonymousUser())) == [s]


def test_unverified_and_anonymous_people_cannot_submit(dora: Any) -> None:
    for person in (dora, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            submit(person)
    assert not Suggestion.objects.exists()


def test_bad_input_is_refused_with_field_errors(citizen: Any) -> None:
    with pytest.raises(ValidationError) as info:
        submit(citizen, title="", body="短", category="nope")
    assert set(info.value.message_dict) == {"title", "body", "category"}
    fake = SimpleUploadedFile("x.png", b"GIF89a not a png", content_type="image/png")
    with pytest.raises(ValidationError) as info:
        submit(citizen, photos=[fake])
    assert "photos" in info.value.message_dict
    assert not Suggestion.objects.exists()


def test_a_blocked_word_refuses_the_suggestion_with_spaces_inserted(citizen: Any) -> None:
    moderation.do_add_word(None, "法轮功", action=WordAction.BLOCK)
    with pytest.raises(ValidationError) as info:
        submit(citizen, body="大家来学 法 · 轮 · 功 吧，好处很多的")
    assert "法轮功" in str(info.value.message_dict["body"])
    assert not Suggestion.objects.exists()


def test_following_is_once_per_person(citizen: Any, neighbour: Any, bob: Any) -> None:
    s = published(citizen, bob)
    assert actions.do_follow(neighbour, s) is True
    assert actions.do_follow(neighbour, s) is True
    s.refresh_from_db()
    assert s.follower_count == 1
    actions.do_follow(neighbour, s, follow=False)
    s.refresh_from_db()
    assert s.follower_count == 0


def test_a_member_adopts_several_suggestions_into_one_draft_linked_both_ways(
    citizen: Any, neighbour: Any, alice: Any, bob: Any, tree: Any
) -> None:
    session = make_session(tree)
    one, two = published(citizen, bob), published(neighbour, bob, "建议老旧小区加装电梯")
    proposal = actions.do_adopt_into_proposal(alice, [one, two], session=session, title="关于完善社区养老服务的建议")
    assert proposal.status == ProposalStatus.DRAFT and proposal.proposer == alice
    assert "长者食堂" in proposal.situation
    assert {link.suggestion for link in proposal.public_suggestion_links.all()} == {one, two}
    assert [link.proposal for link in one.adoptions.all()] == [proposal]
    [outcome] = actions.outcomes(one)
    assert outcome["number"] == "" and outcome["reply_class"] == ""
    assert actions.statistics() == {"received": 2, "published": 2, "adopted": 2, "proposals": 1, "reports": 0}


@pytest.mark.parametrize("who", ["citizen", "bob", "dora"])
def test_only_members_adopt(request: pytest.FixtureRequest, citizen: Any, bob: Any, tree: Any, who: str) -> None:
    s = published(citizen, bob)
    with pytest.raises(PermissionDenied):
        actions.do_adopt_into_proposal(
            request.getfixturevalue(who), [s], session=make_session(tree), title="关于x的建议"
        )
    assert not SuggestionAdoption.objects.exists()


def test_a_pending_suggestion_cannot_be_adopted(citizen: Any, alice: Any, tree: Any) -> None:
    s = submit(citizen)
    with pytest.raises(ValidationError):
        actions.do_adopt_into_proposal(alice, [s], session=make_session(tree), title="关于x的建议")


def test_the_suggester_sees_the_filing_number_and_reply_class(citizen: Any, alice: Any, bob: Any, tree: Any) -> None:
    from huying.accounts.choices import Role
    from huying.accounts.tests.factories import UserFactory
    from huying.organisations.choices import OrgKind, OrgLevel
    from huying.organisations.tests.factories import OrganisationFactory
    from huying.proposals import actions as proposals

    s = published(citizen, bob)
    draft = actions.do_adopt_into_proposal(alice, [s], session=make_session(tree), title="关于增设社区长者食堂的建议")
    proposals.do_save_draft(
        alice,
        draft,
        title=draft.title,
        summary="长者食堂",
        situation=draft.situation,
        analysis="分析",
        suggestions="一、增设食堂",
        version=draft.version,
    )
    proposals.do_submit(alice, draft)
    proposals.do_file(bob, draft)
    unit = OrganisationFactory(
        name="荔湾区民政局", kind=OrgKind.DEPARTMENT, level=OrgLevel.COUNTY, parent=tree.district_gov
    )
    gina = UserFactory(username="gina", real_name="郭娜", roles=[(Role.UNIT_STAFF, unit)])
    [assignment] = proposals.do_assign(bob, draft, mode="single", units=[unit])
    reply = proposals.do_submit_reply(
        gina, assignment, reply_class="A", reference_number="荔民函〔2026〕1号", contact_person="郭娜",
        contact_phone="020-81234567", body="已采纳。",
    )  # fmt: skip
    proposals.do_review_reply(bob, reply, accept=True)
    [outcome] = actions.outcomes(s)
    assert outcome["number"].endswith("第0001号")
    assert outcome["reply_class"] == "A"
    page = _client_for(citizen).get(reverse("interaction:my_suggestions"))
    assert "第0001号" in page.content.decode() and "A" in page.content.decode()


def _client_for(person: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(person)
    return client


def test_pages_for_each_person(client: Any, citizen: Any, neighbour: Any, alice: Any, bob: Any, tree: Any) -> None:
    s = published(citizen, bob)
    pending = submit(neighbour, "建议延长图书馆开放时间")
    assert client.get(reverse("interaction:suggestions")).status_code == 200
    assert client.get(reverse("interaction:suggestion", args=[s.pk])).status_code == 200
    assert client.get(reverse("interaction:suggestion", args=[pending.pk])).status_code == 404
    assert client.get(reverse("interaction:submit_suggestion")).status_code == 302  # log in first
    c = _client_for(citizen)
    response = c.post(
        reverse("interaction:submit_suggestion"),
        {"title": "建议增加公交班次", "body": "早高峰等车太久，建议增加班次。", "category": "city", "place": "芳村"},
    )
    assert response.status_code == 302
    assert c.get(reverse("interaction:my_suggestions")).status_code == 200
    make_session(tree)
    page = _client_for(alice).get(reverse("interaction:suggestion", args=[s.pk]))
    assert "adopt-title" in page.content.decode()
    assert "adopt-title" not in c.get(reverse("interaction:suggestion", args=[s.pk])).content.decode()


def test_photo_download_is_permission_checked(client: Any, citizen: Any, neighbour: Any, bob: Any) -> None:
    s = submit(citizen, photos=[png()])
    photo = s.photos.get()
    url = reverse("interaction:photo", args=[photo.pk])
    assert client.get(url).status_code == 404
    assert _client_for(neighbour).get(url).status_code == 404
    assert _client_for(citizen).get(url).status_code == 200
    moderation.do_publish(bob, s.moderation)
    assert client.get(url).status_code == 200


def test_api_suggestions(client: Any, citizen: Any, dora: Any, alice: Any, bob: Any, tree: Any) -> None:
    s = published(citizen, bob)
    listed = client.get("/api/v1/interaction/suggestions").json()
    assert [row["id"] for row in listed["items"]] == [s.pk]
    body = {"title": "建议增设口袋公园", "body": "社区缺少休闲空间，建议增设口袋公园。", "category": "environment"}
    assert (
        _client_for(dora).post("/api/v1/interaction/suggestions", body, content_type="application/json").status_code
        == 403
    )
    created = _client_for(citizen).post("/api/v1/interaction/suggestions", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["status"] == "pending"
    session = make_session(tree)
    adopt = {"suggestion_ids": [s.pk], "session_id": session.pk, "title": "关于增设社区长者食堂的建议"}
    response = _client_for(alice).post("/api/v1/interaction/suggestions/adopt", adopt, content_type="application/json")
    assert response.status_code == 201
    detail = client.get(f"/api/v1/interaction/suggestions/{s.pk}").json()
    assert detail["outcomes"][0]["proposal_id"] == response.json()["proposal_id"]
    assert client.get("/api/v1/interaction/suggestions/stats").json()["proposals"] == 1


def test_a_member_adopts_suggestions_into_an_opinion_report_draft(
    citizen: Any, neighbour: Any, alice: Any, bob: Any, tree: Any
) -> None:
    from huying.opinions.choices import ReportStatus

    one, two = published(citizen, bob), published(neighbour, bob, "建议老旧小区加装电梯")
    report = actions.do_adopt_into_report(alice, [one, two], title="关于社区养老服务的情况反映")
    assert report.status == ReportStatus.DRAFT and report.author == alice
    assert {link.suggestion for link in report.public_suggestion_links.all()} == {one, two}
    [outcome] = actions.outcomes(one)
    assert outcome["report"] == report and outcome["proposal"] is None
    assert actions.statistics()["reports"] == 1 and actions.statistics()["adopted"] == 2
    with pytest.raises(PermissionDenied):
        actions.do_adopt_into_report(citizen, [one], title="关于x的情况反映")
    response = _client_for(alice).post(
        "/api/v1/interaction/suggestions/adopt",
        {"suggestion_ids": [one.pk], "target": "report", "title": "关于长者饭堂的情况反映"},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["report_id"]
    page = _client_for(citizen).get(reverse("interaction:suggestion", args=[one.pk])).content.decode()
    assert "王丽" in page


def test_the_author_hears_of_each_moderation_decision_and_the_notice_leads_to_the_suggestion(
    citizen: Any, neighbour: Any, bob: Any, client: Any
) -> None:
    from huying.handling.centre import link_of
    from huying.handling.models import Notification
    from huying.moderation import actions as moderation
    from huying.moderation.transitions import TransitionError

    suggestion = submit(citizen, "老城区路灯太暗")
    item = suggestion.moderation
    assert not Notification.objects.filter(recipient_user=citizen).exists()  # pending: nothing yet
    moderation.do_publish(bob, item)
    moderation.do_hide(bob, item, reason="含个人电话")
    moderation.do_restore(bob, item, reason="电话已删除")
    with pytest.raises(TransitionError):
        moderation.do_publish(bob, item)  # refused: no notice either
    notices = list(Notification.objects.filter(recipient_user=citizen).order_by("pk"))
    texts = [n.text for n in notices]
    assert len(texts) == 3
    assert "通过审核" in texts[0] and "老城区路灯太暗" in texts[0]
    assert "已被隐藏" in texts[1] and "含个人电话" in texts[1]
    assert "重新公开" in texts[2] and "电话已删除" in texts[2]
    assert not Notification.objects.filter(recipient_user=bob).exists()

    link = link_of(citizen, Notification.objects.select_related("case_type", "assignment").get(pk=notices[1].pk))
    assert link == reverse("moderation:open", args=[item.pk])
    client.force_login(citizen)
    assert client.get(link).url == reverse("interaction:suggestion", args=[suggestion.pk])
    client.force_login(neighbour)  # someone else's item: not found, not a redirect to it
    assert client.get(link).status_code == 404


def test_api_suggestion_with_photos_is_multipart_and_photos_are_permission_checked(
    client: Any, citizen: Any, neighbour: Any, dora: Any, bob: Any
) -> None:
    body = {"title": "人行道井盖破损", "body": "多宝路人行道井盖破损，夜间容易绊倒行人。", "category": "environment"}
    url = "/api/v1/interaction/suggestions/with-photos"
    assert _client_for(dora).post(url, {**body, "photos": [png()]}).status_code == 403
    bad = SimpleUploadedFile("x.png", b"not an image at all", content_type="image/png")
    refused = _client_for(citizen).post(url, {**body, "photos": [png(), bad]})
    assert refused.status_code == 422 and not Suggestion.objects.filter(title=body["title"]).exists()
    created = _client_for(citizen).post(url, {**body, "photos": [png("a.png"), png("b.png")]})
    assert created.status_code == 201, created.content
    ids = created.json()["photo_ids"]
    assert len(ids) == 2 and created.json()["status"] == "pending"
    photo_url = f"/api/v1/interaction/suggestions/photos/{ids[0]}/file"
    assert _client_for(citizen).get(photo_url).status_code == 200  # the author, while pending
    assert _client_for(neighbour).get(photo_url).status_code == 404
    assert client.get(photo_url).status_code == 404
    moderation.do_publish(bob, Suggestion.objects.get(pk=created.json()["id"]).moderation)
    response = client.get(photo_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"


def test_the_proposal_and_report_pages_show_the_suggestions_they_came_from(
    citizen: Any, neighbour: Any, alice: Any, bob: Any, tree: Any
) -> None:
    from huying.core.origins import origins_of

    one, two = published(citizen, bob), published(neighbour, bob, "建议老旧小区加装电梯")
    proposal = actions.do_adopt_into_proposal(alice, [one, two], session=make_session(tree), title="关于社区养老的建议")
    report = actions.do_adopt_into_report(alice, [two], title="关于老旧小区加装电梯的情况反映")
    moderation.do_hide(bob, two.moderation, reason="重复")
    rows = origins_of(alice, proposal)
    assert [(str(r.kind), r.title, bool(r.url)) for r in rows] == [
        ("群众建议", one.title, True),
        ("群众建议", two.title, False),  # hidden since: named, not linked, for the member
    ]
    assert [r.title for r in origins_of(alice, report)] == [two.title]
    c = _client_for(alice)
    page = c.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "来源" in page and reverse("interaction:suggestion", args=[one.pk]) in page
    assert reverse("interaction:suggestion", args=[two.pk]) not in page
    assert two.title in c.get(reverse("opinions:detail", args=[report.pk])).content.decode()
