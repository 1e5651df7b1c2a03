"""Demo handling of filed proposals: assignment, replies, reviews, ratings, re-handling,
key proposals and publication, through the proposals' own actions (so the demo shows what
the platform really records: engine assignments and events, replies, ratings, history,
notifications).

:func:`handle_demo_proposals` takes filed proposals and the handling units to choose from and
moves a realistic share of them along, back-dated from ``now`` so that the supervision board
shows proposals on time, due soon and overdue. Deterministic for a given ``rng`` seed and
database. The demo loader calls it after creating and filing the demo proposals.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from huying.accounts.choices import Role
from huying.accounts.models import RoleAssignment, User
from huying.handling import actions as engine
from huying.handling.choices import AssignmentRole, Rating, Status
from huying.handling.models import Assignment
from huying.handling.policy import HANDLER_ROLES
from huying.organisations.choices import OrgKind
from huying.organisations.models import Organisation
from huying.proposals.actions import handling as ha
from huying.proposals.choices import HandlingStatus, ProposalStatus, ReplyClass
from huying.proposals.models import Proposal, Reply

# How far a proposal gets (weights add up to 100).
OUTCOMES: tuple[tuple[str, int], ...] = (
    ("unassigned", 12),  # filed, waiting to be assigned
    ("assigned", 14),  # assigned, the units have not started
    ("objected", 3),  # a unit objects; the staff have not decided yet
    ("handling", 14),  # contacted the proposer, working on the reply (some overdue)
    ("reply_pending", 8),  # reply awaiting the staff's review
    ("to_rate", 10),  # reply accepted, the proposers are rating
    ("rehandling", 6),  # rated dissatisfied, being handled again
    ("completed", 33),  # rated, complete, published (unless objected / restricted)
)
REPLY_TEXTS = {
    ReplyClass.A: (
        "经研究，贵提案所提建议具有很强的针对性和可操作性，我单位已予以采纳，并纳入年度重点工作推进落实。"
        "目前已制定实施方案，明确责任分工和完成时限，相关措施已在试点区域取得初步成效。"
    ),
    ReplyClass.B: (
        "贵提案所提问题客观存在，建议合理可行。受资金和规划条件限制，暂无法在本年度全面解决，"
        "我单位已将相关内容列入下一年度工作计划，将积极争取上级支持，分步推进实施。"
    ),
    ReplyClass.C: (
        "感谢您对相关工作的关心和支持。经认真研究，所提建议涉及的政策调整权限在上级部门，"
        "我单位将留作参考，在今后工作中结合实际予以研究，并积极向上级部门反映。"
    ),
}
CONTACT_NOTES = (
    "电话联系提案者，了解提案背景和具体诉求，商定办理思路。",
    "上门走访提案者，当面沟通办理方案，提案者表示认可。",
    "邀请提案者参加座谈会，听取意见建议。",
)
CO_VIEWS = (
    "我单位同意主办单位的办理思路，建议在资金保障和部门协同方面进一步明确分工。",
    "经研究，我单位将在职责范围内予以配合，相关数据和政策依据已提供给主办单位。",
)
DISSATISFIED = ("答复内容较原则，缺少具体措施和时间表，希望进一步研究落实。", "所提问题未得到实质解决，请再次办理。")
SATISFIED_COMMENTS = ("答复认真，措施具体，感谢承办单位。", "沟通充分，答复及时。", "")


def _pick(rng: random.Random, weighted: Sequence[tuple[str, int]]) -> str:
    return rng.choices([name for name, _w in weighted], weights=[w for _n, w in weighted], k=1)[0]


class _People:
    """The people who act in the demo, looked up once per organisation."""

    def __init__(self) -> None:
        self._staff: dict[int, User | None] = {}
        self._handlers: dict[int, User | None] = {}
        self.leaders = list(User.objects.holding(Role.LEADER).filter(is_active=True).order_by("pk")[:20])

    def staff(self, proposal: Proposal) -> User | None:
        """An agency staff member of the proposal's CPPCC, else the platform (None)."""
        cppcc = proposal.session.cppcc
        if cppcc.pk not in self._staff:
            role = (
                RoleAssignment.objects.filter(role=Role.AGENCY_STAFF, is_active=True, organisation=cppcc)
                .select_related("user")
                .order_by("pk")
                .first()
            )
            self._staff[cppcc.pk] = role.user if role else None
        return self._staff[cppcc.pk]

    def handler(self, unit: Organisation) -> User | None:
        """A handling-unit staff member of ``unit``, else the platform (None)."""
        if unit.pk not in self._handlers:
            role = (
                RoleAssignment.objects.filter(
                    role__in=HANDLER_ROLES, is_active=True, organisation__path__startswith=unit.path
                )
                .exclude(role=Role.LEADER)
                .select_related("user")
                .order_by("pk")
                .first()
            )
            self._handlers[unit.pk] = role.user if role else None
        return self._handlers[unit.pk]


def _reference(unit: Organisation, now: datetime, serial: int) -> str:
    stem = (unit.short_name or unit.name).removeprefix("荔湾区").removeprefix("广州市").removeprefix("广东省")[:2]
    return f"{stem}函〔{now.year}〕{serial}号"


def _times(rng: random.Random, now: datetime, outcome: str) -> datetime:
    """When the assignment was made: long enough ago for every later step of the outcome
    to lie in the past; handling in progress spreads over the three months, so that some
    of it is due soon (74–92 days) and some overdue (over ~92 days)."""
    low, high = {
        "completed": (200, 300),
        "rehandling": (200, 300),
        "to_rate": (110, 200),
        "reply_pending": (80, 110),
        "handling": (25, 110),
    }.get(outcome, (1, 4))
    return now - timedelta(days=rng.randint(low, high), hours=rng.randint(0, 8))


def handle_demo_proposals(
    proposals: Sequence[Proposal], units: Sequence[Organisation], rng: random.Random, now: datetime
) -> Counter[str]:
    """Move a realistic share of the filed ``proposals`` through their handling with the
    handling ``units`` (government departments and governments) and return how many ended
    in each outcome. Proposals already assigned (or not filed) are left alone, so running it
    again changes nothing. Needs at least two units."""
    result: Counter[str] = Counter()
    units = [u for u in units if u.is_active]
    if len(units) < 2:
        raise ValueError("handle_demo_proposals needs at least two handling units")
    people = _People()
    committees: dict[int, list[Organisation]] = {}
    serial = 0
    for proposal in proposals:
        if proposal.status != ProposalStatus.FILED or proposal.handling_status != HandlingStatus.UNASSIGNED:
            continue
        outcome = _pick(rng, OUTCOMES)
        result[outcome] += 1
        if outcome == "unassigned":
            continue
        staff = people.staff(proposal)
        start = _times(rng, now, outcome)
        mode = _pick(rng, (("single", 60), ("lead", 22), ("separate", 18)))
        chosen = rng.sample(units, k=3 if mode == "lead" and rng.random() < 0.3 else 2)
        if mode == "single":
            made = ha.do_assign(staff, proposal, mode="single", units=chosen[:1], now=start)
        elif mode == "separate":
            made = ha.do_assign(staff, proposal, mode="separate", units=chosen[:2], now=start)
        else:
            made = ha.do_assign(staff, proposal, mode="lead", units=chosen[:1], co_units=chosen[1:], now=start)
        result[f"mode_{mode}"] += 1
        if rng.random() < 0.08:
            _mark_key(proposal, staff, people, committees, rng, start + timedelta(days=2))
            result["key"] += 1
        if outcome == "assigned":
            continue
        if outcome == "objected":
            unit = made[-1]
            engine.do_object(
                people.handler(unit.unit),
                unit,
                reason="该事项不属于我单位职责范围，建议改由相关主管部门办理。",
                now=start + timedelta(hours=2),
            )
            continue
        clock = start + timedelta(days=rng.randint(3, 12))
        for assignment in made:
            who = people.handler(assignment.unit)
            if assignment.role == AssignmentRole.CO:
                ha.do_submit_co_view(who, assignment, view=rng.choice(CO_VIEWS), now=clock + timedelta(days=10))
                continue
            ha.do_record_contact(who, assignment, note=rng.choice(CONTACT_NOTES), now=clock)
        if outcome == "handling":
            responsible = [a for a in made if a.role != AssignmentRole.CO]
            if rng.random() < 0.25:
                a = responsible[0]
                a.refresh_from_db()
                if a.resolve_due and a.resolve_due > now:
                    request = engine.do_request_extension(
                        people.handler(a.unit),
                        a,
                        until=a.resolve_due + timedelta(days=30),
                        reason="需协调多个部门并开展实地调研，申请延期一个月答复。",
                        now=now - timedelta(days=1),
                    )
                    engine.do_decide_extension(staff, request, approve=True, now=now - timedelta(hours=6))
                    result["extended"] += 1
            for a in responsible:
                a.refresh_from_db()
                if a.resolve_due and a.resolve_due < now:
                    engine.do_urge(
                        staff, a, text="该提案已超过办理时限，请抓紧办理并尽快答复。", now=now - timedelta(hours=2)
                    )
                    result["urged"] += 1
            continue
        replied_at = clock + timedelta(days=rng.randint(20, 60))
        replies: list[Reply] = []
        for assignment in made:
            if assignment.role == AssignmentRole.CO:
                continue
            serial += 1
            replies.append(_reply(assignment, people, rng, replied_at, serial))
        if outcome == "reply_pending":
            continue
        review_at = replied_at + timedelta(days=rng.randint(2, 6))
        if rng.random() < 0.1:
            # Sent back once, answered again.
            first = replies[0]
            ha.do_review_reply(
                staff, first, accept=False, note="答复内容不够具体，请补充具体措施和时间安排。", now=review_at
            )
            serial += 1
            replies[0] = _reply(first.assignment, people, rng, review_at + timedelta(days=5), serial)
            review_at += timedelta(days=7)
            result["sent_back"] += 1
        for reply in replies:
            ha.do_review_reply(staff, reply, accept=True, now=review_at)
        proposal.refresh_from_db()
        raters = [User.objects.get(pk=pk) for pk in ha.raters(proposal)]
        if rng.random() < 0.06 and raters:
            ha.do_object_publication(
                raters[0], proposal, reason="提案涉及企业经营数据，不宜公开。", now=review_at + timedelta(hours=2)
            )
            result["publication_objected"] += 1
        rate_at = review_at + timedelta(days=rng.randint(3, 10))
        if outcome == "to_rate":
            if len(raters) > 1:  # some proposers have rated already, the others not yet
                _rate(raters[0], replies[0], rng, rate_at, satisfied=True)
            continue
        if outcome in ("rehandling", "completed") and (outcome == "rehandling" or rng.random() < 0.12):
            target = replies[0]
            ha.do_rate(raters[0], target, rating=Rating.DISSATISFIED, comment=rng.choice(DISSATISFIED), now=rate_at)
            result["dissatisfied"] += 1
            if outcome == "rehandling":
                continue
            serial += 1
            again = rate_at + timedelta(days=rng.randint(15, 25))
            replies[0] = _reply(target.assignment, people, rng, again, serial)
            ha.do_review_reply(staff, replies[0], accept=True, now=again + timedelta(days=2))
            rate_at = again + timedelta(days=5)
        for reply in replies:
            for person in raters:
                _rate(person, reply, rng, rate_at, satisfied=True)
        proposal.refresh_from_db()
        if proposal.handling_status == HandlingStatus.COMPLETED and rng.random() < 0.04:
            ha.do_restrict_publication(
                staff, proposal, reason="涉及尚未公开的规划信息。", now=rate_at + timedelta(days=1)
            )
            result["restricted"] += 1
    return result


def _reply(assignment: Assignment, people: _People, rng: random.Random, at: datetime, serial: int) -> Reply:
    assignment.refresh_from_db()
    reply_class = ReplyClass(_pick(rng, ((ReplyClass.A, 42), (ReplyClass.B, 40), (ReplyClass.C, 18))))
    who = people.handler(assignment.unit)
    return ha.do_submit_reply(
        who,
        assignment,
        reply_class=reply_class,
        reference_number=_reference(assignment.unit, at, serial),
        contact_person=str(who) if who else "办公室",
        contact_phone=f"020-8{rng.randint(1000000, 9999999)}",
        body=REPLY_TEXTS[reply_class],
        now=at,
    )


def _rate(person: User, reply: Reply, rng: random.Random, at: datetime, *, satisfied: bool) -> None:
    assignment = Assignment.objects.get(pk=reply.assignment_id)
    if assignment.status != Status.RESOLVED or reply.ratings.filter(rater=person).exists():
        return
    rating = Rating.SATISFIED if rng.random() < 0.7 else Rating.BASICALLY_SATISFIED
    if not satisfied:
        rating = Rating.DISSATISFIED
    ha.do_rate(person, reply, rating=rating, comment=rng.choice(SATISFIED_COMMENTS), now=at)


def _mark_key(
    proposal: Proposal,
    staff: Any,
    people: _People,
    committees: dict[int, list[Organisation]],
    rng: random.Random,
    at: datetime,
) -> None:
    cppcc = proposal.session.cppcc
    if cppcc.pk not in committees:
        committees[cppcc.pk] = list(
            Organisation.objects.filter(parent=cppcc, kind=OrgKind.SPECIAL_COMMITTEE, is_active=True).order_by("pk")
        )
    leader = rng.choice(people.leaders) if people.leaders else None
    committee = rng.choice(committees[cppcc.pk]) if committees[cppcc.pk] else None
    if leader is None and committee is None:
        return
    ha.do_mark_key(staff, proposal, is_key=True, leader=leader, committee=committee, now=at)
