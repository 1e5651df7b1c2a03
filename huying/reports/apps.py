from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "huying.reports"
    label = "reports"
    verbose_name = _("Monthly analysis reports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from huying.accounts.choices import Role
        from huying.audit.labels import register_action_labels
        from huying.core.navigation import Entry, register
        from huying.handling.policy import Policy
        from huying.handling.policy import register as register_policy
        from huying.reports import access

        for area in ("console", "dashboard"):
            register(
                Entry(
                    area=area,
                    key="monthly_reports",
                    title=_("Monthly analysis reports"),
                    description=_(
                        "The monthly analysis reports: key figures, PDF and Excel; generate one for any period."
                    ),
                    url_name="reports:archive",
                    roles=frozenset({Role.DISPATCHER, Role.LEADER, Role.AGENCY_STAFF, Role.ADMIN}),
                    visible=access.may_read_reports,
                )
            )
        # Registered only so that the notices of a new report link to its page.
        register_policy(
            Policy(
                workflow="reports",
                label=_("Monthly analysis report"),
                case_model="reports.monthlyreport",
                case_url=access.case_url,
                has_assignments=False,
            )
        )
        register_action_labels({"report.generate": _("Generated a monthly analysis report")})
