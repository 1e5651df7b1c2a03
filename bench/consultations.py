"""Benchmark of a live consultation's page (not a test): 500 viewers polling its updates.

    .venv/bin/python -m bench.consultations [--viewers 500] [--seconds 30] [--workers 4]
        [--redis redis://127.0.0.1:6379/15] [--database-url sqlite:///var/bench_consultations.sqlite3]

It makes (once) a database with a live consultation open to signed-in viewers and one
signed-in session for each viewer, starts gunicorn with sync workers on a loopback port
(the way the platform is deployed), and runs ``--viewers`` simulated viewers, each a
thread with ``http.client`` doing what the page's script does: ask for
``live.json?after=<last id seen>&t=<viewing ticket>`` (no cookie) with the last ETag, read the answer, wait the page's
poll interval (2.5 s) after it, again. Meanwhile the staff post an update every 3 s
through the real action (``do_post_update``, in this process: the cache is shared).

It prints, and :func:`run` returns:

- the poll's latency (p50/p95/p99/max, ms) under that load, the throughput and the share
  of 304 answers, and as a baseline measured in the same run the latency with one viewer;
- the delay from an update's commit to each viewer having it (p50/p95/max, s) and the
  share of (viewer, update) pairs seen within 5 s;
- the load average: the viewers' threads run on the same 2 cores as the server.

With ``--redis URL`` (or ``REDIS_URL`` set) the cache is Redis, otherwise the platform's
database cache. Figures are recorded in docs/consultations.md.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = f"sqlite:///{ROOT / 'var' / 'bench_consultations.sqlite3'}"
POLL_SECONDS = 2.5
POST_EVERY = 3.0
TOPIC = "基准测试：远程协商图文直播"


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _env(url: str, redis: str) -> dict[str, str]:
    env = {
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-consultations-not-a-secret-0123456789abcdef",
        "HTTPS": "0",
        "REQUIRE_2FA": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SETTINGS_MODULE": "huying.settings",
    }
    if redis:
        env["REDIS_URL"] = redis
    else:
        env["REDIS_URL"] = ""
    return env


def _setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def prepare(viewers: int) -> tuple[int, list[str], Any]:
    """The live consultation, ``viewers`` public users with the page's viewing ticket each,
    and the staff."""
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from huying.accounts.choices import Role
    from huying.accounts.models import RoleAssignment, User
    from huying.consultations import actions
    from huying.consultations.models import Consultation
    from huying.organisations.choices import OrgKind, OrgLevel
    from huying.organisations.models import Organisation

    cppcc = Organisation.objects.filter(name="基准省政协").first()
    if cppcc is None:
        from huying.organisations.actions import do_create_organisation

        cppcc = do_create_organisation(None, name="基准省政协", kind=OrgKind.CPPCC, level=OrgLevel.PROVINCE)
        committee = do_create_organisation(
            None, name="基准经济委员会", kind=OrgKind.SPECIAL_COMMITTEE, level=OrgLevel.PROVINCE, parent=cppcc
        )
    else:
        committee = Organisation.objects.get(name="基准经济委员会")
    staff = User.objects.filter(username="bench-staff").first()
    if staff is None:
        from huying.accounts.actions import do_assign_role, do_create_user

        staff = do_create_user(None, username="bench-staff", real_name="基准工作人员", password="bench-staff-pw-1")  # noqa: S106 (a local benchmark account)
        do_assign_role(None, staff, Role.AGENCY_STAFF, cppcc)
    consultation = Consultation.objects.filter(topic=TOPIC).first()
    if consultation is None:
        now = timezone.now()
        consultation = actions.do_create_consultation(
            staff,
            topic=TOPIC,
            kind="thematic",
            organiser=committee,
            starts_at=now,
            ends_at=now + datetime.timedelta(hours=3),
            video_url="https://meeting.tencent.com/dm/000000000",
            public_viewing=True,
        )
        actions.do_publish(staff, consultation)
        actions.do_open(staff, consultation)
    have = User.objects.filter(username__startswith="bench-viewer-").count()
    if have < viewers:
        password = make_password("bench-viewer-pw")
        users = User.objects.bulk_create(
            User(username=f"bench-viewer-{i:05d}", real_name=f"观众{i}", password=password)
            for i in range(have, viewers)
        )
        RoleAssignment.objects.bulk_create(RoleAssignment(user=u, role=Role.PUBLIC) for u in users)
    # What the page gives each viewer: the signed viewing ticket its poller sends.
    from huying.consultations.live import ticket

    users = User.objects.filter(username__startswith="bench-viewer-").order_by("username")[:viewers]
    tickets = [ticket(consultation.pk, user.pk) for user in users]
    return consultation.pk, tickets, staff


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(env: dict[str, str], workers: int) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "huying.wsgi",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--backlog",
        "2048",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})  # noqa: S603 (our own gunicorn)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server, port
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


@dataclass
class Viewer:
    ticket: str
    last: int = 0
    etag: str = ""
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    seen: dict[int, float] = field(default_factory=dict)  # update id -> when first had


def _poll(port: int, path: str, viewer: Viewer) -> None:
    headers = {"Accept": "application/json"}
    if viewer.etag:
        headers["If-None-Match"] = viewer.etag
    started = time.monotonic()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", f"{path}?after={viewer.last}&t={quote(viewer.ticket)}", headers=headers)
        response = conn.getresponse()
        body = response.read()
        conn.close()
    except OSError:
        viewer.statuses[0] = viewer.statuses.get(0, 0) + 1
        return
    done = time.monotonic()
    viewer.latencies.append((done - started) * 1000)
    viewer.statuses[response.status] = viewer.statuses.get(response.status, 0) + 1
    if response.status == 200:
        viewer.etag = response.getheader("ETag") or ""
        doc = json.loads(body)
        for update in doc["updates"]:
            viewer.seen.setdefault(update["id"], done)
        viewer.last = max(viewer.last, doc["last"])
    elif response.status == 304:
        viewer.etag = response.getheader("ETag") or viewer.etag


def _watch(port: int, path: str, viewer: Viewer, until: float, rng: random.Random) -> None:
    time.sleep(rng.uniform(0, POLL_SECONDS))  # viewers arrive spread over one interval
    while time.monotonic() < until:
        _poll(port, path, viewer)
        time.sleep(POLL_SECONDS)


def _warm_up(port: int, path: str, ticket: str, workers: int) -> None:
    """Until every worker has imported Django and answers quickly."""
    deadline = time.monotonic() + 120
    quick = 0
    while quick < workers * 3 and time.monotonic() < deadline:
        probe = Viewer(ticket)
        _poll(port, path, probe)
        quick = quick + 1 if probe.latencies and probe.latencies[0] < 500 else 0


def _load(port: int, path: str, tickets: list[str], seconds: float, post: Any) -> tuple[list[Viewer], dict[int, float]]:
    rng = random.Random(11)
    viewers = [Viewer(t) for t in tickets]
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(target=_watch, args=(port, path, v, until, random.Random(rng.random())), daemon=True)
        for v in viewers
    ]
    for t in threads:
        t.start()
    posted: dict[int, float] = {}
    time.sleep(POLL_SECONDS * 2)  # everybody is polling
    while time.monotonic() < until - POLL_SECONDS * 3:
        update_id = post()
        posted[update_id] = time.monotonic()
        time.sleep(POST_EVERY)
    for t in threads:
        t.join(timeout=POLL_SECONDS * 4 + 30)
    return viewers, posted


def run(
    viewers: int = 500, seconds: float = 30, workers: int = 4, redis: str = "", url: str = DEFAULT_URL
) -> dict[str, Any]:
    env = _env(url, redis)
    _setup(env)
    from huying.consultations import actions
    from huying.consultations.models import Consultation

    pk, tickets, staff = prepare(viewers)
    consultation = Consultation.objects.get(pk=pk)
    server, port = start_server(env, workers)
    path = f"/consultations/{pk}/live.json"
    counter = iter(range(1, 10**6))

    def post() -> int:
        return actions.do_post_update(staff, consultation, text=f"第{next(counter)}条图文直播").pk

    try:
        _warm_up(port, path, tickets[0], workers)
        single, _ = _load(port, path, tickets[:1], POLL_SECONDS * 4, lambda: 0)
        many, posted = _load(port, path, tickets, seconds, post)
    finally:
        server.terminate()
        server.wait(timeout=30)
    latencies = [ms for v in many for ms in v.latencies]
    statuses: dict[int, int] = {}
    for v in many:
        for code, n in v.statuses.items():
            statuses[code] = statuses.get(code, 0) + n
    delays = [v.seen[i] - at for i, at in posted.items() for v in many if i in v.seen]
    missed = sum(1 for i in posted for v in many if i not in v.seen)
    requests = sum(statuses.values())
    result = {
        "viewers": viewers,
        "workers": workers,
        "cache": "redis" if redis else "database",
        "seconds": seconds,
        "requests": requests,
        "throughput": requests / seconds,
        "ok": statuses.get(200, 0),
        "not_modified": statuses.get(304, 0),
        "errors": requests - statuses.get(200, 0) - statuses.get(304, 0),
        "baseline_p50": _percentile([ms for v in single for ms in v.latencies], 0.5),
        "p50": _percentile(latencies, 0.5),
        "p95": _percentile(latencies, 0.95),
        "p99": _percentile(latencies, 0.99),
        "max": max(latencies) if latencies else float("nan"),
        "updates": len(posted),
        "delay_p50": _percentile(delays, 0.5),
        "delay_p95": _percentile(delays, 0.95),
        "delay_max": max(delays) if delays else float("nan"),
        "within_5s": (sum(1 for d in delays if d <= 5) / (len(delays) + missed)) if delays else 0.0,
        "missed": missed,
        "load": os.getloadavg(),
    }
    return result


def report(r: dict[str, Any]) -> str:
    lines = [
        f"Live consultation: {r['viewers']} viewers polling every {POLL_SECONDS} s for {r['seconds']:.0f} s, "
        f"gunicorn {r['workers']} sync workers, {r['cache']} cache",
        f"{'measure':<44} {'value':>12}",
        f"{'poll requests (200 / 304 / errors)':<44} {r['ok']:>5} / {r['not_modified']} / {r['errors']}",
        f"{'throughput, requests/s':<44} {r['throughput']:>12.0f}",
        f"{'poll latency, one viewer (baseline) p50 ms':<44} {r['baseline_p50']:>12.1f}",
        f"{'poll latency p50 ms':<44} {r['p50']:>12.1f}",
        f"{'poll latency p95 ms':<44} {r['p95']:>12.1f}",
        f"{'poll latency p99 ms':<44} {r['p99']:>12.1f}",
        f"{'poll latency max ms':<44} {r['max']:>12.1f}",
        f"{'updates posted':<44} {r['updates']:>12}",
        f"{'post → seen by a viewer p50 s':<44} {r['delay_p50']:>12.2f}",
        f"{'post → seen by a viewer p95 s':<44} {r['delay_p95']:>12.2f}",
        f"{'post → seen by a viewer max s':<44} {r['delay_max']:>12.2f}",
        f"{'(viewer, update) pairs seen within 5 s':<44} {r['within_5s']:>12.1%}",
        f"{'load average (1/5/15 min)':<44} {' '.join(f'{x:.1f}' for x in r['load']):>12}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--viewers", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL", ""))
    parser.add_argument("--database-url", default=os.environ.get("BENCH_CONSULTATIONS_DATABASE_URL", DEFAULT_URL))
    args = parser.parse_args(argv)
    threading.stack_size(256 * 1024)
    result = run(args.viewers, args.seconds, args.workers, args.redis, args.database_url)
    print(report(result))
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
