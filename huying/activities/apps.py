from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "huying.activities"
    label = "activities"
    verbose_name = _("Duty activities")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from huying.accounts.choices import Role
        from huying.activities import duty, notifications
        from huying.activities.access import is_organising_staff
        from huying.activities.choices import EventKind
        from huying.audit.labels import register_action_labels
        from huying.core.navigation import Entry, register
        from huying.handling.policy import Policy
        from huying.handling.policy import register as register_policy

        register(
            Entry(
                area="duty",
                key="activities",
                title=_("Duty activities"),
                description=_("Inspections, research, consultations and meetings: sign up, ask for leave, check in."),
                url_name="activities:mine",
                roles=frozenset({Role.MEMBER}),
            )
        )
        register(
            Entry(
                area="console",
                key="activities",
                title=_("Activity management"),
                description=_("Publish activities, follow sign-ups and leave, take attendance, write the report."),
                url_name="activities:manage",
                roles=frozenset({Role.AGENCY_STAFF}),
                visible=is_organising_staff,
            )
        )
        duty.register()
        from huying.duty.acts import register_backfill

        register_backfill("activities", duty.backfill)
        # Notices about an activity (invitations, leave decisions, reminders) link to it from
        # the notification centre; activities have no assignments (no generic steps).
        register_policy(
            Policy(
                workflow="activity",
                label=_("Duty activity"),
                case_model="activities.activity",
                case_url=notifications.case_url,
                generic_steps=frozenset(),
            )
        )
        labels = {
            "activity.create": _("Created an activity"),
            "activity.update": _("Changed an activity"),
            "activity.report": _("Changed an activity's report"),
            "activity.photos": _("Added photos to an activity's report"),
            "activity.token": _("Renewed an activity's check-in code"),
            "activity.export": _("Exported an activity's roster"),
            "activity.published": _("Published an activity"),
            "activity.cancelled": _("Cancelled an activity"),
            "activity.finished": _("Finished an activity and recorded attendance"),
            "participation.signed_up": _("Signed up for an activity"),
            "participation.declined": _("Declined an activity"),
            "participation.leave_requested": _("Asked for leave from an activity"),
            "participation.leave_approved": _("Approved leave from an activity"),
            "participation.leave_refused": _("Refused leave from an activity"),
            "participation.checked_in": _("Checked in at an activity"),
            "participation.unmarked": _("Took back an attendance mark"),
            "participation.corrected": _("Corrected an attendance"),
        }
        for kind, label in EventKind.choices:  # any other step: its history label
            labels.setdefault(f"activity.{kind}", label)
            labels.setdefault(f"participation.{kind}", label)
        register_action_labels(labels)
