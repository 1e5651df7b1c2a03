"""The demo data as `make run` loads it (at small scale), checked from one load per module.

Loading the demo goes through the real actions and takes a while, so the checks that only
read it — or write and roll back — share one load: the module fixture loads it inside an
outer transaction, every test runs in a savepoint of it (pytest-django's ``db``), and the
whole load is rolled back when the module is done, so no other module sees it. Checks that
need an empty or partly loaded database (idempotence from scratch, completion of a partial
load) stay in test_demo_data.py, test_demo_workorders.py and test_demo_proposals.py.
Time is frozen during the load so that the generated history is the same on every run.
"""

from __future__ import annotations

import json
import os
import random
import re
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import authenticate
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from huying.accounts.choices import Role
from huying.accounts.models import ApiToken, RoleAssignment, User
from huying.audit.models import AuditEntry
from huying.core.tests.cache import reset_process_state
from huying.demo import dataset
from huying.demo import workorder_data as wd
from huying.demo.loader import DATASET_VERSION, SCALES, SEED, build_sectors, build_tree, generate_people
from huying.demo.logins import DEMO_LOGINS, DEMO_OPEN311_CLIENT, DEMO_OPEN311_KEY, DEMO_PASSWORD
from huying.demo.proposals import COUNTS, filed_demo_proposals, load_proposal_demo
from huying.demo.tests.test_demo_workorders import FROZEN, snapshot
from huying.demo.workorders import DEPARTMENT_RULES, STREET_FIRST, TIME_LIMITS
from huying.handling.choices import EventScope, ExtensionStatus, Rating, Status
from huying.handling.limits import limits_for
from huying.handling.models import Assignment, CaseEvent, ExtensionRequest, Feedback, TimeLimitRule, Warning
from huying.open311.tests.helpers import post_data
from huying.organisations.choices import OrgKind
from huying.organisations.models import Organisation, Sector
from huying.proposals.choices import Category as ProposalCategory
from huying.proposals.choices import CoSignStatus, ProposalStatus, SubmitterKind
from huying.proposals.models import AwardNomination, CoSigner, Proposal, ProposalSearch, Session
from huying.proposals.search import search
from huying.workorders.choices import OrderStatus
from huying.workorders.models import Category, DispatchDecision, RoutingRule, WorkOrder, route

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as the root conftest's fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("small_demo")]


def load(*args: str) -> str:
    out = StringIO()
    with time_machine.travel(FROZEN, tick=False):
        call_command("demo_data", "--scale", "small", "--no-logins", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def small_demo(django_db_setup: None, django_db_blocker) -> Iterator[None]:
    """One load for the module, inside a transaction rolled back at its end."""
    # The tests' own (fast) password hasher, so that the demo logins verify inside the tests.
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            reset_process_state()  # the tests this worker ran before leave no trace in the draw
            load()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


# The hot-topic clusters (huying/demo/insight.py) come in after the generated orders, with
# calls dated back over two months: numbered after them, and not part of the state mix.
CLUSTERS = Q(external_id__startswith="INSIGHT-DEMO-")


def test_orders_in_every_state() -> None:
    orders = WorkOrder.objects.exclude(CLUSTERS)
    assert orders.count() == 80
    assert WorkOrder.objects.filter(CLUSTERS).count() > 40
    statuses = Counter(orders.values_list("status", flat=True))
    assert set(statuses) == {s.value for s in OrderStatus if s != OrderStatus.CANCELLED}, statuses
    assert statuses[OrderStatus.CLOSED] > statuses[OrderStatus.IN_PROGRESS]
    assignments = Assignment.objects.filter(workflow="workorder")
    now = timezone.now()
    # returned and waiting for the dispatcher (改派), and returned then dispatched again
    returned_cases = set(assignments.filter(status=Status.RETURNED).values_list("case_id", flat=True))
    assert orders.filter(pk__in=returned_cases, status=OrderStatus.NEW).exists()
    assert orders.filter(pk__in=returned_cases).exclude(status=OrderStatus.NEW).exists()
    # waiting to be signed for, and overdue: accept or resolve deadline past, still open
    assert assignments.filter(status=Status.ASSIGNED).exists()
    overdue = assignments.overdue(now)
    assert overdue.exists()
    assert orders.filter(pk__in=overdue.values("case_id"), status__in=("dispatched", "in_progress")).exists()
    assert Warning.objects.filter(level="red").exists()
    assert assignments.filter(supervision_level__gt=0).exists() or overdue.filter(events__kind="urged").exists()
    # extension requests: pending and approved
    assert ExtensionRequest.objects.filter(status=ExtensionStatus.PENDING).exists()
    assert ExtensionRequest.objects.filter(status=ExtensionStatus.APPROVED).exists()
    # called up: street → department (tier 2) → district government (tier 3)
    assert assignments.filter(status=Status.ESCALATED, tier=1, unit__kind="street").exists()
    tier2 = assignments.filter(tier=2, called_by__isnull=False)
    assert tier2.filter(unit__kind="department", called_by__kind="street").exists()
    tier3 = assignments.filter(tier=3, called_by__isnull=False)
    assert tier3.filter(unit__name="荔湾区人民政府", called_by__kind="department").exists()
    assert orders.filter(pk__in=tier3.values("case_id")).exclude(status=OrderStatus.CLOSED).exists()
    # feedback: mostly satisfied, some dissatisfied; reopened after a dissatisfied call
    ratings = Counter(Feedback.objects.values_list("rating", flat=True))
    assert ratings[Rating.SATISFIED] > ratings[Rating.DISSATISFIED] > 0
    reopened = assignments.filter(reopen_count__gt=0)
    assert reopened.filter(status=Status.REOPENED).exists()
    assert reopened.filter(status=Status.CLOSED).exists()
    assert orders.filter(pk__in=reopened.filter(status=Status.REOPENED).values("case_id"), status="in_progress")
    closed = orders.filter(status=OrderStatus.CLOSED)
    assert Feedback.objects.filter(case_id__in=closed.values("id")).count() >= closed.count() * 0.8
    # merged duplicates point at their parent, in the same street
    for child in orders.filter(status=OrderStatus.MERGED).select_related("parent"):
        assert child.parent is not None and child.parent.street_id == child.street_id
        assert child.parent.status != OrderStatus.MERGED


def test_the_kept_summary_and_deadlines_equal_a_rebuild() -> None:
    """The demo's chunks keep the daily summary and each order's nearest deadline once at
    their end (summary.deferred, deadlines.deferred): the same as rebuilt from scratch."""
    from huying.workorders import deadlines, summary

    assert summary.verify() == {}
    kept = {pk: (w, d) for pk, w, d in WorkOrder.objects.values_list("pk", "next_warn_at", "next_due")}
    assert sum(w is not None for w, _d in kept.values()) >= 5, "open orders with running deadlines"
    WorkOrder.objects.update(next_warn_at=None, next_due=None)
    deadlines.rebuild()
    assert {pk: (w, d) for pk, w, d in WorkOrder.objects.values_list("pk", "next_warn_at", "next_due")} == kept


def test_orders_look_real() -> None:
    orders = list(WorkOrder.objects.select_related("street", "community", "category", "district"))
    assert {o.district.division_code for o in orders} == {"440103"}
    assert {o.channel for o in orders} >= {"hotline", "grid", "web"}
    for order in orders:
        assert order.street is not None and order.street.name in wd.STREET_PLACES
        assert order.community is None or order.community.parent_id == order.street_id
        assert order.content and order.address.startswith("荔湾区")
        if order.latitude is not None:
            place = wd.STREET_PLACES[order.street.name]
            assert abs(order.latitude - Decimal(str(place.latitude))) < Decimal("0.005")
            assert abs(order.longitude - Decimal(str(place.longitude))) < Decimal("0.005")
        # the post-step: creation time follows the call, not the load
        assert 0 <= (order.created_at - order.received_at).total_seconds() <= 60
        assert order.updated_at >= order.received_at
        assert order.status == OrderStatus.NEW or order.category is not None
    # spread over four months, numbers in the order calls came in
    received = sorted((o for o in orders if not o.external_id.startswith("INSIGHT-DEMO-")), key=lambda o: o.received_at)
    assert (received[-1].received_at - received[0].received_at).days >= 60
    assert [o.number for o in received] == sorted(o.number for o in received)
    # dispatch decisions carry the dispatch time, after the call
    for decision in DispatchDecision.objects.select_related("order"):
        assert decision.created_at >= decision.order.received_at
    # every assignment's events are in time order and none in the future
    assert not Assignment.objects.filter(assigned_at__gt=timezone.now()).exists()


def test_routing_rules_and_time_limits() -> None:
    liwan = Organisation.objects.get(division_code="440103", kind="government")
    streets = Organisation.objects.filter(parent=liwan, kind="street")
    assert streets.count() == 22
    departments = set(Organisation.objects.filter(parent=liwan, kind="department").values_list("short_name", flat=True))
    assert {d for _p, d in DEPARTMENT_RULES} <= departments
    assert {"区住建局", "区交通局", "区生态环境分局", "区市场监管局", "区水务局", "区公安分局"} <= departments
    # 六乱 in a street goes to that street at tier 1; a professional problem to its department
    shamian = streets.get(name="沙面街道")
    luan = Category.objects.get(code="010101")
    assert route(luan, shamian, "") == (shamian, 1)
    assert route(Category.objects.get(code="0702"), shamian, "")[0].short_name == "区市场监管局"
    assert route(Category.objects.get(code="0601"), shamian, "")[0].short_name == "区规划资源分局"
    assert RoutingRule.objects.filter(street__isnull=False, category_prefix__in=STREET_FIRST).count() == 66
    assert TimeLimitRule.objects.filter(workflow="workorder").count() == len(TIME_LIMITS) + 1  # + the wildcard
    emergency = limits_for("workorder", "complaint", "emergency", "010101")
    assert (emergency.accept.amount, emergency.accept.unit) == (30, "minutes")
    assert (emergency.resolve.amount, emergency.resolve.unit) == (24, "hours")
    complaint = limits_for("workorder", "complaint", "normal", "0801")
    assert (complaint.resolve.amount, complaint.resolve.unit) == (5, "working_days")
    consultation = limits_for("workorder", "consultation", "normal", "0902")
    assert (consultation.resolve.amount, consultation.resolve.unit) == (1, "working_days")


def people() -> dict[str, object]:
    return {
        "users": User.objects.count(),
        "roles": RoleAssignment.objects.count(),
        "organisations": Organisation.objects.count(),
        "sectors": Sector.objects.count(),
        "names": sorted(User.objects.values_list("username", "real_name", "mobile")),
    }


def test_second_run_creates_nothing_and_prints_the_logins() -> None:
    before, people_before = snapshot(), people()
    out = StringIO()
    with time_machine.travel(FROZEN, tick=False):
        call_command("demo_data", "--scale", "small", stdout=out)  # with the table of logins
    output = out.getvalue()
    assert "already loaded" in output
    for login in DEMO_LOGINS:
        assert login.username in output
    assert DEMO_PASSWORD in output
    assert snapshot() == before and people() == people_before
    audit = AuditEntry.objects.count()
    load("--force")
    assert snapshot() == before and people() == people_before
    assert AuditEntry.objects.count() == audit + 1  # only the new marker


def test_open311_demo_key_works() -> None:
    token = ApiToken.objects.get(name="Open311 演示客户端")
    assert token.user.username == DEMO_OPEN311_CLIENT
    client = Client()
    response = client.post("/open311/v2/requests.json", post_data(DEMO_OPEN311_KEY))
    assert response.status_code == 201, response.content
    number = response.json()[0]["service_request_id"]
    assert WorkOrder.objects.get(number=number).created_by == token.user
    listed = client.get("/open311/v2/requests.json", {"page_size": 200}).json()
    assert len(listed) > 10
    assert any(r["agency_responsible"] for r in listed)
    assert {r["status"] for r in listed} == {"open", "closed"}


def test_every_pre_handling_state_through_the_actions() -> None:
    session = Session.objects.get(is_current=True, cppcc__name="广东省政协")
    proposals = Proposal.objects.filter(session=session)
    # + the draft weiyuan is invited to sign, + the drafts members made from public
    # suggestions (huying/demo/interaction.py), discussion-group posts (groups.py) and
    # reception-room questions (reception.py)
    from_public = (
        proposals.filter(status=ProposalStatus.DRAFT)
        .filter(
            Q(public_suggestion_links__isnull=False)
            | Q(group_post_links__isnull=False)
            | Q(reception_question_links__isnull=False)
        )
        .distinct()
    )
    assert proposals.count() == COUNTS["small"] + 1 + from_public.count()
    states = Counter(proposals.values_list("status", flat=True))
    assert set(states) == set(ProposalStatus.values)
    assert set(proposals.values_list("submitter_kind", flat=True)) == set(SubmitterKind.values)
    assert set(proposals.values_list("category", flat=True)) >= {ProposalCategory.ECONOMY, ProposalCategory.HEALTH}
    # Filed proposals are numbered 1…n without gaps; rejections carry a reason.
    numbers = sorted(proposals.filter(status=ProposalStatus.FILED).values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
    assert not proposals.filter(status=ProposalStatus.REJECTED, reject_reason="").exists()
    assert not proposals.filter(status=ProposalStatus.MERGED, merged_into__isnull=True).exists()
    # Real actions: history, audit entries and search documents exist.
    filed_steps = CaseEvent.objects.filter(
        case_type=ContentType.objects.get_for_model(Proposal),
        case_id__in=Proposal.objects.filter(session=session).values("pk"),
        scope=EventScope.CASE,
        kind="filed",
    )
    assert filed_steps.count() == len(numbers)
    assert AuditEntry.objects.filter(action="proposal.filed").count() == len(numbers)
    assert ProposalSearch.objects.filter(proposal__session=session).count() == proposals.count()
    assert all(p.title.startswith("关于") and p.title.endswith("的建议") for p in proposals)
    # Co-signers: confirmed and declined ones on submitted proposals.
    signed = CoSigner.objects.filter(proposal__session=session).exclude(proposal__status=ProposalStatus.DRAFT)
    assert {CoSignStatus.CONFIRMED, CoSignStatus.DECLINED} <= set(signed.values_list("status", flat=True))
    assert [p.number for p in filed_demo_proposals()] == numbers
    assert AwardNomination.objects.count() == 3


def test_the_demo_member_and_staff() -> None:
    weiyuan_states = set(Proposal.objects.filter(proposer__username="weiyuan").values_list("status", flat=True))
    assert weiyuan_states >= {"draft", "submitted", "filed", "rejected", "merged", "withdrawn"}
    invitation = CoSigner.objects.get(member__username="weiyuan", status=CoSignStatus.INVITED)
    assert invitation.proposal.status == ProposalStatus.DRAFT
    from huying.accounts.models import User

    jiguan = User.objects.get(username="jiguan")
    visible = Proposal.objects.visible_to(jiguan)
    assert visible.filter(status=ProposalStatus.SUBMITTED).exists()
    topic = filed_demo_proposals()[0].title.removeprefix("关于").removesuffix("的建议")[-4:]
    assert search(visible, topic).exists()


def test_idempotent() -> None:
    before = (Proposal.objects.count(), AuditEntry.objects.count(), CoSigner.objects.count())
    assert "already loaded" in load()
    assert (Proposal.objects.count(), AuditEntry.objects.count(), CoSigner.objects.count()) == before
    assert load_proposal_demo("small").skipped
    assert load_proposal_demo("small", force=True).skipped
    assert (Proposal.objects.count(), AuditEntry.objects.count()) == before[:2]


def test_every_demo_login_can_log_in():
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
    names = list(Sector.objects.values_list("name", flat=True))
    assert len(names) == 34
    assert names[0] == "中国共产党" and names[9] == "无党派人士" and names[-1] == "特别邀请人士"
    assert names == [name for name, _group, _w in dataset.SECTORS]


def test_people_respect_role_invariants():
    from huying.demo.opinions import CHAIN_PEOPLE

    # The opinion reports' district → city chain has its own few members (huying/demo/opinions.py).
    chain = [username for username, _n, _r, _o, _t in CHAIN_PEOPLE]
    members = RoleAssignment.objects.filter(role=Role.MEMBER).exclude(user__username__in=chain)
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
    assert AuditEntry.objects.filter(action="demo.load", object_id=f"{DATASET_VERSION}:small").count() == 1


def test_generation_is_deterministic():
    tree, created = build_tree(random.Random(SEED))
    assert created == 0
    sectors, _ = build_sectors()
    first = [(p.username, p.real_name, p.mobile) for p in generate_people(tree, sectors, SCALES["small"])]
    second = [(p.username, p.real_name, p.mobile) for p in generate_people(tree, sectors, SCALES["small"])]
    assert first == second
    assert {u: n for u, n, _m in first} == dict(
        User.objects.filter(username__in=[u for u, _n, _m in first]).values_list("username", "real_name")
    )


def test_consultations_two_past_and_one_live() -> None:
    from huying.consultations.models import Consultation, Outcome
    from huying.duty.models import DutyEntry

    statuses = sorted(Consultation.objects.values_list("status", flat=True))
    assert statuses == ["concluded", "concluded", "live"]
    live = Consultation.objects.get(status="live")
    assert live.public_viewing and live.updates.count() == 3 and live.speeches.filter(kind="booked").count() == 3
    for outcome in Outcome.objects.all():
        answered = Assignment.objects.filter(workflow="consultation", case_id=outcome.pk, status=Status.RESOLVED)
        assert outcome.status == "sent" and answered.count() == 1
        assert outcome.consultation.minutes and outcome.consultation.speeches.filter(status="given").exists()
    assert DutyEntry.objects.filter(member__username="weiyuan", kind="consultation.speech").count() == 2


# --- the demo's content, model by model ---------------------------------------------------------
COUNTS_FILE = Path(__file__).with_name("demo_counts_small.json")


def demo_row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model.__module__.startswith("huying.") and not model._meta.proxy and model._meta.managed
    }


def test_the_small_demo_has_the_same_rows_in_every_model_as_recorded():
    """Speed-ups of the loader (bulk paths, fewer queries, the background load) must keep the
    demo's content: the rows per model of the small load are pinned. A change of the content
    on purpose regenerates the file: UPDATE_DEMO_COUNTS=1 pytest -k same_rows. The same on
    every engine and after any other tests: no draw depends on the rows' ids (PostgreSQL's
    sequences keep counting past rolled-back tests) or on what the process kept before."""
    counts = demo_row_counts()
    if os.environ.get("UPDATE_DEMO_COUNTS") == "1":
        COUNTS_FILE.write_text(json.dumps(counts, indent=1, sort_keys=True, ensure_ascii=False) + "\n", "utf-8")
    expected = json.loads(COUNTS_FILE.read_text("utf-8"))
    assert {k: v for k, v in counts.items() if v or expected.get(k)} == {k: v for k, v in expected.items() if v}
