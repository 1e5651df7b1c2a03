"""The interaction writes: public suggestions (submit, follow, adopt into a proposal draft)
and opinion debates (create, open, close, vote, argue, like). Public content goes through
:func:`huying.moderation.actions.do_submit` (real name, rate limit, word screen, queue)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from huying.accounts.choices import Role
from huying.audit.actions import record
from huying.core import ratelimit
from huying.core.uploads import INLINE_TYPES, check_upload_batch, sniff
from huying.interaction import transitions
from huying.interaction.choices import DebateStatus, Side, SuggestionCategory
from huying.interaction.models import (
    Argument,
    ArgumentLike,
    Debate,
    Suggestion,
    SuggestionAdoption,
    SuggestionFollow,
    SuggestionPhoto,
    SuggestionReportLink,
    Vote,
)
from huying.moderation import actions as moderation
from huying.moderation.access import is_moderator
from huying.moderation.choices import ItemStatus

SUGGESTIONS = "suggestions"
ARGUMENTS = "debate_arguments"
MAX_PHOTOS = 4
PHOTO_MAX_BYTES = 8 * 1024 * 1024
VOTE_LIMIT = 30  # votes (and changes) per person per minute


# --- suggestions ------------------------------------------------------------------------
def access_suggestion(user: Any, pk: int) -> Suggestion:
    try:
        return Suggestion.objects.visible_to(user).select_related("moderation", "author").get(pk=pk)
    except Suggestion.DoesNotExist:
        raise Http404(_("No such suggestion.")) from None


def do_submit_suggestion(
    actor: Any, *, title: str, body: str, category: str, place: str = "", photos: Sequence[Any] = ()
) -> Suggestion:
    """A real-name verified person submits a suggestion with up to :data:`MAX_PHOTOS`
    photos (JPEG, PNG, WebP, read from their bytes). Screened and moderated: it appears in
    public only once published."""
    moderation.check_real_name(actor)
    errors: dict[str, list[str]] = {}
    title, body, place = title.strip(), body.strip(), place.strip()
    if not title:
        errors["title"] = [_("Enter a title.")]
    elif len(title) > 60:
        errors["title"] = [_("At most %(max)d characters.") % {"max": 60}]
    if len(body) < 10:
        errors["body"] = [_("Describe your suggestion in at least 10 characters.")]
    elif len(body) > 2000:
        errors["body"] = [_("At most %(max)d characters.") % {"max": 2000}]
    if category not in SuggestionCategory.values:
        errors["category"] = [_("Choose a category from the list.")]
    if len(place) > 100:
        errors["place"] = [_("At most %(max)d characters.") % {"max": 100}]
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = [_("Attach at most %(n)d photos.") % {"n": MAX_PHOTOS}]
    if errors:
        raise ValidationError(errors)
    check_upload_batch(list(photos), field="photos")
    kinds = [sniff(p, INLINE_TYPES, max_bytes=PHOTO_MAX_BYTES, field="photos") for p in photos]
    with transaction.atomic():
        item = moderation.do_submit(actor, SUGGESTIONS, title, body, place)
        suggestion = Suggestion.objects.create(
            author=actor, title=title, body=body, category=category, place=place, moderation=item
        )
        for upload, (content_type, size) in zip(photos, kinds, strict=True):
            photo = SuggestionPhoto(
                suggestion=suggestion,
                original_name=(getattr(upload, "name", "") or "photo")[:200],
                content_type=content_type,
                size=size,
                uploaded_by=actor,
            )
            photo.file.save(photo.original_name, upload, save=False)
            photo.save()
        record(actor, "suggestion.submit", suggestion, {"title": title, "photos": len(photos)})
    return suggestion


def do_follow(actor: Any, suggestion: Suggestion, *, follow: bool = True) -> bool:
    """Follow (关注) a published suggestion or stop following; idempotent. Returns whether
    the person follows it now."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Log in to follow suggestions."))
    if suggestion.moderation.status != ItemStatus.PUBLISHED:
        raise ValidationError(_("Only published suggestions can be followed."))
    with transaction.atomic():
        if follow:
            try:
                with transaction.atomic():
                    SuggestionFollow.objects.create(suggestion=suggestion, user=actor)
            except IntegrityError:
                return True
            Suggestion.objects.filter(pk=suggestion.pk).update(follower_count=F("follower_count") + 1)
        else:
            deleted, _rows = SuggestionFollow.objects.filter(suggestion=suggestion, user=actor).delete()
            if deleted:
                Suggestion.objects.filter(pk=suggestion.pk).update(follower_count=F("follower_count") - 1)
    return follow


def may_adopt(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and Role.MEMBER in user.role_set)


def do_adopt_into_proposal(
    actor: Any,
    suggestions: Sequence[Suggestion],
    *,
    session: Any,
    title: str,
    category: str | None = None,
) -> Any:
    """A CPPCC member takes one or several published suggestions into a new proposal DRAFT
    of their own (through the proposals' draft action, so every rule of a draft applies),
    and the links are kept both ways. Returns the draft proposal."""
    from huying.proposals.actions.drafts import do_save_draft
    from huying.proposals.choices import Category

    suggestions = _check_adoptable(actor, suggestions)
    situation = _joined_texts(suggestions)
    with transaction.atomic():
        result = do_save_draft(
            actor, session=session, title=title, situation=situation, category=category or Category.OTHER
        )
        proposal = result.proposal
        now = timezone.now()
        SuggestionAdoption.objects.bulk_create(
            [SuggestionAdoption(suggestion=s, proposal=proposal, adopted_by=actor, created_at=now) for s in suggestions]
        )
        for s in suggestions:
            record(actor, "suggestion.adopt", s, {"proposal": proposal.pk})
    return proposal


def _check_adoptable(actor: Any, suggestions: Sequence[Suggestion]) -> list[Suggestion]:
    if not may_adopt(actor):
        raise PermissionDenied(_("Only CPPCC members may adopt public suggestions."))
    chosen = list({s.pk: s for s in suggestions}.values())
    if not chosen:
        raise ValidationError({"suggestions": [_("Choose at least one suggestion.")]})
    if any(s.moderation.status != ItemStatus.PUBLISHED for s in chosen):
        raise ValidationError({"suggestions": [_("Only published suggestions can be adopted.")]})
    return chosen


def _joined_texts(suggestions: Sequence[Suggestion]) -> str:
    return "\n\n".join(f"【{_('Public suggestion')} #{s.pk}】{s.title}\n{s.body}" for s in suggestions)[:3000]


def do_adopt_into_report(actor: Any, suggestions: Sequence[Suggestion], *, title: str) -> Any:
    """A CPPCC member takes one or several published suggestions into a new opinion-report
    (社情民意) draft of their own, through the opinions app's draft action; the links are
    kept both ways. Returns the draft report."""
    from huying.opinions.actions import do_create_draft

    chosen = _check_adoptable(actor, suggestions)
    with transaction.atomic():
        report = do_create_draft(actor, title=title, situation=_joined_texts(chosen))
        now = timezone.now()
        SuggestionReportLink.objects.bulk_create(
            [SuggestionReportLink(suggestion=s, report=report, adopted_by=actor, created_at=now) for s in chosen]
        )
        for s in chosen:
            record(actor, "suggestion.adopt_report", s, {"report": report.pk})
    return report


def outcomes(suggestion: Suggestion) -> list[dict[str, Any]]:
    """What became of a suggestion, read live from the proposals: for each proposal it went
    into, the filing number (once filed), its status and the latest accepted reply's class."""
    from huying.proposals.choices import ReplyStatus

    result: list[dict[str, Any]] = []
    links = suggestion.adoptions.select_related("proposal__session", "proposal__merged_into__session", "adopted_by")
    for link in links:
        proposal = link.proposal
        reply = (
            proposal.replies.filter(status=ReplyStatus.ACCEPTED).order_by("-round", "-pk").only("reply_class").first()
        )
        result.append(
            {
                "proposal": proposal,
                "report": None,
                "number": proposal.formatted_number if proposal.filing_number else "",
                "status": proposal.get_status_display(),
                "reply_class": reply.reply_class if reply else "",
                "reply_class_label": reply.get_reply_class_display() if reply else "",
                "adopted_by": link.adopted_by.real_name,
                "adopted_at": link.created_at,
            }
        )
    for report_link in suggestion.report_links.select_related("report", "adopted_by"):
        result.append(
            {
                "report": report_link.report,
                "proposal": None,
                "number": "",
                "status": report_link.report.get_status_display(),
                "reply_class": "",
                "reply_class_label": "",
                "adopted_by": report_link.adopted_by.real_name,
                "adopted_at": report_link.created_at,
            }
        )
    return result


def statistics() -> dict[str, int]:
    """群众建议 figures: suggestions received (submitted), published, adopted into
    proposals, and the proposals that came out of them."""
    adoptions = SuggestionAdoption.objects.all()
    adopted = set(adoptions.values_list("suggestion", flat=True).distinct())
    adopted |= set(SuggestionReportLink.objects.values_list("suggestion", flat=True).distinct())
    return {
        "received": Suggestion.objects.count(),
        "published": Suggestion.objects.published().count(),
        "adopted": len(adopted),
        "proposals": adoptions.values("proposal").distinct().count(),
        "reports": SuggestionReportLink.objects.values("report").distinct().count(),
    }


# --- debates ----------------------------------------------------------------------------
def access_debate(user: Any, pk: int) -> Debate:
    try:
        return Debate.objects.visible_to(user).get(pk=pk)
    except Debate.DoesNotExist:
        raise Http404(_("No such debate.")) from None


def do_create_debate(
    actor: Any,
    *,
    question: str,
    side_a: str,
    side_b: str,
    opens_at: datetime,
    closes_at: datetime,
    description: str = "",
) -> Debate:
    """Agency staff or an administrator drafts a debate."""
    moderation.check_moderator(actor)
    errors: dict[str, list[str]] = {}
    for name, value, limit in (("question", question, 100), ("side_a", side_a, 40), ("side_b", side_b, 40)):
        if not value.strip():
            errors[name] = [_("This field is required.")]
        elif len(value) > limit:
            errors[name] = [_("At most %(max)d characters.") % {"max": limit}]
    if closes_at <= opens_at:
        errors["closes_at"] = [_("The debate must close after it opens.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        debate = Debate.objects.create(
            question=question.strip(),
            side_a=side_a.strip(),
            side_b=side_b.strip(),
            description=description.strip(),
            opens_at=opens_at,
            closes_at=closes_at,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        record(actor, "debate.create", debate, {"question": debate.question})
    return debate


def do_open_debate(actor: Any, debate: Debate) -> Debate:
    moderation.check_moderator(actor)
    return transitions.move(debate, "open", actor)


def do_close_debate(actor: Any, debate: Debate) -> Debate:
    moderation.check_moderator(actor)
    return transitions.move(debate, "close", actor)


def _check_side(side: str) -> None:
    if side not in Side.values:
        raise ValidationError({"side": [_("Choose one of the two sides.")]})


def do_vote(actor: Any, debate: Debate, side: str, *, now: datetime | None = None) -> Vote:
    """A real-name verified person votes for a side, or changes the vote, while the debate
    is open. One vote per person and debate (a unique constraint); the side counters change
    in the same transaction with ``F()`` expressions, so concurrent requests never count a
    person twice."""
    moderation.check_real_name(actor)
    _check_side(side)
    if not debate.accepts_votes(now):
        raise ValidationError(_("This debate is not open for voting."), code="closed")
    ratelimit.check(
        "interaction:vote",
        [f"user:{actor.pk}"],
        limit=VOTE_LIMIT,
        window=60,
        message=_("You have voted too often. Try again in %(minutes)d minutes."),
    )
    counter = {Side.A: "votes_a", Side.B: "votes_b"}
    with transaction.atomic():
        try:
            with transaction.atomic():
                vote = Vote.objects.create(debate=debate, user=actor, side=side)
        except IntegrityError:
            vote = Vote.objects.select_for_update().get(debate=debate, user=actor)
            if vote.side == side:
                return vote
            old = vote.side
            vote.side = side
            vote.changed_at = timezone.now()
            vote.save(update_fields=["side", "changed_at"])
            Debate.objects.filter(pk=debate.pk).update(
                **{counter[Side(old)]: F(counter[Side(old)]) - 1, counter[Side(side)]: F(counter[Side(side)]) + 1}
            )
            return vote
        Debate.objects.filter(pk=debate.pk).update(**{counter[Side(side)]: F(counter[Side(side)]) + 1})
    return vote


def do_argue(actor: Any, debate: Debate, *, side: str, body: str) -> Argument:
    """A real-name verified person posts an argument for a side while the debate is open
    (screened and moderated)."""
    moderation.check_real_name(actor)
    _check_side(side)
    body = body.strip()
    if len(body) < 5:
        raise ValidationError({"body": [_("Write at least 5 characters.")]})
    if len(body) > 500:
        raise ValidationError({"body": [_("At most %(max)d characters.") % {"max": 500}]})
    if not debate.accepts_votes():
        raise ValidationError(_("This debate is not open."), code="closed")
    with transaction.atomic():
        item = moderation.do_submit(actor, ARGUMENTS, body)
        argument = Argument.objects.create(debate=debate, author=actor, side=side, body=body, moderation=item)
        record(actor, "debate.argue", argument, {"side": side})
    return argument


def do_like(actor: Any, argument: Argument) -> bool:
    """A real-name verified person likes a published argument, once. Returns False when
    the person had already liked it (nothing changed)."""
    moderation.check_real_name(actor)
    if argument.moderation.status != ItemStatus.PUBLISHED:
        raise ValidationError(_("Only published arguments can be liked."))
    with transaction.atomic():
        try:
            with transaction.atomic():
                ArgumentLike.objects.create(argument=argument, user=actor)
        except IntegrityError:
            return False
        Argument.objects.filter(pk=argument.pk).update(like_count=F("like_count") + 1)
    return True


def strongest(debate: Debate, side: str, user: Any = None, limit: int = 3) -> list[Argument]:
    """The most-liked published arguments of a side."""
    return list(
        Argument.objects.filter(debate=debate, side=side, moderation__status=ItemStatus.PUBLISHED)
        .select_related("author")
        .order_by("-like_count", "pk")[:limit]
    )


def user_vote(user: Any, debate: Debate) -> str:
    if not getattr(user, "is_authenticated", False):
        return ""
    return Vote.objects.filter(debate=debate, user=user).values_list("side", flat=True).first() or ""


__all__ = ["DebateStatus", "is_moderator"]
