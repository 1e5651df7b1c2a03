"""The production layout's pieces that can be checked inside the suite: the one schedule of
periodic jobs (Celery beat at scale, ``run_periodic`` embedded), the workers' delivery
settings, the health endpoint and the supervisor's programs. The layout itself (processes
killed and restarted) is checked by ``scripts/prod-smoke`` (docs/operations.md)."""

from __future__ import annotations

import configparser
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from celery.schedules import crontab
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from huying.celery import app
from huying.core.periodic import Periodic

ROOT = Path(django_settings.BASE_DIR)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Beijing

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def test_every_scheduled_job_is_a_registered_task() -> None:
    app.loader.import_default_modules()
    schedule = django_settings.CELERY_BEAT_SCHEDULE
    assert {
        "handling-sweep",
        "activity-reminders",
        "clear-sessions",
        "insight-refresh-topics",
        "reception-sweep",
        "reports-monthly",
    } <= set(schedule)
    missing = {name: entry["task"] for name, entry in schedule.items() if entry["task"] not in app.tasks}
    assert missing == {}


def test_workers_take_one_task_at_a_time_and_requeue_a_dead_workers_task() -> None:
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1


def test_periodic_runs_everything_at_start_then_each_job_on_its_own_schedule() -> None:
    clock, ran = Clock(), []
    entries = {
        "sweep": {"task": "t.sweep", "schedule": 300},
        "remind": {"task": "t.remind", "schedule": 600, "kwargs": {"batch": 5}},
        "night": {"task": "t.night", "schedule": crontab(hour=3, minute=30)},
    }
    periodic = Periodic(entries, clock=clock, runner=lambda task, kwargs: ran.append((task, kwargs)))

    wait = periodic.tick()
    assert ran == [("t.sweep", {}), ("t.remind", {"batch": 5}), ("t.night", {})]
    assert wait == 300

    ran.clear()
    clock.advance(seconds=299)
    assert periodic.tick() == 1 and ran == []
    clock.advance(seconds=1)
    periodic.tick()
    assert ran == [("t.sweep", {})]
    clock.advance(seconds=300)
    periodic.tick()
    assert ran == [("t.sweep", {}), ("t.sweep", {}), ("t.remind", {"batch": 5})]

    # The nightly job waits for 03:30 Beijing time (19:30 UTC), once a day.
    ran.clear()
    clock.now = datetime(2026, 3, 2, 19, 29, tzinfo=UTC)
    periodic.tick()
    assert ("t.night", {}) not in ran
    clock.now = datetime(2026, 3, 2, 19, 30, 5, tzinfo=UTC)
    periodic.tick()
    assert ran.count(("t.night", {})) == 1
    clock.advance(hours=1)
    periodic.tick()
    assert ran.count(("t.night", {})) == 1


def test_a_failing_job_is_counted_and_the_others_still_run() -> None:
    clock, ran = Clock(), []

    def runner(task: str, kwargs: dict[str, Any]) -> None:
        if task == "t.broken":
            raise RuntimeError("boom")
        ran.append(task)

    entries = {"broken": {"task": "t.broken", "schedule": 60}, "fine": {"task": "t.fine", "schedule": 60}}
    periodic = Periodic(entries, clock=clock, runner=runner)
    periodic.tick()
    clock.advance(seconds=60)
    periodic.tick()
    assert ran == ["t.fine", "t.fine"]
    assert [(job.name, job.runs, job.failures) for job in periodic.jobs] == [("broken", 2, 2), ("fine", 2, 0)]


def test_periodic_refuses_an_unknown_job_name() -> None:
    with pytest.raises(KeyError, match="unknown job"):
        Periodic({"a": {"task": "t.a", "schedule": 60}}, clock=Clock(), only=["b"])
    with pytest.raises(CommandError, match="unknown job"):
        call_command("run_periodic", "--once", "--only", "nope")


@pytest.mark.django_db
def test_run_periodic_once_runs_the_real_tasks_in_this_process(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("run_periodic", "--once")
    out = capsys.readouterr().out.splitlines()
    assert out[:3] == ["handling-sweep: done", "activity-reminders: done", "clear-sessions: done"]


def test_run_periodic_lists_the_schedule(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("run_periodic", "--list")
    out = capsys.readouterr().out
    assert "handling-sweep: huying.handling.tasks.sweep every 300" in out


@pytest.mark.django_db
def test_health_answers_ok_without_login() -> None:
    answer = Client().get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"database": "ok", "cache": "ok"}
    assert "no-cache" in answer["Cache-Control"]
    assert Client().post("/healthz").status_code == 405


@pytest.mark.django_db
def test_health_answers_503_naming_what_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("redis down")

    monkeypatch.setattr(cache, "set", broken)
    answer = Client().get("/healthz")
    assert answer.status_code == 503
    assert answer.json() == {"database": "ok", "cache": "failed"}


def test_supervisor_keeps_web_two_celery_workers_and_beat_running() -> None:
    conf = configparser.RawConfigParser()
    conf.read(ROOT / "deploy" / "supervisord.conf")
    programs = {section.removeprefix("program:"): conf[section] for section in conf if section.startswith("program:")}
    assert set(programs) == {"web", "celery", "beat"}
    assert all(program.get("autorestart") == "true" for program in programs.values())
    assert "--workers %(ENV_WEB_WORKERS)s --threads %(ENV_WEB_THREADS)s" in programs["web"]["command"]
    assert "huying.wsgi:application" in programs["web"]["command"]
    assert programs["celery"]["numprocs"] == "2" and " worker " in programs["celery"]["command"]
    assert " beat " in programs["beat"]["command"] and programs["beat"].get("numprocs", "1") == "1"
    assert conf["group:huying"]["programs"] == "web,celery,beat"


@pytest.mark.slow
def test_the_wsgi_module_imports_every_view_and_opens_no_database_connection() -> None:
    """``gunicorn --preload`` loads huying.wsgi once in the master: the URLconf is imported
    there, so a worker forked after one died answers at once (scripts/chaos found workers
    killed by the timeout while importing views on their first request), and no database
    connection is opened (the forked workers would share it)."""
    import os
    import subprocess
    import sys

    code = (
        "import sys, huying.wsgi; from django.db import connections; "
        "assert 'huying.workorders.api.orders' in sys.modules, 'views not imported'; "
        "assert all(c.connection is None for c in connections.all()), 'a database connection'; print('ok')"
    )
    env = {**os.environ, "DEBUG": "1"}
    done = subprocess.run(  # noqa: S603 - this interpreter, our own code
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.stdout.strip().endswith("ok"), done.stderr[-2000:]
