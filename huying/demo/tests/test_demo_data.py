from collections import Counter

import pytest
from django.db.models import Count

from huying.accounts.actions import do_create_user
from huying.accounts.choices import Role
from huying.accounts.models import RoleAssignment, User
from huying.demo.loader import (
    SCALES,
    load_core,
)
from huying.demo.logins import DEMO_LOGINS, DEMO_PASSWORD, format_demo_logins
from huying.organisations.actions import do_create_organisation
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def test_partly_loaded_database_is_completed_without_duplicates():
    root = do_create_organisation(None, name="广东省", kind=OrgKind.REGION, level=OrgLevel.PROVINCE)
    do_create_organisation(None, name="广东省政协", kind=OrgKind.CPPCC, level=OrgLevel.PROVINCE, parent=root)
    do_create_user(None, username="weiyuan", real_name="林志华", password=DEMO_PASSWORD)
    do_create_user(None, username="m0001", real_name="某人", password=DEMO_PASSWORD)
    load_core("small")  # the tree and the people: what a partial load can leave half-made
    assert Organisation.objects.filter(name="广东省").count() == 1
    assert Organisation.objects.filter(name="广东省政协").count() == 1
    assert User.objects.filter(username="weiyuan").get().role_set == {Role.MEMBER}
    assert RoleAssignment.objects.filter(user__username="m0001", role=Role.MEMBER).count() == 1


def test_logins_table_lists_every_role():
    table = format_demo_logins()
    lines = table.splitlines()
    assert len(lines) == 2 + len(DEMO_LOGINS)
    assert {login.role for login in DEMO_LOGINS} == set(Role.values)


def test_full_scale_people():
    """The full scale's tree and people (``load_core``, what ``make run`` loads before it
    serves). The rest of the full-scale load goes through the same modules as the small
    demo (test_demo_loaded.py); the whole of it runs in ``make bench`` (bench.first_start)."""
    result = load_core("full")
    full = SCALES["full"]
    # The generated people and the demo logins (the opinion reports' district → city chain
    # comes with the opinions module: huying/demo/opinions.py, test_demo_loaded.py).
    logins = Counter(login.role for login in DEMO_LOGINS)
    assert RoleAssignment.objects.filter(role=Role.MEMBER).count() == full.members + logins[Role.MEMBER]
    assert (
        RoleAssignment.objects.filter(role=Role.AGENCY_STAFF).count() == full.agency_staff + logins[Role.AGENCY_STAFF]
    )
    assert RoleAssignment.objects.filter(role=Role.PUBLIC).count() == full.public + 1
    assert User.objects.count() > 1500
    # sectors spread: every sector has members, none has most of them
    per_sector = list(
        RoleAssignment.objects.filter(role=Role.MEMBER)
        .values("sector")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    assert len(per_sector) == 34 and max(per_sector) < full.members / 5
    assert result.created["users"] > 1500
    assert sum(load_core("full").created.values()) == 0  # a second run creates nothing
