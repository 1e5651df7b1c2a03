"""The leaders' dashboard: the figures a leader reads first, scoped to what he may see, in a
fixed number of queries; the proposal statistics only for those with a session to read."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client

from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.accounts.tests.factories import UserFactory
from huying.core.tests.conftest import World, build_shared_world
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

DASHBOARD = "/dashboard/"

# The world is built once per module (SHARED_PEOPLE_MODULES, root conftest.py) and each test
# reads its own copy; what a test adds is rolled back with its savepoint.
build_shared_data = build_shared_world


@pytest.fixture(autouse=True)
def at_build_time(world: World) -> Iterator[None]:
    """The dashboard counts today's and this month's orders: read it at the moment the
    world was built, so that the figures cannot change if midnight passes meanwhile."""
    with time_machine.travel(world.built_at, tick=False):
        yield


def _page(user: User) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    return response.content.decode()


def _tile(html: str, label: str) -> str:
    match = re.search(rf'tile-label">{re.escape(label)}</span><span class="tile-value">([^<]*)<', html)
    assert match, f"no tile {label!r}"
    return match.group(1)


def _person(world: World, who: str) -> User:
    person = world.people[who]
    assert person is not None
    return person


def test_district_leader_reads_his_district_and_his_key_proposal(world: World) -> None:
    html = _page(_person(world, "district_leader"))
    # Four orders were received today in 荔湾, one of them resolved by the department.
    assert _tile(html, "今日受理") == "4"
    assert _tile(html, "本月受理") == "4"
    assert _tile(html, "当前超期") == "0"
    assert _tile(html, "响应率") != ""
    assert "红榜" in html and "黑榜" in html
    mine = world.key_proposals["district_leader"]
    assert f'href="/proposals/{mine.pk}/"' in html
    assert world.key_proposals["cppcc_leader"].title not in html
    # The proposals assigned to the district's units (the department has two).
    assert "分配给本单位的提案" in html
    # Links down to the detailed pages; no link to proposal statistics (no session to read).
    for url in ("/workorders/dashboard/", "/workorders/stats/", "/workorders/stats/red-black/", "/proposals/key/"):
        assert f'href="{url}' in html
    assert 'href="/proposals/stats/' not in html


def test_cppcc_leader_reads_the_cppccs_key_proposals_and_statistics(world: World) -> None:
    html = _page(_person(world, "cppcc_leader"))
    assert "今日受理" not in html  # a CPPCC handles no work orders
    assert 'href="/workorders/dashboard/' not in html
    assert _tile(html, "重点提案") == "2"
    mine, other = world.key_proposals["cppcc_leader"], world.key_proposals["district_leader"]
    assert f'href="/proposals/{mine.pk}/"' in html
    # The CPPCC's other key proposal is listed, without a link he could not open.
    assert other.title in html
    assert f'href="/proposals/{other.pk}/"' not in html
    assert 'href="/proposals/stats/"' in html


def test_another_districts_leader_reads_nothing_of_this_district(world: World) -> None:
    yuexiu = OrganisationFactory(
        name="越秀区人民政府", kind=OrgKind.GOVERNMENT, level=OrgLevel.COUNTY, parent=world.tree.city_gov
    )
    outsider = UserFactory(username="yuexiu", real_name="越秀领导", roles=[(Role.LEADER, yuexiu)])
    html = _page(outsider)
    assert _tile(html, "今日受理") == "0"
    assert _tile(html, "本月受理") == "0"
    assert _tile(html, "重点提案") == "0"
    assert "沙面" not in html


def test_administrator_reads_both_panels(world: World) -> None:
    html = _page(_person(world, "admin"))
    assert _tile(html, "今日受理") == "4"
    assert _tile(html, "重点提案") == "2"


def test_district_leader_is_refused_proposal_statistics_with_a_reason(world: World) -> None:
    client = Client()
    client.force_login(_person(world, "district_leader"))
    response = client.get("/proposals/stats/")
    assert response.status_code == 403
    assert "政协领导" in response.content.decode()


def test_dashboard_query_count_is_fixed(world: World, django_assert_num_queries: Any) -> None:
    """A handful of aggregate queries, whatever the number of orders and proposals: the
    session and the person (3), the scope (1), orders today and this month, the week, the
    overdue (3), the three rates (2), the red and black list (3), the key proposals' figures,
    list and units (3), the units' proposal figures (2), whether he has statistics (1)."""
    client = Client()
    client.force_login(_person(world, "district_leader"))
    client.get(DASHBOARD)  # warm: content types
    with django_assert_num_queries(18):
        client.get(DASHBOARD)
