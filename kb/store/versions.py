"""Store, versions table: the versions stage's result (kb/versions) <-> rows; what the stage reads from the store."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from typing import Any

from kb.models import Relation, Status
from kb.versions.records import Act, Version

# The versions stage's result (kb/versions): one row per document, replaced whole after every ingest.
_VERSIONS_SCHEMA = """
CREATE TABLE IF NOT EXISTS versions (
    doc_id TEXT PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    work TEXT NOT NULL,
    work_title TEXT,
    seq INTEGER NOT NULL,
    count INTEGER NOT NULL,
    date TEXT,
    start TEXT,
    until TEXT,
    status TEXT NOT NULL,
    rule TEXT NOT NULL,
    part TEXT,
    duplicate_of TEXT,
    successor TEXT,
    ended_by TEXT
);
CREATE INDEX IF NOT EXISTS versions_work ON versions (work, seq);
CREATE INDEX IF NOT EXISTS versions_status ON versions (status)
"""


def _opt_date(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _where(conditions: Iterable[tuple[str, Any]]) -> tuple[str, list[Any]]:
    chosen = [(sql, value) for sql, value in conditions if value is not None]
    return ("WHERE " + " AND ".join(sql for sql, _ in chosen)) if chosen else "", [v for _, v in chosen]


class VersionsTable:
    """The store's methods for the versions stage (mixed into :class:`kb.store.sqlite.Store`)."""

    _conn: sqlite3.Connection

    def _atomic(self) -> Any:  # provided by Store
        raise NotImplementedError

    def fingerprints(self) -> dict[str, str]:
        """doc id -> the fingerprint of its text (spaces aside), by which copies of one document are told."""
        rows = self._conn.execute("SELECT id, fingerprint FROM documents WHERE fingerprint IS NOT NULL")
        return dict(rows.fetchall())

    def article_numbers(self) -> dict[str, frozenset[tuple[int, int | None]]]:
        """doc id -> the (number, 之X) of its articles."""
        found: dict[str, set[tuple[int, int | None]]] = {}
        rows = self._conn.execute(
            "SELECT doc_id, ordinal, sub FROM clauses WHERE kind = 'article' AND ordinal IS NOT NULL"
        )
        for doc_id, ordinal, sub in rows:
            found.setdefault(doc_id, set()).add((ordinal, sub))
        return {d: frozenset(v) for d, v in found.items()}

    def acts(self) -> list[Act]:
        """Resolved citations that amend or repeal another document of the knowledge base."""
        rows = self._conn.execute(
            "SELECT DISTINCT doc_id, target_doc, relation FROM citations WHERE relation IN ('amends', 'repeals') "
            "AND target_doc IS NOT NULL AND target_doc != doc_id ORDER BY doc_id, target_doc"
        )
        return [Act(doc_id=r[0], target_doc=r[1], relation=Relation(r[2])) for r in rows]

    def put_versions(self, versions: Iterable[Version]) -> None:
        """Replace the versions stage's result."""
        with self._atomic():
            self._conn.execute("DELETE FROM versions")
            self._conn.executemany(
                "INSERT INTO versions (doc_id, work, work_title, seq, count, date, start, until, status, rule, part, "
                "duplicate_of, successor, ended_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (v.doc_id, v.work, v.work_title, v.seq, v.count, _iso(v.date), _iso(v.start), _iso(v.until),
                     v.status.value, v.rule, v.part, v.duplicate_of, v.successor, v.ended_by)
                    for v in versions
                ],
            )  # fmt: skip

    def versions(self, *, work: str | None = None, doc_id: str | None = None) -> list[Version]:
        """Versions of one work (or the one of a document, or all), oldest first, parts and copies in path order."""
        where, params = _where([("v.work = ?", work), ("v.doc_id = ?", doc_id)])
        rows = self._conn.execute(
            "SELECT v.doc_id, v.work, v.work_title, v.seq, v.count, v.date, v.start, v.until, v.status, v.rule, "
            "v.part, v.duplicate_of, v.successor, v.ended_by FROM versions v JOIN documents d ON d.id = v.doc_id "
            f"{where} ORDER BY v.work, v.seq, v.duplicate_of IS NOT NULL, d.path",
            params,
        )
        return [
            Version(
                doc_id=r[0], work=r[1], work_title=r[2], seq=r[3], count=r[4], date=_opt_date(r[5]),
                start=_opt_date(r[6]), until=_opt_date(r[7]), status=Status(r[8]), rule=r[9], part=r[10],
                duplicate_of=r[11], successor=r[12], ended_by=r[13],
            )
            for r in rows
        ]  # fmt: skip

    def copy_ids(self) -> set[str]:
        """The doc ids that are copies of another document (duplicate_of set): what searches return once."""
        return {r[0] for r in self._conn.execute("SELECT doc_id FROM versions WHERE duplicate_of IS NOT NULL")}

    def version(self, doc_id: str) -> Version | None:
        """The version a document is, or None before the versions stage has run."""
        found = self.versions(doc_id=doc_id)
        return found[0] if found else None


def as_of_versions(versions: dict[str, Version], day: date) -> dict[str, Version]:
    """The versions with their status and rule on ``day`` instead of on the day of the build."""
    from kb.versions.works import status_on

    by_work: dict[str, list[Version]] = {}
    for v in versions.values():
        by_work.setdefault(v.work, []).append(v)
    out = {}
    for members in by_work.values():
        statuses = status_on(members, day)
        for v in members:
            status, rule = statuses[v.doc_id]
            out[v.doc_id] = replace(v, status=status, rule=rule)
    return out


__all__ = ["VersionsTable", "as_of_versions"]
