"""Issue 13: the work-order lists at ten million orders. A ``(district, created_at, id)``
index for the whole list and its date ranges, and the status and street indexes rebuilt
to carry the other filter columns (``INCLUDE``, PostgreSQL only; SQLite builds them
without), so capped counts of combined filters are index-only scans."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workorders", "0008_analysis_and_duplicate_links"),
    ]

    operations = [
        # The duplicate search's (district, created_at) index becomes the covering one: its
        # leading columns still serve the candidates' window of days.
        migrations.RemoveIndex(model_name="workorder", name="workorder_district_created"),
        migrations.AddIndex(
            model_name="workorder",
            index=models.Index(
                fields=["district", "created_at", "id"],
                include=["status", "category", "street"],
                name="workorder_district_created",
            ),
        ),
        migrations.RemoveIndex(model_name="workorder", name="workorder_district_status"),
        migrations.AddIndex(
            model_name="workorder",
            index=models.Index(
                fields=["district", "status", "created_at"],
                include=["street", "category"],
                name="workorder_district_status",
            ),
        ),
        migrations.RemoveIndex(model_name="workorder", name="workorder_district_street"),
        migrations.AddIndex(
            model_name="workorder",
            index=models.Index(
                fields=["district", "street", "created_at"],
                include=["status", "category"],
                name="workorder_district_street",
            ),
        ),
    ]
