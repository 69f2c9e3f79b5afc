"""Incremental ingest: the files and folders a user names -> store, search index and graph; the one place the
stages are chained.

Per document, :func:`process_bytes` is a pure function (bytes in, records out) so it can run in any worker: here in a
process pool on the local cores, later on a cluster. :func:`ingest` is incremental (content hashes; unchanged files
do no work) and crash-safe: the search index only ever gains new versions before the store commits, the store is
the authority, and stale index entries are dropped after, so a run killed at any moment leaves the previous
knowledge base whole and the next run completes it.
"""

from __future__ import annotations

import hashlib
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from kb.errors import KbError
from kb.extract import read_file
from kb.extract.lists import list_source, read_list, row_path
from kb.models import Failure, Format, IngestReport
from kb.pipeline.files import Discovered, discover, shown
from kb.pipeline.limits import Limits, run_bounded
from kb.search.interface import INDEX_CLEAN, INDEX_DIRTY, INDEX_STATE

if TYPE_CHECKING:
    from kb.search.interface import SearchIndex
    from kb.store.lock import Holder
    from kb.store.sqlite import Store

from kb.pipeline.process import (
    PIPELINE_VERSION,
    Options,
    Processed,
    document_id,
    process_file,
    process_row,
    widen_key,
)

# Documents processed and committed together: bounds memory and what a killed run has to redo.
BATCH_SIZE = 200
READ_AHEAD = BATCH_SIZE  # results read ahead of the writer (memory: a batch of processed documents)
READER_JOIN_SECONDS = 10.0  # how long an early stop waits for the reader (it stops the workers when it returns)
T = TypeVar("T")
# Below this many files the pool's start-up costs more than it saves.
MIN_FILES_FOR_POOL = 16
# Folder entries that document the folder itself rather than being policy texts.
# Per-file time and memory limits when the caller gives none.
DEFAULT_LIMITS = Limits()

Progress = Callable[[str, bool], None]


# -- workers -------------------------------------------------------------------------------------------------------


def _safe_process(job: tuple[str, str], options: Options) -> Processed | Failure:
    path, key = job
    return process_or_failure(path, options, key)


def process_or_failure(path: str, options: Options, key: str | None = None) -> Processed | Failure:
    """:func:`process_file`, with every problem of the file (a bug included) as a named :class:`Failure`; only a
    MemoryError is raised, for the worker to report against its memory limit."""
    try:
        return process_file(path, options, key)
    except KbError as exc:
        return Failure(path, type(exc).__name__, str(exc))
    except MemoryError:
        raise  # the worker reports it against its memory limit
    except RecursionError:
        return Failure(path, "FileTooCostly", f"{path}: nested too deeply to read; skipped")
    except SystemError as exc:
        if _memory_capped():  # C code (a tokenizer, a parser) that failed to allocate under the cap says only this
            raise MemoryError(str(exc)) from exc
        return Failure(path, "InternalError", f"{path}: could not be processed (SystemError: {exc})")
    except Exception as exc:  # a bug must not stop the batch: report it against the file
        return Failure(path, "InternalError", f"{path}: could not be processed ({type(exc).__name__}: {exc})")


def _memory_capped() -> bool:
    """True in a worker whose address space is capped (kb.pipeline.limits.limit_memory)."""
    import resource

    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    return soft != resource.RLIM_INFINITY


def _process_all(
    paths: Sequence[tuple[str, str]], options: Options, jobs: int, limits: Limits, cluster: Any = None
) -> Iterator[tuple[str, Processed | Failure]]:
    """Process (path, source key) pairs: on a cluster's workers, or in local worker processes under ``limits``
    (few files share one worker). The cluster's workers find each file's key in ``options.keys``."""
    if cluster is not None:  # a Dask client: the workers of its cluster run the stages
        from kb.distributed import process_on_cluster

        yield from process_on_cluster([path for path, _ in paths], options, cluster)
        return
    keys = dict(paths)
    workers = 1 if len(paths) < MIN_FILES_FOR_POOL else jobs
    results = run_bounded([p for p, _ in paths], lambda path: _safe_process((path, keys[path]), options), workers,
                          limits)  # fmt: skip
    yield from read_ahead(results, READ_AHEAD) if workers > 1 else results


def read_ahead(results: Iterator[T], size: int) -> Iterator[T]:
    """``results`` read by a thread of their own, up to ``size`` ahead of the consumer.

    The worker pool hands out files only while its results are read. Read in the same thread, the workers stood
    idle whenever this process wrote a batch to the index and the store (most of the time at 10x the corpus: the
    workers were busy 29% of the time). The reading thread spends its time waiting on the workers' pipes, which
    releases the interpreter to the writer. Everything that writes stays in the consumer's thread. An exception
    in the reader reaches the consumer. When the consumer stops early, the reader stops at its next result and
    closes ``results``, which stops the workers.
    """
    box: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=size)
    stop = threading.Event()

    def put(item: tuple[str, Any]) -> bool:
        while not stop.is_set():
            try:
                box.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            for result in results:
                if not put(("result", result)):
                    return
            put(("end", None))
        except BaseException as exc:  # handed to the consumer, which raises it
            put(("error", exc))
        finally:
            close = getattr(results, "close", None)
            if close is not None:
                close()

    reader = threading.Thread(target=read, name="kb-ingest-results", daemon=True)
    reader.start()
    try:
        while True:
            kind, value = box.get()
            if kind == "result":
                yield value
            elif kind == "error":
                raise value
            else:
                return
    finally:
        stop.set()
        reader.join(READER_JOIN_SECONDS)


def default_jobs() -> int:
    """Worker processes to use: every core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


# -- ingest --------------------------------------------------------------------------------------------------------


def _fingerprint(options: Options, metadata_file: Path | None) -> str:
    """The pipeline version plus what in the options changes a document's records."""
    from kb.topics.subjects import SUBJECTS_FILE
    from kb.topics.tag import TOPICS_FILE

    # The built-in lexicons are data users edit: a change to them re-classifies every document.
    lexicons = hashlib.sha256(TOPICS_FILE.read_bytes() + SUBJECTS_FILE.read_bytes()).hexdigest()[:16]
    parts = [PIPELINE_VERSION, "ocr" if options.ocr else "", lexicons]
    extras = (options.topics_file, options.subjects_file)
    for extra in (metadata_file, *(Path(e) if e else None for e in extras)):
        parts.append(hashlib.sha256(extra.read_bytes()).hexdigest()[:16] if extra else "")
    return ":".join(parts)


def ingest(
    paths: Iterable[str | Path] | Discovered,
    home: str | Path,
    *,
    metadata_file: str | Path | None = None,
    topics_file: str | Path | None = None,
    subjects_file: str | Path | None = None,
    ocr: bool = False,
    strict: bool = False,
    jobs: int | None = None,
    scheduler: str | None = None,
    engine: str | None = None,
    progress: Progress | None = None,
    limits: Limits = DEFAULT_LIMITS,
    follow_links: bool = False,
    wait: bool = True,
    on_wait: Callable[[Holder], None] | None = None,
) -> IngestReport:
    """Bring the knowledge base at ``home`` up to date with the files under ``paths``.

    New and changed files are processed, files gone from an ingested folder are removed, unchanged files do no
    work. A file that fails is reported in the result (its earlier version, if any, stays); with ``strict`` the
    first failure raises instead. ``paths`` may be what :func:`discover` found already (a caller that shows a
    progress bar needs the number of files first); ``progress`` is called once for every file. With
    ``scheduler`` (a Dask scheduler's address) the per-document stages run on that cluster's workers instead of
    local processes; this process still writes the store and the index. ``engine`` chooses the search engine of
    a new knowledge base (Whoosh by default); an existing one keeps its own. Locally each file runs in a worker
    process under ``limits``. The home's write lock is held throughout: when another process holds it,
    ``on_wait`` is told who and the call waits, or with ``wait=False`` raises HomeBusy.
    """
    from kb.store.lock import home_lock

    with home_lock(home, wait=wait, on_wait=on_wait):
        return _locked_ingest(paths, Path(home), metadata_file=metadata_file, topics_file=topics_file,
                              subjects_file=subjects_file, ocr=ocr, strict=strict, jobs=jobs, scheduler=scheduler,
                              engine=engine, progress=progress, limits=limits, follow_links=follow_links)  # fmt: skip


def _locked_ingest(
    paths: Iterable[str | Path] | Discovered,
    home: Path,
    *,
    metadata_file: str | Path | None,
    topics_file: str | Path | None,
    subjects_file: str | Path | None,
    ocr: bool,
    strict: bool,
    jobs: int | None,
    scheduler: str | None,
    engine: str | None,
    progress: Progress | None,
    limits: Limits,
    follow_links: bool,
) -> IngestReport:

    started = time.perf_counter()
    stage: dict[str, float] = {}
    meta_path = Path(metadata_file) if metadata_file else None
    overrides = None
    if meta_path is not None:
        from kb.metadata.read import load_overrides

        overrides = load_overrides(meta_path)
    options = Options(
        ocr=ocr,
        overrides=overrides,
        topics_file=str(topics_file) if topics_file else None,
        subjects_file=str(subjects_file) if subjects_file else None,
        engine=engine,
    )
    fingerprint = _fingerprint(options, meta_path)
    found = paths if isinstance(paths, Discovered) else discover(paths, follow_links=follow_links)
    if strict and found.failures:
        raise KbError(found.failures[0].message)
    failures = list(found.failures)
    if engine is not None:  # a home holds one index: refuse another engine before changing anything
        from kb.search.engines import check_engine

        check_engine(home, engine)
    cluster = None
    if scheduler is not None:  # connect before touching the knowledge base: a wrong address changes nothing
        from kb.distributed import connect

        cluster = connect(scheduler)
    try:
        return _ingest(found, home, options, fingerprint, failures, strict, jobs, limits, cluster, progress, started,
                       stage)  # fmt: skip
    finally:
        if cluster is not None:
            cluster.close()


def _ingest(
    found: Discovered,
    home: Path,
    options: Options,
    fingerprint: str,
    failures: list[Failure],
    strict: bool,
    jobs: int | None,
    limits: Limits,
    cluster: Any,
    progress: Progress | None,
    started: float,
    stage: dict[str, float],
) -> IngestReport:
    from kb.store.sqlite import Store

    with Store.open(home, create=True) as store:
        known = store.sources()
        todo: dict[str, tuple[int, float]] = {}  # path -> (size, mtime) as scanned, before it is read
        unchanged = 0
        touched: list[tuple[str, int, float]] = []
        for file in found.files:
            key = str(file)
            try:
                stat = file.stat()
                seen = known.get(key)
                same = False
                if seen is not None and seen[4] == fingerprint:
                    same = seen[2] == stat.st_size and seen[3] == stat.st_mtime
                    if not same and seen[1] == hashlib.sha256(read_file(file)).hexdigest():
                        touched.append((key, stat.st_size, stat.st_mtime))
                        same = True
            except (OSError, KbError) as exc:  # gone or changed since it was found: its earlier version stays
                failures.append(Failure(key, "Unreadable", f"{shown(key)}: cannot be read ({exc}); skipped"))
                continue
            if same:
                unchanged += 1
                if progress is not None:
                    progress(key, True)
                continue
            todo[key] = (stat.st_size, stat.st_mtime)
        present = {str(f) for f in found.files}
        listed = {str(f) for f in found.lists}
        gone = [
            (path, entry[0])
            for path, entry in known.items()
            if path not in present and (list_source(path) or path) not in listed
            and any(Path(path).is_relative_to(root) for root in found.roots)
            and not Path(list_source(path) or path).exists()
        ]  # fmt: skip
        lists_todo: list[tuple[Path, bytes, str]] = []  # (list file, its bytes, its stamp) that changed
        for list_file in found.lists:
            try:
                data = list_file.read_bytes()
            except OSError as exc:
                failures.append(Failure(str(list_file), "CorruptFile", f"{list_file}: cannot be read ({exc})"))
                continue
            stamp = f"{hashlib.sha256(data).hexdigest()}:{fingerprint}"
            if store.get_meta(_LIST_KEY + str(list_file)) == stamp:
                unchanged += sum(1 for p in known if list_source(p) == str(list_file))
                if progress is not None:
                    progress(str(list_file), True)
                continue
            lists_todo.append((list_file, data, stamp))
        stage["scan"] = time.perf_counter() - started

        added = updated = removed_rows = 0
        interrupted = store.get_meta(INDEX_STATE) == INDEX_DIRTY  # a killed run left work to finish
        gaps = () if (todo or gone or interrupted or lists_todo) else _index_gaps(home, store)
        if todo or gone or interrupted or lists_todo or gaps:
            index = _open_index(home, options.engine)
            _repair_index(store, index, gaps or _index_gaps(home, store))
            store.set_meta(INDEX_STATE, INDEX_DIRTY)
            keys = _unique_keys(found, todo, known)
            options = replace(options, keys=keys) if cluster is not None else options
            results = _process_all([(p, keys[p]) for p in todo], options, jobs or default_jobs(), limits, cluster)
            batch: list[Processed] = []
            for path, outcome in results:
                if progress is not None:
                    progress(path, not isinstance(outcome, Failure))
                if isinstance(outcome, Failure):
                    if strict:
                        raise KbError(outcome.message)
                    failures.append(outcome)
                    with store.transaction():
                        store.record_failure(outcome)
                    continue
                batch.append(outcome)
                if len(batch) >= BATCH_SIZE:
                    a, u = _commit_batch(store, index, batch, known, todo, fingerprint, stage)
                    added, updated, batch = added + a, updated + u, []
            if batch:
                a, u = _commit_batch(store, index, batch, known, todo, fingerprint, stage)
                added, updated = added + a, updated + u
            for list_file, data, stamp in lists_todo:
                a, u, r, problems = _ingest_list(store, index, list_file, data, known, options, fingerprint, stage)
                added, updated, removed_rows = added + a, updated + u, removed_rows + r
                if strict and problems:
                    raise KbError(problems[0].message)
                failures.extend(problems)
                with store.transaction():
                    for problem in problems:
                        store.record_failure(problem)
                    if not any(p.path == str(list_file) for p in problems):
                        store.set_meta(_LIST_KEY + str(list_file), stamp)
                if progress is not None:
                    progress(str(list_file), not any(p.path == str(list_file) for p in problems))
            t0 = time.perf_counter()
            with store.transaction():
                for path, doc_id in gone:
                    store.delete(doc_id)
                    store.clear_failure(path)
            stage["store"] = stage.get("store", 0.0) + time.perf_counter() - t0
            _finish(store, index, stage)
        if touched:
            with store.transaction():
                for key, size, mtime in touched:
                    store.touch(key, size, mtime)
        with store.transaction():
            for path in present:
                if path not in todo:
                    store.clear_failure(path)
            store.set_meta("last_built", time.strftime("%Y-%m-%dT%H:%M:%S%z"))

    return IngestReport(
        added=added,
        updated=updated,
        unchanged=unchanged,
        removed=len(gone) + removed_rows,
        failures=tuple(failures),
        seconds=time.perf_counter() - started,
        stage_seconds=tuple(sorted(stage.items())),
    )


# Meta key under which the store remembers the content and fingerprint of each list file it read.
_LIST_KEY = "list:"


def _ingest_list(
    store: Store,
    index: Any,
    list_file: Path,
    data: bytes,
    known: dict[str, tuple[str, str, int | None, float | None, str | None]],
    options: Options,
    fingerprint: str,
    stage: dict[str, float],
) -> tuple[int, int, int, list[Failure]]:
    """Read one list file and store a document per good row; rows gone from the file are removed.

    Returns (added, updated, removed, failures): a failure per rejected row (path ``FILE#row=N``), or one for the
    whole file when it is no readable list (then its rows already stored stay).
    """
    key = str(list_file)
    t0 = time.perf_counter()
    try:
        parsed = read_list(data, key)
    except KbError as exc:
        return 0, 0, 0, [Failure(key, type(exc).__name__, str(exc))]
    fmt = Format.XLSX if list_file.suffix.lower() == ".xlsx" else Format.CSV
    stat = list_file.stat()
    failures = [Failure(row_path(key, p.row), "BadRow", p.message) for p in parsed.problems]
    processed: list[Processed] = []
    for row in parsed.rows:
        try:
            processed.append(process_row(row, key, fmt, options))
        except KbError as exc:
            failures.append(Failure(row_path(key, row.row), type(exc).__name__, f"{key}: row {row.row}: {exc}"))
    stage["rows"] = stage.get("rows", 0.0) + time.perf_counter() - t0
    scanned = {p.document.path: (stat.st_size, stat.st_mtime) for p in processed}
    added = updated = 0
    for start in range(0, len(processed), BATCH_SIZE * 10):
        a, u = _commit_batch(store, index, processed[start : start + BATCH_SIZE * 10], known, scanned, fingerprint,
                             stage)  # fmt: skip
        added, updated = added + a, updated + u
    kept = set(scanned)
    stale = [entry[0] for path, entry in known.items() if list_source(path) == key and path not in kept]
    with store.transaction():
        for doc_id in stale:
            store.delete(doc_id)
    return added, updated, len(stale), failures


def _unique_keys(found: Discovered, todo: Mapping[str, object], known: Mapping[str, tuple[Any, ...]]) -> dict[str, str]:
    """The source key of each file to process, widened where another file, still present, already has its id."""
    taken = {entry[0]: path for path, entry in known.items() if path not in todo and Path(path).exists()}
    keys: dict[str, str] = {}
    for path in todo:
        key = found.key(Path(path))
        while taken.get(document_id(key), path) != path:
            wider = widen_key(path, key)
            if wider == key:
                break
            key = wider
        taken[document_id(key)] = path
        keys[path] = key
    return keys


def index_gaps(home: str | Path) -> tuple[str, ...]:
    """Documents the store holds whose version the search index lacks (a search would not find them), by id."""
    from kb.store.sqlite import Store

    with Store.open(home) as store:
        return _index_gaps(Path(home), store)


def _index_gaps(home: Path, store: Store) -> tuple[str, ...]:
    from kb.errors import IndexMissing
    from kb.search.engines import open_search_index

    live = store.live_versions()
    if not live:
        return ()
    try:
        indexed = open_search_index(home).indexed_versions()
    except IndexMissing:
        return tuple(sorted(live))
    return tuple(sorted(doc_id for doc_id, sha in live.items() if indexed.get(doc_id) != sha))


def _repair_index(store: Store, index: Any, gaps: Sequence[str]) -> None:
    """Index again, from the store, the documents the index lacks (left so by a crash or an older kb)."""
    for start in range(0, len(gaps), BATCH_SIZE):
        docs = list(store.iter_documents(gaps[start : start + BATCH_SIZE]))
        index.update([(doc, store.topics(doc_id=doc.id)) for doc in docs])


def _open_index(home: Path, engine: str | None = None) -> SearchIndex:
    from kb.search.engines import open_search_index

    return open_search_index(home, create=True, engine=engine)


def _commit_batch(
    store: Store,
    index: SearchIndex,
    batch: Sequence[Processed],
    known: dict[str, tuple[str, str, int | None, float | None, str | None]],
    scanned: dict[str, tuple[int, float]],
    fingerprint: str,
    stage: dict[str, float],
) -> tuple[int, int]:
    """Index the new versions, then commit them to the store in one transaction."""
    t0 = time.perf_counter()
    index.update([(p.document, p.topics) for p in batch])
    t1 = time.perf_counter()
    added = updated = 0
    with store.transaction():
        for item in batch:
            doc = item.document
            size, mtime = scanned[doc.path]
            if doc.path in known:
                updated += 1
                old_id = known[doc.path][0]
                if old_id != doc.id:
                    store.delete(old_id)
            else:
                added += 1
            store.put(doc, item.citations, item.topics, item.subjects, size=size, mtime=mtime, pipeline=fingerprint,
                      fingerprint=item.fingerprint)  # fmt: skip
    t2 = time.perf_counter()
    stage["index"] = stage.get("index", 0.0) + t1 - t0
    stage["store"] = stage.get("store", 0.0) + t2 - t1
    return added, updated


def _finish(store: Store, index: SearchIndex, stage: dict[str, float]) -> None:
    """Resolve citations across the knowledge base and drop stale index entries.

    The citation graph is derived from the store and brought up to date by its first reader (graph.build.current_graph),
    so an ingest of one file does not rewrite it.
    """
    from kb.citations.resolve import resolve_all
    from kb.versions.works import link_all

    t0 = time.perf_counter()
    link_all(store)  # works, parts and copies first: the resolver picks the version in force among them
    t1 = time.perf_counter()
    resolve_all(store)
    t2 = time.perf_counter()
    link_all(store)  # again, for the statuses that the amending and repealing citations just resolved decide
    t3 = time.perf_counter()
    index.remove_stale(store.live_versions())
    store.set_meta(INDEX_STATE, INDEX_CLEAN)
    t4 = time.perf_counter()
    stage["versions"] = stage.get("versions", 0.0) + (t1 - t0) + (t3 - t2)
    stage["resolve"] = stage.get("resolve", 0.0) + t2 - t1
    stage["index"] = stage.get("index", 0.0) + t4 - t3
