"""A hand-built month of work orders with known figures, for the statistics tests.

October 2026 in 荔湾 (times Asia/Shanghai; T = Monday 12 October 09:00; the seeded
work-order limits: accept 1 working day, resolve 5 working days):

| order | street | category | what happens | assignments (unit: outcome) |
|---|---|---|---|---|
| O1 | 沙面 | 010101 乱摆卖 | accepted T+1h, resolved T+1d, rated 不满意 (not the unit's fault), reopened T+2d, resolved T+3d, rated 满意/solved by the same caller (the first rating is superseded) | a1 沙面: in time, on time, reopened once |
| O2 | 沙面 | 010201 摩的 | accepted T+30h (late), resolved T+10d (late), rated 基本满意/not solved | a2 沙面: late, late |
| O3 | 沙面 | 0201 生活垃圾 | returned by 沙面 T+2h, dispatched to the department T+3h, accepted T+4h, resolved T+2d, rated 不满意/not solved | a3 沙面: returned; a3b department: in time, on time |
| O4 | 华林 | 0401 道路破损 | the department accepts T+1h and calls up the district government T+5h, which has not accepted | a4 department: escalated; a4b district government, tier 2: overdue now |
| O5 | 华林 | 010102 乱张贴 | not dispatched | — |
| O6 | 沙面 | 010101 | September: outside the month | a6 沙面 (September) |
| O7 | 越秀 北京街道 | 010101 | another district's order | a7 北京街道 |

Now (``NOW``) is Friday 23 October 12:00.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import time_machine

from conftest import SharedPeople, Tree
from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.accounts.tests.factories import UserFactory
from huying.handling import transitions as engine
from huying.handling.actions import do_record_feedback
from huying.handling.models import Assignment
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.models import Organisation
from huying.organisations.tests.factories import OrganisationFactory
from huying.workorders import actions
from huying.workorders.choices import Channel
from huying.workorders.models import Category, WorkOrder
from huying.workorders.tests.conftest import build_shared_unit_staff, order_data

SHANGHAI = ZoneInfo("Asia/Shanghai")
T = datetime(2026, 10, 12, 9, 0, tzinfo=SHANGHAI)
NOW = datetime(2026, 10, 23, 12, 0, tzinfo=SHANGHAI)
OCTOBER = (datetime(2026, 10, 1, tzinfo=SHANGHAI), datetime(2026, 11, 1, tzinfo=SHANGHAI))


@dataclass
class Month:
    tree: Tree
    hualin: Organisation  # a second street of 荔湾
    yuexiu: Organisation  # another district
    yuexiu_street: Organisation
    dispatcher: User
    street_handler: User
    department_staff: User
    leader: User
    other_dispatcher: User
    orders: dict[str, WorkOrder]
    assignments: dict[str, Assignment]


def _order(user: User, n: str, **fields: Any) -> WorkOrder:
    return actions.do_intake(user, order_data(external_id=f"GZ-{n}", **fields), Channel.HOTLINE).order


def _category(code: str) -> Category:
    return Category.objects.get(code=code)


def build_month(tree: Tree, dispatcher: User, street_handler: User, charlie: User) -> Month:
    hualin = OrganisationFactory(name="华林街道", kind=OrgKind.STREET, level=OrgLevel.STREET, parent=tree.district_gov)
    yuexiu = OrganisationFactory(
        name="越秀区人民政府",
        kind=OrgKind.GOVERNMENT,
        level=OrgLevel.COUNTY,
        parent=tree.city_gov,
        division_code="440104",
    )
    yuexiu_centre = OrganisationFactory(
        name="越秀区指挥中心", kind=OrgKind.COMMAND_CENTRE, level=OrgLevel.COUNTY, parent=yuexiu
    )
    yuexiu_street = OrganisationFactory(name="北京街道", kind=OrgKind.STREET, level=OrgLevel.STREET, parent=yuexiu)
    other_dispatcher = UserFactory(username="diaodu-yx", roles=[(Role.DISPATCHER, yuexiu_centre)])
    leader = UserFactory(username="lingdao", real_name="刘领", roles=[(Role.LEADER, tree.district_gov)])
    o: dict[str, WorkOrder] = {}
    a: dict[str, Assignment] = {}
    no_place = {"street": "", "community": "", "latitude": None, "longitude": None}

    with time_machine.travel(datetime(2026, 9, 28, 10, 0, tzinfo=SHANGHAI), tick=False) as clock:
        o["O6"] = _order(dispatcher, "6", category="010101")
        a["a6"] = actions.do_dispatch(dispatcher, o["O6"], tree.street)[0]

        clock.move_to(T - timedelta(minutes=30))
        o["O1"] = _order(dispatcher, "1", category="010101")
        o["O2"] = _order(dispatcher, "2", category="010201", latitude=23.110, longitude=113.245)
        o["O3"] = _order(dispatcher, "3", category="0201")
        o["O4"] = _order(dispatcher, "4", category="0401", **{**no_place, "street": "华林街道"})
        o["O5"] = _order(dispatcher, "5", category="010102", **{**no_place, "street": "华林街道"})
        o["O7"] = _order(other_dispatcher, "7", category="010101", **{**no_place, "district": "440104"})

        clock.move_to(T)
        for name, unit in (("a1", tree.street), ("a2", tree.street), ("a3", tree.street), ("a4", tree.department)):
            order = o["O" + name[1:]]
            a[name] = actions.do_dispatch(dispatcher, order, unit, category=order.category)[0]
        a["a7"] = actions.do_dispatch(other_dispatcher, o["O7"], yuexiu_street, category=o["O7"].category)[0]

        clock.move_to(T + timedelta(hours=1))
        engine.do_accept(street_handler, a["a1"])
        engine.do_accept(charlie, a["a4"])
        clock.move_to(T + timedelta(hours=2))
        engine.do_return(street_handler, a["a3"], reason="不属于街道职责")
        clock.move_to(T + timedelta(hours=3))
        o["O3"].refresh_from_db()
        a["a3b"] = actions.do_dispatch(dispatcher, o["O3"], tree.department)[0]
        clock.move_to(T + timedelta(hours=4))
        engine.do_accept(charlie, a["a3b"])
        clock.move_to(T + timedelta(hours=5))
        a["a4b"] = engine.do_escalate(charlie, a["a4"], to_unit=tree.district_gov, reason="需区政府协调")

        clock.move_to(T + timedelta(days=1))
        actions.do_resolve(street_handler, a["a1"], result="已清理")
        clock.move_to(T + timedelta(days=1, hours=1))
        do_record_feedback(dispatcher, o["O1"], rating="dissatisfied", channel="phone", rater_name="张三", solved=False)
        clock.move_to(T + timedelta(hours=30))
        engine.do_accept(street_handler, a["a2"])
        clock.move_to(T + timedelta(days=2))
        actions.do_resolve(charlie, a["a3b"], result="已清运")
        engine.do_reopen(dispatcher, Assignment.objects.get(pk=a["a1"].pk), reason="群众反映仍有摆卖")
        clock.move_to(T + timedelta(days=2, hours=2))
        do_record_feedback(dispatcher, o["O3"], rating="dissatisfied", channel="phone", rater_name="李四", solved=False)
        clock.move_to(T + timedelta(days=3))
        engine.do_resolve(street_handler, Assignment.objects.get(pk=a["a1"].pk), result="已再次清理")
        clock.move_to(T + timedelta(days=4))
        do_record_feedback(dispatcher, o["O1"], rating="satisfied", channel="phone", rater_name="张三", solved=True)
        clock.move_to(T + timedelta(days=10))
        actions.do_resolve(street_handler, a["a2"], result="已处理")
        do_record_feedback(
            dispatcher, o["O2"], rating="basically_satisfied", channel="sms", rater_name="王五", solved=False
        )

    for key, assignment in a.items():
        a[key] = Assignment.objects.get(pk=assignment.pk)
    for key, order in o.items():
        o[key] = WorkOrder.objects.get(pk=order.pk)
    return Month(
        tree=tree,
        hualin=hualin,
        yuexiu=yuexiu,
        yuexiu_street=yuexiu_street,
        dispatcher=dispatcher,
        street_handler=street_handler,
        department_staff=charlie,
        leader=leader,
        other_dispatcher=other_dispatcher,
        orders=o,
        assignments=a,
    )


def build_shared_month(shared: SharedPeople) -> dict[str, Any]:
    """The month as a module's shared data (``build_shared_data``, root conftest.py): built
    once per module in the rolled-back outer transaction, each test reading its own copy."""
    staff = build_shared_unit_staff(shared)
    month = build_month(shared.tree, staff["dispatcher"], staff["street_handler"], shared.people["charlie"])
    return {**staff, "month": month}


def shared_month(shared: SharedPeople | None) -> Month:
    assert shared is not None, "the module must be in SHARED_PEOPLE_MODULES (root conftest.py)"
    month = shared.data["month"]
    assert isinstance(month, Month)
    return month
