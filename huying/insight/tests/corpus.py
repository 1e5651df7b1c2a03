"""A deterministic corpus of citizen messages with planted hot topics.

Five planted issues, each raised by many different people over weeks or months in their
own words (openings, the place named in several forms or not at all, details, demands),
decoys that share an issue's words but name other places, and a long tail of one-off
messages in every category from the demo's sample-message generator.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from huying.demo.sample_messages import generate_messages
from huying.insight.topics import Message

START = datetime(2024, 1, 1, 8, 0)
END = datetime(2024, 7, 1, 8, 0)


@dataclass(frozen=True)
class Planted:
    key: str
    place_or_group: str  # what the topic's place or group must contain
    count: int
    days: tuple[int, int]  # first and last day after START
    places: tuple[str, ...]  # how people name the place ("" = not named)
    subjects: tuple[str, ...]
    details: tuple[str, ...]


OPENINGS = ("您好，", "尊敬的领导：", "领导好！", "", "", "你好，我想反映一下，", "市长您好，")
SELVES = ("我是{place}的业主，", "本人住在{place}，", "我们{place}的居民", "{place}住户反映：", "", "")
DEMANDS = (
    "希望相关部门尽快处理！", "请领导重视，给我们一个答复。", "恳请有关部门调查处理。", "望尽快解决，谢谢！",
    "", "强烈要求查处。", "多次反映没有结果，请督促解决。",
)  # fmt: skip

PLANTED: tuple[Planted, ...] = (
    Planted(
        key="noise",
        place_or_group="锦绣华庭",
        count=40,
        days=(5, 175),
        places=("A市A5区锦绣华庭", "锦绣华庭小区", "锦绣华庭", "锦绣华庭二期", "锦绣华庭"),
        subjects=(
            "{place}旁边工地夜间施工噪音扰民",
            "{place}附近工地半夜施工",
            "投诉{place}边上工地晚上施工太吵",
            "{place}旁地铁站项目工地夜间作业扰民",
            "关于{place}周边工地夜里打桩的问题",
        ),
        details=(
            "小区旁边的工地每天晚上十一二点还在施工，打桩机和挖掘机轰隆隆响，根本睡不着觉。",
            "旁边工地夜间施工，噪音特别大，凌晨两三点还有泥头车进出，家里老人小孩都被吵醒。",
            "工地连续几个月夜里施工，电钻声、敲击声不断，严重影响居民休息，孩子要高考了。",
            "深夜施工噪音扰民，打电话给施工方说有夜间施工许可，但是许可证上写的时间早就过了。",
            "工地晚上灯火通明，机器轰鸣到凌晨，投诉过环保和城管都没用，施工照旧。",
            "晚上十点以后工地还在浇筑混凝土，搅拌车排队鸣笛，噪声超标，居民苦不堪言。",
        ),
    ),
    Planted(
        key="parking",
        place_or_group="滨江御景苑",
        count=18,
        days=(60, 120),
        places=("滨江御景苑", "A市A3区滨江御景苑", "滨江御景苑小区", "御景苑"),
        subjects=(
            "{place}开发商捆绑销售车位",
            "{place}车位必须和房子一起买",
            "举报{place}强制捆绑销售车位",
            "{place}买房被要求同时购买车位",
            "{place}车位捆绑销售是否合法",
        ),
        details=(
            "开发商规定买房必须同时购买一个车位，车位价格高达二十万，不买就不给办理购房手续。",
            "售楼处说车位和住房捆绑销售，不买车位就不能签合同，这是强制消费。",
            "我们交了定金后开发商才说要另外买车位，否则不退定金，价格比周边贵很多。",
            "开发商把车位和商品房捆绑在一起卖，还不给发票，请住建部门查处。",
        ),
    ),
    Planted(
        key="subsidy",
        place_or_group="毕业生",
        count=14,
        days=(100, 170),
        places=("",),
        subjects=(
            "高校毕业生租房补贴怎么申请",
            "咨询应届毕业生租房补贴发放时间",
            "毕业生租房补贴申请条件是什么",
            "请问人才租房补贴什么时候到账",
            "关于高校毕业生租房补贴的咨询",
        ),
        details=(
            "我是去年毕业的大学生，在本市工作交了社保，想问租房补贴在哪里申请，需要什么材料。",
            "按照新出台的高校毕业生租房补贴政策，申请已经提交三个月了，补贴还没有发放。",
            "毕业生租房补贴要求连续缴纳社保六个月，我中间换了工作断了一个月，还能不能申请？",
            "网上申报租房补贴的系统一直提示审核中，打电话问人社局说不清楚，请问补贴什么时候发。",
            "硕士毕业生租房补贴每月多少钱，发放几年，和本科生标准一样吗？",
        ),
    ),
    Planted(
        key="platform",
        place_or_group="鑫利贷",
        count=26,
        days=(20, 150),
        places=("",),
        subjects=(
            "鑫利贷平台暴雷受害人要求立案",
            "鑫利贷受害人请求追回损失",
            "鑫利贷平台非法集资何时立案",
            "关于鑫利贷案件进展的咨询",
            "鑫利贷出借人维权",
        ),
        details=(
            "鑫利贷平台去年突然停止兑付，几万名投资人的血汗钱拿不回来，公安机关迟迟不立案。",
            "我在鑫利贷投了二十万，平台老板跑路了，请求经侦部门尽快立案侦查，追缴赃款。",
            "鑫利贷非法吸收公众存款，受害人报案半年了，案件没有任何进展，希望公布侦办进度。",
            "我们鑫利贷受害者多次到信访局反映，要求冻结平台高管资产，返还出借人本金。",
            "鑫利贷网贷平台暴雷以后，催收公司还在催借款人还钱，钱却不知道流向哪里。",
        ),
    ),
    Planted(
        key="internship",
        place_or_group="信息职业学院",
        count=12,
        days=(10, 40),
        places=("A市信息职业学院", "信息职业学院"),
        subjects=(
            "{place}强制学生寒假外出实习",
            "{place}安排学生到工厂实习",
            "举报{place}强迫学生实习",
        ),
        details=(
            "学校要求所有学生寒假去外地电子厂实习，不去就不给毕业证，每天工作十二个小时。",
            "学院组织学生到工厂流水线顶岗实习，与所学专业无关，工资被中介抽走一大半。",
            "孩子在学校被安排外出实习，住宿条件很差，想回家学校不同意，说要扣学分。",
        ),
    ),
)

DECOY_PLACES = ("翠湖花园", "金地名苑", "天河湾小区", "南岸新村", "星河家园", "明珠公寓")
DECOYS = (
    ("{place}旁边工地夜间施工噪音扰民", "工地每天晚上施工到凌晨，噪音很大，影响休息。"),
    ("{place}开发商捆绑销售车位", "开发商要求买房必须买车位，不买不让签合同。"),
)


def _planted_message(topic: Planted, index: int, rng: random.Random) -> tuple[str, str]:
    place = rng.choice(topic.places)
    subject = rng.choice(topic.subjects).format(place=place or "")
    details = rng.sample(topic.details, k=rng.choice((1, 1, 2)))
    self_intro = rng.choice(SELVES).format(place=place) if place else ""
    body = rng.choice(OPENINGS) + self_intro + "".join(details) + rng.choice(DEMANDS)
    if place and place not in body and rng.random() < 0.5:
        body = body.replace("小区", place, 1) if "小区" in body else place + "这边，" + body
    return subject, body


def generate_corpus(seed: int = 12, tail: int = 320) -> tuple[list[Message], dict[str, set[str]]]:
    """Messages (in a shuffled order) and the ids each planted topic owns."""
    rng = random.Random(seed)
    rows: list[tuple[str, str, str, datetime, int, int, str]] = []
    truth: dict[str, set[str]] = {}
    number = 0

    def add(key: str | None, subject: str, text: str, when: datetime, likes: int, dislikes: int) -> None:
        nonlocal number
        number += 1
        message_id = f"M{number:05d}"
        author = f"U{rng.randint(1, 10**7):07d}"
        rows.append((message_id, subject, text, when, likes, dislikes, author))
        if key:
            truth.setdefault(key, set()).add(message_id)

    for topic in PLANTED:
        for index in range(topic.count):
            subject, text = _planted_message(topic, index, rng)
            # Later days are more likely: issues grow before they are noticed.
            day = topic.days[0] + (topic.days[1] - topic.days[0]) * rng.random() ** 0.7
            likes = rng.choice((0, 0, 1, 2, 3, 5, 8, 13))
            add(
                topic.key,
                subject,
                text,
                START + timedelta(days=day, minutes=rng.randint(0, 900)),
                likes,
                rng.randint(0, 1),
            )
    for place in DECOY_PLACES:
        subject, text = rng.choice(DECOYS)
        add(
            None,
            subject.format(place=place),
            rng.choice(OPENINGS) + text,
            START + timedelta(days=rng.uniform(0, 180)),
            0,
            0,
        )
    for sample in generate_messages(tail, seed=seed):
        subject = sample.topic if rng.random() < 0.5 else ""
        likes = rng.choice((0, 0, 0, 0, 1, 2, 4))
        add(None, subject, sample.text, START + timedelta(days=rng.uniform(0, 180)), likes, rng.choice((0, 0, 1)))
    rng.shuffle(rows)
    messages = [
        Message(id=i, subject=s, text=t, time=w, likes=lk, dislikes=dl, author=a) for i, s, t, w, lk, dl, a in rows
    ]
    return messages, truth
