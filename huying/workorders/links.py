"""Where a notification about a work order takes its reader (消息中心 → the case).

Registered as the ``workorder`` policy's ``case_url`` (``apps.py``). No database query:
the notification comes with its assignment and case type loaded, the person's roles are
cached on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.urls import reverse

from huying.accounts.choices import Role
from huying.handling import access

if TYPE_CHECKING:
    from huying.accounts.models import User
    from huying.handling.models import Assignment, Notification
    from huying.handling.policy import CaseCard
    from huying.organisations.models import Organisation


def case_url(user: User, notification: Notification) -> str | None:
    """A unit's notice about its own assignment opens the unit inbox's page of that
    assignment; the command centre (dispatchers, administrators) opens the order in the
    dispatch console; other unit staff open the assignment in their inbox only when they
    may read it (``access.reads_unit``: never an assignment of a unit above theirs), else
    nothing."""
    assignment = notification.assignment
    mine = assignment is not None and access.reads_unit(user, assignment.unit)
    dispatcher = user.is_administrator or Role.DISPATCHER in user.role_set
    if mine and notification.recipient_unit_id == assignment.unit_id:  # type: ignore[union-attr]
        return reverse("workorders:inbox_detail", args=[assignment.pk])  # type: ignore[union-attr]
    if dispatcher:
        return reverse("workorders:console_detail", args=[notification.case_id])
    if mine:
        return reverse("workorders:inbox_detail", args=[assignment.pk])  # type: ignore[union-attr]
    return None


def describe_case(assignment: Assignment) -> str:
    """工单 荔湾-2026-000123: how notices and deadline warnings name a work order."""
    from django.utils.translation import gettext

    from huying.workorders.models import WorkOrder

    number = WorkOrder.objects.filter(pk=assignment.case_id).values_list("number", flat=True).first()
    return gettext("Work order %(number)s") % {"number": number} if number else ""


def describe_cases(case_ids: Sequence[int]) -> dict[int, str]:
    """:func:`describe_case` of many work orders in one query (the deadline sweep)."""
    from django.utils.translation import gettext

    from huying.workorders.models import WorkOrder

    template = gettext("Work order %(number)s")
    numbers = WorkOrder.objects.filter(pk__in=list(case_ids)).values_list("pk", "number")
    return {pk: template % {"number": number} for pk, number in numbers if number}


def cards(reader: Any, case_ids: Sequence[int]) -> dict[int, CaseCard]:
    """How the shared inbox and the assignments API describe work orders: the number, the
    start of the content as the title, the order's own status and the page where ``reader``
    handles it (the unit inbox's page of their unit's assignment, else the dispatch
    console for the command centre, else none) — the rule of :func:`case_url`. Two
    queries for a page of cases."""
    from django.utils.text import Truncator

    from huying.handling.policy import CaseCard
    from huying.workorders.models import WorkOrder

    orders = WorkOrder.objects.filter(pk__in=list(case_ids)).select_related("category").in_bulk()
    if not orders:
        return {}
    own = access.own_assignments(reader, "workorder", list(orders))
    dispatcher = getattr(reader, "is_authenticated", False) and (
        reader.is_administrator or Role.DISPATCHER in reader.role_set
    )
    result = {}
    for pk, order in orders.items():
        if pk in own:
            url: str | None = reverse("workorders:inbox_detail", args=[own[pk]])
        elif dispatcher:
            url = reverse("workorders:console_detail", args=[pk])
        else:
            url = None
        title = Truncator(" ".join(order.content.split())).chars(60)
        if order.category_id and order.category is not None:
            title = f"{order.category.name} · {title}"
        result[pk] = CaseCard(number=order.number, title=title, status=str(order.get_status_display()), url=url)
    return result


def target_unit(assignment: Assignment, unit_id: int, field: str) -> Organisation:
    """A work order is reassigned or called up only to an active handling unit of the
    order's district (the rule of the dispatch console)."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext

    from huying.organisations.models import Organisation
    from huying.workorders.models import WorkOrder
    from huying.workorders.views.console import UNIT_KINDS

    order = WorkOrder.objects.select_related("district").get(pk=assignment.case_id)
    unit = Organisation.objects.filter(
        pk=unit_id, path__startswith=order.district.path, kind__in=UNIT_KINDS, is_active=True
    ).first()
    if unit is None:
        raise ValidationError({field: gettext("Choose an active unit of the order's district.")})
    return unit
