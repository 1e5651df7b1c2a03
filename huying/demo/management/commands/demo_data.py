from __future__ import annotations

import contextlib
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.utils import translation

from huying.demo.loader import SCALES, describe, is_loaded, load_core, load_demo_data
from huying.demo.logins import print_demo_logins
from huying.demo.progress import Progress, hold_lock


class Command(BaseCommand):
    help = (
        "Load the Guangdong demo dataset (organisation tree, 34 sectors, ~2,000 people, one login per role, "
        "Liwan's routing rules, time limits and ~2,000 work orders in every state, an Open311 demo key). "
        "Idempotent: a second run only checks a marker and prints the logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=sorted(SCALES),
            default="full",
            help="How many people to create: 'full' (default, ~2,000) or 'small' (for tests).",
        )
        parser.add_argument(
            "--orders",
            type=int,
            default=None,
            help="How many demo work orders (default: 2,000 at full scale, 80 at small scale).",
        )
        parser.add_argument(
            "--force", action="store_true", help="Check every piece even when the marker says it is loaded."
        )
        parser.add_argument("--no-logins", action="store_true", help="Do not print the table of demo logins.")
        parser.add_argument(
            "--background",
            action="store_true",
            help=(
                "Load the organisations and people now, then the rest in a background process that "
                "reports its progress to the pages (make run); its log is var/demo-load.log."
            ),
        )
        parser.add_argument(
            "--report-progress",
            action="store_true",
            help="Report the progress to the pages' progress bar (the background process does).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["background"] and not (not options["force"] and is_loaded(options["scale"], options["orders"])):
            self.start_in_background(options)
        else:
            self.load(options)
        if not options["no_logins"]:
            with translation.override(settings.LANGUAGE_CODE):
                print_demo_logins(self.stdout)

    def load(self, options: dict[str, Any]) -> None:
        lock = hold_lock() if options["report_progress"] else None
        if options["report_progress"] and lock is None:
            self.stdout.write("Another process is loading the demo data; nothing to do.")
            return
        progress = Progress(enabled=lock is not None)
        # One INFO line per notification delivered and per in-process Celery task (the work
        # orders' analyses): thousands, none of them news. Warnings and errors still show.
        quiet = [logging.getLogger(name) for name in ("huying.handling.notify", "celery.app.trace")]
        levels = [logger.level for logger in quiet]
        for logger in quiet:
            logger.setLevel(logging.WARNING)
        try:
            with bulk_load_pragmas():
                result = load_demo_data(
                    options["scale"], force=options["force"], orders=options["orders"], progress=progress
                )
            progress.finish()
        finally:
            for logger, level in zip(quiet, levels, strict=True):
                logger.setLevel(level)
            if lock is not None:
                lock.close()
        if result.skipped:
            self.stdout.write(f"Demo data ({result.scale}) is already loaded.")
        else:
            created = ", ".join(describe(result)) or "nothing missing"
            self.stdout.write(f"Demo data ({result.scale}) loaded in {result.seconds:.1f} s: {created}.")
            if options["verbosity"] >= 2:
                for step, seconds in result.steps.items():
                    self.stdout.write(f"  {step:<14} {seconds:7.1f} s")

    def start_in_background(self, options: dict[str, Any]) -> None:
        """The core now (people can log in at once), the rest in a detached process: stopping
        the server does not stop it, and a second ``make run`` does not start a second one
        (the loader's lock); a load that died is completed by the next run."""
        probe = hold_lock()
        if probe is None:  # a loader started by an earlier make run is still at work
            self.stdout.write("The demo data is already loading in the background; the pages show its progress.")
            return
        probe.close()
        with bulk_load_pragmas():
            core = load_core(options["scale"])
        self.stdout.write(
            f"Demo core ({core.scale}) ready in {core.seconds:.1f} s: {', '.join(describe(core)) or 'nothing missing'}."
        )
        # No system checks in the child: the server runs them (make run).
        arguments = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "demo_data", "--report-progress"]
        arguments.append("--skip-checks")
        arguments += ["--no-logins", "--verbosity", "2", "--scale", options["scale"]]
        if options["orders"] is not None:
            arguments += ["--orders", str(options["orders"])]
        if options["force"]:
            arguments.append("--force")
        log_path = Path(settings.VAR_DIR) / "demo-load.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("ab") as log:
            child = subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
                arguments,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=settings.BASE_DIR,
                start_new_session=True,
            )
        # The bar shows from the first page on, before the child has written anything.
        Progress(enabled=True)._write({"pid": child.pid, "step": "Organisations and people", "percent": 1})
        self.stdout.write(
            f"The rest of the demo is loading in the background (process {child.pid}, log {log_path}); "
            "the pages show its progress."
        )


@contextlib.contextmanager
def bulk_load_pragmas() -> Iterator[None]:
    """SQLite only, during the demo load and on this connection only: no fsync at all and a
    larger page cache. A power cut in the middle of the load can cost the database file,
    which is then rebuilt from scratch (make clean && make run); the settings' own pragmas
    come back when the load is over."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:  # SQLite refuses it inside a transaction
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.execute("PRAGMA temp_store=MEMORY")
    try:
        yield
    finally:
        if not connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous=NORMAL")
