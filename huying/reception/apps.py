from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceptionConfig(AppConfig):
    name = "huying.reception"
    label = "reception"
    verbose_name = _("Member reception room")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.urls import reverse

        from huying.accounts.choices import Role
        from huying.audit.labels import register_action_labels
        from huying.core.navigation import Entry, register
        from huying.duty.acts import ActKind, register_kind
        from huying.moderation.spaces import register_space
        from huying.reception.actions import is_staff_manager, on_moderation_visibility

        self._register_links()

        def question_url(item: object) -> str:
            question = getattr(item, "reception_question", None)
            return reverse("reception:session", args=[question.session_id]) if question else ""

        # Pre-moderated: nothing a citizen asks is public before a moderator passes it. A
        # question leaving public view takes its answer's duty entry with it (and back).
        register_space(
            "reception_questions", _("Reception-room questions"), premoderated_default=True, rate_limit=5,
            rate_window=600, url=question_url, on_visibility=on_moderation_visibility,
        )  # fmt: skip
        register_kind(ActKind("reception.answer", _("Answered a question in the reception room"), group="reception"))
        description = _("Members host themed sessions; ask them your questions and read their answers.")
        for area, roles in (
            ("interact", frozenset({Role.MEMBER, Role.AGENCY_STAFF, Role.LEADER, Role.ADMIN})),
            ("public", None),
        ):
            register(
                Entry(
                    area=area,
                    key="reception",
                    title=_("Member reception room"),
                    description=description,
                    url_name="reception:sessions",
                    roles=roles,
                )
            )
        register(
            Entry(
                area="interact",
                key="reception_host",
                title=_("My reception sessions"),
                description=_("Schedule your sessions, answer questions and adopt them."),
                url_name="reception:mine",
                roles=frozenset({Role.MEMBER}),
            )
        )
        register(
            Entry(
                area="console",
                key="reception_manage",
                title=_("Member reception room"),
                description=_("Schedule sessions for members, open, close or cancel them."),
                url_name="reception:manage",
                roles=frozenset({Role.AGENCY_STAFF, Role.ADMIN}),
                visible=is_staff_manager,
            )
        )
        register_action_labels(
            {
                "reception.create": _("Scheduled a reception session"),
                "reception.open": _("Opened a reception session"),
                "reception.close": _("Ended a reception session"),
                "reception.cancel": _("Cancelled a reception session"),
                "reception.ask": _("Asked a question in the reception room"),
                "reception.answer": _("Answered a reception-room question"),
                "reception.answer_edit": _("Edited an answer in the reception room"),
                "reception.adopt": _("Adopted a reception-room question"),
                "reception.to_proposal": _("Turned a reception-room question into a proposal draft"),
                "reception.to_report": _("Turned a reception-room question into an opinion-report draft"),
            }
        )

    @staticmethod
    def _register_links() -> None:
        """Where a draft came from (proposal and report pages) and the sessions' place in
        topic columns (一委一品, 专题专栏)."""
        from django.urls import reverse

        from huying.columns.sources import register_source
        from huying.core.origins import register_origin
        from huying.insight.sources import register_source as register_text_source
        from huying.reception import origins, topics
        from huying.reception.models import ReceptionSession

        # Published questions are texts of the public side's hot topics (docs/insight.md).
        register_text_source(
            "reception",
            _("Reception-room questions"),
            topics.messages,
            side="public",
            stream=topics.stream,
            eligible=topics.eligible,
            links=topics.links,
        )
        register_origin("proposals.proposal", origins.proposal_origins)
        register_origin("opinions.opinionreport", origins.report_origins)
        register_source(
            "reception",
            ReceptionSession,
            _("Reception-room sessions"),
            visible_to=lambda user: ReceptionSession.objects.visible_to(user),
            title_of=lambda s: s.theme,
            url_of=lambda s: reverse("reception:session", args=[s.pk]),
            date_of=lambda s: s.starts_at,
            ordering=("-starts_at", "-pk"),
            search_fields=("theme",),
            order=70,
        )
