"""Compile the message catalogues (.po → .mo) with polib: no GNU gettext and no Django
start-up, so ``make run`` spends a fraction of a second on it (``python -m
huying.core.catalogues``) instead of the seconds a management command needs to import the
project. ``manage.py compilemessages`` (huying/core/management/commands) compiles the same
files through :func:`compile_catalogues`.

Refuses a catalogue with fuzzy entries: a fuzzy translation is a guess nobody has checked.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

import polib

PACKAGE = Path(__file__).resolve().parent.parent


class FuzzyEntries(ValueError):
    """A catalogue still holds fuzzy entries."""


def app_catalogue_paths() -> list[Path]:
    """Every app's ``locale/*/LC_MESSAGES/*.po`` under the ``huying`` package."""
    return sorted(PACKAGE.glob("*/locale/*/LC_MESSAGES/*.po"))


def compile_catalogues(paths: Iterable[Path]) -> int:
    """Write each catalogue's .mo unless it is newer than the .po; returns how many were written."""
    compiled = 0
    for po_path in paths:
        catalogue = polib.pofile(str(po_path))
        fuzzy = [e.msgid for e in catalogue if "fuzzy" in e.flags and not e.obsolete]
        if fuzzy:
            raise FuzzyEntries(f"{po_path}: {len(fuzzy)} fuzzy entries, e.g. {fuzzy[0]!r}; review them first.")
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        catalogue.save_as_mofile(str(mo_path))
        compiled += 1
    return compiled


def main() -> int:
    try:
        compiled = compile_catalogues(app_catalogue_paths())
    except FuzzyEntries as error:
        print(error, file=sys.stderr)
        return 1
    if compiled:
        print(f"compiled {compiled} catalogue(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
