"""`category_model export`: dispatchers' category decisions become a training file that
`category_model train` reads back, latest decision per order, corrections marked."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from conftest import Tree
from huying.accounts.models import User
from huying.workorders import actions
from huying.workorders.choices import Channel
from huying.workorders.models import Category, WorkOrder
from huying.workorders.tests.conftest import order_data
from huying.workorders.training_data import read_labelled_messages

pytestmark = pytest.mark.django_db


def _order(dispatcher: User, external_id: str, content: str) -> WorkOrder:
    data = order_data(external_id=external_id, content=content, category="")
    return actions.do_intake(dispatcher, data, Channel.HOTLINE).order


def test_export_writes_latest_decisions_readable_by_train(tmp_path: Path, tree: Tree, dispatcher: User) -> None:
    noise = _order(dispatcher, "X-1", "深夜施工噪音扰民，影响休息。")
    stall = _order(dispatcher, "X-2", "路口有人乱摆卖占道经营。")
    _order(dispatcher, "X-3", "还没有派单的工单不应导出。")
    actions.do_dispatch(dispatcher, noise, tree.street, category=Category.objects.get(code="05"))
    actions.do_dispatch(dispatcher, stall, tree.street, category=Category.objects.get(code="010101"))

    target = tmp_path / "out" / "decisions.csv"
    call_command("category_model", "export", "--file", str(target))

    with open(target, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["工单编号", "诉求内容", "一级分类", "分类编码", "调度员修正"]
    by_number = {row[0]: row for row in rows[1:]}
    assert set(by_number) == {noise.number, stall.number}
    assert by_number[stall.number][2:4] == ["市容环境", "010101"]
    assert by_number[noise.number][2] == Category.objects.get(code="05").name

    data = read_labelled_messages(target, ["诉求内容"], "一级分类")
    assert sorted(data.labels) == sorted([Category.objects.get(code="05").name, "市容环境"])


def test_export_xlsx_and_filters(tmp_path: Path, tree: Tree, dispatcher: User) -> None:
    order = _order(dispatcher, "Y-1", "小区垃圾清运不及时。")
    actions.do_dispatch(dispatcher, order, tree.street, category=Category.objects.get(code="02"))

    target = tmp_path / "d.xlsx"
    call_command("category_model", "export", "--file", str(target), "--district", "440103")
    rows = list(load_workbook(target, read_only=True).active.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == [order.number]

    empty = tmp_path / "none.csv"
    call_command("category_model", "export", "--file", str(empty), "--since", "2999-01-01")
    assert len(empty.read_text(encoding="utf-8-sig").splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--since", "yesterday"], "--since must be a date"), (["--district", "999999"], "division code")],
)
def test_export_refuses_bad_filters_and_writes_nothing(tmp_path: Path, args: list[str], message: str) -> None:
    target = tmp_path / "bad.csv"
    with pytest.raises(CommandError, match=message):
        call_command("category_model", "export", "--file", str(target), *args)
    assert not target.exists()
