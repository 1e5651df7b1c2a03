"""huying/core/statements.py: the INSERT built per model is the one Django's insert compiler
builds for the same unsaved object, values and parameters alike (the rows both write are
compared in huying/workorders/tests/test_intake_statement.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import time_machine
from django.db import models, transaction
from django.db.models.expressions import RawSQL

from huying.audit.models import AuditEntry
from huying.core import statements
from huying.handling.models import CaseEvent
from huying.workorders.models import WorkOrder


def _by_compiler(obj: models.Model) -> tuple[str, list[object]]:
    fields = [f for f in obj._meta.local_concrete_fields if not f.generated and f is not obj._meta.auto_field]
    return statements._compiled(obj, fields, transaction.get_connection())


@time_machine.travel(datetime(2026, 3, 2, 8, 30, tzinfo=UTC), tick=False)
def test_the_insert_is_the_compilers_for_each_model_written_together() -> None:
    order = WorkOrder(
        number=RawSQL("SELECT %s || 'x'", ["荔湾-2026-"]),
        channel="hotline",
        external_id="E-1",
        content="路灯不亮",
        district_id=7,
        street_id=8,
        latitude=Decimal("23.126000"),
        longitude=Decimal("113.239000"),
        received_at=datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
    )
    event = CaseEvent(case_type_id=3, case_id=RawSQL("SELECT 41", []), kind="received", data={"来源": "12345"})
    entry = AuditEntry(action="workorder.intake", object_type="workorders.workorder", changes={"a": [1, 2]})
    for obj in (order, event, entry):
        assert _comparable(*statements.insert_sql(obj)) == _comparable(*_by_compiler(obj))


def _comparable(sql: str, params: list[object]) -> tuple[str, list[object]]:
    """psycopg's JSON parameter objects do not compare by value: their values do."""
    return sql, [getattr(p, "obj", p) for p in params]


def test_an_explicit_primary_key_is_written_too() -> None:
    entry = AuditEntry(pk=12345, action="x")
    sql, params = statements.insert_sql(entry)
    assert '"id"' in sql.split("VALUES")[0] and 12345 in params
