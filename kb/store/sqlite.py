"""Store: Documents, clauses, citations and topic tags <-> one SQLite file (WAL) in the knowledge-base directory.

The store is the authority on what the knowledge base holds: ``show``, ``list`` and counting read it without an
index scan, and the search index and graph are rebuilt from it. Clause texts are not stored twice: a clause is its
span into the document body. The schema is versioned in the ``meta`` table; any SQLite tool can open the file.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from types import TracebackType

from kb.errors import StoreError
from kb.models import (
    Citation,
    CitationKind,
    Clause,
    DocFilter,
    DocSummary,
    Document,
    Failure,
    Format,
    KbStatus,
    Relation,
    Status,
    SubjectScore,
    TopicTag,
)
from kb.store.rows import (
    DOC_COLUMNS,
    SCHEMA,
    clause_from_row,
    filter_sql,
    meta_from_json,
    meta_to_json,
    summary_from_row,
    where_sql,
)
from kb.store.versions import _VERSIONS_SCHEMA, VersionsTable, as_of_versions

SCHEMA_VERSION = 2  # 2: documents.fingerprint and the versions table
STORE_FILE = "kb.sqlite"


def store_path(home: Path) -> Path:
    """Where the store of the knowledge base at ``home`` lives."""
    return Path(home) / STORE_FILE


def _fingerprint(body: str) -> str:
    from kb.versions.works import text_fingerprint  # imported when writing: reading needs none of the versions stage

    return text_fingerprint(body)


def _subject_threshold() -> float:
    from kb.topics.subjects import THRESHOLD  # imported when used: the subjects stage loads its lexicons (yaml)

    return THRESHOLD


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


class Store(VersionsTable):
    """The knowledge base's record store. Open with :meth:`open`; use as a context manager to close it."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._titles: list[tuple[str, str, str]] | None = None  # cached by title_keys(), reset by writes

    # -- opening -----------------------------------------------------------------------------------------------

    @classmethod
    def open(cls, home: str | Path, *, create: bool = False) -> Store:
        """Open the store under ``home``; with ``create``, make the directory and schema when missing."""
        path = store_path(Path(home))
        if not path.exists():
            if not create:
                raise StoreError(f"{home}: no knowledge base here; run `kb ingest PATH...` to build one")
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(path, timeout=30.0, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: cannot open the knowledge base ({exc})") from exc
        store = cls(conn, path)
        store._migrate(create)
        return store

    def _migrate(self, create: bool) -> None:
        try:
            has_meta = self._conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'").fetchone()
            if not has_meta:
                if not create:
                    raise StoreError(f"{self.path}: not a kb knowledge base (no schema); run `kb ingest` to build one")
                with self.transaction():
                    for statement in (SCHEMA + ";" + _VERSIONS_SCHEMA).split(";"):
                        if statement.strip():
                            self._conn.execute(statement)
                    self._set_meta("schema_version", str(SCHEMA_VERSION))
                    self._set_meta("created", _now())
                return
            version = self.get_meta("schema_version")
            if create and version == str(SCHEMA_VERSION):  # indexes added since the store was made
                self._conn.execute("CREATE INDEX IF NOT EXISTS documents_sha ON documents (id, sha256)")
            if version == "1" and create:  # an ingest upgrades a version-1 store; its next run re-reads every file
                with self.transaction():
                    self._conn.execute("ALTER TABLE documents ADD COLUMN fingerprint TEXT")
                    for statement in _VERSIONS_SCHEMA.split(";"):
                        if statement.strip():
                            self._conn.execute(statement)
                    self._set_meta("schema_version", str(SCHEMA_VERSION))
                version = str(SCHEMA_VERSION)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a readable SQLite knowledge base ({exc})") from exc
        if version != str(SCHEMA_VERSION):
            raise StoreError(
                f"{self.path}: knowledge-base schema version {version}, this kb reads version {SCHEMA_VERSION}; "
                "run `kb ingest` on it to upgrade it, or rebuild it into a new --home"
            )
        self._add_subjects_table()

    def _add_subjects_table(self) -> None:
        """Knowledge bases built before document subjects gain their (empty) table; `kb ingest` fills it."""
        if self._conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='subjects'").fetchone():
            return
        start = SCHEMA.index("CREATE TABLE IF NOT EXISTS subjects")
        end = SCHEMA.index("CREATE TABLE IF NOT EXISTS failures")
        try:
            with self.transaction():
                for statement in SCHEMA[start:end].split(";"):
                    if statement.strip():
                        self._conn.execute(statement)
        except sqlite3.OperationalError as exc:  # a read-only copy: subjects stay unknown until it is rebuilt
            raise StoreError(f"{self.path}: cannot add the subjects table ({exc}); rebuild with `kb ingest`") from exc

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic write: everything inside commits together or not at all."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    @contextmanager
    def _atomic(self) -> Iterator[None]:
        """Join the transaction already open, or make this write a transaction of its own."""
        if self._conn.in_transaction:
            yield
        else:
            with self.transaction():
                yield

    # -- meta --------------------------------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        """A value of the store's own key-value table (schema_version, last_built, index_state...)."""
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str | None) -> None:
        self._conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def set_meta(self, key: str, value: str | None) -> None:
        """Set a key of the meta table (in its own transaction unless one is open)."""
        with self._atomic():
            self._set_meta(key, value)

    # -- writes ------------------------------------------------------------------------------------------------

    def put(
        self,
        doc: Document,
        citations: Sequence[Citation] = (),
        topics: Sequence[TopicTag] = (),
        subjects: Sequence[SubjectScore] = (),
        *,
        size: int | None = None,
        mtime: float | None = None,
        pipeline: str | None = None,
        fingerprint: str | None = None,
    ) -> None:
        """Insert or replace a document with its clauses, citations, topic tags and subject scores; ``fingerprint``
        is the body's text fingerprint when the caller has it (else it is computed here)."""
        with self._atomic():
            self._delete(doc.id)
            self._conn.execute("DELETE FROM documents WHERE path = ?", (doc.path,))
            meta = doc.meta
            topic_names = sorted({t.topic for t in topics})
            self._conn.execute(
                "INSERT INTO documents (id, path, format, sha256, size, mtime, pipeline, title, short_title, "
                "doc_number, doc_number_key, issuer, province, city, level, doc_type, status, year, first_year, "
                "version_date, clause_count, topics, grammar, meta_json, info_json, warnings_json, body, ingested_at, "
                "fingerprint) VALUES (" + ", ".join("?" * 29) + ")",
                (
                    doc.id, doc.path, doc.format.value, doc.sha256, size, mtime, pipeline,
                    doc.title, meta.short_title, meta.doc_number, meta.doc_number_key, meta.issuer,
                    meta.province, meta.city, meta.level.value if meta.level else None,
                    meta.doc_type.value if meta.doc_type else None, meta.status.value if meta.status else None,
                    meta.year, meta.first_year, meta.version_date.isoformat() if meta.version_date else None,
                    len(doc.clauses), "|".join(topic_names), doc.grammar, meta_to_json(meta),
                    json.dumps(list(doc.info), ensure_ascii=False), json.dumps(list(doc.warnings), ensure_ascii=False),
                    doc.body, _now(), fingerprint or _fingerprint(doc.body),
                ),
            )  # fmt: skip
            self._conn.executemany(
                'INSERT INTO clauses (doc_id, seq, id, kind, number, ordinal, sub, heading, start, "end", own_end, '
                "parent, depth) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (doc.id, i, c.id, c.kind.value, c.number, c.ordinal, c.sub, c.heading, c.start, c.end,
                     c.own_end, c.parent, c.depth)
                    for i, c in enumerate(doc.clauses)
                ],
            )  # fmt: skip
            self._insert_citations(doc.id, citations)
            self._conn.executemany(
                "INSERT OR REPLACE INTO topics (doc_id, clause_id, topic, terms_json, spans_json) "
                "VALUES (?, ?, ?, ?, ?)",
                [
                    (doc.id, t.clause_id, t.topic, json.dumps(list(t.terms), ensure_ascii=False),
                     json.dumps([list(s) for s in t.spans]))
                    for t in topics
                ],
            )  # fmt: skip
            threshold = _subject_threshold()
            self._conn.executemany(
                "INSERT OR REPLACE INTO subjects (doc_id, subject, score, assigned, evidence_json) "
                "VALUES (?, ?, ?, ?, ?)",
                [
                    (doc.id, s.subject, s.score, int(s.score >= threshold),
                     json.dumps(list(s.evidence), ensure_ascii=False))
                    for s in subjects
                ],
            )  # fmt: skip
            self._conn.execute("DELETE FROM failures WHERE path = ?", (doc.path,))

    def _insert_citations(self, doc_id: str, citations: Sequence[Citation]) -> None:
        self._conn.executemany(
            'INSERT INTO citations (doc_id, clause_id, seq, kind, relation, text, start, "end", title, pinpoint, '
            "target_doc, target_clause, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (doc_id, c.clause_id, i, c.kind.value, c.relation.value, c.text, c.start, c.end, c.title,
                 c.pinpoint, c.target_doc, c.target_clause, c.reason)
                for i, c in enumerate(citations)
            ],
        )  # fmt: skip

    def replace_citations(self, doc_id: str, citations: Sequence[Citation]) -> None:
        """Replace every citation of one document (after re-resolution)."""
        with self._atomic():
            self._conn.execute("DELETE FROM citations WHERE doc_id = ?", (doc_id,))
            self._insert_citations(doc_id, citations)

    def _delete(self, doc_id: str) -> None:
        self._titles = None
        for table in ("clauses", "citations", "topics", "versions", "subjects"):
            self._conn.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))
        self._conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))

    def delete(self, doc_id: str) -> None:
        """Remove a document and everything that belongs to it."""
        with self._atomic():
            self._delete(doc_id)

    def touch(self, path: str, size: int, mtime: float) -> None:
        """Record a new size and modification time for a file whose content did not change."""
        self._conn.execute("UPDATE documents SET size = ?, mtime = ? WHERE path = ?", (size, mtime, path))

    def record_failure(self, failure: Failure) -> None:
        """Remember that a file failed (the previous version of its document, if any, stays)."""
        self._conn.execute(
            "INSERT OR REPLACE INTO failures (path, error, message, at) VALUES (?, ?, ?, ?)",
            (failure.path, failure.error, failure.message, _now()),
        )

    def clear_failure(self, path: str) -> None:
        """Forget an earlier failure of ``path`` (it was ingested, or is gone)."""
        self._conn.execute("DELETE FROM failures WHERE path = ?", (path,))

    # -- reads -------------------------------------------------------------------------------------------------

    def sources(self) -> dict[str, tuple[str, str, int | None, float | None, str | None]]:
        """path -> (doc id, sha256, size, mtime, pipeline version) of every stored document."""
        rows = self._conn.execute("SELECT path, id, sha256, size, mtime, pipeline FROM documents")
        return {r[0]: (r[1], r[2], r[3], r[4], r[5]) for r in rows}

    def document_facets(self) -> dict[str, tuple[str | None, tuple[str, ...]]]:
        """doc id -> (its status, its assigned subjects): what search results are counted by besides the index's
        own columns (kb.search.doc_facets)."""
        # Three scans of narrow rows and indexes instead of a join per document (twice as fast at 32,000 documents).
        statuses: dict[str, str | None] = dict(self._conn.execute("SELECT doc_id, status FROM versions"))
        assigned: dict[str, list[str]] = {}
        for doc, subject in self._conn.execute(
            "SELECT doc_id, subject FROM subjects WHERE assigned = 1 ORDER BY doc_id, subject"
        ):
            assigned.setdefault(doc, []).append(subject)
        return {doc: (statuses.get(doc), tuple(assigned.get(doc, ()))) for (doc,) in self._conn.execute(
            "SELECT id FROM documents")}  # fmt: skip

    def live_versions(self) -> dict[str, str]:
        """doc id -> sha256 of the version the store holds (what the search index must agree with)."""
        return dict(self._conn.execute("SELECT id, sha256 FROM documents"))

    def failures(self) -> list[Failure]:
        """Files whose last ingest failed, by path."""
        rows = self._conn.execute("SELECT path, error, message FROM failures ORDER BY path")
        return [Failure(path=r[0], error=r[1], message=r[2]) for r in rows]

    def _clauses(self, doc_id: str, body: str) -> tuple[Clause, ...]:
        rows = self._conn.execute(
            'SELECT id, kind, number, ordinal, sub, heading, start, "end", own_end, parent, depth '
            "FROM clauses WHERE doc_id = ? ORDER BY seq",
            (doc_id,),
        )
        return tuple(clause_from_row(doc_id, r, body[r[6] : r[7]]) for r in rows)

    def get_document(self, doc_id: str) -> Document | None:
        """The whole document with its clauses, or None."""
        row = self._conn.execute(
            "SELECT id, path, format, sha256, title, info_json, body, meta_json, warnings_json, grammar "
            "FROM documents WHERE id = ?",
            (doc_id,),
        ).fetchone()
        if row is None:
            return None
        return Document(
            id=row[0], path=row[1], format=Format(row[2]), sha256=row[3], title=row[4],
            info=tuple(json.loads(row[5])), body=row[6], meta=meta_from_json(row[7]),
            clauses=self._clauses(row[0], row[6]), warnings=tuple(json.loads(row[8])), grammar=row[9],
        )  # fmt: skip

    def iter_documents(self, doc_ids: Iterable[str] | None = None) -> Iterator[Document]:
        """Whole documents, one at a time (all of them by id, or the given ids that exist)."""
        ids = list(doc_ids) if doc_ids is not None else [r[0] for r in self._conn.execute(
            "SELECT id FROM documents ORDER BY path")]  # fmt: skip
        for doc_id in ids:
            doc = self.get_document(doc_id)
            if doc is not None:
                yield doc

    def clause_tree(self, doc_id: str) -> tuple[Clause, ...]:
        """A document's clauses without their texts (``text`` empty): enough to find one by number or id."""
        return self._clauses(doc_id, "")

    def get_clause(self, doc_id: str, clause_id: str) -> Clause | None:
        """One clause with its text, or None."""
        row = self._conn.execute(
            'SELECT c.id, c.kind, c.number, c.ordinal, c.sub, c.heading, c.start, c."end", c.own_end, c.parent, '
            'c.depth, substr(d.body, c.start + 1, c."end" - c.start) FROM clauses c JOIN documents d '
            "ON d.id = c.doc_id WHERE c.doc_id = ? AND c.id = ?",
            (doc_id, clause_id),
        ).fetchone()
        return None if row is None else clause_from_row(doc_id, row, row[11])

    def clause_outline(self, doc_id: str) -> list[tuple[str, str, str | None, int | None, int | None]]:
        """(clause id, kind, number, ordinal, sub) of every clause of a document, in order, without texts."""
        rows = self._conn.execute(
            "SELECT id, kind, number, ordinal, sub FROM clauses WHERE doc_id = ? ORDER BY seq", (doc_id,)
        )
        return [(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    def summaries(self, filters: DocFilter | None = None, *, once: bool = False) -> list[DocSummary]:
        """Documents without bodies, filtered, ordered by version date (undated first), title and path, each with
        its version; ``once`` leaves out the copies of a document (listed in its ``copies`` instead).

        A filter's ``as_of`` (with ``status``, in_force when not given) keeps the versions with that status on
        that day, and gives them their status of that day."""
        as_of = filters.as_of if filters is not None else None
        sql_filters = replace(filters, status=None, as_of=None) if filters is not None and as_of else filters
        where, params = filter_sql(sql_filters)
        rows = self._conn.execute(
            f"SELECT {DOC_COLUMNS} FROM documents {where} ORDER BY version_date, title, path", params
        )
        versions = {v.doc_id: v for v in self.versions()}
        if as_of is not None:
            versions = as_of_versions(versions, as_of)
        wanted = filters.status if filters is not None and as_of is not None else None
        copies: dict[str, list[str]] = {}
        paths = dict(self._conn.execute("SELECT id, path FROM documents"))
        for v in versions.values():
            if v.duplicate_of is not None:
                copies.setdefault(v.duplicate_of, []).append(paths.get(v.doc_id, v.doc_id))
        out = []
        subjects: dict[str, list[str]] = {}
        for doc_id, subject in self._conn.execute(
            "SELECT doc_id, subject FROM subjects WHERE assigned = 1 ORDER BY doc_id, score DESC, subject"
        ):
            subjects.setdefault(doc_id, []).append(subject)
        for row in rows:
            summary = summary_from_row(row, subjects.get(row[0], ()))
            version = versions.get(summary.id)
            if once and version is not None and version.duplicate_of is not None:
                continue
            if as_of is not None and (version is None or version.status is not (wanted or Status.IN_FORCE)):
                continue
            out.append(replace(summary, version=version, copies=tuple(sorted(copies.get(summary.id, ())))))
        return out

    def title_keys(self) -> list[tuple[str, str, str]]:
        """(id, key of the title, key of the short title or of the title) of every document, in path order: what a
        title lookup scans (kb.citations.patterns.title_key), kept until the next write."""
        from kb.citations.patterns import title_key

        if self._titles is None:
            rows = self._conn.execute("SELECT id, title, short_title FROM documents ORDER BY path")
            keys = []
            for doc_id, title, short in rows:
                full = title_key(title or "")
                keys.append((doc_id, full, title_key(short) if short else full))
            self._titles = keys
        return self._titles

    def summary(self, doc_id: str) -> DocSummary | None:
        """One document without its body, or None."""
        row = self._conn.execute(f"SELECT {DOC_COLUMNS} FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            return None
        threshold = _subject_threshold()
        held = [s.subject for s in self.subject_scores(doc_id) if s.score >= threshold]
        return replace(summary_from_row(row, held), version=self.version(doc_id))

    def subject_scores(self, doc_id: str) -> list[SubjectScore]:
        """Every subject scored for a document (also below the threshold), best first, with its evidence."""
        rows = self._conn.execute(
            "SELECT subject, score, evidence_json FROM subjects WHERE doc_id = ? ORDER BY score DESC, subject",
            (doc_id,),
        )
        return [SubjectScore(r[0], r[1], tuple(json.loads(r[2]))) for r in rows]

    def citations(
        self,
        *,
        doc_id: str | None = None,
        clause_id: str | None = None,
        target_doc: str | None = None,
        target_clause: str | None = None,
        unresolved: bool | None = None,
    ) -> list[Citation]:
        """Citations matching every given condition, in document order."""
        state = () if unresolved is None else ("target_doc IS NULL" if unresolved else "target_doc IS NOT NULL",)
        where, params = where_sql(
            [("doc_id = ?", doc_id), ("clause_id = ?", clause_id), ("target_doc = ?", target_doc),
             ("target_clause = ?", target_clause)],
            state,
        )  # fmt: skip
        rows = self._conn.execute(
            'SELECT doc_id, clause_id, kind, relation, text, start, "end", title, pinpoint, target_doc, '
            f"target_clause, reason FROM citations {where} ORDER BY doc_id, seq",
            params,
        )
        return [
            Citation(
                doc_id=r[0], clause_id=r[1], kind=CitationKind(r[2]), relation=Relation(r[3]), text=r[4], start=r[5],
                end=r[6], title=r[7], pinpoint=r[8], target_doc=r[9], target_clause=r[10], reason=r[11],
            )
            for r in rows
        ]  # fmt: skip

    def topics(
        self, *, doc_id: str | None = None, clause_id: str | None = None, topic: str | None = None
    ) -> list[TopicTag]:
        """Topic tags matching every given condition."""
        where, params = where_sql([("doc_id = ?", doc_id), ("clause_id = ?", clause_id), ("topic = ?", topic)])
        rows = self._conn.execute(
            f"SELECT doc_id, clause_id, topic, terms_json, spans_json FROM topics {where} ORDER BY doc_id, clause_id",
            params,
        )
        return [
            TopicTag(
                doc_id=r[0], clause_id=r[1], topic=r[2], terms=tuple(json.loads(r[3])),
                spans=tuple((int(s[0]), int(s[1])) for s in json.loads(r[4])),
            )
            for r in rows
        ]  # fmt: skip

    def status(self) -> KbStatus:
        """Counts of documents, clauses, failures and citations, and when the last build finished."""

        def count(sql: str) -> int:
            return int(self._conn.execute(sql).fetchone()[0])

        return KbStatus(
            home=str(self.path.parent),
            documents=count("SELECT count(*) FROM documents"),
            clauses=count("SELECT count(*) FROM clauses"),
            failures=count("SELECT count(*) FROM failures"),
            citations=count("SELECT count(*) FROM citations"),
            last_built=self.get_meta("last_built"),
            schema_version=int(self.get_meta("schema_version") or SCHEMA_VERSION),
        )
