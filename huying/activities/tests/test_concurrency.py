"""Two last sign-ups at once cannot both take the last place: the activity row is locked
while the places are counted. Real concurrency needs PostgreSQL (SQLite serialises every
write anyway): run with ``DATABASE_URL=postgres://…``."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from huying.activities import actions
from huying.activities.choices import InvitationMode, ParticipationStatus
from huying.activities.models import Participation
from huying.activities.tests.factories import make_activity

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")


@pytest.mark.django_db(transaction=True)
def test_two_sign_ups_for_the_last_place(now, cast, alice) -> None:
    activity = make_activity(cast.gina, cast.culture, mode=InvitationMode.OPEN, capacity=1)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def sign_up(member) -> None:
        from django.db import connections

        try:
            barrier.wait(timeout=10)
            actions.do_sign_up(member, activity)
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(exc.code or "refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign_up, args=(m,)) for m in (alice, cast.erin)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["full", "ok"]
    assert Participation.objects.filter(activity=activity, status=ParticipationStatus.SIGNED_UP).count() == 1
