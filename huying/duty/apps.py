from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutyConfig(AppConfig):
    name = "huying.duty"
    label = "duty"
    verbose_name = _("Duty record")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from huying.accounts.choices import Role
        from huying.audit.labels import register_action_labels
        from huying.core.navigation import Entry, register
        from huying.duty.access import manages_members, may_edit_rules
        from huying.duty.acts import ActKind, register_kind

        # For the consultation module to come (speeches in consultations, 协商发言).
        register_kind(ActKind("consultation.speech", _("Speech in a consultation"), group="consultation"))
        register_action_labels(
            {
                "duty_rule.create": _("Added a points rule"),
                "duty_rule.update": _("Changed a points rule"),
                "duty_rule.delete": _("Deleted a points rule"),
            }
        )
        register(
            Entry(
                area="duty",
                key="duty_record",
                title=_("My duty record"),
                description=_("Your acts as a member, your points and your yearly duty report."),
                url_name="duty:mine",
                roles=frozenset({Role.MEMBER}),
            )
        )
        # Staff reach the rankings from the work console, leaders from their dashboard.
        for area in ("console", "dashboard"):
            register(
                Entry(
                    area=area,
                    key="duty_rankings",
                    title=_("Duty rankings"),
                    description=_("Members' points by CPPCC, special committee and sector; members below a threshold."),
                    url_name="duty:rankings",
                    roles=frozenset({Role.AGENCY_STAFF, Role.LEADER, Role.ADMIN}),
                    visible=manages_members,
                )
            )
        register(
            Entry(
                area="console",
                key="duty_rules",
                title=_("Points rules"),
                description=_("What each act counts in the members' duty points, and from when."),
                url_name="duty:rules",
                roles=frozenset({Role.AGENCY_STAFF, Role.ADMIN}),
                visible=may_edit_rules,
            )
        )
