from __future__ import annotations

import datetime
from typing import Any

import pytest

from huying.accounts.choices import Role
from huying.accounts.tests.factories import UserFactory
from huying.proposals.actions import do_create_session, do_save_draft
from huying.proposals.models import Proposal, Session


@pytest.fixture
def session(tree: Any) -> Session:
    return do_create_session(
        None,
        cppcc=tree.province_cppcc,
        term=13,
        number=3,
        is_current=True,
        window_opens=datetime.date(2000, 1, 1),
        window_closes=datetime.date(2000, 1, 31),
    )


@pytest.fixture
def erin(tree: Any) -> Any:
    """Another member of the same CPPCC: invited as co-signer."""
    return UserFactory(username="erin", real_name="周燕", roles=[(Role.MEMBER, tree.province_cppcc)])


@pytest.fixture
def frank(tree: Any) -> Any:
    """A member of the same CPPCC with no part in alice's proposal."""
    return UserFactory(username="frank", real_name="吴帆", roles=[(Role.MEMBER, tree.province_cppcc)])


def make_draft(user: Any, session: Session, title: str = "关于加强老旧小区加装电梯工作的建议", **kw: Any) -> Proposal:
    return do_save_draft(
        user, session=session, title=title, summary=kw.pop("summary", "老旧小区加装电梯"), **kw
    ).proposal
