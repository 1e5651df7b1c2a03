from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "huying.moderation"
    label = "moderation"
    verbose_name = _("Moderation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from huying.audit.labels import register_action_labels
        from huying.core.navigation import Entry, register
        from huying.handling.policy import Policy
        from huying.handling.policy import register as register_policy
        from huying.moderation import notices
        from huying.moderation.access import MODERATOR_ROLES

        # Only so that the notices of moderation decisions link to the item (no assignments).
        register_policy(
            Policy(
                workflow="moderation",
                label=_("Public content"),
                case_model="moderation.moderationitem",
                case_url=notices.case_url,
                generic_steps=frozenset(),
                has_assignments=False,
            )
        )

        register(
            Entry(
                area="console",
                key="moderation_queue",
                title=_("Moderation queue"),
                description=_("Decide what the public posted: publish, hide or restore, with reasons."),
                url_name="moderation:queue",
                roles=MODERATOR_ROLES,
            )
        )
        register_action_labels(
            {
                "moderation.submit": _("Submitted content for moderation"),
                "moderation.publish": _("Published public content"),
                "moderation.hide": _("Hid public content"),
                "moderation.restore": _("Restored public content"),
                "moderation.requeue": _("Sent reported content back to the queue"),
                "moderation.report": _("Reported public content"),
                "moderation.space_setting": _("Changed a moderation setting"),
                "moderation.word_add": _("Added a sensitive word"),
                "moderation.word_remove": _("Removed a sensitive word"),
                "account.real_name_verify": _("Verified a real name"),
            }
        )
