"""Named people of the duty record's tests, beside the shared alice (member at the province
CPPCC), bob (its agency staff), charlie (unit staff), dora (public) and admin:

- erin: another member of the province CPPCC (sector and committee of her own);
- hugo: a member of the city CPPCC below it, in the proposals committee;
- frank: agency staff of the province CPPCC's proposals committee (committee staff);
- lena: a leader at the city CPPCC (reads the city's members, not the province's);
- carl: agency staff of the city CPPCC (reads the city's members only).
"""

from __future__ import annotations

from typing import Any

import pytest

from huying.accounts.choices import MemberLevel, Role
from huying.accounts.models import RoleAssignment
from huying.accounts.tests.factories import UserFactory
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.tests.factories import OrganisationFactory, SectorFactory


@pytest.fixture
def committee(tree: Any) -> Any:
    return OrganisationFactory(
        name="提案委员会", kind=OrgKind.SPECIAL_COMMITTEE, level=OrgLevel.PROVINCE, parent=tree.province_cppcc
    )


@pytest.fixture
def sector() -> Any:
    return SectorFactory(name="中国民主同盟")


def _member(username: str, real_name: str, org: Any, sector: Any, committee: Any = None) -> Any:
    user = UserFactory(username=username, real_name=real_name, roles=[(Role.MEMBER, org)])
    RoleAssignment.objects.filter(user=user, role=Role.MEMBER).update(
        sector=sector, special_committee=committee, member_level=MemberLevel.PROVINCIAL
    )
    return user


@pytest.fixture
def erin(tree: Any) -> Any:
    return _member("erin", "周燕", tree.province_cppcc, SectorFactory(name="中国农工民主党"))


@pytest.fixture
def hugo(tree: Any, committee: Any, sector: Any) -> Any:
    return _member("hugo", "胡国", tree.city_cppcc, sector, committee)


@pytest.fixture
def members(alice: Any, committee: Any, sector: Any) -> Any:
    """alice in the proposals committee and the 民盟 sector."""
    RoleAssignment.objects.filter(user=alice, role=Role.MEMBER).update(sector=sector, special_committee=committee)
    return alice


@pytest.fixture
def frank(committee: Any) -> Any:
    return UserFactory(username="frank", real_name="方可", roles=[(Role.AGENCY_STAFF, committee)])


@pytest.fixture
def lena(tree: Any) -> Any:
    return UserFactory(username="lena", real_name="林娜", roles=[(Role.LEADER, tree.city_cppcc)])


@pytest.fixture
def carl(tree: Any) -> Any:
    return UserFactory(username="carl", real_name="蔡力", roles=[(Role.AGENCY_STAFF, tree.city_cppcc)])


def seed_default_rules() -> None:
    """The default points rules of the duty app's data migration, again: a transactional
    test elsewhere (the browser tests) flushes the tables the migrations seeded."""
    import importlib

    from huying.duty.models import PointRule

    if PointRule.objects.exists():
        return
    migration = importlib.import_module("huying.duty.migrations.0003_default_rules")
    PointRule.objects.bulk_create(
        PointRule(kind=kind, qualifier=qualifier, points=points, valid_from=migration.FROM, note=note)
        for kind, qualifier, points, note in migration.DEFAULT_RULES
    )


@pytest.fixture(autouse=True)
def _default_rules(request: pytest.FixtureRequest) -> None:
    if "django_db_setup" in request.fixturenames or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
        seed_default_rules()
