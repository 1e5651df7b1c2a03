"""Demo proposals (提案) of the current session of 广东省政协, before handling.

A few hundred proposals with generated texts (:mod:`huying.demo.proposal_texts`) across
the nine categories, by individual members, jointly (co-signers who confirmed, declined or
never answered) and by collective submitters (parties, a people's organisation, a sector
group, special committees), in every pre-handling state: draft, submitted, filed
(numbered), not filed (with a standard reason), merged, converted and withdrawn. Everything
goes through the real actions (:mod:`huying.proposals.actions`), so numbers, history,
audit entries and the search index are those a real session would have. A few filed
proposals are nominated for this year's excellent-proposal selection.

The demo member ``weiyuan`` has proposals in several states and a co-sign invitation
waiting; ``jiguan`` (proposals committee staff) reviews.

Handling (assignment, replies, ratings) is added by a later step on the filed proposals:
:func:`filed_demo_proposals` returns them. Idempotent: a marker in the audit log makes a
second run a single query.
"""

from __future__ import annotations

import datetime
import logging
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.audit.actions import record
from huying.audit.models import AuditEntry
from huying.demo.proposal_texts import ProposalText, generate
from huying.organisations.actions import do_create_organisation
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.models import Organisation
from huying.proposals import actions
from huying.proposals.choices import CollectiveKind, ConvertTarget, ProposalStatus, RejectReason
from huying.proposals.models import AwardSelection, Proposal, Session

MARKER_ACTION = "demo.proposals"
MARKER_TYPE = "demo.dataset"
VERSION = "1"
SEED = 20260305
CPPCC_NAME = "广东省政协"
TERM, SESSION_NUMBER = 13, 5
COUNTS = {"full": 300, "small": 40}
NOMINATIONS = {"full": 8, "small": 3}
MEMBER_LOGIN, STAFF_LOGIN = "weiyuan", "jiguan"

# Share of each final state among the generated proposals (weights).
STATES: tuple[tuple[str, int], ...] = (
    (ProposalStatus.DRAFT, 8),
    (ProposalStatus.SUBMITTED, 12),
    (ProposalStatus.FILED, 55),
    (ProposalStatus.REJECTED, 8),
    (ProposalStatus.MERGED, 7),
    (ProposalStatus.CONVERTED, 5),
    (ProposalStatus.WITHDRAWN, 5),
)
# The demo member's own proposals, first in the list: (state, co-signers).
WEIYUAN_PLAN: tuple[tuple[str, int], ...] = (
    (ProposalStatus.DRAFT, 0),
    (ProposalStatus.SUBMITTED, 2),
    (ProposalStatus.FILED, 0),
    (ProposalStatus.FILED, 1),
    (ProposalStatus.REJECTED, 0),
    (ProposalStatus.MERGED, 0),
    (ProposalStatus.WITHDRAWN, 0),
)
# Collective submitters created under the provincial CPPCC (kind, name). The tree has no
# kind of its own for a sector group; it uses the party / people's organisation kind.
COLLECTIVES: tuple[tuple[str, str], ...] = (
    (CollectiveKind.PARTY, "中国民主同盟广东省委员会"),
    (CollectiveKind.PARTY, "九三学社广东省委员会"),
    (CollectiveKind.PEOPLES_ORGANISATION, "广东省工商业联合会"),
    (CollectiveKind.SECTOR, "广东省政协经济界别"),
)
REJECT_EXPLANATIONS = {
    RejectReason.PERSONAL: "所提事项属个人诉求，建议通过信访渠道反映。",
    RejectReason.PROMOTION: "内容涉及为具体企业产品宣传推介，不符合提案要求。",
    RejectReason.EMPTY: "案由空泛，缺少具体可行的建议，建议修改完善后作为意见建议反映。",
    RejectReason.LITIGATION: "所提事项涉及正在审理的诉讼案件，不宜作为提案办理。",
    RejectReason.ACADEMIC: "内容属学术探讨，建议通过学术刊物发表。",
}
CONVERT_NOTES = ("内容较为具体，转为社情民意信息报送。", "转为意见建议，交有关部门参考。")
NOMINATION_REASONS = (
    "选题紧扣中心工作，调研深入，建议具体可行，被承办单位采纳。",
    "反映问题精准，对策建议针对性强，推动了相关政策出台。",
    "聚焦群众急难愁盼问题，建议务实管用，社会反响良好。",
    "提案质量高，论证充分，为政府决策提供了重要参考。",
)


@dataclass
class ProposalDemoResult:
    skipped: bool
    session: Session | None = None
    created: Counter[str] = field(default_factory=Counter)


def _marker_id(scale: str) -> str:
    return f"{VERSION}:{scale}"


def is_loaded(scale: str) -> bool:
    return AuditEntry.objects.filter(
        action=MARKER_ACTION, object_type=MARKER_TYPE, object_id=_marker_id(scale)
    ).exists()


def demo_session() -> Session | None:
    return Session.objects.filter(
        cppcc__name=CPPCC_NAME, cppcc__parent__isnull=False, term=TERM, number=SESSION_NUMBER
    ).first()


def filed_demo_proposals(session: Session | None = None) -> list[Proposal]:
    """The filed proposals of the demo session, by number: what the handling demo assigns."""
    session = session or demo_session()
    if session is None:
        return []
    return list(
        Proposal.objects.filter(session=session, status=ProposalStatus.FILED)
        .select_related("session", "proposer", "collective")
        .prefetch_related("suggested_units")
        .order_by("number")
    )


class _Builder:
    def __init__(self, scale: str, rng: random.Random) -> None:
        self.rng = rng
        self.created: Counter[str] = Counter()
        self.cppcc = Organisation.objects.get(name=CPPCC_NAME, kind=OrgKind.CPPCC, level=OrgLevel.PROVINCE)
        self.staff = User.objects.get(username=STAFF_LOGIN)
        self.weiyuan = User.objects.get(username=MEMBER_LOGIN)
        members = list(
            User.objects.filter(
                role_assignments__role=Role.MEMBER,
                role_assignments__organisation=self.cppcc,
                role_assignments__is_active=True,
            )
            .exclude(username=MEMBER_LOGIN)
            .order_by("username")
            .distinct()
        )
        # A few prolific members and a long tail, as in real sessions.
        self.members = members
        self.member_weights = [8 if i % 10 == 0 else 1 for i in range(len(members))]
        self.committees = list(
            Organisation.objects.filter(parent=self.cppcc, kind=OrgKind.SPECIAL_COMMITTEE).order_by("sort_order", "pk")
        )
        self.departments = {
            o.name.removeprefix("广东省"): o
            for o in Organisation.objects.filter(kind=OrgKind.DEPARTMENT, name__startswith="广东省")
        }
        self.collectives = self._collectives()

    def _collectives(self) -> list[tuple[str, Organisation]]:
        existing = {o.name: o for o in Organisation.objects.filter(parent=self.cppcc, kind=OrgKind.PARTY)}
        result = []
        for kind, name in COLLECTIVES:
            org = existing.get(name)
            if org is None:
                org = do_create_organisation(
                    None, name=name, kind=OrgKind.PARTY, level=OrgLevel.PROVINCE, parent=self.cppcc, division_code="44"
                )
                self.created["collective submitters"] += 1
            result.append((kind, org))
        result += [(CollectiveKind.SPECIAL_COMMITTEE, c) for c in self.committees[1:4]]
        return result

    def session(self) -> Session:
        session = Session.objects.filter(cppcc=self.cppcc, term=TERM, number=SESSION_NUMBER).first()
        if session is None:
            # The plenary is some weeks after the load; its proposals are collected from a
            # month before the load until it ends, so the demo's proposals are plenary ones.
            today = timezone.localdate()
            session = actions.do_create_session(
                None,
                cppcc=self.cppcc,
                term=TERM,
                number=SESSION_NUMBER,
                is_current=True,
                window_opens=today - datetime.timedelta(days=30),
                window_closes=today + datetime.timedelta(days=50),
                plenary_starts=today + datetime.timedelta(days=45),
                plenary_ends=today + datetime.timedelta(days=50),
            )
            self.created["sessions"] += 1
        return session

    # --- one proposal ------------------------------------------------------------------------
    def draft(self, session: Session, text: ProposalText, author: User, collective: tuple[str, Any] | None) -> Proposal:
        units = [self.departments[d] for d in text.departments if d in self.departments][:2]
        values: dict[str, Any] = {
            "session": session,
            "title": text.title,
            "summary": text.summary,
            "situation": text.situation,
            "analysis": text.analysis,
            "suggestions": text.suggestions,
            "category": text.category,
            "suggested_units": units,
        }
        if collective is not None:
            kind, org = collective
            return actions.do_save_draft(author, collective=org, collective_kind=kind, **values).proposal
        return actions.do_save_draft(author, **values).proposal

    def cosign(self, proposal: Proposal, author: User, count: int, *, answer: bool = True) -> None:
        invitees = [m for m in self.rng.sample(self.members, k=min(len(self.members), count + 2)) if m != author]
        for invitee in invitees[:count]:
            actions.do_invite_cosigner(author, proposal, invitee)
            self.created["co-sign invitations"] += 1
            if answer:
                # Most confirm; one in five declines (counted over the demo's invitations, not
                # by the proposal's id: ids depend on what the database held before).
                actions.do_respond_cosign(invitee, proposal, confirm=self.created["co-sign invitations"] % 5 != 0)

    def decide(self, proposal: Proposal, state: str, author: User, filed: list[Proposal]) -> None:
        if state == ProposalStatus.FILED:
            actions.do_file(self.staff, proposal)
            filed.append(proposal)
        elif state == ProposalStatus.REJECTED:
            reason = self.rng.choice(list(REJECT_EXPLANATIONS))
            actions.do_reject(self.staff, proposal, reason=reason, explanation=REJECT_EXPLANATIONS[reason])
        elif state == ProposalStatus.MERGED:
            same = [p for p in filed if p.category == proposal.category and p.pk != proposal.pk] or filed
            actions.do_merge(self.staff, proposal, into=self.rng.choice(same), note="与同类提案并案办理。")
        elif state == ProposalStatus.CONVERTED:
            to = self.rng.choice([ConvertTarget.PUBLIC_OPINION, ConvertTarget.OPINION])
            note = CONVERT_NOTES[0] if to == ConvertTarget.PUBLIC_OPINION else CONVERT_NOTES[1]
            actions.do_convert(self.staff, proposal, to=to, note=note)
        elif state == ProposalStatus.WITHDRAWN:
            actions.do_withdraw(author, proposal, note="情况已发生变化，申请撤回。")
        self.created[f"proposals {state}"] += 1


def load_proposal_demo(scale: str = "full", force: bool = False) -> ProposalDemoResult:
    """Create the demo session's proposals unless the marker says they are there. Runs
    inside the caller's transaction (``load_demo_data``). The workflow's per-transition
    log lines (hundreds) are silenced meanwhile."""
    transitions_log = logging.getLogger("huying.proposals.transitions")
    level = transitions_log.level
    transitions_log.setLevel(logging.WARNING)
    try:
        return _load(scale, force)
    finally:
        transitions_log.setLevel(level)


def _load(scale: str, force: bool) -> ProposalDemoResult:
    if scale not in COUNTS:
        raise ValueError(f"Unknown scale {scale!r}")
    if is_loaded(scale) and (not force or demo_session() is not None):
        return ProposalDemoResult(skipped=True, session=demo_session())
    rng = random.Random(SEED)
    b = _Builder(scale, rng)
    session = b.session()
    if Proposal.objects.filter(session=session).exists():  # loaded at another scale
        result = ProposalDemoResult(skipped=True, session=session, created=b.created)
        _mark(scale, result)
        return result
    texts = generate(COUNTS[scale], SEED)
    states = [s for s, _w in STATES]
    weights = [w for _s, w in STATES]
    plan: list[tuple[ProposalText, str, User, int, tuple[str, Any] | None]] = []
    for i, text in enumerate(texts):
        if i < len(WEIYUAN_PLAN):
            state, cosigners = WEIYUAN_PLAN[i]
            plan.append((text, state, b.weiyuan, cosigners, None))
            continue
        state = rng.choices(states, weights)[0]
        roll = rng.random()
        if roll < 0.07:
            plan.append((text, state, b.staff, 0, b.collectives[i % len(b.collectives)]))
        else:
            author = rng.choices(b.members, b.member_weights)[0]
            plan.append((text, state, author, rng.randint(1, 3) if roll < 0.32 else 0, None))

    filed: list[Proposal] = []
    later: list[tuple[Proposal, str, User]] = []
    for text, state, author, cosigners, collective in plan:
        proposal = b.draft(session, text, author, collective)
        if cosigners:
            b.cosign(proposal, author, cosigners)
        if state == ProposalStatus.DRAFT:
            b.created["proposals draft"] += 1
            continue
        actions.do_submit(author, proposal)
        if state == ProposalStatus.SUBMITTED:
            b.created["proposals submitted"] += 1
        elif state == ProposalStatus.FILED:
            b.decide(proposal, state, author, filed)
        else:
            later.append((proposal, state, author))
    for proposal, state, author in later:  # merges need filed targets
        b.decide(proposal, state, author, filed)

    # weiyuan's waiting invitation: another member's draft.
    inviter = b.members[0]
    draft = b.draft(session, generate(1, SEED + 1)[0], inviter, None)
    actions.do_invite_cosigner(inviter, draft, b.weiyuan)
    b.created["proposals draft"] += 1
    b.created["co-sign invitations"] += 1

    _nominate(b, session, filed, NOMINATIONS[scale])
    result = ProposalDemoResult(skipped=False, session=session, created=b.created)
    _mark(scale, result)
    return result


def _nominate(b: _Builder, session: Session, filed: list[Proposal], count: int) -> None:
    """This year's selection, open, with nominations by jiguan and by a special committee's
    staff (decisions are left to the demo user)."""
    year = timezone.localdate().year
    selection = AwardSelection.objects.filter(cppcc=b.cppcc, year=year).first()
    if selection is None:
        selection = actions.do_open_award_selection(
            b.staff, cppcc=b.cppcc, year=year, note="请各专门委员会于年底前推荐本年度优秀提案。"
        )
        b.created["award selections"] += 1
    committee_staff = (
        User.objects.filter(
            role_assignments__role=Role.AGENCY_STAFF,
            role_assignments__is_active=True,
            role_assignments__organisation__in=b.committees,
        )
        .order_by("username")
        .first()
    )
    candidates = [p for p in filed if not p.award_nominations.exists()]
    for i, proposal in enumerate(b.rng.sample(candidates, k=min(count, len(candidates)))):
        nominator = committee_staff if committee_staff is not None and i % 3 == 2 else b.staff
        actions.do_nominate_for_award(
            nominator, selection, proposal, reason=NOMINATION_REASONS[i % len(NOMINATION_REASONS)]
        )
        b.created["award nominations"] += 1


def _mark(scale: str, result: ProposalDemoResult) -> None:
    record(
        None,
        MARKER_ACTION,
        None,
        {"version": VERSION, "scale": scale, **{k: v for k, v in result.created.items() if v}},
        object_type=MARKER_TYPE,
        object_id=_marker_id(scale),
        object_repr=f"Demo proposals v{VERSION} ({scale})",
    )
