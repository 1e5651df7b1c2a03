from django.db import models
from django.utils.translation import gettext_lazy as _

from huying.core.roles import CONSOLE_ROLES, DASHBOARD_ROLES, MEMBER_SECTION_ROLES, TWO_FACTOR_ROLES, Role

__all__ = [
    "CONSOLE_ROLES",
    "DASHBOARD_ROLES",
    "MEMBER_SECTION_ROLES",
    "TWO_FACTOR_ROLES",
    "MemberLevel",
    "Role",
]


class MemberLevel(models.TextChoices):
    NATIONAL = "national", _("National member")
    PROVINCIAL = "provincial", _("Provincial member")
    CITY = "city", _("City member")
    COUNTY = "county", _("County member")
