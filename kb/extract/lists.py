"""Lists: a CSV or XLSX export of a portal or database (one document per row) -> ListRows and the rows it rejects.

Researchers export lists of policies (title, dates, issuer, url, sometimes the text) from government portals and
legal databases. A file is a list when its header has a title column and no ``path`` column (a header with
``path`` is a metadata sidecar, read with ``--metadata``). Recognised header names, matched without case, spaces
or colons (the Chinese names are those real exports use):

- title: ``title``, 标题, 文件名称, 文件标题, 政策名称, 名称, 文件名
- issue date (the date on the document): ``issue_date``, ``date``, 成文日期, 发文日期, 印发日期, 日期
- publish date: ``publish_date``, ``publish``, 发布日期, 公布日期, 发布时间
- issuing government or body: ``government``, ``issuer``, ``office``, 发文机关, 发布机关, 发布机构, 发文单位,
  制定机关, 颁布机关, 政府
- 发文字号: ``doc_number``, 发文字号, 文号
- url: ``url``, ``source_url``, ``link``, 链接, 网址, 原文链接
- text: ``text``, ``body``, ``content``, 正文, 全文, 内容
- also: ``effective_date`` / 施行日期, ``type`` / 效力级别, ``status`` / 时效性, 索引号, 主题分类

Other columns are ignored. A row without a title, or whose date cell holds something that is not a date, is
rejected with its row number (the header is row 1) and the rest of the file is read.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from kb.errors import CorruptFile, DecodeError, MissingDependency
from kb.normalize.dates import parse_date

# Suffixes of the list formats kb reads.
LIST_SUFFIXES = (".csv", ".xlsx")
# The marker between a list file's path and a row number in the path of a row's document: 国务院.csv#row=12.
ROW_MARK = "#row="

# Canonical field -> header names it is recognised by (normalised: lower case, no spaces, colons or underscores).
COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("title", "标题", "文件名称", "文件标题", "政策名称", "名称", "文件名"),
    "issue_date": ("issuedate", "date", "成文日期", "发文日期", "印发日期", "日期"),
    "publish_date": ("publishdate", "publish", "发布日期", "公布日期", "发布时间"),
    "issuer": (
        "government",
        "issuer",
        "office",
        "发文机关",
        "发布机关",
        "发布机构",
        "发文单位",
        "制定机关",
        "颁布机关",
        "政府",
    ),
    "doc_number": ("docnumber", "发文字号", "文号"),
    "url": ("url", "sourceurl", "link", "链接", "网址", "原文链接"),
    "text": ("text", "body", "content", "正文", "全文", "内容"),
    "effective_date": ("effectivedate", "施行日期", "实施日期"),
    "type": ("type", "效力级别"),
    "status": ("status", "时效性", "效力状态"),
    "index_no": ("indexno", "索引号"),
    "subject": ("subject", "主题分类"),
}
DATE_COLUMNS = ("issue_date", "publish_date", "effective_date")
# Header characters ignored when a name is looked up: spaces (also full-width), colons, underscores, hyphens, BOM.
_HEADER_NOISE = re.compile(r"[\s　:：_\-\ufeff]")


@dataclass(frozen=True, slots=True)
class ListRow:
    """One row of a list: its number in the file (header = 1) and the recognised fields that have a value."""

    row: int
    fields: tuple[tuple[str, str], ...]  # (canonical field, value) for the recognised columns with a value

    def get(self, name: str) -> str | None:
        """The value of a canonical field, or None."""
        return next((v for k, v in self.fields if k == name), None)


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A rejected row: its number and what is wrong with it."""

    row: int
    message: str


@dataclass(frozen=True, slots=True)
class ListFile:
    """What a list file holds: the recognised columns, the good rows and the rejected ones."""

    path: str
    columns: tuple[tuple[str, str], ...]  # (header as written, canonical field)
    rows: tuple[ListRow, ...]
    problems: tuple[RowProblem, ...]


def _normal(name: str) -> str:
    return _HEADER_NOISE.sub("", name).lower()


_LOOKUP = {_normal(alias): field for field, aliases in COLUMNS.items() for alias in aliases}


def recognise(header: Sequence[str]) -> dict[int, str]:
    """Column position -> canonical field for the header names kb knows (the first column of a field wins)."""
    found: dict[int, str] = {}
    for i, name in enumerate(header):
        field = _LOOKUP.get(_normal(str(name or "")))
        if field is not None and field not in found.values():
            found[i] = field
    return found


def is_list_header(header: Sequence[str]) -> bool:
    """A list's header: it has a title column and no ``path`` column (which would make it a metadata sidecar)."""
    names = {_normal(str(h or "")) for h in header}
    return "title" in recognise(header).values() and "path" not in names


def _csv_rows(data: bytes, path: str) -> Iterator[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise DecodeError(f"{path}: not UTF-8 or GB18030 text; save the list as UTF-8 CSV")
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error as exc:
        raise CorruptFile(f"{path}: not a readable CSV file ({exc})") from exc


def _xlsx_rows(data: bytes, path: str) -> Iterator[list[str]]:
    try:
        import openpyxl  # type: ignore[import-untyped]
    except ImportError as exc:
        raise MissingDependency(f"{path}: reading .xlsx needs openpyxl ({exc}); `pip install openpyxl`") from exc
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError and its own errors for a damaged workbook
        raise CorruptFile(f"{path}: not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from exc
    sheet = book.worksheets[0]
    for values in sheet.iter_rows(values_only=True):
        yield ["" if v is None else (v.date().isoformat() if hasattr(v, "date") else str(v)) for v in values]
    book.close()


def rows_of(data: bytes, path: str) -> Iterator[list[str]]:
    """The raw rows (header first) of a CSV or XLSX file's content."""
    suffix = Path(path).suffix.lower()
    if suffix == ".xlsx":
        return _xlsx_rows(data, path)
    return _csv_rows(data, path)


def header_of(path: str | Path) -> list[str]:
    """The header row of a list file (empty for an empty or unreadable one)."""
    path = Path(path)
    try:
        if path.suffix.lower() == ".csv":
            with path.open("rb") as fh:
                first = fh.readline(65536)
            return next(_csv_rows(first, str(path)), [])
        return next(rows_of(path.read_bytes(), str(path)), [])
    except (OSError, CorruptFile, DecodeError, MissingDependency):
        return []


def read_list(data: bytes, path: str) -> ListFile:
    """Parse a list file's content into rows; rows without a title or with a bad date are problems, by number."""
    rows = rows_of(data, path)
    header = next(rows, None)
    if header is None or not is_list_header(header):
        shown = ", ".join(h for h in (header or []) if h) or "(empty)"
        raise CorruptFile(
            f"{path}: not a list of documents: its header ({shown}) has no title column (title, 标题, 文件名称) "
            "or has a path column (then it is a metadata sidecar: pass it with --metadata)"
        )
    columns = recognise(header)
    good: list[ListRow] = []
    problems: list[RowProblem] = []
    for number, cells in enumerate(rows, start=2):
        if not any(c.strip() for c in cells):
            continue
        fields = [(columns[i], cells[i].strip()) for i in sorted(columns) if i < len(cells) and cells[i].strip()]
        values = dict(fields)
        if not values.get("title"):
            problems.append(RowProblem(number, f"{path}: row {number}: no title; give the document's title"))
            continue
        bad = next((f for f in DATE_COLUMNS if values.get(f) and parse_date(values[f]) is None), None)
        if bad is not None:
            problems.append(RowProblem(number, f"{path}: row {number}: {bad} {values[bad]!r} is not a date; "
                                               "write it as 2020-09-25 or 2020年9月25日"))  # fmt: skip
            continue
        good.append(ListRow(number, tuple(fields)))
    return ListFile(path, tuple((header[i], f) for i, f in sorted(columns.items())), tuple(good), tuple(problems))


def row_path(path: str | Path, row: int) -> str:
    """The path a row's document is stored under: the list's path, ROW_MARK and the row number."""
    return f"{path}{ROW_MARK}{row}"


def list_source(path: str) -> str | None:
    """The list file a stored row document came from, or None for a document of its own file."""
    head, mark, tail = path.rpartition(ROW_MARK)
    return head if mark and tail.isdigit() else None


__all__ = [
    "COLUMNS",
    "LIST_SUFFIXES",
    "ROW_MARK",
    "ListFile",
    "ListRow",
    "RowProblem",
    "header_of",
    "is_list_header",
    "list_source",
    "read_list",
    "recognise",
    "row_path",
]
