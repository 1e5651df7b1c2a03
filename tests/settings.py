"""Settings of the test suite: the project's, plus the example workflow that proves a
third workflow plugs into the handling engine without touching it (tests/example_workflow)."""

from huying.settings import *  # noqa: F403
from huying.settings import BASE_DIR, INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.example_workflow"]

# A background demo load of `make run` in the same checkout must not show its bar in the tests.
DEMO_PROGRESS_FILE = BASE_DIR / "var" / "tests-no-demo-progress.json"
