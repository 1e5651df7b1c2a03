"""Every link a role is shown opens for that role.

For each demo role the test logs in, starts at the landing page (``/``), and follows the
same-site links of the pages it reaches, breadth first, to a bounded depth and count. Every
link must open: 2xx, or a redirect to a page that opens; never 403, 404 or 500. A link a
role may not open must not be shown to it.

The data set is small but has something on every kind of page: work orders new,
dispatched, in progress and resolved; filed proposals assigned to units, one a key
proposal supervised by a CPPCC leader and one by the district leader; a draft.
"""

from __future__ import annotations

import datetime
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from conftest import Tree
from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.accounts.tests.factories import UserFactory
from huying.proposals import actions as proposal_actions
from huying.proposals import handling_actions
from huying.proposals.models import Session
from huying.workorders import actions as order_actions
from huying.workorders.choices import Channel
from huying.workorders.models import Category, RoutingRule

pytestmark = pytest.mark.django_db

MAX_DEPTH = 2  # the landing page is depth 0
MAX_PAGES = 90  # per role
PER_ROUTE = 2  # distinct URLs per URL pattern (two work orders prove the pattern)
# Never followed: leaving, switching language (both POST forms anyway), static files.
SKIP_PREFIXES = ("/accounts/logout", "/i18n/", "/static/", "/admin/")


class _Links(HTMLParser):
    """The URLs a page shows as links (``href``) or loads itself (htmx ``hx-get``)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and ((tag == "a" and name == "href") or name == "hx-get"):
                self.urls.append(value)


def links_of(html: str, base: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    found = []
    for raw in parser.urls:
        if raw.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
            continue
        parts = urlsplit(urljoin(base, raw))
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue  # another site
        if parts.path.startswith(SKIP_PREFIXES):
            continue
        query = parse_qs(parts.query)
        if any(key == "page" and value != ["1"] for key, value in query.items()):
            continue  # further pages of a list
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def _route(url: str) -> str:
    path = urlsplit(url).path
    try:
        return resolve(path).route
    except Resolver404:
        return path


@dataclass
class Crawl:
    opened: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)


def crawl(client: Client) -> Crawl:
    result = Crawl()
    seen: set[str] = {"/"}
    per_route: dict[str, int] = {}
    queue: deque[tuple[str, int, str]] = deque([("/", 0, "(start)")])
    while queue and len(result.opened) < MAX_PAGES:
        url, depth, source = queue.popleft()
        response = client.get(url)
        hops = 0
        final = url
        while response.status_code in (301, 302, 303, 307, 308) and hops < 5:
            final = urljoin(final, response["Location"])
            response = client.get(final)
            hops += 1
        result.opened.append(url)
        if response.status_code >= 300:
            result.broken.append(f"{response.status_code} {url} (shown on {source})")
            continue
        content_type = response.get("Content-Type", "")
        if depth >= MAX_DEPTH or not content_type.startswith("text/html") or response.streaming:
            continue
        for link in links_of(response.content.decode(), final):
            if link in seen:
                continue
            route = _route(link)
            if per_route.get(route, 0) >= PER_ROUTE:
                continue
            seen.add(link)
            per_route[route] = per_route.get(route, 0) + 1
            queue.append((link, depth + 1, final))
    return result


# --- the data set -------------------------------------------------------------------------
@dataclass
class World:
    people: dict[str, User | None]


def _order(dispatcher: User, n: int, **extra: Any) -> Any:
    data = {
        "external_id": f"GZ-CRAWL-{n}",
        "content": f"沙面大街{n}号路口有人乱摆卖，占用人行道。",
        "caller_name": "张三",
        "caller_phone": "13812341234",
        "nature": "投诉",
        "urgency": "normal",
        "category": "010101",
        "address": f"沙面大街{n}号",
        "latitude": 23.108,
        "longitude": 113.243,
        "street": "沙面街道",
        "community": "沙面社区",
        "area_class": "1",
        **extra,
    }
    return order_actions.do_intake(dispatcher, data, Channel.HOTLINE).order


@pytest.fixture
def world(tree: Tree, alice: User, bob: User, charlie: User, dora: User, admin: User, settings: Any, tmp_path: Any) -> World:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.WORKORDERS_CATEGORY_MODEL = str(tmp_path / "no-model.joblib")
    tree.district_gov.division_code = "440103"
    tree.district_gov.save(update_fields=["division_code"])
    dispatcher = UserFactory(username="diaodu", real_name="李敏", roles=[(Role.DISPATCHER, tree.command_centre)])
    street_handler = UserFactory(username="jiedao", real_name="梁晓峰", roles=[(Role.STREET_HANDLER, tree.street)])
    cppcc_leader = UserFactory(username="zhuxi", real_name="雷主席", roles=[(Role.LEADER, tree.province_cppcc)])
    district_leader = UserFactory(username="lingdao", real_name="张明远", roles=[(Role.LEADER, tree.district_gov)])

    # Work orders: new, dispatched, in progress, resolved.
    RoutingRule.objects.create(category_prefix="0101", unit=tree.street, tier=1)
    category = Category.objects.get(code="010101")
    _order(dispatcher, 1)
    dispatched = _order(dispatcher, 2)
    order_actions.do_dispatch(dispatcher, dispatched, tree.street, category=category)
    accepted = _order(dispatcher, 3)
    [lead] = order_actions.do_dispatch(dispatcher, accepted, tree.street, category=category)
    order_actions.do_accept(street_handler, lead)
    resolved = _order(dispatcher, 4)
    [lead] = order_actions.do_dispatch(dispatcher, resolved, tree.department, category=category)
    order_actions.do_accept(charlie, lead)
    order_actions.do_resolve(charlie, lead, result="已清理占道摊档，恢复人行道通行。")

    # Proposals: a draft, two filed and assigned (both key proposals), one awaiting review.
    session: Session = proposal_actions.do_create_session(
        None,
        cppcc=tree.province_cppcc,
        term=13,
        number=3,
        is_current=True,
        window_opens=datetime.date(2000, 1, 1),
        window_closes=datetime.date(2000, 1, 31),
    )

    def draft(title: str) -> Any:
        return proposal_actions.do_save_draft(alice, session=session, title=title, summary=title).proposal

    draft("关于加强老旧小区加装电梯工作的建议")
    proposal_actions.do_submit(alice, draft("关于完善社区养老服务的建议"))
    for title, leader in (
        ("关于推进中小学课后服务提质的建议", cppcc_leader),
        ("关于整治沙面街区占道经营的建议", district_leader),
    ):
        proposal = proposal_actions.do_file(bob, proposal_actions.do_submit(alice, draft(title)))
        handling_actions.do_assign(bob, proposal, mode="single", units=[tree.department])
        handling_actions.do_mark_key(bob, proposal, is_key=True, leader=leader)

    people: dict[str, User | None] = {
        "member": alice,
        "agency_staff": bob,
        "unit_staff": charlie,
        "dispatcher": dispatcher,
        "street_handler": street_handler,
        "cppcc_leader": cppcc_leader,
        "district_leader": district_leader,
        "admin": admin,
        "public": dora,
        "anonymous": None,
    }
    return World(people=people)


ROLES = [
    "member",
    "agency_staff",
    "unit_staff",
    "dispatcher",
    "street_handler",
    "cppcc_leader",
    "district_leader",
    "admin",
    "public",
    "anonymous",
]


@pytest.mark.parametrize("role", ROLES)
def test_every_link_shown_opens(world: World, role: str) -> None:
    client = Client()
    person = world.people[role]
    if person is not None:
        client.force_login(person)
    result = crawl(client)
    print(role, len(result.opened), *result.opened, sep='\n  ')
    assert len(result.opened) > 3, result.opened  # the crawl did reach beyond the landing page
    assert not result.broken, "\n".join(["Links that do not open:", *result.broken])


def test_links_of_keeps_same_site_links_and_first_pages_only() -> None:
    html = """
      <a href="/workorders/console/">console</a>
      <a href="https://example.com/x">elsewhere</a>
      <a href="#main">skip</a>
      <a href="?page=2">next</a>
      <a href="?page=1&amp;status=new">first</a>
      <a href="/static/css/huying.css">css</a>
      <span hx-get="/handling/badge/"></span>
    """
    assert links_of(html, "/workorders/inbox/") == [
        "/workorders/console/",
        "/workorders/inbox/?page=1&status=new",
        "/handling/badge/",
    ]
