from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    REGION = "region", _("Region")
    CPPCC = "cppcc", _("CPPCC committee")
    SPECIAL_COMMITTEE = "special_committee", _("Special committee")
    CPPCC_OFFICE = "cppcc_office", _("CPPCC office")
    GOVERNMENT = "government", _("People's government")
    DEPARTMENT = "department", _("Government department")
    COMMAND_CENTRE = "command_centre", _("Command centre")
    STREET = "street", _("Street / town")
    COMMUNITY = "community", _("Community / village")
    PARTY = "party", _("Party or people's organisation")


class OrgLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("Prefecture city")
    COUNTY = "county", _("County / district")
    STREET = "street", _("Street / town")
    COMMUNITY = "community", _("Community / village")


# Kinds that can be assigned cases (proposals, work orders) as handling units.
HANDLING_KINDS = (OrgKind.DEPARTMENT, OrgKind.GOVERNMENT, OrgKind.STREET, OrgKind.COMMUNITY)
