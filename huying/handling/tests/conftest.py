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
