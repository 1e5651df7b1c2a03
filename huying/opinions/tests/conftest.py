"""The named people of the opinion-report tests, beside the shared ones (alice: the member
author; bob: agency staff at the province CPPCC itself, a 信息 office person too):

- ``erin``: another member of the same CPPCC;
- ``xinxi``: 信息 office staff (agency staff at the province CPPCC's 办公厅);
- ``wei``: committee staff (agency staff at a special committee): handles no reports;
- ``lingdao``: a leader (at the province government) who is sent the periodical;
- ``city_xinxi``: 信息 staff of the city CPPCC below (forwarding goes from there to the province).

Modules listed in the root conftest's SHARED_PEOPLE_MODULES build them once with
``build_shared_data``; others build them per test.
"""

from __future__ import annotations

from typing import Any

import pytest

from conftest import SharedPeople
from huying.accounts.choices import Role
from huying.accounts.tests.factories import UserFactory
from huying.opinions import actions
from huying.opinions.models import OpinionReport
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.tests.factories import OrganisationFactory

TEXT = {
    "title": "关于加强老旧小区加装电梯工作的建议",
    "category": "livelihood",
    "situation": "我市老旧小区多数没有电梯，老年人上下楼困难。",
    "analysis": "资金分摊难、协调难是主要原因。",
    "suggestion": "建议简化审批，设立专项补贴。",
}


def build_people(tree: Any) -> dict[str, Any]:
    office = OrganisationFactory(
        name="办公厅", kind=OrgKind.CPPCC_OFFICE, level=OrgLevel.PROVINCE, parent=tree.province_cppcc
    )
    committee = OrganisationFactory(
        name="社会和法制委员会", kind=OrgKind.SPECIAL_COMMITTEE, level=OrgLevel.PROVINCE, parent=tree.province_cppcc
    )
    return {
        "office": office,
        "committee": committee,
        "erin": UserFactory(username="erin", real_name="周燕", roles=[(Role.MEMBER, tree.province_cppcc)]),
        "xinxi": UserFactory(username="xinxi", real_name="许欣", roles=[(Role.AGENCY_STAFF, office)]),
        "wei": UserFactory(username="wei", real_name="魏委", roles=[(Role.AGENCY_STAFF, committee)]),
        "lingdao": UserFactory(username="lingdao", real_name="林道", roles=[(Role.LEADER, tree.province_gov)]),
        "city_xinxi": UserFactory(username="cityxx", real_name="程信", roles=[(Role.AGENCY_STAFF, tree.city_cppcc)]),
        "city_member": UserFactory(username="citym", real_name="程民", roles=[(Role.MEMBER, tree.city_cppcc)]),
    }


def build_shared_data(shared: SharedPeople) -> dict[str, Any]:
    return build_people(shared.tree)


@pytest.fixture
def people(tree: Any, _shared_people: SharedPeople | None) -> dict[str, Any]:
    if _shared_people is not None and "xinxi" in _shared_people.data:
        return _shared_people.data
    return build_people(tree)


@pytest.fixture
def erin(people: dict[str, Any]) -> Any:
    return people["erin"]


@pytest.fixture
def xinxi(people: dict[str, Any]) -> Any:
    return people["xinxi"]


@pytest.fixture
def wei(people: dict[str, Any]) -> Any:
    return people["wei"]


@pytest.fixture
def lingdao(people: dict[str, Any]) -> Any:
    return people["lingdao"]


def draft(user: Any, **kw: Any) -> OpinionReport:
    return actions.do_create_draft(user, **{**TEXT, **kw})


def submitted(user: Any, **kw: Any) -> OpinionReport:
    report = draft(user, **kw)
    return actions.do_submit(user, report)


def received(user: Any, staff: Any, **kw: Any) -> OpinionReport:
    return actions.do_receive(staff, submitted(user, **kw))
