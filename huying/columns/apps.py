from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ColumnsConfig(AppConfig):
    name = "huying.columns"
    label = "columns"
    verbose_name = _("Columns")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from huying.accounts.choices import Role
        from huying.audit.labels import register_action_labels
        from huying.columns.builtin_sources import register_builtin_sources
        from huying.core.navigation import Entry, register

        register_builtin_sources()
        for area, roles in (
            ("consult", frozenset({Role.MEMBER, Role.AGENCY_STAFF, Role.LEADER, Role.ADMIN})),
            ("public", None),
        ):
            register(
                Entry(
                    area=area,
                    key="columns",
                    title=_("Flagship topics and columns"),
                    description=_(
                        "Each special committee's flagship topic and topic columns such as the Greater Bay Area."
                    ),
                    url_name="columns:index",
                    roles=roles,
                )
            )
        register(
            Entry(
                area="console",
                key="columns",
                title=_("Columns"),
                description=_("Create flagship topics and topic columns, tag items to them, write column articles."),
                url_name="columns:console",
                roles=frozenset({Role.AGENCY_STAFF, Role.ADMIN}),
            )
        )
        register_action_labels(
            {
                "column.create": _("Created a column"),
                "column.update": _("Changed a column"),
                "column.publish": _("Published a column"),
                "column.archive": _("Archived a column"),
                "column.republish": _("Published an archived column again"),
                "column.tag": _("Tagged items to a column"),
                "column.untag": _("Removed an item from a column"),
                "column.article_save": _("Wrote a column article"),
                "column.article_delete": _("Deleted a column article"),
            }
        )
