"""From a hot topic to action (docs/insight.md, "From topic to action").

* ``do_start_draft``: a CPPCC member starts a proposal draft or an opinion-report draft
  from a topic over public texts, filled with the topic's evidence; ``TopicDraft`` keeps
  the link both ways.
* ``do_assign_lead_unit``: a dispatcher moves a topic's open work orders to one lead unit
  in one step: the orders are merged under one parent by the work-order engine's
  ``do_merge`` and the parent is dispatched (``do_dispatch``) to the unit. What the engine
  refuses is reported per order; the rest goes ahead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from huying.audit.actions import record
from huying.insight.access import check_may_view, may_assign, may_draft
from huying.insight.choices import DraftKind, Side
from huying.insight.models import Topic, TopicDraft, TopicText


@dataclass
class Evidence:
    texts: int
    people: int
    first: Any
    last: Any
    place: str
    keywords: list[str]
    examples: list[str]
    by_source: dict[str, int]

    def as_text(self) -> str:
        lines = [
            _("From %(first)s to %(last)s, %(people)d people raised this in %(texts)d texts on the platform.")
            % {
                "first": formats.date_format(timezone.localtime(self.first), "DATE_FORMAT") if self.first else "-",
                "last": formats.date_format(timezone.localtime(self.last), "DATE_FORMAT") if self.last else "-",
                "people": self.people,
                "texts": self.texts,
            }
        ]
        if self.place:
            lines.append(_("Place or group: %(place)s.") % {"place": self.place})
        if self.keywords:
            lines.append(_("Keywords: %(words)s.") % {"words": "、".join(self.keywords)})
        if self.examples:
            lines.append(_("What people wrote (examples):"))
            lines.extend(f"{n}. {example}" for n, example in enumerate(self.examples, start=1))
        return "\n".join(lines)


def evidence(topic: Topic, examples: int = 3) -> Evidence:
    """The counts, people, time range, place and example texts of a topic."""
    by_source: dict[str, int] = {}
    for source in TopicText.objects.filter(topic=topic).values_list("source", flat=True):
        by_source[source] = by_source.get(source, 0) + 1
    chosen = list(
        TopicText.objects.filter(topic=topic)
        .order_by("-support", "at", "pk")
        .values_list("excerpt", flat=True)[:examples]
    )
    return Evidence(
        texts=topic.texts,
        people=topic.people,
        first=topic.first_at,
        last=topic.last_at,
        place=topic.place_or_group,
        keywords=list(topic.keywords),
        examples=[text[:150] for text in chosen],
        by_source=by_source,
    )


def _session_for(actor: Any) -> Any:
    from huying.proposals.actions.drafts import is_member_of
    from huying.proposals.models import Session

    sessions = [
        s for s in Session.objects.select_related("cppcc").order_by("-is_current", "-pk") if is_member_of(actor, s)
    ]
    if not sessions:
        raise ValidationError({"kind": [_("You are in no session to draft a proposal in.")]})
    return sessions[0]


def do_start_draft(actor: Any, topic: Topic, kind: str) -> TopicDraft:
    """A CPPCC member starts a proposal draft (``kind`` ``proposal``) or an opinion-report
    draft (``report``) from a topic over public texts they may read. The draft is theirs
    to edit in its own pages; the link is kept in ``TopicDraft``."""
    check_may_view(actor, Side.PUBLIC)
    if not may_draft(actor):
        raise PermissionDenied(_("Only CPPCC members start drafts from a hot topic."))
    if topic.side != Side.PUBLIC or not Topic.objects.visible_to(actor).filter(pk=topic.pk).exists():
        raise PermissionDenied(_("Drafts start only from a hot topic over public texts you may read."))
    if kind not in DraftKind.values:
        raise ValidationError({"kind": [_("Choose a proposal or an opinion report.")]})
    found = evidence(topic)
    title = (topic.place_or_group + "：" if topic.place_or_group else "") + topic.title
    title = title[:100]
    body = found.as_text()
    with transaction.atomic():
        if kind == DraftKind.PROPOSAL:
            from huying.proposals.actions.drafts import do_save_draft

            draft: Any = do_save_draft(actor, session=_session_for(actor), title=title, situation=body).proposal
        else:
            from huying.opinions.actions import do_create_draft

            draft = do_create_draft(actor, title=title, situation=body)
        link = TopicDraft.objects.create(
            topic=topic,
            kind=kind,
            content_type=ContentType.objects.get_for_model(draft),
            object_id=draft.pk,
            created_by=actor,
        )
        record(actor, "insight.draft", topic, {"kind": kind, "draft": draft.pk})
    return link


def topic_of(record_object: Any) -> Topic | None:
    """The topic a proposal or report draft was started from (the link's other way)."""
    link = (
        TopicDraft.objects.filter(
            content_type=ContentType.objects.get_for_model(record_object), object_id=record_object.pk
        )
        .select_related("topic")
        .first()
    )
    return link.topic if link else None


def draft_url(link: TopicDraft) -> str:
    from django.urls import reverse

    if link.kind == DraftKind.PROPOSAL:
        return reverse("proposals:edit", args=[link.object_id])
    return reverse("opinions:edit", args=[link.object_id])


@dataclass
class LeadOutcome:
    parent: Any = None
    merged: list[str] = field(default_factory=list)
    dispatched: bool = False
    refused: dict[str, str] = field(default_factory=dict)  # order number → why


def _message(error: ValidationError) -> str:
    return "；".join(str(m) for m in error.messages)


def do_assign_lead_unit(actor: Any, topic: Topic, unit: Any, *, reason: str = "") -> LeadOutcome:
    """Dispatchers (and administrators): merge the topic's open work orders the actor's
    command centre handles under the oldest new one and dispatch it to ``unit`` as lead.
    Orders the engine refuses (another district, no longer open, already dispatched
    elsewhere) are reported per order and left as they were."""
    from huying.workorders.actions import MERGEABLE, do_dispatch, do_merge
    from huying.workorders.choices import OrderStatus
    from huying.workorders.models import WorkOrder

    if not may_assign(actor):
        raise PermissionDenied(_("Only dispatchers move a topic's work orders to a lead unit."))
    if topic.side != Side.GOVERNMENT or not Topic.objects.visible_to(actor).filter(pk=topic.pk).exists():
        raise PermissionDenied(_("This is not a hot topic over work orders you may handle."))
    reason = (reason or "").strip() or _("One hot topic: %(title)s") % {"title": topic.title[:80]}
    ids = TopicText.objects.filter(topic=topic, source="workorder").values("object_id")
    orders = list(WorkOrder.objects.visible_to(actor).filter(pk__in=ids).order_by("received_at", "pk"))
    outcome = LeadOutcome()
    candidates = []
    for order in orders:
        if order.status in MERGEABLE:
            candidates.append(order)
        elif order.status != OrderStatus.MERGED:
            outcome.refused[order.number] = _("“%(status)s”: no longer open.") % {"status": order.get_status_display()}
    if not candidates:
        raise ValidationError({"orders": [_("This topic has no open work orders you may move.")]})
    parent = next((o for o in candidates if o.status == OrderStatus.NEW), candidates[0])
    outcome.parent = parent
    children = []
    for order in candidates:
        if order.pk == parent.pk:
            continue
        if order.district_id != parent.district_id:
            outcome.refused[order.number] = _("%(number)s belongs to another district.") % {"number": order.number}
        else:
            children.append(order)
    with transaction.atomic():
        if children:
            try:
                with transaction.atomic():
                    do_merge(actor, parent, children, reason=reason)
                outcome.merged = [c.number for c in children]
            except ValidationError:
                for child in children:  # one at a time: report each refusal
                    try:
                        with transaction.atomic():
                            do_merge(actor, parent, [child], reason=reason)
                        outcome.merged.append(child.number)
                    except (ValidationError, PermissionDenied) as error:
                        outcome.refused[child.number] = (
                            _message(error) if isinstance(error, ValidationError) else str(error)
                        )
        parent.refresh_from_db()
        if parent.status == OrderStatus.NEW:
            try:
                with transaction.atomic():
                    do_dispatch(actor, parent, unit, note=reason)
                outcome.dispatched = True
            except (ValidationError, PermissionDenied) as error:
                outcome.refused[parent.number] = _message(error) if isinstance(error, ValidationError) else str(error)
        else:
            outcome.refused[parent.number] = _(
                "Already with its units (“%(status)s”): the merged orders follow them; dispatch again from its page."
            ) % {"status": parent.get_status_display()}
        record(
            actor,
            "insight.assign_lead",
            topic,
            {"parent": parent.number, "unit": unit.pk, "merged": outcome.merged, "refused": sorted(outcome.refused)},
        )
    return outcome
