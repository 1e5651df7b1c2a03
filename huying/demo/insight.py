"""Three hot topics planted in the demo's texts (issue 12, point 8), so the hot-topic pages
show real-world-like clusters on ``make run``:

* night construction noise at 花地湾·翠湖雅苑 (Liwan): about forty residents over four
  months, more and more often, eight calls today (an emerging topic for the command centre);
* bundled sales of parking spaces (车位捆绑销售) at 御景华庭: work orders and public suggestions;
* how to apply for the childcare subsidy (育儿补贴): work orders and public suggestions.

Everything goes through the real actions: ``do_intake`` (the hotline, recorded by the
dispatcher diaodu) for work orders, ``do_submit_suggestion`` and ``do_publish`` for
suggestions. Deterministic (seeded) and idempotent: orders by their external ids,
suggestions by title and author. Called last by the loader, followed by one refresh of the
stored topics (huying/insight/refresh.py).
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

log = logging.getLogger(__name__)

SEED = 20260412

NOISE_OPENINGS = (
    "花地湾翠湖雅苑旁边的地铁上盖工地",
    "我住在翠湖雅苑，小区东面的工地",
    "翠湖雅苑小区对面工地",
    "投诉花地湾翠湖雅苑附近建筑工地",
    "翠湖雅苑业主反映，隔壁工地",
)
NOISE_MIDDLES = (
    "每天晚上十一点以后还在打桩",
    "半夜两点还有泥头车进出，轰鸣声不断",
    "凌晨还在浇筑混凝土，机器声音很大",
    "夜间施工噪音扰民，连续一个多月了",
    "晚上施工的电钻声和敲击声吵得人睡不着",
)
NOISE_CLOSINGS = (
    "家里老人孩子无法休息，请尽快查处夜间施工。",
    "请问他们有没有夜间施工许可？",
    "已经多次反映没有改善，希望相关部门管一管。",
    "孩子明天还要上学，实在睡不着。",
    "请城管执法部门晚上来现场看看。",
)
PARKING_ORDERS = (
    "御景华庭开发商要求业主买车位必须同时购买储藏室，捆绑销售，不买就不给租车位。",
    "御景华庭车位只卖不租，还要捆绑杂物间一起买，一个车位加储藏室要四十多万。",
    "投诉御景华庭销售中心强制捆绑销售车位和储物间，业主没有选择。",
    "御景华庭地下车位被开发商捆绑销售，空置很多却不对外出租，业主只能停路边。",
    "我是御景华庭业主，开发商把车位和储藏间打包卖，价格远高于周边小区。",
    "御景华庭车位捆绑销售的问题反映过几次了，物业说是开发商决定的。",
)
PARKING_SUGGESTIONS = (
    (
        "规范御景华庭车位销售",
        "御景华庭开发商将车位与储藏室捆绑销售，建议住建部门约谈开发商，车位应允许单独购买或出租。",
    ),
    ("御景华庭车位只售不租的问题", "御景华庭大量车位空置却只售不租，且强制捆绑储物间，建议出台车位出租比例的规定。"),
    ("关于小区车位捆绑销售", "御景华庭车位捆绑储藏室销售，增加业主负担，建议市场监管部门查处捆绑搭售行为。"),
    ("御景华庭车位应允许单独购买", "御景华庭业主买车位被要求捆绑购买储藏间，建议规定车位不得与其他房产捆绑销售。"),
    (
        "建议查处御景华庭捆绑销售车位",
        "御景华庭开发商捆绑销售车位和储物间，不买就不租，建议住建和市场监管部门联合查处。",
    ),
)
SUBSIDY_ORDERS = (
    "请问育儿补贴怎么申请？孩子两岁，在哪里提交材料？",
    "咨询3岁以下婴幼儿育儿补贴的申请条件和申请入口，每年3600元是按月发还是按年发？",
    "育儿补贴申请需要准备什么材料？户口不在本地能不能申请育儿补贴？",
    "孩子今年出生，想问育儿补贴从什么时候开始可以申请，网上申请的入口在哪里。",
    "育儿补贴申请提交以后多久审核？一直显示审核中。",
    "请问二孩的育儿补贴怎么申请，需要去街道办还是网上办理？",
)
SUBSIDY_SUGGESTIONS = (
    ("育儿补贴申请流程建议简化", "育儿补贴申请材料多、入口难找，建议在粤省事上一键申请育儿补贴，并公布审核进度。"),
    ("关于育儿补贴申请条件的建议", "建议明确非本地户籍婴幼儿家庭申请育儿补贴的条件，育儿补贴按月发放更方便家长。"),
    (
        "育儿补贴申请入口难找",
        "育儿补贴申请入口藏得太深，很多家长不知道怎么申请，建议街道和社区主动告知申请育儿补贴的办法。",
    ),
    ("建议公布育儿补贴审核进度", "育儿补贴申请提交后一直显示审核中，建议公布育儿补贴的审核时限和进度查询方式。"),
)


def _phone(rng: random.Random) -> str:
    return "13" + "".join(str(rng.randint(0, 9)) for _ in range(9))


def _noise_times(rng: random.Random, now: datetime) -> list[datetime]:
    """Forty calls over four months, denser lately, eight of them today."""
    times = [now - timedelta(days=rng.uniform(1, 120) ** 0.9 + 1, minutes=rng.randint(0, 600)) for _ in range(32)]
    today = timezone.localtime(now).replace(hour=0, minute=30, second=0, microsecond=0)
    times += [min(now - timedelta(minutes=5), today + timedelta(minutes=37 * n)) for n in range(8)]
    return sorted(times)


def load_insight_demo(now: datetime | None = None) -> dict[str, int]:
    """Create what is missing of the three clusters; returns what was created."""
    from django.contrib.contenttypes.models import ContentType

    from huying.accounts.choices import Role
    from huying.accounts.models import User
    from huying.demo import dataset as ds
    from huying.handling.choices import EventScope
    from huying.handling.models import CaseEvent
    from huying.interaction.actions import do_submit_suggestion
    from huying.interaction.models import Suggestion
    from huying.moderation import actions as moderation
    from huying.organisations.choices import OrgKind
    from huying.organisations.models import Organisation
    from huying.workorders import summary
    from huying.workorders.actions import do_intake
    from huying.workorders.choices import Channel, Nature, OrderEventKind
    from huying.workorders.models import WorkOrder

    now = (now or timezone.now()).replace(second=0, microsecond=0)
    dispatcher = User.objects.filter(username="diaodu").first()
    staff = User.objects.filter(username="jiguan").first()
    government = Organisation.objects.filter(kind=OrgKind.GOVERNMENT, division_code=ds.LIWAN_CODE).first()
    if dispatcher is None or staff is None or government is None:
        return {}
    streets = list(Organisation.objects.filter(parent=government, kind=OrgKind.STREET).order_by("name"))
    street = next((s for s in streets if "石围塘" in s.name or "花地" in s.name), streets[0] if streets else None)
    street_name = street.name if street else ""
    rng = random.Random(SEED)
    created: Counter[str] = Counter()

    def order(key: str, content: str, address: str, nature: str, at: datetime) -> None:
        data: dict[str, Any] = {
            "external_id": f"INSIGHT-DEMO-{key}",
            "content": content,
            "caller_name": "",
            "caller_phone": _phone(rng),
            "nature": nature,
            "urgency": "normal",
            "address": address,
            "district": ds.LIWAN_CODE,
            "street": street.pk if street else None,
            "received_at": at,
        }
        result = do_intake(dispatcher, data, Channel.HOTLINE)
        if result.created:
            # The documented post-step of the demo's orders (huying/demo/workorders.py
            # _backdate): the record is created when the call came in, not at load time.
            with summary.tracking([result.order.pk]):
                WorkOrder.objects.filter(pk=result.order.pk).update(
                    created_at=at + timedelta(seconds=30), updated_at=at + timedelta(seconds=30)
                )
            CaseEvent.objects.filter(
                case_type=ContentType.objects.get_for_model(WorkOrder),
                case_id=result.order.pk,
                scope=EventScope.CASE,
                kind=OrderEventKind.RECEIVED,
            ).update(created_at=at)
            created["hot-topic work orders"] += 1

    public = list(
        User.objects.filter(
            is_real_name_verified=True, role_assignments__role=Role.PUBLIC, role_assignments__is_active=True
        )
        .exclude(username="qunzhong")
        .order_by("username")[:40]
    )

    def suggestion(n: int, title: str, body: str, place: str, at: datetime) -> None:
        if not public:
            return
        author = public[(n * 7) % len(public)]
        if Suggestion.objects.filter(title=title, author=author).exists():
            return
        made = do_submit_suggestion(author, title=title, body=body, category="city", place=place)
        moderation.do_publish(staff, made.moderation)
        Suggestion.objects.filter(pk=made.pk).update(created_at=at)
        created["hot-topic suggestions"] += 1

    with override_settings(MODERATION_RATE_LIMITS=False), transaction.atomic():
        for n, at in enumerate(_noise_times(rng, now)):
            text = rng.choice(NOISE_OPENINGS) + rng.choice(NOISE_MIDDLES) + "，" + rng.choice(NOISE_CLOSINGS)
            order(f"noise-{n:02d}", text, f"荔湾区{street_name}翠湖雅苑东侧", Nature.COMPLAINT, at)
        for n in range(14):
            at = now - timedelta(days=rng.uniform(2, 60), minutes=rng.randint(0, 600))
            order(f"parking-{n:02d}", PARKING_ORDERS[n % len(PARKING_ORDERS)], "荔湾区御景华庭", Nature.COMPLAINT, at)
        for n, (title, body) in enumerate(PARKING_SUGGESTIONS):
            suggestion(n, title, body, "御景华庭", now - timedelta(days=3 + 9 * n, hours=n))
        for n in range(12):
            at = now - timedelta(days=rng.uniform(1, 45), minutes=rng.randint(0, 600))
            order(
                f"subsidy-{n:02d}",
                SUBSIDY_ORDERS[n % len(SUBSIDY_ORDERS)],
                f"荔湾区{street_name}",
                Nature.CONSULTATION,
                at,
            )
        for n, (title, body) in enumerate(SUBSIDY_SUGGESTIONS):
            suggestion(n + 10, title, body, "", now - timedelta(days=5 + 11 * n, hours=n))
    from huying.insight.refresh import refresh

    outcome = refresh(now=now)
    created["hot topics refreshed (texts)"] = outcome.texts
    log.info("insight demo: %s", dict(created))
    return dict(created)
