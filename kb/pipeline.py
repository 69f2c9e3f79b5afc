"""Pipeline: files -> Documents -> store, index and graph; the one place the stages are chained.

Per document, :func:`process_bytes` is a pure function (bytes in, records out) so it can run in any worker: here in a
process pool on the local cores, later on a cluster. :func:`ingest` is incremental (content hashes; unchanged files
do no work) and crash-safe: the search index only ever gains new versions before the store commits, the store is
the authority, and stale index entries are dropped after, so a run killed at any moment leaves the previous
knowledge base whole and the next run completes it.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kb.errors import KbError, UnsupportedFormat
from kb.extract import REGISTRY, extract_bytes, format_of, read_file
from kb.models import Citation, Document, Failure, IngestReport, TopicTag
from kb.search.interface import INDEX_CLEAN, INDEX_DIRTY, INDEX_STATE

if TYPE_CHECKING:
    from kb.metadata.read import Overrides
    from kb.search.interface import SearchIndex
    from kb.store.sqlite import Store

# Bumped whenever a stage changes what it produces, so that `kb ingest` re-processes unchanged files.
PIPELINE_VERSION = "1"
# Documents processed and committed together: bounds memory and what a killed run has to redo.
BATCH_SIZE = 200
# Below this many files the pool's start-up costs more than it saves.
MIN_FILES_FOR_POOL = 16
# Folder entries that document the folder itself rather than being policy texts.
SKIPPED_NAMES = frozenset({"readme.md", "readme.txt", "license", "license.md", "changelog.md"})

Progress = Callable[[str, bool], None]


@dataclass(frozen=True, slots=True)
class Processed:
    """A document through every per-document stage, with the citations and topic tags found in it."""

    document: Document
    citations: tuple[Citation, ...]
    topics: tuple[TopicTag, ...]


@dataclass(frozen=True, slots=True)
class Options:
    """Per-run settings the per-document stages need; picklable, passed once to each worker."""

    ocr: bool = False
    overrides: Overrides | None = None
    topics_file: str | None = None
    engine: str | None = None  # the search engine of a new knowledge base (None: the home's, else Whoosh)


def document_id(path: str | Path) -> str:
    """A document's id: stable for a file across rebuilds, independent of every other document."""
    key = Path(path).resolve().as_posix()
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def process_bytes(data: bytes, path: str, options: Options = Options()) -> Processed:
    """Run extraction, metadata, segmentation, citation finding and topic tagging on one file's content."""
    from kb.citations.find import find_citations
    from kb.metadata.read import apply_overrides, read_metadata
    from kb.segment.segmenter import build_body, marked_headings, segment
    from kb.topics.tag import load_lexicon, tag_topics

    extracted = extract_bytes(data, path, ocr=options.ocr)
    body = build_body(extracted.blocks)
    meta = read_metadata(extracted, body)
    if options.overrides is not None:
        meta = apply_overrides(meta, path, options.overrides)
    doc_id = document_id(path)
    segmentation = segment(doc_id, body, marked_headings(extracted))
    document = Document(
        id=doc_id,
        path=str(path),
        format=extracted.format,
        sha256=hashlib.sha256(data).hexdigest(),
        title=meta.title or extracted.title,
        info=extracted.info,
        body=body,
        meta=meta,
        clauses=segmentation.clauses,
        warnings=extracted.warnings + segmentation.warnings,
        grammar=segmentation.grammar,
    )
    lexicon = load_lexicon(Path(options.topics_file) if options.topics_file else None)
    return Processed(document, find_citations(document), tag_topics(document, lexicon))


def process_file(path: str | Path, options: Options = Options()) -> Processed:
    """Read a file and run :func:`process_bytes` on it."""
    return process_bytes(read_file(path), str(path), options)


# -- discovery -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Discovered:
    """The files an ingest looks at, the folders it owns (for deletions) and what it passed over."""

    files: tuple[Path, ...]
    roots: tuple[Path, ...]
    skipped: int
    failures: tuple[Failure, ...]


def discover(paths: Iterable[str | Path]) -> Discovered:
    """Expand files and folders (recursively) into the supported files to ingest, sorted, absolute."""
    files: dict[Path, None] = {}
    roots: list[Path] = []
    failures: list[Failure] = []
    skipped = 0
    for raw in paths:
        path = Path(raw).resolve()
        if path.is_dir():
            roots.append(path)
            for dirpath, dirnames, filenames in os.walk(path):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    if name.startswith(".") or name.lower() in SKIPPED_NAMES:
                        continue
                    if Path(name).suffix.lower() in REGISTRY:
                        files[Path(dirpath) / name] = None
                    else:
                        skipped += 1
        elif path.is_file():
            try:
                format_of(path)
            except UnsupportedFormat as exc:
                failures.append(Failure(str(raw), "UnsupportedFormat", str(exc)))
                continue
            files[path] = None
        else:
            failures.append(Failure(str(raw), "NotFound", f"{raw}: no such file or folder"))
    return Discovered(tuple(sorted(files)), tuple(roots), skipped, tuple(failures))


# -- workers -------------------------------------------------------------------------------------------------------

_worker_options: list[Options] = []  # set once per worker process by _init_worker


def _init_worker(options: Options) -> None:
    _worker_options[:] = [options]


def _run_one(path: str) -> tuple[str, Processed | Failure]:
    return path, _safe_process(path, _worker_options[0])


def _safe_process(path: str, options: Options) -> Processed | Failure:
    try:
        return process_file(path, options)
    except KbError as exc:
        return Failure(path, type(exc).__name__, str(exc))
    except Exception as exc:  # a bug must not stop the batch: report it against the file
        return Failure(path, "InternalError", f"{path}: could not be processed ({type(exc).__name__}: {exc})")


def _process_all(
    paths: Sequence[str], options: Options, jobs: int, cluster: Any = None
) -> Iterator[tuple[str, Processed | Failure]]:
    if cluster is not None:  # a Dask client: the workers of its cluster run the stages
        from kb.distributed import process_on_cluster

        yield from process_on_cluster(paths, options, cluster)
        return
    if jobs <= 1 or len(paths) < MIN_FILES_FOR_POOL:
        for path in paths:
            yield path, _safe_process(path, options)
        return
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(options,)) as pool:
        yield from pool.map(_run_one, paths, chunksize=4)


def default_jobs() -> int:
    """Worker processes to use: every core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


# -- ingest --------------------------------------------------------------------------------------------------------


def _fingerprint(options: Options, metadata_file: Path | None) -> str:
    """The pipeline version plus what in the options changes a document's records."""
    parts = [PIPELINE_VERSION, "ocr" if options.ocr else ""]
    for extra in (metadata_file, Path(options.topics_file) if options.topics_file else None):
        parts.append(hashlib.sha256(extra.read_bytes()).hexdigest()[:16] if extra else "")
    return ":".join(parts)


def ingest(
    paths: Iterable[str | Path] | Discovered,
    home: str | Path,
    *,
    metadata_file: str | Path | None = None,
    topics_file: str | Path | None = None,
    ocr: bool = False,
    strict: bool = False,
    jobs: int | None = None,
    scheduler: str | None = None,
    engine: str | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Bring the knowledge base at ``home`` up to date with the files under ``paths``.

    New and changed files are processed, files gone from an ingested folder are removed, unchanged files do no
    work. A file that fails is reported in the result (its earlier version, if any, stays); with ``strict`` the
    first failure raises instead. ``paths`` may be what :func:`discover` found already (a caller that shows a
    progress bar needs the number of files first); ``progress`` is called once for every file. With
    ``scheduler`` (a Dask scheduler's address) the per-document stages run on that cluster's workers instead of
    local processes; this process still writes the store and the index. ``engine`` chooses the search engine of
    a new knowledge base (Whoosh by default); an existing one keeps its own.
    """

    started = time.perf_counter()
    stage: dict[str, float] = {}
    home = Path(home)
    meta_path = Path(metadata_file) if metadata_file else None
    overrides = None
    if meta_path is not None:
        from kb.metadata.read import load_overrides

        overrides = load_overrides(meta_path)
    options = Options(
        ocr=ocr, overrides=overrides, topics_file=str(topics_file) if topics_file else None, engine=engine
    )
    fingerprint = _fingerprint(options, meta_path)
    found = paths if isinstance(paths, Discovered) else discover(paths)
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
        return _ingest(found, home, options, fingerprint, failures, strict, jobs, cluster, progress, started, stage)
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
            stat = file.stat()
            seen = known.get(key)
            if seen is not None and seen[4] == fingerprint:
                same = seen[2] == stat.st_size and seen[3] == stat.st_mtime
                if not same and seen[1] == hashlib.sha256(file.read_bytes()).hexdigest():
                    touched.append((key, stat.st_size, stat.st_mtime))
                    same = True
                if same:
                    unchanged += 1
                    if progress is not None:
                        progress(key, True)
                    continue
            todo[key] = (stat.st_size, stat.st_mtime)
        present = {str(f) for f in found.files}
        gone = [
            (path, entry[0])
            for path, entry in known.items()
            if path not in present and any(Path(path).is_relative_to(root) for root in found.roots)
            and not Path(path).exists()
        ]  # fmt: skip
        stage["scan"] = time.perf_counter() - started

        added = updated = 0
        interrupted = store.get_meta(INDEX_STATE) == INDEX_DIRTY  # a killed run left work to finish
        if todo or gone or interrupted:
            index = _open_index(home, options.engine)
            store.set_meta(INDEX_STATE, INDEX_DIRTY)
            results = _process_all(list(todo), options, jobs or default_jobs(), cluster)
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
        removed=len(gone),
        failures=tuple(failures),
        seconds=time.perf_counter() - started,
        stage_seconds=tuple(sorted(stage.items())),
    )


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
            store.put(doc, item.citations, item.topics, size=size, mtime=mtime, pipeline=fingerprint)
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

    t0 = time.perf_counter()
    resolve_all(store)
    t1 = time.perf_counter()
    index.remove_stale(store.live_versions())
    store.set_meta(INDEX_STATE, INDEX_CLEAN)
    t2 = time.perf_counter()
    stage["resolve"] = stage.get("resolve", 0.0) + t1 - t0
    stage["index"] = stage.get("index", 0.0) + t2 - t1
