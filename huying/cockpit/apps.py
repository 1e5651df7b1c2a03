from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CockpitConfig(AppConfig):
    name = "huying.cockpit"
    label = "cockpit"
    verbose_name = _("Leaders' cockpit")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from huying.accounts.choices import Role
        from huying.cockpit.access import may_open
        from huying.core.navigation import Entry, Panel, register, register_panel

        # On the leaders' dashboard: a banner above the figures (order 0) and a card among
        # the detailed pages. Command-centre dispatchers find the wall screen in the console.
        register_panel(
            Panel(
                area="dashboard",
                key="cockpit",
                template="cockpit/dashboard_panel.html",
                context=lambda user: {"screen": True} if may_open(user) else None,
                roles=frozenset({Role.LEADER, Role.ADMIN}),
                order=0,
                stylesheets=("cockpit/cockpit-link.css",),
            )
        )
        description = _("Work orders and proposals on one screen, refreshed by itself; a full-screen wall display.")
        register(
            Entry(
                area="dashboard",
                key="cockpit",
                title=_("Leaders' cockpit"),
                description=description,
                url_name="cockpit:page",
                roles=frozenset({Role.LEADER, Role.ADMIN}),
            )
        )
        register(
            Entry(
                area="console",
                key="cockpit_screen",
                title=_("Wall screen"),
                description=_("The command centre's figures full screen for the wall display, refreshed by itself."),
                url_name="cockpit:screen",
                roles=frozenset({Role.DISPATCHER}),
                visible=may_open,
            )
        )
