"""Reading exported messages from a CSV or XLSX file and writing topics as CSV.

Plain Python (no database): the ``hot_topics`` command is a thin wrapper around these.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.utils.translation import gettext_noop

from huying.insight.topics.engine import Message, Topic

HEADER = ("rank", "heat", "time_range", "place_or_group", "description", "ids")
ENCODINGS = ("utf-8-sig", "gb18030")
TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y.%m.%d %H:%M:%S",
    "%Y.%m.%d",
    "%Y%m%d%H%M%S",
    "%Y%m%d",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
)
EXCEL_EPOCH = datetime(1899, 12, 30)


class InputError(Exception):
    """The file cannot be read as messages. ``template`` (an English message id, marked
    for translation) and ``params`` let the caller say why in the user's language."""

    def __init__(self, template: str, **params: object) -> None:
        super().__init__(template % params)
        self.template = template
        self.params = params


@dataclass(frozen=True)
class Columns:
    id: str
    text: str
    subject: str | None = None
    time: str | None = None
    likes: str | None = None
    dislikes: str | None = None
    author: str | None = None

    def named(self) -> list[str]:
        return [
            name
            for name in (self.id, self.text, self.subject, self.time, self.likes, self.dislikes, self.author)
            if name
        ]


def parse_time(value: object) -> datetime | None:
    """A timestamp in any common spelling, an Excel serial day number, or None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, int | float):
        return _excel_day(float(value))
    text = str(value).strip()
    if not text:
        return None
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return _excel_day(float(text))
    text = re.sub(r"\s+", " ", text).removesuffix("Z")
    text = re.sub(r"[+-]\d{2}:?\d{2}$", "", text) if "T" in text else text
    for pattern in TIME_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None


def _excel_day(number: float) -> datetime | None:
    if not 1 <= number < 2958466:  # Excel's range: 1900 to 9999
        return None
    return EXCEL_EPOCH + timedelta(days=number)


def _count(value: object) -> int:
    if value is None:
        return 0
    try:
        return max(0, int(float(str(value).strip() or 0)))
    except ValueError:
        return 0


def _rows_from_csv(path: Path) -> tuple[list[str], list[list[object]]]:
    raw = path.read_bytes()
    for encoding in ENCODINGS:
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes almost anything
        raise InputError(gettext_noop("the file is neither UTF-8 nor GBK/GB18030 text"))
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    csv.field_size_limit(2**31 - 1)  # a pasted message can exceed the default 128 KiB
    try:
        rows = [row for row in csv.reader(io.StringIO(text), dialect) if any(cell.strip() for cell in row)]
    except csv.Error as error:
        raise InputError(gettext_noop("the file is not valid CSV (%(error)s)"), error=error) from error
    if not rows:
        raise InputError(gettext_noop("the file has no rows"))
    return [cell.strip() for cell in rows[0]], [list(row) for row in rows[1:]]


def _rows_from_xlsx(path: Path) -> tuple[list[str], list[list[object]]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise InputError(gettext_noop("the workbook cannot be opened (%(error)s)"), error=error) from error
    sheet = book.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True) if any(cell not in (None, "") for cell in row)]
    book.close()
    if not rows:
        raise InputError(gettext_noop("the first sheet has no rows"))
    return [str(cell).strip() if cell is not None else "" for cell in rows[0]], rows[1:]


def read_messages(path: Path, columns: Columns) -> list[Message]:
    """Messages from ``path`` (.xlsx/.xlsm by extension, otherwise CSV)."""
    if not path.is_file():
        raise InputError(gettext_noop("no such file: %(path)s"), path=path)
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            header, rows = _rows_from_xlsx(path)
        else:
            header, rows = _rows_from_csv(path)
    except OSError as error:
        raise InputError(gettext_noop("the file cannot be read (%(error)s)"), error=error) from error
    # Exact names first; else the same name in other case or with stray spaces.
    loose = {name.strip().casefold(): index for index, name in reversed(list(enumerate(header)))}
    where = {}
    for name in columns.named():
        if name in header:
            where[name] = header.index(name)
        elif name.strip().casefold() in loose:
            where[name] = loose[name.strip().casefold()]
    missing = [name for name in columns.named() if name not in where]
    if missing:
        raise InputError(
            gettext_noop("missing column(s): %(missing)s; the file has: %(present)s"),
            missing=", ".join(missing),
            present=", ".join(name for name in header if name),
        )

    def cell(row: Sequence[object], name: str | None) -> object:
        if not name:
            return None
        index = where[name]
        return row[index] if index < len(row) else None

    messages = []
    for row in rows:
        identifier = cell(row, columns.id)
        text = cell(row, columns.text)
        subject = cell(row, columns.subject)
        if identifier is None or str(identifier).strip() == "":
            continue
        if isinstance(identifier, float) and identifier.is_integer():
            identifier = int(identifier)
        messages.append(
            Message(
                id=str(identifier).strip(),
                text=str(text or "").strip(),
                subject=str(subject or "").strip(),
                time=parse_time(cell(row, columns.time)),
                likes=_count(cell(row, columns.likes)),
                dislikes=_count(cell(row, columns.dislikes)),
                author=str(cell(row, columns.author) or "").strip(),
            )
        )
    if not messages:
        raise InputError(gettext_noop("the file has a header but no messages"))
    return messages


def topic_rows(topics: Sequence[Topic]) -> list[list[str]]:
    return [
        [
            str(topic.rank),
            f"{topic.heat:.2f}",
            topic.time_range,
            topic.place_or_group,
            topic.description,
            " ".join(topic.member_ids),
        ]
        for topic in topics
    ]


def write_topics(path: Path, topics: Sequence[Topic]) -> None:
    """Write the CSV atomically: a temporary file beside ``path``, then renamed."""
    path = path.resolve()
    handle, temporary = tempfile.mkstemp(prefix=".hot_topics-", suffix=".csv", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow(HEADER)
            writer.writerows(topic_rows(topics))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
