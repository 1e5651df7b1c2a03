from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "huying.groups"
    label = "groups"
    verbose_name = _("Discussion groups")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from huying.accounts.choices import Role
        from huying.audit.labels import register_action_labels
        from huying.core.navigation import Entry, register
        from huying.duty.acts import ActKind, register_kind
        from huying.groups.access import may_create
        from huying.groups.actions import on_moderation_visibility
        from huying.moderation.spaces import register_space

        def post_url(item: object) -> str:
            post = getattr(item, "group_post", None)
            return post.get_absolute_url() if post else ""

        # Internal groups: published at once (post-moderation); the word screen, reports and
        # the moderators' queue still apply. 30 posts an hour per person.
        # A moderator's hide, restore or publish (and reports sending a post back to the queue)
        # take the post out of, or put it back into, the counters and the duty record.
        register_space(
            "group_posts", _("Discussion-group posts"), premoderated_default=False, rate_limit=30, url=post_url,
            on_visibility=on_moderation_visibility,
        )  # fmt: skip
        register_kind(ActKind("group.speech", _("Speech in a discussion group"), group="consultation"))
        self._register_links()
        register(
            Entry(
                area="consult",  # 协商: remote consultation, discussion groups, 一委一品 (PRODUCT.md §3)
                key="groups",
                title=_("Discussion groups"),
                description=_("Themed groups of your CPPCC: discuss, mark suggestions, turn them into proposals."),
                url_name="groups:list",
                roles=frozenset({Role.MEMBER, Role.AGENCY_STAFF, Role.LEADER, Role.ADMIN}),
            )
        )
        register(
            Entry(
                area="console",
                key="group_management",
                title=_("Discussion groups"),
                description=_("Open groups, add members and staff, archive; participation statistics."),
                url_name="groups:manage",
                roles=frozenset({Role.AGENCY_STAFF, Role.ADMIN}),
                visible=may_create,
            )
        )
        register_action_labels(
            {
                "group.create": _("Opened a discussion group"),
                "group.update": _("Changed a discussion group"),
                "group.archive": _("Archived a discussion group"),
                "group.reopen": _("Reopened a discussion group"),
                "group.participant_add": _("Added a person to a discussion group"),
                "group.participant_remove": _("Removed a person from a discussion group"),
                "group.post": _("Started a thread in a discussion group"),
                "group.reply": _("Replied in a discussion group"),
                "group.post_remove": _("Removed a discussion-group post"),
                "group.pin": _("Pinned a thread"),
                "group.unpin": _("Unpinned a thread"),
                "group.mark": _("Marked a post as a suggestion"),
                "group.unmark": _("Took the suggestion mark off a post"),
                "group.convert": _("Turned a group post into a draft"),
            }
        )

    @staticmethod
    def _register_links() -> None:
        """Where a draft came from (proposal and report pages) and the groups' place in topic
        columns (一委一品, 专题专栏): tagged groups show to those who may read them."""
        from django.urls import reverse

        from huying.columns.sources import register_source
        from huying.core.origins import register_origin
        from huying.groups import origins, topics
        from huying.groups.models import DiscussionGroup
        from huying.insight.sources import register_source as register_text_source

        # Published posts are texts of the public side's hot topics (docs/insight.md).
        register_text_source(
            "grouppost",
            _("Discussion-group posts"),
            topics.messages,
            side="public",
            stream=topics.stream,
            eligible=topics.eligible,
            links=topics.links,
        )
        register_origin("proposals.proposal", origins.proposal_origins)
        register_origin("opinions.opinionreport", origins.report_origins)
        register_source(
            "groups",
            DiscussionGroup,
            _("Discussion groups"),
            visible_to=lambda user: DiscussionGroup.objects.visible_to(user),
            title_of=lambda g: g.name,
            url_of=lambda g: reverse("groups:group", args=[g.pk]),
            date_of=lambda g: g.created_at,
            ordering=("-created_at", "-pk"),
            search_fields=("name",),
            order=60,
        )
