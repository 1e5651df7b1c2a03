"""The reception-room questions a proposal or an opinion report was drafted from, for the
"where it came from" panel of their pages (:mod:`huying.core.origins`)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from huying.core.origins import Origin, rows_for
from huying.reception.models import Question


def _rows(user: Any, links: Any) -> list[Origin]:
    questions = [link.question for link in links.select_related("question__session").order_by("question__created_at")]
    return rows_for(
        user,
        questions,
        kind=_("Reception-room question"),
        readable=Question.objects.visible_to(user),
        url_of=lambda q: reverse("reception:session", args=[q.session_id]) + f"#q{q.pk}",
        title_of=lambda q: f"{q.session.theme} · {q.body[:40]}",
        date_of=lambda q: q.created_at,
    )


def proposal_origins(user: Any, proposal: Any) -> list[Origin]:
    return _rows(user, proposal.reception_question_links)


def report_origins(user: Any, report: Any) -> list[Origin]:
    return _rows(user, report.reception_question_links)
