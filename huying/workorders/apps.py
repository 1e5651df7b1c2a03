from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkordersConfig(AppConfig):
    name = "huying.workorders"
    label = "workorders"
    verbose_name = _("Work orders")

    def ready(self) -> None:
        from huying.core.seeding import connect_seed
        from huying.handling.policy import GENERIC_STEPS, Policy, register

        connect_seed(self, "0002_seed_categories", ("Category",))

        from huying.handling.history import register_kinds
        from huying.workorders.choices import OrderEventKind, OrderStatus
        from huying.workorders.history import event_note
        from huying.workorders.links import cards, case_url, describe_case, describe_cases, target_unit
        from huying.workorders.summary import track_cases
        from huying.workorders.transitions import on_assignment_move

        register_kinds("workorders.workorder", OrderEventKind.choices, statuses=OrderStatus.choices, note=event_note)

        register(
            Policy(
                workflow="workorder",
                label=_("Work order"),
                case_model="workorders.workorder",
                case_url=case_url,
                describe=describe_case,
                describe_cases=describe_cases,
                on_move=on_assignment_move,
                track_cases=track_cases,
                cards=cards,
                assignment_page="workorders:inbox_detail",
                # Units return an order instead of objecting; resolving needs evidence
                # photos, through the work orders' own endpoint.
                generic_steps=GENERIC_STEPS - {"object", "overrule"},
                target_unit=target_unit,
            )
        )

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
        # Intake pages outside the console and the public tracking page (views/public.py).
        register_entry(
            Entry(
                area="public",
                key="workorders_report",
                title=_("Report a problem"),
                description=_(
                    "Describe a problem where you live, mark it on the map and add photos. No account needed."
                ),
                url_name="workorders:report",
            )
        )
        register_entry(
            Entry(
                area="public",
                key="workorders_mine",
                title=_("My reports"),
                description=_("The problems you reported while logged in, with their progress."),
                url_name="workorders:my_reports",
                roles=frozenset({Role.PUBLIC}),
            )
        )
        register_entry(
            Entry(
                area="public",
                key="workorders_track",
                title=_("Track my report"),
                description=_(
                    "Follow the handling of your report with its number and your phone, and rate the answer."
                ),
                url_name="workorders:track",
            )
        )
        register_entry(
            Entry(
                area="console",
                key="workorders_grid",
                title=_("Grid report"),
                description=_("Report a problem found on your rounds, with photos and a map point."),
                url_name="workorders:grid_report",
                roles=frozenset({Role.STREET_HANDLER, Role.UNIT_STAFF, Role.DISPATCHER, Role.ADMIN}),
            )
        )
        register_entry(
            Entry(
                area="duty",
                key="workorders_referral",
                title=_("Refer a problem"),
                description=_("Pass a problem people raised with you to the district command centre as a work order."),
                url_name="workorders:member_referral",
                roles=frozenset({Role.MEMBER, Role.ADMIN}),
            )
        )
        # The command centre's figures (views/dashboard.py, stats.py).
        register_entry(
            Entry(
                area="console",
                key="workorders_dashboard",
                title=_("Command centre dashboard"),
                description=_("Today's and this month's orders, overdue orders, the three rates, the map by street."),
                url_name="workorders:dashboard",
                roles=frozenset({Role.DISPATCHER, Role.ADMIN}),
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
        # The leaders' dashboard: its figures (overview.py) and the detailed pages, for
        # the leaders of the side that handles work orders (not a CPPCC's leaders).
        from huying.core.navigation import Panel, register_panel
        from huying.workorders.overview import leader_overview, leads_handling_units

        register_panel(
            Panel(
                area="dashboard",
                key="workorders",
                template="workorders/overview/leader_panel.html",
                context=leader_overview,
                roles=frozenset({Role.LEADER, Role.ADMIN}),
                order=10,
                stylesheets=("css/dashboard.css", "css/leader.css"),
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
                visible=leads_handling_units,
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
                visible=leads_handling_units,
            )
        )

        from huying.audit.labels import register_action_labels

        register_action_labels({"workorder.export": _("Exported work orders or statistics")})

        # Intake's per-process cache of categories and places (huying/workorders/reference.py).
        from django.db.models.signals import post_delete, post_save

        from huying.organisations.models import Organisation
        from huying.workorders import reference
        from huying.workorders.models import Category

        for model in (Category, Organisation):
            post_save.connect(reference.clear, sender=model, dispatch_uid=f"workorders-reference-{model.__name__}")
            post_delete.connect(
                reference.clear, sender=model, dispatch_uid=f"workorders-reference-del-{model.__name__}"
            )
