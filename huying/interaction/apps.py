from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteractionConfig(AppConfig):
    name = "huying.interaction"
    label = "interaction"
    verbose_name = _("Interaction")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.urls import reverse

        from huying.accounts.choices import Role
        from huying.audit.labels import register_action_labels
        from huying.core.navigation import Entry, register
        from huying.core.origins import register_origin
        from huying.interaction import origins
        from huying.moderation.access import MODERATOR_ROLES
        from huying.moderation.spaces import register_space

        def suggestion_url(item: object) -> str:
            suggestion = getattr(item, "suggestion", None)
            return reverse("interaction:suggestion", args=[suggestion.pk]) if suggestion else ""

        def argument_url(item: object) -> str:
            argument = getattr(item, "argument", None)
            return reverse("interaction:debate", args=[argument.debate_id]) if argument else ""

        register_origin("proposals.proposal", origins.proposal_origins)
        register_origin("opinions.opinionreport", origins.report_origins)
        register_space("suggestions", _("Public suggestions"), premoderated_default=True, url=suggestion_url)
        register_space(
            "debate_arguments", _("Debate arguments"), premoderated_default=False, rate_limit=20, url=argument_url
        )
        for area, roles in (
            ("interact", frozenset({Role.MEMBER, Role.AGENCY_STAFF, Role.LEADER, Role.ADMIN})),
            ("public", None),
        ):
            register(
                Entry(
                    area=area,
                    key="suggestions",
                    title=_("Public suggestions"),
                    description=_("Ideas from the public; members follow them and adopt them into proposals."),
                    url_name="interaction:suggestions",
                    roles=roles,
                )
            )
            register(
                Entry(
                    area=area,
                    key="debates",
                    title=_("Opinion debate"),
                    description=_("A question, two sides: vote, argue and see the tally."),
                    url_name="interaction:debates",
                    roles=roles,
                )
            )
        register(
            Entry(
                area="console",
                key="debate_management",
                title=_("Opinion debates"),
                description=_("Draft, open and close debates; export their results."),
                url_name="interaction:manage_debates",
                roles=MODERATOR_ROLES,
            )
        )
        register_action_labels(
            {
                "suggestion.submit": _("Submitted a public suggestion"),
                "suggestion.adopt": _("Adopted a public suggestion into a proposal"),
                "suggestion.adopt_report": _("Adopted a public suggestion into an opinion report"),
                "debate.create": _("Created an opinion debate"),
                "debate.open": _("Opened an opinion debate"),
                "debate.close": _("Closed an opinion debate"),
                "debate.argue": _("Posted a debate argument"),
                "debate.export": _("Exported debate results"),
            }
        )
