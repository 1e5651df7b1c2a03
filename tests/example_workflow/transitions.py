"""The only writer of ``OpinionRequest.status``: the engine's adapter for this workflow."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError

from huying.handling.models import Assignment
from huying.handling.policy import CaseCard, Moved
from tests.example_workflow.models import OpinionRequest, OpinionStatus

WORKFLOW = "opinion"

# The request's status after a move of one of its assignments: (status wanted, from).
FOLLOWS: dict[str, tuple[str, tuple[str, ...]]] = {
    "assign": (OpinionStatus.CONSULTING, (OpinionStatus.NEW,)),
    "return": (OpinionStatus.NEW, (OpinionStatus.CONSULTING,)),
    "resolve": (OpinionStatus.ANSWERED, (OpinionStatus.CONSULTING,)),
    "reopen": (OpinionStatus.CONSULTING, (OpinionStatus.ANSWERED, OpinionStatus.CLOSED)),
    "close": (OpinionStatus.CLOSED, (OpinionStatus.ANSWERED,)),
}


def on_assignment_move(moved: Moved) -> None:
    if moved.action not in FOLLOWS:
        return
    to, sources = FOLLOWS[moved.action]
    request = OpinionRequest.objects.select_for_update().get(pk=moved.assignment.case_id)
    if request.status == to:
        return
    if request.status not in sources:
        raise ValidationError({"status": f"意见征询不能从“{request.get_status_display()}”变为“{to}”。"})
    request.status = to
    request.save(update_fields=["status"])


def cards(reader: Any, case_ids: Sequence[int]) -> dict[int, CaseCard]:
    return {
        r.pk: CaseCard(number=r.number, title=r.title, status=r.get_status_display())
        for r in OpinionRequest.objects.filter(pk__in=case_ids)
    }


def describe(assignment: Assignment) -> str:
    return OpinionRequest.objects.filter(pk=assignment.case_id).values_list("number", flat=True).first() or ""
