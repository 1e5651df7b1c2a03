"""Opinion debates: status moves allowed and refused, one vote per person (changing is
allowed until close, never counted twice, also under 8 concurrent requests on
PostgreSQL), arguments (screened, moderated), likes once, the tally, the export."""

from __future__ import annotations

import datetime as dt
import io
import threading
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from huying.core.tests.cache import clear_cache
from huying.interaction import actions
from huying.interaction.choices import DebateStatus
from huying.interaction.models import Debate, DebateEvent, Vote
from huying.moderation import actions as moderation
from huying.moderation.choices import ItemStatus, WordAction
from huying.moderation.tests.conftest import make_public

NOW = dt.datetime(2026, 5, 1, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _clear_rate_limits() -> None:
    clear_cache()


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def make_debate(bob: Any, *, open_it: bool = True) -> Debate:
    d = actions.do_create_debate(
        bob,
        question="城市中心区是否应该限行燃油车？",
        side_a="应该限行",
        side_b="不应限行",
        opens_at=NOW - dt.timedelta(days=1),
        closes_at=NOW + dt.timedelta(days=7),
    )
    return actions.do_open_debate(bob, d) if open_it else d


@pytest.mark.django_db
def test_status_moves_allowed_and_refused(bob: Any, admin: Any, clock: Any) -> None:
    d = make_debate(bob, open_it=False)
    assert d.status == DebateStatus.DRAFT
    with pytest.raises(ValidationError):
        actions.do_close_debate(bob, d)
    actions.do_open_debate(admin, d)
    with pytest.raises(ValidationError):
        actions.do_open_debate(bob, d)
    d = actions.do_close_debate(bob, d)
    assert d.status == DebateStatus.CLOSED
    with pytest.raises(ValidationError):
        actions.do_close_debate(bob, d)
    assert list(DebateEvent.objects.filter(debate=d).values_list("from_status", "to_status")) == [
        ("draft", "open"),
        ("open", "closed"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["alice", "citizen", "dora"])
def test_only_staff_and_admins_manage_debates(request: pytest.FixtureRequest, bob: Any, clock: Any, who: str) -> None:
    person = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        make_debate(person)
    d = make_debate(bob, open_it=False)
    with pytest.raises(PermissionDenied):
        actions.do_open_debate(person, d)


@pytest.mark.django_db
def test_bad_input_is_refused(bob: Any, clock: Any) -> None:
    with pytest.raises(ValidationError) as info:
        actions.do_create_debate(bob, question="", side_a="是", side_b="否", opens_at=NOW, closes_at=NOW)
    assert set(info.value.message_dict) == {"question", "closes_at"}


@pytest.mark.django_db
def test_drafts_are_seen_by_staff_only(bob: Any, citizen: Any, clock: Any) -> None:
    d = make_debate(bob, open_it=False)
    assert not Debate.objects.visible_to(citizen).exists()
    assert not Debate.objects.visible_to(AnonymousUser()).exists()
    assert list(Debate.objects.visible_to(bob)) == [d]


@pytest.mark.django_db
def test_one_vote_per_person_changing_is_not_counted_twice(bob: Any, citizen: Any, neighbour: Any, clock: Any) -> None:
    d = make_debate(bob)
    actions.do_vote(citizen, d, "a")
    actions.do_vote(citizen, d, "a")
    actions.do_vote(neighbour, d, "a")
    d.refresh_from_db()
    assert (d.votes_a, d.votes_b) == (2, 0)
    actions.do_vote(citizen, d, "b")
    d.refresh_from_db()
    assert (d.votes_a, d.votes_b) == (1, 1)
    assert Vote.objects.filter(debate=d).count() == 2
    assert actions.user_vote(citizen, d) == "b"
    assert d.share_a == 50.0


@pytest.mark.django_db
def test_no_vote_outside_the_open_window_or_without_real_name(bob: Any, citizen: Any, dora: Any, clock: Any) -> None:
    d = make_debate(bob, open_it=False)
    with pytest.raises(ValidationError):
        actions.do_vote(citizen, d, "a")
    d = actions.do_open_debate(bob, d)
    for person in (dora, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            actions.do_vote(person, d, "a")
    with pytest.raises(ValidationError):
        actions.do_vote(citizen, d, "c")
    clock.move_to(NOW + dt.timedelta(days=8))
    with pytest.raises(ValidationError):
        actions.do_vote(citizen, d, "a")
    d = actions.do_close_debate(bob, d)
    clock.move_to(NOW)
    with pytest.raises(ValidationError):
        actions.do_vote(citizen, d, "a")
    d.refresh_from_db()
    assert d.total_votes == 0


@pytest.mark.django_db
def test_votes_are_rate_limited(bob: Any, citizen: Any, clock: Any) -> None:
    from huying.core.ratelimit import RateLimited

    d = make_debate(bob)
    for n in range(actions.VOTE_LIMIT):
        actions.do_vote(citizen, d, "ab"[n % 2])
    with pytest.raises(RateLimited):
        actions.do_vote(citizen, d, "a")
    d.refresh_from_db()
    assert d.total_votes == 1


@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_votes_of_one_person_count_once() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks and unique-index waits need PostgreSQL (SQLite serialises writes anyway)")
    staff = make_public("staff8", "管理员")
    staff.is_superuser = True  # an administrator without the organisation tree
    staff.save(update_fields=["is_superuser"])
    voter = make_public("voter8", "并发")
    d = actions.do_create_debate(
        staff, question="问题", side_a="是", side_b="否",
        opens_at=timezone.now() - dt.timedelta(hours=1), closes_at=timezone.now() + dt.timedelta(hours=1),
    )  # fmt: skip
    d = actions.do_open_debate(staff, d)
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def work(side: str) -> None:
        try:
            barrier.wait()
            actions.do_vote(voter, d, side)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=("ab"[n % 2],)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    d.refresh_from_db()
    vote = Vote.objects.get(debate=d, user=voter)
    assert d.total_votes == 1
    assert (d.votes_a, d.votes_b) == ((1, 0) if vote.side == "a" else (0, 1))


@pytest.mark.django_db
def test_arguments_are_screened_moderated_and_liked_once(bob: Any, citizen: Any, neighbour: Any, clock: Any) -> None:
    d = make_debate(bob)
    moderation.do_add_word(None, "傻瓜", action=WordAction.BLOCK)
    with pytest.raises(ValidationError):
        actions.do_argue(citizen, d, side="a", body="反对的人都是 傻 - 瓜")
    a = actions.do_argue(citizen, d, side="a", body="限行能明显改善空气质量。")
    assert a.moderation.status == ItemStatus.PUBLISHED  # arguments are not pre-moderated by default
    b = actions.do_argue(neighbour, d, side="a", body="限行能减少拥堵，提高通行效率。")
    moderation.do_set_space(bob, actions.ARGUMENTS, premoderated=True)
    c = actions.do_argue(neighbour, d, side="b", body="公共交通还不够完善。")
    assert c.moderation.status == ItemStatus.PENDING
    assert actions.do_like(neighbour, a) is True
    assert actions.do_like(neighbour, a) is False
    assert actions.do_like(citizen, a) is True
    with pytest.raises(ValidationError):
        actions.do_like(citizen, c)
    a.refresh_from_db()
    assert a.like_count == 2
    assert actions.strongest(d, "a") == [a, b]
    assert actions.strongest(d, "b") == []
    moderation.do_hide(bob, a.moderation, reason="离题")
    assert actions.strongest(d, "a") == [b]


@pytest.mark.django_db
def test_pages_api_and_export(client: Any, bob: Any, citizen: Any, dora: Any, clock: Any) -> None:
    d = make_debate(bob)
    assert client.get(reverse("interaction:debates")).status_code == 200
    page = client.get(reverse("interaction:debate", args=[d.pk]))
    assert page.status_code == 200 and "debate-data" in page.content.decode()
    client.force_login(citizen)
    client.post(reverse("interaction:vote", args=[d.pk]), {"side": "b"})
    client.post(reverse("interaction:argue", args=[d.pk]), {"side": "b", "body": "公共交通还不够完善。"})
    d.refresh_from_db()
    assert d.votes_b == 1
    response = client.post(f"/api/v1/interaction/debates/{d.pk}/vote", {"side": "a"}, content_type="application/json")
    assert response.json() == {"side": "a", "votes_a": 1, "votes_b": 0}
    detail = client.get(f"/api/v1/interaction/debates/{d.pk}").json()
    assert detail["my_vote"] == "a" and len(detail["strongest_b"]) == 1
    assert client.get(reverse("interaction:export_debate", args=[d.pk])).status_code == 403
    client.force_login(dora)
    response = client.post(f"/api/v1/interaction/debates/{d.pk}/vote", {"side": "a"}, content_type="application/json")
    assert response.status_code == 403
    client.force_login(bob)
    assert client.get(reverse("interaction:manage_debates")).status_code == 200
    response = client.get(reverse("interaction:export_debate", args=[d.pk]))
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.worksheets[0].values)
    assert rows[3][:2] == ("应该限行", 1)
    assert book.worksheets[1].max_row == 2
