"""The shared inbox (待办, ``handling:inbox``) and its one step view (``handling:act``):
荔湾区教育局's staff gina sees her unit's work order and proposal; acting changes the
engine's state and, through the workflow's adapter, the case's status; outsiders are
refused with nothing changed. The workflows' old inbox lists lead here."""

from __future__ import annotations

from typing import Any

from django.test import Client

from huying.core.navigation import entries_for
from huying.handling.choices import Status
from huying.handling.models import Assignment
from huying.handling.tests.conftest import Both
from huying.handling.tests.test_assignments_api import snapshot

INBOX = "/inbox/"


def page(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_the_inbox_lists_both_workflows_with_tabs_and_filters(both: Both) -> None:
    client = page(both.centre.edu_staff)
    body = client.get(INBOX).content.decode()
    assert both.order.number in body and "关于推进中小学课后服务提质的建议" in body
    assert f"/workorders/inbox/{both.order_assignment.pk}/" in body
    assert f"/proposals/inbox/{both.proposal_assignment.pk}/" in body
    assert f'action="/inbox/{both.order_assignment.pk}/accept/"' in body  # a quick accept on each card
    only_orders = client.get(INBOX, {"workflow": "workorder"}).content.decode()
    assert both.order.number in only_orders and "关于推进中小学课后服务提质的建议" not in only_orders
    assert both.order.number not in client.get(INBOX, {"overdue": "1"}).content.decode()
    assert both.order.number not in client.get(INBOX, {"state": "resolved"}).content.decode()
    assert both.order.number in client.get(INBOX, {"state": "all", "order": "due"}).content.decode()
    # Another unit's staff does not see them.
    other = page(both.centre.street_a).get(INBOX).content.decode()
    assert both.order.number not in other and "关于推进中小学课后服务提质的建议" not in other


def test_the_old_inbox_lists_lead_to_the_shared_one(both: Both) -> None:
    client = page(both.centre.edu_staff)
    assert client.get("/workorders/inbox/")["Location"] == "/inbox/?workflow=workorder"
    assert client.get("/proposals/inbox/?show=all")["Location"] == "/inbox/?workflow=proposal&state=all"


def test_one_inbox_entry_for_unit_staff(both: Both) -> None:
    keys = {e.key for e in entries_for(both.centre.edu_staff, "console")}
    assert "inbox" in keys and "workorders_inbox" not in keys and "proposal_inbox" not in keys


def test_acting_moves_the_engine_and_the_case(both: Both) -> None:
    client = page(both.centre.edu_staff)
    a = both.order_assignment
    response = client.post(f"/inbox/{a.pk}/accept/", {"version": a.version, "next": "/inbox/?workflow=workorder"})
    assert response.status_code == 302 and response["Location"] == "/inbox/?workflow=workorder"
    a.refresh_from_db()
    both.order.refresh_from_db()
    assert a.status == Status.ACCEPTED and both.order.status == "in_progress"
    # Without a (safe) next: the workflow's page of the assignment.
    p = both.proposal_assignment
    response = client.post(f"/inbox/{p.pk}/accept/", {"version": p.version, "next": "https://evil.example/"})
    assert response["Location"] == f"/proposals/inbox/{p.pk}/"
    assert Assignment.objects.get(pk=p.pk).status == Status.ACCEPTED


def test_destructive_steps_need_the_confirmation(both: Both) -> None:
    client = page(both.centre.edu_staff)
    a = both.order_assignment
    before = snapshot(a)
    client.post(f"/inbox/{a.pk}/return/", {"reason": "不属本单位职责", "version": a.version})
    assert snapshot(a) == before
    client.post(f"/inbox/{a.pk}/return/", {"reason": "不属本单位职责", "version": a.version, "confirm": "1"})
    assert Assignment.objects.get(pk=a.pk).status == Status.RETURNED


def test_a_field_error_comes_back_as_a_message_and_changes_nothing(both: Both) -> None:
    client = page(both.centre.edu_staff)
    a = both.order_assignment
    before = snapshot(a)
    response = client.post(f"/inbox/{a.pk}/progress/", {"note": ""}, follow=True)
    assert snapshot(a) == before
    assert "message-error" in response.content.decode()


def test_outsiders_are_refused_and_nothing_changes(both: Both, bob: Any, dora: Any) -> None:
    a, p = both.order_assignment, both.proposal_assignment
    before = (snapshot(a), snapshot(p))
    # Another unit's staff: 404; the committee sees the proposal but acts not for the unit: 403.
    assert page(both.centre.street_a).post(f"/inbox/{a.pk}/accept/", {"version": a.version}).status_code == 404
    assert page(bob).post(f"/inbox/{p.pk}/accept/", {"version": p.version}).status_code == 403
    assert page(bob).post(f"/inbox/{a.pk}/accept/", {"version": a.version}).status_code == 404
    # The public have no inbox at all; anonymous visitors log in first.
    assert page(dora).get(INBOX).status_code == 403
    assert page(dora).post(f"/inbox/{a.pk}/accept/", {"version": a.version}).status_code == 403
    anonymous = page().post(f"/inbox/{a.pk}/accept/", {"version": a.version})
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert page().get(INBOX)["Location"].startswith("/accounts/login/")
    assert (snapshot(a), snapshot(p)) == before


def test_supervisors_urge_and_decide_through_the_same_view(both: Both) -> None:
    from datetime import timedelta

    from django.utils import timezone

    gina, diaodu = page(both.centre.edu_staff), page(both.centre.dispatcher)
    a = both.order_assignment
    assert diaodu.post(f"/inbox/{a.pk}/urge/", {"text": "请加快办理"}).status_code == 302
    assert a.events.filter(kind="urged").count() == 1
    until = timezone.localtime(a.resolve_due + timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
    gina.post(f"/inbox/{a.pk}/accept/", {"version": a.version})
    a.refresh_from_db()
    gina.post(f"/inbox/{a.pk}/extend/", {"until": until, "reason": "需协调", "version": a.version})
    request = a.extension_requests.get()
    assert gina.post(f"/inbox/{a.pk}/decide_extension/", {"decision": "approve"}).status_code == 403
    diaodu.post(f"/inbox/{a.pk}/decide_extension/", {"decision": "approve", "extension": request.pk})
    request.refresh_from_db()
    assert request.status == "approved"


def test_the_old_step_addresses_answer_308(both: Both) -> None:
    client = page(both.centre.edu_staff)
    a, p = both.order_assignment, both.proposal_assignment
    response = client.post(f"/workorders/inbox/{a.pk}/extend/", {})
    assert response.status_code == 308 and response["Location"] == f"/inbox/{a.pk}/extension/"
    response = client.post(f"/proposals/inbox/{p.pk}/act/object/", {})
    assert response.status_code == 308 and response["Location"] == f"/inbox/{p.pk}/object/"


def test_the_inbox_offers_only_workflows_that_have_assignments(both: Both) -> None:
    """A policy registered only for its notices' links (``has_assignments=False``: the
    activities') gets no tab and no filter; the workflows with assignments keep theirs."""
    from huying.handling import inbox
    from huying.handling.policy import Policy, policy_for, register, unregister

    assert policy_for("activity").has_assignments is False
    assert policy_for("workorder").has_assignments and policy_for("proposal").has_assignments
    register(Policy(workflow="notices_only", label="仅通知", has_assignments=False))
    try:
        offered = dict(inbox.workflows())
        assert "notices_only" not in offered and "activity" not in offered
        assert {"workorder", "proposal", "opinions"} <= set(offered)
        response = page(both.centre.edu_staff).get(INBOX, {"workflow": "activity"})
        tabs = [key for key, *_ in response.context["tabs"]]
        assert "activity" not in tabs and "notices_only" not in tabs and {"workorder", "proposal"} <= set(tabs)
        assert response.context["workflow"] == ""  # an unknown filter shows every workflow
        body = response.content.decode()
        assert "履职活动" not in body and "仅通知" not in body and both.order.number in body
    finally:
        unregister("notices_only")
