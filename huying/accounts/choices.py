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


class MemberLevel(models.TextChoices):
    NATIONAL = "national", _("National member")
    PROVINCIAL = "provincial", _("Provincial member")
    CITY = "city", _("City member")
    COUNTY = "county", _("County member")


# Roles whose holders work inside an organisation and use the work console.
CONSOLE_ROLES = frozenset({Role.AGENCY_STAFF, Role.UNIT_STAFF, Role.DISPATCHER, Role.STREET_HANDLER, Role.ADMIN})
# Roles that use the five member sections (履职 / 协商 / 互动 / 资讯 / 智库).
MEMBER_SECTION_ROLES = frozenset({Role.MEMBER, Role.AGENCY_STAFF, Role.LEADER, Role.ADMIN})
DASHBOARD_ROLES = frozenset({Role.LEADER, Role.ADMIN})
# Roles for which two-factor authentication is offered (staff and administrators).
TWO_FACTOR_ROLES = frozenset(
    {Role.AGENCY_STAFF, Role.UNIT_STAFF, Role.DISPATCHER, Role.STREET_HANDLER, Role.LEADER, Role.ADMIN}
)
