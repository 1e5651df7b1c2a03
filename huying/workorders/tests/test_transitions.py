from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from huying.audit.models import AuditEntry
from huying.workorders import actions, transitions
from huying.workorders.choices import Channel, OrderStatus
from huying.workorders.tests.conftest import order_data


def test_allowed_and_refused_moves_and_stale_versions(tree: Any, dispatcher: Any) -> None:
    order = actions.do_intake(dispatcher, order_data(), Channel.HOTLINE).order
    with pytest.raises(ValidationError) as illegal:
        transitions.move(dispatcher, order, OrderStatus.CLOSED)
    assert "status" in illegal.value.message_dict
    stale_version = order.version
    transitions.move(dispatcher, order, OrderStatus.DISPATCHED)
    assert order.status == OrderStatus.DISPATCHED and order.version == stale_version + 1
    with pytest.raises(ValidationError) as stale:
        transitions.move(dispatcher, order, OrderStatus.IN_PROGRESS, version=stale_version)
    assert "version" in stale.value.message_dict
    order.refresh_from_db()
    assert order.status == OrderStatus.DISPATCHED
    assert AuditEntry.objects.filter(action="workorder.status").count() == 1
