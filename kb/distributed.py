"""Distributed processing: files -> Processed records computed on the workers of a Dask cluster.

The per-document stages (extraction, metadata, segmentation, citation finding, topic tagging) are one pure function,
:func:`kb.pipeline.process_bytes`, so a cluster needs nothing but the file's bytes: the client reads each file and
sends it, the workers never touch the client's file system, and the client alone writes the store and the index, as
a local ingest does. Results come back in the order the files were given, so a distributed ingest builds the same
knowledge base as a local one.

A worker that dies mid-run loses nothing: the scheduler hands its unfinished tasks to the other workers. A file
whose task kills every worker it runs on (the scheduler gives up after a few tries) is reported as that file's
failure, and the batch goes on.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, cast

from kb.errors import KbError, MissingDependency
from kb.extract import read_file
from kb.models import Failure

if TYPE_CHECKING:
    from kb.pipeline import Options, Processed

# Files in flight per worker thread: enough to keep every worker busy while the client commits a batch to the index
# and store (a few seconds per 200 documents), few enough to bound what the client holds (about 100 KB a document).
IN_FLIGHT_PER_THREAD = 128
# Files per task, and bytes: a task per file would cost the scheduler more than many documents take to process.
CHUNK_FILES = 8
CHUNK_BYTES = 4 * 2**20
# Seconds to wait for the scheduler to answer and for at least one worker to join.
CONNECT_TIMEOUT = 30


def connect(address: str) -> Any:
    """A client of the Dask scheduler at ``address`` with at least one worker whose kb matches this one."""
    client = _client(address)
    try:
        check_workers(client)
    except BaseException:
        client.close()
        raise
    return client


def _client(address: str) -> Any:
    try:
        from distributed import Client
    except ImportError as exc:  # the extra is optional: say how to get it
        raise MissingDependency(
            "--scheduler needs Dask's distributed scheduler; install it with `pip install 'kb[distributed]'`"
        ) from exc
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise KbError(f"{address}: no Dask scheduler answered ({exc}); start one with `dask scheduler`") from exc
    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
    except TimeoutError as exc:
        client.close()
        raise KbError(f"{address}: the scheduler has no workers; start some with `dask worker {address}`") from exc
    return client


def check_workers(client: Any) -> None:
    """Refuse workers whose kb would process documents differently from the client's."""
    from kb.pipeline import PIPELINE_VERSION

    versions: dict[str, str] = client.run(_pipeline_version)
    wrong = sorted(worker for worker, version in versions.items() if version != PIPELINE_VERSION)
    if wrong:
        raise KbError(
            f"Dask workers {', '.join(wrong)} run another kb pipeline version than this client's "
            f"({PIPELINE_VERSION}); install the same kb on every worker"
        )


def _pipeline_version() -> str:
    from kb.pipeline import PIPELINE_VERSION

    return PIPELINE_VERSION


def process_remote(items: list[tuple[bytes, str]], options: Options) -> list[Processed | Failure]:
    """The task a worker runs: a few files' bytes through every per-document stage, failures as records."""
    from kb.pipeline import process_bytes

    outcomes: list[Processed | Failure] = []
    for data, path in items:
        try:
            outcomes.append(process_bytes(data, path, options))
        except KbError as exc:
            outcomes.append(Failure(path, type(exc).__name__, str(exc)))
        except Exception as exc:  # a bug must not stop the batch: report it against the file
            name = type(exc).__name__
            outcomes.append(Failure(path, "InternalError", f"{path}: could not be processed ({name}: {exc})"))
    return outcomes


def process_on_cluster(
    paths: Sequence[str], options: Options, client: Any
) -> Iterator[tuple[str, Processed | Failure]]:
    """Run every file of ``paths`` on the cluster of ``client``; yield (path, outcome) in the order of ``paths``.

    Files go in chunks (a task per file would cost the scheduler more than many documents take to process); a
    chunk whose task keeps killing workers is tried again file by file, so only the file at fault fails.
    """
    threads = sum(client.nthreads().values()) or 1
    window = max(2, threads * IN_FLIGHT_PER_THREAD)
    [shared_options] = client.scatter([options], broadcast=True)  # sent once, not with every task
    pending: deque[tuple[list[str], Any]] = deque()
    in_flight = 0
    for chunk in _chunks(paths):
        pending.append(_submit(client, chunk, shared_options))
        in_flight += len(chunk[0])
        while in_flight >= window:
            done = pending.popleft()
            in_flight -= len(done[0])
            yield from _collect(client, *done, shared_options)
    while pending:
        yield from _collect(client, *pending.popleft(), shared_options)


def _chunks(paths: Sequence[str]) -> Iterator[tuple[list[str], list[tuple[bytes, str]], list[Failure]]]:
    """Consecutive files in chunks of at most CHUNK_FILES files and CHUNK_BYTES bytes: (paths, items, failures),
    where a file that cannot be read is a failure in its place."""
    names: list[str] = []
    items: list[tuple[bytes, str]] = []
    failures: list[Failure] = []
    size = 0
    for path in paths:
        try:
            data = read_file(path)
        except KbError as exc:
            failures.append(Failure(path, type(exc).__name__, str(exc)))
            names.append(path)
            continue
        names.append(path)
        items.append((data, path))
        size += len(data)
        if len(items) >= CHUNK_FILES or size >= CHUNK_BYTES:
            yield names, items, failures
            names, items, failures, size = [], [], [], 0
    if names:
        yield names, items, failures


def _submit(
    client: Any, chunk: tuple[list[str], list[tuple[bytes, str]], list[Failure]], options: Any
) -> tuple[list[str], Any]:
    names, items, failures = chunk
    # pure=False: the same bytes at two paths are two documents
    future = client.submit(process_remote, items, options, pure=False) if items else None
    return names, (future, items, failures)


def _collect(client: Any, names: list[str], state: Any, options: Any) -> Iterator[tuple[str, Processed | Failure]]:
    future, items, failures = state
    outcomes: dict[str, Processed | Failure] = {f.path: f for f in failures}
    if future is not None:
        try:
            results = future.result()
        except Exception as exc:  # KilledWorker after repeated worker deaths, or a lost connection
            if len(items) > 1:  # find the file at fault: each on its own
                retried = [client.submit(process_remote, [item], options, pure=False) for item in items]
                for item, single in zip(items, retried, strict=True):
                    outcomes[item[1]] = _single(single, item[1])
            else:
                outcomes[items[0][1]] = _failure(items[0][1], exc)
        else:
            outcomes.update((item[1], outcome) for item, outcome in zip(items, results, strict=True))
        finally:
            future.release()
    for name in names:
        yield name, outcomes[name]


def _single(future: Any, path: str) -> Processed | Failure:
    try:
        [outcome] = future.result()
    except Exception as exc:
        return _failure(path, exc)
    finally:
        future.release()
    return cast("Processed | Failure", outcome)  # what process_remote returns, one per path


def _failure(path: str, exc: Exception) -> Failure:
    name = type(exc).__name__
    return Failure(path, name, f"{path}: the cluster could not process it ({name}: {exc})")
