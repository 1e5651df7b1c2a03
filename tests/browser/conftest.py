"""Browser tests: Playwright for Python driving Debian's Chromium against pytest-django's live server.

One Chromium per test session (per xdist worker), a fresh browser context per test. The
tests never download a browser: they use /usr/bin/chromium and fail loudly without it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.accounts.tests.factories import UserFactory
from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, VIEWPORTS, open_page

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
# inside one unless told it is safe (the test thread is the only one using its connection).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# One person per role: (real name, attribute of the root conftest's tree the role is held in).
ROLE_PEOPLE: dict[str, tuple[str, str | None]] = {
    Role.MEMBER: ("王丽", "province_cppcc"),
    Role.AGENCY_STAFF: ("李波", "province_cppcc"),
    Role.UNIT_STAFF: ("陈超", "department"),
    Role.DISPATCHER: ("周调", "command_centre"),
    Role.STREET_HANDLER: ("吴街", "street"),
    Role.LEADER: ("刘领", "province_cppcc"),
    Role.ADMIN: ("孙管", "province_gov"),
    Role.PUBLIC: ("赵多", None),
}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests drive the system's Chromium. "
            "Install Debian's chromium: apt-get install chromium",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def person(tree: Any) -> Callable[[str], User]:
    """``person(Role.MEMBER)`` creates (once per test) a person holding that one role."""
    made: dict[str, User] = {}

    def make(role: str) -> User:
        if role not in made:
            real_name, org_attr = ROLE_PEOPLE[role]
            org = getattr(tree, org_attr) if org_attr else None
            made[role] = UserFactory(username=f"{role}-person", real_name=real_name, roles=[(role, org)])
        return made[role]

    return make


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def page(browser: Browser, viewport: str, live_server: Any) -> Iterator[Page]:
    """A page in a fresh context; fails the test on a script error or a CSP violation."""
    yield from open_page(browser, viewport)


@pytest.fixture
def axe_page(browser: Browser, viewport: str, live_server: Any) -> Iterator[Page]:
    """A page whose context ignores the content security policy, so that axe-core can be injected."""
    yield from open_page(browser, viewport, bypass_csp=True)
