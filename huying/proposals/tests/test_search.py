"""Full-text search: Chinese word segmentation on SQLite (FTS5) and PostgreSQL (tsvector),
ranking, the title fallback, visibility, keeping the index in step, pages and API."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from huying.proposals import actions
from huying.proposals.models import Proposal, ProposalSearch
from huying.proposals.search import index_words, query_terms, search
from huying.proposals.tests.conftest import make_draft

pytestmark = pytest.mark.django_db

WASTE = "关于推进生活垃圾分类处理的建议"
RURAL_WASTE = "关于加强农村人居环境整治的建议"
ELEVATOR = "关于加强老旧小区加装电梯工作的建议"
HEALTH = "关于提升基层医疗服务能力的建议"
INSURANCE = "关于完善城乡居民医疗保障制度的建议"
HAINAN = "关于深化琼粤旅游合作的建议"
SHANGHAI = "关于学习上海南部新城建设经验的建议"

TEXTS = {
    WASTE: (
        "生活垃圾分类处理设施不足",
        "我省城市生活垃圾产生量逐年增加，垃圾分类投放、分类收运和分类处理体系尚不健全。",
        "1.完善垃圾分类处理设施；2.加强宣传。",
    ),
    RURAL_WASTE: (
        "农村人居环境仍有短板",
        "部分村庄污水横流，生活垃圾随意堆放，缺少分类收集点，厕所改造滞后。",
        "1.建设污水处理设施；2.推进厕所革命。",
    ),
    ELEVATOR: ("老旧小区加装电梯推进缓慢", "老旧小区住宅没有电梯，老年人上下楼困难。", "简化审批，给予补贴。"),
    HEALTH: (
        "基层医疗服务能力不足",
        "基层医疗机构人才短缺，医疗设备陈旧，群众看病仍往大医院跑；基层医疗服务能力亟待提升。",
        "1.培养基层医疗人才；2.更新医疗设备。",
    ),
    INSURANCE: (
        "城乡居民医疗保障水平不高",
        "城乡居民医保筹资标准偏低，大病保险保障范围有限。",
        "提高财政补助标准。",
    ),
    HAINAN: ("琼粤旅游合作有待深化", "海南与广东旅游资源互补，海南自由贸易港政策为合作带来机遇。", "共建旅游线路。"),
    SHANGHAI: ("学习先进城市新城建设经验", "上海南部新城规划建设起点高。", "组织考察学习。"),
}


@pytest.fixture
def proposals(alice: Any, bob: Any, session: Any) -> dict[str, Proposal]:
    """Every proposal above submitted by alice and filed by bob."""
    result = {}
    for title, (summary, situation, suggestions) in TEXTS.items():
        p = make_draft(alice, session, title, summary=summary, situation=situation, suggestions=suggestions)
        result[title] = actions.do_file(bob, actions.do_submit(alice, p))
    return result


def titles(queryset: Any) -> list[str]:
    return [p.title for p in queryset]


def staff_search(bob: Any, q: str) -> list[str]:
    return titles(search(Proposal.objects.visible_to(bob), q))


def test_segmentation() -> None:
    assert {"医疗", "保障", "医疗保障", "城乡居民"} <= set(index_words(INSURANCE))
    assert "关于" not in index_words(INSURANCE) and "的" not in index_words(INSURANCE)
    assert query_terms("垃圾分类") == [("垃圾", None), ("分类", None)]
    # a word jieba keeps whole also matches as its parts
    assert ("垃圾处理", ["垃圾", "处理"]) in query_terms("生活垃圾处理")
    assert query_terms("  ") == []


def test_a_topic_finds_its_proposal_and_not_unrelated_ones(bob: Any, proposals: Any) -> None:
    found = staff_search(bob, "垃圾分类")
    assert found[0] == WASTE
    assert ELEVATOR not in found and HEALTH not in found and INSURANCE not in found
    # The rural proposal mentions 垃圾 and 分类 in its body: found, after the title match.
    assert found == [WASTE, RURAL_WASTE]
    assert staff_search(bob, "加装电梯") == [ELEVATOR]
    assert staff_search(bob, "核电站") == []


def test_words_beat_substrings(bob: Any, proposals: Any) -> None:
    # Not a substring of any title or text, but all its words are in the waste proposal
    # (and in the rural one: 生活垃圾 … 污水处理).
    assert staff_search(bob, "生活垃圾处理") == [WASTE, RURAL_WASTE]
    assert staff_search(bob, "分类 垃圾") == [WASTE, RURAL_WASTE]
    # 上海南部 contains the characters 海南 but not the word: the proposal about 海南 comes
    # first; the title fallback still lists the other one, last.
    assert staff_search(bob, "海南") == [HAINAN, SHANGHAI]


def test_part_of_a_word_matches_and_the_topic_ranks_first(bob: Any, proposals: Any) -> None:
    found = staff_search(bob, "医疗")
    assert found[:2] == [HEALTH, INSURANCE]  # 医疗保障 contains the word 医疗; the topic comes first
    assert WASTE not in found
    ranked = list(search(Proposal.objects.visible_to(bob), "医疗"))
    assert ranked[0].search_rank > ranked[1].search_rank > 0


def test_title_fallback_for_unknown_and_half_typed_words(bob: Any, proposals: Any) -> None:
    assert staff_search(bob, "琼粤旅") == [HAINAN]  # half a word
    assert staff_search(bob, "垃圾分") == [WASTE]
    assert staff_search(bob, "琼") == [HAINAN]  # one character: titles are scanned
    hit = search(Proposal.objects.visible_to(bob), "琼粤旅").get()
    assert (hit.search_words, hit.search_title_hit, hit.search_rank) == (0, 1, 0)


def test_visibility_is_kept(alice: Any, bob: Any, frank: Any, charlie: Any, dora: Any, session: Any) -> None:
    draft = make_draft(alice, session, WASTE, summary="垃圾分类")
    submitted = actions.do_submit(frank, make_draft(frank, session, "关于垃圾分类回收的建议"))
    assert titles(search(Proposal.objects.visible_to(alice), "垃圾分类")) == [draft.title]
    assert titles(search(Proposal.objects.visible_to(bob), "垃圾分类")) == [submitted.title]  # no drafts
    assert titles(search(Proposal.objects.visible_to(frank), "垃圾分类")) == [submitted.title]
    for person in (charlie, dora):
        assert titles(search(Proposal.objects.visible_to(person), "垃圾分类")) == []


def test_the_index_follows_drafts_and_merges(alice: Any, bob: Any, session: Any, proposals: Any) -> None:
    draft = make_draft(alice, session, "关于某事的建议")
    assert titles(search(Proposal.objects.filter(pk=draft.pk), "轨道交通")) == []
    actions.do_save_draft(alice, draft, title="关于加快城际轨道交通建设的建议", summary="城际铁路")
    assert titles(search(Proposal.objects.filter(pk=draft.pk), "轨道交通")) == ["关于加快城际轨道交通建设的建议"]
    # Merged: the target's document carries the merged proposal's title.
    other = actions.do_submit(alice, make_draft(alice, session, "关于建设垃圾焚烧发电厂的建议", summary="焚烧"))
    actions.do_merge(bob, other, into=proposals[WASTE])
    assert staff_search(bob, "焚烧发电") == ["关于建设垃圾焚烧发电厂的建议", WASTE]


def test_reindex_command_rebuilds_the_index(bob: Any, proposals: Any) -> None:
    ProposalSearch.objects.all().delete()
    assert staff_search(bob, "医疗保障") == []  # words and title pairs are both in the index
    assert staff_search(bob, "医保") == []
    out = StringIO()
    call_command("proposals_reindex", stdout=out)
    assert f"Indexed {len(TEXTS)} proposals" in out.getvalue()
    assert ProposalSearch.objects.count() == len(TEXTS)
    assert staff_search(bob, "医保") == [INSURANCE]
    call_command("proposals_reindex", stdout=out)  # twice: same result
    assert staff_search(bob, "医保") == [INSURANCE]


def test_pages_and_api(alice: Any, bob: Any, frank: Any, session: Any, proposals: Any) -> None:
    c = Client()
    c.force_login(bob)
    actions.do_submit(alice, make_draft(alice, session, "关于推广垃圾分类积分制度的建议", summary="积分"))
    r = c.get("/proposals/review/", {"q": "垃圾分类"})
    body = r.content.decode()
    assert r.status_code == 200 and "关于推广垃圾分类积分制度的建议" in body and WASTE not in body  # queue: submitted
    r = c.get("/proposals/review/", {"q": "垃圾分类", "status": "all"})
    body = r.content.decode()
    assert WASTE in body and ELEVATOR not in body
    r = c.get("/api/v1/proposals", {"q": "垃圾分类"})
    assert r.status_code == 200
    assert {p["title"] for p in r.json()["items"][:2]} == {"关于推广垃圾分类积分制度的建议", WASTE}
    c.force_login(frank)
    assert c.get("/api/v1/proposals", {"q": "垃圾分类"}).json()["count"] == 0
    c.force_login(alice)
    r = c.get("/proposals/", {"q": "医疗"})
    body = r.content.decode()
    assert HEALTH in body and INSURANCE in body and WASTE not in body


def test_search_list_query_count(bob: Any, proposals: Any, django_assert_num_queries: Any) -> None:
    c = Client()
    c.force_login(bob)
    c.get("/api/v1/proposals", {"q": "医疗"})
    with django_assert_num_queries(6):  # session, user, roles, count, the ids of the page, its rows
        r = c.get("/api/v1/proposals", {"q": "医疗"})
    assert r.json()["count"] == 2


def test_reindex_recreates_missing_index_objects() -> None:
    from django.db import connection

    from huying.proposals import search_sql

    assert search_sql.is_installed(connection)
    search_sql.uninstall(connection)
    assert not search_sql.is_installed(connection)
    call_command("proposals_reindex", stdout=StringIO())
    assert search_sql.is_installed(connection)


def test_similar_lookup_through_the_prefilter(
    alice: Any, bob: Any, session: Any, proposals: Any, monkeypatch: Any
) -> None:
    """Above EXACT_LIMIT candidates the full-text index picks them (two shared words, else
    one), and TF-IDF ranks: the same first result as over all candidates for a
    near-duplicate."""
    from huying.proposals import similarity

    text = "关于推进既有住宅加装电梯的建议\n老旧小区住宅加装电梯方便老年人上下楼"
    exact = similarity.similar_proposals(text, session)
    assert exact[0][0].title == ELEVATOR
    monkeypatch.setattr(similarity, "EXACT_LIMIT", 3)
    assert similarity.prefilter_terms(text)[:3] == ["既有", "住宅", "加装"]
    pool = similarity.candidate_pool(text, session)
    assert [p.title for p in pool] == [ELEVATOR]  # 住宅, 加装, 电梯, 老旧, 小区 … only here
    assert similarity.similar_proposals(text, session)[0][0] == exact[0][0]  # (IDF over a smaller pool)
    # Only one shared word: the one-word prefilter still finds candidates.
    assert ELEVATOR in [p.title for p in similarity.candidate_pool("关于电梯的建议", session)]
    assert similarity.similar_proposals("关于", session) == []
