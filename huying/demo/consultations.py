"""Demo remote consultations (远程协商), made through the consultations' own actions:

- two past ones (a thematic consultation of the economic committee on the elderly-care
  services, a counterpart one on old-neighbourhood renovation) with speeches, minutes and
  an outcome sent to two departments, one of which has answered;
- one live today (the proposal-handling consultation on the Greater Bay Area's cross-border
  services) with booked speeches and a few live updates.

The demo member ``weiyuan`` speaks in the first past one (so it is in his duty record) and
has booked a speech in the live one. Deterministic; a second run changes nothing.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

from huying.accounts.choices import Role
from huying.accounts.models import RoleAssignment, User
from huying.consultations import actions
from huying.consultations.choices import ConsultationKind, ParticipantKind
from huying.consultations.models import Consultation
from huying.organisations.choices import OrgKind
from huying.organisations.models import Organisation

SEED = 20260311
STAFF_LOGIN, MEMBER_LOGIN, OFFICIAL_LOGIN = "jiguan", "weiyuan", "chengban"
ROOM = "https://meeting.tencent.com/dm/"

PAST: list[dict[str, Any]] = [
    {
        "topic": "推进居家社区养老服务体系建设专题协商会",
        "kind": ConsultationKind.THEMATIC,
        "committee": "社会和法制委员会",
        "days_ago": 40,
        "place": "广东省政协常委会议厅",
        "agenda": ["省民政厅通报全省养老服务体系建设情况", "委员、专家发言", "部门负责同志回应", "省政协领导讲话"],
        "speeches": [
            "建议将社区嵌入式养老服务设施纳入城市更新规划，按每百户不少于20平方米配建。",
            "建议扩大长期护理保险试点范围，减轻失能老人家庭负担。",
            "建议加强养老护理员职业培训和薪酬保障，稳定护理队伍。",
        ],
        "expert": ("何建平", "中山大学社会学与人类学学院"),
        "minutes": [
            "会议由省政协社会和法制委员会主办，采取线上线下相结合方式召开，省民政厅、省卫生健康委负责同志到会听取意见。",
            "委员们认为，全省居家社区养老服务网络初步形成，但设施布局不均衡、专业人才短缺、医养结合不够紧密等问题仍较突出。",
            "部门负责同志逐一回应委员建议，表示将抓紧研究，纳入下一步工作安排。",
        ],
        "consensus": "加快构建居家社区机构相协调、医养康养相结合的养老服务体系，是积极应对人口老龄化的重要举措。",
        "recommendations": [
            "在城市更新中按标准配建社区嵌入式养老服务设施",
            "稳步扩大长期护理保险试点",
            "完善养老护理员培训、评价和薪酬激励机制",
        ],
        "departments": ["广东省民政厅", "广东省卫生健康委员会"],
    },
    {
        "topic": "老旧小区改造和加装电梯对口协商会",
        "kind": ConsultationKind.COUNTERPART,
        "committee": "人口资源环境委员会",
        "days_ago": 18,
        "place": "",
        "agenda": ["省住房城乡建设厅通报老旧小区改造进展", "委员发言", "部门回应"],
        "speeches": [
            "建议简化既有住宅加装电梯审批流程，推行“一窗受理、并联审批”。",
            "建议建立老旧小区改造后长效管护机制，引入专业物业服务。",
        ],
        "expert": ("苏文清", "华南理工大学建筑学院"),
        "minutes": [
            "会议采取网络视频方式召开，省住房城乡建设厅、荔湾区城市管理和综合执法局负责同志在线参加。",
            "委员们围绕加装电梯审批、改造资金筹措和后续管护等问题提出意见建议。",
        ],
        "consensus": "老旧小区改造要坚持居民自愿、政府引导，改造与管护并重。",
        "recommendations": ["简化加装电梯审批流程", "建立改造后长效管护机制"],
        "departments": ["荔湾区城市管理和综合执法局", "广东省住房和城乡建设厅"],
    },
]

LIVE: dict[str, Any] = {
    "topic": "粤港澳大湾区跨境政务服务便利化提案办理协商会",
    "kind": ConsultationKind.PROPOSAL_HANDLING,
    "committee": "提案委员会",
    "place": "广东省政协委员活动中心",
    "agenda": ["提案承办单位通报办理情况", "提案者和委员发言", "承办单位回应", "小结"],
    "speeches": [
        "建议推动更多政务服务事项实现“跨境通办”，在港澳设立自助服务终端。",
        "建议推进粤港澳三地电子证照互认，减少重复提交材料。",
        "建议为港澳居民在粤就业创业提供一站式咨询服务。",
    ],
    "updates": [
        "协商会开始，主持人介绍会议议程和参会人员。",
        "省政务服务数据管理局负责同志通报提案办理情况：已在港澳设置自助服务终端46台。",
        "发言：建议推动更多政务服务事项实现“跨境通办”。",
    ],
}


def _person(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _members(exclude: set[int], count: int) -> list[User]:
    ids = (
        RoleAssignment.objects.filter(role=Role.MEMBER, is_active=True, organisation__name="广东省政协")
        .exclude(user_id__in=exclude)
        .order_by("user_id")
        .values_list("user_id", flat=True)[:count]
    )
    return list(User.objects.filter(pk__in=list(ids)).order_by("pk"))


def _committee(name: str) -> Organisation | None:
    return Organisation.objects.filter(
        name=name, kind=OrgKind.SPECIAL_COMMITTEE, parent__name="广东省政协", parent__parent__isnull=False
    ).first()


def _department(name: str) -> Organisation | None:
    return Organisation.objects.filter(name=name, is_active=True).order_by("pk").first()


def is_loaded() -> bool:
    return Consultation.objects.filter(topic=LIVE["topic"]).exists()


def load_consultation_demo(now: datetime.datetime | None = None) -> dict[str, int]:
    """Load the three consultations unless they are there. Answers what was made."""
    if is_loaded():
        return {}
    staff, member, official = _person(STAFF_LOGIN), _person(MEMBER_LOGIN), _person(OFFICIAL_LOGIN)
    if staff is None or member is None or official is None:
        return {}
    now = now or timezone.now()
    rng = random.Random(SEED)
    others = _members({member.pk}, 6)
    made = {"consultations": 0, "consultation speeches": 0, "consultation updates": 0}
    today = timezone.localtime(now).replace(hour=9, minute=0, second=0, microsecond=0)
    for index, plan in enumerate(PAST):
        committee = _committee(plan["committee"])
        if committee is None:
            continue
        start = today - datetime.timedelta(days=plan["days_ago"])
        speakers = [member, *others[:2]] if index == 0 else others[2:4]
        made["consultation speeches"] += _past(staff, official, committee, plan, start, speakers, rng)
        made["consultations"] += 1
    committee = _committee(LIVE["committee"])
    if committee is not None:
        speeches, updates = _live(staff, official, committee, today, [member, *others[4:6]])
        made["consultations"] += 1
        made["consultation speeches"] += speeches
        made["consultation updates"] += updates
    return made


def _create(staff: User, committee: Organisation, plan: dict[str, Any], start: datetime.datetime, **kw: Any) -> Any:
    when = start - datetime.timedelta(days=14)
    consultation = actions.do_create_consultation(
        staff,
        agenda=plan["agenda"],
        now=when,
        topic=plan["topic"],
        kind=plan["kind"],
        organiser=committee,
        summary=plan["topic"].removesuffix("会") + "，邀请委员、部门负责同志和专家参加。",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2, minutes=30),
        video_url=ROOM + _room(plan["topic"]),
        place=plan["place"],
        **kw,
    )
    return consultation


def _room(topic: str) -> str:
    # A stable room number from the topic (hash() is salted per process).
    return str(sum(ord(ch) * (i + 1) for i, ch in enumerate(topic)) % 10**9).zfill(9)


def _participants(
    staff: User, consultation: Any, speakers: list[User], official: User, expert: tuple[str, str]
) -> None:
    for person in speakers:
        actions.do_add_participant(staff, consultation, kind=ParticipantKind.MEMBER, user=person)
    actions.do_add_participant(
        staff, consultation, kind=ParticipantKind.OFFICIAL, user=official, affiliation="荔湾区城市管理和综合执法局"
    )
    actions.do_add_participant(staff, consultation, kind=ParticipantKind.EXPERT, name=expert[0], affiliation=expert[1])


def _past(
    staff: User,
    official: User,
    committee: Organisation,
    plan: dict[str, Any],
    start: datetime.datetime,
    speakers: list[User],
    rng: random.Random,
) -> int:
    c = _create(staff, committee, plan, start)
    _participants(staff, c, speakers, official, plan["expert"])
    actions.do_publish(staff, c, now=start - datetime.timedelta(days=10))
    for i, (person, summary) in enumerate(zip(speakers, plan["speeches"], strict=False)):
        actions.do_book_speech(person, c, summary=summary, now=start - datetime.timedelta(days=7 - i))
    actions.do_open(staff, c, now=start)
    count = 0
    for i, speech in enumerate(c.speeches.order_by("position")):
        at = start + datetime.timedelta(minutes=25 + 15 * i + rng.randint(0, 5))
        actions.do_post_update(staff, c, text=f"发言：{speech.summary}", speech=speech, now=at)
        actions.do_give_speech(staff, speech, now=at)
        count += 1
    end = start + datetime.timedelta(hours=2, minutes=20)
    actions.do_close(staff, c, now=end)
    actions.do_save_minutes(staff, c, minutes="\n".join(plan["minutes"]))
    outcome = actions.do_save_outcome(
        staff, c, consensus=plan["consensus"], recommendations="\n".join(plan["recommendations"])
    )
    units = [u for u in (_department(name) for name in plan["departments"]) if u is not None]
    if units:
        sent = actions.do_send_outcome(staff, outcome, units=units, days=30, now=end + datetime.timedelta(days=3))
        answered = next((a for a in sent if a.unit.name == "荔湾区城市管理和综合执法局"), None)
        if answered is not None:
            actions.do_answer(
                official,
                answered,
                answer="我局高度重视，已将协商成果各项建议纳入年度工作计划，加装电梯审批已实行并联办理。",
                now=end + datetime.timedelta(days=12),
            )
        else:
            # The first department answers through the platform (its staff are not demo logins).
            actions.do_answer(
                None,
                sent[0],
                answer="已研究吸收协商成果建议，正在制定具体实施方案。",
                now=end + datetime.timedelta(days=15),
            )
    return count


def _live(
    staff: User, official: User, committee: Organisation, today: datetime.datetime, speakers: list[User]
) -> tuple[int, int]:
    c = _create(staff, committee, LIVE, today, public_viewing=True)
    _participants(staff, c, speakers, official, ("梁嘉怡", "暨南大学粤港澳大湾区研究院"))
    actions.do_publish(staff, c, now=today - datetime.timedelta(days=10))
    for i, (person, summary) in enumerate(zip(speakers, LIVE["speeches"], strict=False)):
        actions.do_book_speech(person, c, summary=summary, now=today - datetime.timedelta(days=5 - i))
    actions.do_open(staff, c, now=today)
    first = c.speeches.order_by("position").first()
    for i, text in enumerate(LIVE["updates"]):
        at = today + datetime.timedelta(minutes=5 + 20 * i)
        speech = first if i == 2 else None
        actions.do_post_update(staff, c, text=text, speech=speech, now=at)
    if first is not None:
        actions.do_give_speech(staff, first, now=today + datetime.timedelta(minutes=45))
    return c.speeches.count(), len(LIVE["updates"])
