"""Demo duty activities (履职活动) of 广东省政协: forty activities over the past year and the
next weeks, of every kind, built through the real actions, each step at its own moment
(:mod:`huying.activities.clock`): published a fortnight before, answers and leave requests
in the days after, check-ins on the day (by QR code or ticked by the staff), the finish with
a short report, which records every participant's attendance in their duty record.

The demo member ``weiyuan`` takes part in a believable share: he attends most of his
activities, asked for leave once (approved) and missed one without leave, and is invited to
one upcoming activity. Deterministic (``random.Random(seed)``) and idempotent: nothing is
made when the province's activities are already there.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from huying.accounts.choices import Role
from huying.accounts.models import RoleAssignment, User
from huying.activities import actions, clock
from huying.activities.choices import ActivityKind, InvitationMode, ParticipationStatus
from huying.activities.models import Activity, Participation
from huying.organisations.choices import OrgKind
from huying.organisations.models import Organisation

P = ParticipationStatus
TOTAL = 40
UPCOMING = 4

TITLES: dict[str, list[str]] = {
    ActivityKind.INSPECTION: [
        "视察粤港澳大湾区重大交通项目",
        "视察乡村振兴示范带建设",
        "视察珠江流域水环境治理",
        "视察省重点产业园区建设",
    ],
    ActivityKind.RESEARCH: [
        "制造业高质量发展专题调研",
        "基层医疗卫生服务能力调研",
        "粤东西北职业教育发展调研",
        "民营企业融资难题调研",
    ],
    ActivityKind.CONSULTATION: [
        "优化营商环境专题协商会",
        "养老服务体系建设对口协商",
        "城市更新与历史文化保护协商座谈",
        "数字政府建设提案办理协商",
    ],
    ActivityKind.TRAINING: [
        "新任委员履职培训班",
        "委员读书活动：习近平文化思想专题",
        "提案撰写与社情民意信息培训",
        "委员履职能力提升专题讲座",
    ],
    ActivityKind.MEETING: ["专委会全体会议", "界别委员联组讨论", "常委会议列席旁听", "季度委员履职座谈会"],
    ActivityKind.STUDIO: [
        "委员工作室接待群众日",
        "委员工作室“请你来协商”",
        "委员进社区工作室活动",
        "委员工作室议事协商",
    ],
    ActivityKind.OTHER: ["委员联系群众走访活动", "助力乡村振兴公益行", "“委员讲堂”进校园", "民主监督专项走访"],
}
PLACES = [
    "省政协机关会议中心",
    "广州市南沙区",
    "佛山市顺德区",
    "深圳市前海",
    "韶关市乳源县",
    "湛江市霞山区",
    "省政协委员活动中心",
    "汕头市龙湖区",
]
REPORTS = [
    "活动按计划进行，委员们深入一线察看情况，听取有关部门汇报，围绕存在问题提出了意见建议，形成调研报告报送省委、省政府参阅。",
    "与会委员踊跃发言，交流履职体会，提出具体建议十余条，已梳理汇总转有关部门研究办理。",
    "活动圆满完成。委员们实地走访，与基层干部群众座谈交流，收集社情民意信息若干条，将在后续提案和社情民意信息中体现。",
]
LEAVE_REASONS = ["因公出差，无法参加", "参加全国政协会议", "身体不适，需住院检查", "单位有重要工作安排", "出国访问"]
REFUSALS = ["本次活动为专题协商，请尽量安排出席", "请假理由不充分，请安排出席"]

logger = logging.getLogger(__name__)


@dataclass
class ActivityDemoResult:
    skipped: bool = False
    created: dict[str, int] = field(default_factory=dict)


def _members(cppcc: Organisation) -> list[User]:
    ids = RoleAssignment.objects.filter(role=Role.MEMBER, organisation=cppcc, is_active=True).values_list(
        "user_id", flat=True
    )
    return list(User.objects.filter(pk__in=ids).order_by("username"))


def load_activity_demo(seed: int, now: dt.datetime | None = None) -> ActivityDemoResult:
    cppcc = Organisation.objects.filter(kind=OrgKind.CPPCC, name="广东省政协").first()
    staff = User.objects.filter(username="jiguan").first()
    weiyuan = User.objects.filter(username="weiyuan").first()
    if cppcc is None or staff is None or weiyuan is None:
        return ActivityDemoResult(skipped=True)
    if Activity.objects.filter(cppcc=cppcc).exists():
        return ActivityDemoResult(skipped=True)
    rng = random.Random(seed)
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    committees = list(Organisation.objects.filter(kind=OrgKind.SPECIAL_COMMITTEE, parent=cppcc).order_by("path"))
    members = [m for m in _members(cppcc) if m.pk != weiyuan.pk]
    result = ActivityDemoResult()
    counts = result.created
    kinds = list(ActivityKind.values)
    past = TOTAL - UPCOMING
    # weiyuan takes part in every third past activity: one leave, one absence, the rest attended.
    weiyuan_slots = list(range(1, past, 3))
    leave_slot, absent_slot = weiyuan_slots[2], weiyuan_slots[5]
    cancelled_slots = {8, 23}
    quiet = logging.getLogger("huying.handling.notify")
    level = quiet.level
    quiet.setLevel(logging.WARNING)
    try:
        with transaction.atomic():
            for i in range(TOTAL):
                kind = kinds[i % len(kinds)]
                if i < past:
                    days_ago = 360 - i * (345 // past)
                    day = now - dt.timedelta(days=days_ago)
                else:
                    day = now + dt.timedelta(days=3 + (i - past) * 4)
                starts = timezone.localtime(day).replace(
                    hour=rng.choice([9, 9, 10, 14, 15]), minute=rng.choice([0, 30])
                )
                ends = starts + dt.timedelta(hours=rng.choice([2, 3, 3, 4, 6]))
                organiser = cppcc if i % 3 == 0 or not committees else committees[i % len(committees)]
                open_mode = i % 4 == 3
                with_weiyuan = i in weiyuan_slots or i == past  # and the first upcoming one
                pool = rng.sample(members, min(len(members), rng.randint(12, 30)))
                published_at = starts - dt.timedelta(days=14)
                values: dict[str, Any] = {
                    "organiser": organiser,
                    "kind": kind,
                    "title": TITLES[kind][(i // len(kinds)) % len(TITLES[kind])],
                    "description": f"{organiser.name}组织委员开展{ActivityKind(kind).label}活动。",
                    "starts_at": starts,
                    "ends_at": ends,
                    "place": rng.choice(PLACES),
                    "capacity": len(pool) + 10 if open_mode else None,
                    "mode": InvitationMode.OPEN if open_mode else InvitationMode.INVITED,
                    "signup_deadline": starts - dt.timedelta(days=2) if open_mode else None,
                    "members": [] if open_mode else [*pool, *([weiyuan] if with_weiyuan else [])],
                }
                with clock.at(published_at - dt.timedelta(days=1)):
                    activity = actions.do_create_activity(staff, **values)
                with clock.at(published_at):
                    actions.do_publish(staff, activity)
                counts["activities"] = counts.get("activities", 0) + 1
                answer_day = published_at + dt.timedelta(days=2)
                if open_mode:
                    signers = [*pool[: rng.randint(8, len(pool))], *([weiyuan] if with_weiyuan else [])]
                    for member in signers:
                        with clock.at(answer_day):
                            actions.do_sign_up(member, activity)
                rows = list(activity.participations.select_related("member").order_by("id"))
                for row in rows:
                    row.activity = activity
                    member = row.member
                    is_weiyuan = member.pk == weiyuan.pk
                    if is_weiyuan and i == leave_slot:
                        with clock.at(answer_day):
                            actions.do_ask_leave(member, activity, reason="参加全国政协专题调研，时间冲突")
                        with clock.at(answer_day + dt.timedelta(hours=3)):
                            actions.do_decide_leave(staff, row, approve=True, note="同意")
                        continue
                    if is_weiyuan:
                        # He answers his past invitations; the upcoming one waits for him.
                        if row.status == P.INVITED and i < past:
                            with clock.at(answer_day):
                                actions.do_sign_up(member, activity)
                        continue
                    draw = rng.random()
                    with clock.at(answer_day):
                        if row.status == P.INVITED and draw < 0.08:
                            actions.do_decline(member, activity)
                        elif draw < 0.2:
                            actions.do_ask_leave(member, activity, reason=rng.choice(LEAVE_REASONS))
                            approve = rng.random() < 0.8
                            note = "" if approve else rng.choice(REFUSALS)
                            with clock.at(answer_day + dt.timedelta(hours=5)):
                                actions.do_decide_leave(staff, row, approve=approve, note=note)
                            counts["leave requests"] = counts.get("leave requests", 0) + 1
                        elif row.status == P.INVITED and draw < 0.85:
                            actions.do_sign_up(member, activity)
                if i >= past:
                    continue
                if i in cancelled_slots:
                    with clock.at(starts - dt.timedelta(days=3)):
                        actions.do_cancel(staff, activity, reason="因台风预警，活动取消，另行安排")
                    counts["cancelled"] = counts.get("cancelled", 0) + 1
                    continue
                # On the day: most check in by the QR code, a few are ticked by the staff.
                for row in activity.participations.select_related("member").order_by("id"):
                    row.activity = activity
                    member = row.member
                    if row.status in (P.DECLINED, P.LEAVE_APPROVED):
                        continue
                    if member.pk == weiyuan.pk:
                        present = i != absent_slot
                    else:
                        present = rng.random() < (0.93 if row.status == P.SIGNED_UP else 0.6)
                    if not present:
                        continue
                    moment = starts - dt.timedelta(minutes=rng.randint(5, 40))
                    with clock.at(moment):
                        if rng.random() < 0.85:
                            actions.do_check_in(member, activity, token=activity.checkin_token)
                        else:
                            actions.do_mark_attendance(staff, row, present=True)
                with clock.at(ends + dt.timedelta(hours=2)):
                    activity.refresh_from_db()
                    actions.do_finish(staff, activity, report=rng.choice(REPORTS))
                counts["finished"] = counts.get("finished", 0) + 1
            counts["participants"] = Participation.objects.filter(activity__cppcc=cppcc).count()
    finally:
        # The notices are delivered (one log line each) when the loader's transaction
        # commits: the level comes back after them.
        transaction.on_commit(lambda: quiet.setLevel(level))
    return result
