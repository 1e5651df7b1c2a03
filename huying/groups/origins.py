"""The discussion-group posts a proposal or an opinion report was drafted from, for the
"where it came from" panel of their pages (:mod:`huying.core.origins`)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from huying.core.origins import Origin, rows_for
from huying.groups.models import Post


def _rows(user: Any, links: Any) -> list[Origin]:
    posts = [link.post for link in links.select_related("post__group", "post__thread").order_by("post__created_at")]
    return rows_for(
        user,
        posts,
        kind=_("Discussion-group post"),
        readable=Post.objects.visible_to(user),
        url_of=lambda p: reverse("groups:thread", args=[p.thread_id or p.pk]) + f"#post-{p.pk}",
        title_of=lambda p: f"{p.group.name} · {p.title or (p.thread.title if p.thread else '') or p.body[:30]}",
        date_of=lambda p: p.created_at,
    )


def proposal_origins(user: Any, proposal: Any) -> list[Origin]:
    return _rows(user, proposal.group_post_links)


def report_origins(user: Any, report: Any) -> list[Origin]:
    return _rows(user, report.group_post_links)
