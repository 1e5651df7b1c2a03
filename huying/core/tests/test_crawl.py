"""Every link a role is shown opens for that role.

For each demo role (the ``world`` fixture, huying/core/tests/conftest.py) the test logs in, starts at the landing page (``/``), and follows the
same-site links of the pages it reaches, breadth first, to a bounded depth and count. Every
link must open: 2xx, or a redirect to a page that opens; never 403, 404 or 500. A link a
role may not open must not be shown to it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from huying.core.tests.conftest import World

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
