"""Index: Documents and topic tags -> a Whoosh index of clauses and documents; queries -> SearchResult.

The rest of kb sees only the :class:`~kb.search.interface.SearchIndex` protocol (kb/search/interface.py), which
:class:`WhooshIndex` implements; Whoosh stays behind it. The index lives in
``<home>/index`` and holds two kinds of entries: one per clause users want as a hit (an article with all its
paragraphs and items; outside articles, a clause's own text: a policy item, a preamble, a heading) carrying its
document's fields for filtering, and one per document (title, short title, 发文字号, issuers).

Crash safety: the store (kb/store/sqlite.py) is the authority. Entries carry their document's version (id and sha256);
:meth:`WhooshIndex.update` only adds versions, :meth:`WhooshIndex.remove_stale` later drops those the store no
longer holds, and while both exist :meth:`WhooshIndex.set_live` hides the stale ones from results. Every change is
one Whoosh commit: segment files first, then a new table of contents renamed into place, so a writer killed at
any moment leaves the previous index intact. The write lock is an ``flock`` the kernel releases when its holder
dies; readers never lock, so searches run while an ingest writes.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from kb.errors import IndexMissing, StoreError
from kb.models import Clause, ClauseKind, DocFilter, Document, SearchHit, SearchResult, TopicTag
from kb.search.doc_facets import DocFacetValues, FacetTable
from kb.search.entries import CLAUSE, DOCUMENT, Entry

INDEX_DIR = "index"
INDEX_NAME = "MAIN"
LOCK_NAME = f"{INDEX_NAME}_WRITELOCK"
LOCK_WAIT_SECONDS = 60.0
# A reader lists the index folder for a new commit at least this often even when its modification time is unchanged.
RELIST_SECONDS = 1.0
# Batches of at least this many entries are written by several processes at once.
PARALLEL_MIN_ENTRIES = 40_000
# A segment holds at most this many entries: building one takes about 4 KB of memory per entry.
MAX_SEGMENT_ENTRIES = 50_000
# Merge policy: small segments (fewer entries than this, as one-file updates make) are rebuilt into one when there
# are MERGE_COUNT of them. Larger segments are left alone: a batch of an ingest makes one, and merging them would
# cost an ingest more than the milliseconds it saves a query.
SMALL_SEGMENT = 2_000
MERGE_COUNT = 4
# A segment with more than this share of deleted entries is rebuilt from its live entries.
MAX_DELETED_SHARE = 0.5
# Across the whole index, deleted entries (old versions of re-ingested documents) may make up at most this share of
# all entries; past it, the segments with the most deleted entries are rebuilt until half of it is left. This keeps
# an index that has seen many incremental ingests within a few per cent of a fresh build's size, at the cost of an
# occasional rebuild of one batch-sized segment (about a second) during an ingest.
MAX_INDEX_DELETED_SHARE = 0.03
# A table of contents a killed writer left under its temporary name (Whoosh writes _MAIN_7.toc.<time>, then
# renames it); Whoosh's own clean-up only knows finished names, so kb removes these while holding the lock.
TEMP_TOC = re.compile(rf"^_{INDEX_NAME}_\d+\.toc\..+$")


def index_path(home: Path) -> Path:
    """Where the search index of the knowledge base ``home`` lives."""
    return Path(home) / INDEX_DIR


def open_index(home: Path, *, create: bool = False, live: Mapping[str, str] | None = None) -> WhooshIndex:
    """Open the search index of ``home`` (creating an empty one with ``create``); raises IndexMissing.

    ``live`` (doc id -> sha256, from the store) hides entries of other versions; pass it when the store says an
    ingest did not finish (the normal case needs none).
    """
    from whoosh.filedb.filestore import FileStorage

    path = index_path(home)
    if not create and not (path.is_dir() and any(p.name.endswith(".toc") for p in path.iterdir())):
        raise IndexMissing(f"{path}: no search index here; run `kb ingest PATH` to build the knowledge base first")
    if create:
        path.mkdir(parents=True, exist_ok=True)
    storage = FileStorage(str(path))
    if create and not any(name.endswith(".toc") for name in storage.list()):
        from kb.search.postings import make_schema

        with _WriteLock(storage, path):
            if not any(name.endswith(".toc") for name in storage.list()):
                storage.create_index(make_schema(), indexname=INDEX_NAME)
    index = WhooshIndex(storage, path)
    if live is not None:
        index.set_live(live)
    return index


def entries_for(doc: Document, tags: Sequence[TopicTag] = ()) -> list[Entry]:
    """The index entries of one document: its own entry, then one per searchable clause, in body order.

    An article (条) is one entry with all its paragraphs and items, so a hit is the article users cite. Outside
    articles each clause contributes its own text (heading and lead-in, or all of a leaf item), so every part of
    the body is indexed once and nothing twice. A table of contents repeats headings and is left out.
    """
    meta = doc.meta
    version = f"{doc.id}@{doc.sha256}"
    date = meta.version_date or meta.promulgated or meta.adopted
    common: dict[str, Any] = {
        "doc_id": doc.id, "version": version, "title": doc.title or meta.title, "province": meta.province,
        "city": meta.city, "level": None if meta.level is None else meta.level.value,
        "doc_type": None if meta.doc_type is None else meta.doc_type.value,
        "status": None if meta.status is None else meta.status.value, "year": meta.year,
        "first_year": meta.first_year, "date": date.isoformat() if date else (str(meta.year) if meta.year else None),
    }  # fmt: skip
    units = _units(doc.clauses, doc.body)
    unit_of = _unit_of(doc.clauses)
    topics: dict[str | None, set[str]] = {}
    for tag in tags:
        topics.setdefault(unit_of.get(tag.clause_id, tag.clause_id), set()).add(tag.topic)
    head = [doc.title or meta.title, meta.short_title, meta.doc_number, *meta.issuers]
    seen: list[str] = []
    for line in head:
        if line and line not in seen:
            seen.append(line)
    all_topics = tuple(sorted({t for ts in topics.values() for t in ts}))
    entries = [Entry(kind=DOCUMENT, clause_id=None, text="\n".join(seen), topics=all_topics, **common)]
    for clause, text in units:
        key = clause.id if clause is not None else None
        entries.append(Entry(kind=CLAUSE, clause_id=key, text=text, number=clause.number if clause else None,
                             topics=tuple(sorted(topics.get(key, ()))), **common))  # fmt: skip
    return entries


def _units(clauses: Sequence[Clause], body: str) -> list[tuple[Clause | None, str]]:
    """(clause, text) of the searchable units: whole articles, else own texts; the whole body if no clauses."""
    if not clauses:
        return [(None, body.strip())] if body.strip() else []
    units: list[tuple[Clause | None, str]] = []
    skip_under: set[str] = set()
    for clause in clauses:
        if clause.parent is not None and clause.parent in skip_under:
            skip_under.add(clause.id)
            continue
        if clause.kind in (ClauseKind.ARTICLE, ClauseKind.TOC):
            skip_under.add(clause.id)
            if clause.kind == ClauseKind.ARTICLE and clause.text.strip():
                units.append((clause, clause.text.strip()))
            continue
        own = body[clause.start : clause.own_end].strip()
        if own:
            units.append((clause, own))
    return units


def _unit_of(clauses: Sequence[Clause]) -> dict[str, str]:
    """Clause id -> the id of the unit (entry) its text is indexed in: its article, else itself."""
    article: dict[str, str] = {}
    for clause in clauses:
        if clause.parent is not None and clause.parent in article:
            article[clause.id] = article[clause.parent]
        elif clause.kind == ClauseKind.ARTICLE:
            article[clause.id] = clause.id
    return article


class _WriteLock:
    """Whoosh's index write lock (``flock``: released by the kernel when its holder dies, so never stale).

    The holder writes its pid into the lock file, so a waiting writer can say who holds it.
    """

    def __init__(self, storage: Any, path: Path, wait: float = LOCK_WAIT_SECONDS) -> None:
        self.lock = storage.lock(LOCK_NAME)
        self.path = path
        self.wait = wait

    def __enter__(self) -> _WriteLock:
        deadline = time.monotonic() + self.wait
        while not self.lock.acquire(blocking=False):
            if time.monotonic() > deadline:
                holder = _read_pid(self.path / LOCK_NAME)
                who = f"process {holder}" if holder else "another process"
                raise StoreError(f"{self.path}: the search index is being written by {who} (a running `kb ingest`?);"
                                 f" wait for it to finish, then try again")  # fmt: skip
            time.sleep(0.1)
        os.ftruncate(self.lock.fd, 0)
        os.pwrite(self.lock.fd, str(os.getpid()).encode("ascii"), 0)
        return self

    def __exit__(self, *exc: object) -> None:
        self.lock.release()

    def fd(self) -> int:
        return int(self.lock.fd)


def _read_pid(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


class WhooshIndex:
    """The Whoosh implementation of :class:`kb.search.interface.SearchIndex` (the module docstring has the design)."""

    def __init__(self, storage: Any, path: Path) -> None:
        self.storage = storage
        self.path = path
        self.live: Mapping[str, str] | None = None
        self.facet_table: FacetTable | None = None
        self._snapshot: Any = None
        # (the index folder's stat, the generation listed then, when): see _latest_generation.
        self._listed: tuple[tuple[int, int, int], int, float] | None = None

    # -- reading --------------------------------------------------------------------------------------------------

    def snapshot(self) -> Any:
        """The segments of the latest commit, reopened when another process has committed since."""
        from kb.search.snapshot import Snapshot

        for attempt in range(5):
            try:
                generation = self._latest_generation()
                if self._snapshot is None or self._snapshot.generation != generation:
                    self._snapshot = Snapshot.open(self.storage, INDEX_NAME, generation, self._snapshot)
                    if self.live is not None:
                        self._snapshot.set_live(self.live)
                    self._snapshot.facet_table = self.facet_table
                return self._snapshot
            except FileNotFoundError:  # a writer removed the files of an older commit while they were opened
                if attempt == 4:
                    raise
                self._listed = None
                time.sleep(0.05)
        raise AssertionError("unreachable")

    def _latest_generation(self) -> int:
        """The newest commit's number. Listing the folder (some 300 files) costs more than a small search's
        arithmetic, so it is listed again only when the folder changed (a commit adds a table of contents, which
        changes its modification time) or a second has passed (for file systems with coarse times)."""
        from whoosh.index import TOC

        try:
            info = os.stat(self.path)
            key = (info.st_mtime_ns, info.st_ino, info.st_nlink)
        except OSError:
            key = None
        now = time.monotonic()
        listed = self._listed
        if key is not None and listed is not None and listed[0] == key and now - listed[2] < RELIST_SECONDS:
            return listed[1]
        generation = TOC._latest_generation(self.storage, INDEX_NAME)
        self._listed = (key, int(generation), now) if key is not None and generation >= 0 else None
        if generation < 0:
            raise IndexMissing(f"{self.path}: no search index here; run `kb ingest PATH` to build it")
        return int(generation)

    def set_document_facets(self, values: DocFacetValues | None) -> None:
        """Count results per subject and status with these values from the store (None: no such facets)."""
        self.facet_table = FacetTable(values) if values is not None else None
        if self._snapshot is not None:
            self._snapshot.facet_table = self.facet_table

    def set_live(self, live: Mapping[str, str] | None) -> None:
        """Restrict hits and facets to entries of these document versions (doc id -> sha256); None lifts it."""
        self.live = dict(live) if live is not None else None
        if self._snapshot is not None:
            self._snapshot.set_live(self.live)

    def search(self, query: str, *, filters: DocFilter | None = None, docs: bool = False, limit: int = 10,
               sort: str = "relevance", facets: bool = True) -> SearchResult:  # fmt: skip
        """Clauses (or with ``docs`` documents) matching ``query`` and ``filters``; see query.py for the syntax.

        Hits are ranked by relevance (BM25 over the matched strings) or by date (newest first); facet counts
        (province, year, type) cover the whole result set, not only the hits returned.
        """
        from kb.search.query import search_tree

        started = time.perf_counter()
        node, tree = search_tree(query, filters, sort=sort, limit=limit)
        for attempt in range(3):
            try:
                return self._answer(query, node, tree, docs=docs, limit=limit, sort=sort, facets=facets,
                                    started=started)  # fmt: skip
            except FileNotFoundError:
                if attempt == 2:
                    raise
                self._snapshot = None
        raise AssertionError("unreachable")

    def _answer(self, query: str, node: Any, tree: Any, *, docs: bool, limit: int, sort: str, facets: bool,
                started: float) -> SearchResult:  # fmt: skip
        """Exact matching of ``tree``, or ranked answers when the query is a question (see kb.search.modes)."""
        from kb.search.analyzer import normalize
        from kb.search.evaluate import run_search
        from kb.search.modes import check_filters, explain_zero, filters_of, question_parts
        from kb.search.query import And, Filter, Text

        snapshot = self.snapshot()
        check_filters(snapshot, tree)
        question = None if docs or sort != "relevance" else question_parts(query, node)
        if question is not None and question.certain:
            return self._ranked(query, question, tree, limit, facets, started)
        hits, total, facet_counts = run_search(snapshot, tree, docs=docs, limit=limit, sort=sort, facets=facets)
        if total == 0 and question is not None and question.possible:
            return self._ranked(query, question, tree, limit, facets, started)
        if total == 0 and isinstance(node, Text):
            from kb.citations.patterns import load_aliases

            full = load_aliases().expand(node.text)
            if full is not None:  # a name from the alias file (个保法, 数据二十条): its document's entries
                named = And((Filter("title", normalize(full)), *filters_of(tree)))
                hits, total, facet_counts = run_search(snapshot, named, docs=docs, limit=limit, sort=sort,
                                                       facets=facets)  # fmt: skip
        word_hits: tuple[tuple[str, int], ...] = ()
        relaxed = None
        if total == 0 and node is not None:
            word_hits, relaxed = explain_zero(snapshot, node, tree)
        return SearchResult(query=query, total=total, hits=hits, facets=facet_counts,
                            seconds=round(time.perf_counter() - started, 6), word_hits=word_hits,
                            relaxed=relaxed)  # fmt: skip

    def _ranked(self, query: str, question: Any, tree: Any, limit: int, facets: bool, started: float) -> SearchResult:
        from kb.search.modes import filters_of
        from kb.search.rank import rank_question

        hits, total, facet_counts, _ = rank_question(self.snapshot(), question.text, filters_of(tree), limit=limit,
                                                     facets=facets)  # fmt: skip
        return SearchResult(query=query, total=total, hits=hits, facets=facet_counts,
                            seconds=round(time.perf_counter() - started, 6), mode="question")  # fmt: skip

    def more_like_this(self, doc_id: str, clause_id: str, *, limit: int = 10) -> tuple[SearchHit, ...]:
        """Other clauses whose wording is closest to this one (BM25 over its most distinctive bigrams)."""
        from kb.search.evaluate import similar

        return similar(self.snapshot(), doc_id, clause_id, limit=limit)

    def indexed_versions(self) -> dict[str, str]:
        """doc id -> sha256 of the version indexed; with two versions of a document, the one written last."""
        versions: dict[str, str] = {}
        for version in self.snapshot().versions():
            doc_id, _, sha = version.rpartition("@")
            versions[doc_id] = sha
        return versions

    def doc_count(self) -> int:
        """Number of live entries (clauses and documents) in the index."""
        return int(self.snapshot().entry_count())

    # -- writing --------------------------------------------------------------------------------------------------

    def update(self, docs: Iterable[tuple[Document, Sequence[TopicTag]]], remove: Iterable[str] = ()) -> None:
        """Add the given document versions and delete all versions of the ``remove`` doc ids, in one commit.

        Re-adding a version already indexed replaces it; other versions of the same document stay until
        :meth:`remove_stale` (the store decides which version is live). Large batches are written by several
        processes at once.
        """
        entries: list[Entry] = []
        for doc, tags in docs:
            entries.extend(entries_for(doc, tags))
        removed = set(remove)
        if not entries and not removed:
            return
        new_versions = {e.version for e in entries}
        with _WriteLock(self.storage, self.path) as lock:
            segments = _write_entries(self.storage, entries, lock.fd())
            self._commit(segments, lambda version: version in new_versions or version.rpartition("@")[0] in removed)

    def remove_stale(self, live: Mapping[str, str]) -> int:
        """Drop entries whose (doc id, sha256) is not in ``live``; return how many document versions went."""
        with _WriteLock(self.storage, self.path):
            stale = {v for v in self.snapshot().versions(all_versions=True)
                     if live.get(v.rpartition("@")[0]) != v.rpartition("@")[2]}  # fmt: skip
            if stale:
                self._commit([], stale.__contains__)
        return len(stale)

    def _commit(self, new_segments: list[Any], doomed: Any) -> None:
        """Write a new table of contents: old segments less ``doomed`` versions' entries, merged, plus new ones."""
        from whoosh.index import TOC, clean_files

        from kb.search.snapshot import Snapshot

        toc = TOC.read(self.storage, INDEX_NAME)
        current = Snapshot.open(self.storage, INDEX_NAME, toc.generation, self._snapshot)
        kept: list[Any] = []
        rebuild: list[Any] = []
        for part in current.parts:
            segment = part.segment
            for docnum in part.docnums_of_versions(doomed):
                segment.delete_document(int(docnum))
            alive = segment.doc_count()
            if alive == 0:
                continue
            if segment.deleted_count() > MAX_DELETED_SHARE * segment.doc_count_all():
                rebuild.append(part)
            else:
                kept.append(part)
        rebuild.extend(_most_deleted(kept))
        kept = [p for p in kept if p not in rebuild]
        small = [p for p in kept if p.segment.doc_count() < SMALL_SEGMENT]
        if len(small) >= MERGE_COUNT:
            rebuild.extend(small)
            kept = [p for p in kept if p not in small]
        segments = [p.segment for p in kept]
        if rebuild:
            entries = [e for part in rebuild for e in part.live_entries()]
            if entries:
                from kb.search.whoosh_writer import write_segment

                segments.append(write_segment(self.storage, INDEX_NAME, entries))
        segments.extend(new_segments)
        TOC(toc.schema, segments, toc.generation + 1).write(self.storage, INDEX_NAME)
        clean_files(self.storage, INDEX_NAME, toc.generation + 1, segments)
        for name in self.storage.list():
            if TEMP_TOC.match(name):
                self.storage.delete_file(name)
        self._snapshot = None
        self._listed = None

    def close(self) -> None:
        """Release open files (the index can be opened again)."""
        if self._snapshot is not None:
            self._snapshot.close()
            self._snapshot = None


def _most_deleted(parts: Sequence[Any]) -> list[Any]:
    """The segments to rebuild so that deleted entries fall to half of MAX_INDEX_DELETED_SHARE of the index, most
    deleted first; none while the share is below MAX_INDEX_DELETED_SHARE."""
    total = sum(p.segment.doc_count_all() for p in parts)
    dead = sum(p.segment.deleted_count() for p in parts)
    if not total or dead <= MAX_INDEX_DELETED_SHARE * total:
        return []
    chosen = []
    for part in sorted(parts, key=lambda p: p.segment.deleted_count(), reverse=True):
        if dead <= MAX_INDEX_DELETED_SHARE * total / 2 or not part.segment.deleted_count():
            break
        chosen.append(part)
        dead -= part.segment.deleted_count()
    return chosen


def _write_entries(storage: Any, entries: list[Entry], lock_fd: int) -> list[Any]:
    """Write entries as new segments of at most MAX_SEGMENT_ENTRIES each (bounding memory); large batches are
    shared among child processes, one per core, each writing its own segments."""
    from kb.search.whoosh_writer import write_segment

    if not entries:
        return []
    procs = _cpu_count() if len(entries) >= PARALLEL_MIN_ENTRIES else 1
    count = max(-(-len(entries) // MAX_SEGMENT_ENTRIES), procs)
    size = -(-len(entries) // count)
    chunks = [entries[i : i + size] for i in range(0, len(entries), size)]
    import multiprocessing

    if procs < 2 or multiprocessing.current_process().daemon or "fork" not in multiprocessing.get_all_start_methods():
        return [write_segment(storage, INDEX_NAME, chunk) for chunk in chunks]
    context = multiprocessing.get_context("fork")
    shares = [chunks[i::procs] for i in range(procs)]
    children = []
    for share in shares[1:]:
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_child_write, args=(storage, share, sender, lock_fd), daemon=False)
        process.start()
        sender.close()
        children.append((process, receiver))
    segments = [write_segment(storage, INDEX_NAME, chunk) for chunk in shares[0]]
    for process, receiver in children:
        try:
            segments.extend(pickle.loads(receiver.recv_bytes()))
        except EOFError:
            process.join()
            raise StoreError(f"{storage.folder}: a process writing the search index failed (exit code "
                             f"{process.exitcode}); run `kb ingest` again") from None  # fmt: skip
        process.join()
    return segments


def _child_write(storage: Any, chunks: list[list[Entry]], sender: Any, lock_fd: int) -> None:
    """Child process: write its segments and send them back. The inherited lock descriptor is closed first so the
    lock dies with the parent."""
    from kb.search.whoosh_writer import write_segment

    with contextlib.suppress(OSError):
        os.close(lock_fd)
    segments = [write_segment(storage, INDEX_NAME, chunk) for chunk in chunks]
    sender.send_bytes(pickle.dumps(segments))
    sender.close()


def _cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)
