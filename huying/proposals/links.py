"""Where a notification about a proposal takes its reader (消息中心 → the case).

Registered as the ``proposal`` policy's ``case_url`` (``apps.py``). No database query:
the notification comes with its assignment and case type loaded, the person's roles are
cached on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.urls import reverse

from huying.handling import access

if TYPE_CHECKING:
    from huying.accounts.models import User
    from huying.handling.models import Assignment, Notification
    from huying.handling.policy import CaseCard


def case_url(user: User, notification: Notification) -> str | None:
    """A handling unit's notice about its assignment opens that assignment in the
    proposals inbox; everyone else — the proposers, the supervising staff of the CPPCC
    committee, a supervising leader — opens the proposal's page."""
    assignment = notification.assignment
    if (
        assignment is not None
        and notification.recipient_unit_id == assignment.unit_id
        and access.reads_unit(user, assignment.unit)
    ):
        return reverse("proposals:inbox_detail", args=[assignment.pk])
    return reverse("proposals:detail", args=[notification.case_id])


def describe_case(assignment: Assignment) -> str:
    """How notices and deadline warnings name a proposal: its filing number
    (十三届三次会议 第0123号) and title."""
    from django.utils.translation import gettext

    from huying.proposals.models import Proposal

    proposal = Proposal.objects.select_related("session").filter(pk=assignment.case_id).first()
    if proposal is None:
        return ""
    return gettext("Proposal %(number)s “%(title)s”") % {"number": proposal.formatted_number, "title": proposal.title}


def describe_cases(case_ids: Sequence[int]) -> dict[int, str]:
    """:func:`describe_case` of many proposals in one query (the deadline sweep)."""
    from django.utils.translation import gettext

    from huying.proposals.models import Proposal

    template = gettext("Proposal %(number)s “%(title)s”")
    proposals = Proposal.objects.select_related("session").filter(pk__in=list(case_ids))
    return {p.pk: template % {"number": p.formatted_number, "title": p.title} for p in proposals}


def cards(reader: Any, case_ids: Sequence[int]) -> dict[int, CaseCard]:
    """How the shared inbox and the assignments API describe proposals: the filing number,
    the title, the handling status and the page where ``reader`` works on it (the proposals
    inbox's page of their unit's assignment, else the proposal's page) — the rule of
    :func:`case_url`. Two queries for a page of cases."""
    from huying.handling.policy import CaseCard
    from huying.proposals.models import Proposal

    proposals = Proposal.objects.for_list().in_bulk(list(case_ids))
    if not proposals:
        return {}
    own = access.own_assignments(reader, "proposal", list(proposals))
    result = {}
    for pk, proposal in proposals.items():
        page = ("proposals:inbox_detail", own[pk]) if pk in own else ("proposals:detail", pk)
        url = reverse(page[0], args=[page[1]])
        result[pk] = CaseCard(
            number=proposal.formatted_number,
            title=proposal.title,
            status=str(proposal.get_handling_status_display()),
            url=url,
        )
    return result
