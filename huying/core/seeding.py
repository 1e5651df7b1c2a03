"""Seed data that must exist whenever the schema does.

Categories, the holiday calendar and default time limits are inserted by data migrations.
A ``flush`` (an operator's, or the test runner's after every transactional test) empties
them, and the migrations do not run again. Each seeding app therefore also connects its
migration's idempotent ``seed`` function to ``post_migrate``, which Django sends after
``migrate`` and after ``flush``: the database then always holds the seed rows. Seeding only
adds missing rows; it never changes or removes what administrators edited.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def connect_seed(
    app_config: AppConfig, migration: str, models: tuple[str, ...], after: Callable[[], None] | None = None
) -> None:
    """Run ``seed(apps, schema_editor)`` of ``<app>.migrations.<migration>`` after every
    migrate/flush of the app, when the tables of ``models`` exist."""
    module = importlib.import_module(f"{app_config.name}.migrations.{migration}")

    def reseed(sender: AppConfig, using: str = "default", apps: Any = None, **kwargs: Any) -> None:
        if apps is None:  # flush sends no migration state: the current models are right
            from django.apps import apps as global_apps

            apps = global_apps
        try:
            model_classes = [apps.get_model(app_config.label, name) for name in models]
        except LookupError:  # migrated back to before the seeded models existed
            return
        existing = set(connections[using].introspection.table_names())
        if not all(m._meta.db_table in existing for m in model_classes):
            return
        module.seed(apps, None)
        if after is not None:
            after()

    post_migrate.connect(reseed, sender=app_config, weak=False, dispatch_uid=f"huying-seed-{app_config.label}")
