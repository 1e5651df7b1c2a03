"""Named people of the consultation tests (besides alice, bob, charlie, dora, admin):

- ``erin``: a member of the same CPPCC who does not take part;
- ``gina``: agency staff of another committee (the city CPPCC), not the organiser's;
- ``hank``: staff of a second department, answering the outcome too.

The consultation is organised by a special committee of the province CPPCC (alice's),
where bob is agency staff.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from huying.accounts.choices import Role
from huying.accounts.tests.factories import UserFactory
from huying.consultations import actions
from huying.consultations.choices import ConsultationKind, ParticipantKind
from huying.consultations.models import Consultation
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.tests.factories import OrganisationFactory

T0 = timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 0))  # a Monday
DAY = T0 + datetime.timedelta(days=3)  # the consultation's day


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def committee(tree: Any) -> Any:
    return OrganisationFactory(
        name="经济委员会", kind=OrgKind.SPECIAL_COMMITTEE, level=OrgLevel.PROVINCE, parent=tree.province_cppcc
    )


@pytest.fixture
def other_department(tree: Any) -> Any:
    return OrganisationFactory(
        name="荔湾区住房和城乡建设局", kind=OrgKind.DEPARTMENT, level=OrgLevel.COUNTY, parent=tree.district_gov
    )


@pytest.fixture
def erin(tree: Any) -> Any:
    return UserFactory(username="erin", real_name="周燕", roles=[(Role.MEMBER, tree.province_cppcc)])


@pytest.fixture
def gina(tree: Any) -> Any:
    return UserFactory(username="gina", real_name="郭静", roles=[(Role.AGENCY_STAFF, tree.city_cppcc)])


@pytest.fixture
def hank(other_department: Any) -> Any:
    return UserFactory(username="hank", real_name="韩凯", roles=[(Role.UNIT_STAFF, other_department)])


def make_consultation(bob: Any, committee: Any, **kw: Any) -> Consultation:
    values = {
        "topic": "推进老旧小区改造协商会",
        "kind": ConsultationKind.THEMATIC,
        "organiser": committee,
        "starts_at": DAY,
        "ends_at": DAY + datetime.timedelta(hours=2),
        "video_url": "https://meeting.tencent.com/dm/abc123",
        "place": "省政协会议中心三楼",
    }
    values.update(kw)
    return actions.do_create_consultation(bob, agenda=["通报情况", "委员发言", "部门回应"], **values)


@pytest.fixture
def consultation(frozen: Any, bob: Any, committee: Any, alice: Any, charlie: Any) -> Consultation:
    """Published, with alice (member), charlie (official) and an expert without account."""
    c = make_consultation(bob, committee)
    actions.do_add_participant(bob, c, kind=ParticipantKind.MEMBER, user=alice)
    actions.do_add_participant(bob, c, kind=ParticipantKind.OFFICIAL, user=charlie, affiliation="城管局")
    actions.do_add_participant(bob, c, kind=ParticipantKind.EXPERT, name="林教授", affiliation="中山大学")
    actions.do_publish(bob, c)
    return c
