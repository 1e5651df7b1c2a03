"""Named people of the reception-room tests, on top of the root conftest's and the
moderation tests' (citizen and neighbour: real-name verified public; dora: public, not
verified; anonymous visitors: the plain ``client`` / ``AnonymousUser``):

- ``alice``: the host member (广东省政协)
- ``erin``: another member of the same CPPCC, not the host
- ``bob``: agency staff of the host's CPPCC (manages and moderates)
- ``cindy``: agency staff of the city CPPCC below it (manages nothing of the host's)
- the clock is frozen at :data:`NOW`; ``live`` is alice's session, open, one hour in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from huying.accounts.choices import Role
from huying.accounts.tests.factories import UserFactory
from huying.core.tests.cache import clear_cache
from huying.moderation.tests.conftest import _fresh_word_automaton, citizen, make_public, neighbour
from huying.reception import actions
from huying.reception.models import ReceptionSession

__all__ = ["_fresh_word_automaton", "citizen", "make_public", "neighbour"]

NOW = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    clear_cache()  # rate limits
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def erin(tree: Any) -> Any:
    return UserFactory(username="erin", real_name="周燕", roles=[(Role.MEMBER, tree.province_cppcc)])


@pytest.fixture
def cindy(tree: Any) -> Any:
    return UserFactory(username="cindy", real_name="黄欣", roles=[(Role.AGENCY_STAFF, tree.city_cppcc)])


def schedule(actor: Any, host: Any = None, **kw: Any) -> ReceptionSession:
    values = {
        "theme": "社区居家养老服务",
        "description": "听取群众对长者饭堂的意见。",
        "starts_at": NOW - dt.timedelta(hours=1),
        "ends_at": NOW + dt.timedelta(hours=1),
    }
    values.update(kw)
    return actions.do_create_session(actor, host=host, **values)


@pytest.fixture
def live(alice: Any) -> ReceptionSession:
    return actions.do_open_session(alice, schedule(alice))


def published_question(citizen: Any, bob: Any, session: ReceptionSession, body: str = "长者饭堂周末能开吗？") -> Any:
    from huying.moderation import actions as moderation

    q = actions.do_ask(citizen, session, body=body)
    moderation.do_publish(bob, q.moderation)
    q.moderation.refresh_from_db()
    return q
