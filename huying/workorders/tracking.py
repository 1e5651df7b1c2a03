"""The public "track my report" lookup (查询我的诉求) and the caller's own rating.

One place for the page (/workorders/track/) and the API (GET /api/v1/workorders/track):
both find the order by its number *and* the caller's phone, answer the same "not found"
whatever was wrong (so the answer tells nothing about which numbers exist), are rate
limited per client address and per number, and show only the public steps — never names,
phones, addresses, units' notes or the people who acted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huying.core import ratelimit
from huying.core.actors import SYSTEM
from huying.core.net import client_ip
from huying.handling import actions as handling
from huying.handling.choices import LEAD_ROLES, EventKind, EventScope, FeedbackChannel
from huying.handling.history import events_for
from huying.handling.models import CaseEvent, Feedback
from huying.workorders.choices import OrderEventKind, OrderStatus
from huying.workorders.models import WorkOrder

NOT_FOUND = gettext_lazy("No report matches this number and phone number.")
# The engine's events a caller may see, on the lead (or sole) handling unit's assignments.
PUBLIC_KINDS = (EventKind.ASSIGNED, EventKind.ACCEPTED, EventKind.RESOLVED, EventKind.CLOSED, EventKind.REOPENED)
ANSWERED = (OrderStatus.RESOLVED, OrderStatus.CLOSED)
MAX_COMMENT_CHARS = 500


def normalise_phone(raw: Any) -> str:
    """The phone as intake stores it: no spaces or brackets, no +86."""
    return re.sub(r"[\s()（）]", "", str(raw or "")).removeprefix("+86")


def find_order(number: str, phone: str) -> WorkOrder | None:
    """The order with this number whose caller left this phone; ``None`` otherwise (also
    when either is empty, or the order was taken without a phone)."""
    number, phone = (number or "").strip(), normalise_phone(phone)
    if not number or not phone:
        return None
    return (
        WorkOrder.objects.select_related("category", "parent__category")
        .filter(number=number, caller_phone=phone)
        .first()
    )


def reported_by(person: Any) -> QuerySet[WorkOrder]:
    """The orders ``person`` reported while logged in (我的诉求), newest first, with what
    their public status needs (a merged report shows the status of the one it follows)."""
    if not getattr(person, "is_authenticated", False):
        return WorkOrder.objects.none()
    return (
        WorkOrder.objects.filter(created_by=person)
        .select_related("category", "parent", "parent__category")
        .order_by("-received_at", "-id")
    )


def check_lookup_rate(request: HttpRequest, number: str) -> None:
    """Count one lookup for the client's address and for the number; raise
    :class:`huying.core.ratelimit.RateLimited` past ``WORKORDERS_TRACK_LIMIT`` lookups in
    ``WORKORDERS_TRACK_WINDOW_SECONDS`` for either."""
    address = client_ip(request)
    number = (number or "").strip()
    ratelimit.check(
        "workorders-track",
        [f"ip:{address}" if address else "", f"number:{number}" if number else ""],
        limit=settings.WORKORDERS_TRACK_LIMIT,
        window=settings.WORKORDERS_TRACK_WINDOW_SECONDS,
        message=_("Too many lookups. Please try again in %(minutes)d minutes."),
    )


@dataclass(frozen=True)
class Step:
    time: datetime
    kind: str
    label: str


@dataclass(frozen=True)
class Tracked:
    """What the caller sees. ``source`` is the order whose handling is shown: the order
    itself, or for an order merged into another (并单) the one it follows."""

    order: WorkOrder
    source: WorkOrder
    steps: list[Step]
    result: str
    resolved_at: datetime | None
    rated: bool
    may_rate: bool
    feedback: Feedback | None = None  # the rating that counts for the current answer, if any

    @property
    def rated_by_caller(self) -> bool:
        """The caller rated on the web (this page or the API); otherwise any rating was
        recorded by the command centre (its feedback call), which the page says as such."""
        return self.feedback is not None and self.feedback.channel == FeedbackChannel.WEB

    @property
    def merged(self) -> bool:
        return self.source.pk != self.order.pk


def _steps(case: WorkOrder) -> list[Step]:
    events = events_for(case, scope=EventScope.ASSIGNMENT).filter(
        kind__in=PUBLIC_KINDS, assignment__role__in=LEAD_ROLES
    )
    return [Step(e.created_at, e.kind, str(e.get_kind_display())) for e in events]


def _merged_step(order: WorkOrder) -> Step:
    """并单: the report now follows another one (whose number is not shown to the caller)."""
    merged_at = (
        events_for(order, scope=EventScope.CASE)
        .filter(kind=OrderEventKind.STATUS, to_status=OrderStatus.MERGED)
        .order_by("-created_at", "-id")
        .values_list("created_at", flat=True)
        .first()
    )
    return Step(merged_at or order.created_at, "merged", _("Merged with a report of the same problem"))


def _last_result(case: WorkOrder) -> CaseEvent | None:
    return (
        CaseEvent.objects.filter(
            case_type=ContentType.objects.get_for_model(WorkOrder),
            case_id=case.pk,
            kind=EventKind.RESOLVED,
            assignment__role__in=LEAD_ROLES,
        )
        .order_by("-created_at", "-id")
        .first()
    )


def tracked(order: WorkOrder) -> Tracked:
    """The public view of ``order``: its steps, the result once answered, and whether the
    caller may still rate the answer (answered, not merged, no rating since the last
    resolution — a reopened and resolved-again order may be rated again)."""
    source = order.parent if order.status == OrderStatus.MERGED and order.parent is not None else order
    steps = _steps(source)
    if source is not order:
        steps = sorted([*steps, _merged_step(order)], key=lambda step: step.time)
    result, resolved_at, feedback = "", None, None
    if source.status in ANSWERED:
        last = _last_result(source)
        if last is not None:
            result, resolved_at = last.note, last.created_at
            feedback = (
                Feedback.objects.filter(
                    case_type=ContentType.objects.get_for_model(WorkOrder),
                    case_id=source.pk,
                    superseded=False,
                    created_at__gte=last.created_at,
                )
                .order_by("-created_at", "-id")
                .first()
            )
    rated = feedback is not None
    may_rate = source is order and resolved_at is not None and not rated
    return Tracked(order, source, steps, result, resolved_at, rated, may_rate, feedback)


def do_rate_as_caller(
    order: WorkOrder, *, rating: str, solved: bool | None = None, comment: str = "", rater: Any = None
) -> Feedback:
    """满意度评价 by the caller, who proved who they are with the number and the phone
    (the page and the API check both before calling this). Recorded by the platform on the
    caller's behalf through the engine's ``do_record_feedback`` with channel ``web``;
    ``rater`` is the logged-in person, if any. Never attributable to the unit: only the
    command centre's feedback call (回访) decides that, so a dissatisfied rating here does
    not reopen the order by itself — it shows in the timeline for the dispatcher.
    Raises ValidationError on ``rating``/``comment``; then nothing is saved."""
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT_CHARS:
        raise ValidationError({"comment": _("At most %(n)d characters.") % {"n": MAX_COMMENT_CHARS}})
    with transaction.atomic():
        locked = WorkOrder.objects.select_for_update(of=("self",)).select_related("parent").get(pk=order.pk)
        state = tracked(locked)
        if state.rated_by_caller:
            raise ValidationError({"rating": _("You have already rated this answer. Thank you.")})
        if state.rated:
            raise ValidationError(
                {"rating": _("The command centre has already recorded your opinion of this answer by phone.")}
            )
        if not state.may_rate:
            raise ValidationError({"rating": _("You can rate the answer once your report has been resolved.")})
        person = rater if getattr(rater, "is_authenticated", False) else None
        return handling.do_record_feedback(
            SYSTEM,
            locked,
            rating=rating,
            channel=FeedbackChannel.WEB,
            rater=person,
            rater_name="" if locked.is_anonymous else locked.caller_name,
            solved=solved,
            attributable_to_unit=False,
            comment=comment,
        )
