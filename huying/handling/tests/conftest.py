"""Fixtures of the handling engine's tests.

The engine does not care what a case is: the tests use an ``Organisation`` row as the case
(no test-only model, no test migration). Workflow ``"test"`` with the default policy; the
supervising office is the district command centre; the street is the tier-1 unit, the
department tier 2, the district government tier 3.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.accounts.tests.factories import UserFactory
from huying.handling import calendar
from huying.handling.choices import LimitUnit
from huying.handling.limits import Limit, Limits
from huying.handling.models import Assignment
from huying.handling.policy import Policy, register, unregister
from huying.handling.transitions import do_assign
from huying.organisations.models import Organisation
from huying.organisations.tests.factories import OrganisationFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
WORKFLOW = "test"
# Monday 2 March 2026, 09:00 in Guangzhou: an ordinary working week.
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)

LIMITS = Limits(
    accept=Limit(1, LimitUnit.WORKING_DAYS),
    respond=Limit(1, LimitUnit.WORKING_DAYS),
    resolve=Limit(5, LimitUnit.WORKING_DAYS),
    objection=Limit(5, LimitUnit.WORKING_DAYS),
)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


@pytest.fixture(autouse=True)
def _fresh_calendar_and_policy() -> Iterator[None]:
    # The calendar snapshot is per process; a rolled-back test must not leave its days behind.
    calendar.invalidate()
    register(Policy(workflow=WORKFLOW, label="测试案件"))
    yield
    unregister(WORKFLOW)
    calendar.invalidate()


@pytest.fixture
def frozen() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@dataclass
class People:
    dispatcher: User  # command centre: supervises
    street_handler: User  # 沙面街道
    community_handler: User  # 沙面社区, inside the street's subtree
    department_staff: User  # charlie, 城管局
    district_leader: User  # 区人民政府 leader: above the command centre, tier-3 unit
    outsider: User  # bob, CPPCC agency staff
    member: User  # alice
    public: User  # dora


@pytest.fixture
def people(tree, alice, bob, charlie, dora) -> People:  # type: ignore[no-untyped-def]
    return People(
        dispatcher=UserFactory(username="dispatcher", roles=[(Role.DISPATCHER, tree.command_centre)]),
        street_handler=UserFactory(username="street", roles=[(Role.STREET_HANDLER, tree.street)]),
        community_handler=UserFactory(username="community", roles=[(Role.STREET_HANDLER, tree.community)]),
        department_staff=charlie,
        district_leader=UserFactory(username="leader", roles=[(Role.LEADER, tree.district_gov)]),
        outsider=bob,
        member=alice,
        public=dora,
    )


@pytest.fixture
def case(db: None) -> Organisation:
    """Any model row can be a case; this one is an organisation."""
    return OrganisationFactory(name="案件载体")


@pytest.fixture
def make_assignment(tree, people, case):  # type: ignore[no-untyped-def]
    def make(
        unit: Organisation | None = None,
        *,
        role: str = "single",
        tier: int = 1,
        limits: Limits = LIMITS,
        case_obj: Organisation | None = None,
        now: datetime | None = None,
    ) -> Assignment:
        return do_assign(
            people.dispatcher,
            case_obj or case,
            workflow=WORKFLOW,
            unit=unit or tree.street,
            owner=tree.command_centre,
            role=role,
            tier=tier,
            limits=limits,
            reason="派单",
            now=now,
        )

    return make


# --- the notification centre: real work orders and proposals ---------------------------
@dataclass
class Centre:
    """A dispatched work order and an assigned proposal, with the people who hear about them."""

    dispatcher: User  # 荔湾区指挥中心: the work order's office
    street_a: User  # 沙面街道 street handler
    street_b: User  # 沙面街道 unit staff: the same unit as street_a
    edu_staff: User  # 荔湾区教育局: the proposal's handling unit
    edu: Organisation
    order: Any
    order_lead: Assignment
    proposal: Any
    proposal_assignment: Assignment


@pytest.fixture
def centre(tree, alice, bob, settings, tmp_path) -> Centre:  # type: ignore[no-untyped-def]
    """alice's filed proposal assigned by bob to the education bureau, and a hotline work
    order dispatched to 沙面街道 — both through the workflows' own actions, so the
    notifications are the ones the workflows really write."""
    import datetime as dt

    from huying.organisations.choices import OrgKind, OrgLevel
    from huying.proposals import actions as proposal_actions
    from huying.proposals.actions import handling as handling_actions
    from huying.workorders import actions as order_actions
    from huying.workorders.choices import Channel
    from huying.workorders.models import Category

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.WORKORDERS_CATEGORY_MODEL = str(tmp_path / "no-model.joblib")
    dispatcher = UserFactory(username="diaodu", real_name="周调", roles=[(Role.DISPATCHER, tree.command_centre)])
    street_a = UserFactory(username="jiedao", real_name="吴街", roles=[(Role.STREET_HANDLER, tree.street)])
    street_b = UserFactory(username="jiedao2", real_name="黄珊", roles=[(Role.UNIT_STAFF, tree.street)])
    order = order_actions.do_intake(
        dispatcher,
        {
            "external_id": "GZ12345-NOTIFY",
            "content": "沙面大街路口有人乱摆卖，占用人行道。",
            "caller_phone": "13812341234",
            "street": tree.street.name,
        },
        Channel.HOTLINE,
    ).order
    [order_lead] = order_actions.do_dispatch(
        dispatcher, order, tree.street, category=Category.objects.get(code="010101")
    )

    edu = OrganisationFactory(
        name="荔湾区教育局", kind=OrgKind.DEPARTMENT, level=OrgLevel.COUNTY, parent=tree.district_gov
    )
    edu_staff = UserFactory(username="gina", real_name="郭娜", roles=[(Role.UNIT_STAFF, edu)])
    session = proposal_actions.do_create_session(
        None,
        cppcc=tree.province_cppcc,
        term=13,
        number=3,
        is_current=True,
        window_opens=dt.date(2000, 1, 1),
        window_closes=dt.date(2000, 1, 31),
    )
    proposal = proposal_actions.do_save_draft(
        alice,
        session=session,
        title="关于推进中小学课后服务提质的建议",
        summary="课后服务",
        situation="（基本情况）",
        analysis="（问题分析）",
        suggestions="（具体建议）",
    ).proposal
    proposal_actions.do_submit(alice, proposal)
    proposal = proposal_actions.do_file(bob, proposal)
    [proposal_assignment] = handling_actions.do_assign(bob, proposal, mode="single", units=[edu])
    return Centre(dispatcher, street_a, street_b, edu_staff, edu, order, order_lead, proposal, proposal_assignment)


# --- the shared inbox and the assignments API: one unit with both workflows ---------------
@dataclass
class Both:
    centre: Centre
    order: Any  # the work order dispatched to the bureau
    order_assignment: Assignment
    proposal_assignment: Assignment


@pytest.fixture
def both(centre: Centre) -> Both:
    """The bureau of ``centre`` (gina's unit) also gets a work order: one unit, both workflows."""
    from huying.workorders import actions as order_actions
    from huying.workorders.choices import Channel
    from huying.workorders.models import Category

    order = order_actions.do_intake(
        centre.dispatcher,
        {"external_id": "GZ12345-EDU", "content": "学校门口道路积水，学生上学不便。", "caller_phone": "13812345678"},
        Channel.HOTLINE,
    ).order
    [assignment] = order_actions.do_dispatch(
        centre.dispatcher, order, centre.edu, category=Category.objects.get(code="010101")
    )
    return Both(centre, order, assignment, centre.proposal_assignment)
