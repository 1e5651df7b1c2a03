"""Where a notification about a work order takes its reader (消息中心 → the case).

Registered as the ``workorder`` policy's ``case_url`` (``apps.py``). No database query:
the notification comes with its assignment and case type loaded, the person's roles are
cached on them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from huying.accounts.choices import Role
from huying.handling import access

if TYPE_CHECKING:
    from huying.accounts.models import User
    from huying.handling.models import Assignment, Notification


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
