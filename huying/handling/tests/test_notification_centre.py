"""The notification centre's pages (/notifications/), the links to the cases, marking read.

The notifications are the ones the workflows really write: a hotline work order
dispatched to 沙面街道 (two staff: jiedao and jiedao2) and alice's proposal filed by bob and
assigned to the education bureau (gina) — see the ``centre`` fixture.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from huying.accounts.choices import Role
from huying.accounts.tests.factories import UserFactory
from huying.audit.labels import action_label
from huying.audit.models import AuditEntry
from huying.handling import actions
from huying.handling import actions as engine
from huying.handling import centre as centre_reads
from huying.handling.models import Notification
from huying.handling.templatetags.handling_tags import short_time
from huying.handling.tests.conftest import SHANGHAI

LIST = "/notifications/"
BADGE = "/notifications/badge/"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def order_notice(centre: Any) -> Notification:
    return Notification.objects.get(case_id=centre.order.pk, recipient_unit=centre.order_lead.unit)


def clone(notification: Notification, count: int, **changes: Any) -> None:
    """``count`` more notifications like ``notification`` (older than it, unread)."""
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_user_id=changes.get("recipient_user_id", notification.recipient_user_id),
                recipient_unit_id=changes.get("recipient_unit_id", notification.recipient_unit_id),
                kind=notification.kind,
                case_type_id=notification.case_type_id,
                case_id=notification.case_id,
                assignment_id=notification.assignment_id,
                text=f"{notification.text} #{i}",
                created_at=notification.created_at - timedelta(minutes=i + 1),
            )
            for i in range(count)
        ]
    )


# --- who sees what ------------------------------------------------------------------------


def test_a_units_notification_is_seen_by_every_staff_of_the_unit_and_not_by_charlie(centre, charlie):
    notice = order_notice(centre)
    for staff in (centre.street_a, centre.street_b):
        response = client_for(staff).get(LIST)
        assert response.status_code == 200
        assert [n.pk for n in response.context["items"]] == [notice.pk]
        assert response.context["unread"] == 1
        assert notice.text in response.content.decode()
    response = client_for(charlie).get(LIST)
    assert response.status_code == 200
    assert response.context["items"] == [] and response.context["unread"] == 0
    assert notice.text not in response.content.decode()


def test_dora_gets_an_empty_centre_and_anonymous_visitors_are_sent_to_log_in(centre, dora):
    response = client_for(dora).get(LIST)
    assert response.status_code == 200 and response.context["items"] == []
    assert "还没有消息" in response.content.decode()
    badge = client_for(dora).get(BADGE)
    assert badge.status_code == 200 and "data-count" not in badge.content.decode()

    notice = order_notice(centre)
    anonymous = Client()
    response = anonymous.get(LIST)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/notifications/")
    assert anonymous.post(f"/notifications/{notice.pk}/open/").status_code == 302
    assert anonymous.post("/notifications/read-all/").status_code == 302
    assert anonymous.get(BADGE).status_code == 204
    notice.refresh_from_db()
    assert notice.read_at is None


# --- opening a notification ------------------------------------------------------------------


def test_opening_marks_the_units_notification_read_for_the_whole_unit_and_lands_on_the_case(centre):
    notice = order_notice(centre)
    client = client_for(centre.street_a)
    response = client.post(f"/notifications/{notice.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == f"/workorders/inbox/{centre.order_lead.pk}/"
    assert client.get(response["Location"]).status_code == 200  # the link really opens the case

    notice.refresh_from_db()
    assert notice.read_at is not None
    # Read once for the unit: jiedao2 finds it read too.
    assert centre_reads.unread_count(centre.street_b) == 0
    other = client_for(centre.street_b).get(LIST)
    assert other.context["unread"] == 0 and 'class="notification is-unread"' not in other.content.decode()
    # The audit log says who read it for the unit.
    entry = AuditEntry.objects.get(action="notification.read")
    assert entry.actor == centre.street_a and entry.object_id == str(notice.pk)

    # Opening it again changes nothing (the first read time stays, no second audit entry).
    first = notice.read_at
    client_for(centre.street_b).post(f"/notifications/{notice.pk}/open/")
    notice.refresh_from_db()
    assert notice.read_at == first
    assert AuditEntry.objects.filter(action="notification.read").count() == 1


def test_reading_pages_never_changes_anything(centre):
    notice = order_notice(centre)
    client = client_for(centre.street_a)
    assert client.get(f"/notifications/{notice.pk}/open/").status_code == 405
    assert client.get("/notifications/read-all/").status_code == 405
    assert client.get(LIST).status_code == 200
    assert client.get(f"{LIST}?show=unread").status_code == 200
    assert client.get(BADGE).status_code == 200
    notice.refresh_from_db()
    assert notice.read_at is None
    assert not AuditEntry.objects.filter(action__startswith="notification.").exists()


def test_someone_elses_notification_is_404_and_nothing_changes(centre, alice, charlie):
    notice = order_notice(centre)
    proposal_unit_notice = Notification.objects.get(recipient_unit=centre.edu)
    assert client_for(charlie).post(f"/notifications/{notice.pk}/open/").status_code == 404
    assert client_for(alice).post(f"/notifications/{proposal_unit_notice.pk}/open/").status_code == 404
    assert client_for(centre.street_a).post("/notifications/999999/open/").status_code == 404
    assert not Notification.objects.filter(pk__in=[notice.pk, proposal_unit_notice.pk], read_at__isnull=False).exists()
    # The action refuses too, whoever calls it.
    with pytest.raises(actions.NotAllowed):
        actions.do_mark_notification_read(charlie, notice)
    notice.refresh_from_db()
    assert notice.read_at is None


# --- the links to the cases ------------------------------------------------------------------


def test_each_person_is_taken_to_their_page_of_the_case(centre, alice, bob):
    from huying.proposals import notifications as proposal_notifications
    from huying.workorders import actions as order_actions

    # The street resolves the order: the command centre (the office) hears of it.
    engine.do_accept(centre.street_a, centre.order_lead)
    order_actions.do_resolve(centre.street_a, centre.order_lead, result="摊贩已劝离")
    # The proposals committee hears of an objection to publication (a unit notice without assignment).
    proposal_notifications.send(
        centre.proposal, "提案人反对公开", timezone.now(), units=[centre.proposal.session.cppcc_id]
    )

    expected = {
        centre.street_a: f"/workorders/inbox/{centre.order_lead.pk}/",
        centre.dispatcher: f"/workorders/console/{centre.order.pk}/",
        centre.edu_staff: f"/proposals/inbox/{centre.proposal_assignment.pk}/",
        alice: f"/proposals/{centre.proposal.pk}/",
        bob: f"/proposals/{centre.proposal.pk}/",
    }
    for person, url in expected.items():
        items = centre_reads.with_links(person, centre_reads.notifications_for(person))
        assert items, person
        assert {n.url for n in items} == {url}, person
        client = client_for(person)
        response = client.post(f"/notifications/{items[0].pk}/open/")
        assert response["Location"] == url
        assert client.get(url).status_code == 200, (person, url)


def test_a_notification_without_a_case_page_is_marked_read_and_the_list_comes_back(make_assignment, people, tree):
    """The engine's test workflow registers no ``case_url``: no link, no error."""
    make_assignment()
    notice = Notification.objects.get(recipient_unit=tree.street)
    client = client_for(people.street_handler)
    page = client.get(LIST)
    assert page.context["items"][0].url is None
    assert "没有可打开的页面" in page.content.decode()
    response = client.post(f"/notifications/{notice.pk}/open/", {"next": f"{LIST}?show=unread"})
    assert response["Location"] == f"{LIST}?show=unread"
    notice.refresh_from_db()
    assert notice.read_at is not None


# --- mark all read ---------------------------------------------------------------------------


def test_mark_all_read_marks_only_what_the_person_may_see_in_one_update(centre, alice):
    person = UserFactory(
        username="both", roles=[(Role.STREET_HANDLER, centre.order_lead.unit), (Role.UNIT_STAFF, centre.edu)]
    )
    clone(order_notice(centre), 5)
    mine = Notification.objects.visible_to(person).unread().count()
    assert mine == 1 + 5 + 1  # the street's order notices and the bureau's proposal notice
    others = list(Notification.objects.filter(recipient_user=alice).values_list("pk", flat=True))
    assert len(others) == 3

    person.active_roles  # noqa: B018 - loaded like any request does before the action
    with CaptureQueriesContext(connection) as queries:
        marked = actions.do_mark_all_notifications_read(person)
    assert marked == mine
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    assert len(updates) == 1 and "handling_notification" in updates[0]
    assert Notification.objects.visible_to(person).unread().count() == 0
    assert Notification.objects.filter(pk__in=others, read_at__isnull=True).count() == 3
    entry = AuditEntry.objects.get(action="notification.read_all")
    assert entry.changes["count"] == str(mine) and entry.actor == person
    with translation.override("zh-hans"):
        assert str(action_label(entry.action, entry.object_type)) == "将全部消息标为已读"
    # Nothing left: no second write, no audit entry.
    assert actions.do_mark_all_notifications_read(person) == 0
    assert AuditEntry.objects.filter(action="notification.read_all").count() == 1


def test_mark_all_read_from_the_page_returns_to_the_list(centre, charlie):
    client = client_for(centre.street_a)
    response = client.post("/notifications/read-all/", {"next": f"{LIST}?show=unread&page=1"}, follow=True)
    assert response.redirect_chain == [(f"{LIST}?show=unread&page=1", 302)]
    assert "1 条消息已标为已读" in response.content.decode()
    assert centre_reads.unread_count(centre.street_b) == 0
    # Someone else's "mark all read" leaves them alone; a foreign "next" is ignored.
    clone(order_notice(centre), 1)
    response = client_for(charlie).post("/notifications/read-all/", {"next": "https://evil.example/notifications/"})
    assert response["Location"] == LIST
    assert centre_reads.unread_count(centre.street_a) == 1


# --- the list ----------------------------------------------------------------------------------


def test_the_list_is_newest_first_20_a_page_and_filters_unread(centre):
    notice = order_notice(centre)
    clone(notice, 24)
    newest_read = Notification.objects.filter(recipient_unit=notice.recipient_unit).order_by("-created_at")[1]
    actions.do_mark_notification_read(centre.street_a, newest_read)
    client = client_for(centre.street_b)

    first = client.get(LIST)
    items = first.context["items"]
    assert len(items) == 20 and items[0].pk == notice.pk
    assert [n.created_at for n in items] == sorted((n.created_at for n in items), reverse=True)
    assert first.context["unread"] == 24
    html = first.content.decode()
    assert html.count('class="notification is-unread"') == 19 and html.count('class="notification"') == 1
    assert "第 1 页，共 2 页" in html
    assert len(client.get(f"{LIST}?page=2").context["items"]) == 5

    unread = client.get(f"{LIST}?show=unread")
    assert newest_read.pk not in [n.pk for n in unread.context["items"]]
    assert len(unread.context["items"]) == 20
    assert len(client.get(f"{LIST}?show=unread&page=2").context["items"]) == 4
    assert 'href="?show=unread&amp;page=2"' in unread.content.decode()


def _many(centre: Any, make_assignment: Any, tree: Any, per_workflow: int) -> Any:
    """A person who hears about three workflows (work orders and the engine's test
    workflow at the street, proposals at the bureau), with ``per_workflow`` more
    notifications of each."""
    person = UserFactory(roles=[(Role.STREET_HANDLER, tree.street), (Role.UNIT_STAFF, centre.edu)])
    make_assignment(unit=tree.street)
    for notice in (
        order_notice(centre),
        Notification.objects.get(recipient_unit=centre.edu),
        Notification.objects.filter(assignment__workflow="test").first(),
    ):
        clone(notice, per_workflow)
    return person


@pytest.mark.parametrize("per_workflow", [0, 30])
def test_the_list_issues_a_fixed_number_of_queries(
    centre, make_assignment, tree, per_workflow, django_assert_num_queries
):
    person = _many(centre, make_assignment, tree, per_workflow)
    client = client_for(person)
    # session, person, roles, unread count, page count, the page (joined with case type,
    # assignment and unit): whatever the number of notifications and workflows.
    with django_assert_num_queries(6):
        response = client.get(LIST)
    assert len(response.context["items"]) == min(20, 3 + 3 * per_workflow)


# --- the header badge ------------------------------------------------------------------------


def test_the_badge_shows_the_unread_count(centre):
    client = client_for(centre.street_a)
    html = client.get(BADGE).content.decode()
    assert 'data-count="1"' in html and "1 条未读" in html
    clone(order_notice(centre), 120)
    html = client.get(BADGE).content.decode()
    assert 'data-count="121"' in html and ">99+<" in html
    actions.do_mark_all_notifications_read(centre.street_b)
    assert "data-count" not in client.get(BADGE).content.decode()


def test_the_shell_loads_the_badge_lazily_for_logged_in_people_only(centre, django_assert_num_queries):
    anonymous = Client().get("/public/").content.decode()
    assert "notifications-link" not in anonymous and BADGE not in anonymous
    client = client_for(centre.street_a)
    page = client.get("/inbox/").content.decode()
    assert f'hx-get="{BADGE}"' in page and 'hx-trigger="load"' in page
    assert 'href="/notifications/"' in page


# --- times as Chinese users read them ----------------------------------------------------------


def test_times_read_as_chinese_users_read_them():
    now = datetime(2026, 3, 2, 15, 0, tzinfo=SHANGHAI)
    with translation.override("zh-hans"):
        assert short_time(datetime(2026, 3, 2, 14, 30, tzinfo=SHANGHAI), now) == "今天 14:30"
        assert short_time(datetime(2026, 3, 1, 9, 5, tzinfo=SHANGHAI), now) == "昨天 09:05"
        assert short_time(datetime(2026, 1, 5, 8, 0, tzinfo=SHANGHAI), now) == "1月5日"
        assert short_time(datetime(2025, 12, 1, 8, 0, tzinfo=SHANGHAI), now) == "2025年12月1日"
        # Just after midnight in Guangzhou is still "today" there (16:10 UTC the day before).
        assert short_time(datetime(2026, 3, 1, 16, 10, tzinfo=UTC), now) == "今天 00:10"
    with translation.override("en"):
        assert short_time(datetime(2026, 3, 2, 14, 30, tzinfo=SHANGHAI), now) == "Today 14:30"
        assert short_time(datetime(2025, 12, 1, 8, 0, tzinfo=SHANGHAI), now) == "1 Dec 2025"
