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

        from huying.accounts.choices import Role
        from huying.core.navigation import Entry
        from huying.core.navigation import register as register_entry

        # One inbox (待办) for the units' staff, whatever the workflow (handling/inbox.html).
        register_entry(
            Entry(
                area="console",
                key="inbox",
                title=_("Inbox"),
                description=_(
                    "Work orders and proposals assigned to your unit: accept, return or object, ask for more time, "
                    "report progress; their own steps on each case's page."
                ),
                url_name="handling:inbox",
                roles=frozenset({Role.UNIT_STAFF, Role.STREET_HANDLER}),
            )
        )

        from huying.audit.labels import register_action_labels

        # How the notification centre's read markers read in the audit log.
        register_action_labels(
            {
                "notification.read": _("Read a notification"),
                "notification.read_all": _("Marked all notifications read"),
            }
        )
