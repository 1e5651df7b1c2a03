"""Leave room on each page of ``handling_assignment`` (PostgreSQL ``fillfactor`` 85) so that an
update of a column no index covers — the sweep raising ``supervision_level`` — stays on its
page as a heap-only tuple and writes none of the table's twenty indexes (docs/handling-engine.md,
"The sweep"). New pages follow it at once; existing pages after ``VACUUM FULL handling_assignment``
(a maintenance window). Nothing on SQLite; no model state changes."""

from django.db import migrations


def set_fillfactor(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE handling_assignment SET (fillfactor = 85)")


def reset_fillfactor(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE handling_assignment RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("handling", "0006_sweep_state")]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor, elidable=False)]
