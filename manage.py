#!/usr/bin/env python
"""Django's command-line entry point.

In a source checkout (the folder holds ``.git``) management commands get the same
development defaults as ``make run`` (``DEBUG=1``) unless the environment says otherwise,
so ``.venv/bin/python manage.py demo_data`` works without knowing the variable. A deployed
copy is not a checkout, and the web and worker processes (gunicorn ``huying.wsgi``,
Celery) never get these defaults: a production start without ``SECRET_KEY`` still refuses.
Set ``DEBUG=0`` to run a command in a checkout as production would.
"""

import os
import sys
from pathlib import Path

DEVELOPMENT_DEFAULTS = {"DEBUG": "1"}


def development_defaults(root: Path, environ: dict[str, str] | os._Environ[str]) -> dict[str, str]:
    """The defaults to add for a command run in ``root``: none outside a source checkout."""
    if not (root / ".git").exists():
        return {}
    return {name: value for name, value in DEVELOPMENT_DEFAULTS.items() if name not in environ}


def main() -> None:
    os.environ.update(development_defaults(Path(__file__).resolve().parent, os.environ))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huying.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
