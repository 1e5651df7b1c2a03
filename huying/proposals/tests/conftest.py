from __future__ import annotations

import datetime
from typing import Any

import pytest

from conftest import SharedPeople
from huying.accounts.choices import Role
from huying.accounts.tests.factories import UserFactory
from huying.proposals.actions import do_create_session, do_save_draft
from huying.proposals.models import Proposal, Session


@pytest.fixture
def session(tree: Any, _shared_people: SharedPeople | None) -> Session:
    if _shared_people and "session" in _shared_people.data:  # a module's shared session
        shared = _shared_people.data["session"]
        assert isinstance(shared, Session)
        return shared
    return make_session(tree)


def make_session(tree: Any) -> Session:
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


# The sections required at submission (案由 is ``summary``), filled in unless a test says otherwise.
COMPLETE = {
    "situation": "（基本情况）",
    "analysis": "（问题分析）",
    "suggestions": "（具体建议）",
}


def make_draft(user: Any, session: Session, title: str = "关于加强老旧小区加装电梯工作的建议", **kw: Any) -> Proposal:
    for name, value in COMPLETE.items():
        kw.setdefault(name, value)
    return do_save_draft(
        user, session=session, title=title, summary=kw.pop("summary", "老旧小区加装电梯"), **kw
    ).proposal


# --- handling (交办 → 办理 → 测评) -------------------------------------------------------
@pytest.fixture(autouse=True)
def _isolated_media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def edu(tree: Any) -> Any:
    """A handling unit: the district's education bureau."""
    from huying.organisations.choices import OrgKind, OrgLevel
    from huying.organisations.tests.factories import OrganisationFactory

    return OrganisationFactory(
        name="荔湾区教育局", kind=OrgKind.DEPARTMENT, level=OrgLevel.COUNTY, parent=tree.district_gov
    )


@pytest.fixture
def health(tree: Any) -> Any:
    """Another handling unit: the district's health bureau."""
    from huying.organisations.choices import OrgKind, OrgLevel
    from huying.organisations.tests.factories import OrganisationFactory

    return OrganisationFactory(
        name="荔湾区卫生健康局", kind=OrgKind.DEPARTMENT, level=OrgLevel.COUNTY, parent=tree.district_gov
    )


@pytest.fixture
def gina(edu: Any) -> Any:
    """Unit staff of the education bureau (the assigned unit in most tests)."""
    return UserFactory(username="gina", real_name="郭娜", roles=[(Role.UNIT_STAFF, edu)])


@pytest.fixture
def hank(health: Any) -> Any:
    """Unit staff of the health bureau."""
    return UserFactory(username="hank", real_name="韩凯", roles=[(Role.UNIT_STAFF, health)])


@pytest.fixture
def lei(tree: Any) -> Any:
    """A leader (领导) who can be named to supervise key proposals."""
    return UserFactory(username="lei", real_name="雷主席", roles=[(Role.LEADER, tree.province_cppcc)])


@pytest.fixture
def filed(alice: Any, bob: Any, erin: Any, session: Session) -> Proposal:
    """alice's joint proposal with erin as confirmed co-signer, filed by bob."""
    from huying.proposals import actions

    proposal = make_draft(alice, session, "关于推进中小学课后服务提质的建议", summary="课后服务")
    actions.do_invite_cosigner(alice, proposal, erin)
    actions.do_respond_cosign(erin, proposal, confirm=True)
    actions.do_submit(alice, proposal)
    return actions.do_file(bob, proposal)
