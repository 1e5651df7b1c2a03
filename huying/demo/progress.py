"""Progress of a demo load, written where the pages read it (:mod:`huying.core.startup`).

``make run`` loads a minimal core (the tree, the sectors, the people and the demo logins) and
then the rest in a background process (``manage.py demo_data --background``); that process
reports each step here, and every page shows a progress bar until the file says done. The
file is replaced atomically, so a page never reads half of it. A lock file held by the
loading process keeps a second ``make run`` from starting a second loader.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path
from typing import IO

from django.utils.translation import gettext_noop

from huying.core.startup import progress_file

# The steps of a full load in order, with their share of its time (measured on the full
# scale, docs/operations.md "First start"); labels are translated when a page shows them.
STEPS: list[tuple[str, str, float]] = [
    ("core", gettext_noop("Organisations and people"), 2),
    ("proposals", gettext_noop("Proposals"), 12),
    ("opinions", gettext_noop("Opinion reports"), 6),
    ("activities", gettext_noop("Duty activities"), 8),
    ("consultations", gettext_noop("Remote consultations"), 2),
    ("duty", gettext_noop("Duty records"), 2),
    ("interaction", gettext_noop("Suggestions and debates"), 4),
    ("groups", gettext_noop("Discussion groups"), 3),
    ("reception", gettext_noop("Reception room"), 3),
    ("workorders", gettext_noop("Work orders"), 50),
    ("insight", gettext_noop("Hot topics"), 3),
    ("columns", gettext_noop("Featured columns"), 2),
    ("reports", gettext_noop("Analysis reports"), 3),
]
_TOTAL = sum(weight for _key, _label, weight in STEPS)


class Progress:
    """Reports ``step(key, fraction)`` to the progress file; a no-op unless ``enabled``."""

    def __init__(self, enabled: bool = False, path: Path | None = None) -> None:
        self.enabled = enabled
        self.path = path or progress_file()
        self._written = 0.0
        self._before = {key: sum(w for _k, _l, w in STEPS[:i]) for i, (key, _l, _w) in enumerate(STEPS)}
        self._labels = {key: label for key, label, _w in STEPS}
        self._weights = {key: weight for key, _l, weight in STEPS}

    def step(self, key: str, fraction: float = 0.0) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if fraction and now - self._written < 0.5:  # at most two writes a second within a step
            return
        self._written = now
        done = self._before[key] + self._weights[key] * max(0.0, min(1.0, fraction))
        self._write({"pid": os.getpid(), "step": self._labels[key], "percent": int(100 * done / _TOTAL)})

    def finish(self) -> None:
        if self.enabled:
            self._write({"pid": os.getpid(), "done": True, "percent": 100})

    def _write(self, data: dict[str, object]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data), encoding="utf-8")
        os.replace(temporary, self.path)


def hold_lock(path: Path | None = None) -> IO[str] | None:
    """Take the loader's lock (kept while the returned handle is open), or None when another
    process holds it."""
    lock_path = (path or progress_file()).with_suffix(".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = lock_path.open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle
