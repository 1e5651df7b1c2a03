"""The platform's roles and the groups of roles the shell and the apps use.

They live in ``core`` (the bottom layer: it imports no other app) so that the shell's
navigation and landing pages need not import ``accounts``; ``huying.accounts.choices``
re-exports them, and that is where the apps import them from."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MEMBER = "member", _("CPPCC member")
    AGENCY_STAFF = "agency_staff", _("CPPCC agency staff")
    UNIT_STAFF = "unit_staff", _("Handling unit staff")
    DISPATCHER = "dispatcher", _("Dispatcher")
    STREET_HANDLER = "street_handler", _("Street / community handler")
    LEADER = "leader", _("Leader")
    ADMIN = "admin", _("Administrator")
    PUBLIC = "public", _("Member of the public")


# Roles whose holders work inside an organisation and use the work console.
CONSOLE_ROLES = frozenset({Role.AGENCY_STAFF, Role.UNIT_STAFF, Role.DISPATCHER, Role.STREET_HANDLER, Role.ADMIN})
# Roles that use the five member sections (履职 / 协商 / 互动 / 资讯 / 智库).
MEMBER_SECTION_ROLES = frozenset({Role.MEMBER, Role.AGENCY_STAFF, Role.LEADER, Role.ADMIN})
DASHBOARD_ROLES = frozenset({Role.LEADER, Role.ADMIN})
# Roles for which two-factor authentication is offered (staff and administrators).
TWO_FACTOR_ROLES = frozenset(
    {Role.AGENCY_STAFF, Role.UNIT_STAFF, Role.DISPATCHER, Role.STREET_HANDLER, Role.LEADER, Role.ADMIN}
)
