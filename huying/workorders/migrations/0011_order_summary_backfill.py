"""Filled the stored daily summary (0010) from the existing orders, assignments and ratings.
The fill moved to 0012, which first widens the category column that today's
``summary.rebuild()`` writes (a rebuild here would not fit the focus categories' codes in
the two characters of 0010). Afterwards the actions keep the summary in step; ``manage.py
rebuild_order_summary`` recomputes it at any time."""

from django.db import migrations


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Done by 0012 (kept so that databases that ran this migration and those that did not
    end in the same state)."""


class Migration(migrations.Migration):
    dependencies = [
        ("workorders", "0010_order_summary"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False)]
