"""The stored daily summary of the work orders (huying/workorders/summary.py), filled from
the existing orders, assignments and ratings by ``summary.rebuild()``: three set-based
``INSERT … SELECT`` (docs/cockpit.md gives the time at a million orders). Afterwards the
actions keep it in step; ``manage.py rebuild_order_summary`` recomputes it at any time."""

from decimal import Decimal

from django.db import migrations, models


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    if not apps.get_model("workorders", "WorkOrder").objects.exists():
        return
    from huying.workorders import summary

    summary.rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("handling", "0006_sweep_state"),
        ("workorders", "0007_history_from_audit"),
    ]

    operations = [
        migrations.CreateModel(
            name="OrderSummary",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField(verbose_name="day")),
                ("district_id", models.IntegerField(verbose_name="district")),
                ("street_id", models.IntegerField(default=0, verbose_name="street")),
                ("category_id", models.IntegerField(default=0, verbose_name="category")),
                ("unit_id", models.IntegerField(default=0, verbose_name="unit")),
                ("orders_new", models.IntegerField(db_default=0, default=0)),
                ("orders_dispatched", models.IntegerField(db_default=0, default=0)),
                ("orders_in_progress", models.IntegerField(db_default=0, default=0)),
                ("orders_resolved", models.IntegerField(db_default=0, default=0)),
                ("orders_closed", models.IntegerField(db_default=0, default=0)),
                ("orders_merged", models.IntegerField(db_default=0, default=0)),
                ("orders_cancelled", models.IntegerField(db_default=0, default=0)),
                ("orders_located", models.IntegerField(db_default=0, default=0)),
                (
                    "orders_lat_sum",
                    models.DecimalField(db_default=Decimal("0"), decimal_places=6, default=Decimal("0"), max_digits=20),
                ),
                (
                    "orders_lng_sum",
                    models.DecimalField(db_default=Decimal("0"), decimal_places=6, default=Decimal("0"), max_digits=20),
                ),
                ("assigned", models.IntegerField(db_default=0, default=0)),
                ("accepted_in_time", models.IntegerField(db_default=0, default=0)),
                ("handled", models.IntegerField(db_default=0, default=0)),
                ("resolved", models.IntegerField(db_default=0, default=0)),
                ("resolved_on_time", models.IntegerField(db_default=0, default=0)),
                ("returned", models.IntegerField(db_default=0, default=0)),
                ("reopened", models.IntegerField(db_default=0, default=0)),
                ("resolved_ever", models.IntegerField(db_default=0, default=0)),
                ("tier2", models.IntegerField(db_default=0, default=0)),
                ("tier3", models.IntegerField(db_default=0, default=0)),
                ("rated", models.IntegerField(db_default=0, default=0)),
                ("satisfied", models.IntegerField(db_default=0, default=0)),
                ("solved_answered", models.IntegerField(db_default=0, default=0)),
                ("solved", models.IntegerField(db_default=0, default=0)),
            ],
            options={
                "verbose_name": "order summary",
                "verbose_name_plural": "order summaries",
                "indexes": [
                    models.Index(fields=["unit_id", "day"], name="ordersummary_unit_day"),
                    models.Index(fields=["district_id", "day"], name="ordersummary_district_day"),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("day", "district_id", "street_id", "category_id", "unit_id"), name="ordersummary_key"
                    )
                ],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
    ]
