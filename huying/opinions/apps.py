from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpinionsConfig(AppConfig):
    name = "huying.opinions"
    label = "opinions"
    verbose_name = _("Opinion reports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from huying.accounts.choices import Role
        from huying.core.navigation import Entry, register

        register(
            Entry(
                area="duty",
                key="opinions",
                title=_("Public-opinion reports"),
                description=_("Write reports on what people think and need; follow their adoption."),
                url_name="opinions:mine",
                roles=frozenset({Role.MEMBER}),
            )
        )
        register(
            Entry(
                area="console",
                key="opinion_desk",
                title=_("Public-opinion information desk"),
                description=_("Receive, edit, merge and adopt reports; compile and send the periodical."),
                url_name="opinions:queue",
                roles=frozenset({Role.AGENCY_STAFF}),
                visible=_is_info_staff,
            )
        )
        register(
            Entry(
                area="console",
                key="opinion_collective",
                title=_("Collective public-opinion reports"),
                description=_("Write reports in the name of a special committee, sector group or city/county CPPCC."),
                url_name="opinions:mine",
                roles=frozenset({Role.AGENCY_STAFF}),
                visible=_may_write_collectively,
            )
        )
        register(
            Entry(
                area="dashboard",
                key="opinion_issues",
                title=_("Public-opinion periodical"),
                description=_("The issues of 社情民意 sent to you; record your instructions."),
                url_name="opinions:issues",
                roles=frozenset({Role.LEADER}),
            )
        )
        register(
            Entry(
                area="console",
                key="proposal_instructions",
                title=_("Instructions on key proposals"),
                description=_("Record leaders' instructions on key proposals."),
                url_name="opinions:proposal_instruction",
                roles=frozenset({Role.AGENCY_STAFF}),
                visible=_is_cppcc_staff,
            )
        )
        self._register_workflow()
        self._register_duty_and_audit()

    def _register_workflow(self) -> None:
        from huying.handling.history import register_kinds
        from huying.handling.policy import Policy
        from huying.handling.policy import register as register_policy
        from huying.opinions import transitions
        from huying.opinions.choices import EventKind, ReportStatus
        from huying.opinions.models import WORKFLOW

        register_kinds("opinions.opinionreport", EventKind.choices, statuses=ReportStatus.choices)
        # A key proposal's instruction is a step of the proposal's own history.
        register_kinds("proposals.proposal", [(EventKind.INSTRUCTED, EventKind.INSTRUCTED.label)])
        register_policy(
            Policy(
                workflow=WORKFLOW,
                label=_("Public-opinion report"),
                case_model="opinions.opinionreport",
                on_move=transitions.on_assignment_move,
                cards=transitions.cards,
                describe=transitions.describe,
                describe_cases=transitions.describe_cases,
                case_url=transitions.case_url,
                supervisor_unit=transitions.supervisor_unit,
                accept_on_work=True,
            )
        )

    def _register_duty_and_audit(self) -> None:
        from huying.audit.labels import register_action_labels
        from huying.duty.acts import ActKind, register_kind
        from huying.opinions.choices import AdoptionLevel

        levels: dict[str, Any] = dict(AdoptionLevel.choices)
        register_kind(ActKind("opinion.submitted", _("Opinion report submitted"), group="opinion"))
        register_kind(ActKind("opinion.adopted", _("Opinion report adopted"), group="opinion", qualifiers=levels))
        register_kind(
            ActKind(
                "opinion.instructed", _("Opinion report instructed by a leader"), group="opinion", qualifiers=levels
            )
        )
        register_action_labels(
            {
                "opinion.create": _("Drafted an opinion report"),
                "opinion.update": _("Changed a draft opinion report"),
                "opinion.delete": _("Deleted a draft opinion report"),
                "opinion.submit": _("Submitted an opinion report"),
                "opinion.receive": _("Received an opinion report"),
                "opinion.edit": _("Edited an opinion report"),
                "opinion.edit_agreed": _("Agreed to the edit of an opinion report"),
                "opinion.edit_commented": _("Commented on the edit of an opinion report"),
                "opinion.reject": _("Did not adopt an opinion report"),
                "opinion.merge": _("Merged an opinion report"),
                "opinion.combine": _("Compiled a combined opinion report"),
                "opinion.adopt": _("Adopted an opinion report"),
                "opinion.forward": _("Forwarded an opinion report"),
                "opinion.instruct": _("Recorded a leader's instruction"),
                "opinion_issue.create": _("Started a periodical issue"),
                "opinion_issue.reports": _("Chose the reports of a periodical issue"),
                "opinion_issue.publish": _("Sent a periodical issue"),
            }
        )


def _is_info_staff(user: object) -> bool:
    from huying.opinions.models import staff_cppcc_paths

    return bool(staff_cppcc_paths(user))


def _may_write_collectively(user: object) -> bool:
    from huying.opinions.actions import collectives_for

    return bool(collectives_for(user))


def _is_cppcc_staff(user: object) -> bool:
    """Agency staff at a CPPCC committee itself (the proposals staff), not at a special committee."""
    from huying.accounts.choices import Role
    from huying.organisations.choices import OrgKind

    return any(
        a.role == Role.AGENCY_STAFF and a.organisation is not None and a.organisation.kind == OrgKind.CPPCC
        for a in getattr(user, "active_roles", [])
    )
