from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkordersConfig(AppConfig):
    name = "huying.workorders"
    label = "workorders"
    verbose_name = _("Work orders")

    def ready(self) -> None:
        from huying.handling.policy import Policy, register

        register(Policy(workflow="workorder", label=_("Work order")))
