"""The discussion-group writes: groups and their people (staff), threads and replies
(participants; rate-limited and screened through :func:`huying.moderation.actions.do_submit`,
space ``group_posts``), pins and suggestion marks (staff), and turning a thread or a marked
suggestion into a proposal or opinion-report draft of the member (through the proposals'
and opinions' own draft actions). Every speech of a member lands in the duty record
(``group.speech``).

A post counts — in its author's speech and suggestion counters, its thread's reply count and
the duty record — exactly while readers can see it: not removed, published by moderation, and
(a reply) in a thread that is itself not removed and published. :func:`_sync_counts` is the
one code path that puts a post into the figures or takes it out; posting, the group's own
removal and the moderation hook (:func:`on_moderation_visibility`: a moderator's hide,
restore or publish, or reports sending a post back to the queue) all go through it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from huying.audit.actions import record
from huying.duty import acts
from huying.groups import access, transitions
from huying.groups.choices import DraftTarget, GroupStatus, ParticipantRole
from huying.groups.models import DiscussionGroup, Participant, Post, PostProposalLink, PostReportLink
from huying.moderation import actions as moderation
from huying.moderation.choices import ItemStatus
from huying.organisations.choices import OrgKind
from huying.organisations.models import Organisation

SPACE = "group_posts"
SPEECH = "group.speech"


# --- reading -----------------------------------------------------------------------------
def access_group(user: Any, pk: int) -> DiscussionGroup:
    try:
        return DiscussionGroup.objects.visible_to(user).select_related("cppcc").get(pk=pk)
    except DiscussionGroup.DoesNotExist:
        raise Http404(_("No such group.")) from None


def access_post(user: Any, pk: int) -> Post:
    try:
        return Post.objects.visible_to(user).select_related("group__cppcc", "moderation", "author").get(pk=pk)
    except Post.DoesNotExist:
        raise Http404(_("No such post.")) from None


def access_thread(user: Any, pk: int) -> Post:
    post = access_post(user, pk)
    if not post.is_thread:
        raise Http404(_("No such post."))
    return post


def participant(user: Any, group: DiscussionGroup) -> Participant | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Participant.objects.filter(group=group, user=user, is_active=True).first()


def check_manager(user: Any, group: DiscussionGroup) -> None:
    if not access.may_manage(user, group):
        raise PermissionDenied(_("Only the agency staff of this CPPCC committee manage its groups."))


def may_convert(user: Any, group: DiscussionGroup) -> bool:
    p = participant(user, group)
    return p is not None and p.role == ParticipantRole.MEMBER


# --- groups and people ---------------------------------------------------------------------
def _clean_text(name: str, description: str) -> tuple[str, str]:
    errors: dict[str, list[str]] = {}
    name, description = name.strip(), description.strip()
    if not name:
        errors["name"] = [_("Enter the group's name.")]
    elif len(name) > 60:
        errors["name"] = [_("At most %(max)d characters.") % {"max": 60}]
    if len(description) > 2000:
        errors["description"] = [_("At most %(max)d characters.") % {"max": 2000}]
    if errors:
        raise ValidationError(errors)
    return name, description


def do_create_group(
    actor: Any,
    *,
    cppcc: Organisation,
    name: str,
    description: str = "",
    members: Sequence[Any] = (),
    staff: Sequence[Any] = (),
) -> DiscussionGroup:
    """Agency staff of ``cppcc`` (or of one of its offices), or an administrator, opens a
    group; the creator (when staff) becomes one of its staff participants."""
    if cppcc.kind != OrgKind.CPPCC:
        raise ValidationError({"cppcc": [_("A group belongs to a CPPCC committee.")]})
    if not (
        getattr(actor, "is_authenticated", False)
        and (actor.is_administrator or cppcc.pk in access.managed_cppcc_ids(actor))
    ):
        raise PermissionDenied(_("Only the agency staff of this CPPCC committee manage its groups."))
    name, description = _clean_text(name, description)
    if DiscussionGroup.objects.filter(cppcc=cppcc, name=name).exists():
        raise ValidationError({"name": [_("This CPPCC committee already has a group of this name.")]})
    with transaction.atomic():
        group = DiscussionGroup.objects.create(cppcc=cppcc, name=name, description=description, created_by=actor)
        record(actor, "group.create", group, {"name": name})
        creator = [actor] if access.is_staff_of_cppcc(actor, cppcc.pk) else []
        do_add_participants(actor, group, [*creator, *staff], role=ParticipantRole.STAFF)
        if members:
            do_add_participants(actor, group, members, role=ParticipantRole.MEMBER)
    return group


def do_update_group(actor: Any, group: DiscussionGroup, *, name: str, description: str) -> DiscussionGroup:
    check_manager(actor, group)
    name, description = _clean_text(name, description)
    if DiscussionGroup.objects.filter(cppcc_id=group.cppcc_id, name=name).exclude(pk=group.pk).exists():
        raise ValidationError({"name": [_("This CPPCC committee already has a group of this name.")]})
    with transaction.atomic():
        DiscussionGroup.objects.filter(pk=group.pk).update(name=name, description=description, version=F("version") + 1)
        record(actor, "group.update", group, {"name": [group.name, name]})
    group.refresh_from_db()
    return group


def do_add_participants(actor: Any, group: DiscussionGroup, users: Iterable[Any], *, role: str) -> int:
    """Staff add members of the group's CPPCC (role *member*) or agency staff of the CPPCC
    or its offices (role *staff*); anyone else is refused, naming them. Adding someone who
    was removed brings them back with their figures. Returns how many were added."""
    check_manager(actor, group)
    if role not in ParticipantRole.values:
        raise ValidationError({"role": [_("Choose member or staff.")]})
    people = list({u.pk: u for u in users}.values())
    check = access.is_member_of_cppcc if role == ParticipantRole.MEMBER else access.is_staff_of_cppcc
    wrong = [u.real_name or u.username for u in people if not check(u, group.cppcc_id)]
    if wrong:
        message = (
            _("Not members of this CPPCC committee: %(names)s.")
            if role == ParticipantRole.MEMBER
            else _("Not agency staff of this CPPCC committee: %(names)s.")
        )
        raise ValidationError({"people": [message % {"names": "、".join(wrong)}]})
    added = 0
    with transaction.atomic():
        existing = {p.user_id: p for p in Participant.objects.select_for_update().filter(group=group)}
        for user in people:
            row = existing.get(user.pk)
            if row is None:
                Participant.objects.create(group=group, user=user, role=role)
            elif not row.is_active or row.role != role:
                Participant.objects.filter(pk=row.pk).update(is_active=True, role=role)
            else:
                continue
            added += 1
            record(actor, "group.participant_add", group, {"user": user.pk, "role": role})
    return added


def do_remove_participant(actor: Any, group: DiscussionGroup, user: Any) -> None:
    """Staff take someone out of the group; what they said stays (and counts)."""
    check_manager(actor, group)
    with transaction.atomic():
        if not Participant.objects.filter(group=group, user=user, is_active=True).update(is_active=False):
            raise ValidationError(_("This person is not in the group."), code="not_participant")
        record(actor, "group.participant_remove", group, {"user": user.pk})


def do_archive(actor: Any, group: DiscussionGroup) -> DiscussionGroup:
    """Staff archive a group: it stays readable, nobody posts any more."""
    check_manager(actor, group)
    return transitions.move(group, "archive", actor)


def do_reopen(actor: Any, group: DiscussionGroup) -> DiscussionGroup:
    check_manager(actor, group)
    return transitions.move(group, "reopen", actor)


# --- posting -------------------------------------------------------------------------------
def _check_poster(actor: Any, group: DiscussionGroup) -> Participant:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Log in to take part."))
    me = Participant.objects.filter(group=group, user=actor, is_active=True).first()
    if me is None:
        raise PermissionDenied(_("Only the group's participants may post in it."))
    if group.status != GroupStatus.OPEN:
        raise ValidationError(_("This group is archived; nobody posts in it any more."), code="archived")
    return me


def _clean_body(body: str) -> str:
    body = body.strip()
    if len(body) < 2:
        raise ValidationError({"body": [_("Write at least 2 characters.")]})
    if len(body) > 3000:
        raise ValidationError({"body": [_("At most %(max)d characters.") % {"max": 3000}]})
    return body


def _should_count(post: Post) -> bool:
    if post.removed_at is not None or post.moderation.status != ItemStatus.PUBLISHED:
        return False
    thread = post.thread
    return thread is None or (thread.removed_at is None and thread.moderation.status == ItemStatus.PUBLISHED)


def _sync_counts(post_ids: Iterable[int]) -> int:
    """Put each post into the kept figures, or take it out, as :func:`_should_count` says:
    the author's ``speech_count`` (and ``suggestion_count`` when marked), the thread's
    ``reply_count``, and the author's ``group.speech`` duty entry (member participants only;
    re-recording after a retraction restores the one entry with the post's date). Call
    inside a transaction. Idempotent: the ``counted`` flag changes with a conditional update,
    and only a change moves a figure, so a second call, or a post already taken out by
    another path, changes nothing. Returns how many posts changed."""
    ids = sorted(set(post_ids))
    # Lock the posts first, then read their state in a new statement: on PostgreSQL the read
    # then sees every move committed while we waited for a lock (READ COMMITTED).
    list(Post.objects.select_for_update(of=("self",)).filter(pk__in=ids).values_list("pk", flat=True))
    posts = Post.objects.filter(pk__in=ids).select_related("moderation", "thread__moderation", "group", "author")
    changed = 0
    for post in posts.order_by("pk"):
        should = _should_count(post)
        if post.counted == should or not Post.objects.filter(pk=post.pk, counted=not should).update(counted=should):
            continue
        changed += 1
        step = 1 if should else -1
        Participant.objects.filter(group_id=post.group_id, user_id=post.author_id).update(
            speech_count=F("speech_count") + step,
            suggestion_count=F("suggestion_count") + (step if post.is_suggestion else 0),
        )
        if post.thread_id is not None:
            Post.objects.filter(pk=post.thread_id).update(reply_count=F("reply_count") + step)
        if not should:
            acts.retract(post.author, SPEECH, source=post)
        elif (
            Participant.objects.filter(group_id=post.group_id, user_id=post.author_id)
            .values_list("role", flat=True)
            .first()
            == ParticipantRole.MEMBER
        ):
            acts.record(post.author, SPEECH, source=post, occurred_at=post.created_at, title=post.group.name)
    return changed


def _with_replies(post: Post) -> list[int]:
    ids = [post.pk]
    if post.is_thread:
        ids += list(Post.objects.filter(thread_id=post.pk).values_list("pk", flat=True))
    return ids


def on_moderation_visibility(item: Any, visible: bool) -> None:
    """The ``on_visibility`` hook of the space ``group_posts`` (registered in
    :mod:`huying.groups.apps`): a moderator hid, restored or published a post, or reports
    sent it back to the queue. Runs inside the moderation move's transaction. The post (a
    thread with its replies, which readers reach only through it) is put into or taken out of
    the figures through :func:`_sync_counts`, which reads the state itself: a post the group
    already removed stays out, and a reply hidden on its own stays out when its thread is
    restored."""
    post = Post.objects.filter(moderation_id=item.pk).first()
    if post is not None:
        _sync_counts(_with_replies(post))


def do_recount(post_ids: Iterable[int] | None = None) -> int:
    """Bring posts (all of them by default) into line with the rule of :func:`_sync_counts`;
    for data written before the rule (``manage.py groups_recount``). Idempotent; returns how
    many posts changed."""
    ids = list(Post.objects.values_list("pk", flat=True)) if post_ids is None else list(post_ids)
    changed = 0
    for start in range(0, len(ids), 500):
        with transaction.atomic():
            changed += _sync_counts(ids[start : start + 500])
    return changed


def do_post_thread(actor: Any, group: DiscussionGroup, *, title: str, body: str, now: datetime | None = None) -> Post:
    """A participant opens a thread while the group is open (screened, rate-limited,
    moderated in space ``group_posts``)."""
    _check_poster(actor, group)
    title = title.strip()
    if not title:
        raise ValidationError({"title": [_("Enter a title.")]})
    if len(title) > 80:
        raise ValidationError({"title": [_("At most %(max)d characters.") % {"max": 80}]})
    body = _clean_body(body)
    with transaction.atomic():
        item = moderation.do_submit(actor, SPACE, title, body)
        now = now or timezone.now()
        post = Post.objects.create(
            group=group, author=actor, title=title, body=body, moderation=item, created_at=now, last_activity_at=now
        )
        _sync_counts([post.pk])  # in the figures at once if published, else when a moderator publishes it
        record(actor, "group.post", post, {"group": group.pk, "title": title})
    return post


def do_reply(actor: Any, thread: Post, *, body: str, now: datetime | None = None) -> Post:
    """A participant replies in a thread while the group is open."""
    if not thread.is_thread:
        raise ValidationError(_("Reply to a thread."), code="not_thread")
    group = thread.group
    _check_poster(actor, group)
    body = _clean_body(body)
    with transaction.atomic():
        item = moderation.do_submit(actor, SPACE, body)
        now = now or timezone.now()
        post = Post.objects.create(group=group, thread=thread, author=actor, body=body, moderation=item, created_at=now)
        Post.objects.filter(pk=thread.pk).update(last_activity_at=now)
        _sync_counts([post.pk])
        record(actor, "group.reply", post, {"thread": thread.pk})
    return post


def do_remove_post(actor: Any, post: Post) -> None:
    """Its author or the group's staff remove a post (a thread with its replies): it
    disappears, the speeches are retracted from the duty record and the counters go down
    (posts a moderator already took out stay out, :func:`_sync_counts`)."""
    if not (
        getattr(actor, "is_authenticated", False)
        and (post.author_id == actor.pk or access.may_manage(actor, post.group))
    ):
        raise PermissionDenied(_("Only the author or the group's staff may remove a post."))
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if locked.removed_at is not None:
            raise ValidationError(_("This post has already been removed."), code="removed")
        posts = [locked]
        if locked.is_thread:
            posts += list(Post.objects.select_for_update().filter(thread=locked, removed_at=None))
        now = timezone.now()
        Post.objects.filter(pk__in=[p.pk for p in posts]).update(removed_at=now, removed_by=actor)
        _sync_counts(p.pk for p in posts)
        record(actor, "group.post_remove", locked, {"posts": len(posts)})


def do_pin(actor: Any, thread: Post, *, pinned: bool = True) -> Post:
    """Staff pin a thread to the top of the group (or unpin it)."""
    check_manager(actor, thread.group)
    if not thread.is_thread:
        raise ValidationError(_("Only threads can be pinned."), code="not_thread")
    with transaction.atomic():
        Post.objects.filter(pk=thread.pk).update(is_pinned=pinned)
        record(actor, "group.pin" if pinned else "group.unpin", thread, {})
    thread.is_pinned = pinned
    return thread


def do_mark_suggestion(actor: Any, post: Post, *, marked: bool = True) -> Post:
    """Staff mark a published post or reply as a suggestion (建言), or take the mark off;
    the author's count follows. Marking twice changes nothing."""
    check_manager(actor, post.group)
    if marked and post.moderation.status != ItemStatus.PUBLISHED:
        raise ValidationError(_("Only published posts can be marked as suggestions."), code="not_published")
    with transaction.atomic():
        # Locked, so that the mark and the post's place in the figures (``counted``, moved by
        # _sync_counts under the same lock) are read and written together.
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if locked.removed_at is None and locked.is_suggestion != marked:
            Post.objects.filter(pk=post.pk).update(
                is_suggestion=marked,
                marked_by=actor if marked else None,
                marked_at=timezone.now() if marked else None,
            )
            if locked.counted:  # a post out of view is out of the figures; its mark counts on its return
                Participant.objects.filter(group_id=post.group_id, user_id=post.author_id).update(
                    suggestion_count=F("suggestion_count") + (1 if marked else -1)
                )
            record(actor, "group.mark" if marked else "group.unmark", post, {})
    post.refresh_from_db()
    return post


# --- into drafts ---------------------------------------------------------------------------
def source_text(post: Post) -> str:
    """The draft's 基本情况: the thread with its published replies, or the marked suggestion."""
    group = post.group
    if post.is_thread:
        parts = [f"【{group.name}】{post.title}\n{post.body}"]
        replies = post.replies.filter(removed_at=None, moderation__status=ItemStatus.PUBLISHED).select_related("author")
        parts += [f"{r.author.real_name}：{r.body}" for r in replies.order_by("created_at", "pk")[:40]]
    else:
        parts = [f"【{group.name}】{post.thread.title if post.thread else ''}", f"{post.author.real_name}：{post.body}"]
    return "\n\n".join(parts)[:3000]


def default_title(post: Post) -> str:
    topic = post.title if post.is_thread else (post.thread.title if post.thread else post.body[:20])
    topic = topic.removeprefix("关于").removesuffix("的建议").removesuffix("的思考")
    return f"关于{topic[:40]}的建议"


def do_convert(actor: Any, post: Post, *, target: str, title: str = "", session: Any = None) -> Any:
    """A member participant of the group turns a thread or a marked suggestion into a new
    proposal draft (``target`` *proposal*, in ``session``) or opinion-report draft
    (*report*, to the group's CPPCC) of their own, through the proposals' or opinions' draft
    action; the link is kept both ways. Returns the proposal or the report."""
    group = post.group
    if not may_convert(actor, group):
        raise PermissionDenied(_("Only the group's member participants may turn posts into their own drafts."))
    if post.removed_at is not None or post.moderation.status != ItemStatus.PUBLISHED:
        raise ValidationError(_("Only published posts can be turned into drafts."), code="not_published")
    if not (post.is_thread or post.is_suggestion):
        raise ValidationError(
            _("Only a thread or a post marked as a suggestion can be turned into a draft."), code="not_source"
        )
    if target not in DraftTarget.values:
        raise ValidationError({"target": [_("Choose a proposal draft or an opinion-report draft.")]})
    title = (title or "").strip() or default_title(post)
    text = source_text(post)
    with transaction.atomic():
        if target == DraftTarget.PROPOSAL:
            from huying.proposals.actions.drafts import do_save_draft

            result = do_save_draft(actor, session=session, title=title, situation=text)
            draft: Any = result.proposal
            PostProposalLink.objects.create(post=post, proposal=draft, created_by=actor)
            counter = "proposal_count"
        else:
            from huying.opinions.actions import do_create_draft

            draft = do_create_draft(actor, cppcc=group.cppcc, title=title, situation=text)
            PostReportLink.objects.create(post=post, report=draft, created_by=actor)
            counter = "report_count"
        Participant.objects.filter(group=group, user=actor).update(**{counter: F(counter) + 1})
        record(actor, "group.convert", post, {"target": target, "draft": draft.pk})
    return draft


def outcomes(posts: Iterable[Post]) -> dict[int, list[dict[str, Any]]]:
    """What came out of each post, read live: per post id, the proposal (with its filing
    number once filed) and opinion-report drafts made from it. Two queries."""
    ids = [p.pk for p in posts]
    found: dict[int, list[dict[str, Any]]] = {}
    for link in PostProposalLink.objects.filter(post_id__in=ids).select_related("proposal__session", "created_by"):
        proposal = link.proposal
        found.setdefault(link.post_id, []).append(
            {
                "target": DraftTarget.PROPOSAL,
                "id": proposal.pk,
                "title": proposal.title,
                "number": proposal.formatted_number if proposal.filing_number else "",
                "status": proposal.get_status_display(),
                "by": link.created_by.real_name,
                "url": proposal.get_absolute_url(),
            }
        )
    for rlink in PostReportLink.objects.filter(post_id__in=ids).select_related("report", "created_by"):
        report = rlink.report
        found.setdefault(rlink.post_id, []).append(
            {
                "target": DraftTarget.REPORT,
                "id": report.pk,
                "title": report.title,
                "number": "",
                "status": report.get_status_display(),
                "by": rlink.created_by.real_name,
                "url": report.get_absolute_url(),
            }
        )
    return found


# --- statistics -----------------------------------------------------------------------------
def statistics(group: DiscussionGroup) -> dict[str, int]:
    """The group's participation figures, one aggregate over its participants' kept
    counters: members who spoke, their speeches (threads and replies), suggestions marked,
    proposal and opinion-report drafts that came out of it."""
    members = Q(role=ParticipantRole.MEMBER)
    figures = Participant.objects.filter(group=group).aggregate(
        members=Count("pk", filter=members & Q(is_active=True)),
        members_spoke=Count("pk", filter=members & Q(speech_count__gt=0)),
        speeches=Sum("speech_count", filter=members),
        all_speeches=Sum("speech_count"),
        suggestions=Sum("suggestion_count"),
        proposals=Sum("proposal_count"),
        reports=Sum("report_count"),
    )
    return {k: int(v or 0) for k, v in figures.items()}


def member_statistics(group: DiscussionGroup) -> list[Participant]:
    """Each participant's figures, most active first."""
    return list(
        Participant.objects.filter(group=group)
        .select_related("user")
        .order_by("-speech_count", "-suggestion_count", "pk")
    )
