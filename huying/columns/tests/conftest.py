"""The columns' named people, on top of the root ``tree`` and people:

- ``carol``: agency staff of the economic committee (经济委员会) — the owner of its flagship;
- ``dave``: agency staff of the agriculture committee — a colleague at the same CPPCC, who
  manages his own committee's flagship only;
- ``bob`` (root): agency staff of the provincial CPPCC — manages every column of it;
- ``alice`` (root): a member; ``dora`` (root): the public; ``admin`` (root).
"""

from __future__ import annotations

from typing import Any

import pytest

from huying.accounts.choices import Role
from huying.accounts.tests.factories import UserFactory
from huying.columns import actions
from huying.columns.choices import ColumnKind
from huying.columns.models import Column
from huying.moderation.tests.conftest import _fresh_word_automaton, citizen
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.tests.factories import OrganisationFactory

__all__ = ["_fresh_word_automaton", "citizen"]


@pytest.fixture
def econ(tree: Any) -> Any:
    return OrganisationFactory(
        name="经济委员会", kind=OrgKind.SPECIAL_COMMITTEE, level=OrgLevel.PROVINCE, parent=tree.province_cppcc
    )


@pytest.fixture
def agri(tree: Any) -> Any:
    return OrganisationFactory(
        name="农业和农村委员会", kind=OrgKind.SPECIAL_COMMITTEE, level=OrgLevel.PROVINCE, parent=tree.province_cppcc
    )


@pytest.fixture
def carol(econ: Any) -> Any:
    return UserFactory(username="carol", real_name="蔡柔", roles=[(Role.AGENCY_STAFF, econ)])


@pytest.fixture
def dave(agri: Any) -> Any:
    return UserFactory(username="dave", real_name="戴伟", roles=[(Role.AGENCY_STAFF, agri)])


def make_flagship(actor: Any, committee: Any, slug: str = "private-economy", **kw: Any) -> Column:
    return actions.do_create_column(
        actor,
        kind=ColumnKind.FLAGSHIP,
        owner=committee,
        title=kw.pop("title", "民营经济高质量发展"),
        slug=slug,
        summary=kw.pop("summary", "为民营企业发展建言资政"),
        **kw,
    )


def make_topic(actor: Any, cppcc: Any, slug: str = "greater-bay-area") -> Column:
    return actions.do_create_column(
        actor, kind=ColumnKind.TOPIC, owner=cppcc, title="助力大湾区建设", slug=slug, intro="深化粤港澳合作。"
    )


@pytest.fixture
def flagship(carol: Any, econ: Any) -> Column:
    return make_flagship(carol, econ)
