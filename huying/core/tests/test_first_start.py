"""The first start's progress bar: the background demo load writes a file, every page shows
the bar until it says done (huying/core/startup.py, huying/demo/progress.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.test import override_settings
from django.urls import reverse

from huying.core.startup import demo_progress, progress_file
from huying.demo.progress import STEPS, Progress, hold_lock

pytestmark = pytest.mark.django_db


@pytest.fixture
def var(tmp_path):
    with override_settings(DEMO_PROGRESS_FILE=tmp_path / "demo-progress.json"):
        yield tmp_path


def write(data: dict[str, object]) -> None:
    progress_file().write_text(json.dumps(data), encoding="utf-8")


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_no_load_under_way_shows_no_bar(var, client):
    assert demo_progress() is None
    assert 'class="demo-progress' not in client.get("/").content.decode()
    assert client.get(reverse("core:demo_progress")).content.decode().strip() == ""


def test_a_running_load_shows_its_percentage_and_step_in_chinese_and_polls(var, client):
    write({"pid": os.getpid(), "step": "Work orders", "percent": 42})
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<progress id="demo-progress-bar" max="100" value="42">' in page
    assert "正在后台加载演示数据：42%" in page
    assert "工单处置" in page
    assert 'hx-get="/demo-progress"' in page
    partial = client.get(reverse("core:demo_progress")).content.decode()
    assert 'value="42"' in partial


def test_the_bar_disappears_when_the_load_is_done(var, client):
    write({"pid": 1, "done": True, "percent": 100})
    assert demo_progress() is None
    assert client.get(reverse("core:demo_progress")).content.decode().strip() == ""
    assert 'class="demo-progress' not in client.get("/").content.decode()


def test_a_load_whose_process_is_gone_says_it_stopped_and_stops_polling(var, client):
    write({"pid": dead_pid(), "step": "Proposals", "percent": 17})
    progress = demo_progress()
    assert progress is not None and not progress.running
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "演示数据加载在 17% 处中断" in page
    assert "hx-get" not in page.split('class="demo-progress')[1].split(">")[0]


@pytest.mark.parametrize("content", ["", "not json", "[1, 2]", '{"pid": "x", "percent": 3}'])
def test_a_damaged_file_shows_no_bar(var, content):
    progress_file().write_text(content, encoding="utf-8")
    assert demo_progress() is None


def test_the_writer_reports_each_step_in_order_and_finishes(var):
    progress = Progress(enabled=True)
    seen = []
    for key, _label, _weight in STEPS:
        progress.step(key)
        seen.append(json.loads(progress_file().read_text(encoding="utf-8"))["percent"])
    assert seen == sorted(seen) and seen[0] == 0 and seen[-1] < 100
    progress.finish()
    assert json.loads(progress_file().read_text(encoding="utf-8"))["done"] is True


def test_a_disabled_writer_writes_nothing(var):
    Progress(enabled=False).step("workorders", 0.5)
    assert not progress_file().exists()


def test_only_one_loader_holds_the_lock(var):
    first = hold_lock()
    assert first is not None
    try:
        assert hold_lock() is None
    finally:
        first.close()
    again = hold_lock()
    assert again is not None
    again.close()
