"""The order's stored nearest deadline (huying/workorders/deadlines.py) for the console's
督办 queue: two columns, filled from the open assignments, then their partial index."""

from itertools import groupby
from operator import attrgetter

from django.db import migrations, models

BATCH = 2_000


def backfill(apps, schema_editor):
    """The same computation as ``deadlines.rebuild`` on the historical models."""
    from huying.handling.choices import OPEN_STATUSES
    from huying.workorders.deadlines import nearest

    ContentType = apps.get_model("contenttypes", "ContentType")
    Assignment = apps.get_model("handling", "Assignment")
    WorkOrder = apps.get_model("workorders", "WorkOrder")
    case_type = ContentType.objects.filter(app_label="workorders", model="workorder").first()
    if case_type is None:
        return
    rows = (
        Assignment.objects.filter(case_type=case_type, status__in=OPEN_STATUSES)
        .order_by("case_id")
        .iterator(chunk_size=BATCH)
    )
    pending = []
    for case_id, group in groupby(rows, key=attrgetter("case_id")):
        warn, due = nearest(group)
        if warn is not None:
            pending.append(WorkOrder(pk=case_id, next_warn_at=warn, next_due=due))
        if len(pending) >= BATCH:
            WorkOrder.objects.bulk_update(pending, ["next_warn_at", "next_due"])
            pending = []
    if pending:
        WorkOrder.objects.bulk_update(pending, ["next_warn_at", "next_due"])


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("handling", "0008_redundant_fk_indexes"),
        ("workorders", "0012_order_summary_focus_codes"),
    ]

    operations = [
        migrations.AddField(
            model_name="workorder",
            name="next_due",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="The earliest deadline of a running stage of its open assignments.",
                null=True,
                verbose_name="next deadline",
            ),
        ),
        migrations.AddField(
            model_name="workorder",
            name="next_warn_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When the earliest running deadline of its open assignments turns yellow.",
                null=True,
                verbose_name="next warning",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="workorder",
            index=models.Index(
                condition=models.Q(("next_warn_at__isnull", False)),
                fields=["district", "next_warn_at"],
                include=("next_due", "created_at", "id", "status", "category", "street"),
                name="workorder_district_deadline",
            ),
        ),
    ]
