import random
import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Count
from django.test import RequestFactory

from huying.accounts.actions import do_create_user
from huying.accounts.choices import Role
from huying.accounts.models import RoleAssignment, User
from huying.audit.models import AuditEntry
from huying.demo import dataset
from huying.demo.loader import (
    DATASET_VERSION,
    SCALES,
    SEED,
    build_sectors,
    build_tree,
    generate_people,
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


def test_every_demo_login_can_log_in():
    run()
    request = RequestFactory().post("/accounts/login/")
    for login in DEMO_LOGINS:
        user = authenticate(request, username=login.username, password=DEMO_PASSWORD)
        assert user is not None, login.username
        assert login.role in user.role_set
        if login.organisation:
            assert [o.name for o in user.organisations] == [login.organisation]
    # the generated people share the demo password too
    assert authenticate(request, username="m0001", password=DEMO_PASSWORD) is not None


def test_the_tree():
    run()
    province_cppcc = Organisation.objects.get(name="广东省政协")
    root = Organisation.objects.get(parent__isnull=True)
    assert (root.name, root.kind, root.level, root.division_code) == ("广东省", "region", "province", "44")
    assert set(root.children.values_list("name", flat=True)) == {"广东省政协", "广东省人民政府"}

    city_cppccs = province_cppcc.children.filter(kind=OrgKind.CPPCC)
    assert city_cppccs.count() == 21
    assert city_cppccs.get(name="广州市政协").division_code == "4401"
    assert Organisation.objects.get(name="荔湾区政协").parent.name == "广州市政协"
    committees = province_cppcc.children.filter(kind=OrgKind.SPECIAL_COMMITTEE)
    assert sorted(committees.values_list("name", flat=True)) == sorted(n for n, _w in dataset.SPECIAL_COMMITTEES)
    assert committees.count() == 10
    assert set(province_cppcc.children.filter(kind=OrgKind.CPPCC_OFFICE).values_list("name", flat=True)) == {
        "办公厅",
        "研究室",
    }

    liwan = Organisation.objects.get(name="荔湾区人民政府")
    assert [a.name for a in liwan.ancestors()] == ["广东省", "广东省人民政府", "广州市人民政府"]
    streets = liwan.children.filter(kind=OrgKind.STREET).order_by("division_code")
    assert streets.count() == 22
    assert list(streets.values_list("division_code", flat=True)) == [f"440103{i:03d}" for i in range(1, 23)]
    assert streets.first().name == "沙面街道"
    per_street = streets.annotate(n=Count("children")).values_list("n", flat=True)
    assert all(3 <= n <= 6 for n in per_street)
    assert Organisation.objects.filter(name="沙面社区", parent__name="沙面街道").exists()
    assert liwan.children.filter(kind=OrgKind.DEPARTMENT).count() >= 20
    assert liwan.children.filter(name="荔湾区指挥中心", kind=OrgKind.COMMAND_CENTRE).exists()
    gov = Organisation.objects.get(name="广东省人民政府")
    assert gov.children.filter(kind=OrgKind.GOVERNMENT).count() == 21
    assert gov.children.filter(kind=OrgKind.DEPARTMENT).count() >= 25
    government_units = gov.descendants().count()
    assert government_units >= 100
    # community names are unique across the district
    names = list(Organisation.objects.filter(kind=OrgKind.COMMUNITY).values_list("name", flat=True))
    assert len(names) == len(set(names))


def test_sectors_in_official_order():
    run()
    names = list(Sector.objects.values_list("name", flat=True))
    assert len(names) == 34
    assert names[0] == "中国共产党" and names[9] == "无党派人士" and names[-1] == "特别邀请人士"
    assert names == [name for name, _group, _w in dataset.SECTORS]


def test_people_respect_role_invariants():
    run()
    members = RoleAssignment.objects.filter(role=Role.MEMBER)
    assert members.count() == SCALES["small"].members + 1  # + the demo member
    assert not members.exclude(organisation__name="广东省政协").exists()
    assert not members.filter(term__isnull=True).exists() and not members.filter(sector__isnull=True).exists()
    assert not members.filter(member_level="").exists()
    assert members.filter(member_level="national").count() == SCALES["small"].national_members
    assert (
        not members.exclude(special_committee__isnull=True)
        .exclude(special_committee__kind=OrgKind.SPECIAL_COMMITTEE)
        .exists()
    )
    others = RoleAssignment.objects.exclude(role=Role.MEMBER)
    assert not others.filter(term__isnull=False).exists()
    assert not others.filter(sector__isnull=False).exists()
    assert not others.filter(special_committee__isnull=False).exists()
    assert not others.exclude(member_level="").exists()
    assert not RoleAssignment.objects.filter(role=Role.PUBLIC, organisation__isnull=False).exists()
    assert not RoleAssignment.objects.exclude(role=Role.PUBLIC).filter(organisation__isnull=True).exists()
    assert set(RoleAssignment.objects.filter(role=Role.DISPATCHER).values_list("organisation__name", flat=True)) == {
        "荔湾区指挥中心"
    }
    assert set(
        RoleAssignment.objects.filter(role=Role.STREET_HANDLER).values_list("organisation__kind", flat=True)
    ) <= {OrgKind.STREET, OrgKind.COMMUNITY}
    mobiles = [m for m in User.objects.values_list("mobile", flat=True) if m]
    assert len(mobiles) == len(set(mobiles)) == User.objects.count()
    assert all(re.fullmatch(r"1[3-9]\d{9}", m) for m in mobiles)
    assert all(User.objects.filter(username=f"{p}0001").exists() for p in "msdhlap")
    assert AuditEntry.objects.filter(action="demo.people.create").exists()
    assert AuditEntry.objects.filter(action="demo.load", object_id=f"{DATASET_VERSION}:small:0").count() == 1


def test_generation_is_deterministic():
    run()
    tree, created = build_tree(random.Random(SEED))
    assert created == 0
    sectors, _ = build_sectors()
    first = [(p.username, p.real_name, p.mobile) for p in generate_people(tree, sectors, SCALES["small"])]
    second = [(p.username, p.real_name, p.mobile) for p in generate_people(tree, sectors, SCALES["small"])]
    assert first == second
    assert {u: n for u, n, _m in first} == dict(
        User.objects.filter(username__in=[u for u, _n, _m in first]).values_list("username", "real_name")
    )


def test_logins_table_lists_every_role():
    table = format_demo_logins()
    lines = table.splitlines()
    assert len(lines) == 2 + len(DEMO_LOGINS)
    assert {login.role for login in DEMO_LOGINS} == set(Role.values)


def test_full_scale():
    result = load_demo_data("full", orders=0)
    full = SCALES["full"]
    assert RoleAssignment.objects.filter(role=Role.MEMBER).count() == full.members + 1
    assert RoleAssignment.objects.filter(role=Role.AGENCY_STAFF).count() == full.agency_staff + 1
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
