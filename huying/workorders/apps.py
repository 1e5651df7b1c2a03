from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkordersConfig(AppConfig):
    name = "huying.workorders"
    label = "workorders"
    verbose_name = _("Work orders")

    def ready(self) -> None:
        from huying.core.seeding import connect_seed
        from huying.handling.policy import Policy, register

        connect_seed(self, "0002_seed_categories", ("Category",))

        register(Policy(workflow="workorder", label=_("Work order")))
