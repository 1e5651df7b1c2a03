"""Named people of the discussion-group tests, on top of the root conftest's (alice: a
member of the province CPPCC and the group's owner of her posts; bob: the province CPPCC's
agency staff, who manages the group; charlie: unit staff; dora: the public; admin):

- ``erin``: 周燕, another member of the province CPPCC, a colleague participant
- ``frank``: 吴帆, a member of the province CPPCC who is not in the group
- ``hugo``: 何国, a member of the city CPPCC (an outsider member of another CPPCC)
- ``carl``: 蔡力, agency staff of the city CPPCC
- ``lena``: 林娜, a leader of the province CPPCC (reads, does not post)

``world`` is a group of the province CPPCC, 齐心抗疫情, with alice and erin as members and
bob as staff; alice, erin and bob are real-name verified (posting goes through the
moderation app, which needs it).
"""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from huying.accounts.choices import Role
from huying.accounts.tests.factories import UserFactory
from huying.core.tests.cache import clear_cache
from huying.groups import actions
from huying.moderation import screening


def _person(username: str, name: str, role: str, org: Any) -> Any:
    return UserFactory(username=username, real_name=name, roles=[(role, org)])


@pytest.fixture(autouse=True)
def _fresh(settings: Any) -> Iterator[None]:
    clear_cache()
    screening.reset()
    yield
    screening.reset()


@pytest.fixture
def world(tree: Any, alice: Any, bob: Any, charlie: Any, dora: Any, admin: Any) -> SimpleNamespace:
    erin = _person("erin", "周燕", Role.MEMBER, tree.province_cppcc)
    frank = _person("frank", "吴帆", Role.MEMBER, tree.province_cppcc)
    hugo = _person("hugo", "何国", Role.MEMBER, tree.city_cppcc)
    carl = _person("carl", "蔡力", Role.AGENCY_STAFF, tree.city_cppcc)
    lena = _person("lena", "林娜", Role.LEADER, tree.province_cppcc)
    for person in (alice, erin, bob, frank, hugo):
        person.is_real_name_verified = True
        person.save(update_fields=["is_real_name_verified"])
    group = actions.do_create_group(
        bob, cppcc=tree.province_cppcc, name="齐心抗疫情", description="疫情防控建言献策", members=[alice, erin]
    )
    return SimpleNamespace(
        tree=tree, group=group, alice=alice, erin=erin, frank=frank, hugo=hugo, carl=carl, lena=lena,
        bob=bob, charlie=charlie, dora=dora, admin=admin,
    )  # fmt: skip
