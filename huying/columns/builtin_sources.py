"""The sources that existed before columns did, registered by columns (their apps are not
edited): consultations, proposals, opinion reports, public suggestions and debates. Each
reader sees a tagged item only if the item's own module would show it to them."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from huying.columns.sources import register_source


def _published_proposal() -> Q:
    from huying.proposals.choices import ProposalStatus, Publication

    return Q(status=ProposalStatus.FILED, publication=Publication.PUBLISHED)


def proposals_visible_to(user: Any) -> QuerySet[Any]:
    """Proposals published to the public (公开: filed and published) for everyone,
    anonymous visitors included; besides those, what the proposals app shows the person
    (their own, co-signed, their committee's as staff, assigned to their unit…)."""
    from huying.proposals.models import Proposal

    if not getattr(user, "is_authenticated", False):
        return Proposal.objects.filter(_published_proposal())
    return Proposal.objects.filter(_published_proposal() | Q(pk__in=Proposal.objects.visible_to(user).values("pk")))


def _proposal_url(p: Any) -> str:
    from huying.proposals.choices import ProposalStatus, Publication

    if p.status == ProposalStatus.FILED and p.publication == Publication.PUBLISHED:
        return reverse("proposals:public_detail", args=[p.pk])
    return reverse("proposals:detail", args=[p.pk])


def _proposal_meta(p: Any) -> str:
    return p.formatted_number or str(p.get_status_display())


def register_builtin_sources() -> None:
    from huying.consultations.models import Consultation
    from huying.interaction.models import Debate, Suggestion
    from huying.opinions.models import OpinionReport
    from huying.proposals.models import Proposal

    register_source(
        "consultations",
        Consultation,
        _("Consultations"),
        visible_to=lambda user: Consultation.objects.visible_to(user),
        title_of=lambda c: c.topic,
        url_of=lambda c: reverse("consultations:detail", args=[c.pk]),
        date_of=lambda c: c.starts_at,
        ordering=("-starts_at", "-pk"),
        search_fields=("topic",),
        meta_of=lambda c: str(c.get_kind_display()),
        order=10,
    )
    register_source(
        "proposals",
        Proposal,
        _("Proposals"),
        visible_to=proposals_visible_to,
        title_of=lambda p: p.title,
        url_of=_proposal_url,
        date_of=lambda p: p.published_at or p.submitted_at or p.created_at,
        ordering=("-created_at", "-pk"),
        meta_of=_proposal_meta,
        select_related=("session", "merged_into", "merged_into__session"),
        order=20,
    )
    register_source(
        "opinions",
        OpinionReport,
        _("Public-opinion reports"),
        visible_to=lambda user: OpinionReport.objects.visible_to(user),
        title_of=lambda r: r.title,
        url_of=lambda r: reverse("opinions:detail", args=[r.pk]),
        date_of=lambda r: r.submitted_at or r.created_at,
        ordering=("-created_at", "-pk"),
        meta_of=lambda r: str(r.get_status_display()),
        order=30,
    )
    register_source(
        "suggestions",
        Suggestion,
        _("Public suggestions"),
        visible_to=lambda user: Suggestion.objects.visible_to(user),
        title_of=lambda s: s.title,
        url_of=lambda s: reverse("interaction:suggestion", args=[s.pk]),
        date_of=lambda s: s.created_at,
        ordering=("-created_at", "-pk"),
        meta_of=lambda s: str(s.get_category_display()),
        order=40,
    )
    register_source(
        "debates",
        Debate,
        _("Opinion debate"),
        visible_to=lambda user: Debate.objects.visible_to(user),
        title_of=lambda d: d.question,
        url_of=lambda d: reverse("interaction:debate", args=[d.pk]),
        date_of=lambda d: d.opens_at,
        ordering=("-opens_at", "-pk"),
        search_fields=("question",),
        meta_of=lambda d: str(d.get_status_display()),
        order=50,
    )
