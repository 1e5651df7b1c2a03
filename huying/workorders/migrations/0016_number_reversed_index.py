"""The search's digits-only texts look for the end of an order number (``NumberEndsWith``
in huying/workorders/models.py): on PostgreSQL a B-tree on the reversed number serves it
as a prefix search. Nothing elsewhere (the embedded database reads the few rows it has)."""

from django.db import migrations

INDEX = "workorder_number_reversed"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON workorders_workorder (reverse(number) text_pattern_ops)"
        )
        # The planner needs the statistics of the new indexes' expressions (this one and
        # 0015's) to choose them: without them it reads the whole list for a rare number.
        schema_editor.execute("ANALYZE workorders_workorder")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("workorders", "0015_search_indexes"),
    ]

    operations = [migrations.RunPython(create, drop)]
