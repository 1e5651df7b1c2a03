"""The public suggestions a proposal or an opinion report was drafted from, for the
"where it came from" panel of their pages (:mod:`huying.core.origins`)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huying.core.origins import Origin
from huying.interaction.models import Suggestion

KIND = _("Public suggestion")


def _rows(user: Any, suggestions: list[Suggestion]) -> list[Origin]:
    readable = set(
        Suggestion.objects.visible_to(user).filter(pk__in=[s.pk for s in suggestions]).values_list("pk", flat=True)
    )
    rows = []
    for s in suggestions:
        local = timezone.localtime(s.created_at)
        rows.append(
            Origin(
                kind=KIND,
                title=s.title,
                url=reverse("interaction:suggestion", args=[s.pk]) if s.pk in readable else "",
                note=f"{local.year}年{local.month}月{local.day}日",
            )
        )
    return rows


def proposal_origins(user: Any, proposal: Any) -> list[Origin]:
    links = proposal.public_suggestion_links.select_related("suggestion").order_by("suggestion__created_at")
    return _rows(user, [link.suggestion for link in links])


def report_origins(user: Any, report: Any) -> list[Origin]:
    links = report.public_suggestion_links.select_related("suggestion").order_by("suggestion__created_at")
    return _rows(user, [link.suggestion for link in links])
