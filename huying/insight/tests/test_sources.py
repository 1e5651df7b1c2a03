"""The text-source registry and the platform command over real work orders."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from huying.demo.sample_messages import generate_messages
from huying.insight import sources
from huying.insight.topics import Message
from huying.workorders import actions
from huying.workorders.choices import Channel
from huying.workorders.tests.conftest import make_dispatcher, order_data


def test_registry_prefixes_ids_and_filters_by_source(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "_SOURCES", {})
    seen: list[datetime | None] = []

    def letters(since: datetime | None) -> list[Message]:
        seen.append(since)
        return [Message(id="7", text="甲"), Message(id="8", text="乙")]

    sources.register_source("letter", "Letters", letters)
    sources.register_source("post", "Posts", lambda since: [Message(id="1", text="丙")])
    since = datetime(2024, 1, 1)
    assert [m.id for m in sources.collect(since)] == ["letter:7", "letter:8", "post:1"]
    assert [m.id for m in sources.collect(keys=["post"])] == ["post:1"]
    assert seen == [since]
    assert sources.split_id("letter:7") == ("letter", "7")
    with pytest.raises(ValueError):
        sources.register_source("a:b", "x", letters)


def test_work_orders_and_proposals_are_registered() -> None:
    assert {source.key for source in sources.registered()} >= {"workorder", "proposal"}


@pytest.mark.django_db
def test_platform_command_finds_a_topic_in_work_orders(tree: Any, tmp_path: Path) -> None:
    dispatcher = make_dispatcher(tree)
    texts = [
        "翠竹苑旁边工地每天晚上施工到凌晨，噪音太大睡不着",
        "翠竹苑附近的工地半夜还在打桩，吵得老人孩子无法休息",
        "投诉翠竹苑边上工地夜间施工扰民",
        "沙面大街路口有人乱摆卖，占用人行道。",
    ] + [sample.text for sample in generate_messages(12, seed=4)]
    ids = []
    for index, text in enumerate(texts):
        data = order_data(content=text, external_id=f"GZ-{index}", caller_phone=f"138123400{index:02d}")
        ids.append(actions.do_intake(dispatcher, data, Channel.HOTLINE).order.pk)
    output = tmp_path / "topics.csv"
    call_command("platform_hot_topics", "--days", "30", "--source", "workorder", "--output", str(output))
    with output.open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert set(rows[0]["ids"].split()) == {f"workorder:{pk}" for pk in ids[:3]}
    assert rows[0]["place_or_group"] == "翠竹苑"
    with pytest.raises(CommandError, match="nothing"):
        call_command("platform_hot_topics", "--source", "nothing")
