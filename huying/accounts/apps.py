from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "huying.accounts"
    label = "accounts"
    verbose_name = _("People and roles")

    def ready(self) -> None:
        from huying.accounts import token_cache
        from huying.accounts.choices import Role

        token_cache.connect()
        from huying.core.navigation import Entry, register, unregister

        unregister("console", "people")
        register(
            Entry(
                area="console",
                key="people",
                title=_("People and roles"),
                url_name="accounts:people",
                description=_("Accounts, roles in organisations, deactivation."),
                roles=frozenset({Role.ADMIN}),
            )
        )
