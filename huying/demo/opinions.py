"""Demo 社情民意: a year of opinion reports for 广东省政协 through the real actions.

Reports in every state (drafts, submitted, received, edited with the authors' answers,
adopted at province and national level, not adopted, merged into combined reports); a
district → city → province chain (荔湾区政协 → 广州市政协 → 广东省政协) so that adoptions
exist at every level; two periodical issues sent to the province CPPCC's leaders and the
demo leader; leaders' instructions, one ordering handling by a provincial department
through the handling engine with the unit's progress. ``weiyuan`` gets a handful of
reports (adopted at different levels, one instructed). Deterministic (one seeded
``random.Random``), idempotent (skipped when the demo's reports are there). Duty entries
follow from the actions; nothing is written into the duty record directly.
"""

from __future__ import annotations

import datetime
import logging
import random
from collections import Counter
from typing import Any

from django.db.models import Max
from django.utils import timezone

from huying.accounts.actions import do_assign_role, do_create_user
from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.demo.logins import DEMO_PASSWORD
from huying.handling import actions as engine
from huying.handling.models import Assignment
from huying.opinions import actions
from huying.opinions.choices import AdoptionLevel, Category
from huying.opinions.models import WORKFLOW, Adoption, OpinionReport
from huying.organisations.choices import OrgKind
from huying.organisations.models import Organisation

SEED = 20260310
COUNTS = {"full": 300, "small": 40}

# (category, subject, situation, analysis, suggestion)
TOPICS: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "livelihood",
        "老旧小区加装电梯",
        "老旧小区多为六层以下住宅，没有电梯，老年居民上下楼困难，加装意愿强烈。",
        "低层住户顾虑采光和噪音，费用分摊难以协调，审批环节多、周期长。",
        "简化加装电梯审批流程；设立市级专项补贴；由街道社区牵头组织业主协商。",
    ),
    (
        "livelihood",
        "社区长者饭堂运营",
        "社区长者饭堂覆盖面逐步扩大，但部分饭堂就餐人数少、运营难以为继。",
        "补贴标准单一，菜品和服务不能满足老年人需求，社会力量参与不足。",
        "按就餐人次动态补贴；引入专业餐饮企业连锁运营；开展送餐上门服务。",
    ),
    (
        "health",
        "基层医疗机构药品配备",
        "群众反映社区卫生服务中心常用慢病药品短缺，只能到大医院开药。",
        "基层药品目录与上级医院衔接不畅，医保报销政策存在差异。",
        "统一上下级医疗机构慢病用药目录；推行长处方；完善医保报销衔接。",
    ),
    (
        "health",
        "儿科门诊夜间就诊难",
        "冬春季儿科门诊夜间就诊排队时间长，家长反映强烈。",
        "儿科医生数量不足，夜间值班人力紧张，分级诊疗引导不够。",
        "增加社区儿科夜诊点；提高儿科医生待遇；推广互联网儿科咨询。",
    ),
    (
        "education",
        "中小学课后服务质量",
        "课后服务已基本覆盖，但内容以看管自习为主，家长满意度不高。",
        "经费保障不足，校外优质资源引入机制不健全，教师负担加重。",
        "建立课后服务成本分担机制；引入科技、体育、艺术类优质资源；合理核定教师工作量。",
    ),
    (
        "education",
        "职业院校产教融合",
        "职业院校毕业生就业对口率不高，企业反映技能人才招聘难。",
        "校企合作多停留在协议层面，企业参与办学的激励不足。",
        "落实产教融合型企业税收优惠；共建实训基地；推行现代学徒制。",
    ),
    (
        "economy",
        "小微企业融资成本",
        "小微企业普遍反映贷款门槛高、手续繁、成本高。",
        "缺少抵押物，信用信息分散，政府性融资担保覆盖不足。",
        "扩大政府性融资担保规模；整合涉企信用信息；推广“信易贷”模式。",
    ),
    (
        "economy",
        "夜间经济发展",
        "夜间消费集聚区人气不足，配套服务跟不上。",
        "夜间公共交通、停车、安全保障等配套不完善，业态同质化。",
        "延长重点商圈公交运营时间；规划夜间临时停车位；培育特色夜间消费业态。",
    ),
    (
        "environment",
        "城中村垃圾分类",
        "城中村出租屋多、人员流动大，垃圾分类投放准确率低。",
        "宣传覆盖不到流动人口，收运设施不足，监督管理力量薄弱。",
        "出租屋管理与垃圾分类挂钩；增设定时定点投放点；发动社区志愿者督导。",
    ),
    (
        "environment",
        "河涌黑臭水体反弹",
        "部分已整治河涌雨季出现返黑返臭现象，周边群众反映强烈。",
        "雨污分流不彻底，排水管网老化，日常维护责任落实不到位。",
        "推进雨污分流改造；落实河长巡河制度；建立水质监测公开机制。",
    ),
    (
        "society",
        "电动自行车充电安全",
        "居民楼道私拉电线充电现象普遍，存在较大火灾隐患。",
        "集中充电设施不足，收费偏高，物业管理缺乏手段。",
        "在小区增设智能充电桩；给予充电设施建设补贴；加强消防宣传和执法。",
    ),
    (
        "society",
        "网约配送员权益保障",
        "外卖骑手、快递员工作时间长、缺乏社会保险，发生事故后维权难。",
        "平台用工关系模糊，职业伤害保障制度尚不健全。",
        "推进新就业形态职业伤害保障试点；建设骑手驿站；畅通劳动争议调解渠道。",
    ),
    (
        "law",
        "社区矫正工作力量",
        "社区矫正对象数量增加，基层司法所工作人员不足。",
        "专职人员少，社会工作者参与不够，信息化手段应用不足。",
        "充实司法所人员编制；购买社会工作服务；推广智慧矫正平台。",
    ),
    (
        "agriculture",
        "农村集体经济发展",
        "部分村集体经济收入来源单一，依赖物业出租。",
        "缺乏专业经营人才，产业项目少，土地资源盘活难。",
        "培育村级经营管理人才；发展乡村特色产业；规范集体资产交易平台。",
    ),
    (
        "agriculture",
        "农产品冷链物流",
        "荔枝、龙眼等鲜果上市集中，冷链设施不足导致损耗大。",
        "产地预冷设施少，冷链物流成本高，小农户难以对接。",
        "在主产区建设产地冷藏保鲜设施；支持合作社购置冷藏车；发展直播电商。",
    ),
    (
        "culture",
        "历史街区保护利用",
        "部分历史街区建筑年久失修，商业开发与保护矛盾突出。",
        "保护资金不足，产权关系复杂，公众参与机制缺乏。",
        "设立历史建筑保护专项资金；探索产权置换；引入文化业态活化利用。",
    ),
    (
        "livelihood",
        "公共租赁住房分配",
        "新市民、青年人反映保障性租赁住房申请条件高、轮候时间长。",
        "房源供给不足，区域分布不均，申请信息不透明。",
        "加大保障性租赁住房供给；在产业园区周边集中建设；公开轮候信息。",
    ),
    (
        "society",
        "老年人数字鸿沟",
        "老年人使用智能手机预约挂号、办事困难。",
        "线下服务渠道减少，适老化改造不到位。",
        "保留必要的线下窗口；推进政务服务应用适老化改造；开展老年人数字技能培训。",
    ),
    (
        "economy",
        "跨境电商海外仓建设",
        "跨境电商企业海外仓布局不足，物流时效和成本压力大。",
        "企业单打独斗，融资难，海外合规风险大。",
        "支持建设公共海外仓；提供出口信用保险；组建海外合规服务联盟。",
    ),
    (
        "health",
        "心理健康服务进校园",
        "中小学生心理问题呈上升趋势，学校心理教师配备不足。",
        "专职心理教师缺口大，家校医联动机制不健全。",
        "按比例配齐专职心理教师；建立学生心理健康筛查机制；畅通转介就医渠道。",
    ),
)
PLACES = (
    "",
    "广州市",
    "深圳市",
    "佛山市",
    "东莞市",
    "珠海市",
    "汕头市",
    "湛江市",
    "韶关市",
    "梅州市",
    "肇庆市",
    "江门市",
)
# State of each province report; weights.
STATES = (
    ("draft", 5),
    ("submitted", 10),
    ("received", 9),
    ("edited", 10),
    ("adopted", 42),
    ("rejected", 14),
    ("merged", 10),
)
# weiyuan's reports: (state, levels, instructed)
WEIYUAN_PLAN = (
    ("adopted", ("province",), True),
    ("adopted", ("province", "national"), False),
    ("adopted", ("province",), False),
    ("edited", (), False),
    ("rejected", (), False),
    ("submitted", (), False),
    ("draft", (), False),
)
# The district → city → province chain: extra demo people (created through the accounts actions).
CHAIN_PEOPLE = (
    ("xx_liwan", "罗慧敏", Role.AGENCY_STAFF, "荔湾区政协", "办公室信息科科员"),
    ("xx_guangzhou", "郑海涛", Role.AGENCY_STAFF, "广州市政协", "办公厅信息处干部"),
    ("lw_member1", "何志强", Role.MEMBER, "荔湾区政协", "区政协委员"),
    ("lw_member2", "苏婉清", Role.MEMBER, "荔湾区政协", "区政协委员"),
    ("gz_member1", "冯国栋", Role.MEMBER, "广州市政协", "市政协委员"),
)
REJECT_REASONS = (
    "所反映问题已有相关部门出台政策，信息时效性不足。",
    "与近期已采用信息内容重复。",
    "反映情况较为笼统，缺少具体事例和数据支撑。",
    "属于个人诉求，建议通过信访渠道反映。",
)
log = logging.getLogger(__name__)


def is_loaded() -> bool:
    return OpinionReport.objects.filter(author__username="weiyuan").exists()


def _text(rng: random.Random, i: int) -> dict[str, Any]:
    category, subject, situation, analysis, suggestion = TOPICS[i % len(TOPICS)]
    place = PLACES[(i // len(TOPICS) + rng.randrange(len(PLACES))) % len(PLACES)]
    title = f"关于{place}{subject}问题的反映" if rng.random() < 0.5 else f"{place}{subject}亟待改进"
    return {
        "title": title,
        "category": category if category in Category.values else Category.OTHER,
        "situation": f"{place or '我省'}{situation}",
        "analysis": analysis,
        "suggestion": suggestion,
    }


def _person(username: str, real_name: str, role: str, org: Organisation, title: str, serial: int) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        # Every demo person has a mobile: the demo logins' series (13800440001…), continued.
        mobile = f"138004401{serial:02d}"
        user = do_create_user(
            None,
            username=username,
            real_name=real_name,
            password=DEMO_PASSWORD,
            mobile="" if User.objects.filter(mobile=mobile).exists() else mobile,
            is_real_name_verified=True,
        )
    if not user.role_assignments.filter(role=role, organisation=org, is_active=True).exists():
        extra: dict[str, Any] = {}
        if role == Role.MEMBER:
            from huying.accounts.choices import MemberLevel
            from huying.organisations.models import Sector

            level = MemberLevel.CITY if org.level == "city" else MemberLevel.COUNTY
            extra = {"term": 13, "sector": Sector.objects.order_by("pk").first(), "member_level": level}
        do_assign_role(None, user, role, org, title=title, **extra)
    return User.objects.get(pk=user.pk)


class _Demo:
    def __init__(self, scale: str, now: datetime.datetime) -> None:
        self.rng = random.Random(SEED)
        self.now = now
        self.start = now - datetime.timedelta(days=360)
        self.province = Organisation.objects.get(name="广东省政协", kind=OrgKind.CPPCC)
        self.xinxi = User.objects.get(username="xinxi")
        self.weiyuan = User.objects.get(username="weiyuan")
        self.members = list(
            User.objects.filter(
                role_assignments__role=Role.MEMBER,
                role_assignments__organisation=self.province,
                role_assignments__is_active=True,
                username__startswith="m",
            ).order_by("username")[:120]
        )
        self.leaders = list(
            User.objects.filter(role_assignments__role=Role.LEADER, role_assignments__organisation=self.province)
            .order_by("username")
            .distinct()
        ) + list(User.objects.filter(username="lingdao"))
        self.count = COUNTS[scale]
        self.made: Counter[str] = Counter()

    def when(self, i: int) -> datetime.datetime:
        """The i-th report's writing time, spread over the year (working hours)."""
        day = self.start + datetime.timedelta(days=int(330 * i / max(self.count, 1)))
        return day.replace(hour=9 + i % 8, minute=(i * 7) % 60, second=0, microsecond=0)

    def later(self, t: datetime.datetime, days: int) -> datetime.datetime:
        """A working hour ``days`` after ``t`` (at least half an hour later), before now."""
        step = (t + datetime.timedelta(days=days)).replace(
            hour=9 + self.rng.randint(0, 8), minute=self.rng.randint(0, 59)
        )
        if step <= t:
            step = t + datetime.timedelta(minutes=30)
        return min(step, self.now - datetime.timedelta(hours=1))

    # --- one report through its states ---------------------------------------------------
    def report(
        self, author: User, text: dict[str, Any], state: str, t: datetime.datetime, levels: tuple[str, ...] = ()
    ) -> tuple[OpinionReport, datetime.datetime]:
        report = actions.do_create_draft(author, now=t, **text)
        self.made["reports"] += 1
        if state == "draft":
            return report, t
        t = self.later(t, self.rng.randint(0, 2))
        actions.do_submit(author, report, now=t)
        if state in ("submitted", "merged"):
            return report, t
        t = self.later(t, self.rng.randint(1, 4))
        actions.do_receive(self.xinxi, report, now=t)
        if state == "edited" or (state == "adopted" and self.rng.random() < 0.7):
            t = self.later(t, 1)
            edit = actions.do_edit(
                self.xinxi,
                report,
                {
                    "title": text["title"].replace("问题的反映", "的建议"),
                    "suggestion": text["suggestion"].replace("；", "；同时").rstrip("。") + "。",
                },
                note="精简标题，规范表述",
                now=t,
            )
            self.made["edits"] += 1
            roll = self.rng.random()
            if roll < 0.6:
                actions.do_respond_edit(author, edit, agree=True, now=self.later(t, 1))
            elif roll < 0.8:
                actions.do_respond_edit(
                    author, edit, agree=False, comment="建议保留原有的具体数据。", now=self.later(t, 1)
                )
        if state == "rejected":
            actions.do_reject(self.xinxi, report, reason=self.rng.choice(REJECT_REASONS), now=self.later(t, 2))
            return report, t
        if state == "adopted":
            for level in levels or (AdoptionLevel.PROVINCE,):
                t = self.later(t, self.rng.randint(2, 20))
                actions.do_adopt(self.xinxi, report, level=level, now=t)
                self.made[f"adopted {level}"] += 1
        return report, t

    def province_reports(self) -> list[OpinionReport]:
        states = [s for s, _w in STATES]
        weights = [w for _s, w in STATES]
        adopted: list[OpinionReport] = []
        to_merge: list[OpinionReport] = []
        for i, (state, plan_levels, instructed) in enumerate(WEIYUAN_PLAN):
            report, t = self.report(self.weiyuan, _text(self.rng, i), state, self.when(i * 20 + 5), plan_levels)
            if state == "adopted":
                adopted.append(report)
            if instructed:
                self.instruct(
                    report, "请省卫生健康委、省医保局研究吸收。", "王伟中", "省长", "province", self.later(t, 5)
                )
        for i in range(len(WEIYUAN_PLAN), self.count):
            state = self.rng.choices(states, weights)[0]
            levels: tuple[str, ...] = ("province", "national") if self.rng.random() < 0.08 else ("province",)
            author = self.members[self.rng.randrange(len(self.members))]
            report, _t = self.report(author, _text(self.rng, i), state, self.when(i), levels)
            if state == "adopted":
                adopted.append(report)
            elif state == "merged":
                to_merge.append(report)
        # Combined reports: the same subject in twos and threes.
        by_topic: dict[str, list[OpinionReport]] = {}
        for report in to_merge:
            by_topic.setdefault(report.category, []).append(report)
        for group in by_topic.values():
            for start in range(0, len(group) - 1, 3):
                sources = group[start : start + 3]
                if len(sources) < 2:
                    continue
                t = self.later(timezone.localtime(max(s.submitted_at or self.start for s in sources)), 5)
                combined = actions.do_merge(
                    self.xinxi,
                    sources,
                    title=f"关于{sources[0].title.removeprefix('关于')[:20]}等问题的综合反映",
                    situation="\n".join(s.situation for s in sources),
                    analysis="\n".join(dict.fromkeys(s.analysis for s in sources)),
                    suggestion="\n".join(dict.fromkeys(s.suggestion for s in sources)),
                    category=sources[0].category,
                    now=t,
                )
                self.made["combined reports"] += 1
                actions.do_adopt(self.xinxi, combined, level=AdoptionLevel.PROVINCE, now=self.later(t, 3))
                adopted.append(combined)
        return adopted

    def chain(self) -> None:
        """District → city → province: adoptions at district and city level."""
        people = {}
        for serial, (username, name, role, org_name, title) in enumerate(CHAIN_PEOPLE, start=1):
            org = Organisation.objects.filter(name=org_name, kind=OrgKind.CPPCC).first()
            if org is None:
                return
            people[username] = _person(username, name, role, org, title, serial)
        liwan, guangzhou = people["xx_liwan"], people["xx_guangzhou"]
        for i, username in enumerate(("lw_member1", "lw_member2", "lw_member1", "gz_member1", "gz_member1")):
            author = people[username]
            t = self.when(i * 50 + 11)
            report = actions.do_create_draft(author, now=t, **_text(self.rng, 100 + i))
            t = self.later(t, 1)
            actions.do_submit(author, report, now=t)
            staff = liwan if username.startswith("lw") else guangzhou
            t = self.later(t, 2)
            actions.do_receive(staff, report, now=t)
            if staff == liwan:
                t = self.later(t, 5)
                actions.do_adopt(liwan, report, level=AdoptionLevel.DISTRICT, now=t)
                self.made["adopted district"] += 1
                if i == 2:
                    continue
                actions.do_forward(liwan, report, now=self.later(t, 1))
                t = self.later(t, 3)
                actions.do_receive(guangzhou, report, now=t)
            t = self.later(t, 5)
            actions.do_adopt(guangzhou, report, level=AdoptionLevel.CITY, now=t)
            self.made["adopted city"] += 1
            if i in (0, 3):
                actions.do_forward(guangzhou, report, now=self.later(t, 1))
                t = self.later(t, 4)
                actions.do_receive(self.xinxi, report, now=t)
                actions.do_adopt(self.xinxi, report, level=AdoptionLevel.PROVINCE, now=self.later(t, 6))
                self.made["adopted province"] += 1

    def instruct(
        self, report: OpinionReport, text: str, name: str, title: str, level: str, t: datetime.datetime, **kw: Any
    ) -> None:
        actions.do_record_instruction(
            self.xinxi,
            report=report,
            text=text,
            leader_name=name,
            leader_title=title,
            level=level,
            instructed_on=t.date(),
            now=t,
            **kw,
        )
        self.made["instructions"] += 1

    def issues_and_instructions(self, adopted: list[OpinionReport]) -> None:
        adopted = sorted(adopted, key=lambda r: r.pk)
        if len(adopted) < 6 or not self.leaders:
            return
        # Two issues, each of the latest eight reports adopted (by the province) before it.
        adopted_on = dict(
            Adoption.objects.filter(report__in=adopted, cppcc=self.province)
            .values_list("report_id")
            .annotate(last=Max("adopted_on"))
        )
        used: set[int] = set()
        for days_ago in (150, 20):
            t = (self.now - datetime.timedelta(days=days_ago)).replace(hour=10)
            ready = [r for r in adopted if r.pk not in used and r.pk in adopted_on and adopted_on[r.pk] < t.date()]
            chosen = sorted(ready, key=lambda r: (adopted_on[r.pk], r.pk))[-8:]
            if not chosen:
                continue
            used.update(r.pk for r in chosen)
            issue = actions.do_create_issue(self.xinxi, self.province, reports=chosen, now=t)
            actions.do_publish_issue(self.xinxi, issue, recipients=self.leaders, now=self.later(t, 1))
            self.made["issues"] += 1
        chairman = self.leaders[0]
        instructions = (
            ("请省住房城乡建设厅牵头研究，提出具体措施。", "province"),
            ("此件反映的问题具有普遍性，请有关部门认真研究。", "province"),
            ("请全国政协办公厅转有关部委参阅。", "national"),
            ("请市政府研究办理。", "city"),
        )
        for i, report in enumerate(adopted[3:40:9]):
            text, level = instructions[i % len(instructions)]
            self.instruct(
                report,
                text,
                chairman.real_name,
                "省政协主席",
                level,
                self.later(timezone.localtime(report.submitted_at or self.start), 30),
            )
        # One instruction orders handling: a provincial department answers through the engine.
        department = (
            Organisation.objects.filter(kind=OrgKind.DEPARTMENT, name__startswith="广东省", is_active=True)
            .order_by("path")
            .first()
        )
        target = adopted[len(WEIYUAN_PLAN) + 1]  # not weiyuan's: his one instruction is above
        if department is None or Assignment.objects.filter(workflow=WORKFLOW, case_id=target.pk).exists():
            return
        t = (self.now - datetime.timedelta(days=12)).replace(hour=10)
        self.instruct(
            target,
            "请省直有关部门抓紧研究解决，一个月内反馈办理情况。",
            chairman.real_name,
            "省政协主席",
            "province",
            t,
            requires_handling=True,
            units=[department],
            deadline=(t + datetime.timedelta(days=30)).date(),
        )
        assignment = Assignment.objects.get(workflow=WORKFLOW, case_id=target.pk)
        handler = User.objects.filter(
            role_assignments__role=Role.UNIT_STAFF, role_assignments__organisation=department
        ).first()
        if handler is not None:
            engine.do_accept(handler, assignment, now=t + datetime.timedelta(days=1))
            engine.do_add_progress(
                handler, assignment, note="已组织专题调研，正在起草工作方案。", now=t + datetime.timedelta(days=6)
            )


def load_opinion_demo(scale: str = "full", now: datetime.datetime | None = None) -> dict[str, int]:
    """Load the demo reports unless they are there. Runs inside the caller's transaction."""
    if scale not in COUNTS:
        raise ValueError(f"Unknown scale {scale!r}")
    if is_loaded() or not User.objects.filter(username="xinxi").exists():
        return {}
    # Local time: the demo's working hours are Guangdong's.
    now = timezone.localtime(now or timezone.now()).replace(minute=0, second=0, microsecond=0)
    quiet = logging.getLogger("huying.handling")
    level = quiet.level
    quiet.setLevel(logging.WARNING)
    try:
        demo = _Demo(scale, now)
        adopted = demo.province_reports()
        demo.chain()
        demo.issues_and_instructions(adopted)
    finally:
        quiet.setLevel(level)
    return dict(demo.made)
