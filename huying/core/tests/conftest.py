"""The ``world``: a small data set with a person of every demo role, for the crawl of the
links each role is shown and the leaders' dashboard.

Work orders new, dispatched, in progress and resolved; filed proposals assigned to a
unit, one a key proposal supervised by a CPPCC leader and one by the district leader; a
proposal awaiting review; a draft.
"""

from __future__ import annotations

import datetime
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from conftest import SharedPeople, Tree
from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.accounts.tests.factories import UserFactory
from huying.handling import actions as engine
from huying.proposals import actions as proposal_actions
from huying.proposals.actions import handling as handling_actions
from huying.proposals.models import Proposal, Session
from huying.workorders import actions as order_actions
from huying.workorders.choices import Channel
from huying.workorders.models import Category, RoutingRule


@dataclass
class World:
    tree: Tree
    people: dict[str, User | None]
    key_proposals: dict[str, Proposal]
    # When the world was finished: pages that count "today" are read at this moment
    # (time_machine), so that midnight cannot fall between building and reading.
    built_at: datetime.datetime


def _order(dispatcher: User, n: int, **extra: Any) -> Any:
    data = {
        "external_id": f"GZ-CRAWL-{n}",
        "content": f"沙面大街{n}号路口有人乱摆卖，占用人行道。",
        "caller_name": "张三",
        "caller_phone": "13812341234",
        "nature": "投诉",
        "urgency": "normal",
        "category": "010101",
        "address": f"沙面大街{n}号",
        "latitude": 23.108,
        "longitude": 113.243,
        "street": "沙面街道",
        "community": "沙面社区",
        "area_class": "1",
        **extra,
    }
    return order_actions.do_intake(dispatcher, data, Channel.HOTLINE).order


@pytest.fixture
def world(
    tree: Tree,
    alice: User,
    bob: User,
    charlie: User,
    dora: User,
    admin: User,
    settings: Any,
    tmp_path: Any,
    _shared_people: SharedPeople | None,
) -> World:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.WORKORDERS_CATEGORY_MODEL = str(tmp_path / "no-model.joblib")
    if _shared_people and "world" in _shared_people.data:  # built once for the module
        world = _shared_people.data["world"]
        assert isinstance(world, World)
        return world
    return build_world(tree, alice, bob, charlie, dora, admin)


def build_shared_world(shared: SharedPeople) -> dict[str, Any]:
    """The world as a module's shared data (``build_shared_data``, root conftest.py): built
    once per module in the rolled-back outer transaction, each test reading its own copy."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        override_settings(
            MEDIA_ROOT=str(Path(tmp) / "media"), WORKORDERS_CATEGORY_MODEL=str(Path(tmp) / "no-model.joblib")
        ),
    ):
        people = shared.people
        return {
            "world": build_world(
                shared.tree, people["alice"], people["bob"], people["charlie"], people["dora"], people["admin"]
            )
        }


def build_world(tree: Tree, alice: User, bob: User, charlie: User, dora: User, admin: User) -> World:
    tree.district_gov.division_code = "440103"
    tree.district_gov.save(update_fields=["division_code"])
    dispatcher = UserFactory(username="diaodu", real_name="李敏", roles=[(Role.DISPATCHER, tree.command_centre)])
    street_handler = UserFactory(username="jiedao", real_name="梁晓峰", roles=[(Role.STREET_HANDLER, tree.street)])
    cppcc_leader = UserFactory(username="zhuxi", real_name="雷主席", roles=[(Role.LEADER, tree.province_cppcc)])
    district_leader = UserFactory(username="lingdao", real_name="张明远", roles=[(Role.LEADER, tree.district_gov)])

    # Work orders: new, dispatched, in progress, resolved.
    RoutingRule.objects.create(category_prefix="0101", unit=tree.street, tier=1)
    category = Category.objects.get(code="010101")
    _order(dispatcher, 1)
    dispatched = _order(dispatcher, 2)
    order_actions.do_dispatch(dispatcher, dispatched, tree.street, category=category)
    accepted = _order(dispatcher, 3)
    [lead] = order_actions.do_dispatch(dispatcher, accepted, tree.street, category=category)
    engine.do_accept(street_handler, lead)
    resolved = _order(dispatcher, 4)
    [lead] = order_actions.do_dispatch(dispatcher, resolved, tree.department, category=category)
    engine.do_accept(charlie, lead)
    order_actions.do_resolve(charlie, lead, result="已清理占道摊档，恢复人行道通行。")

    # Proposals: a draft, two filed and assigned (both key proposals), one awaiting review.
    session: Session = proposal_actions.do_create_session(
        None,
        cppcc=tree.province_cppcc,
        term=13,
        number=3,
        is_current=True,
        window_opens=datetime.date(2000, 1, 1),
        window_closes=datetime.date(2000, 1, 31),
    )

    def draft(title: str) -> Any:
        return proposal_actions.do_save_draft(
            alice,
            session=session,
            title=title,
            summary=title,
            situation="（基本情况）",
            analysis="（问题分析）",
            suggestions="（具体建议）",
        ).proposal

    draft("关于加强老旧小区加装电梯工作的建议")
    proposal_actions.do_submit(alice, draft("关于完善社区养老服务的建议"))
    key_proposals = {}
    for who, title, leader in (
        ("cppcc_leader", "关于推进中小学课后服务提质的建议", cppcc_leader),
        ("district_leader", "关于整治沙面街区占道经营的建议", district_leader),
    ):
        proposal = proposal_actions.do_file(bob, proposal_actions.do_submit(alice, draft(title)))
        handling_actions.do_assign(bob, proposal, mode="single", units=[tree.department])
        key_proposals[who] = handling_actions.do_mark_key(bob, proposal, is_key=True, leader=leader)

    people: dict[str, User | None] = {
        "member": alice,
        "agency_staff": bob,
        "unit_staff": charlie,
        "dispatcher": dispatcher,
        "street_handler": street_handler,
        "cppcc_leader": cppcc_leader,
        "district_leader": district_leader,
        "admin": admin,
        "public": dora,
        "anonymous": None,
    }
    return World(tree=tree, people=people, key_proposals=key_proposals, built_at=timezone.now())
