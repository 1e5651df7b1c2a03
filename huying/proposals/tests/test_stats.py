"""Statistics of a session: every count and rate against a known set of proposals, who may
read them, a constant number of queries, the page, the XLSX export and the API."""

from __future__ import annotations

import datetime
from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation
from openpyxl import load_workbook

from conftest import SharedPeople
from huying.accounts.actions import do_assign_role
from huying.accounts.choices import MemberLevel, Role
from huying.accounts.tests.factories import UserFactory
from huying.audit.models import AuditEntry
from huying.handling import actions as handling
from huying.handling.choices import AssignmentRole, FeedbackChannel, Rating
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.tests.factories import OrganisationFactory, SectorFactory
from huying.proposals import actions
from huying.proposals.choices import Category, RejectReason, ReplyStatus
from huying.proposals.models import Proposal, Reply, Session
from huying.proposals.stats import session_stats
from huying.proposals.tests.conftest import COMPLETE, make_draft, make_session

pytestmark = pytest.mark.django_db


def member(username: str, name: str, cppcc: Any, sector: Any, committee: Any = None) -> Any:
    user = UserFactory(username=username, real_name=name)
    do_assign_role(
        None,
        user,
        Role.MEMBER,
        cppcc,
        term=13,
        sector=sector,
        special_committee=committee,
        member_level=MemberLevel.PROVINCIAL,
    )
    return user


class World:
    """gina and hugo (经济界; 经济委员会 / 教科卫体委员会), alice (another sector, no
    committee), a collective proposal of 经济委员会 and one of a party, handled by two
    departments, with replies and ratings."""

    def __init__(self, tree: Any, alice: Any, bob: Any, session: Session) -> None:
        cppcc = tree.province_cppcc
        self.economy_sector = SectorFactory(name="经济界", sort_order=21)
        self.economy = OrganisationFactory(
            name="经济委员会", kind=OrgKind.SPECIAL_COMMITTEE, level=OrgLevel.PROVINCE, parent=cppcc
        )
        self.education = OrganisationFactory(
            name="教科卫体委员会", kind=OrgKind.SPECIAL_COMMITTEE, level=OrgLevel.PROVINCE, parent=cppcc
        )
        party = OrganisationFactory(name="民盟广东省委会", kind=OrgKind.PARTY, level=OrgLevel.PROVINCE, parent=cppcc)
        self.gina = member("gina", "郭娜", cppcc, self.economy_sector, self.economy)
        self.hugo = member("hugo", "何勇", cppcc, self.economy_sector, self.education)
        self.dept = tree.department
        self.dept2 = OrganisationFactory(name="荔湾区教育局", kind=OrgKind.DEPARTMENT, parent=tree.district_gov)
        self.dept3 = OrganisationFactory(name="荔湾区卫生健康局", kind=OrgKind.DEPARTMENT, parent=tree.district_gov)

        def submit(user: Any, title: str, category: str = Category.ECONOMY, **kw: Any) -> Proposal:
            return actions.do_submit(user, make_draft(user, session, title, category=category, **kw))

        def file(p: Proposal) -> Proposal:
            return actions.do_file(bob, p)

        self.g1 = file(submit(self.gina, "关于优化营商环境的建议"))
        self.g2 = file(submit(self.gina, "关于支持民营经济发展的建议"))
        actions.do_reject(
            bob, submit(self.gina, "关于某企业的建议"), reason=RejectReason.PROMOTION, explanation="宣传企业"
        )
        self.h1 = file(submit(self.hugo, "关于发展职业教育的建议", Category.EDUCATION))
        actions.do_withdraw(self.hugo, submit(self.hugo, "关于另一件事的建议", Category.EDUCATION))
        make_draft(self.hugo, session, "关于尚未提交的建议")  # drafts are never counted
        actions.do_merge(bob, submit(alice, "关于改善营商环境的建议"), into=self.g1)
        actions.do_convert(bob, submit(alice, "关于某小区噪声的建议", Category.SOCIAL), to="public_opinion")
        submit(alice, "关于加强社区养老服务的建议", Category.SOCIAL)  # awaiting review
        self.c1 = file(
            actions.do_submit(
                bob,
                actions.do_save_draft(
                    bob,
                    session=session,
                    title="关于推进制造业转型升级的建议",
                    category=Category.ECONOMY,
                    collective=self.economy,
                    collective_kind="special_committee",
                    summary="案由",
                    **COMPLETE,
                ).proposal,
            )
        )
        actions.do_submit(
            bob,
            actions.do_save_draft(
                bob,
                session=session,
                title="关于加强法治宣传的建议",
                category=Category.LAW,
                collective=party,
                collective_kind="party",
                summary="案由",
                **COMPLETE,
            ).proposal,
        )
        # Handling: g1 sole unit (replied on time), h1 separately by two units (one late),
        # c1 assigned then cancelled (reassignment: not counted).
        owner = cppcc
        a1 = handling.do_assign(None, self.g1, workflow="proposal", unit=self.dept, owner=owner)
        handling.do_accept(None, a1)
        handling.do_resolve(None, a1, result="已答复")
        a2 = handling.do_assign(
            None, self.h1, workflow="proposal", unit=self.dept, owner=owner, role=AssignmentRole.SEPARATE
        )
        a3 = handling.do_assign(
            None, self.h1, workflow="proposal", unit=self.dept2, owner=owner, role=AssignmentRole.SEPARATE
        )
        handling.do_accept(None, a3)
        a3.refresh_from_db()
        handling.do_resolve(None, a3, result="已答复", now=a3.resolve_due + datetime.timedelta(days=2))
        a4 = handling.do_assign(None, self.c1, workflow="proposal", unit=self.dept3, owner=owner)
        # Withdrawn to be reassigned (a responsible unit is only withdrawn that way).
        handling.do_cancel(None, a4, reason="改派", data={"reassign": True})
        # Replies: g1 re-handled (round 1 B, round 2 A: only A counts), h1 by dept2 C,
        # a reply awaiting review does not count.
        for assignment, proposal, round_, reply_class, status in (
            (a1, self.g1, 1, "B", ReplyStatus.ACCEPTED),
            (a1, self.g1, 2, "A", ReplyStatus.ACCEPTED),
            (a3, self.h1, 1, "C", ReplyStatus.ACCEPTED),
            (a2, self.h1, 1, "A", ReplyStatus.SUBMITTED),
        ):
            Reply.objects.create(
                proposal=proposal,
                assignment=assignment,
                unit=assignment.unit,
                round=round_,
                reply_class=reply_class,
                reference_number=f"粤办函〔2026〕{round_}号",
                contact_person="张三",
                body="答复内容",
                status=status,
                submitted_at=timezone.now(),
            )
        # Ratings: gina satisfied; hugo dissatisfied, then basically satisfied (supersedes).
        handling.do_record_feedback(
            None, self.g1, rating=Rating.SATISFIED, channel=FeedbackChannel.WEB, rater=self.gina
        )
        handling.do_record_feedback(
            None, self.h1, rating=Rating.DISSATISFIED, channel=FeedbackChannel.WEB, rater=self.hugo, assignment=a3
        )
        handling.do_record_feedback(
            None,
            self.h1,
            rating=Rating.BASICALLY_SATISFIED,
            channel=FeedbackChannel.WEB,
            rater=self.hugo,
            assignment=a3,
        )


# The session and its world are built once per module (SHARED_PEOPLE_MODULES, root
# conftest.py) and each test reads its own copy; what a test adds is rolled back with its
# savepoint.
def build_shared_data(shared: SharedPeople) -> dict[str, Any]:
    session = make_session(shared.tree)
    return {"session": session, "world": World(shared.tree, shared.people["alice"], shared.people["bob"], session)}


@pytest.fixture
def world(session: Session, _shared_people: SharedPeople | None) -> World:
    assert _shared_people is not None, "the module must be in SHARED_PEOPLE_MODULES (root conftest.py)"
    world = _shared_people.data["world"]
    assert isinstance(world, World)
    return world


def row(rows: list[Any], label: str) -> Any:
    return next(r for r in rows if r.label == label)


def test_counts_and_rates(world: World, alice: Any, session: Session) -> None:
    with translation.override("en"):
        stats = session_stats(session)
    t = stats.totals
    assert (t.submitted, t.pending, t.filed, t.rejected, t.merged, t.converted, t.withdrawn) == (10, 2, 4, 1, 1, 1, 1)
    assert t.filing_rate == pytest.approx(4 / 7)  # of the 7 decided (10 − 2 pending − 1 withdrawn)

    kinds = {r.key: r.counts.submitted for r in stats.by_submitter_kind}
    assert kinds == {"member": 8, "joint": 0, "collective": 2}
    categories = {r.key: (r.counts.submitted, r.counts.filed) for r in stats.by_category}
    assert categories["economy"] == (5, 3) and categories["education"] == (2, 1) and categories["law"] == (1, 0)
    assert categories["health"] == (0, 0)

    alice_sector = alice.active_roles[0].sector.name
    sectors = [(r.label, r.counts.submitted, r.counts.filed) for r in stats.by_sector]
    assert sectors == [("经济界", 5, 3), (alice_sector, 3, 0), ("Collective submitters", 2, 1)]

    committees = [(r.label, r.counts.submitted) for r in stats.by_committee]
    assert committees == [("经济委员会", 4), ("教科卫体委员会", 2), ("None recorded", 4)]

    units = {u.name: u for u in stats.by_unit}
    assert set(units) == {"荔湾区城市管理和综合执法局", "荔湾区教育局"}  # the cancelled assignment is left out
    dept = units["荔湾区城市管理和综合执法局"]
    assert (dept.proposals, dept.lead, dept.separate, dept.replied, dept.replied_on_time) == (2, 1, 1, 1, 1)
    assert (dept.rated, dept.satisfied, dept.satisfaction_rate) == (1, 1, 1.0)
    dept2 = units["荔湾区教育局"]
    assert (dept2.replied, dept2.replied_on_time, dept2.on_time_rate) == (1, 0, 0.0)
    assert (stats.replied, stats.replied_on_time, stats.on_time_rate) == (2, 1, 0.5)

    assert [(s.key, s.count) for s in stats.reply_classes] == [("A", 1), ("B", 0), ("C", 1)]
    assert [(s.key, s.count, s.share) for s in stats.satisfaction] == [
        ("satisfied", 1, 0.5),
        ("basically_satisfied", 1, 0.5),
        ("dissatisfied", 0, 0.0),
    ]
    assert stats.satisfaction_rate == 1.0


def test_an_empty_session_has_no_rates(tree: Any) -> None:
    empty = actions.do_create_session(None, cppcc=tree.province_cppcc, term=13, number=1)
    stats = session_stats(empty)
    assert stats.totals.submitted == 0 and stats.totals.filing_rate is None
    assert stats.on_time_rate is None and stats.satisfaction_rate is None
    assert all(s.share is None for s in stats.reply_classes)


def test_constant_number_of_queries(
    world: World, alice: Any, bob: Any, session: Session, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(7):
        session_stats(session)
    for i in range(5):  # more proposals, proposers and assignments: the same count
        p = actions.do_file(bob, actions.do_submit(alice, make_draft(alice, session, f"关于第{i}件事的建议")))
        handling.do_assign(None, p, workflow="proposal", unit=world.dept2, owner=session.cppcc)
    extra = member("ivan", "易万", session.cppcc, SectorFactory())
    actions.do_submit(extra, make_draft(extra, session, "关于再一件事的建议"))
    with django_assert_num_queries(7):
        session_stats(session)
    c = Client()
    c.force_login(bob)
    c.get("/proposals/stats/")
    with django_assert_num_queries(11):  # session, user, roles, the sessions, 7 for the figures
        r = c.get("/proposals/stats/")
    assert r.status_code == 200


def test_who_may_read_the_statistics(
    world: World, tree: Any, alice: Any, bob: Any, charlie: Any, dora: Any, admin: Any, session: Session
) -> None:
    lena = UserFactory(username="lena", real_name="罗兰", roles=[(Role.LEADER, tree.province_cppcc)])
    committee_staff = UserFactory(username="mona", real_name="莫娜", roles=[(Role.AGENCY_STAFF, world.economy)])
    city_staff = UserFactory(username="nick", real_name="聂克", roles=[(Role.AGENCY_STAFF, tree.city_cppcc)])
    c = Client()
    for person in (bob, lena, committee_staff, admin):
        c.force_login(person)
        r = c.get("/proposals/stats/", {"session": session.pk})
        assert r.status_code == 200, person.username
        assert c.get("/api/v1/proposals/stats", {"session": session.pk}).json()["totals"]["submitted"] == 10
    for person in (alice, charlie, dora, city_staff):
        c.force_login(person)
        assert c.get("/proposals/stats/").status_code in (403, 404), person.username
        assert c.get("/api/v1/proposals/stats", {"session": session.pk}).status_code in (403, 404)
        assert c.get("/proposals/stats/export.xlsx", {"session": session.pk}).status_code in (403, 404)
    c.logout()
    assert c.get("/proposals/stats/").status_code == 302
    assert c.get("/api/v1/proposals/stats").status_code == 401


def test_page_shows_tables_and_chart_data(world: World, bob: Any, session: Session) -> None:
    c = Client()
    c.force_login(bob)
    r = c.get("/proposals/stats/")
    body = r.content.decode()
    assert r.status_code == 200
    for text in ("经济委员会", "教科卫体委员会", "荔湾区教育局", "57.1%", "50.0%", 'id="proposal-stats-data"'):
        assert text in body, text
    assert "echarts.min.js" in body and "proposal_stats.js" in body
    assert "<script>" not in body and "style=" not in body  # CSP: no inline script or style
    assert c.get("/proposals/stats/", {"session": 999999}).status_code == 404


def test_xlsx_export_is_recorded(world: World, bob: Any, session: Session) -> None:
    c = Client()
    c.force_login(bob)
    r = c.get("/proposals/stats/export.xlsx", {"session": session.pk})
    assert r.status_code == 200
    assert r["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(BytesIO(b"".join(r.streaming_content)))
    assert len(workbook.sheetnames) == 8
    overview = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert overview[1][1] == 10  # submitted
    assert overview[8] == ("立案率", pytest.approx(4 / 7))  # the filing rate, in the reader's language
    sectors = list(workbook.worksheets[3].iter_rows(values_only=True))
    assert sectors[1][:4] == ("经济界", 5, 0, 3)
    entry = AuditEntry.objects.get(action="proposal.stats_export")
    assert entry.actor == bob and entry.object_id == str(session.pk)
