"""A small world for the stored-topic tests: work orders of Liwan (a planted topic at
翠竹苑 among one-offs) and public suggestions (parking spaces bundled at 滨江御景苑),
refreshed into stored topics; a second district with its own dispatcher and unit staff."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from huying.accounts.choices import Role
from huying.accounts.tests.factories import UserFactory
from huying.demo.sample_messages import generate_messages
from huying.insight.choices import Side
from huying.insight.models import Topic
from huying.insight.refresh import refresh
from huying.interaction.actions import do_submit_suggestion
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.tests.factories import OrganisationFactory
from huying.workorders import actions
from huying.workorders.choices import Channel
from huying.workorders.tests.conftest import make_dispatcher, order_data

NOISE = [
    "翠竹苑旁边工地每天晚上施工到凌晨，噪音太大睡不着",
    "翠竹苑附近的工地半夜还在打桩，吵得老人孩子无法休息",
    "投诉翠竹苑边上工地夜间施工扰民，晚上十一点还在作业",
    "翠竹苑小区东侧工地夜间施工噪音扰民，请查处",
]
PARKING = [
    ("滨江御景苑车位捆绑销售", "滨江御景苑开发商要求买车位必须同时买储藏室，捆绑销售，不买就不给租车位。"),
    ("滨江御景苑强制捆绑车位", "我们滨江御景苑业主反映，车位和杂物间捆绑搭售，价格远高于周边。"),
    ("反映滨江御景苑车位问题", "滨江御景苑车位只售不租，还要捆绑买储藏间，业主无法接受。"),
]


@dataclass
class World:
    dispatcher: Any
    orders: list[Any]
    suggestions: list[Any]
    other_dispatcher: Any
    other_staff: Any
    order_topic: Topic
    public_topic: Topic


def build(tree: Any) -> World:
    dispatcher = make_dispatcher(tree)
    texts = NOISE + [sample.text for sample in generate_messages(8, seed=4)]
    orders = [
        actions.do_intake(
            dispatcher,
            order_data(content=text, external_id=f"GZ-{i}", caller_phone=f"138123400{i:02d}"),
            Channel.HOTLINE,
        ).order
        for i, text in enumerate(texts)
    ]
    suggestions = []
    for n, (title, body) in enumerate(PARKING):
        person = UserFactory(username=f"citizen{n}", roles=[(Role.PUBLIC, None)])
        person.is_real_name_verified = True
        person.save(update_fields=["is_real_name_verified"])
        suggestions.append(do_submit_suggestion(person, title=title, body=body, category="city"))
    other_gov = OrganisationFactory(
        name="海珠区人民政府", kind=OrgKind.GOVERNMENT, level=OrgLevel.COUNTY, parent=tree.city_gov
    )
    other_centre = OrganisationFactory(
        name="海珠区指挥中心", kind=OrgKind.COMMAND_CENTRE, level=OrgLevel.COUNTY, parent=other_gov
    )
    other_unit = OrganisationFactory(
        name="海珠区住房和建设局", kind=OrgKind.DEPARTMENT, level=OrgLevel.COUNTY, parent=other_gov
    )
    other_dispatcher = UserFactory(username="haizhu_dd", roles=[(Role.DISPATCHER, other_centre)])
    other_staff = UserFactory(username="haizhu_cb", roles=[(Role.UNIT_STAFF, other_unit)])
    refresh(notify=False)
    order_topic = Topic.objects.filter(side=Side.GOVERNMENT).order_by("-texts", "pk")[0]
    public_topic = Topic.objects.filter(side=Side.PUBLIC).order_by("-texts", "pk")[0]
    return World(dispatcher, orders, suggestions, other_dispatcher, other_staff, order_topic, public_topic)
