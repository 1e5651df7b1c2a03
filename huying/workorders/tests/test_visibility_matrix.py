"""Who sees and who acts on a work-order assignment (docs/handling-engine.md, "Who sees and
acts on an assignment"), with named people at a street, another street, a department, the
district government and the command centre, the public and anonymous visitors — over four
orders, assigned to the district government, to 沙面街道, to 多宝街道 and to the department.

Reading: the unit inbox (list and page), the API list and detail of assignments, the API
order. Acting: every unit step (accept, return, extension request, progress note, resolve,
call up) on the pages (POST) and through the API. A refusal is 403 or 404 (anonymous: the
login redirect on pages, 401 on the API) and changes nothing; the right people succeed.

Built once per test from factories (no demo data); each refused attempt is checked in a
loop over the people, and each permitted attempt runs in a savepoint rolled back after it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from conftest import SharedPeople, Tree
from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.accounts.tests.factories import UserFactory
from huying.handling import access
from huying.handling import actions as engine
from huying.handling.models import Assignment, CaseEvent, ExtensionRequest
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.models import Organisation
from huying.organisations.tests.factories import OrganisationFactory
from huying.workorders import actions
from huying.workorders.choices import Channel
from huying.workorders.models import WorkOrder
from huying.workorders.tests.conftest import URL, order_data

pytestmark = pytest.mark.django_db

PEOPLE = (
    "shamian",  # 沙面街道 street handler
    "duobao",  # 多宝街道 street handler
    "chengguan",  # 城管执法局 unit staff
    "district_staff",  # 荔湾区人民政府 unit staff
    "district_leader",  # 荔湾区人民政府 leader
    "dispatcher",  # 荔湾区指挥中心 dispatcher
    "public",  # a member of the public with an account
    "anonymous",
)
TARGETS = ("district", "shamian", "duobao", "department")

# Who reads an assignment made to each unit: its own staff; the district government's
# staff and leader (units below them); the command centre that supervises it. Never the
# staff of a unit below the assignee (a street does not read the district's).
READERS = {
    "district": {"district_staff", "district_leader", "dispatcher"},
    "shamian": {"shamian", "district_staff", "district_leader", "dispatcher"},
    "duobao": {"duobao", "district_staff", "district_leader", "dispatcher"},
    "department": {"chengguan", "district_staff", "district_leader", "dispatcher"},
}
# Who acts for the assigned unit: its own staff only.
ACTORS = {
    "district": {"district_staff", "district_leader"},
    "shamian": {"shamian"},
    "duobao": {"duobao"},
    "department": {"chengguan"},
}
# The unit inbox pages are for unit staff, street handlers and leaders.
INBOX_PEOPLE = {"shamian", "duobao", "chengguan", "district_staff", "district_leader"}
UNIT_STEPS = ("accept", "return", "extension", "progress", "resolve", "escalate")


@dataclass
class World:
    tree: Tree
    people: dict[str, User | None]
    units: dict[str, Organisation]
    orders: dict[str, WorkOrder] = field(default_factory=dict)
    assignments: dict[str, Assignment] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)

    def dispatch(self, *targets: str) -> None:
        """Take in one hotline order per target and dispatch it to the target's unit (only
        the orders a test needs: intake is the slow part of the set-up)."""
        for target in targets:
            if target in self.assignments:
                continue
            data = order_data(external_id=f"GZ12345-{TARGETS.index(target):04d}")
            order = actions.do_intake(self.people["dispatcher"], data, Channel.HOTLINE).order
            self.assignments[target] = actions.do_dispatch(self.people["dispatcher"], order, self.units[target])[0]
            order.refresh_from_db()
            self.orders[target] = order

    def client(self, name: str) -> Client:
        """One logged-in client per person for the whole test."""
        if name not in self.clients:
            self.clients[name] = _client(self.people[name])
        return self.clients[name]


# The people and units are built once per module (SHARED_PEOPLE_MODULES, root conftest.py);
# each test gets its own copy and dispatches its own orders (rolled back with its savepoint).
def build_shared_data(shared: SharedPeople) -> dict[str, Any]:
    return {"world": build_world(shared.tree)}


@pytest.fixture
def world(tree: Tree, _shared_people: SharedPeople | None) -> World:
    assert _shared_people is not None, "the module must be in SHARED_PEOPLE_MODULES (root conftest.py)"
    world = _shared_people.data["world"]
    assert isinstance(world, World) and world.tree is tree
    return world


def build_world(tree: Tree) -> World:
    duobao = OrganisationFactory(name="多宝街道", kind=OrgKind.STREET, level=OrgLevel.STREET, parent=tree.district_gov)
    units = {"district": tree.district_gov, "shamian": tree.street, "duobao": duobao, "department": tree.department}
    people: dict[str, User | None] = {
        "shamian": UserFactory(username="jiedao", roles=[(Role.STREET_HANDLER, tree.street)]),
        "duobao": UserFactory(username="duobao", roles=[(Role.STREET_HANDLER, duobao)]),
        "chengguan": UserFactory(username="chengban", roles=[(Role.UNIT_STAFF, tree.department)]),
        "district_staff": UserFactory(username="qufu", roles=[(Role.UNIT_STAFF, tree.district_gov)]),
        "district_leader": UserFactory(username="lingdao", roles=[(Role.LEADER, tree.district_gov)]),
        "dispatcher": UserFactory(username="diaodu", roles=[(Role.DISPATCHER, tree.command_centre)]),
        "public": UserFactory(username="qunzhong", roles=[(Role.PUBLIC, None)]),
        "anonymous": None,
    }
    return World(tree, people, units)


def _client(person: User | None) -> Client:
    client = Client()
    if person is not None:
        client.force_login(person)
    return client


def _snapshot(assignment: Assignment) -> tuple[Any, ...]:
    row = Assignment.objects.get(pk=assignment.pk)
    order = WorkOrder.objects.get(pk=assignment.case_id)
    return (
        row.status,
        row.version,
        CaseEvent.objects.filter(case_id=assignment.case_id).count(),
        ExtensionRequest.objects.filter(assignment__case_id=assignment.case_id).count(),
        Assignment.objects.filter(case_id=assignment.case_id).count(),
        order.status,
        order.version,
    )


# --- reading --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", PEOPLE)
def test_who_reads_which_assignment_on_pages_and_api(world: World, name: str) -> None:
    world.dispatch(*TARGETS)
    person = world.people[name]
    client = world.client(name)
    inbox = client.get("/inbox/?workflow=workorder&state=all")  # the shared inbox's work-order tab
    api_list = client.get(f"{URL}/assignments", {"show": "all"})
    listed = {row["id"] for row in api_list.json()["items"]} if api_list.status_code == 200 else set()
    for target in TARGETS:
        assignment, order = world.assignments[target], world.orders[target]
        reads = name in READERS[target]
        detail_url = f"/workorders/inbox/{assignment.pk}/"
        where = f"{name} on the assignment to {target}"
        # The querysets.
        assert Assignment.objects.visible_to(person or _anonymous()).filter(pk=assignment.pk).exists() == reads, where
        assert WorkOrder.objects.visible_to(person or _anonymous()).filter(pk=order.pk).exists() == reads, where
        # The inbox list and its page.
        page = client.get(detail_url)
        if reads and name in INBOX_PEOPLE:
            assert inbox.status_code == 200, where
            assert detail_url in inbox.content.decode(), where
            assert page.status_code == 200, where
        else:
            assert inbox.status_code != 200 or detail_url not in inbox.content.decode(), where
            assert page.status_code in ((302,) if person is None else (403, 404)), where
            assert order.number not in page.content.decode(), where
        # The API: the list, the assignment, the order.
        one = client.get(f"{URL}/assignments/{assignment.pk}")
        the_order = client.get(f"{URL}/{order.number}")
        if reads:
            assert assignment.pk in listed, where
            assert one.status_code == 200, where
            assert the_order.status_code == 200, where
        else:
            assert assignment.pk not in listed, where
            assert one.status_code == (401 if person is None else 404), where
            assert the_order.status_code == (401 if person is None else 404), where


def _anonymous() -> Any:
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def test_a_street_handlers_inbox_holds_only_its_streets_orders(world: World) -> None:
    """The reported fault: 沙面街道's inbox held the district government's orders of other
    streets, with working buttons."""
    world.dispatch(*TARGETS)
    client = world.client("shamian")
    body = client.get("/inbox/?workflow=workorder&state=all").content.decode()
    assert f"/workorders/inbox/{world.assignments['shamian'].pk}/" in body
    for other in ("district", "duobao", "department"):
        assert f"/workorders/inbox/{world.assignments[other].pk}/" not in body, other
    export = client.get("/workorders/inbox/export.xlsx?show=all")
    assert export.status_code == 200
    rows = _xlsx_text(export)
    assert world.orders["shamian"].number in rows
    for other in ("district", "duobao", "department"):
        assert world.orders[other].number not in rows, other


def _xlsx_text(response: Any) -> str:
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    return " ".join(str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c)


@pytest.mark.parametrize("target", TARGETS)
def test_buttons_match_the_right_to_act(world: World, target: str) -> None:
    """The inbox page offers the unit's forms only to the assignee's own staff; everyone
    else who may read it sees it read-only, with a note saying who acts."""
    world.dispatch(target)
    assignment = world.assignments[target]
    accept_form = f'action="/inbox/{assignment.pk}/accept/"'
    for name in sorted(READERS[target] & INBOX_PEOPLE):
        person = world.people[name]
        body = world.client(name).get(f"/workorders/inbox/{assignment.pk}/").content.decode()
        acts = name in ACTORS[target]
        assert (accept_form in body) == acts, name
        assert ('role="note"' in body) == (not acts), name
        assert access.can_act(person, assignment) == acts, name
        expected = ["accept", "return", "progress"] if acts else []
        assert [a for a in access.allowed_actions(person, assignment) if a in UNIT_STEPS] == expected, name


# --- acting ---------------------------------------------------------------------------------
def _prepare(world: World, target: str, step: str) -> Assignment:
    """The assignment in a state where ``step`` is possible (accepted by its unit for the
    extension, the result and the call-up)."""
    world.dispatch(target)
    assignment = world.assignments[target]
    if step in ("extension", "resolve", "escalate"):
        actor = world.people[sorted(ACTORS[target])[0]]
        engine.do_accept(actor, assignment)
    assignment.refresh_from_db()
    return assignment


def _escalate_to(world: World, target: str) -> Organisation:
    return world.units["department"] if target == "district" else world.units["district"]


def _api_call(client: Client, world: World, target: str, step: str, assignment: Assignment) -> Any:
    version = Assignment.objects.get(pk=assignment.pk).version
    until = (assignment.resolve_due or timezone.now()) + timedelta(days=3)
    bodies: dict[str, dict[str, Any]] = {
        "accept": {"note": "签收", "version": version},
        "return": {"reason": "不属于本单位职责", "version": version},
        "extension": {"until": until.isoformat(), "reason": "需协调产权单位", "version": version},
        "progress": {"note": "已到现场查看"},
        "resolve": {"result": "已清理完毕", "photos": [], "version": version},
        "escalate": {"to_unit": _escalate_to(world, target).pk, "reason": "需上级协调", "version": version},
    }
    return client.post(f"{URL}/assignments/{assignment.pk}/{step}", bodies[step], content_type="application/json")


def _page_call(client: Client, world: World, target: str, step: str, assignment: Assignment) -> Any:
    version = Assignment.objects.get(pk=assignment.pk).version
    until = timezone.localtime((assignment.resolve_due or timezone.now()) + timedelta(days=3))
    forms: dict[str, dict[str, Any]] = {
        "accept": {"note": "签收", "version": version},
        "return": {"reason": "不属于本单位职责", "version": version},
        "extension": {"until": until.strftime("%Y-%m-%d %H:%M"), "reason": "需协调产权单位", "version": version},
        "progress": {"note": "已到现场查看"},
        "resolve": {"result": "已清理完毕", "version": version},
        "escalate": {"to_unit": _escalate_to(world, target).pk, "reason": "需上级协调", "version": version},
    }
    if step == "resolve":  # the work orders' own step, on their own page
        return client.post(f"/workorders/inbox/{assignment.pk}/resolve/", forms[step])
    # The generic steps post to the shared inbox's one view (return needs the tick box).
    return client.post(f"/inbox/{assignment.pk}/{step}/", {**forms[step], "confirm": "1"})


class _RollBack(Exception):
    pass


@pytest.mark.parametrize("step", UNIT_STEPS)
@pytest.mark.parametrize("target", TARGETS)
def test_only_the_assignees_own_staff_act(world: World, target: str, step: str) -> None:
    assignment = _prepare(world, target, step)
    for name in PEOPLE:  # log everyone in outside the savepoints below (sessions are rows)
        world.client(name)
    before = _snapshot(assignment)
    for channel, call in (("page", _page_call), ("api", _api_call)):
        for name in PEOPLE:
            if name in ACTORS[target]:
                continue
            person = world.people[name]
            response = call(world.client(name), world, target, step, assignment)
            where = f"{name} may not {step} the assignment to {target} ({channel})"
            if person is None:
                expected = {302} if channel == "page" else {401}
            elif channel == "page" and name not in INBOX_PEOPLE:
                # Members and the public have no inbox (403); the command centre's staff
                # read the shared inbox, so a step there is 403 or 404 as in the API.
                expected = {403, 404}
            else:
                expected = {403} if name in READERS[target] else {404}
            assert response.status_code in expected, (where, response.status_code, response.content[:300])
            if channel == "page" and person is None:
                assert response["Location"].startswith("/accounts/login/"), where
            assert _snapshot(assignment) == before, where
        for name in sorted(ACTORS[target]):
            where = f"{name} may {step} the assignment to {target} ({channel})"
            try:
                with transaction.atomic():
                    response = call(world.client(name), world, target, step, assignment)
                    ok = {302} if channel == "page" else {200, 201}
                    assert response.status_code in ok, (where, response.status_code, response.content[:300])
                    if channel == "page":
                        assert response["Location"] == f"/workorders/inbox/{assignment.pk}/", where
                    assert _snapshot(assignment) != before, where
                    raise _RollBack
            except _RollBack:
                pass
            assert _snapshot(assignment) == before, where


@pytest.mark.parametrize("name", ["shamian", "duobao", "chengguan", "district_staff", "public"])
def test_the_command_centres_steps_stay_with_its_dispatchers(world: World, name: str) -> None:
    """Urging, reassigning and extension decisions are the command centre's, whoever reads
    the assignment; its dispatcher takes them."""
    world.dispatch("shamian")
    assignment = world.assignments["shamian"]
    engine.do_accept(world.people["shamian"], assignment)
    assignment.refresh_from_db()
    extension = engine.do_request_extension(
        world.people["shamian"],
        assignment,
        until=assignment.resolve_due + timedelta(days=3),  # type: ignore[operator]
        reason="需协调",
    )
    assignment.refresh_from_db()
    before = _snapshot(assignment)
    client = world.client(name)
    expected = {403} if name in READERS["shamian"] else {403, 404}
    version = assignment.version
    calls = [
        (f"{URL}/assignments/{assignment.pk}/urge", {"text": "请加快办理"}),
        (
            f"{URL}/assignments/{assignment.pk}/reassign",
            {"to_unit": world.units["duobao"].pk, "reason": "改派", "version": version},
        ),
        (f"{URL}/extension-requests/{extension.pk}/approve", {"note": "同意", "version": version}),
        (f"{URL}/extension-requests/{extension.pk}/refuse", {"reason": "不同意", "version": version}),
    ]
    for url, body in calls:
        response = client.post(url, body, content_type="application/json")
        assert response.status_code in expected, (name, url, response.status_code)
        assert _snapshot(assignment) == before, (name, url)
    page = client.post(f"/workorders/console/{assignment.case_id}/urge/", {"assignment": assignment.pk, "text": "催"})
    assert page.status_code in (403, 404), name
    assert _snapshot(assignment) == before, name
    desk = world.client("dispatcher")
    urged = desk.post(
        f"{URL}/assignments/{assignment.pk}/urge", {"text": "请加快办理"}, content_type="application/json"
    )
    assert urged.status_code == 200


def test_notification_links_lead_only_to_pages_the_reader_may_open(world: World) -> None:
    """A unit's notice opens its assignment; nobody is sent to an assignment of a unit above
    their own (the page would be refused)."""
    from huying.handling import centre
    from huying.handling.models import Notification

    world.dispatch("district")
    district_notice = Notification.objects.filter(assignment=world.assignments["district"]).first()
    assert district_notice is not None
    shamian = world.people["shamian"]
    assert shamian is not None
    assert centre.link_of(shamian, district_notice) is None
    staff = world.people["district_staff"]
    assert staff is not None
    url = centre.link_of(staff, district_notice)
    assert url == f"/workorders/inbox/{world.assignments['district'].pk}/"
    assert world.client("district_staff").get(url).status_code == 200
