"""Columns: who creates and changes them, the status moves, one active flagship per
committee, who reads drafts, tagging (only what the tagger sees; archived is read-only),
articles, and what each reader sees of each source on a column page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from huying.audit.models import AuditEntry
from huying.columns import actions
from huying.columns.choices import ColumnStatus
from huying.columns.models import Column, ColumnEvent, ColumnTag
from huying.columns.tests.conftest import make_flagship, make_topic

pytestmark = pytest.mark.django_db
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_who_creates_which_column(
    tree: Any, econ: Any, agri: Any, carol: Any, dave: Any, bob: Any, admin: Any, alice: Any, dora: Any, charlie: Any
) -> None:
    # The committee's own staff: its flagship, nothing else.
    assert make_flagship(carol, econ).owner == econ
    with pytest.raises(PermissionDenied):
        make_flagship(carol, agri, slug="seed")
    with pytest.raises(PermissionDenied):
        make_topic(carol, tree.province_cppcc)
    # The CPPCC's staff: every committee's flagship and the topic columns; admins too.
    assert make_flagship(bob, agri, slug="seed", title="种业振兴").committee == agri
    assert make_topic(bob, tree.province_cppcc).cppcc == tree.province_cppcc
    assert make_topic(admin, tree.city_cppcc, slug="gz").cppcc == tree.city_cppcc
    for outsider in (alice, dora, charlie, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            make_topic(outsider, tree.province_cppcc, slug="x")
    assert Column.objects.count() == 4
    assert [o.name for o in actions.owners_for(carol)] == ["经济委员会"]
    assert not actions.may_create(alice) and not actions.may_create(AnonymousUser())


def test_bad_input_is_refused_and_nothing_is_made(tree: Any, econ: Any, bob: Any, flagship: Any) -> None:
    cases = [
        ({"kind": "flagship", "owner": tree.province_cppcc}, "owner"),  # a flagship needs a committee
        ({"kind": "topic", "owner": econ}, "owner"),  # a topic column needs a CPPCC
        ({"kind": "flagship", "owner": econ, "slug": "other"}, "owner"),  # one active flagship
        ({"kind": "topic", "owner": tree.province_cppcc, "slug": "Bad Slug"}, "slug"),
        ({"kind": "topic", "owner": tree.province_cppcc, "slug": flagship.slug}, "slug"),
        ({"kind": "topic", "owner": tree.province_cppcc, "title": ""}, "title"),
        ({"kind": "topic", "owner": tree.province_cppcc, "cover_colour": "pink"}, "cover_colour"),
        ({"kind": "topic", "owner": tree.province_cppcc, "position": "-1"}, "position"),
        ({"kind": "nope", "owner": tree.province_cppcc}, "kind"),
    ]
    for values, field in cases:
        fields = {"title": "营商环境", "slug": "business", **values}
        with pytest.raises(ValidationError) as exc:
            actions.do_create_column(bob, **fields)
        assert field in exc.value.message_dict, (values, exc.value.message_dict)
    assert Column.objects.count() == 1


def test_moves_allowed_and_refused(flagship: Any, carol: Any, econ: Any) -> None:
    with pytest.raises(ValidationError):
        actions.do_archive(carol, flagship)  # a draft cannot be archived
    with pytest.raises(ValidationError):
        actions.do_republish(carol, flagship)
    column = actions.do_publish(carol, flagship)
    assert column.status == ColumnStatus.PUBLISHED and column.published_at is not None
    with pytest.raises(ValidationError):
        actions.do_publish(carol, column)
    column = actions.do_archive(carol, column)
    assert column.status == ColumnStatus.ARCHIVED
    # Archived: another flagship may take the committee's place; the old one cannot come back.
    newer = make_flagship(carol, econ, slug="private-economy-2026")
    with pytest.raises(ValidationError) as exc:
        actions.do_republish(carol, column)
    assert exc.value.code == "flagship_taken"
    column.refresh_from_db()
    assert column.status == ColumnStatus.ARCHIVED
    actions.do_publish(carol, newer)
    assert list(ColumnEvent.objects.filter(column=column).values_list("from_status", "to_status")) == [
        ("draft", "published"),
        ("published", "archived"),
    ]
    assert AuditEntry.objects.filter(action__in=["column.publish", "column.archive"]).count() == 3


def test_only_managers_move_and_edit(flagship: Any, carol: Any, dave: Any, bob: Any, alice: Any) -> None:
    for person in (dave, alice, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            actions.do_publish(person, flagship)
        with pytest.raises(PermissionDenied):
            actions.do_update_column(person, flagship, title="改", slug="x")
    actions.do_update_column(bob, flagship, title="民营经济", slug="private-economy", version=flagship.version)
    with pytest.raises(ValidationError) as exc:  # stale version
        actions.do_update_column(carol, flagship, title="又改", slug="private-economy", version=flagship.version)
    assert "version" in exc.value.message_dict
    flagship.refresh_from_db()
    assert flagship.title == "民营经济"


def test_drafts_are_read_by_their_staff_only(
    client: Any, flagship: Any, carol: Any, dave: Any, bob: Any, admin: Any, alice: Any, dora: Any
) -> None:
    url = reverse("columns:column", args=[flagship.slug])
    for person, status in ((carol, 200), (bob, 200), (admin, 200), (dave, 404), (alice, 404), (dora, 404), (None, 404)):
        client.logout()
        if person:
            client.force_login(person)
        assert client.get(url).status_code == status, person
    actions.do_publish(carol, flagship)
    for person in (dave, alice, dora, None):
        client.logout()
        if person:
            client.force_login(person)
        assert client.get(url).status_code == 200
        assert client.get(reverse("columns:index")).status_code == 200
    # The console: staff only; another committee's column is refused to the colleague.
    client.force_login(dave)
    assert client.get(reverse("columns:manage", args=[flagship.pk])).status_code == 403
    assert client.post(reverse("columns:move", args=[flagship.pk, "archive"])).status_code == 403
    client.force_login(alice)
    assert client.get(reverse("columns:console")).status_code == 403
    client.force_login(carol)
    assert client.get(reverse("columns:console")).status_code == 200
    assert client.get(reverse("columns:manage", args=[flagship.pk]) + "?q=民营").status_code == 200


def test_console_creates_edits_and_moves(client: Any, econ: Any, carol: Any) -> None:
    client.force_login(carol)
    bad = client.post(reverse("columns:new"), {"kind": "flagship", "owner": econ.pk, "title": "", "slug": "a"})
    assert bad.status_code == 422 and not Column.objects.exists()
    response = client.post(
        reverse("columns:new"),
        {
            "kind": "flagship",
            "owner": econ.pk,
            "title": "民营经济",
            "slug": "private-economy",
            "cover_colour": "blue",
            "position": "5",
        },
    )
    column = Column.objects.get()
    assert response.status_code == 302 and column.committee == econ and column.cover_colour == "blue"
    client.post(reverse("columns:move", args=[column.pk, "publish"]))
    column.refresh_from_db()
    assert column.status == ColumnStatus.PUBLISHED
    client.post(reverse("columns:cover_upload", args=[column.pk]), {"cover": SimpleUploadedFile("c.png", PNG)})
    assert client.get(reverse("columns:cover", args=[column.pk])).status_code == 200
    client.post(
        reverse("columns:cover_upload", args=[column.pk]), {"cover": SimpleUploadedFile("c.png", b"GIF89a....")}
    )
    assert column.cover.content_type == "image/png"  # the bad upload changed nothing


def test_articles(client: Any, flagship: Any, carol: Any, dave: Any) -> None:
    article = actions.do_save_article(carol, flagship, title="推进会召开", body="会议研究部署下一阶段重点任务。")
    assert article.published_on == timezone.localdate()
    with pytest.raises(PermissionDenied):
        actions.do_save_article(dave, flagship, title="x", body="0123456789")
    with pytest.raises(ValidationError):
        actions.do_save_article(carol, flagship, title="", body="短")
    assert client.get(reverse("columns:article", args=[article.pk])).status_code == 404  # draft column
    actions.do_publish(carol, flagship)
    page = client.get(reverse("columns:article", args=[article.pk]))
    assert page.status_code == 200 and "会议研究部署" in page.content.decode()
    client.force_login(carol)
    client.post(
        reverse("columns:article_edit", args=[article.pk]),
        {"title": "推进会", "body": "会议研究部署下一阶段重点任务。", "published_on": "2026-05-01"},
    )
    article.refresh_from_db()
    assert article.published_on == dt.date(2026, 5, 1)
    actions.do_archive(carol, flagship)
    with pytest.raises(ValidationError):
        actions.do_delete_article(carol, article)
    assert client.post(reverse("columns:article_delete", args=[article.pk])).status_code == 302
    assert flagship.articles.count() == 1


# --- sources and visibility -----------------------------------------------------------------
@pytest.fixture
def world(tree: Any, alice: Any, bob: Any, citizen: Any, carol: Any, flagship: Any) -> dict[str, Any]:
    """One item of each source the public may see and one it may not, all tagged (by the platform)."""
    from huying.consultations import actions as consultations
    from huying.interaction import actions as interaction
    from huying.moderation import actions as moderation
    from huying.opinions import actions as opinions
    from huying.proposals import actions as proposals
    from huying.proposals.choices import Publication
    from huying.proposals.models import Proposal
    from huying.proposals.tests.conftest import make_draft, make_session

    session = make_session(tree)
    public_p = make_draft(alice, session, "关于支持民营经济发展的建议")
    proposals.do_submit(alice, public_p)
    proposals.do_file(bob, public_p)
    Proposal.objects.filter(pk=public_p.pk).update(publication=Publication.PUBLISHED, published_at=timezone.now())
    private_p = make_draft(alice, session, "关于民营企业融资的建议")
    proposals.do_submit(alice, private_p)
    now = timezone.now()
    consultation = consultations.do_create_consultation(
        bob, topic="民营经济协商会", kind="thematic", organiser=tree.province_cppcc, starts_at=now,
        ends_at=now + dt.timedelta(hours=2), place="会议厅", public_viewing=True,
    )  # fmt: skip
    consultations.do_publish(bob, consultation)
    report = opinions.do_create_draft(
        alice, title="民营企业反映融资难", situation="情况" * 10, analysis="分析" * 10, suggestion="建议" * 10
    )
    shown_s = interaction.do_submit_suggestion(
        citizen, title="建议支持小店经济", body="小店经营困难，建议减免租金。", category="economy"
    )
    moderation.do_publish(bob, shown_s.moderation)
    pending_s = interaction.do_submit_suggestion(
        citizen, title="建议减税", body="小微企业税负重，建议减税。", category="economy"
    )
    open_d = interaction.do_create_debate(
        bob, question="是否发展夜间经济？", side_a="是", side_b="否", opens_at=now, closes_at=now + dt.timedelta(days=3)
    )
    interaction.do_open_debate(bob, open_d)
    draft_d = interaction.do_create_debate(
        bob, question="是否限行？", side_a="是", side_b="否", opens_at=now, closes_at=now + dt.timedelta(days=3)
    )
    column = actions.do_publish(carol, flagship)
    for key, objs in {
        "proposals": [public_p, private_p],
        "consultations": [consultation],
        "opinions": [report],
        "suggestions": [shown_s, pending_s],
        "debates": [open_d, draft_d],
    }.items():
        assert actions.do_tag(None, column, key, [o.pk for o in objs]) == len(objs)
    return {"column": column, "public_p": public_p, "private_p": private_p, "report": report}


TAGGED_HERE = {"consultations", "proposals", "opinions", "suggestions", "debates"}


def _seen(user: Any, column: Any) -> dict[str, int]:
    """Counts of the sources this module tags (groups and reception sessions register too)."""
    sections = actions.sections(user, column)
    assert all(s.count == 0 for s in sections if s.source.key not in TAGGED_HERE)
    return {s.source.key: s.count for s in sections if s.source.key in TAGGED_HERE}


def test_each_reader_sees_what_each_source_shows_them(
    world: Any, alice: Any, bob: Any, citizen: Any, dora: Any
) -> None:
    column = world["column"]
    assert _seen(AnonymousUser(), column) == {
        "consultations": 0,
        "proposals": 1,
        "opinions": 0,
        "suggestions": 1,
        "debates": 1,
    }
    # The public signed in: consultations open to public viewers; their own pending suggestion.
    assert _seen(citizen, column) == {"consultations": 1, "proposals": 1, "opinions": 0, "suggestions": 2, "debates": 1}
    # The author sees her own proposal and report.
    assert _seen(alice, column) == {"consultations": 1, "proposals": 2, "opinions": 1, "suggestions": 1, "debates": 1}
    # CPPCC staff: submitted proposals, every suggestion and debate (moderator), non-draft reports.
    assert _seen(bob, column) == {"consultations": 1, "proposals": 2, "opinions": 0, "suggestions": 2, "debates": 2}
    page = actions.sections(AnonymousUser(), column)
    proposals = next(s for s in page if s.source.key == "proposals")
    assert [i.title for i in proposals.items] == ["关于支持民营经济发展的建议"]
    assert proposals.items[0].url == reverse("proposals:public_detail", args=[world["public_p"].pk])


def test_column_page_query_count(client: Any, world: Any, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(14):
        response = client.get(reverse("columns:column", args=[world["column"].slug]))
    body = response.content.decode()
    assert "关于支持民营经济发展的建议" in body and "关于民营企业融资的建议" not in body


def test_tagging_rules(world: Any, carol: Any, dave: Any, alice: Any) -> None:
    column = world["column"]
    before = ColumnTag.objects.count()
    with pytest.raises(PermissionDenied):
        actions.do_tag(dave, column, "proposals", [world["public_p"].pk])
    with pytest.raises(ValidationError):  # carol may not see alice's submitted proposal
        actions.do_tag(carol, make_topic_column(carol), "proposals", [world["private_p"].pk])
    with pytest.raises(ValidationError):
        actions.do_tag(carol, column, "nosuch", [1])
    assert actions.do_tag(carol, column, "proposals", [world["public_p"].pk]) == 0  # already there
    actions.do_untag(carol, column, "proposals", world["public_p"].pk)
    with pytest.raises(ValidationError):
        actions.do_untag(carol, column, "proposals", world["public_p"].pk)
    assert ColumnTag.objects.count() == before - 1
    # The picker offers only what the tagger sees.
    found = {s.key: [i.title for i, _t in rows] for s, rows in actions.picker(carol, column, "民营")}
    assert found["proposals"] == ["关于支持民营经济发展的建议"] and found["opinions"] == []
    actions.do_archive(carol, column)
    with pytest.raises(ValidationError):
        actions.do_tag(carol, column, "proposals", [world["public_p"].pk])
    assert ColumnTag.objects.count() == before - 1


def make_topic_column(carol: Any) -> Any:
    return Column.objects.get(slug="private-economy")


def test_access_helpers_404(flagship: Any) -> None:
    with pytest.raises(Http404):
        actions.access_column(AnonymousUser(), slug=flagship.slug)
