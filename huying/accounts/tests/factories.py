from __future__ import annotations

from typing import Any

import factory

from huying.accounts.actions import do_assign_role, do_create_user
from huying.accounts.choices import MemberLevel, Role
from huying.accounts.models import User

PASSWORD = "Huying-test-2026"


class UserFactory(factory.Factory):
    """A person with a usable password (``PASSWORD``). Pass ``roles=[(role, org), ...]``."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n:04d}")
    real_name = factory.Sequence(lambda n: f"测试用户{n:04d}")
    mobile = factory.Sequence(lambda n: f"138{n:08d}")
    password = PASSWORD

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, roles: Any = (), **kwargs: Any) -> User:
        user = do_create_user(None, **kwargs)
        for role, org in roles:
            extra: dict[str, Any] = {}
            if role == Role.MEMBER:
                from huying.organisations.tests.factories import SectorFactory

                extra = {"term": 13, "sector": SectorFactory(), "member_level": MemberLevel.PROVINCIAL}
            do_assign_role(None, user, role, org, **extra)
        return user
