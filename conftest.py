"""Shared fixtures: a small organisation tree and the named people of permission tests.

- ``alice``: the owner — a provincial CPPCC member (and the person whose objects we test)
- ``bob``: her colleague — agency staff in the same CPPCC committee
- ``charlie``: an outsider — staff of an unrelated government department
- ``dora``: a member of the public (群众), no organisation
- ``admin``: a system administrator
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.accounts.tests.factories import UserFactory
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.models import Organisation
from huying.organisations.tests.factories import OrganisationFactory


@pytest.fixture(autouse=True)
def fast_password_hasher(request: pytest.FixtureRequest, settings: Any) -> None:
    """Argon2 is slow on purpose; tests use MD5 unless marked ``real_hasher``."""
    if "real_hasher" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "real_hasher: use the configured (Argon2) password hasher")


# Tests that are slow by nature — demo-scale loads, the property-based API run over every
# operation, the crawl of every role's links: `make test-fast` leaves them out.
SLOW_FOLDERS = ("huying/demo/tests/", "tests/api/", "huying/core/tests/test_crawl.py")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = str(config.rootpath) + "/"
    for item in items:
        if str(item.path).removeprefix(root).startswith(SLOW_FOLDERS):
            item.add_marker(pytest.mark.slow)


@dataclass
class Tree:
    province_cppcc: Organisation
    city_cppcc: Organisation
    province_gov: Organisation
    city_gov: Organisation
    district_gov: Organisation
    department: Organisation
    command_centre: Organisation
    street: Organisation
    community: Organisation


@pytest.fixture
def tree(db: None) -> Tree:
    province_cppcc = OrganisationFactory(name="广东省政协", kind=OrgKind.CPPCC, level=OrgLevel.PROVINCE)
    city_cppcc = OrganisationFactory(name="广州市政协", kind=OrgKind.CPPCC, level=OrgLevel.CITY, parent=province_cppcc)
    province_gov = OrganisationFactory(name="广东省人民政府", kind=OrgKind.GOVERNMENT, level=OrgLevel.PROVINCE)
    city_gov = OrganisationFactory(
        name="广州市人民政府", kind=OrgKind.GOVERNMENT, level=OrgLevel.CITY, parent=province_gov
    )
    district_gov = OrganisationFactory(
        name="荔湾区人民政府", kind=OrgKind.GOVERNMENT, level=OrgLevel.COUNTY, parent=city_gov
    )
    department = OrganisationFactory(
        name="荔湾区城市管理和综合执法局", kind=OrgKind.DEPARTMENT, level=OrgLevel.COUNTY, parent=district_gov
    )
    command_centre = OrganisationFactory(
        name="荔湾区指挥中心", kind=OrgKind.COMMAND_CENTRE, level=OrgLevel.COUNTY, parent=district_gov
    )
    street = OrganisationFactory(name="沙面街道", kind=OrgKind.STREET, level=OrgLevel.STREET, parent=district_gov)
    community = OrganisationFactory(name="沙面社区", kind=OrgKind.COMMUNITY, level=OrgLevel.COMMUNITY, parent=street)
    return Tree(
        province_cppcc, city_cppcc, province_gov, city_gov, district_gov, department, command_centre, street, community
    )


@pytest.fixture
def alice(tree: Tree) -> User:
    return UserFactory(username="alice", real_name="王丽", roles=[(Role.MEMBER, tree.province_cppcc)])


@pytest.fixture
def bob(tree: Tree) -> User:
    return UserFactory(username="bob", real_name="李波", roles=[(Role.AGENCY_STAFF, tree.province_cppcc)])


@pytest.fixture
def charlie(tree: Tree) -> User:
    return UserFactory(username="charlie", real_name="陈超", roles=[(Role.UNIT_STAFF, tree.department)])


@pytest.fixture
def dora(db: None) -> User:
    return UserFactory(username="dora", real_name="赵多", roles=[(Role.PUBLIC, None)])


@pytest.fixture
def admin(tree: Tree) -> User:
    return UserFactory(username="admin", real_name="系统管理员", roles=[(Role.ADMIN, tree.province_gov)])
