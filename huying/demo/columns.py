"""Demo 一委一品 and 专题专栏 (huying/columns), made through the columns' own actions:

- a flagship topic for five special committees of 广东省政协, and the topic columns
  助力大湾区建设, 乡村振兴 and 营商环境, all published by the demo staff ``jiguan``;
- each column gathers the demo's consultations, proposals, opinion reports, public
  suggestions and debates whose titles contain one of its keywords (tagged by the platform;
  only items past their draft / moderation, at most ``TAGS_PER_SOURCE`` per source), and
  three articles of its own.

Deterministic (keywords and ``random.Random(seed)``), idempotent: each run creates only the
columns, tags and articles that are missing. Runs after the work orders, at the very end of
the loader.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from typing import Any

from django.db import transaction
from django.db.models import Case, Q, QuerySet, When
from django.utils import timezone

from huying.accounts.models import User
from huying.columns import actions
from huying.columns.choices import ColumnKind, ColumnStatus
from huying.columns.models import Column, ColumnArticle
from huying.columns.sources import get_source
from huying.organisations.choices import OrgKind
from huying.organisations.models import Organisation

PROVINCE_CPPCC = "广东省政协"
STAFF_LOGIN = "jiguan"
TAGS_PER_SOURCE = {"small": 12, "full": 40}

# (committee, title, slug, colour, summary, keywords)
FLAGSHIPS: list[tuple[str, str, str, str, str, tuple[str, ...]]] = [
    (
        "经济委员会",
        "民营经济高质量发展",
        "private-economy",
        "blue",
        "聚焦融资、准入和数字化转型，为民营企业发展壮大建言资政。",
        ("民营经济", "制造业", "专精特新", "数字化转型", "数据要素", "中小微企业"),
    ),
    (
        "农业和农村委员会",
        "种业振兴与高标准农田",
        "seed-industry",
        "green",
        "守住“粮袋子”，打好种业翻身仗，推动农业现代化。",
        ("种业", "高标准农田", "农业经营", "农产品", "预制菜"),
    ),
    (
        "人口资源环境委员会",
        "老旧小区改造与人居环境",
        "livable-communities",
        "teal",
        "从加装电梯到河涌治理，让城市更宜居、社区更美好。",
        ("老旧小区", "加装电梯", "人居环境", "垃圾分类", "黑臭水体", "河涌"),
    ),
    (
        "社会和法制委员会",
        "居家社区养老服务",
        "elderly-care",
        "orange",
        "推动居家社区机构相协调、医养康养相结合的养老服务体系建设。",
        ("养老", "长者", "医养结合", "托育"),
    ),
    (
        "教科卫体委员会",
        "健康广东与基层医疗",
        "healthy-guangdong",
        "purple",
        "提升基层医疗服务能力，守护群众身心健康。",
        ("基层医疗", "卫生", "医疗", "近视", "心理健康", "中医药", "家庭医生", "中小学"),
    ),
]
# (title, slug, colour, summary, keywords)
TOPICS: list[tuple[str, str, str, str, tuple[str, ...]]] = [
    (
        "助力大湾区建设",
        "greater-bay-area",
        "red",
        "深化粤港澳合作，推动规则衔接、机制对接和民生融通。",
        ("大湾区", "港澳", "横琴", "前海", "南沙", "跨境"),
    ),
    (
        "乡村振兴",
        "rural-revitalisation",
        "green",
        "产业兴旺、生态宜居、乡风文明，汇聚各方力量助力乡村全面振兴。",
        ("乡村", "农村", "农业", "农田", "种业", "农产品", "县域", "宅基地"),
    ),
    (
        "营商环境",
        "business-environment",
        "blue",
        "对标一流，推动市场化法治化国际化营商环境建设。",
        ("营商环境", "民营", "小微企业", "中小微", "一网通办", "政务服务", "市场准入", "夜市", "夜间经济"),
    ),
]

INTRO = (
    "“{title}”是{owner}围绕中心工作打造的{kind}。\n"
    "栏目汇集相关的协商活动、委员提案、社情民意信息、群众建议和观点交流，集中展示履职成果，"
    "方便委员、机关干部和社会公众了解工作进展、参与建言献策。\n"
    "欢迎通过群众建议、委员会客室等渠道提出意见建议。"
)
ARTICLES = [
    (
        "{owner}召开“{title}”工作推进会",
        "会议总结了近期“{title}”工作进展，研究部署下一阶段重点任务。\n"
        "会议指出，要坚持问题导向，把调研成果转化为高质量的提案和社情民意信息，推动有关部门抓好落实。\n"
        "会议要求，各专题组要加强与承办单位沟通，及时跟踪办理情况，形成工作闭环。",
    ),
    (
        "“{title}”专题调研走进基层",
        "调研组一行深入企业、社区和项目现场，与基层干部群众面对面交流，听取意见建议。\n"
        "调研组表示，将梳理调研中发现的突出问题，形成专题调研报告，为省委省政府科学决策提供参考。",
    ),
    (
        "“{title}”阶段性成果发布",
        "截至目前，围绕“{title}”已形成一批提案、社情民意信息和协商成果，多项建议被有关部门采纳。\n"
        "下一步，将继续跟踪建议落实情况，及时向社会公开办理进展。",
    ),
]


def _shown(key: str, qs: QuerySet[Any]) -> QuerySet[Any]:
    """Only items past their draft or moderation: what a real tagger would gather."""
    from huying.consultations.models import SHOWN
    from huying.moderation.choices import ItemStatus

    if key == "consultations":
        return qs.filter(status__in=SHOWN)
    if key == "suggestions":
        return qs.filter(moderation__status=ItemStatus.PUBLISHED)
    if key in ("proposals", "opinions", "debates"):
        return qs.exclude(status="draft")
    return qs


def _matching(key: str, keywords: tuple[str, ...], limit: int) -> list[int]:
    source = get_source(key)
    if source is None:
        return []
    condition = Q()
    for word in keywords:
        for field in source.search_fields:
            condition |= Q(**{f"{field}__contains": word})
    qs = _shown(key, source.model._default_manager.filter(condition))
    if key == "proposals":
        # Proposals published to the public first: those are what every reader sees.
        first = Case(When(publication="published", then=0), default=1)
        return list(qs.order_by(first, "pk").values_list("pk", flat=True)[:limit])
    return list(qs.order_by("pk").values_list("pk", flat=True)[:limit])


def _ensure_column(
    staff: Any, kind: str, owner: Organisation, title: str, slug: str, colour: str, summary: str, position: int
) -> tuple[Column, bool]:
    column = Column.objects.select_related("cppcc", "committee").filter(slug=slug).first()
    created = False
    if column is None:
        if (
            kind == ColumnKind.FLAGSHIP
            and Column.objects.filter(
                kind=kind, committee=owner, status__in=(ColumnStatus.DRAFT, ColumnStatus.PUBLISHED)
            ).exists()
        ):
            return Column.objects.filter(kind=kind, committee=owner).select_related("cppcc", "committee").first(), False  # type: ignore[return-value]
        kind_label = "一委一品" if kind == ColumnKind.FLAGSHIP else "专题专栏"
        column = actions.do_create_column(
            staff,
            kind=kind,
            owner=owner,
            title=title,
            slug=slug,
            summary=summary,
            intro=INTRO.format(title=title, owner=owner.name, kind=kind_label),
            cover_colour=colour,
            position=position,
        )
        created = True
    if column.status == ColumnStatus.DRAFT:
        column = actions.do_publish(staff, column)
    return column, created


def load_columns_demo(scale: str = "full", seed: int = 20260126) -> dict[str, int]:
    """Create the demo columns, their tags and articles where missing; returns the counts made."""
    cppcc = Organisation.objects.filter(name=PROVINCE_CPPCC, kind=OrgKind.CPPCC).first()
    staff = User.objects.filter(username=STAFF_LOGIN).first()
    if cppcc is None or staff is None:
        return {}
    rng = random.Random(seed + 31)
    limit = TAGS_PER_SOURCE.get(scale, TAGS_PER_SOURCE["full"])
    committees = {o.name: o for o in Organisation.objects.filter(parent=cppcc, kind=OrgKind.SPECIAL_COMMITTEE)}
    created: Counter[str] = Counter()
    today = timezone.localdate()
    plan: list[tuple[str, Organisation, str, str, str, str, tuple[str, ...]]] = []
    for name, title, slug, colour, summary, keywords in FLAGSHIPS:
        if name in committees:
            plan.append((ColumnKind.FLAGSHIP, committees[name], title, slug, colour, summary, keywords))
    for title, slug, colour, summary, keywords in TOPICS:
        plan.append((ColumnKind.TOPIC, cppcc, title, slug, colour, summary, keywords))
    with transaction.atomic():
        for position, (kind, owner, title, slug, colour, summary, keywords) in enumerate(plan, start=1):
            column, made = _ensure_column(staff, kind, owner, title, slug, colour, summary, position * 10)
            created["columns"] += int(made)
            if column.status != ColumnStatus.PUBLISHED:
                continue
            for key in ("consultations", "proposals", "opinions", "suggestions", "debates"):
                ids = _matching(key, keywords, limit)
                if ids:
                    created["column tags"] += actions.do_tag(None, column, key, ids)
            have = set(ColumnArticle.objects.filter(column=column).values_list("title", flat=True))
            for n, (head, body) in enumerate(ARTICLES):
                article_title = head.format(title=title, owner=owner.name)[:100]
                # Each article gets its date from the generator whether or not it is made,
                # so a rerun draws the same dates.
                day = today - datetime.timedelta(days=rng.randint(2, 25) + 30 * (len(ARTICLES) - 1 - n))
                if article_title in have:
                    continue
                actions.do_save_article(
                    staff,
                    column,
                    title=article_title,
                    body=body.format(title=title, owner=owner.name),
                    published_on=day,
                )
                created["column articles"] += 1
    return dict(created)
