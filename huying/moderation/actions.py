"""The moderation writes: submitting public content (real-name check, rate limit, word
screen, first state), moderators' decisions, reports, the word list and the space settings.
Status moves themselves are :mod:`huying.moderation.transitions`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils.translation import gettext as _

from huying.audit.actions import record
from huying.core import ratelimit
from huying.moderation import notices, screening, transitions
from huying.moderation.access import is_moderator
from huying.moderation.choices import ItemStatus, Move, WordAction
from huying.moderation.models import ModerationItem, Report, SensitiveWord, SpaceSetting
from huying.moderation.spaces import Space, get_space


def report_threshold() -> int:
    """Reports that send a published item back to the queue (setting ``MODERATION_REPORTS_TO_QUEUE``)."""
    return int(getattr(settings, "MODERATION_REPORTS_TO_QUEUE", 3))


def check_real_name(user: Any, *, doing: str = "") -> None:
    """Posting and voting need a logged-in, real-name verified account."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Log in to take part."))
    if not user.is_real_name_verified:
        raise PermissionDenied(_("Only real-name verified accounts may post or vote. Verify your real name first."))


def check_moderator(user: Any) -> None:
    if not is_moderator(user):
        raise PermissionDenied(_("Only CPPCC agency staff and administrators may moderate."))


def check_rate(user: Any, scope: str, *, limit: int, window: int) -> None:
    """Count a post against the person's limit in ``scope`` (429 when over). The setting
    ``MODERATION_RATE_LIMITS = False`` turns the count off (the demo loader's bulk posts)."""
    if not getattr(settings, "MODERATION_RATE_LIMITS", True):
        return
    ratelimit.check(
        f"moderation:{scope}",
        [f"user:{user.pk}"],
        limit=limit,
        window=window,
        message=_("You have posted too often. Try again in %(minutes)d minutes."),
    )


def is_premoderated(space: str | Space) -> bool:
    space = get_space(space) if isinstance(space, str) else space
    setting = SpaceSetting.objects.filter(space=space.key).values_list("premoderated", flat=True).first()
    return space.premoderated_default if setting is None else bool(setting)


def access_item(user: Any, pk: int) -> ModerationItem:
    try:
        return ModerationItem.objects.visible_to(user).get(pk=pk)
    except ModerationItem.DoesNotExist:
        raise Http404(_("No such item.")) from None


def do_submit(actor: Any, space_key: str, *texts: str, field: str = "body") -> ModerationItem:
    """Open the moderation record of a new public item (call inside the transaction that
    creates the item). Refuses an account without real-name verification (403), a person
    over the space's rate limit (429) and text with a *block* word (422 on ``field``,
    naming the words). Text with a *review* word, or any text in a pre-moderated space,
    waits in the queue; otherwise it is published at once."""
    space = get_space(space_key)
    check_real_name(actor)
    found = screening.screen(*texts)
    if found.block:
        raise ValidationError(
            {
                field: ValidationError(
                    _("The text contains words that may not be published (%(words)s). Change it and send it again.")
                    % {"words": "、".join(found.block)},
                    code="blocked_words",
                )
            }
        )
    check_rate(actor, space.key, limit=space.rate_limit, window=space.rate_window)
    item = ModerationItem(space=space.key, author=actor, text="\n".join(t for t in texts if t)[:4000])
    item.flagged_words = found.review
    published = not found.review and not is_premoderated(space)
    note = _("Sensitive words: %(words)s") % {"words": "、".join(found.review)} if found.review else ""
    return transitions.start(item, actor, published=published, note=note)


def _decide(item: ModerationItem, move: str, actor: Any, reason: str = "") -> ModerationItem:
    """Make the move and tell the author in one transaction: both are written, or neither."""
    with transaction.atomic():
        moved = transitions.move(item, move, actor, reason=reason)
        notices.send(moved, move)
    return moved


def do_publish(actor: Any, item: ModerationItem) -> ModerationItem:
    """A moderator lets a pending item appear in public."""
    check_moderator(actor)
    return _decide(item, Move.PUBLISH, actor)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason.")]})
    if len(reason) > 200:
        raise ValidationError({"reason": [_("At most %(max)d characters.") % {"max": 200}]})
    return reason


def do_hide(actor: Any, item: ModerationItem, *, reason: str) -> ModerationItem:
    """A moderator hides a pending or published item, with the reason (shown to its author)."""
    check_moderator(actor)
    return _decide(item, Move.HIDE, actor, _reason(reason))


def do_restore(actor: Any, item: ModerationItem, *, reason: str) -> ModerationItem:
    """A moderator publishes a hidden item again, with the reason."""
    check_moderator(actor)
    return _decide(item, Move.RESTORE, actor, _reason(reason))


def do_report(actor: Any, item: ModerationItem, *, reason: str) -> Report:
    """A logged-in person reports a published item, once. After
    :func:`report_threshold` reports it goes back to the queue until a moderator decides."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Log in to report content."))
    reason = _reason(reason)
    if item.status != ItemStatus.PUBLISHED:
        raise ValidationError(_("Only published content can be reported."), code="not_published")
    ratelimit.check(
        "moderation:report",
        [f"user:{actor.pk}"],
        limit=20,
        window=3600,
        message=_("You have reported too often. Try again in %(minutes)d minutes."),
    )
    with transaction.atomic():
        try:
            with transaction.atomic():
                report = Report.objects.create(item=item, reporter=actor, reason=reason)
        except IntegrityError:
            raise ValidationError(_("You have already reported this."), code="already_reported") from None
        ModerationItem.objects.filter(pk=item.pk).update(report_count=F("report_count") + 1)
        record(actor, "moderation.report", item, {"reason": reason})
        item.refresh_from_db()
        if item.report_count >= report_threshold() and item.status == ItemStatus.PUBLISHED:
            transitions.move(item, Move.REQUEUE, None, reason=_("%(n)d reports") % {"n": item.report_count})
    return report


@transaction.atomic
def do_set_space(actor: Any, space_key: str, *, premoderated: bool) -> SpaceSetting:
    """A moderator turns pre-moderation of a space on or off."""
    check_moderator(actor)
    space = get_space(space_key)
    before = is_premoderated(space)
    setting, _created = SpaceSetting.objects.update_or_create(
        space=space.key, defaults={"premoderated": premoderated, "updated_by": actor}
    )
    record(actor, "moderation.space_setting", setting, {"premoderated": [before, premoderated]})
    return setting


def do_add_word(actor: Any, word: str, *, action: str = WordAction.REVIEW) -> SensitiveWord:
    """A moderator adds a word (or changes what an existing one does)."""
    if actor is not None:
        check_moderator(actor)
    word = (word or "").strip()
    normalised = screening.normalise(word)
    if not normalised:
        raise ValidationError({"word": [_("Enter a word with at least one letter or character.")]})
    if len(word) > 50:
        raise ValidationError({"word": [_("At most %(max)d characters.") % {"max": 50}]})
    if action not in WordAction.values:
        raise ValidationError({"action": [_("Choose what a match does.")]})
    with transaction.atomic():
        row, _created = SensitiveWord.objects.update_or_create(
            normalised=normalised, defaults={"word": word, "action": action, "created_by": actor}
        )
        record(actor, "moderation.word_add", row, {"word": word, "action": action})
        transaction.on_commit(screening.bump_version)
    return row


def do_remove_word(actor: Any, row: SensitiveWord) -> None:
    check_moderator(actor)
    with transaction.atomic():
        record(actor, "moderation.word_remove", row, {"word": row.word})
        row.delete()
        transaction.on_commit(screening.bump_version)
