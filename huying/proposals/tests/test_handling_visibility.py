"""Who sees and acts on a proposal's assignment (docs/handling-engine.md, "Who sees and acts
on an assignment"): only the assigned unit's own staff act — not the staff of another
department, not a unit below the assignee acting for its parent, not the government above
it (which reads its units' assignments, read only). Pages (POST) and API; a refusal is 403
or 404 and changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from huying.accounts.choices import Role
from huying.accounts.tests.factories import UserFactory
from huying.handling import access
from huying.handling import actions as engine
from huying.handling.models import Assignment, CaseEvent, ExtensionRequest
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.tests.factories import OrganisationFactory
from huying.proposals import actions
from huying.proposals.models import Proposal, Reply
from huying.proposals.tests.test_handling import PDF, assign_single, reply_fields

pytestmark = pytest.mark.django_db
API = "/api/v1/proposals"
# The unit's steps: (page verb, API path, API body), PDF document for the reply.
STEPS = ("accept", "object", "extension", "contact", "reply")


@pytest.fixture
def people(tree: Any, edu: Any, gina: Any, hank: Any) -> dict[str, Any]:
    section = OrganisationFactory(
        name="荔湾区教育局基础教育科", kind=OrgKind.DEPARTMENT, level=OrgLevel.COUNTY, parent=edu
    )
    return {
        "gina": gina,  # 荔湾区教育局: the assigned unit
        "hank": hank,  # 荔湾区卫生健康局: another department
        "section": UserFactory(username="kezhang", roles=[(Role.UNIT_STAFF, section)]),  # below the assignee
        "district": UserFactory(username="qufu", roles=[(Role.UNIT_STAFF, tree.district_gov)]),  # above it
    }


def _client(person: Any) -> Client:
    client = Client()
    client.force_login(person)
    return client


def _snapshot(assignment: Assignment) -> tuple[Any, ...]:
    row = Assignment.objects.get(pk=assignment.pk)
    proposal = Proposal.objects.get(pk=assignment.case_id)
    return (
        row.status,
        row.version,
        CaseEvent.objects.filter(assignment=row).count(),
        ExtensionRequest.objects.filter(assignment=row).count(),
        Reply.objects.filter(assignment=row).count(),
        proposal.events.count(),
        proposal.handling_status,
    )


def _page(client: Client, assignment: Assignment, step: str) -> Any:
    version = Assignment.objects.get(pk=assignment.pk).version
    until = timezone.localtime(timezone.now() + timedelta(days=200)).strftime("%Y-%m-%d")
    forms: dict[str, dict[str, Any]] = {
        "accept": {"version": version},
        "object": {"reason": "不属本单位职责", "version": version},
        "extension": {"until": until, "reason": "需调研", "version": version},
        "contact": {"note": "电话联系提案人", "version": version},
        "reply": {**reply_fields(), "version": version, "document": SimpleUploadedFile("reply.pdf", PDF)},
    }
    if step in ("accept", "object", "extension"):  # the generic steps: the shared inbox's one view
        return client.post(f"/inbox/{assignment.pk}/{step}/", {**forms[step], "confirm": "1"})
    return client.post(f"/proposals/inbox/{assignment.pk}/act/{step}/", forms[step])


def _api(client: Client, assignment: Assignment, step: str) -> Any:
    version = Assignment.objects.get(pk=assignment.pk).version
    url = f"{API}/assignments/{assignment.pk}"
    if step == "reply":
        return client.post(
            f"{url}/reply", {**reply_fields(), "version": version, "document": SimpleUploadedFile("reply.pdf", PDF)}
        )
    until = (timezone.now() + timedelta(days=200)).isoformat()
    bodies: dict[str, dict[str, Any]] = {
        "accept": {"version": version},
        "object": {"reason": "不属本单位职责", "version": version},
        "extension": {"until": until, "reason": "需调研", "version": version},
        "contact": {"note": "电话联系提案人", "version": version},
    }
    return client.post(f"{url}/{step}", bodies[step], content_type="application/json")


def test_reading_the_assignment_of_a_unit(filed: Proposal, bob: Any, edu: Any, people: dict[str, Any]) -> None:
    assignment = assign_single(bob, filed, edu)
    page = f"/proposals/inbox/{assignment.pk}/"
    for name, reads in (("gina", True), ("district", True), ("hank", False), ("section", False)):
        person = people[name]
        client = _client(person)
        inbox = client.get("/inbox/?workflow=proposal&state=all").content.decode()
        listed = [a["id"] for a in client.get(f"{API}/inbox", {"show": "all"}).json()["items"]]
        assert (page in inbox) == reads, name
        assert (assignment.pk in listed) == reads, name
        assert client.get(page).status_code == (200 if reads else 404), name
        assert Proposal.objects.visible_to(person).filter(pk=filed.pk).exists() == reads, name
        assert client.get(f"{API}/{filed.pk}/handling").status_code == (200 if reads else 404), name
        assert access.can_act(person, assignment) == (name == "gina"), name


@pytest.mark.parametrize("step", STEPS)
def test_only_the_assigned_units_own_staff_act(
    filed: Proposal, bob: Any, edu: Any, people: dict[str, Any], step: str
) -> None:
    """Another department (hank) and a section below the assignee (section) do not see the
    assignment (404); the district government above it reads it but may not act (403)."""
    assignment = assign_single(bob, filed, edu)
    before = _snapshot(assignment)
    for name, code in (("hank", 404), ("section", 404), ("district", 403)):
        client = _client(people[name])
        for channel, call in (("page", _page), ("api", _api)):
            response = call(client, assignment, step)
            assert response.status_code == code, (name, step, channel, response.status_code, response.content[:300])
            assert _snapshot(assignment) == before, (name, step, channel)
    # The assigned unit's own staff may (the page and the API share the rule).
    response = _api(_client(people["gina"]), assignment, step)
    assert response.status_code == 200, response.content[:300]
    assert _snapshot(assignment) != before


def test_a_unit_below_cannot_act_for_the_government_it_belongs_to(
    filed: Proposal, bob: Any, tree: Any, people: dict[str, Any]
) -> None:
    """A proposal assigned to the district government: the education bureau below it neither
    sees nor acts on it; the government's own staff do."""
    assignment = assign_single(bob, filed, tree.district_gov)
    before = _snapshot(assignment)
    gina = people["gina"]
    assert not Assignment.objects.visible_to(gina).filter(pk=assignment.pk).exists()
    assert not access.can_act(gina, assignment)
    for step in STEPS:
        for channel, call in (("page", _page), ("api", _api)):
            response = call(_client(gina), assignment, step)
            assert response.status_code == 404, (step, channel, response.status_code)
            assert _snapshot(assignment) == before, (step, channel)
    with pytest.raises(PermissionDenied):
        engine.do_accept(gina, assignment)
    assert _snapshot(assignment) == before
    assert _page(_client(people["district"]), assignment, "accept").status_code == 302
    assert Assignment.objects.get(pk=assignment.pk).status == "accepted"


def test_co_handling_views_only_from_the_co_unit_itself(
    filed: Proposal, bob: Any, edu: Any, health: Any, people: dict[str, Any]
) -> None:
    _lead, co = actions.do_assign(bob, filed, mode="lead", units=[edu], co_units=[health])
    assert co.unit == health
    before = _snapshot(co)
    for name in ("gina", "section", "district"):
        response = _client(people[name]).post(
            f"/proposals/inbox/{co.pk}/act/co_view/", {"view": "建议加强协作", "version": co.version}
        )
        assert response.status_code in (403, 404), name
        assert _snapshot(co) == before, name
    done = _client(people["hank"]).post(
        f"{API}/assignments/{co.pk}/co-view",
        {"view": "建议加强协作", "version": co.version},
        content_type="application/json",
    )
    assert done.status_code == 200, done.content[:300]


def test_read_only_page_for_a_reader_who_may_not_act(
    filed: Proposal, bob: Any, edu: Any, people: dict[str, Any]
) -> None:
    assignment = assign_single(bob, filed, edu)
    accept = f'action="/inbox/{assignment.pk}/accept/"'
    own = _client(people["gina"]).get(f"/proposals/inbox/{assignment.pk}/").content.decode()
    assert accept in own and 'role="note"' not in own
    above = _client(people["district"]).get(f"/proposals/inbox/{assignment.pk}/").content.decode()
    assert accept not in above and 'role="note"' in above
    assert "/act/contact/" not in above and "/act/reply/" not in above
