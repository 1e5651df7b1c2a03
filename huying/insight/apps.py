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
