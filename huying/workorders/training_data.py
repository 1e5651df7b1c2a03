"""Read labelled messages (text + category) from a CSV or XLSX export of a hotline system.

Old systems export whatever they export: UTF-8 with or without a byte-order mark, GB18030
from Excel on a Chinese Windows, commas or tabs, several text columns (subject and details),
numbers as categories. The reader takes them all and explains precisely what it cannot
take: which column is missing and which ones exist, which encoding it tried.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CSV_ENCODINGS = ("utf-8", "utf-8-sig", "gb18030")
CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}


class TrainingDataError(Exception):
    """The file cannot be read as labelled messages; the message names the problem."""


@dataclass(frozen=True)
class LabelledMessages:
    texts: list[str]
    labels: list[str]
    rows: int  # data rows read, header excluded
    skipped: int  # rows without text or without label

    @property
    def used(self) -> int:
        return len(self.texts)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value).strip()


def _header_name(value: Any) -> str:
    return _cell_text(value).lstrip("\ufeff").strip()


def _decode(path: Path) -> str:
    raw = path.read_bytes()
    for encoding in CSV_ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TrainingDataError(f"{path} is not text in any of the encodings tried ({', '.join(CSV_ENCODINGS)}).")


def _csv_rows(path: Path) -> Iterator[list[str]]:
    text = _decode(path)
    if path.suffix.lower() == ".tsv":
        delimiter = "\t"
    else:
        first_line = text.lstrip("\ufeff").split("\n", 1)[0]
        # The header decides: a tab-separated export has tabs there and, usually, no commas.
        candidates = {delimiter: first_line.count(delimiter) for delimiter in (",", "\t", ";", "|")}
        delimiter = max(candidates, key=lambda key: candidates[key]) if any(candidates.values()) else ","
    csv.field_size_limit(16 * 1024 * 1024)
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as error:
        raise TrainingDataError(f"{path} is not a readable CSV file: {error}") from error


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as error:
        raise TrainingDataError(f"{path} is not a readable XLSX workbook ({type(error).__name__}).") from error
    try:
        if not workbook.worksheets:
            return
        sheet = workbook.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):  # exports from other tools often declare a wrong range
            sheet.reset_dimensions()
        for row in sheet.iter_rows(values_only=True):
            yield [_cell_text(value) for value in row]
    finally:
        workbook.close()


def iter_rows(path: Path) -> Iterator[list[str]]:
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return _csv_rows(path)
    if suffix in XLSX_SUFFIXES:
        return _xlsx_rows(path)
    if suffix == ".xls":
        raise TrainingDataError(f"{path} is an old Excel .xls file: save it as .xlsx or .csv first.")
    raise TrainingDataError(f"{path}: unsupported file type {suffix or '(none)'}; use .csv, .tsv or .xlsx.")


def read_labelled_messages(path: str | Path, text_columns: Sequence[str], label_column: str) -> LabelledMessages:
    """Texts and labels of every row that has both; several text columns are joined.

    Raises TrainingDataError for a missing or unreadable file, a missing column (naming it
    and listing the columns there are) and a file without data rows.
    """
    source = Path(path)
    if not source.is_file():
        raise TrainingDataError(f"File not found: {source}")
    rows = iter_rows(source)
    header: list[str] | None = None
    for row in rows:
        names = [_header_name(cell) for cell in row]
        if any(names):
            header = names
            break
    if header is None:
        raise TrainingDataError(f"{source} is empty: expected a header row naming the columns.")

    available = [name for name in header if name]
    positions: dict[str, int] = {}
    for column in [*text_columns, label_column]:
        wanted = column.strip()
        if wanted in header:
            positions[column] = header.index(wanted)
            continue
        folded = [name.casefold() for name in header]
        if wanted.casefold() in folded:
            positions[column] = folded.index(wanted.casefold())
            continue
        raise TrainingDataError(
            f"Column {column!r} not found in {source}. Available columns: {', '.join(available) or '(none)'}."
        )

    texts: list[str] = []
    labels: list[str] = []
    total = skipped = 0
    for row in rows:
        if not any(cell.strip() for cell in row):
            continue  # blank lines between records are not rows
        total += 1

        def cell(column: str, row: list[str] = row) -> str:
            index = positions[column]
            return row[index].strip() if index < len(row) else ""

        text = "\n".join(part for part in (cell(column) for column in text_columns) if part)
        label = cell(label_column)
        if not text or not label:
            skipped += 1
            continue
        texts.append(text)
        labels.append(label)
    if total == 0:
        raise TrainingDataError(f"{source} has a header but no data rows.")
    return LabelledMessages(texts=texts, labels=labels, rows=total, skipped=skipped)


@dataclass(frozen=True)
class ExportSummary:
    rows: int
    corrected: int


EXPORT_HEADER = ("工单编号", "诉求内容", "一级分类", "分类编码", "调度员修正")


def export_dispatch_decisions(path: Path, *, since: str | None = None, district: str | None = None) -> ExportSummary:
    """Write the latest dispatch decision of every order as a labelled message.

    The label is the first-level name of the category the dispatcher chose (confirmed or
    corrected); that is what ``CategoryModel`` learns. One row per order, oldest first;
    written to a temporary file and moved into place, so a failure leaves no half file.
    """
    import os
    import tempfile

    from django.db.models import Max

    from huying.workorders.models import Category, DispatchDecision

    decisions = DispatchDecision.objects.all()
    if since:
        try:
            day = datetime.date.fromisoformat(since)
        except ValueError as error:
            raise TrainingDataError(f"--since must be a date like 2026-01-01, not {since!r}.") from error
        decisions = decisions.filter(created_at__date__gte=day)
    if district:
        from huying.organisations.models import Organisation

        found = Organisation.objects.filter(division_code=district).first()
        if found is None:
            raise TrainingDataError(f"No organisation has the division code {district!r}.")
        decisions = decisions.filter(order__district=found)
    latest = decisions.values("order_id").annotate(last=Max("id")).values("last")
    rows = (
        DispatchDecision.objects.filter(id__in=latest).select_related("order", "chosen_category").order_by("order_id")
    )
    first_level = {c.code: c.name for c in Category.objects.filter(level=1)}
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    records: list[tuple[str, str, str, str, str]] = []
    corrected = 0
    for decision in rows.iterator(chunk_size=2000):
        code = decision.chosen_category.code
        fix = decision.category_corrected
        corrected += bool(fix)
        records.append(
            (decision.order.number, decision.order.content, first_level.get(code[:2], ""), code, "是" if fix else "否")
        )
    fd, temporary = tempfile.mkstemp(dir=target.parent, suffix=target.suffix)
    os.close(fd)
    try:
        if target.suffix.lower() in XLSX_SUFFIXES:
            from openpyxl import Workbook

            book = Workbook(write_only=True)
            sheet = book.create_sheet("dispatch decisions")
            sheet.append(list(EXPORT_HEADER))
            for record in records:
                sheet.append(list(record))
            book.save(temporary)
        else:
            with open(temporary, "w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(EXPORT_HEADER)
                writer.writerows(records)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return ExportSummary(rows=len(records), corrected=corrected)
