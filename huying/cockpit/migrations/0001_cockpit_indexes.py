"""Two indexes for the cockpit's figures (docs/cockpit.md, bench/cockpit.py).

The cockpit owns no table; these indexes sit on the work orders' and the handling engine's
tables, so they are created with SQL here (the models' state is unchanged and the owning
apps' migrations stay theirs):

- ``cockpit_workorder_created``: the orders by creation time carrying the columns the
  cockpit groups and filters by (status, district, street, coordinates), so that today's
  and the month's counts, the 14-day trend and the orders by street are one index-only
  scan (PostgreSQL ``INCLUDE``; SQLite gets the plain column list).
- ``cockpit_feedback_current_created``: the current ratings by creation time. The 三率's
  rating half (``handling.metrics.cohort_feedback`` narrowed to ratings since the period's
  start) otherwise reads the whole feedback table.
"""

from django.db import migrations

INDEXES = {
    "postgresql": [
        "CREATE INDEX IF NOT EXISTS cockpit_workorder_created ON workorders_workorder "
        "(created_at) INCLUDE (status, district_id, street_id, latitude, longitude)",
        "CREATE INDEX IF NOT EXISTS cockpit_feedback_current_created ON handling_feedback (created_at) "
        "WHERE NOT superseded",
    ],
    "other": [
        "CREATE INDEX IF NOT EXISTS cockpit_workorder_created ON workorders_workorder "
        "(created_at, status, district_id, street_id, latitude, longitude)",
        "CREATE INDEX IF NOT EXISTS cockpit_feedback_current_created ON handling_feedback (created_at) "
        "WHERE NOT superseded",
    ],
}
DROP = ["DROP INDEX IF EXISTS cockpit_workorder_created", "DROP INDEX IF EXISTS cockpit_feedback_current_created"]


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    for sql in INDEXES["postgresql" if vendor == "postgresql" else "other"]:
        schema_editor.execute(sql)


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    for sql in DROP:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("workorders", "0007_history_from_audit"),
        ("handling", "0005_caseevent_scope"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
