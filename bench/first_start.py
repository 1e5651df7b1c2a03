"""Benchmark of the first start (issue 13, point 6). Not a test.

    .venv/bin/python -m bench.first_start [--venv PATH] [--port 8671] [--timeout 1800]

Clones this repository's committed HEAD into a temporary directory and runs ``make run`` there
on its own SQLite database and port, then polls the home page and prints:

- **first page**: seconds from ``make run`` until the home page answers 200;
- **complete demo**: seconds until the background demo load says it is done (the progress
  bar's file) and the home page no longer shows the bar;

each next to the 90 s target, with the setup steps' own times from make's output. By default
the clone builds its own virtual environment (``make venv``: pip with its cache, as a fresh
clone does: ``make run`` installs requirements.txt only); ``--venv PATH`` uses an existing one
instead (``make -o PATH/.runtime -o PATH/.installed``, so it
is neither rebuilt nor changed). The server and make are stopped at the end; the clone is
removed. Figures: docs/operations.md "First start".
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

TARGET_SECONDS = 90.0
ROOT = Path(__file__).resolve().parent.parent


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback only
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""
    except (urllib.error.URLError, OSError):
        return 0, ""


def _done(var: Path) -> bool:
    try:
        return bool(json.loads((var / "demo-progress.json").read_text(encoding="utf-8")).get("done"))
    except (OSError, ValueError):
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--venv", help="use this virtual environment instead of building one in the clone")
    parser.add_argument("--port", type=int, default=8671)
    parser.add_argument("--timeout", type=float, default=1800.0, help="give up after this many seconds")
    parser.add_argument("--keep", action="store_true", help="keep the clone (its var/ holds the demo-load log)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="huying-first-start-"))
    clone = workdir / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)  # noqa: S603, S607
    var = clone / "var"
    command = ["make", "run", f"PORT={args.port}", "HOST=127.0.0.1"]
    if args.venv:
        venv = str(Path(args.venv).resolve())
        command = [
            "make",
            "-o",
            f"{venv}/.runtime",
            "-o",
            f"{venv}/.installed",
            "run",
            f"VENV={venv}",
            f"PORT={args.port}",
            "HOST=127.0.0.1",
        ]
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "HUYING_VAR_DIR", "REDIS_URL"}}
    log_path = workdir / "make-run.log"
    url = f"http://127.0.0.1:{args.port}/"
    started = time.monotonic()
    with log_path.open("wb") as log:
        make = subprocess.Popen(  # noqa: S603 - make with fixed arguments
            command, cwd=clone, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    first_page = complete = None
    try:
        while time.monotonic() - started < args.timeout:
            if make.poll() is not None:
                print(f"make run stopped with {make.returncode}; see {log_path}")
                break
            status, body = _get(url)
            now = time.monotonic() - started
            if status == 200 and first_page is None:
                first_page = now
            if first_page is not None and _done(var) and 'class="demo-progress' not in body and status == 200:
                complete = now
                break
            time.sleep(1.0)
    finally:
        try:
            os.killpg(make.pid, signal.SIGINT)
            make.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(make.pid, signal.SIGKILL)
        if complete is None:  # the detached loader of this clone, if it is still at work
            try:
                loader = int(json.loads((var / "demo-progress.json").read_text(encoding="utf-8"))["pid"])
                os.kill(loader, signal.SIGTERM)
            except (OSError, ValueError, KeyError):
                pass
    print(
        f"First start of a fresh clone ({'venv ' + args.venv if args.venv else 'venv built by make'}), load {os.getloadavg()[0]:.1f}"
    )
    print(f"{'measure':<28}{'seconds':>10}{'target':>10}")
    for label, value in (("first page served", first_page), ("complete demo served", complete)):
        shown = f"{value:10.1f}" if value is not None else f"{'—':>10}"
        verdict = "" if value is None else ("  ok" if value < TARGET_SECONDS else "  over")
        print(f"{label:<28}{shown}{TARGET_SECONDS:10.0f}{verdict}")
    demo_log = var / "demo-load.log"
    if demo_log.exists():
        print(demo_log.read_text(encoding="utf-8")[-2000:])
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"clone kept in {clone}")
    return 0 if complete is not None else 1


if __name__ == "__main__":
    sys.exit(main())
