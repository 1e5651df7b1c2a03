"""The shell: who may enter which area, where each person lands, refusals, the registry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.accounts.tests.factories import UserFactory
from huying.core import navigation
from huying.core.navigation import AREAS, Entry, register, unregister
from huying.core.views import landing_area

MEMBER_SECTIONS = ["duty", "consult", "interact", "news", "thinktank"]
ALL_AREAS = [*MEMBER_SECTIONS, "public", "console", "dashboard"]


@pytest.fixture
def leader(tree: Any) -> User:
    return UserFactory(username="lena", real_name="刘领", roles=[(Role.LEADER, tree.province_cppcc)])


@pytest.fixture
def anonymous() -> None:
    return None


# Who may enter which area: the named people and a leader.
MAY_ENTER = {
    "alice": {*MEMBER_SECTIONS, "public"},  # member
    "bob": {*MEMBER_SECTIONS, "public", "console"},  # agency staff
    "charlie": {"public", "console"},  # handling unit staff
    "dora": {"public"},  # member of the public
    "admin": set(ALL_AREAS),
    "leader": {*MEMBER_SECTIONS, "public", "dashboard"},
    "anonymous": {"public"},
}
LANDS_ON = {
    "alice": "duty",
    "bob": "console",
    "charlie": "console",
    "dora": "public",
    "admin": "console",
    "leader": "dashboard",
}


def client_for(request: pytest.FixtureRequest, who: str) -> Client:
    client = Client()
    user = request.getfixturevalue(who)
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("who", list(MAY_ENTER))
@pytest.mark.parametrize("area_key", ALL_AREAS)
def test_who_may_enter_which_area(request: pytest.FixtureRequest, who: str, area_key: str) -> None:
    client = client_for(request, who)
    response = client.get(reverse(f"core:{area_key}"))
    if area_key in MAY_ENTER[who]:
        assert response.status_code == 200
        assert response.context["area"].key == area_key
    elif who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login") + "?next=")
        assert f"/{area_key}/" in response["Location"]
    else:
        assert response.status_code == 403
        assert str(AREAS[area_key].refusal) in response.content.decode()


@pytest.mark.parametrize("who", list(LANDS_ON))
def test_each_person_lands_on_what_their_roles_open(request: pytest.FixtureRequest, who: str) -> None:
    user = request.getfixturevalue(who)
    assert landing_area(user) == LANDS_ON[who]
    client = client_for(request, who)
    response = client.get(reverse("core:home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse(f"core:{LANDS_ON[who]}")
    assert response.status_code == 200


def test_anonymous_home_is_a_front_page(client: Client, db: None) -> None:
    with translation.override("zh-hans"):
        response = client.get(reverse("core:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("accounts:login") in html
    assert reverse("core:public") in html
    # The public zone's functions are listed: those a module registered link to their
    # pages, the others are honestly marked as not live yet.
    with translation.override("zh-hans"):
        live = {str(e.title): e.url for e in navigation.entries_for(response.wsgi_request.user, "public")}
        for title in AREAS["public"].planned:
            assert str(title) in html
            if str(title) in live:
                assert f'href="{live[str(title)]}"' in html
    assert html.count("即将上线") >= len([t for t in AREAS["public"].planned if str(t) not in live])
    # Every registered public entry is linked, whether it was planned or not.
    with translation.override("zh-hans"):
        for entry in navigation.entries_for(response.wsgi_request.user, "public"):
            assert str(entry.title) in html and f'href="{entry.url}"' in html
    assert landing_area(response.wsgi_request.user) == "public"


def test_refusal_page_names_who_the_area_is_for_and_links_home(client: Client, dora: User) -> None:
    client.force_login(dora)
    with translation.override("zh-hans"):
        response = client.get(reverse("core:console"))
        html = response.content.decode()
        assert response.status_code == 403
        assert "工作台仅向" in html
        assert 'href="/"' in html


def test_refusal_in_english(client: Client, alice: User) -> None:
    client.force_login(alice)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 403
    assert "The dashboard is open only to leaders and administrators." in response.content.decode()


def test_not_found_page(client: Client, db: None) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert reverse("core:home") in response.content.decode()


def test_server_error_page_renders_without_the_request(rf: Any) -> None:
    from huying.core.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "<h1" in response.content.decode()


@pytest.fixture
def duty_entry() -> Iterator[Entry]:
    entry = Entry(
        area="duty",
        key="test-proposals",
        title="Test proposals",
        url_name="accounts:profile",
        description="A registered entry",
        roles=frozenset({Role.MEMBER}),
    )
    register(entry)
    yield entry
    unregister("duty", "test-proposals")


def test_area_lists_registered_entries_as_cards(client: Client, alice: User, duty_entry: Entry) -> None:
    client.force_login(alice)
    response = client.get(reverse("core:duty"))
    html = response.content.decode()
    assert 'class="cards"' in html
    assert "Test proposals" in html
    assert reverse("accounts:profile") in html
    assert 'class="coming"' not in html


def test_entries_are_filtered_by_role(client: Client, bob: User, duty_entry: Entry) -> None:
    client.force_login(bob)  # agency staff may enter Duty, but the entry is for members
    response = client.get(reverse("core:duty"))
    html = response.content.decode()
    assert "Test proposals" not in html
    assert 'class="coming"' in html


def test_area_without_entries_shows_what_is_planned(client: Client, alice: User) -> None:
    client.force_login(alice)
    with translation.override("zh-hans"):
        response = client.get(reverse("core:news"))
        html = response.content.decode()
        assert "即将上线" in html
        for item in AREAS["news"].planned:
            assert str(item) in html


def test_register_refuses_unknown_area_and_duplicates(duty_entry: Entry) -> None:
    with pytest.raises(ValueError, match="Unknown area"):
        register(Entry(area="nowhere", key="x", title="X", url_name="core:home"))
    with pytest.raises(ValueError, match="registered twice"):
        register(duty_entry)
    assert navigation.entries_for(None, "duty") == []  # anonymous: role-bound entry hidden


def test_navigation_shows_the_areas_a_person_may_enter(client: Client, charlie: User) -> None:
    client.force_login(charlie)
    response = client.get(reverse("core:console"))
    assert [a.key for a in response.context["shell_areas"]] == ["public", "console"]
    assert response.context["shell_tabs"] == []
    assert 'class="tabbar"' not in response.content.decode()


def test_member_gets_the_five_section_tab_bar(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = client.get(reverse("core:duty"))
    assert [a.key for a in response.context["shell_tabs"]] == MEMBER_SECTIONS
    html = response.content.decode()
    assert 'class="tabbar"' in html
    assert html.count('class="tab tab-') == 5
    assert 'aria-current="page"' in html


@time_machine.travel(dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.UTC))
def test_dates_use_the_chinese_format(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = client.get(reverse("core:duty"))
    html = response.content.decode()
    assert "2026年11月26日" in html
    assert "星期四" in html


def test_shell_pages_have_no_inline_scripts_or_styles(client: Client, alice: User) -> None:
    client.force_login(alice)
    html = client.get(reverse("core:duty")).content.decode()
    assert "style=" not in html
    assert "<script>" not in html
    assert " onclick=" not in html


def test_an_entrys_visible_test_hides_it_from_some_holders_of_its_roles(alice: User, erin_like: User) -> None:
    entry = Entry(
        area="duty",
        key="test-visible",
        title="Only alice",
        url_name="accounts:profile",
        roles=frozenset({Role.MEMBER}),
        visible=lambda user: user.username == "alice",
    )
    register(entry)
    try:
        assert entry in navigation.entries_for(alice, "duty")
        assert entry not in navigation.entries_for(erin_like, "duty")
    finally:
        unregister("duty", "test-visible")


@pytest.fixture
def erin_like(tree: Any) -> User:
    return UserFactory(username="erin", real_name="周燕", roles=[(Role.MEMBER, tree.province_cppcc)])


def test_panels_are_shown_with_their_context_to_whom_they_concern(client: Client, alice: User, bob: User) -> None:
    panel = navigation.Panel(
        area="duty",
        key="test-panel",
        template="core/includes/icon.html",
        context=lambda user: {"name": "clock"} if user.username == "alice" else None,
        roles=frozenset({Role.MEMBER, Role.AGENCY_STAFF}),
        stylesheets=("css/dashboard.css",),
    )
    navigation.register_panel(panel)
    try:
        with pytest.raises(ValueError, match="registered twice"):
            navigation.register_panel(panel)
        with pytest.raises(ValueError, match="Unknown area"):
            navigation.register_panel(navigation.Panel("nowhere", "x", "t.html", lambda user: {}))
        assert navigation.panels_for(alice, "duty") == [(panel, {"name": "clock"})]
        assert navigation.panels_for(bob, "duty") == []  # nothing for him to read
        assert navigation.panels_for(None, "duty") == []
        client.force_login(alice)
        html = client.get(reverse("core:duty")).content.decode()
        assert "css/dashboard.css" in html
    finally:
        navigation.unregister_panel("duty", "test-panel")
