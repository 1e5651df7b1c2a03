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
        register_source("workorder", _("Work orders"), platform_sources.work_orders)
        register_source("proposal", _("Proposals"), platform_sources.proposals)

        from huying.accounts.choices import Role
        from huying.core.navigation import Entry, register
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
                area="dashboard",
                key="insight_topics",
                title=_("Hot topics"),
                description=description,
                url_name="insight:topics",
                roles=frozenset({Role.LEADER, Role.ADMIN}),
                visible=leads_handling_units,
            )
        )
