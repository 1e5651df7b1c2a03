"""A covering index for "overdue now" (docs/cockpit.md): the open work-order assignments
by order, carrying the columns the overdue test reads (status, the three deadlines, when
it was responded to) and the unit (the scope), so that counting the orders with an overdue
assignment is an index-only scan of the open assignments, never of the million closed
ones. Created with SQL like 0001 (the handling engine's models are unchanged)."""

from django.db import migrations

OPEN = "('assigned', 'accepted', 'responded', 'reopened')"
COLUMNS = "unit_id, status, accept_due, respond_due, resolve_due, responded_at"
WHERE = f"WHERE workflow = 'workorder' AND status IN {OPEN}"


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        sql = f"CREATE INDEX IF NOT EXISTS cockpit_assignment_open ON handling_assignment (case_id) INCLUDE ({COLUMNS}) {WHERE}"
    else:
        sql = f"CREATE INDEX IF NOT EXISTS cockpit_assignment_open ON handling_assignment (case_id, {COLUMNS}) {WHERE}"
    schema_editor.execute(sql)


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    schema_editor.execute("DROP INDEX IF EXISTS cockpit_assignment_open")


class Migration(migrations.Migration):
    dependencies = [
        ("cockpit", "0001_cockpit_indexes"),
        ("handling", "0006_sweep_state"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
