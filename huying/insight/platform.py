"""Hot topics of the texts a person may see: the API and the pages call this."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from huying.insight.platform_sources import work_orders
from huying.insight.topics import Parameters, Topic, find_topics
from huying.workorders.models import WorkOrder
from huying.workorders.stats import DASHBOARD_ROLES


@dataclass
class Member:
    pk: int
    number: str


@dataclass
class VisibleTopics:
    days: int
    texts: int
    topics: list[Topic]
    members: dict[str, Member]  # member id → the work order's pk and number


def check_may_view_topics(user: Any) -> None:
    """Hot topics over work orders: the command centre's dispatchers, leaders, administrators."""
    if not (getattr(user, "is_authenticated", False) and (user.is_administrator or user.role_set & DASHBOARD_ROLES)):
        raise PermissionDenied(_("Hot topics are open only to dispatchers, leaders and administrators."))


def visible_topics(user: Any, days: int, top: int) -> VisibleTopics:
    """The ``top`` topics of the work orders ``user`` sees, received in the last ``days``
    days (computed on request; nothing is stored yet)."""
    check_may_view_topics(user)
    since = timezone.now() - timedelta(days=days)
    orders = WorkOrder.objects.visible_to(user)
    messages = list(work_orders(since, orders))
    parameters = Parameters()
    topics = [
        topic
        for topic in find_topics(messages, parameters, now=timezone.localtime().replace(tzinfo=None))
        if topic.people >= parameters.min_people or topic.support >= parameters.min_support
    ][:top]  # one person's one message is not a topic
    wanted = [int(member) for topic in topics for member in topic.member_ids]
    members = {
        str(pk): Member(pk=pk, number=number) for pk, number in orders.filter(pk__in=wanted).values_list("pk", "number")
    }
    return VisibleTopics(days=days, texts=len(messages), topics=topics, members=members)
