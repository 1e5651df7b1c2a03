"""Demo data of 议政群: three groups of the province CPPCC (齐心抗疫情, 助力大湾区建设,
乡村振兴) with dozens of members speaking in realistic threads, suggestions marked by the
agency staff, and some threads and suggestions turned into proposal and opinion-report
drafts by members — everything through the real actions (:mod:`huying.groups.actions`), so
the counters, the duty record and the links are the real ones. The first group follows the
seed: 53 members spoke 217 times, 42 suggestions, 27 proposals and reports (full scale).

Deterministic (``random.Random(seed)``, fixed times counted back from a fixed day); a second
run changes nothing (the first group's name marks the load)."""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.test import override_settings

from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.groups import actions
from huying.groups.choices import DraftTarget
from huying.groups.models import DiscussionGroup, Post

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Plan:
    name: str
    description: str
    members: int
    speakers: int
    speeches: int
    suggestions: int
    proposals: int
    reports: int


THEMES: dict[str, dict[str, list[Any]]] = {
    "齐心抗疫情建言献策群": {
        "threads": [
            (
                "关于优化社区核酸检测点布局的建议",
                "部分社区检测点排队时间长，老人和孩子等候困难，建议按人口密度动态设置检测点，并公布实时排队情况。",
            ),
            (
                "关于保障封控区居民生活物资供应的思考",
                "封控期间蔬菜、药品配送存在“最后一百米”问题，建议发挥社区志愿者和快递企业作用，建立保供白名单。",
            ),
            (
                "关于加强发热门诊分级诊疗的建议",
                "发热门诊压力集中在大医院，建议社区卫生服务中心开设发热诊室，引导轻症就近就诊。",
            ),
            ("关于帮助中小微企业复工复产的建议", "不少小微企业现金流紧张，建议延续减租降费政策，设立纾困专项贷款。"),
            (
                "关于做好疫情期间心理疏导工作的建议",
                "长时间居家使部分群众焦虑，建议开通心理援助热线，组织专业社工进社区。",
            ),
            ("关于提高老年人疫苗接种率的建议", "高龄老人接种率偏低，建议上门接种并由家庭医生做好健康评估和解释。"),
            (
                "关于口岸城市防输入闭环管理的建议",
                "口岸一线人员风险高，建议完善闭环管理和轮换休整制度，保障一线人员权益。",
            ),
            (
                "关于校园疫情防控与正常教学衔接的建议",
                "线上线下教学频繁切换影响学习效果，建议制定分级预案，保障学生学业连续。",
            ),
            ("关于完善应急物资储备体系的建议", "应急物资储备分散，建议建立政府储备与企业产能储备相结合的体系。"),
            ("关于发挥基层网格员作用的建议", "网格员承担大量排查工作，建议合理减负并给予补贴和培训。"),
            ("关于规范隔离酒店管理的建议", "隔离酒店服务标准不一，建议统一送餐、消杀和就医流程。"),
            ("关于疫情信息发布更及时透明的建议", "群众关心风险区变化，建议统一发布口径，及时回应社会关切。"),
        ],
        "replies": [
            "赞同，建议同时加强志愿者培训，做到分工明确。",
            "我在调研中发现，老旧小区的问题更突出，建议优先保障。",
            "可以借鉴外地经验，用信息化手段减少排队。",
            "建议把这条意见整理成提案，提交政协全会。",
            "补充一点：要关注独居老人和残障人士的特殊需求。",
            "建议相关部门建立反馈机制，问题解决情况要公开。",
            "同意，关键是压实属地责任，避免层层加码。",
            "建议财政安排专项资金，保障一线人员补贴及时发放。",
            "企业方面反映用工难，建议人社部门开展线上招聘。",
            "我们界别的委员愿意参与志愿服务，请机关统筹安排。",
            "建议总结这次的经验，形成常态化的应急预案。",
            "社区医院的能力还需要加强，建议增加编制和设备投入。",
        ],
    },
    "助力大湾区建设建言献策群": {
        "threads": [
            (
                "关于推进粤港澳三地规则衔接的建议",
                "三地在职业资格、标准认证方面差异较大，建议在重点领域先行先试，推动规则衔接、机制对接。",
            ),
            (
                "关于便利港澳青年来粤创业就业的建议",
                "港澳青年对内地政策了解不多，建议完善一站式服务平台，提供住房、社保等配套支持。",
            ),
            (
                "关于加快湾区轨道交通互联互通的建议",
                "城际轨道换乘不便，建议推动“一票通行”和安检互认，打造一小时生活圈。",
            ),
            ("关于深化前海横琴南沙平台建设的建议", "重大合作平台的政策含金量高，建议加大政策宣传并简化落地审批。"),
            ("关于推动湾区科技创新成果转化的建议", "高校科研成果转化率不高，建议建设中试平台和概念验证中心。"),
            ("关于促进湾区跨境数据有序流动的建议", "跨境数据流动需求大，建议在安全可控前提下探索数据流动试点。"),
            ("关于加强湾区生态环境协同治理的建议", "珠江口水质治理需要协同，建议建立跨市联防联治机制。"),
            ("关于推进湾区医疗资源共享的建议", "港澳居民在内地就医结算不便，建议扩大“港澳药械通”试点范围。"),
        ],
        "replies": [
            "赞同，建议从职业资格互认入手，逐步扩大范围。",
            "我们企业在前海设点，感觉审批效率有很大提升。",
            "建议借鉴国际湾区经验，设立协调机构统筹推进。",
            "港澳青年更关注住房和子女教育，政策要更有针对性。",
            "建议把这一条形成提案，争取列入重点提案督办。",
            "跨境通勤时间是关键，口岸通关还可以再优化。",
            "科技成果转化需要金融支持，建议发展科创基金。",
            "生态治理要算长远账，建议建立生态补偿机制。",
            "建议加强与港澳政协委员的交流，形成合力。",
            "数据安全要放在首位，试点可以先从科研数据开始。",
        ],
    },
    "乡村振兴建言献策群": {
        "threads": [
            (
                "关于发展特色农产品品牌的建议",
                "不少县区农产品品质好但知名度低，建议打造区域公用品牌，发展电商直播销售。",
            ),
            ("关于加强农村人居环境整治的建议", "部分村庄污水处理设施建而不用，建议完善运维机制，落实管护经费。"),
            ("关于吸引人才返乡创业的建议", "农村青壮年外出多，建议完善返乡创业扶持政策，提供用地和金融支持。"),
            ("关于推进县域医疗共同体建设的建议", "村卫生室服务能力弱，建议推进县域医共体，让群众在家门口看好病。"),
            ("关于盘活农村闲置宅基地的建议", "闲置宅基地较多，建议在依法自愿前提下探索盘活利用，发展乡村民宿。"),
            ("关于加强乡村教师队伍建设的建议", "乡村学校留不住好老师，建议提高乡村教师补贴，改善住宿条件。"),
        ],
        "replies": [
            "赞同，建议发挥供销社和合作社的作用。",
            "我们调研的村子，电商带货效果明显，值得推广。",
            "建议加大对农村基础设施的财政投入。",
            "人才是关键，建议设立乡村振兴人才专项。",
            "建议建立长效管护机制，避免重建轻管。",
            "可以结合文旅资源，发展乡村旅游。",
            "建议把意见汇总后形成社情民意信息报送。",
            "农村养老问题也要重视，建议发展互助养老。",
        ],
    },
}

NAMES = list(THEMES)
DESCRIPTIONS = {
    "齐心抗疫情建言献策群": "围绕疫情防控和复工复产，委员们随时随地建言献策，机关及时梳理形成提案和社情民意信息。",
    "助力大湾区建设建言献策群": "聚焦粤港澳大湾区建设中的规则衔接、互联互通、科技创新和民生融合，凝聚委员智慧。",
    "乡村振兴建言献策群": "围绕乡村产业、人才、文化、生态和组织振兴，收集委员调研所得和意见建议。",
}
FULL = [
    Plan(NAMES[0], DESCRIPTIONS[NAMES[0]], 60, 53, 217, 42, 18, 9),
    Plan(NAMES[1], DESCRIPTIONS[NAMES[1]], 45, 35, 140, 24, 8, 4),
    Plan(NAMES[2], DESCRIPTIONS[NAMES[2]], 32, 25, 90, 15, 5, 3),
]
SMALL = [
    Plan(NAMES[0], DESCRIPTIONS[NAMES[0]], 16, 12, 40, 8, 3, 2),
    Plan(NAMES[1], DESCRIPTIONS[NAMES[1]], 12, 9, 26, 5, 1, 1),
    Plan(NAMES[2], DESCRIPTIONS[NAMES[2]], 10, 7, 18, 4, 1, 1),
]
# Posts are dated back from this day (the demo's other modules use the same year).
START = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC)


def is_loaded() -> bool:
    return DiscussionGroup.objects.filter(name=NAMES[0]).exists()


def load_groups_demo(scale: str = "full", seed: int = 20260126) -> dict[str, int]:
    """Load the 议政群 demo unless it is there already; returns what was created."""
    from huying.demo.proposals import demo_session

    if is_loaded():
        return {}
    session = demo_session()
    staff = list(User.objects.filter(username__in=["jiguan", "xinxi"]).order_by("username"))
    if session is None or not staff:
        return {}
    started = time.monotonic()
    rng = random.Random(seed + 17)
    cppcc = session.cppcc
    members = list(
        User.objects.filter(
            role_assignments__role=Role.MEMBER,
            role_assignments__is_active=True,
            role_assignments__organisation=cppcc,
            is_real_name_verified=True,
            is_active=True,
        )
        .exclude(username="weiyuan")
        .distinct()
        .order_by("username")[:200]
    )
    # weiyuan speaks in every group when verified (an existing unverified account may not post).
    weiyuan = User.objects.filter(username="weiyuan", is_real_name_verified=True).first()
    created: Counter[str] = Counter()
    with override_settings(MODERATION_RATE_LIMITS=False), transaction.atomic():
        for n, plan in enumerate(FULL if scale == "full" else SMALL):
            chosen = rng.sample(members, min(plan.members - 1, len(members)))
            if weiyuan is not None:
                chosen.insert(0, weiyuan)
            created.update(_load_group(rng, plan, n, cppcc, staff, chosen, session))
    log.info("groups demo loaded in %.1f s", time.monotonic() - started)
    return dict(created)


def _load_group(
    rng: random.Random, plan: Plan, n: int, cppcc: Any, staff: list[User], members: list[User], session: Any
) -> Counter[str]:
    created: Counter[str] = Counter()
    lead = staff[n % len(staff)]
    group = actions.do_create_group(
        lead, cppcc=cppcc, name=plan.name, description=plan.description, members=members, staff=staff
    )
    created["discussion groups"] += 1
    theme = THEMES[plan.name]
    speakers = members[: plan.speakers]
    threads: list[Post] = []
    replies: list[Post] = []
    when = START - dt.timedelta(days=60 - n * 7)
    topics = theme["threads"]
    for k in range(plan.speeches):
        when += dt.timedelta(minutes=rng.randint(20, 600))
        author = speakers[k % len(speakers)]
        if k < len(topics) and (k == 0 or rng.random() < 0.5 or plan.speeches - k <= len(topics) - len(threads)):
            title, body = topics[len(threads)]
            threads.append(actions.do_post_thread(author, group, title=title, body=body, now=when))
            continue
        target = threads[rng.randrange(len(threads))] if len(threads) > 1 else threads[0]
        body = rng.choice(theme["replies"])
        replies.append(actions.do_reply(author, target, body=body, now=when))
    created["group threads"] += len(threads)
    created["group replies"] += len(replies)
    # Staff mark the best replies as suggestions (建言) and pin the first thread.
    marked = rng.sample(replies, min(plan.suggestions, len(replies)))
    for post in marked:
        actions.do_mark_suggestion(lead, post)
    created["suggestions marked"] += len(marked)
    actions.do_pin(lead, threads[0])
    # Members turn threads and marked suggestions into their own drafts.
    sources: list[Post] = [*threads, *sorted(marked, key=lambda p: p.pk)]
    converters = [m for m in members if actions.may_convert(m, group)]
    for i in range(plan.proposals + plan.reports):
        post = Post.objects.select_related("group__cppcc", "moderation", "thread", "author").get(
            pk=sources[i % len(sources)].pk
        )
        member = converters[(i * 5 + n) % len(converters)]
        kind = DraftTarget.PROPOSAL if i < plan.proposals else DraftTarget.REPORT
        title = actions.default_title(post) if kind == DraftTarget.PROPOSAL else f"关于{_topic(post)}的情况反映"
        actions.do_convert(member, post, target=kind, title=title, session=session)
        created[f"{kind} drafts from groups"] += 1
    return created


def _topic(post: Post) -> str:
    source = post if post.is_thread else post.thread
    title = source.title if source is not None else post.body
    return title.removeprefix("关于").removesuffix("的建议").removesuffix("的思考")[:30]
