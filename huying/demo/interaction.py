"""Demo data of 互动 and moderation: a word list, hundreds of public suggestions in every
moderation state (some adopted into proposals), five opinion debates with thousands of
votes and arguments, and a moderation queue with items to decide.

Suggestions, arguments, moderation decisions, reports and adoptions go through the real
actions. Votes and likes are bulk rows (the debates' counters are then set once from
them): thousands of ``do_vote`` calls would take minutes. The voters are app accounts
(real-name verified, no role, no usable password) made here in bulk, because the demo's
public people are a few hundred. Deterministic (``random.Random(seed)``); a second run
changes nothing (the first debate's question marks the load).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from collections import Counter
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count, Q
from django.test import override_settings
from django.utils import timezone

from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.interaction import actions
from huying.interaction.models import Argument, ArgumentLike, Debate, Suggestion, SuggestionAdoption, Vote
from huying.moderation import actions as moderation
from huying.moderation import screening
from huying.moderation.choices import WordAction

log = logging.getLogger(__name__)

WORDS = [
    ("法轮功", WordAction.BLOCK),
    ("六合彩", WordAction.BLOCK),
    ("赌博", WordAction.BLOCK),
    ("代开发票", WordAction.BLOCK),
    ("翻墙", WordAction.REVIEW),
    ("游行", WordAction.REVIEW),
    ("上访", WordAction.REVIEW),
    ("贪污", WordAction.REVIEW),
    ("微信号", WordAction.REVIEW),
    ("加我qq", WordAction.REVIEW),
]

PLACES = [
    "荔湾区沙面街",
    "荔湾区芳村",
    "越秀区北京街",
    "海珠区江南西",
    "天河区石牌",
    "白云区京溪",
    "番禺区市桥",
    "黄埔区大沙",
]

# (category, title, body) — the texts members of the public send about their city.
TOPICS = [
    (
        "social",
        "建议增设社区长者饭堂",
        "小区老年人多，子女白天上班，老人吃饭不方便，建议在社区增设长者饭堂，提供平价午餐和送餐服务。",
    ),
    (
        "city",
        "建议优化早高峰公交班次",
        "早上七点到八点半公交车非常拥挤，经常等两三趟才能上车，建议加密高峰时段班次并开通大站快车。",
    ),
    (
        "city",
        "建议老旧小区加装电梯提速",
        "我们小区楼龄三十年，七层没有电梯，老人上下楼困难，希望简化加装电梯的审批流程并加大补贴。",
    ),
    ("environment", "建议增设口袋公园", "周边全是住宅楼，缺少休闲空间，建议利用边角地建设口袋公园，增加座椅和绿化。"),
    (
        "education",
        "建议延长社区图书馆开放时间",
        "社区图书馆晚上六点就关门，上班族下班后没法借书，建议周末和晚上延长开放时间。",
    ),
    ("health", "建议社区卫生站增加夜间门诊", "孩子晚上发烧只能去大医院急诊排长队，建议社区卫生服务站开设夜间门诊。"),
    ("environment", "建议加强垃圾分类督导", "小区垃圾分类投放点经常混投，建议增加督导员并公开各小区分类情况。"),
    ("city", "建议规范共享单车停放", "地铁口共享单车堆积，占用盲道和人行道，建议划定停放区并加强调度。"),
    ("economy", "建议为小微企业提供免费法律咨询", "小店经营者遇到合同纠纷不知道找谁，建议街道设立免费法律咨询点。"),
    ("social", "建议增加托育机构", "双职工家庭三岁以下孩子没人带，普惠托育名额太少，建议增加社区托育点。"),
    ("health", "建议推广家庭医生签约服务", "很多居民不知道家庭医生怎么签约，建议社区加大宣传并提供上门服务。"),
    ("education", "建议中小学课后服务更丰富", "课后服务以写作业为主，建议引入体育、艺术、科技等兴趣课程。"),
    ("city", "建议增设新能源汽车充电桩", "小区停车场没有充电桩，新能源车主充电困难，建议统一规划建设。"),
    ("environment", "建议整治河涌异味", "附近河涌夏天有明显异味，建议加强截污和清淤，定期公布水质。"),
    ("economy", "建议夜市规范化管理", "夜市人气旺但卫生和噪音问题突出，建议划定经营区域、统一管理。"),
    ("social", "建议完善无障碍设施", "很多人行道的盲道被占用或中断，轮椅通行困难，建议系统排查整改。"),
    ("other", "建议政务服务一网通办", "办事需要跑多个窗口、重复提交材料，建议进一步推进一网通办、一窗受理。"),
]

DEBATES = [
    (
        "中心城区是否应该限行燃油车？",
        "应该限行",
        "不应限行",
        "为改善空气质量、缓解拥堵，有观点主张在中心城区对燃油车实施限行，也有人担心影响出行和经营。",
    ),
    ("中小学是否应该全面取消期中考试？", "应该取消", "应该保留", "减负背景下，期中考试的存废引发家长和老师热议。"),
    ("老旧小区加装电梯，低层住户是否应该出资？", "应该出资", "不应出资", "加装电梯受益不均，费用如何分摊是协调难点。"),
    ("城市是否应该大力发展夜间经济？", "应该发展", "审慎发展", "夜间经济带动消费和就业，也带来噪音、治安和环境压力。"),
    (
        "公园是否应该全面开放草坪供市民休憩？",
        "应该开放",
        "适度开放",
        "草坪开放方便市民亲近自然，但维护成本和管理难度增加。",
    ),
]
ARGUMENTS = {
    "a": [
        "这样做能明显改善居民的生活质量。",
        "长远来看利大于弊，其他城市已有成功经验。",
        "政策配套跟上以后，大部分人都能适应。",
        "应该先试点再推广，但方向是对的。",
        "我身边的人大多支持，关键是落实到位。",
    ],
    "b": [
        "现阶段条件还不成熟，应该循序渐进。",
        "一刀切会给部分群体带来很大困难。",
        "配套措施没有到位，仓促推行效果不好。",
        "应该多听听基层的意见再做决定。",
        "成本太高，应该把钱用在更急需的地方。",
    ],
}
HIDE_REASONS = ["广告推销", "与主题无关", "含个人联系方式", "重复提交"]
REPORT_REASONS = ["内容不实", "广告", "不文明用语"]

FULL: dict[str, Any] = {
    "suggestions": 240,
    "votes": [4200, 3100, 2600, 1900, 1400],
    "arguments": 20,
    "adopted_drafts": 12,
    "adopted_reports": 6,
}
SMALL: dict[str, Any] = {
    "suggestions": 40,
    "votes": [60, 40, 30, 20, 10],
    "arguments": 6,
    "adopted_drafts": 2,
    "adopted_reports": 1,
}


def is_loaded() -> bool:
    return Debate.objects.filter(question=DEBATES[0][0]).exists()


def _voters(count: int) -> list[int]:
    """Real-name verified app accounts that vote (bulk, no role, no usable password)."""
    names = [f"app{n:05d}" for n in range(1, count + 1)]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    unusable = make_password(None)
    # Every demo account has a mobile of its own (the people tests check it).
    taken = set(User.objects.filter(mobile__startswith="199").values_list("mobile", flat=True))
    mobiles = [f"19988{n:06d}" if f"19988{n:06d}" not in taken else f"19977{n:06d}" for n in range(count)]
    surnames, given = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高", "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"
    User.objects.bulk_create(
        [
            User(
                username=name,
                real_name=surnames[n % 20] + given[(n * 7) % 20] + given[(n * 13) % 20],
                mobile=mobiles[n],
                is_real_name_verified=True,
                password=unusable,
            )
            for n, name in enumerate(names)
            if name not in existing
        ],
        batch_size=1000,
    )
    return list(User.objects.filter(username__in=names).order_by("username").values_list("pk", flat=True))


def load_interaction_demo(scale: str = "full", seed: int = 20260126) -> dict[str, int]:
    """Load the 互动 demo unless it is there already; returns what was created."""
    if is_loaded():
        return {}
    started = time.monotonic()
    size = FULL if scale == "full" else SMALL
    rng = random.Random(seed + 11)
    created: Counter[str] = Counter()
    staff = User.objects.filter(username="jiguan").first() or User.objects.filter(is_superuser=True).first()
    if staff is None:
        return {}
    # The demo's hundreds of posts by a few hundred people are not counted against the
    # posting limits (one cache write fewer per post, and no 429 half-way).
    with override_settings(MODERATION_RATE_LIMITS=False), transaction.atomic():
        for word, action in WORDS:
            moderation.do_add_word(None, word, action=action)
        transaction.on_commit(screening.bump_version)
        screening.reset()
        created["sensitive words"] = len(WORDS)
        voter_ids = _voters(max(size["votes"]))
        public = list(
            User.objects.filter(
                is_real_name_verified=True, role_assignments__role=Role.PUBLIC, role_assignments__is_active=True
            )
            .exclude(username="qunzhong")
            .order_by("username")
        )
        authors = public + list(User.objects.filter(pk__in=voter_ids[:400]).order_by("username"))
        created.update(_suggestions(rng, size, authors, staff))
        created.update(_debates(rng, size, authors, voter_ids, staff))
    log.info("interaction demo loaded in %.1f s", time.monotonic() - started)
    return dict(created)


def _suggestions(rng: random.Random, size: dict[str, Any], authors: list[User], staff: User) -> Counter[str]:
    created: Counter[str] = Counter()
    made: list[Suggestion] = []
    now = timezone.now()
    for n in range(size["suggestions"]):
        category, title, body = TOPICS[n % len(TOPICS)]
        author = authors[n % len(authors)]
        place = rng.choice(PLACES)
        s = actions.do_submit_suggestion(
            author, title=title if n < len(TOPICS) else f"{title}（{place}）", body=body, category=category, place=place
        )
        Suggestion.objects.filter(pk=s.pk).update(created_at=now - dt.timedelta(hours=n * 5 + rng.randint(0, 4)))
        made.append(s)
    created["public suggestions"] = len(made)
    # Moderation: most published, some hidden with reasons, the newest left in the queue.
    queue = set(range(0, len(made), 12))
    for n, s in enumerate(made):
        if n in queue:
            continue
        moderation.do_publish(staff, s.moderation)
        if n % 23 == 5:
            moderation.do_hide(staff, s.moderation, reason=rng.choice(HIDE_REASONS))
            created["hidden"] += 1
    published = [s for n, s in enumerate(made) if n not in queue and n % 23 != 5]
    # A few reports (one per person); the most reported go back to the queue.
    for k, s in enumerate(published[3:12]):
        for reporter in rng.sample(authors, 3 if k % 3 == 0 else 1):
            if reporter.pk != s.author_id:
                moderation.do_report(reporter, s.moderation, reason=rng.choice(REPORT_REASONS))
                created["reports"] += 1
    # Members follow and adopt: drafts through the real action, and links onto the demo's
    # filed proposals so suggesters see "became proposal 第0123号, replied class A".
    from huying.demo.proposals import demo_session, filed_demo_proposals

    session = demo_session()
    if session is None:
        return created
    members = list(
        User.objects.filter(
            role_assignments__role=Role.MEMBER,
            role_assignments__is_active=True,
            role_assignments__organisation__path__startswith=session.cppcc.path,
        )
        .exclude(username="weiyuan")
        .distinct()
        .order_by("username")[:40]
    )
    available = [s for s in published[12:] if s.moderation.status == "published"]
    rng.shuffle(available)
    for d in range(min(size["adopted_drafts"], len(members))):
        chosen = available[d * 2 : d * 2 + rng.randint(1, 2)]
        if not chosen:
            break
        for s in chosen:
            s.moderation.refresh_from_db()
        actions.do_adopt_into_proposal(members[d], chosen, session=session, title=f"关于{chosen[0].title[2:14]}的建议")
        created["proposal drafts from suggestions"] += 1
    # A few into opinion-report drafts (社情民意), through the opinions app's draft action.
    reports_from = available[size["adopted_drafts"] * 2 : size["adopted_drafts"] * 2 + size["adopted_reports"]]
    for d, s in enumerate(reports_from):
        s.moderation.refresh_from_db()
        if s.moderation.status == "published":
            member = members[-1 - d % len(members)]
            actions.do_adopt_into_report(member, [s], title=f"关于{s.title[2:20]}的情况反映")
            created["opinion-report drafts from suggestions"] += 1
    filed = filed_demo_proposals(session)
    rest = available[size["adopted_drafts"] * 2 + size["adopted_reports"] :]
    links = []
    for n, s in enumerate(rest[: len(filed) * 2 // 3]):
        proposal = filed[(n * 7) % len(filed)]
        if proposal.proposer_id:
            links.append(
                SuggestionAdoption(
                    suggestion=s, proposal=proposal, adopted_by_id=proposal.proposer_id, created_at=s.created_at
                )
            )
    SuggestionAdoption.objects.bulk_create(links, ignore_conflicts=True)
    created["suggestions linked to filed proposals"] = len(links)
    for s in published[:30]:
        s.moderation.refresh_from_db()
        if s.moderation.status != "published":
            continue
        for follower in rng.sample(authors, 3):
            actions.do_follow(follower, s)
    return created


def _debates(
    rng: random.Random, size: dict[str, Any], authors: list[User], voter_ids: list[int], staff: User
) -> Counter[str]:
    created: Counter[str] = Counter()
    now = timezone.now()
    for n, (question, side_a, side_b, description) in enumerate(DEBATES):
        live = n < 2
        opens = now - dt.timedelta(days=3 + 20 * n)
        debate = actions.do_create_debate(
            staff,
            question=question,
            side_a=side_a,
            side_b=side_b,
            description=description,
            opens_at=opens,
            closes_at=now + dt.timedelta(days=7 if live else 1),
        )
        debate = actions.do_open_debate(staff, debate)
        lean = rng.uniform(0.35, 0.7)
        voters = voter_ids[: size["votes"][n]]
        Vote.objects.bulk_create(
            [
                Vote(debate=debate, user_id=uid, side="a" if rng.random() < lean else "b", created_at=opens)
                for uid in voters
            ],
            batch_size=2000,
        )
        counts = Vote.objects.filter(debate=debate).aggregate(
            a=Count("pk", filter=Q(side="a")), b=Count("pk", filter=Q(side="b"))
        )
        Debate.objects.filter(pk=debate.pk).update(votes_a=counts["a"], votes_b=counts["b"])
        created["debate votes"] += len(voters)
        made = []
        for k in range(size["arguments"]):
            side = "a" if k % 2 == 0 else "b"
            body = ARGUMENTS[side][(k // 2) % len(ARGUMENTS[side])]
            if k >= 10:
                body = f"{body}（{rng.choice(PLACES)}居民）"
            made.append(actions.do_argue(authors[(n * 31 + k) % len(authors)], debate, side=side, body=body))
        created["debate arguments"] += len(made)
        likes = []
        for argument in made:
            likers = rng.sample(voters, min(len(voters), rng.randint(0, 80)))
            likes += [ArgumentLike(argument=argument, user_id=uid) for uid in likers]
        ArgumentLike.objects.bulk_create(likes, batch_size=2000)
        for argument in made:
            Argument.objects.filter(pk=argument.pk).update(like_count=argument.likes.count())
        if made:
            moderation.do_hide(staff, made[-1].moderation, reason="与主题无关")
        if not live:
            actions.do_close_debate(staff, debate)
            Debate.objects.filter(pk=debate.pk).update(closes_at=opens + dt.timedelta(days=14))
    created["opinion debates"] = len(DEBATES)
    return created
