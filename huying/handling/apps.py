from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandlingConfig(AppConfig):
    name = "huying.handling"
    label = "handling"
    verbose_name = _("Handling engine")

    def ready(self) -> None:
        import huying.handling.signals  # noqa: F401  (connects the calendar cache invalidation)
        from huying.core.seeding import connect_seed
        from huying.handling import calendar

        connect_seed(self, "0002_seed_calendar_and_limits", ("CalendarDay", "TimeLimitRule"), after=calendar.invalidate)
