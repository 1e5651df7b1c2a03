"""The category model and its command, end to end on CSV and XLSX files."""

from __future__ import annotations

import csv
import re
from io import StringIO
from pathlib import Path

import joblib
import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from huying.demo.sample_messages import CATEGORIES, generate_messages
from huying.workorders import classifier
from huying.workorders.classifier import CategoryModel, CategoryModelError, normalise_text

FIXTURE = Path(__file__).parent / "data" / "hotline_messages.csv"
MACRO_F1_LINE = re.compile(r"^macro_f1=\d\.\d{3}$")


def write_csv(path: Path, rows: list[tuple[str, str]], *, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    with path.open("w", newline="", encoding=encoding) as stream:
        writer = csv.writer(stream, delimiter=delimiter)
        writer.writerow(["编号", "留言详情", "一级标签"])
        for number, (text, label) in enumerate(rows, start=1):
            writer.writerow([number, text, label])
    return path


def write_xlsx(path: Path, rows: list[tuple[str, str]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["编号", "留言详情", "一级标签"])
    for number, (text, label) in enumerate(rows, start=1):
        sheet.append([number, text, label])
    workbook.save(path)
    return path


def synthetic(count: int, seed: int) -> list[tuple[str, str]]:
    return [(message.text, message.category) for message in generate_messages(count, seed=seed)]


def run(*args: str) -> list[str]:
    out = StringIO()
    call_command("category_model", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def figure(lines: list[str], name: str) -> float:
    return float(next(line for line in lines if line.startswith(f"{name}=")).split("=", 1)[1])


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> CategoryModel:
    messages = generate_messages(1500, seed=11)
    return CategoryModel.train([m.text for m in messages], [m.category for m in messages])


# --- the command on files ------------------------------------------------------------------


@pytest.mark.slow  # trains a model end to end
def test_train_and_evaluate_csv_end_to_end(tmp_path: Path) -> None:
    train_file = write_csv(tmp_path / "train.csv", synthetic(1500, seed=1))
    test_file = write_csv(tmp_path / "test.csv", synthetic(400, seed=2))
    model = tmp_path / "model.joblib"
    common = ["--text-column", "留言详情", "--label-column", "一级标签", "--model", str(model)]

    trained = run("train", "--file", str(train_file), *common)
    assert trained[0] == f"Read 1,500 rows from {train_file}: 1,500 used, 0 skipped (empty text or label)."
    assert model.is_file()

    lines = run("evaluate", "--file", str(test_file), *common)
    assert MACRO_F1_LINE.match(lines[-1]), lines[-1]
    # Ten categories, the largest holds a fifth of the messages: chance is far below this.
    assert figure(lines, "accuracy") > 0.8
    assert figure(lines, "macro_f1") > 0.75
    table = "\n".join(lines)
    for category in CATEGORIES:
        assert category in table


@pytest.mark.slow  # trains a model end to end
def test_train_and_evaluate_xlsx_end_to_end(tmp_path: Path) -> None:
    train_file = write_xlsx(tmp_path / "history.xlsx", synthetic(1200, seed=3))
    test_file = write_xlsx(tmp_path / "test.xlsx", synthetic(300, seed=4))
    model = tmp_path / "model.joblib"
    common = ["--text-column", "留言详情", "--label-column", "一级标签", "--model", str(model)]

    run("train", "--file", str(train_file), *common)
    lines = run("evaluate", "--file", str(test_file), *common)
    assert MACRO_F1_LINE.match(lines[-1])
    assert figure(lines, "accuracy") > 0.8


def test_default_model_path_is_under_var_dir(tmp_path: Path, settings) -> None:
    settings.VAR_DIR = tmp_path
    run("train", "--file", str(FIXTURE), "--text-column", "留言详情", "--label-column", "一级标签")
    assert (tmp_path / "models" / "category.joblib").is_file()


def test_hand_written_fixture_skips_rows_without_text_or_label(tmp_path: Path) -> None:
    model = tmp_path / "model.joblib"
    common = ["--file", str(FIXTURE), "--label-column", "一级标签", "--model", str(model)]
    lines = run("train", "--text-column", "留言主题", "--text-column", "留言详情", *common)
    assert lines[0] == f"Read 42 rows from {FIXTURE}: 40 used, 2 skipped (empty text or label)."
    lines = run("evaluate", "--text-column", "留言主题", "--text-column", "留言详情", *common)
    assert figure(lines, "messages") == 40
    assert figure(lines, "accuracy") > 0.9  # its own training data
    assert MACRO_F1_LINE.match(lines[-1])


@pytest.mark.slow  # trains a model end to end
def test_holdout_prints_an_evaluation_of_the_held_out_rows(tmp_path: Path) -> None:
    train_file = write_csv(tmp_path / "train.csv", synthetic(800, seed=5))
    lines = run(
        "train", "--file", str(train_file), "--text-column", "留言详情", "--label-column", "一级标签",
        "--model", str(tmp_path / "m.joblib"), "--holdout", "0.2",
    )  # fmt: skip
    assert any(line.startswith("Trained on 640 messages") for line in lines)
    assert figure(lines, "messages") == 160
    assert MACRO_F1_LINE.match(lines[-1])


@pytest.mark.slow  # trains a model end to end
def test_gb18030_and_tab_separated_exports_are_read(tmp_path: Path) -> None:
    rows = synthetic(300, seed=6)
    for name, encoding, delimiter in (
        ("gbk.csv", "gb18030", ","),
        ("bom.csv", "utf-8-sig", ","),
        ("t.tsv", "utf-8", "\t"),
    ):
        path = write_csv(tmp_path / name, rows, encoding=encoding, delimiter=delimiter)
        lines = run(
            "train", "--file", str(path), "--text-column", "留言详情", "--label-column", "一级标签",
            "--model", str(tmp_path / "m.joblib"),
        )  # fmt: skip
        assert lines[0].startswith("Read 300 rows"), (name, lines[0])


def test_labels_the_model_never_saw_count_as_errors(tmp_path: Path, trained: CategoryModel) -> None:
    model = tmp_path / "m.joblib"
    trained.save(model)
    rows = [*synthetic(100, seed=7), ("退役军人优待证怎么申请", "退役军人事务"), ("公积金怎么提取", "住房公积金")]
    test_file = write_csv(tmp_path / "test.csv", rows)
    lines = run("evaluate", "--file", str(test_file), "--text-column", "留言详情", "--label-column", "一级标签",
                "--model", str(model))  # fmt: skip
    unseen = next(line for line in lines if line.startswith("Labels the model was not trained on"))
    assert "退役军人事务 (1)" in unseen and "住房公积金 (1)" in unseen
    row = next(line for line in lines if line.endswith("  住房公积金"))
    assert row.split()[1] == "0.000"  # recall
    assert MACRO_F1_LINE.match(lines[-1])


# --- bad input --------------------------------------------------------------------------------


def test_missing_column_names_it_and_lists_the_available_ones(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as caught:
        run("train", "--file", str(FIXTURE), "--text-column", "内容", "--label-column", "一级标签",
            "--model", str(tmp_path / "m.joblib"))  # fmt: skip
    message = str(caught.value)
    assert "'内容'" in message
    assert "Available columns: 编号, 留言主题, 留言详情, 一级标签" in message
    assert not (tmp_path / "m.joblib").exists()


def test_missing_label_column_in_xlsx(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "x.xlsx", synthetic(10, seed=8))
    with pytest.raises(CommandError, match="Column '分类' not found"):
        run("evaluate", "--file", str(path), "--text-column", "留言详情", "--label-column", "分类")


@pytest.mark.parametrize("content", [b"", b"\n\n", "\ufeff".encode()])
def test_empty_file_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match="is empty"):
        run("train", "--file", str(path), "--text-column", "留言详情", "--label-column", "一级标签")


def test_header_without_rows_and_empty_workbook_are_refused(tmp_path: Path) -> None:
    header_only = write_csv(tmp_path / "h.csv", [])
    with pytest.raises(CommandError, match="no data rows"):
        run("train", "--file", str(header_only), "--text-column", "留言详情", "--label-column", "一级标签")
    empty_book = tmp_path / "e.xlsx"
    Workbook().save(empty_book)
    with pytest.raises(CommandError, match="is empty"):
        run("train", "--file", str(empty_book), "--text-column", "留言详情", "--label-column", "一级标签")


def test_unreadable_files_are_refused(tmp_path: Path) -> None:
    fake_xlsx = tmp_path / "fake.xlsx"
    fake_xlsx.write_text("not a zip")
    with pytest.raises(CommandError, match="not a readable XLSX"):
        run("train", "--file", str(fake_xlsx), "--text-column", "a", "--label-column", "b")
    binary = tmp_path / "binary.csv"
    binary.write_bytes(bytes(range(128, 256)) * 3)
    with pytest.raises(CommandError, match="encodings tried"):
        run("train", "--file", str(binary), "--text-column", "a", "--label-column", "b")
    with pytest.raises(CommandError, match="File not found"):
        run("train", "--file", str(tmp_path / "nope.csv"), "--text-column", "a", "--label-column", "b")
    with pytest.raises(CommandError, match=r"\.xls file"):
        (tmp_path / "old.xls").write_bytes(b"x")
        run("train", "--file", str(tmp_path / "old.xls"), "--text-column", "a", "--label-column", "b")


def test_evaluate_without_a_model_says_how_to_train(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="category_model train"):
        run("evaluate", "--file", str(FIXTURE), "--text-column", "留言详情", "--label-column", "一级标签",
            "--model", str(tmp_path / "missing.joblib"))  # fmt: skip


def test_corrupt_or_foreign_model_files_raise_a_clear_error(tmp_path: Path, trained: CategoryModel) -> None:
    garbage = tmp_path / "garbage.joblib"
    garbage.write_bytes(b"\x00\x01 this is not a model")
    with pytest.raises(CategoryModelError, match="not a readable category model"):
        CategoryModel.load(garbage)

    truncated = tmp_path / "truncated.joblib"
    trained.save(truncated)
    truncated.write_bytes(truncated.read_bytes()[:500])
    with pytest.raises(CategoryModelError, match="not a readable category model"):
        CategoryModel.load(truncated)

    foreign = tmp_path / "foreign.joblib"
    joblib.dump({"some": "dictionary"}, foreign)
    with pytest.raises(CategoryModelError, match="not a Huying category model"):
        CategoryModel.load(foreign)

    other_version = tmp_path / "old.joblib"
    joblib.dump({"format": classifier.MODEL_FORMAT, "version": 0}, other_version)
    with pytest.raises(CategoryModelError, match="format version 0"):
        CategoryModel.load(other_version)

    with pytest.raises(CommandError, match="not a readable category model"):
        run("evaluate", "--file", str(FIXTURE), "--text-column", "留言详情", "--label-column", "一级标签",
            "--model", str(garbage))  # fmt: skip


def test_failed_training_leaves_the_existing_model_untouched(tmp_path: Path, trained: CategoryModel) -> None:
    model = tmp_path / "model.joblib"
    trained.save(model)
    before = model.read_bytes()
    one_category = write_csv(tmp_path / "one.csv", [("路灯坏了", "城乡建设"), ("井盖丢了", "城乡建设")])
    with pytest.raises(CommandError, match="at least two categories"):
        run("train", "--file", str(one_category), "--text-column", "留言详情", "--label-column", "一级标签",
            "--model", str(model))  # fmt: skip
    assert model.read_bytes() == before


def test_a_crash_while_writing_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, trained: CategoryModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "model.joblib"
    trained.save(model)
    before = model.read_bytes()

    def crash(payload: object, stream, **options: object) -> None:
        stream.write(b"half a model")
        raise OSError("disk full")

    monkeypatch.setattr(classifier.joblib, "dump", crash)
    with pytest.raises(OSError, match="disk full"):
        trained.save(model)
    assert model.read_bytes() == before
    assert [path.name for path in tmp_path.iterdir()] == ["model.joblib"]


# --- the Python API ---------------------------------------------------------------------------


def test_suggest_returns_k_labels_sorted_by_confidence(trained: CategoryModel) -> None:
    suggestions = trained.suggest("多宝街道宝华路的工地晚上12点还在打桩施工，噪音太大睡不着", k=3)
    assert len(suggestions) == 3
    confidences = [confidence for _, confidence in suggestions]
    assert confidences == sorted(confidences, reverse=True)
    assert all(0 <= confidence <= 1 for confidence in confidences)
    assert sum(confidences) <= 1 + 1e-9
    assert len({label for label, _ in suggestions}) == 3
    assert {label for label, _ in suggestions} <= set(CATEGORIES)

    everything = trained.suggest("公司拖欠工资三个月", k=50)
    assert len(everything) == len(trained.labels)
    assert sum(confidence for _, confidence in everything) == pytest.approx(1.0)
    assert everything[0][0] == "劳动和社会保障"
    with pytest.raises(CategoryModelError):
        trained.suggest("anything", k=0)


def test_single_suggestion_matches_the_batch_path(trained: CategoryModel) -> None:
    texts = [m.text for m in generate_messages(30, seed=9)] + ["", "！！！", "ABC 123"]
    batch = trained.probabilities(texts)
    for row, text in zip(batch, texts, strict=True):
        single = dict(trained.suggest(text, k=len(trained.labels)))
        assert [single[label] for label in trained.labels] == pytest.approx(list(row), abs=1e-5)


def test_save_and_load_round_trip(tmp_path: Path, trained: CategoryModel) -> None:
    path = trained.save(tmp_path / "nested" / "dir" / "model.joblib")
    loaded = CategoryModel.load(path)
    assert loaded.labels == trained.labels
    assert loaded.temperature == trained.temperature
    text = "孩子上小学没有学位"
    assert loaded.suggest(text) == trained.suggest(text)


def test_training_refuses_what_it_cannot_learn_from() -> None:
    with pytest.raises(CategoryModelError, match="at least two categories"):
        CategoryModel.train(["a", "b"], ["x", "x"])
    with pytest.raises(CategoryModelError, match="pair up"):
        CategoryModel.train(["a"], ["x", "y"])
    with pytest.raises(CategoryModelError, match="no text"):
        CategoryModel.train(["！", "。"], ["x", "y"])


def test_tiny_training_sets_work_without_calibration() -> None:
    model = CategoryModel.train(["路灯坏了", "公司欠薪", "井盖丢失"], ["城乡建设", "劳动和社会保障", "城乡建设"])
    assert model.temperature == 1.0
    assert model.suggest("路灯又坏了", k=1)[0][0] == "城乡建设"


def test_normalise_text_removes_what_says_nothing_about_the_category() -> None:
    text = "尊敬的领导：我住宝华路１２号，电话13812345678，座机020-81234567，见 http://www.gz.gov.cn/x?a=1 。ＫＴＶ吵"
    normalised = normalise_text(text)
    assert "13812345678" not in normalised and "81234567" not in normalised and "gz.gov" not in normalised
    assert normalised.count(classifier.PHONE_MARK) == 2
    assert classifier.URL_MARK in normalised
    assert "宝华路0号" in normalised
    assert "ktv吵" in normalised
    assert normalise_text("路面\n\t\t坑洼") == "路面坑洼"
