"""Demo data of 委员会客室 (the member reception room): past sessions with their questions
and answers, one session live now, one upcoming, a few questions waiting in the moderation
queue and one adopted question turned into a proposal draft.

Everything goes through the real actions (schedule, open, ask, publish, answer, adopt,
convert, close), with the times of each step passed in so the past sessions read as past.
Deterministic (``random.Random(seed)``); a second run changes nothing (the first session's
theme marks the load).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import Any

from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.moderation import actions as moderation
from huying.reception import actions
from huying.reception.models import ReceptionSession

# (theme, description, [(question, answer), …]) — the first entry marks the load.
PAST: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "社区居家养老服务怎么更好落地",
        "围绕长者饭堂、居家上门服务、养老护理员队伍建设等问题，听取群众意见建议。",
        [
            (
                "我们社区的长者饭堂只在工作日开，周末老人吃饭怎么办？",
                "您反映的情况很普遍。我已向民政部门了解，明年将推动有条件的长者饭堂实行周末轮值供餐，并与周边餐饮企业合作提供助餐点。",
            ),
            (
                "居家上门护理服务收费标准不透明，能否统一公示？",
                "收费公示是保障老人权益的基础。我会建议区民政局在政务网和社区公告栏统一公示服务项目和价格，并开通投诉渠道。",
            ),
            (
                "独居老人突发疾病没人知道，社区能不能安装紧急呼叫设备？",
                "已有部分街道试点为独居、高龄老人免费安装紧急呼叫和烟感设备，我会推动扩大试点范围，并把您的社区列入调研对象。",
            ),
            (
                "养老护理员工资低、流失快，政协有没有相关提案？",
                "这是我们持续关注的问题。今年我联名提交了提高护理员岗位补贴、建立职级体系的提案，目前已经立案交办。",
            ),
            (
                "老旧小区没有电梯，老人下楼难，加装电梯补贴能否提高？",
                "省里已出台加装电梯补贴政策，各市标准不同。我会把提高补贴和简化审批的意见带到专题协商会上。",
            ),
            (
                "希望社区日间照料中心增加康复理疗设备。",
                "感谢建议。康复设备配置已纳入社区养老服务设施建设标准修订的讨论，我会跟进落实情况。",
            ),
            (
                "长者饭堂的饭菜偏咸偏油，能否请营养师指导？",
                "好建议。我会建议由社区卫生服务中心定期派营养师指导长者饭堂配餐，并公开每周菜谱。",
            ),
            (
                "子女在外地工作，老人办养老服务手续很麻烦，能不能网上办？",
                "目前大部分养老服务补贴已可在粤省事办理，我会建议进一步简化材料，并允许子女代办。",
            ),
        ],
    ),
    (
        "义务教育阶段课后服务和学位供给",
        "听取家长对课后服务内容、收费和学位紧张问题的意见。",
        [
            (
                "课后服务基本上就是写作业，能不能增加体育和艺术课程？",
                "课后服务“提质”是今年的重点。我会建议教育部门引入社会优质资源，增加体育、艺术、科技类课程供学生选择。",
            ),
            (
                "新建小区配套学校迟迟不开学，孩子只能跨区上学。",
                "配套学校建设滞后的问题我已在调研中看到。我会推动建立配套学校与住宅同步规划、同步建设、同步交付的监督机制。",
            ),
            (
                "课后服务收费各校不一样，有没有统一标准？",
                "按照现行政策，课后服务实行成本补偿收费，标准由各地核定并公示。我会提请有关部门加强公示和监督。",
            ),
            (
                "孩子放学时间太早，双职工家庭接送困难。",
                "弹性离校已在多数学校推行，我会建议保障每所学校都能提供到下午六点的托管服务。",
            ),
            (
                "希望学校午休能让孩子躺下睡，而不是趴在桌上。",
                "“躺睡”午休已有学校试点，效果不错。我会建议教育部门总结经验，在有条件的学校推广。",
            ),
            (
                "民办学校学费涨得太快，家长负担重。",
                "民办学校收费需要规范。我会建议物价和教育部门加强对民办学校收费调整的审核和公开。",
            ),
            (
                "校门口交通拥堵，接送孩子很不安全。",
                "我会建议交警和学校联合设置上下学临时停车区，并在高峰时段增派警力疏导。",
            ),
        ],
    ),
    (
        "早高峰出行与公共交通",
        "地铁、公交接驳和早高峰拥堵问题，委员在线听取市民意见。",
        [
            (
                "地铁站到小区最后一公里没有公交，能否开通接驳线？",
                "社区接驳线是解决“最后一公里”的有效办法。我会把您所在片区的需求转给交通部门，建议开通微循环公交。",
            ),
            ("早高峰公交车太挤，经常等两三趟才上得去。", "我会建议公交企业根据客流数据加密高峰班次，并开通大站快车。"),
            (
                "地铁换乘通道太长，老人走得很吃力。",
                "换乘通道增设自动步道和休息座椅的建议我已向地铁集团转达，新线建设也会优化换乘设计。",
            ),
            ("共享单车在地铁口乱停，占用盲道。", "我会建议城管部门划定停放区域，对运营企业实行考核，并保障盲道畅通。"),
            (
                "能否在主干道设置公交专用道，提高公交准点率？",
                "公交专用道已在部分主干道设置，我会建议扩大覆盖并加强违法占用的执法。",
            ),
            ("夜班公交太少，下夜班的人回家很难。", "我会建议根据夜间出行需求增开夜班线路，并在主要商圈和医院设站。"),
        ],
    ),
    (
        "营商环境与小微企业发展",
        "听取个体工商户和小微企业主对审批、融资、减税降费的意见。",
        [
            (
                "开个小餐馆要跑好几个部门，审批能不能再简化？",
                "“一件事一次办”正在推行，我会建议把餐饮开店涉及的证照整合到一个窗口、一次提交。",
            ),
            (
                "小微企业贷款难，银行要求抵押物太多。",
                "我会建议扩大政府性融资担保覆盖，推动银行发展信用贷款，并跟进普惠金融政策落实情况。",
            ),
            (
                "减税降费政策太多，小企业搞不清楚能享受哪些。",
                "我会建议税务部门通过粤商通等渠道主动推送可享受的政策，做到“政策找企业”。",
            ),
            (
                "夜市摊主经常被临时清场，希望有固定经营区域。",
                "我会建议街道规划规范化夜市经营区，统一管理卫生和噪音，让摊主安心经营。",
            ),
            ("企业招工难，年轻人不愿意进工厂。", "我会建议加强职业技能培训和产业工人住房保障，提高一线岗位吸引力。"),
            (
                "政府部门拖欠中小企业账款怎么办？",
                "清理拖欠中小企业账款是重点督办事项，您可以通过投诉平台反映，我也会在协商会上提出加强督查。",
            ),
            (
                "希望街道设立免费的法律咨询点。",
                "公共法律服务站点已覆盖大部分街道，我会建议延长服务时间，增加涉企法律服务。",
            ),
        ],
    ),
    (
        "社区医疗与家庭医生签约",
        "社区卫生服务、家庭医生签约和夜间门诊问题。",
        [
            (
                "孩子晚上发烧只能去大医院急诊，社区卫生站能不能开夜诊？",
                "我会建议在人口密集片区选择部分社区卫生服务中心试点开设夜间门诊。",
            ),
            (
                "家庭医生签约了但是联系不上，形同虚设。",
                "签约服务要重实效。我会建议建立签约医生响应时限和居民评价机制。",
            ),
            (
                "社区医院药品种类少，很多慢性病药开不到。",
                "我会推动社区医院与上级医院用药目录衔接，保障慢性病常用药供应。",
            ),
            (
                "希望社区开展免费的老年人体检。",
                "65岁以上老人每年可在社区免费体检一次，我会建议加大宣传并增加上门服务。",
            ),
            ("医保异地报销手续复杂。", "跨省直接结算范围在扩大，我会建议进一步简化备案手续。"),
        ],
    ),
    (
        "垃圾分类与社区环境整治",
        "垃圾分类投放、河涌整治和社区绿化。",
        [
            (
                "小区垃圾分类投放点经常混投，督导员也不在。",
                "我会建议物业和街道落实定时定点督导，并公开各小区分类排名。",
            ),
            (
                "附近河涌夏天有异味，能否加快整治？",
                "我会把您反映的河涌列入调研，建议水务部门加强截污和清淤，定期公布水质。",
            ),
            ("能不能利用边角地建口袋公园？", "口袋公园建设已纳入城市更新计划，我会把您所在社区的需求转给园林部门。"),
            ("装修垃圾乱堆放，没人清运。", "我会建议街道设置装修垃圾临时堆放点，实行预约清运。"),
        ],
    ),
]
FULL_PAST = len(PAST)
SMALL_PAST = 4

LIVE = (
    "加装电梯与老旧小区改造",
    "今晚委员在线，聊聊老旧小区加装电梯、管线改造和停车问题。欢迎提问，问题经工作人员审核后显示。",
    [
        (
            "低层住户不同意加装电梯，项目卡住了，有什么办法？",
            "可以先由社区居委会组织协商，必要时申请人民调解。我会建议出台低层住户补偿指引，减少分歧。",
        ),
        ("加装电梯后的维保费用谁来出？", "一般由出资业主按比例分摊，我会建议有条件的地方给予维保补贴。"),
        (
            "老旧小区改造能不能同时解决停车难？",
            "改造方案会统筹考虑停车位挖潜，我会建议优先利用小区周边闲置地块建设停车设施。",
        ),
        ("改造期间施工噪音太大，晚上也施工。", None),
        ("小区管网老化，经常停水，能否纳入改造？", None),
    ],
)
PENDING = [
    "我们小区加装电梯的审批已经半年了还没批下来，能帮忙问问吗？",
    "改造后小区的物业费会不会涨？",
    "老旧小区改造是否包括加装充电桩？",
]
UPCOMING = (
    "托育服务与“一老一小”",
    "下周委员在线接待，欢迎就普惠托育、社区托育点建设提出问题。",
)


def is_loaded() -> bool:
    return ReceptionSession.objects.filter(theme=PAST[0][0]).exists()


def _members(cppcc_path: str, exclude: int) -> list[User]:
    return list(
        User.objects.filter(
            role_assignments__role=Role.MEMBER,
            role_assignments__is_active=True,
            role_assignments__organisation__path=cppcc_path,
        )
        .exclude(pk=exclude)
        .distinct()
        .order_by("username")[:10]
    )


def load_reception_demo(scale: str = "full", seed: int = 20260126) -> dict[str, int]:
    """Load the reception-room demo unless it is there already; returns what was created."""
    if is_loaded():
        return {}
    staff = User.objects.filter(username="jiguan").first()
    host = User.objects.filter(username="weiyuan").first()
    citizen = User.objects.filter(username="qunzhong").first()
    if staff is None or host is None or not actions.member_cppccs(host):
        return {}
    rng = random.Random(seed + 23)
    askers = list(
        User.objects.filter(
            is_real_name_verified=True, role_assignments__role=Role.PUBLIC, role_assignments__is_active=True
        )
        .exclude(username="qunzhong")
        .order_by("username")[:60]
    )
    if citizen is not None and citizen.is_real_name_verified:
        askers.insert(0, citizen)
    if not askers:
        return {}
    cppcc = actions.member_cppccs(host)[0]
    hosts = [host, *_members(cppcc.path, host.pk)]
    created: Counter[str] = Counter()
    now = timezone.localtime().replace(second=0, microsecond=0)  # evening sessions, local time
    with override_settings(MODERATION_RATE_LIMITS=False), transaction.atomic():
        past = PAST[: FULL_PAST if scale == "full" else SMALL_PAST]
        first_question = None
        for n, (theme, description, pairs) in enumerate(past):
            starts = (now - dt.timedelta(days=9 + 14 * n)).replace(hour=19, minute=30)
            ends = starts + dt.timedelta(hours=2)
            session = _session(staff, hosts[n % len(hosts)], theme, description, starts, ends)
            actions.do_open_session(session.host, session, now=starts)
            for i, (text, answer) in enumerate(pairs):
                asked = starts + dt.timedelta(minutes=5 + 12 * i + rng.randint(0, 6))
                q = _published(staff, askers[(n * 7 + i) % len(askers)], session, text, asked)
                actions.do_answer(session.host, q, body=answer, now=asked + dt.timedelta(minutes=rng.randint(3, 9)))
                created["reception questions answered"] += 1
                if first_question is None and session.host_id == host.pk:
                    first_question = q
            actions.do_close_session(session.host, session, now=ends)
            created["reception sessions (past)"] += 1
        # The live session: weiyuan hosts it now; some questions answered, a few waiting.
        theme, description, live_pairs = LIVE
        starts = now - dt.timedelta(minutes=40)
        live = _session(host, host, theme, description, starts, now + dt.timedelta(hours=2))
        actions.do_open_session(host, live, now=starts)
        for i, (text, maybe) in enumerate(live_pairs):
            q = _published(staff, askers[(3 + i) % len(askers)], live, text, starts + dt.timedelta(minutes=4 + 7 * i))
            if maybe:
                actions.do_answer(host, q, body=maybe)
                created["reception questions answered"] += 1
        for i, text in enumerate(PENDING):
            actions.do_ask(askers[(11 + i) % len(askers)], live, body=text, now=now - dt.timedelta(minutes=5 - i))
            created["reception questions awaiting moderation"] += 1
        created["reception sessions (live)"] += 1
        theme, description = UPCOMING
        starts = (now + dt.timedelta(days=6)).replace(hour=19, minute=30)
        _session(staff, hosts[1 % len(hosts)], theme, description, starts, starts + dt.timedelta(hours=2))
        created["reception sessions (upcoming)"] += 1
        # weiyuan adopts a question of his first past session and turns it into a proposal draft.
        if first_question is not None:
            _adopt_into_proposal(host, first_question)
            created["reception questions turned into proposal drafts"] += 1
    return dict(created)


def _session(actor: User, host: User, theme: str, description: str, starts: Any, ends: Any) -> ReceptionSession:
    return actions.do_create_session(
        actor, host=host, theme=theme, description=description, starts_at=starts, ends_at=ends
    )


def _published(staff: User, author: User, session: ReceptionSession, text: str, when: Any) -> Any:
    q = actions.do_ask(author, session, body=text, now=when)
    moderation.do_publish(staff, q.moderation)
    q.moderation.refresh_from_db()
    return q


def _adopt_into_proposal(host: User, question: Any) -> None:
    from huying.proposals.actions.drafts import is_member_of
    from huying.proposals.models import Session

    target = next((s for s in Session.objects.order_by("-is_current", "-pk") if is_member_of(host, s)), None)
    question.refresh_from_db()
    actions.do_adopt(host, question)
    if target is not None:
        actions.do_convert_to_proposal(host, [question], session=target, title="关于完善社区长者饭堂周末供餐的建议")
