"""Rows: records <-> the store's SQLite rows. The schema, metadata as JSON, documents and clauses from rows, and a
DocFilter as the SQL of a WHERE clause: what kb.store.sqlite reads and writes with."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from kb.models import (
    Clause,
    ClauseKind,
    DateEvent,
    DocFilter,
    DocMeta,
    DocSummary,
    DocType,
    EventKind,
    Format,
    Level,
    Status,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    format TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER,
    mtime REAL,
    pipeline TEXT,
    title TEXT,
    short_title TEXT,
    doc_number TEXT,
    doc_number_key TEXT,
    issuer TEXT,
    province TEXT,
    city TEXT,
    level TEXT,
    doc_type TEXT,
    status TEXT,
    year INTEGER,
    first_year INTEGER,
    version_date TEXT,
    clause_count INTEGER NOT NULL,
    topics TEXT NOT NULL DEFAULT '',
    grammar TEXT,
    meta_json TEXT NOT NULL,
    info_json TEXT NOT NULL,
    warnings_json TEXT NOT NULL,
    body TEXT NOT NULL,
    ingested_at TEXT NOT NULL,
    fingerprint TEXT
);
CREATE INDEX IF NOT EXISTS documents_year ON documents (year);
-- id -> sha256 without reading the rows (bodies): every search asks for it (Store.live_versions)
CREATE INDEX IF NOT EXISTS documents_sha ON documents (id, sha256);
CREATE INDEX IF NOT EXISTS documents_province ON documents (province, year);
CREATE INDEX IF NOT EXISTS documents_title ON documents (title);
CREATE INDEX IF NOT EXISTS documents_short_title ON documents (short_title);
CREATE TABLE IF NOT EXISTS clauses (
    doc_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    id TEXT NOT NULL,
    kind TEXT NOT NULL,
    number TEXT,
    ordinal INTEGER,
    sub INTEGER,
    heading TEXT,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    own_end INTEGER NOT NULL,
    parent TEXT,
    depth INTEGER NOT NULL,
    PRIMARY KEY (doc_id, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS citations (
    doc_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    clause_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    relation TEXT NOT NULL,
    text TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    title TEXT,
    pinpoint TEXT,
    target_doc TEXT,
    target_clause TEXT,
    reason TEXT,
    PRIMARY KEY (doc_id, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS citations_target ON citations (target_doc, target_clause);
CREATE INDEX IF NOT EXISTS citations_clause ON citations (doc_id, clause_id);
CREATE TABLE IF NOT EXISTS topics (
    doc_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    clause_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    terms_json TEXT NOT NULL,
    spans_json TEXT NOT NULL,
    PRIMARY KEY (doc_id, clause_id, topic)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS topics_topic ON topics (topic, doc_id);
CREATE TABLE IF NOT EXISTS subjects (
    doc_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    subject TEXT NOT NULL,
    score REAL NOT NULL,
    assigned INTEGER NOT NULL,
    evidence_json TEXT NOT NULL,
    PRIMARY KEY (doc_id, subject)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS subjects_subject ON subjects (subject, assigned, doc_id);
CREATE TABLE IF NOT EXISTS failures (
    path TEXT PRIMARY KEY,
    error TEXT NOT NULL,
    message TEXT NOT NULL,
    at TEXT NOT NULL
);
"""


DOC_COLUMNS = "id, path, format, sha256, title, clause_count, topics, meta_json, province, city, level, doc_type, year"


def meta_to_json(meta: DocMeta) -> str:
    """Serialise DocMeta to JSON (dates as ISO strings, enums as values)."""
    from kb.models import to_jsonable

    data = to_jsonable(meta)
    data.pop("issuer", None)
    return json.dumps(data, ensure_ascii=False)


def _opt_date(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def meta_from_json(text: str) -> DocMeta:
    """The inverse of :func:`meta_to_json`."""
    data = json.loads(text)
    events = tuple(
        DateEvent(date=date.fromisoformat(e["date"]), kind=EventKind(e["kind"]), body=e.get("body"), text=e["text"])
        for e in data.get("events") or ()
    )
    known = set(DocMeta.__dataclass_fields__)
    values: dict[str, Any] = {k: v for k, v in data.items() if k in known}
    values["issuers"] = tuple(data.get("issuers") or ())
    values["events"] = events
    for key in ("adopted", "promulgated", "effective", "version_date"):
        values[key] = _opt_date(data.get(key))
    values["level"] = Level(data["level"]) if data.get("level") else None
    values["doc_type"] = DocType(data["doc_type"]) if data.get("doc_type") else None
    values["status"] = Status(data["status"]) if data.get("status") else None
    return DocMeta(**values)


def summary_from_row(row: Sequence[Any], subjects: Sequence[str] = ()) -> DocSummary:
    """A DocSummary from a row of ``DOC_COLUMNS`` and the document's assigned subjects."""
    return DocSummary(
        id=row[0], path=row[1], format=Format(row[2]), title=row[4], meta=meta_from_json(row[7]),
        clause_count=row[5], topics=tuple(t for t in row[6].split("|") if t), subjects=tuple(subjects),
    )  # fmt: skip


def clause_from_row(doc_id: str, row: Sequence[Any], text: str) -> Clause:
    """A Clause from a row (id, kind, number, ordinal, sub, heading, start, end, own_end, parent, depth)."""
    return Clause(
        doc_id=doc_id, id=row[0], kind=ClauseKind(row[1]), number=row[2], ordinal=row[3], sub=row[4],
        heading=row[5], text=text.rstrip(), start=row[6], end=row[7], own_end=row[8], parent=row[9], depth=row[10],
    )  # fmt: skip


def where_sql(conditions: Iterable[tuple[str, Any]], fixed: Iterable[str] = ()) -> tuple[str, list[Any]]:
    """A WHERE clause of the ``(sql, value)`` conditions whose value is given and the ``fixed`` ones; its parameters."""
    chosen = [(sql, value) for sql, value in conditions if value is not None]
    parts = [sql for sql, _ in chosen] + list(fixed)
    return ("WHERE " + " AND ".join(parts)) if parts else "", [value for _, value in chosen]


def filter_sql(filters: DocFilter | None) -> tuple[str, list[Any]]:
    """A WHERE clause and its parameters for a DocFilter over the documents table."""
    if filters is None:
        return "", []
    f = filters
    fixed: list[str] = []
    extra: list[Any] = []
    for column, table, values, also in (
        ("topic", "topics", f.all_topics(), ""),
        ("subject", "subjects", f.subjects, " AND assigned = 1"),
    ):
        if not values:
            continue
        if f.match_all:
            for value in values:
                fixed.append(f"id IN (SELECT doc_id FROM {table} WHERE {column} = ?{also})")
                extra.append(value)
        else:
            marks = ", ".join("?" * len(values))
            fixed.append(f"id IN (SELECT doc_id FROM {table} WHERE {column} IN ({marks}){also})")
            extra.extend(values)
    where, params = where_sql(
        [
            ("year = ?", f.year),
            ("year >= ?", f.year_from),
            ("year <= ?", f.year_to),
            ("first_year >= ?", f.first_year_from),
            ("first_year <= ?", f.first_year_to),
            ("province = ?", f.province),
            ("city = ?", f.city),
            ("level = ?", f.level.value if f.level else None),
            ("doc_type = ?", f.doc_type.value if f.doc_type else None),
            ("id IN (SELECT doc_id FROM versions WHERE status = ?)", f.status.value if f.status else None),
        ],
        fixed,
    )
    return where, params + extra
