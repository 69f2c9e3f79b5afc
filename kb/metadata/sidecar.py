"""Sidecar overrides: a CSV of facts a text cannot tell (path or title -> fields) -> Overrides, applied to DocMeta."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path, PurePosixPath

from kb.errors import MetadataFileError
from kb.models import DocMeta, DocType, Level, Status
from kb.normalize.dates import parse_date
from kb.normalize.docnumber import doc_number_key
from kb.normalize.places import leading_place, province_kind
from kb.normalize.titles import short_title

# Columns that name the document a row is about: `path` (matches when the document's path ends with it) or `title`.
KEY_COLUMNS = ("path", "title")

# DocMeta fields a sidecar may set, by column name; `events` and the derived `issuer` are not settable.
_DATE_FIELDS = ("adopted", "promulgated", "effective", "version_date")
_INT_FIELDS = ("year", "first_year")
_TEXT_FIELDS = ("title", "short_title", "doc_number", "doc_number_key", "province", "city", "index_no", "subject",
                "source_url")  # fmt: skip
META_COLUMNS = (*_TEXT_FIELDS, *_DATE_FIELDS, *_INT_FIELDS, "issuers", "level", "doc_type", "status", "is_draft")

# Columns of the corpus answer key (manifest.csv) and the DocMeta field each one sets: its `level` is the type of
# document (法律, 行政法规 ...), `file_date` the version's date, `publish` the promulgation, `valid_from` entry into
# force, `expired` (1) a repeal; `category` (the collection's subject folder) sets nothing.
MANIFEST_COLUMNS = {
    "file_date": "version_date",
    "publish": "promulgated",
    "valid_from": "effective",
    "expired": "status",
    "category": None,
}

# Separators between several issuers in one cell: "最高人民法院、最高人民检察院", "A;B", "A|B".
_ISSUER_SEPARATOR = re.compile(r"[、;；|]")
# Level names users write in Chinese as well as kb's own values.
_LEVEL_WORDS = {"国家": Level.NATIONAL, "中央": Level.NATIONAL, "国家级": Level.NATIONAL, "省级": Level.PROVINCIAL,
                "省": Level.PROVINCIAL, "市级": Level.MUNICIPAL, "市": Level.MUNICIPAL, "县级": Level.COUNTY,
                "县": Level.COUNTY}  # fmt: skip
_STATUS_WORDS = {"有效": Status.IN_FORCE, "现行有效": Status.IN_FORCE, "已修改": Status.AMENDED,
                 "已废止": Status.REPEALED, "废止": Status.REPEALED, "失效": Status.REPEALED,
                 "尚未生效": Status.NOT_YET_IN_FORCE, "草案": Status.DRAFT}  # fmt: skip
_TRUE = {"1", "true", "yes", "y", "是"}
_FALSE = {"0", "false", "no", "n", "否"}
_NATIONAL_TYPES = {DocType.CONSTITUTION, DocType.LAW, DocType.ADMIN_REGULATION, DocType.DEPT_RULE, DocType.JUDICIAL}


@dataclass(frozen=True, slots=True)
class OverrideRow:
    """One row of a sidecar: what identifies the document, the values it sets (already checked), its line."""

    path: str | None
    title: str | None
    values: tuple[tuple[str, object], ...]
    line: int


@dataclass(frozen=True, slots=True)
class Overrides:
    """A loaded sidecar file: its rows, indexed by file name and by title for lookup."""

    source: str
    rows: tuple[OverrideRow, ...]
    by_name: dict[str, tuple[int, ...]] = field(default_factory=dict)
    by_title: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.rows)


def _fail(path: Path, line: int, message: str) -> MetadataFileError:
    return MetadataFileError(f"{path}, line {line}: {message}")


def _parse_value(path: Path, line: int, column: str, target: str, raw: str) -> tuple[str, object]:
    """Check one cell and turn it into the value of ``target``; raises MetadataFileError naming the cell."""
    value = raw.strip()
    if target in _DATE_FIELDS:
        parsed = parse_date(value)
        if parsed is None:
            raise _fail(path, line, f"column '{column}': '{value}' is not a date; write it as 2020-11-27")
        return target, parsed
    if target in _INT_FIELDS:
        if not value.isdigit():
            raise _fail(path, line, f"column '{column}': '{value}' is not a year; write it as 2020")
        return target, int(value)
    if target == "issuers":
        return target, tuple(p.strip() for p in _ISSUER_SEPARATOR.split(value) if p.strip())
    if target == "is_draft":
        if value.lower() not in _TRUE | _FALSE:
            raise _fail(path, line, f"column '{column}': '{value}' is not yes/no; write 1 or 0")
        return target, value.lower() in _TRUE
    if target == "status":
        if column == "expired":
            if value.lower() in _TRUE:
                return target, Status.REPEALED
            if value.lower() in _FALSE:
                return target, None
            raise _fail(path, line, f"column 'expired': '{value}' is not 0 or 1")
        status = _STATUS_WORDS.get(value) or next((s for s in Status if s.value == value), None)
        if status is None:
            known = ", ".join(s.value for s in Status)
            raise _fail(path, line, f"column '{column}': unknown status '{value}'; expected one of {known}")
        return target, status
    if target in ("level", "doc_type"):
        doc_type = next((t for t in DocType if t.value == value), None)
        level = _LEVEL_WORDS.get(value) or next((lv for lv in Level if lv.value == value), None)
        if column == "level" and doc_type is not None:  # the manifest's `level` is the type of document
            return "doc_type", doc_type
        if target == "level" and level is not None:
            return "level", level
        if target == "doc_type" and doc_type is not None:
            return "doc_type", doc_type
        types = " ".join(t.value for t in DocType)
        levels = " ".join(lv.value for lv in Level)
        raise _fail(path, line, f"column '{column}': unknown value '{value}'; expected a type ({types}) or a level"
                                f" ({levels})")  # fmt: skip
    if target == "province":
        place = leading_place(value)
        return target, place.province if place is not None else value
    if target == "city":
        place = leading_place(value)
        return target, place.city if place is not None and place.city else value.removesuffix("市")
    return target, value


def load_overrides(path: Path) -> Overrides:
    """Read a sidecar CSV (UTF-8, header row): a `path` or `title` column names each document, every other column
    sets a DocMeta field (or is a column of the corpus manifest). Empty cells set nothing, except in the version
    date's column (`version_date`, or the manifest's `file_date`): a sidecar that has that column is the authority on
    which version each document is, so an empty cell there leaves the version date and counting year unknown rather
    than taking them from header lines that may miss a later amendment.

    Raises MetadataFileError naming the file and line for anything malformed.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MetadataFileError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _fail(path, line, "not UTF-8 text; save the CSV as UTF-8") from exc
    if "\x00" in text:
        raise _fail(path, text[: text.index("\x00")].count("\n") + 1, "contains a NUL byte; is it really a CSV?")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise _fail(path, 1, f"unreadable header ({exc})") from exc
    if not header or not any(cell.strip() for cell in header):
        raise MetadataFileError(f"{path}: no header row; the first line must name the columns, e.g. path,province")
    columns = [cell.strip() for cell in header]
    if not any(c in KEY_COLUMNS for c in columns):
        raise _fail(path, 1, "no 'path' or 'title' column to identify the documents")
    unknown = [c for c in columns if c not in META_COLUMNS and c not in MANIFEST_COLUMNS and c not in KEY_COLUMNS]
    if unknown:
        raise _fail(path, 1, f"unknown column(s) {', '.join(repr(c) for c in unknown)}; expected path or title and"
                             f" any of {', '.join(META_COLUMNS + tuple(MANIFEST_COLUMNS))}")  # fmt: skip
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if duplicated:
        raise _fail(path, 1, f"column(s) named twice: {', '.join(duplicated)}")
    rows: list[OverrideRow] = []
    by_name: dict[str, list[int]] = {}
    by_title: dict[str, list[int]] = {}
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(columns):
                raise _fail(path, line, f"{len(cells)} cells where the header has {len(columns)} columns")
            record = dict(zip(columns, cells, strict=True))
            doc_path = record.get("path", "").strip().replace("\\", "/") or None
            title = record.get("title", "").strip() or None
            if doc_path is None and title is None:
                raise _fail(path, line, "neither a path nor a title to identify the document")
            values: list[tuple[str, object]] = []
            for column, raw in record.items():
                if not raw.strip() and MANIFEST_COLUMNS.get(column, column) == "version_date":
                    values.append(("version_date", None))  # the catalogue does not know this version's date
                    continue
                if not raw.strip() or column == "path" or (column == "title" and doc_path is None):
                    continue
                target = MANIFEST_COLUMNS.get(column, column)
                if target is None:
                    continue
                values.append(_parse_value(path, line, column, target, raw))
            index = len(rows)
            rows.append(OverrideRow(doc_path, title, tuple(values), line))
            if doc_path is not None:
                by_name.setdefault(PurePosixPath(doc_path).name, []).append(index)
            else:
                by_title.setdefault(title or "", []).append(index)
    except csv.Error as exc:
        raise _fail(path, reader.line_num, f"malformed CSV ({exc})") from exc
    return Overrides(
        str(path),
        tuple(rows),
        {k: tuple(v) for k, v in by_name.items()},
        {k: tuple(v) for k, v in by_title.items()},
    )


def _path_matches(doc_path: str, row_path: str) -> bool:
    doc = doc_path.replace("\\", "/")
    return doc == row_path or doc.endswith("/" + row_path.lstrip("/"))


def matching_rows(meta: DocMeta, path: str, overrides: Overrides) -> tuple[OverrideRow, ...]:
    """The rows that name this document, in file order: by path suffix, else by title."""
    name = PurePosixPath(path.replace("\\", "/")).name
    indices = [i for i in overrides.by_name.get(name, ()) if _path_matches(path, overrides.rows[i].path or "")]
    for title in dict.fromkeys(t for t in (meta.title, meta.short_title) if t):
        indices.extend(overrides.by_title.get(title, ()))
    return tuple(overrides.rows[i] for i in sorted(set(indices)))


def apply_overrides(meta: DocMeta, path: str, overrides: Overrides) -> DocMeta:
    """The metadata with the sidecar's values for this document; year, first_year, level and the number's key are
    recomputed from what was set unless the sidecar sets them too."""
    rows = matching_rows(meta, path, overrides)
    if not rows:
        return meta
    values: dict[str, object] = {}
    for row in rows:
        values.update(row.values)
    updated = replace(meta, **values)  # type: ignore[arg-type]
    changes: dict[str, object] = {}
    if "version_date" in values and "year" not in values:
        version = values["version_date"]
        changes["year"] = version.year if isinstance(version, date) else None
    if "adopted" in values and "first_year" not in values:
        adopted = values["adopted"]
        changes["first_year"] = adopted.year if isinstance(adopted, date) else None
    if "title" in values and "short_title" not in values:
        changes["short_title"] = short_title(str(values["title"]))
    if "doc_number" in values and "doc_number_key" not in values:
        changes["doc_number_key"] = doc_number_key(str(values["doc_number"]))
    if "province" in values and "city" not in values and values["province"] != meta.province:
        changes["city"] = None  # the detected city belonged to another province
    if "status" in values and values["status"] is None:
        changes["status"] = meta.status
    if "level" not in values and ({"province", "city", "doc_type"} & values.keys()):
        changes["level"] = _level(replace(updated, **changes), meta)  # type: ignore[arg-type]
    return replace(updated, **changes) if changes else updated  # type: ignore[arg-type]


def _level(meta: DocMeta, before: DocMeta) -> Level | None:
    """The level consistent with an overridden province, city or type."""
    if meta.province is None:
        return Level.NATIONAL if meta.doc_type in _NATIONAL_TYPES else before.level
    if before.level is Level.COUNTY and meta.province == before.province:
        return Level.COUNTY
    if meta.city and province_kind(meta.province) != "municipality":
        return Level.MUNICIPAL
    return Level.PROVINCIAL


__all__ = ["OverrideRow", "Overrides", "apply_overrides", "load_overrides", "matching_rows"]
