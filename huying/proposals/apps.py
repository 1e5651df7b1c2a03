from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "huying.proposals"
    label = "proposals"
    verbose_name = _("Proposals")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from huying.accounts.choices import Role
        from huying.core.navigation import Entry, register

        register(
            Entry(
                area="duty",
                key="proposals",
                title=_("Proposals"),
                description=_("Draft, co-sign and submit proposals; follow their review."),
                url_name="proposals:mine",
                roles=frozenset({Role.MEMBER}),
            )
        )
        register(
            Entry(
                area="console",
                key="proposal_review",
                title=_("Proposal review"),
                description=_("Review submitted proposals: file, reject, merge or convert them."),
                url_name="proposals:queue",
                roles=frozenset({Role.AGENCY_STAFF}),
            )
        )
        self._register_handling()
        self._register_statistics_and_awards()

        # The proposals' acts in the members' duty record (huying/proposals/duty.py).
        from huying.duty.acts import register_backfill
        from huying.proposals import duty

        duty.register_kinds()
        register_backfill("proposals", duty.backfill)

        from huying.audit.labels import register_value_labels
        from huying.proposals.choices import HandlingMode

        register_value_labels("mode", HandlingMode.choices)

    def _register_handling(self) -> None:
        """Handling through the engine (workflow ``proposal``) and the handling pages."""
        from huying.accounts.choices import Role
        from huying.core.navigation import Entry, register
        from huying.handling.choices import LimitUnit
        from huying.handling.history import register_kinds
        from huying.handling.limits import Limit
        from huying.handling.policy import GENERIC_STEPS, Policy
        from huying.handling.policy import register as register_policy
        from huying.proposals import links, transitions
        from huying.proposals.actions import handling as handling_actions
        from huying.proposals.choices import EventKind, HandlingEventKind, ProposalStatus

        # The proposal's own steps in its history (the units' steps are the engine's kinds).
        register_kinds(
            "proposals.proposal", EventKind.choices + HandlingEventKind.choices, statuses=ProposalStatus.choices
        )

        register_policy(
            Policy(
                workflow=handling_actions.WORKFLOW,
                label=_("Proposal"),
                # 再办理 after a dissatisfied rating, and a reply sent back by the staff.
                reopen_limit=Limit(1, LimitUnit.MONTHS),
                supervisor_unit=handling_actions.supervisor_unit,
                may_rate=handling_actions.may_rate,
                case_model="proposals.proposal",
                case_url=links.case_url,
                describe=links.describe_case,
                describe_cases=links.describe_cases,
                on_move=transitions.on_assignment_move,
                cards=links.cards,
                assignment_page="proposals:inbox_detail",
                # Replies (A/B/C class, document) go through the proposals' own endpoint.
                generic_steps=GENERIC_STEPS - {"return", "escalate"},
                offers=handling_actions.offers,
                check_unit=handling_actions.check_unit,
                accept_on_work=True,
            )
        )
        register(
            Entry(
                area="console",
                key="proposal_supervision",
                title=_("Proposal supervision"),
                description=_("Assigned proposals with their deadlines, replies to review, key proposals first."),
                url_name="proposals:board",
                roles=frozenset({Role.AGENCY_STAFF, Role.ADMIN}),
            )
        )
        from huying.core.navigation import Panel, register_panel
        from huying.proposals.overview import leader_overview

        register_panel(
            Panel(
                area="dashboard",
                key="key_proposals",
                template="proposals/overview/leader_panel.html",
                context=leader_overview,
                roles=frozenset({Role.LEADER, Role.ADMIN}),
                order=20,
                stylesheets=("css/dashboard.css", "css/proposal-handling.css", "css/leader.css"),
            )
        )
        register(
            Entry(
                area="dashboard",
                key="key_proposals",
                title=_("My key proposals"),
                description=_("The key proposals you supervise and how their handling stands."),
                url_name="proposals:key",
                roles=frozenset({Role.LEADER}),
            )
        )
        register(
            Entry(
                area="public",
                key="published_proposals",
                title=_("Published proposals"),
                description=_("CPPCC members' proposals and the government's replies to them."),
                url_name="proposals:public",
            )
        )

    def _register_statistics_and_awards(self) -> None:
        from huying.accounts.choices import Role
        from huying.core.navigation import Entry, register
        from huying.proposals.stats import may_read_stats

        register(
            Entry(
                area="console",
                key="proposal_stats",
                title=_("Proposal statistics"),
                description=_(
                    "Figures of a session: review results, sectors, committees, units, replies, satisfaction."
                ),
                url_name="proposals:stats",
                roles=frozenset({Role.AGENCY_STAFF, Role.ADMIN}),
            )
        )
        register(
            Entry(
                area="dashboard",
                key="proposal_stats",
                title=_("Proposal statistics"),
                description=_(
                    "Figures of a session: review results, sectors, committees, units, replies, satisfaction."
                ),
                url_name="proposals:stats",
                roles=frozenset({Role.LEADER, Role.ADMIN}),
                # Leaders of a CPPCC committee; a district government's leaders have no
                # session to read (docs/leaders.md) and follow their units' proposals on
                # the dashboard instead.
                visible=may_read_stats,
            )
        )
        register(
            Entry(
                # Members read the lists from their duty section; the public reach the page
                # from the public proposal pages (the public zone's entries are planned).
                area="duty",
                key="proposal_awards",
                title=_("Excellent proposals"),
                description=_("The yearly lists of excellent proposals."),
                url_name="proposals:awards",
                roles=frozenset({Role.MEMBER}),
            )
        )
        register(
            Entry(
                area="console",
                key="proposal_awards",
                title=_("Excellent-proposal selection"),
                description=_("Open the yearly selection, nominate filed proposals, decide and publish the list."),
                url_name="proposals:awards",
                roles=frozenset({Role.AGENCY_STAFF}),
            )
        )
