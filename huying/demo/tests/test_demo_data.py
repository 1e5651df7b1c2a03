from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from huying.accounts.actions import do_create_user
from huying.accounts.choices import Role
from huying.accounts.models import RoleAssignment, User
from huying.audit.models import AuditEntry
from huying.demo.loader import (
    SCALES,
    load_demo_data,
)
from huying.demo.logins import DEMO_LOGINS, DEMO_PASSWORD, format_demo_logins
from huying.organisations.actions import do_create_organisation
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.models import Organisation, Sector

pytestmark = pytest.mark.django_db


def run(*args):
    """The people and the tree only: the work orders have their own tests (test_demo_workorders)."""
    out = StringIO()
    call_command("demo_data", "--scale", "small", "--orders", "0", *args, stdout=out)
    return out.getvalue()


def counts():
    return {
        "users": User.objects.count(),
        "roles": RoleAssignment.objects.count(),
        "organisations": Organisation.objects.count(),
        "sectors": Sector.objects.count(),
        "audit": AuditEntry.objects.count(),
        "names": sorted(User.objects.values_list("username", "real_name", "mobile")),
    }


def test_second_run_changes_nothing_and_prints_the_logins():
    first_output = run()
    first = counts()
    second_output = run()
    assert counts() == first
    assert "already loaded" in second_output
    for login in DEMO_LOGINS:
        assert login.username in first_output and login.username in second_output
    assert DEMO_PASSWORD in second_output


def test_forced_rerun_creates_no_duplicates():
    run()
    before = counts()
    run("--force")
    after = counts()
    # only the new marker entry is added to the audit log
    assert after.pop("audit") == before.pop("audit") + 1
    assert after == before


def test_partly_loaded_database_is_completed_without_duplicates():
    root = do_create_organisation(None, name="广东省", kind=OrgKind.REGION, level=OrgLevel.PROVINCE)
    do_create_organisation(None, name="广东省政协", kind=OrgKind.CPPCC, level=OrgLevel.PROVINCE, parent=root)
    do_create_user(None, username="weiyuan", real_name="林志华", password=DEMO_PASSWORD)
    do_create_user(None, username="m0001", real_name="某人", password=DEMO_PASSWORD)
    run()
    assert Organisation.objects.filter(name="广东省").count() == 1
    assert Organisation.objects.filter(name="广东省政协").count() == 1
    assert User.objects.filter(username="weiyuan").get().role_set == {Role.MEMBER}
    assert RoleAssignment.objects.filter(user__username="m0001", role=Role.MEMBER).count() == 1


def test_logins_table_lists_every_role():
    table = format_demo_logins()
    lines = table.splitlines()
    assert len(lines) == 2 + len(DEMO_LOGINS)
    assert {login.role for login in DEMO_LOGINS} == set(Role.values)


def test_full_scale():
    result = load_demo_data("full", orders=0)
    full = SCALES["full"]
    # The demo logins, and the opinion reports' district → city chain (huying/demo/opinions.py).
    from huying.demo.opinions import CHAIN_PEOPLE

    chain = Counter(role for _u, _n, role, _o, _t in CHAIN_PEOPLE)
    logins = Counter(login.role for login in DEMO_LOGINS)
    assert (
        RoleAssignment.objects.filter(role=Role.MEMBER).count()
        == full.members + logins[Role.MEMBER] + chain[Role.MEMBER]
    )
    assert (
        RoleAssignment.objects.filter(role=Role.AGENCY_STAFF).count()
        == full.agency_staff + logins[Role.AGENCY_STAFF] + chain[Role.AGENCY_STAFF]
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
    assert not result.skipped
    assert load_demo_data("full", orders=0).skipped
