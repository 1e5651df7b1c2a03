"""The shared cache's table (settings ``CACHES``: the database cache when REDIS_URL is not
set), so that ``migrate`` alone prepares a deployment. ``createcachetable`` skips tables
that exist and caches that are not database caches."""

from typing import Any

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps: Any, schema_editor: Any) -> None:
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies: list[tuple[str, str]] = []

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=True)]
