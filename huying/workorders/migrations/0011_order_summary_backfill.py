"""Fill the stored daily summary (0008) from the existing orders, assignments and ratings:
``summary.rebuild()``, three set-based ``INSERT … SELECT`` (docs/cockpit.md gives the time
at a million orders). Afterwards the actions keep it in step; ``manage.py
rebuild_order_summary`` recomputes it at any time."""

from django.db import migrations


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    if not apps.get_model("workorders", "WorkOrder").objects.exists():
        return
    from huying.workorders import summary

    summary.rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("workorders", "0010_order_summary"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False)]
