"""The leaders' cockpit: who opens it, which half each reads, the figures and their links,
the JSON the screen polls (and the API), the cache by scope and the fixed query count."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from huying.accounts.models import User
from huying.cockpit import data
from huying.core.tests.cache import clear_cache
from huying.core.tests.conftest import World, _order, build_shared_world
from huying.core.tests.conftest import world as world
from huying.workorders.stats import Scope

pytestmark = pytest.mark.django_db

PAGE, SCREEN, JSON, API = "/cockpit/", "/cockpit/screen/", "/cockpit/data.json", "/api/v1/cockpit"

# The world of the leaders' dashboard tests, built once for the module (root conftest.py).
build_shared_data = build_shared_world


@pytest.fixture(autouse=True)
def at_build_time(world: World) -> Iterator[None]:
    """Read the figures at the moment the world was built (today's counts cannot change if
    midnight passes meanwhile), with an empty cache."""
    clear_cache()
    with time_machine.travel(world.built_at, tick=False):
        yield
    clear_cache()


def _person(world: World, who: str) -> User | None:
    return world.people[who]


def _client(world: World, who: str) -> Client:
    client = Client()
    person = _person(world, who)
    if person is not None:
        client.force_login(person)
    return client


def _json(world: World, who: str) -> dict[str, Any]:
    response = _client(world, who).get(JSON)
    assert response.status_code == 200, response.content
    result: dict[str, Any] = response.json()
    return result


@pytest.mark.parametrize("who", ["member", "agency_staff", "unit_staff", "street_handler", "public"])
def test_people_without_a_cockpit_are_refused_with_a_reason(world: World, who: str) -> None:
    client = _client(world, who)
    for url in (PAGE, SCREEN):
        response = client.get(url)
        assert response.status_code == 403
        assert "驾驶舱" in response.content.decode()
    response = client.get(JSON)
    assert response.status_code == 403
    assert "驾驶舱" in response.json()["message"]
    assert client.get(API).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in_and_the_json_is_refused(world: World) -> None:
    client = Client()
    for url in (PAGE, SCREEN):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert client.get(JSON).status_code == 403
    assert client.get(API).status_code in (401, 403)


def test_district_leader_reads_his_districts_orders_and_only_the_dashboards_proposal_figures(world: World) -> None:
    figures = _json(world, "district_leader")
    wo, cp = figures["workorders"], figures["cppcc"]
    # Four orders were received today in 荔湾, one of them resolved by the department.
    assert (wo["today"], wo["month"], wo["overdue"]) == (4, 4, 0)
    assert wo["rates"]["response"] is not None
    assert sum(day["count"] for day in wo["trend"]) == 4 and len(wo["trend"]) == data.TREND_DAYS
    assert [s["name"] for s in wo["streets"]] == ["沙面街道"]
    assert wo["streets"][0]["count"] == 4 and wo["streets"][0]["lat"] == pytest.approx(23.108)
    assert wo["geo"]["districts"] == ["440103"]
    assert wo["links"]["red_black"] == "/workorders/stats/red-black/"
    # The proposal half is the dashboard's: his key proposal, his units' proposals; no
    # CPPCC internals (session statistics, opinion reports, members).
    mine = world.key_proposals["district_leader"]
    assert [row["title"] for row in cp["key"]["rows"]] == [mine.title]
    assert cp["key"]["rows"][0]["url"] == f"/proposals/{mine.pk}/"
    assert cp["key"]["units"]["total"] == 2
    assert cp["sessions"] is None and cp["opinions"] is None and cp["members"] is None


def test_district_leaders_page_links_every_figure_to_a_page_he_may_open(world: World) -> None:
    client = _client(world, "district_leader")
    html = client.get(PAGE).content.decode()
    for url in ("/workorders/dashboard/", "/workorders/stats/", "/workorders/stats/red-black/", "/insight/topics/"):
        assert f'href="{url}' in html
    assert 'href="/proposals/stats/' not in html  # no session statistics for him
    assert "沙面街道" in html
    for url in ("/workorders/dashboard/", "/workorders/stats/?group_by=street", "/workorders/stats/red-black/"):
        assert client.get(url).status_code == 200, url


def test_cppcc_leader_reads_no_work_orders_and_the_cppccs_figures(world: World) -> None:
    figures = _json(world, "cppcc_leader")
    assert figures["workorders"] is None
    cp = figures["cppcc"]
    # The session: three submitted proposals (one awaiting review, two filed and assigned).
    sessions = cp["sessions"]
    states = {s["key"]: s["value"] for s in sessions["states"]}
    assert sessions["submitted"] == 3
    assert states["pending"] == 1 and states["handling"] == 2
    assert sessions["satisfaction"]["rate"] is None  # nothing rated yet
    # Both key proposals of his CPPCC; only his own links to the proposal.
    rows = {row["title"]: row["url"] for row in cp["key"]["rows"]}
    mine, other = world.key_proposals["cppcc_leader"], world.key_proposals["district_leader"]
    assert rows == {mine.title: f"/proposals/{mine.pk}/", other.title: None}
    assert cp["opinions"]["adopted"] == 0 and cp["opinions"]["url"] == "/opinions/issues/"
    assert cp["members"]["url"] == "/duty/record/rankings/"
    html = _client(world, "cppcc_leader").get(SCREEN).content.decode()
    assert "/workorders/" not in html
    assert 'href="/proposals/stats/"' in html


def test_dispatcher_opens_the_wall_screen_with_the_work_order_half_only(world: World) -> None:
    figures = _json(world, "dispatcher")
    assert figures["cppcc"] is None
    assert figures["workorders"]["today"] == 4
    html = _client(world, "dispatcher").get(SCREEN).content.decode()
    assert 'data-chart="streets"' in html and "ck-cp" not in html


def test_administrator_reads_both_halves_in_full(world: World) -> None:
    figures = _json(world, "admin")
    assert figures["workorders"]["today"] == 4
    cp = figures["cppcc"]
    assert cp["key"]["figures"]["total"] == 2
    assert cp["sessions"]["submitted"] == 3
    assert cp["members"] is not None and cp["opinions"] is not None
    response = _client(world, "admin").get(API)
    assert response.status_code == 200
    assert response.json()["workorders"]["today"] == 4


def test_leaders_dashboard_links_the_cockpit(world: World) -> None:
    html = _client(world, "district_leader").get("/dashboard/").content.decode()
    assert 'href="/cockpit/"' in html and 'href="/cockpit/screen/"' in html
    assert _client(world, "dispatcher").get("/console/").status_code == 200
    assert 'href="/cockpit/screen/"' in _client(world, "dispatcher").get("/console/").content.decode()


def test_the_figures_are_cached_for_a_short_time_per_scope(world: World, settings: Any) -> None:
    leader = _person(world, "district_leader")
    dispatcher = _person(world, "dispatcher")
    assert leader is not None and dispatcher is not None
    assert data.scope_key(Scope.for_user(leader)) == data.scope_key(Scope.for_user(dispatcher))
    assert data.scope_key(Scope.all()) == "all"
    assert data.build(leader)["workorders"]["today"] == 4
    _order(dispatcher, 90)
    # The dispatcher shares the district leader's scope: he reads the cached figures.
    assert data.build(dispatcher)["workorders"]["today"] == 4
    with time_machine.travel(world.built_at.timestamp() + data.CACHE_SECONDS + 1, tick=False):
        assert data.build(dispatcher)["workorders"]["today"] == 5


def test_a_build_runs_a_bounded_number_of_queries_whatever_the_data(
    world: World, django_assert_max_num_queries: Any
) -> None:
    admin = _person(world, "admin")
    dispatcher = _person(world, "dispatcher")
    assert admin is not None and dispatcher is not None
    data.build(admin, use_cache=False)  # warm: content types, the people's roles
    with CaptureQueriesContext(connection) as before:
        data.build(admin, use_cache=False)
    for n in range(91, 97):
        _order(dispatcher, n)
    with django_assert_max_num_queries(24), CaptureQueriesContext(connection) as after:
        data.build(admin, use_cache=False)
    assert len(after.captured_queries) == len(before.captured_queries)
    # Through the cache: no query at all for the figures.
    data.build(admin)
    with django_assert_max_num_queries(0):
        data.build(admin)
