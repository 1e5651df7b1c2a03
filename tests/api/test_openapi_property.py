"""Property-based test of the REST API against its own OpenAPI document (schemathesis).

For every operation of /api/v1, schemathesis generates requests from the document and sends
them in process (WSGI) with an API token of a person who is an administrator, a dispatcher
and CPPCC staff at once, on a small data set made with the factories. It fails on any 5xx
answer and on any answer the document does not describe (undocumented status code, wrong
content type, body not matching the schema). Bounded and deterministic: a fixed number of
examples per operation, derandomized (the same requests on every run), a few minutes on
two cores, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from ninja.responses import NinjaJSONEncoder
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from huying.accounts.actions import do_create_api_token
from huying.accounts.choices import Role
from huying.accounts.tests.factories import UserFactory
from huying.api import api
from huying.core.tests.cache import clear_cache
from huying.proposals import actions as proposal_actions
from huying.proposals.actions import do_create_session, do_save_draft
from huying.workorders import actions as order_actions
from huying.workorders.choices import Channel
from huying.workorders.tests.conftest import order_data

pytestmark = pytest.mark.django_db(transaction=False)

# Examples per operation: enough to reach the edges of each input (empty, huge, NUL, past
# 64 bits), few enough for a few minutes over ~100 operations.
EXAMPLES = 12
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def api_data(tree: Any, settings: Any, tmp_path: Any) -> dict[str, Any]:
    """One district with a dispatched work order, a CPPCC session with a filed proposal, and
    a person holding the administrator, dispatcher and CPPCC staff roles."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.WORKORDERS_CATEGORY_MODEL = str(tmp_path / "no-model.joblib")
    clear_cache()
    tree.district_gov.division_code = "440103"
    tree.district_gov.save(update_fields=["division_code"])
    staff = UserFactory(
        username="tester",
        roles=[
            (Role.ADMIN, tree.province_gov),
            (Role.DISPATCHER, tree.command_centre),
            (Role.AGENCY_STAFF, tree.province_cppcc),
        ],
    )
    member = UserFactory(username="member", roles=[(Role.MEMBER, tree.province_cppcc)])
    order = order_actions.do_intake(staff, order_data(district="440103"), Channel.HOTLINE).order
    order_actions.do_dispatch(staff, order, tree.street)
    session = do_create_session(
        None,
        cppcc=tree.province_cppcc,
        term=13,
        number=3,
        is_current=True,
        window_opens=datetime.date(2000, 1, 1),
        window_closes=datetime.date(2000, 1, 31),
    )
    proposal = do_save_draft(
        member,
        session=session,
        title="关于加强老旧小区加装电梯工作的建议",
        summary="电梯",
        situation="老旧小区多，加装电梯进展慢。",
        analysis="审批环节多，费用分摊难。",
        suggestions="简化审批，完善补贴。",
    ).proposal
    proposal_actions.do_submit(member, proposal)
    proposal_actions.do_file(staff, proposal)
    return {"staff": staff}


def _load_schema() -> Any:
    """The document as served, loaded without a request (collection has no database); the
    requests go to the Django application in process."""
    document = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/"), cls=NinjaJSONEncoder))
    loaded = schemathesis.openapi.from_dict(document)
    loaded.app = WSGIHandler()
    return loaded


schema = _load_schema()


def _check_operation(operation: Any, token: str) -> None:
    @given(case=operation.as_strategy())
    @hypothesis_settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    def check(case: Any) -> None:
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

    check()


@pytest.fixture
def in_process_requests() -> Iterator[None]:
    """Keep the test's database connection across the requests, as Django's test client
    does: the handler would close it when a request ends (PostgreSQL: "connection is
    closed", and the test's transaction with it)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_every_operation_answers_as_documented(api_data: dict[str, Any], in_process_requests: None) -> None:
    """One test over all operations, so the data set is made once; every operation's
    failure is reported, not only the first."""
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 90
    for operation in operations:
        # A fresh token each time: an earlier operation may have revoked the last one
        # (schemathesis tries DELETE /accounts/tokens/{id} with small ids).
        token = do_create_api_token(api_data["staff"], api_data["staff"], "schemathesis")[1]
        try:
            _check_operation(operation, token)
        except (Exception, BaseExceptionGroup) as exc:  # collected and reported together below
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
