"""Shared fixtures: a small organisation tree and the named people of permission tests.

- ``alice``: the owner — a provincial CPPCC member (and the person whose objects we test)
- ``bob``: her colleague — agency staff in the same CPPCC committee
- ``charlie``: an outsider — staff of an unrelated government department
- ``dora``: a member of the public (群众), no organisation
- ``admin``: a system administrator
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings

from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.accounts.tests.factories import UserFactory
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.models import Organisation
from huying.organisations.tests.factories import OrganisationFactory

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fast_password_hasher(request: pytest.FixtureRequest, settings: Any) -> None:
    """Argon2 is slow on purpose; tests use MD5 unless marked ``real_hasher``."""
    if "real_hasher" not in request.keywords:
        settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def default_language() -> Any:
    """Each test starts in the default language (Simplified Chinese): a request in English
    leaves English active in the thread after it, which must not reach the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "real_hasher: use the configured (Argon2) password hasher")


# Tests that are slow by nature — demo-scale loads, the property-based API run over every
# operation, the crawl of every role's links (the folders below), and single tests marked
# ``slow`` where they are: migrating the database back and forth, starting fresh Python
# processes, training the category model end to end. `make test-fast` leaves them out;
# `make test` runs everything.
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


def build_tree() -> Tree:
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


# The named people: login name -> (real name, role, the tree's organisation holding it).
NAMED_PEOPLE: dict[str, tuple[str, str, str | None]] = {
    "alice": ("王丽", Role.MEMBER, "province_cppcc"),
    "bob": ("李波", Role.AGENCY_STAFF, "province_cppcc"),
    "charlie": ("陈超", Role.UNIT_STAFF, "department"),
    "dora": ("赵多", Role.PUBLIC, None),
    "admin": ("系统管理员", Role.ADMIN, "province_gov"),
}


def make_person(username: str, tree: Tree | None) -> User:
    real_name, role, where = NAMED_PEOPLE[username]
    organisation = getattr(tree, where) if where else None
    return UserFactory(username=username, real_name=real_name, roles=[(role, organisation)])


# Modules whose tests share one build of the tree and the named people instead of building
# them through the real actions again for every test (the per-test setup dominated these
# modules). The build happens once per module and worker, inside an outer transaction that
# every test runs in a savepoint of (pytest-django's ``db``) and that is rolled back when the
# module is done; each test gets its own deep copies of the objects, as Django's
# ``TestCase.setUpTestData`` does. Every test of such a module sees the tree and all five
# people (whether or not it asks for them), so the modules must not count organisations,
# people or audit entries from an empty database, use ``transaction=True`` or ``real_hasher``.
# A listed module may also define ``build_shared_data(shared: SharedPeople) -> dict`` to build
# the data its tests only read (e.g. the work-order statistics' month) once in the same outer
# transaction; its fixtures then take their copies from ``_shared_people.data``.
SHARED_PEOPLE_MODULES: tuple[str, ...] = (
    "huying/consultations/tests/test_api.py",
    "huying/consultations/tests/test_live_and_outcome.py",
    "huying/consultations/tests/test_workflow.py",
    "huying/core/tests/test_leader_dashboard.py",
    "huying/core/tests/test_shell.py",
    "huying/handling/tests/test_feedback_metrics.py",
    "huying/handling/tests/test_limits_and_commands.py",
    "huying/handling/tests/test_notification_api.py",
    "huying/handling/tests/test_split_metrics.py",
    "huying/handling/tests/test_sweep.py",
    "huying/handling/tests/test_transitions.py",
    "huying/open311/tests/test_endpoints.py",
    "huying/opinions/tests/test_api.py",
    "huying/opinions/tests/test_instructions.py",
    "huying/opinions/tests/test_pages.py",
    "huying/opinions/tests/test_workflow.py",
    "huying/proposals/tests/test_editor.py",
    "huying/proposals/tests/test_handling.py",
    "huying/proposals/tests/test_handling_access.py",
    "huying/proposals/tests/test_handling_visibility.py",
    "huying/proposals/tests/test_search.py",
    "huying/proposals/tests/test_stats.py",
    "huying/proposals/tests/test_workflow.py",
    "huying/workorders/tests/test_access.py",
    "huying/workorders/tests/test_api_handling.py",
    "huying/workorders/tests/test_console_handling.py",
    "huying/workorders/tests/test_dashboard_pages.py",
    "huying/workorders/tests/test_dispatch.py",
    "huying/workorders/tests/test_dispatch_suggestion.py",
    "huying/workorders/tests/test_duplicates.py",
    "huying/workorders/tests/test_exports.py",
    "huying/workorders/tests/test_intake.py",
    "huying/workorders/tests/test_pages.py",
    "huying/workorders/tests/test_public_api.py",
    "huying/workorders/tests/test_public_hardening.py",
    "huying/workorders/tests/test_public_pages.py",
    "huying/workorders/tests/test_stats.py",
    "huying/workorders/tests/test_supervision.py",
    "huying/workorders/tests/test_uploads.py",
    "huying/workorders/tests/test_visibility_matrix.py",
    "huying/duty/tests/test_api.py",
    "huying/duty/tests/test_ledger.py",
    "huying/duty/tests/test_pages.py",
    "huying/duty/tests/test_proposal_acts.py",
    "huying/activities/tests/test_workflow.py",
    "huying/activities/tests/test_pages.py",
    "huying/activities/tests/test_api.py",
    "huying/reception/tests/test_sessions.py",
    "huying/reception/tests/test_questions.py",
    "huying/reception/tests/test_api.py",
    "huying/cockpit/tests/test_cockpit.py",
    "huying/columns/tests/test_columns.py",
    "huying/columns/tests/test_api.py",
    "huying/reports/tests/test_reports.py",
    "huying/workorders/tests/test_summary.py",
)


@dataclass
class SharedPeople:
    tree: Tree
    people: dict[str, User]
    # What the module's ``build_shared_data(shared)`` built on top (read-only data of its
    # tests, e.g. the work-order statistics' month), by name; copied per test with the rest.
    data: dict[str, Any] = field(default_factory=dict)


def _shares_people(request: pytest.FixtureRequest) -> bool:
    root = str(request.config.rootpath) + "/"
    return str(request.path).removeprefix(root) in SHARED_PEOPLE_MODULES


@pytest.fixture(scope="module", autouse=True)
def _shared_people_build(request: pytest.FixtureRequest) -> Iterator[SharedPeople | None]:
    if not _shares_people(request):
        yield None
        return
    request.getfixturevalue("django_db_setup")
    blocker = request.getfixturevalue("django_db_blocker")
    outer = transaction.atomic()
    with blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        outer.__enter__()
        try:
            tree = build_tree()
            shared = SharedPeople(tree, {username: make_person(username, tree) for username in NAMED_PEOPLE})
            build_more = getattr(request.module, "build_shared_data", None)
            if build_more is not None:
                shared.data.update(build_more(shared))
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield shared
    finally:
        with blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def _shared_people(_shared_people_build: SharedPeople | None, request: pytest.FixtureRequest) -> SharedPeople | None:
    """This test's own copy of the module's shared build (one memo: identities are kept)."""
    if _shared_people_build is None:
        return None
    if "real_hasher" in request.keywords:
        pytest.fail("a real_hasher test cannot share the module's people (built with the fast hasher)")
    request.getfixturevalue("db")
    return copy.deepcopy(_shared_people_build)


@pytest.fixture
def tree(db: None, _shared_people: SharedPeople | None) -> Tree:
    return _shared_people.tree if _shared_people else build_tree()


def _person(username: str, tree: Tree | None, shared: SharedPeople | None) -> User:
    return shared.people[username] if shared else make_person(username, tree)


@pytest.fixture
def alice(tree: Tree, _shared_people: SharedPeople | None) -> User:
    return _person("alice", tree, _shared_people)


@pytest.fixture
def bob(tree: Tree, _shared_people: SharedPeople | None) -> User:
    return _person("bob", tree, _shared_people)


@pytest.fixture
def charlie(tree: Tree, _shared_people: SharedPeople | None) -> User:
    return _person("charlie", tree, _shared_people)


@pytest.fixture
def dora(db: None, _shared_people: SharedPeople | None) -> User:
    return _person("dora", None, _shared_people)


@pytest.fixture
def admin(tree: Tree, _shared_people: SharedPeople | None) -> User:
    return _person("admin", tree, _shared_people)


@pytest.fixture(autouse=True)
def _fresh_process_snapshots() -> None:
    """Intake caches categories and places per process (huying/workorders/reference.py), the
    engine the working-day calendar (huying/handling/calendar.py), the API the tokens it
    checked (huying/accounts/token_cache.py): a rolled-back test must not leave its rows in
    any of them for the next one."""
    from huying.accounts import token_cache
    from huying.handling import calendar
    from huying.workorders import reference

    token_cache.forget()
    reference.clear()
    calendar.invalidate()
