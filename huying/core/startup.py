"""The first start as the pages see it: while ``make run`` loads the demo data in a
background process (``manage.py demo_data --background``), that process keeps a small JSON
file up to date and every page shows its progress bar until the load is done.

Only the embedded setup uses it (one machine, one file under ``var/``); the file is written
by the loader (:mod:`huying.demo.progress`) and only read here, so runtime code never
imports the demo.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext


def progress_file() -> Path:
    return Path(settings.DEMO_PROGRESS_FILE)


@dataclass(frozen=True)
class LoadProgress:
    percent: int
    step: str  # translated label of the current step
    running: bool  # False: the loading process is gone before it finished


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def demo_progress() -> LoadProgress | None:
    """The background demo load's progress, or None when no load is under way or it is done
    (one ``stat`` per page when there is none)."""
    path = progress_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError, OSError):
        return None
    if not isinstance(data, dict) or data.get("done"):
        return None
    try:
        percent = max(0, min(99, int(data.get("percent", 0))))
        pid = int(data.get("pid", 0))
    except (TypeError, ValueError):
        return None
    step = str(data.get("step") or "")
    return LoadProgress(percent, gettext(step) if step else "", pid > 0 and _alive(pid))
