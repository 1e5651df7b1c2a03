from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightConfig(AppConfig):
    name = "huying.insight"
    label = "insight"
    verbose_name = _("Decision support")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from huying.insight import platform_sources
        from huying.insight.sources import register_source

        # The texts hot topics are found in. New kinds (opinion reports, discussion posts,
        # reception-room questions) register theirs the same way from their own ready().
        register_source(
            "workorder", _("Work orders"), platform_sources.work_orders, stream=platform_sources.work_order_stream
        )
        register_source(
            "proposal",
            _("Proposals"),
            platform_sources.proposals,
            side="public",
            stream=platform_sources.proposal_stream,
        )
        register_source(
            "suggestion",
            _("Public suggestions"),
            platform_sources.suggestions,
            side="public",
            stream=platform_sources.suggestion_stream,
            eligible=platform_sources.suggestions_eligible,
        )
        register_source(
            "report",
            _("Opinion reports"),
            platform_sources.opinion_reports,
            side="public",
            stream=platform_sources.report_stream,
        )

        # Emerging-topic notices link to the topic from the notification centre.
        from huying.handling.policy import Policy
        from huying.handling.policy import register as register_policy

        def topic_url(user: object, notification: object) -> str:
            from django.urls import reverse

            return reverse("insight:topic", args=[notification.case_id])  # type: ignore[attr-defined]

        register_policy(
            Policy(
                workflow="insight_topic",
                label=_("Hot topic"),
                case_model="insight.topic",
                case_url=topic_url,
                generic_steps=frozenset(),
                has_assignments=False,
            )
        )

        from huying.accounts.choices import Role
        from huying.core.navigation import Entry, register
        from huying.insight.access import reads_public_topics
        from huying.workorders.overview import leads_handling_units

        description = _("The issues many people raise at once, by place or group, hottest first.")
        register(
            Entry(
                area="console",
                key="insight_topics",
                title=_("Hot topics"),
                description=description,
                url_name="insight:topics",
                roles=frozenset({Role.DISPATCHER, Role.ADMIN}),
            )
        )
        register(
            Entry(
                area="thinktank",
                key="insight_topics",
                title=_("Hot topics"),
                description=_("What many people raise in suggestions, proposals and reports, hottest first."),
                url_name="insight:topics",
                roles=frozenset({Role.MEMBER, Role.AGENCY_STAFF, Role.LEADER, Role.ADMIN}),
                visible=reads_public_topics,
            )
        )
        register(
            Entry(
                area="dashboard",
                key="insight_topics",
                title=_("Hot topics"),
                description=description,
                url_name="insight:topics",
                roles=frozenset({Role.LEADER, Role.ADMIN}),
                visible=leads_handling_units,
            )
        )
