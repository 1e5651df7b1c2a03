"""The stored daily summary of the work orders (huying/workorders/summary.py), filled by
the next migration (0009: its unique key, created at the end of this one, is what the
upsert needs)."""

from decimal import Decimal

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("handling", "0006_sweep_state"),
        ("workorders", "0009_list_covering_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="OrderSummary",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField(verbose_name="day")),
                ("district_id", models.IntegerField(verbose_name="district")),
                ("street_id", models.IntegerField(default=0, verbose_name="street")),
                ("category", models.CharField(default="", max_length=2, verbose_name="first-level category")),
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
                    models.Index(
                        condition=models.Q(("unit_id", 0)),
                        fields=["day", "street_id"],
                        include=(
                            "district_id",
                            "orders_new",
                            "orders_dispatched",
                            "orders_in_progress",
                            "orders_resolved",
                            "orders_closed",
                            "orders_merged",
                            "orders_cancelled",
                            "orders_located",
                            "orders_lat_sum",
                            "orders_lng_sum",
                        ),
                        name="ordersummary_orders_day",
                    ),
                    models.Index(
                        condition=models.Q(("unit_id", 0), _negated=True),
                        fields=["day", "unit_id"],
                        include=(
                            "assigned",
                            "accepted_in_time",
                            "handled",
                            "resolved",
                            "resolved_on_time",
                            "returned",
                            "reopened",
                            "resolved_ever",
                            "tier2",
                            "tier3",
                            "rated",
                            "satisfied",
                            "solved_answered",
                            "solved",
                        ),
                        name="ordersummary_units_day",
                    ),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("day", "district_id", "street_id", "category", "unit_id"), name="ordersummary_key"
                    )
                ],
            },
        ),
    ]
