"""Named people of the moderation and interaction tests, on top of the root conftest's
(alice = member, bob = agency staff = moderator, dora = public, not verified, admin):

- ``citizen``: 孙民, a real-name verified member of the public
- ``neighbour``: 钱邻, another real-name verified member of the public
- ``dora``: a member of the public who has not verified her real name
- anonymous visitors: the plain ``client``
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from huying.accounts.choices import Role
from huying.accounts.tests.factories import UserFactory
from huying.moderation import screening


def make_public(username: str, real_name: str, *, verified: bool = True) -> Any:
    user = UserFactory(username=username, real_name=real_name, roles=[(Role.PUBLIC, None)])
    if verified:
        user.is_real_name_verified = True
        user.save(update_fields=["is_real_name_verified"])
    return user


@pytest.fixture
def citizen(db: None) -> Any:
    return make_public("citizen", "孙民")


@pytest.fixture
def neighbour(db: None) -> Any:
    return make_public("neighbour", "钱邻")


@pytest.fixture(autouse=True)
def _fresh_word_automaton(settings: Any, tmp_path: Any) -> Iterator[None]:
    """The automaton is kept per process; the database (and the version in the database
    cache) is rolled back after each test, so forget it on both sides."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    screening.reset()
    yield
    screening.reset()
