from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "huying.organisations"
    label = "organisations"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from huying.core.navigation import Entry, register

        register(
            Entry(
                area="console",
                key="organisations",
                title=_("Organisations"),
                description=_("The directory of committees, departments, streets and communities."),
                url_name="organisations:index",
                roles=None,
            )
        )
