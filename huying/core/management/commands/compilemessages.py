"""Compile the message catalogues with polib, so the build needs no GNU gettext.

Replaces Django's ``compilemessages`` (which shells out to ``msgfmt``); the work is
:func:`huying.core.catalogues.compile_catalogues`, which ``make run`` calls without starting
Django (``python -m huying.core.catalogues``). Refuses a catalogue with fuzzy entries.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from huying.core.catalogues import FuzzyEntries, compile_catalogues


def catalogue_paths() -> list[Path]:
    """Every .po file: each app's ``locale/`` and the project-wide LOCALE_PATHS."""
    dirs = [Path(app.path) / "locale" for app in apps.get_app_configs() if app.name.startswith("huying.")]
    dirs += [Path(d) for d in settings.LOCALE_PATHS]
    return sorted(p for d in dirs for p in d.glob("*/LC_MESSAGES/*.po"))


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/*.po into .mo files (pure Python, no gettext needed)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            compiled = compile_catalogues(catalogue_paths())
        except FuzzyEntries as error:
            raise CommandError(str(error)) from error
        if options["verbosity"] >= 2 or compiled:
            self.stdout.write(f"compiled {compiled} catalogue(s)")
