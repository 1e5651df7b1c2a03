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

        from huying.accounts.choices import Role
        from huying.core.navigation import Entry
        from huying.core.navigation import register as register_entry

        register_entry(
            Entry(
                area="console",
                key="workorders_dispatch",
                title=_("Work-order dispatch"),
                description=_(
                    "Take hotline calls, dispatch new and returned orders with suggested categories and units."
                ),
                url_name="workorders:console",
                roles=frozenset({Role.DISPATCHER, Role.ADMIN}),
            )
        )
        register_entry(
            Entry(
                area="console",
                key="workorders_inbox",
                title=_("Work-order inbox"),
                description=_("Accept, return, report progress on, resolve or call up the orders of your unit."),
                url_name="workorders:inbox",
                roles=frozenset({Role.UNIT_STAFF, Role.STREET_HANDLER}),
            )
        )
        # The command centre's figures (views_dashboard.py, stats.py).
        figures = frozenset({Role.DISPATCHER, Role.ADMIN})
        register_entry(
            Entry(
                area="console",
                key="workorders_dashboard",
                title=_("Command centre dashboard"),
                description=_("Today's and this month's orders, overdue orders, the three rates, the map by street."),
                url_name="workorders:dashboard",
                roles=figures,
            )
        )
        register_entry(
            Entry(
                area="console",
                key="workorders_stats",
                title=_("Work-order statistics"),
                description=_("Rates and counts by unit, street, category and period; the red and black list; Excel."),
                url_name="workorders:stats",
                roles=frozenset({Role.DISPATCHER, Role.UNIT_STAFF, Role.STREET_HANDLER, Role.ADMIN}),
            )
        )
        register_entry(
            Entry(
                area="dashboard",
                key="workorders_dashboard",
                title=_("Command centre dashboard"),
                description=_("Today's and this month's orders, overdue orders, the three rates, the map by street."),
                url_name="workorders:dashboard",
                roles=frozenset({Role.LEADER, Role.ADMIN}),
            )
        )
        register_entry(
            Entry(
                area="dashboard",
                key="workorders_stats",
                title=_("Work-order statistics"),
                description=_("Rates and counts by unit, street, category and period; the red and black list; Excel."),
                url_name="workorders:stats",
                roles=frozenset({Role.LEADER, Role.ADMIN}),
            )
        )

        from huying.audit.labels import register_action_labels

        register_action_labels({"workorder.export": _("Exported work orders or statistics")})
