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
