"""The dispatch form in a real browser: the lead unit follows the chosen category's routing
rule, the unit lists filter as one types, and the public form counts characters."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.accounts.tests.factories import UserFactory
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.tests.factories import OrganisationFactory
from huying.workorders import actions
from huying.workorders.choices import Channel
from huying.workorders.models import RoutingRule
from tests.browser.helpers import log_in, open_page

pytestmark = pytest.mark.browser


@contextmanager
def opened(browser: Browser, viewport: str) -> Iterator[Page]:
    pages = open_page(browser, viewport)
    page = next(pages)
    try:
        yield page
    finally:
        with suppress(StopIteration):
            next(pages)


@pytest.fixture
def dispatcher(tree: Any, settings: Any, tmp_path: Path) -> User:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.WORKORDERS_CATEGORY_MODEL = str(tmp_path / "no-model.joblib")
    return UserFactory(username="diaodu", real_name="周调", roles=[(Role.DISPATCHER, tree.command_centre)])


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_lead_unit_follows_the_category_and_lists_filter(
    browser: Browser, live_server: Any, tree: Any, dispatcher: User, viewport: str
) -> None:
    civil = OrganisationFactory(
        name="荔湾区民政局", kind=OrgKind.DEPARTMENT, level=OrgLevel.COUNTY, parent=tree.district_gov
    )
    RoutingRule.objects.create(category_prefix="04", unit=tree.department, tier=2)
    RoutingRule.objects.create(category_prefix="15", unit=civil, tier=2)
    order = actions.do_intake(
        dispatcher,
        {
            "external_id": "GZ12345-POTHOLE",
            "content": "路面坑洼，老人经过容易摔倒。",
            "caller_phone": "13812341234",
            "category": "0401",
            "district": tree.district_gov.name,
            "street": tree.street.name,
        },
        Channel.HOTLINE,
    ).order
    with opened(browser, viewport) as page:
        log_in(page, live_server.url, dispatcher)
        page.goto(f"{live_server.url}/workorders/console/{order.pk}/")
        unit = page.locator("#id_unit")
        expect(page.locator("#id_category")).to_have_value("0401")
        expect(unit).to_have_value(str(tree.department.pk))
        page.select_option("#id_category", "1502")
        expect(unit).to_have_value(str(civil.pk))
        expect(page.locator("[data-route-reason]")).to_contain_text("荔湾区民政局")
        page.select_option("#id_category", "17")  # no rule: no unit
        expect(unit).to_have_value("")
        expect(page.locator("[data-route-reason]")).to_contain_text("没有分派规则")
        page.fill('[data-unit-filter="id_co_units"]', "民政局")
        visible = page.eval_on_selector_all("#id_co_units option:not([hidden])", "l => l.map(o => o.textContent)")
        assert visible == ["荔湾区民政局"]


def test_public_form_counts_characters(browser: Browser, live_server: Any, tree: Any, dispatcher: User) -> None:
    with opened(browser, "phone") as page:
        page.goto(f"{live_server.url}/workorders/report/")
        counter = page.locator("#id_content_count")
        expect(counter).to_have_text("已输入 0 / 4000 字")
        page.fill("#id_content", "坑" * 4010)
        expect(counter).to_contain_text("超出 4000 字上限 10 字")
        expect(page.locator("#id_content")).to_have_attribute("aria-invalid", "true")
        assert len(page.input_value("#id_content")) == 4010  # nothing was cut
