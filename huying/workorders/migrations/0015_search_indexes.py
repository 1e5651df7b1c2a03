"""The search box's indexes: whole caller phones (a partial B-tree, every database) and, on
PostgreSQL, the trigram index of ``SearchText`` (huying/workorders/models.py) — every
character of ``number || ' ' || content || ' ' || address`` written twice, so that two
Chinese characters side by side have trigrams of their own. On a big table build it
beforehand with ``CREATE INDEX CONCURRENTLY`` and the same definition (docs/operations.md)."""

from django.db import migrations, models

INDEX = "workorder_search_text"
CREATE = (
    f"CREATE INDEX IF NOT EXISTS {INDEX} ON workorders_workorder USING gin "
    "((regexp_replace(number || ' ' || content || ' ' || address, '(.)', '\\1\\1', 'g')) gin_trgm_ops)"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("workorders", "0014_status_street_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="workorder",
            index=models.Index(
                condition=models.Q(("caller_phone", ""), _negated=True),
                fields=["caller_phone"],
                name="workorder_caller_phone",
            ),
        ),
        migrations.RunPython(create, drop, elidable=False),
    ]
