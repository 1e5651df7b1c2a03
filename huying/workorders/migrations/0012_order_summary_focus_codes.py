"""The daily summary keeps the dashboard's focus categories (六乱, 五类车) down to the order's
own category code (``summary.summary_code``), so the dashboard's breakdown reads from it:
the column widens to a whole code and the summary is rebuilt from the orders (the backfill
of 0011 moved here, after the column is wide enough)."""

from django.db import migrations, models


def rebuild(apps, schema_editor):  # type: ignore[no-untyped-def]
    if not apps.get_model("workorders", "WorkOrder").objects.exists():
        return
    from huying.workorders import summary

    summary.rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("workorders", "0011_order_summary_backfill"),
    ]

    operations = [
        migrations.AlterField(
            model_name="ordersummary",
            name="category",
            field=models.CharField(default="", max_length=6, verbose_name="category"),
        ),
        migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=False),
    ]
