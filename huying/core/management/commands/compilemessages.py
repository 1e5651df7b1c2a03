"""Compile the message catalogues with polib, so the build needs no GNU gettext.

Replaces Django's ``compilemessages`` (which shells out to ``msgfmt``). Refuses a
catalogue with fuzzy entries: a fuzzy translation is a guess nobody has checked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def catalogue_paths() -> list[Path]:
    """Every .po file: each app's ``locale/`` and the project-wide LOCALE_PATHS."""
    dirs = [Path(app.path) / "locale" for app in apps.get_app_configs() if app.name.startswith("huying.")]
    dirs += [Path(d) for d in settings.LOCALE_PATHS]
    return sorted(p for d in dirs for p in d.glob("*/LC_MESSAGES/*.po"))


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/*.po into .mo files (pure Python, no gettext needed)."

    def handle(self, *args: Any, **options: Any) -> None:
        compiled = 0
        for po_path in catalogue_paths():
            catalogue = polib.pofile(str(po_path))
            fuzzy = [e.msgid for e in catalogue if "fuzzy" in e.flags and not e.obsolete]
            if fuzzy:
                raise CommandError(f"{po_path}: {len(fuzzy)} fuzzy entries, e.g. {fuzzy[0]!r}; review them first.")
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            catalogue.save_as_mofile(str(mo_path))
            compiled += 1
        if options["verbosity"] >= 2 or compiled:
            self.stdout.write(f"compiled {compiled} catalogue(s)")
