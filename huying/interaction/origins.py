"""The public suggestions a proposal or an opinion report was drafted from, for the
"where it came from" panel of their pages (:mod:`huying.core.origins`)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from huying.core.origins import Origin, rows_for
from huying.interaction.models import Suggestion


def _rows(user: Any, links: Any) -> list[Origin]:
    suggestions = [link.suggestion for link in links.select_related("suggestion").order_by("suggestion__created_at")]
    return rows_for(
        user,
        suggestions,
        kind=_("Public suggestion"),
        readable=Suggestion.objects.visible_to(user),
        url_of=lambda s: reverse("interaction:suggestion", args=[s.pk]),
        title_of=lambda s: s.title,
        date_of=lambda s: s.created_at,
    )


def proposal_origins(user: Any, proposal: Any) -> list[Origin]:
    return _rows(user, proposal.public_suggestion_links)


def report_origins(user: Any, report: Any) -> list[Origin]:
    return _rows(user, report.public_suggestion_links)
