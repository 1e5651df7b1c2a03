from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "huying.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from huying.core.navigation import Entry, register
        from huying.core.roles import Role

        register(
            Entry(
                area="console",
                key="audit",
                title=_("Audit log"),
                url_name="audit:index",
                description=_("Who changed what, when and from where; filters and exports."),
                roles=frozenset({Role.ADMIN}),
            )
        )
