from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "huying.consultations"
    label = "consultations"
    verbose_name = _("Remote consultation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from huying.accounts.choices import Role
        from huying.audit.labels import register_action_labels
        from huying.consultations import transitions
        from huying.consultations.choices import ConsultationStatus, EventKind, OutcomeEventKind, OutcomeStatus
        from huying.core.navigation import Entry, register
        from huying.duty.acts import ActKind, register_kind
        from huying.handling.history import register_kinds
        from huying.handling.policy import GENERIC_STEPS, Policy
        from huying.handling.policy import register as register_policy

        register(
            Entry(
                area="consult",
                key="consultations",
                title=_("Remote consultation"),
                description=_("Consultations with government departments: agenda, speeches and live updates."),
                url_name="consultations:list",
                roles=frozenset({Role.MEMBER, Role.AGENCY_STAFF, Role.LEADER, Role.ADMIN}),
            )
        )
        register(
            Entry(
                area="console",
                key="consultations",
                title=_("Consultations"),
                description=_("Prepare and run remote consultations; minutes and outcomes sent to departments."),
                url_name="consultations:console",
                roles=frozenset({Role.AGENCY_STAFF, Role.ADMIN}),
            )
        )
        register(
            Entry(
                area="public",
                key="consultations",
                title=_("Live consultations"),
                description=_("Watch the consultations open to the public."),
                url_name="consultations:list",
                roles=frozenset({Role.PUBLIC}),
            )
        )
        # Registered by the duty app too; registering again just replaces it.
        register_kind(ActKind("consultation.speech", _("Speech in a consultation"), group="consultation"))
        register_kinds("consultations.consultation", EventKind.choices, statuses=ConsultationStatus.choices)
        register_kinds("consultations.outcome", OutcomeEventKind.choices, statuses=OutcomeStatus.choices)
        register_policy(
            Policy(
                workflow=transitions.WORKFLOW,
                label=_("Consultation outcome"),
                case_model="consultations.outcome",
                on_move=transitions.on_assignment_move,
                cards=transitions.cards,
                describe=transitions.describe,
                describe_cases=transitions.describe_cases,
                case_url=transitions.case_url,
                check_unit=transitions.check_unit,
                supervisor_unit=transitions.supervisor_unit,
                assignment_page="consultations:answer",
                # Reassigning, not withdrawing: the organising staff name another department.
                generic_steps=GENERIC_STEPS - {"escalate"},
                accept_on_work=True,
            )
        )
        register_action_labels(
            {
                "consultation.create": _("Created a consultation"),
                "consultation.update": _("Changed a consultation"),
                "consultation.publish": _("Published a consultation"),
                "consultation.open": _("Opened a live consultation"),
                "consultation.close": _("Closed a consultation"),
                "consultation.conclude": _("Concluded a consultation"),
                "consultation.participant_add": _("Added a consultation participant"),
                "consultation.participant_remove": _("Removed a consultation participant"),
                "consultation.speech_booked": _("Booked a speech"),
                "consultation.speech_requested": _("Asked to speak"),
                "consultation.speech_order": _("Reordered the speakers"),
                "consultation.speech_give": _("Marked a speech given"),
                "consultation.speech_skip": _("Skipped a speech"),
                "consultation.speech_withdraw": _("Withdrew a speech"),
                "consultation.update_post": _("Posted a live update"),
                "consultation.minutes": _("Wrote consultation minutes"),
                "consultation.outcome_save": _("Wrote a consultation outcome"),
                "consultation.outcome_sent": _("Sent a consultation outcome"),
                "consultation.outcome_answered": _("A consultation outcome was answered"),
                "consultation.outcome_reopened": _("A consultation outcome was reopened"),
            }
        )
