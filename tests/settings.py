"""Settings of the test suite: the project's, plus the example workflow that proves a
third workflow plugs into the handling engine without touching it (tests/example_workflow)."""

from huying.settings import *  # noqa: F403
from huying.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.example_workflow"]
