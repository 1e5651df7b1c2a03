"""Settings refuse an upload directory that the static file server would hand out."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings


def test_media_root_inside_the_static_files_is_refused(tmp_path: Path) -> None:
    env = {**os.environ, "DEBUG": "1", "HUYING_VAR_DIR": str(tmp_path), "MEDIA_ROOT": str(tmp_path / "static" / "up")}
    done = subprocess.run(
        [sys.executable, "-c", "import huying.settings"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "MEDIA_ROOT" in done.stderr and "served to everyone" in done.stderr
