"""Emerging topics: sudden growth against the topic's own baseline.

Rule (docs/insight.md): on day D a topic is emerging when its texts of D number at least
``MIN_COUNT`` and exceed the mean of the ``BASELINE_DAYS`` days before D by at least
``SIGMAS`` standard deviations (the deviation taken as at least 1, so a topic quiet for
two weeks needs ``MIN_COUNT`` texts and one averaging 2 a day needs 5 + …). Raised at most
once per topic per day (``TopicAlert``'s unique constraint); the command centre's
dispatchers and the leaders over the orders' districts are told through the notification
centre (work-order topics), the CPPCC's agency staff and leaders (public-text topics).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huying.insight.choices import Side
from huying.insight.models import Topic, TopicAlert, TopicSnapshot, TopicText

MIN_COUNT = 5
BASELINE_DAYS = 14
SIGMAS = 3.0


def is_emerging(today: int, history: list[int]) -> tuple[bool, float, float]:
    """``history``: the counts of the ``BASELINE_DAYS`` days before (missing days are 0)."""
    days = history + [0] * (BASELINE_DAYS - len(history))
    mean = sum(days) / BASELINE_DAYS
    std = math.sqrt(sum((d - mean) ** 2 for d in days) / BASELINE_DAYS)
    return today >= MIN_COUNT and today >= mean + SIGMAS * max(std, 1.0), mean, std


def raise_alerts(topic_ids: Iterable[int], now: datetime, *, notify: bool = True) -> int:
    """Alerts for today's emerging topics among ``topic_ids``; returns how many were new."""
    ids = sorted(set(topic_ids))
    if not ids:
        return 0
    today = timezone.localdate(now)
    start = today - timedelta(days=BASELINE_DAYS)
    counts: dict[int, dict[date, int]] = defaultdict(dict)
    candidates = TopicSnapshot.objects.filter(topic_id__in=ids, day=today, count__gte=MIN_COUNT).values("topic_id")
    for pk, day, count in TopicSnapshot.objects.filter(
        topic_id__in=candidates, day__gte=start, day__lte=today
    ).values_list("topic_id", "day", "count"):
        counts[pk][day] = count
    raised = 0
    for pk in sorted(counts):
        days = counts[pk]
        history = [days.get(start + timedelta(days=n), 0) for n in range(BASELINE_DAYS)]
        emerging, mean, std = is_emerging(days.get(today, 0), history)
        if not emerging:
            continue
        try:
            with transaction.atomic():
                alert = TopicAlert.objects.create(
                    topic_id=pk, day=today, count=days[today], baseline_mean=mean, baseline_std=std, created_at=now
                )
        except IntegrityError:
            continue  # raised earlier today
        raised += 1
        if notify:
            _notify(alert, now)
    return raised


def recipients(topic: Topic) -> set[int]:
    """The people told about an emerging topic (user ids)."""
    from huying.accounts.choices import Role
    from huying.accounts.models import RoleAssignment
    from huying.insight.access import CPPCC_KINDS
    from huying.organisations.choices import HANDLING_KINDS, OrgKind
    from huying.organisations.models import Organisation
    from huying.workorders.models import WorkOrder

    active = RoleAssignment.objects.filter(is_active=True, user__is_active=True)
    if topic.side == Side.PUBLIC:
        return set(
            active.filter(
                Q(role=Role.AGENCY_STAFF) | Q(role=Role.LEADER),
                organisation__kind__in=CPPCC_KINDS,
            ).values_list("user_id", flat=True)
        )
    orders = TopicText.objects.filter(topic=topic, source="workorder").values("object_id")
    districts = list(
        Organisation.objects.filter(pk__in=WorkOrder.objects.filter(pk__in=orders).values("district_id")).values_list(
            "pk", "path"
        )
    )
    if not districts:
        return set()
    dispatchers = active.filter(
        role=Role.DISPATCHER,
        organisation__kind=OrgKind.COMMAND_CENTRE,
        organisation__parent_id__in=[pk for pk, _ in districts],
    )
    # Leaders of the district's government or of a government above it.
    above = sorted({pk for _pk, path in districts for pk in _ancestors(path)})
    leaders = active.filter(role=Role.LEADER, organisation__kind__in=HANDLING_KINDS, organisation__pk__in=above)
    return set(dispatchers.values_list("user_id", flat=True)) | set(leaders.values_list("user_id", flat=True))


def _ancestors(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part.isdigit()]


def _notify(alert: TopicAlert, now: datetime) -> None:
    from huying.handling import notify
    from huying.handling.choices import NotificationKind
    from huying.handling.models import Notification

    topic = Topic.objects.get(pk=alert.topic_id)
    text = notify.render(
        _("Emerging hot topic: %(title)s — %(count)d texts today against %(mean).1f a day before.")
        % {"title": topic.title[:120], "count": alert.count, "mean": alert.baseline_mean}
    )
    case_type = ContentType.objects.get_for_model(Topic)
    notify.send(
        [
            Notification(
                recipient_user_id=user_id,
                kind=NotificationKind.WARNING,
                case_type=case_type,
                case_id=topic.pk,
                text=text,
                created_at=now,
            )
            for user_id in sorted(recipients(topic))
        ]
    )
