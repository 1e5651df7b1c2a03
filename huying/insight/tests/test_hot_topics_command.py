"""``manage.py hot_topics``: files in, CSV out, clear errors, no database."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from huying.insight.tests.corpus import generate_corpus
from huying.insight.topics.files import HEADER, parse_time

# No test here is marked django_db: pytest-django fails any database access, which proves
# the command runs without a database or migrations.

COLUMNS = ["留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "点赞数", "反对数"]
OPTIONS = {
    "id_column": "留言编号",
    "text_column": "留言详情",
    "subject_column": "留言主题",
    "time_column": "留言时间",
    "likes_column": "点赞数",
    "dislikes_column": "反对数",
}


@pytest.fixture(scope="module")
def corpus():
    return generate_corpus(tail=120)


def _rows(messages) -> list[list[object]]:
    return [
        [m.id, m.author, m.subject, m.time.strftime("%Y/%m/%d %H:%M:%S"), m.text, m.likes, m.dislikes] for m in messages
    ]


def _write_csv(path: Path, messages, encoding: str) -> Path:
    with path.open("w", encoding=encoding, newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(COLUMNS)
        writer.writerows(_rows(messages))
    return path


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_in_topics_out_best_first(tmp_path: Path, corpus, encoding: str) -> None:
    messages, truth = corpus
    source = _write_csv(tmp_path / "messages.csv", messages, encoding)
    output = tmp_path / "topics.csv"
    call_command("hot_topics", file=str(source), output=str(output), top=5, **OPTIONS)
    assert output.read_text(encoding="utf-8").splitlines()[0] == ",".join(HEADER)
    rows = _read(output)
    assert [row["rank"] for row in rows] == ["1", "2", "3", "4", "5"]
    heats = [float(row["heat"]) for row in rows]
    assert heats == sorted(heats, reverse=True)
    noise = next(row for row in rows if "锦绣华庭" in row["place_or_group"])
    assert set(noise["ids"].split(" ")) == truth["noise"]
    assert " 至 " in noise["time_range"] and noise["description"]
    planted = {key for key, ids in truth.items() for row in rows if ids & set(row["ids"].split())}
    assert planted == set(truth)


def test_xlsx_with_excel_dates_and_numeric_ids(tmp_path: Path, corpus) -> None:
    messages, truth = corpus
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(COLUMNS)
    for number, row in enumerate(_rows(messages), start=1):
        row[0] = number if row[0] in truth["platform"] else row[0]
        row[3] = datetime.strptime(str(row[3]), "%Y/%m/%d %H:%M:%S")
        sheet.append(row)
    source = tmp_path / "messages.xlsx"
    book.save(source)
    output = tmp_path / "topics.csv"
    call_command("hot_topics", file=str(source), output=str(output), **OPTIONS)
    rows = _read(output)
    assert len(rows) <= 20
    platform = next(row for row in rows if "鑫利贷" in row["place_or_group"])
    assert all(member.isdigit() for member in platform["ids"].split())
    assert platform["time_range"].startswith("2024-")


def test_missing_columns_are_listed_and_nothing_is_written(tmp_path: Path, corpus) -> None:
    messages, _ = corpus
    source = _write_csv(tmp_path / "messages.csv", messages[:20], "utf-8")
    output = tmp_path / "topics.csv"
    output.write_text("old", encoding="utf-8")
    options = dict(OPTIONS, text_column="内容", likes_column="赞")
    with pytest.raises(CommandError) as raised:
        call_command("hot_topics", file=str(source), output=str(output), **options)
    assert str(raised.value).startswith("无法读取留言：缺少列：内容, 赞；文件中的列为：留言编号, 留言用户")
    assert output.read_text(encoding="utf-8") == "old"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["messages.csv", "topics.csv"]


def test_unreadable_and_missing_files_fail_clearly(tmp_path: Path) -> None:
    output = tmp_path / "topics.csv"
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("hot_topics", file=str(tmp_path / "none.csv"), output=str(output), **OPTIONS)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    with pytest.raises(CommandError, match="无法打开工作簿"):
        call_command("hot_topics", file=str(broken), output=str(output), **OPTIONS)
    empty = tmp_path / "empty.csv"
    empty.write_text(",".join(COLUMNS) + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match="只有表头"):
        call_command("hot_topics", file=str(empty), output=str(output), **OPTIONS)
    with pytest.raises(CommandError, match="输出文件夹不存在"):
        call_command("hot_topics", file=str(empty), output=str(tmp_path / "no" / "out.csv"), **OPTIONS)
    with translation.override("en"), pytest.raises(CommandError, match="no such file"):
        call_command("hot_topics", file=str(tmp_path / "none.csv"), output=str(output), **OPTIONS)
    assert not output.exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["broken.xlsx", "empty.csv"]


def test_column_names_match_loosely_and_long_fields_are_read(tmp_path: Path, corpus) -> None:
    messages, _ = corpus
    source = tmp_path / "m.csv"
    with source.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow([" ID ", "Text"])
        writer.writerows([[m.id, m.text] for m in messages[:30]] + [["LONG", "长" * 200_000]])
    output = tmp_path / "out.csv"
    call_command("hot_topics", file=str(source), id_column="id", text_column="text", top=100, output=str(output))
    assert "LONG" in output.read_text(encoding="utf-8")


def test_the_command_line_as_the_issue_states(tmp_path: Path, corpus) -> None:
    messages, _ = corpus
    source = _write_csv(tmp_path / "m.csv", messages[:60], "utf-8-sig")
    output = tmp_path / "out.csv"
    call_command(
        "hot_topics",
        "--file", str(source), "--id-column", "留言编号", "--text-column", "留言详情",
        "--subject-column", "留言主题", "--time-column", "留言时间",
        "--likes-column", "点赞数", "--dislikes-column", "反对数", "--top", "3", "--output", str(output),
    )  # fmt: skip
    assert len(_read(output)) == 3


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019-01-02 03:04:05", datetime(2019, 1, 2, 3, 4, 5)),
        ("2019/1/2", datetime(2019, 1, 2)),
        ("2019/1/2 3:04:05", datetime(2019, 1, 2, 3, 4, 5)),
        ("2019-01-02", datetime(2019, 1, 2)),
        ("2019年1月2日", datetime(2019, 1, 2)),
        ("2019-01-02T03:04:05+08:00", datetime(2019, 1, 2, 3, 4, 5)),
        (43467, datetime(2019, 1, 2)),
        ("43467.5", datetime(2019, 1, 2, 12)),
        (datetime(2019, 1, 2, 3, 4), datetime(2019, 1, 2, 3, 4)),
        ("", None),
        ("yesterday", None),
        (None, None),
    ],
)
def test_time_formats(value: object, expected: datetime | None) -> None:
    assert parse_time(value) == expected
