"""A process starts without the heavy libraries (issue 13 point 6).

Every Django process — `migrate`, the demo loader, `runserver` and its reloaded child, each
gunicorn worker and Celery worker, each test worker — imports the apps and the URLconf. The
hot-topic engine, the similarity searches and the report files need scikit-learn, SciPy,
numpy and ReportLab (about a second of imports together); they load them when first used.
"""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings

HEAVY = ("sklearn", "scipy", "reportlab")

PROBE = """
import sys
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns
print(",".join(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def test_the_apps_and_the_urlconf_load_without_scikit_learn_scipy_or_reportlab() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "huying.settings", "DEBUG": "1"}
    result = subprocess.run(  # noqa: S603 - this interpreter with a fixed script
        [sys.executable, "-c", PROBE.format(heavy=HEAVY)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"imported at start-up: {result.stdout.strip()}"


def test_the_engine_is_still_there_when_asked_for() -> None:
    from huying.insight import topics
    from huying.insight.topics import engine

    assert topics.find_topics is engine.find_topics
    assert topics.Message is engine.Message
    assert topics.Parameters is engine.Parameters
