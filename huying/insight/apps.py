from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightConfig(AppConfig):
    name = "huying.insight"
    label = "insight"
    verbose_name = _("Decision support")
    default_auto_field = "django.db.models.BigAutoField"
