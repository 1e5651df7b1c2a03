from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from huying.core.navigation import AREAS, areas_for
from huying.core.startup import demo_progress


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    visible = list(areas_for(user))
    return {
        "shell_tabs": [a for a in visible if a.in_tab_bar],
        "shell_areas": [a for a in visible if not a.in_tab_bar],
        "shell_all_areas": AREAS,
        # Called only by the pages that render the shell: one stat of a missing file.
        "demo_progress": demo_progress,
    }
