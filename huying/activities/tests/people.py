"""The activities' named people, on top of the shared tree and people (root conftest):

- ``alice`` (root): the member — provincial CPPCC member in the economics committee;
- ``erin``: another member of the provincial CPPCC, in the culture committee;
- ``frank``: organising staff — agency staff of the economics committee;
- ``gina``: committee staff of another committee (culture);
- ``bob`` (root): agency staff of the provincial CPPCC itself (manages all its activities);
- ``leo``: a leader of the provincial CPPCC;
- ``dora`` (root): the public.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from huying.accounts.actions import do_assign_role
from huying.accounts.choices import MemberLevel, Role
from huying.accounts.models import RoleAssignment, User
from huying.accounts.tests.factories import UserFactory
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.models import Organisation, Sector
from huying.organisations.tests.factories import OrganisationFactory, SectorFactory

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
# Tests run at this moment (time_machine); activities start two days later.
NOW = dt.datetime(2026, 5, 4, 9, 0, tzinfo=SHANGHAI)
START = dt.datetime(2026, 5, 6, 9, 0, tzinfo=SHANGHAI)


@dataclass
class Cast:
    economics: Organisation
    culture: Organisation
    sector: Sector
    erin: User
    frank: User
    gina: User
    leo: User


def build_cast(tree: Any, alice: User) -> Cast:
    province = tree.province_cppcc
    economics = OrganisationFactory(
        name="经济委员会", kind=OrgKind.SPECIAL_COMMITTEE, level=OrgLevel.PROVINCE, parent=province
    )
    culture = OrganisationFactory(
        name="文化文史和学习委员会", kind=OrgKind.SPECIAL_COMMITTEE, level=OrgLevel.PROVINCE, parent=province
    )
    sector = SectorFactory(name="经济界")
    RoleAssignment.objects.filter(user=alice, role=Role.MEMBER).update(special_committee=economics, sector=sector)
    erin = UserFactory(username="erin", real_name="林怡")
    do_assign_role(
        None,
        erin,
        Role.MEMBER,
        province,
        term=13,
        sector=SectorFactory(),
        member_level=MemberLevel.PROVINCIAL,
        special_committee=culture,
    )
    frank = UserFactory(username="frank", real_name="冯凡", roles=[(Role.AGENCY_STAFF, economics)])
    gina = UserFactory(username="gina", real_name="高娜", roles=[(Role.AGENCY_STAFF, culture)])
    leo = UserFactory(username="leo", real_name="梁力", roles=[(Role.LEADER, province)])
    return Cast(economics, culture, sector, erin, frank, gina, leo)


def build_shared_data(shared: Any) -> dict[str, Any]:
    return {"cast": build_cast(shared.tree, shared.people["alice"])}


@pytest.fixture
def cast(tree: Any, alice: User, _shared_people: Any) -> Cast:
    if _shared_people is not None and "cast" in _shared_people.data:
        return _shared_people.data["cast"]
    return build_cast(tree, alice)


@pytest.fixture
def now(time_machine: Any) -> dt.datetime:
    time_machine.move_to(NOW, tick=False)
    return NOW


def fresh(user: User) -> User:
    """The person again, with their roles read anew."""
    return User.objects.get(pk=user.pk)
