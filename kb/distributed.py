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
from typing import TYPE_CHECKING, Any

from kb.errors import KbError, MissingDependency
from kb.extract import read_file
from kb.models import Failure

if TYPE_CHECKING:
    from kb.pipeline import Options, Processed

# Files in flight per worker thread: enough to keep every worker busy while the client writes, few enough that the
# client never holds more than a handful of documents' bytes and records at once.
IN_FLIGHT_PER_THREAD = 4
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


def process_remote(data: bytes, path: str, options: Options) -> Processed | Failure:
    """The task a worker runs: one file's bytes through every per-document stage, failures as records."""
    from kb.pipeline import process_bytes

    try:
        return process_bytes(data, path, options)
    except KbError as exc:
        return Failure(path, type(exc).__name__, str(exc))
    except Exception as exc:  # a bug must not stop the batch: report it against the file
        return Failure(path, "InternalError", f"{path}: could not be processed ({type(exc).__name__}: {exc})")


def process_on_cluster(
    paths: Sequence[str], options: Options, client: Any
) -> Iterator[tuple[str, Processed | Failure]]:
    """Run every file of ``paths`` on the cluster of ``client``; yield (path, outcome) in the order of ``paths``."""
    threads = sum(client.nthreads().values()) or 1
    window = max(2, threads * IN_FLIGHT_PER_THREAD)
    [shared_options] = client.scatter([options], broadcast=True)  # sent once, not with every task
    pending: deque[tuple[str, Any]] = deque()
    for path in paths:
        pending.append((path, _submit(client, path, shared_options)))
        if len(pending) >= window:
            yield _collect(*pending.popleft())
    while pending:
        yield _collect(*pending.popleft())


def _submit(client: Any, path: str, options: Any) -> Any:
    try:
        data = read_file(path)
    except KbError as exc:
        return Failure(path, type(exc).__name__, str(exc))
    # pure=False: two files with the same bytes are still two tasks (their paths, hence ids, differ)
    return client.submit(process_remote, data, path, options, pure=False, key=f"kb-{path}")


def _collect(path: str, future: Any) -> tuple[str, Processed | Failure]:
    if isinstance(future, Failure):
        return path, future
    try:
        outcome = future.result()
    except Exception as exc:  # KilledWorker after repeated worker deaths, or a lost connection
        name = type(exc).__name__
        return path, Failure(path, name, f"{path}: the cluster could not process it ({name}: {exc})")
    finally:
        future.release()
    return path, outcome
