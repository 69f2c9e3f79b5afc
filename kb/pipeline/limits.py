"""Bounded workers: files to process -> (path, outcome) pairs, each file under a time and a memory limit.

Every file is processed in a worker process (never in the caller), with the address space capped
(``RLIMIT_AS``) and a deadline kept by the parent: a worker past its deadline is killed and replaced, and its file
reported as a named failure ("x.pdf: took more than 300 s; skipped"); a worker that runs out of memory or dies
(killed, crashed) has its file retried once in a fresh worker, then reported. The rest of the batch goes on.
Workers die with their parent (``PR_SET_PDEATHSIG`` on Linux, and a check of the parent's pid), so a killed
ingest leaves nothing running.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import signal
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kb.errors import FileTooCostly, KbError
from kb.models import Failure

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

# Per-file limits no real law or policy document comes near: the slowest file of the shared corpus takes a few
# seconds and its worker peaks well under 1 GB of address space (see BENCHMARKS.md, "Hostile inputs").
DEFAULT_TIMEOUT_SECONDS = 300.0
DEFAULT_MAX_MEMORY_MB = 4096
# A file whose worker died (killed from outside, crashed in native code) is tried this many times in all.
ATTEMPTS = 2
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


@dataclass(frozen=True, slots=True)
class Limits:
    """What one file may cost: seconds of wall time and megabytes of address space in its worker."""

    timeout: float = DEFAULT_TIMEOUT_SECONDS
    max_memory_mb: int = DEFAULT_MAX_MEMORY_MB


def die_with_parent(parent: int) -> None:
    """Make the calling (child) process exit when ``parent`` does: the kernel's death signal, then a pid check."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)


def limit_memory(max_memory_mb: int) -> None:
    """Cap this process's address space; an allocation past it raises MemoryError instead of exhausting the host."""
    limit = max_memory_mb * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


Work = Callable[[str], Any]  # a file's path -> Processed or Failure, run in the worker


def _worker_main(conn: Connection, work: Work, parent: int, max_memory_mb: int) -> None:
    """A worker: process the paths the parent sends, one at a time, and send back each outcome."""
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    from kb.store.lock import close_inherited

    close_inherited()  # the home's lock belongs to the parent: a worker outliving it must not keep it held
    limit_memory(max_memory_mb)
    while True:
        try:
            path = conn.recv()
        except (EOFError, OSError):
            return
        if path is None:
            return
        try:
            outcome = work(path)
        except MemoryError:
            outcome = Failure(path, "FileTooCostly", f"{path}: needed more than {max_memory_mb} MB of memory; skipped")
        try:
            conn.send(outcome)
        except MemoryError:
            conn.send(Failure(path, "FileTooCostly", f"{path}: needed more than {max_memory_mb} MB of memory; skipped"))
        if isinstance(outcome, Failure) and outcome.error == "FileTooCostly":
            return  # a worker that hit its memory cap may be fragmented or half-initialised: start afresh


class _Worker:
    def __init__(self, context: Any, work: Work, limits: Limits) -> None:
        self.conn, child = context.Pipe(duplex=True)
        self.process = context.Process(target=_worker_main, args=(child, work, os.getpid(), limits.max_memory_mb),
                                       daemon=True)  # fmt: skip
        self.process.start()
        child.close()
        self.task: tuple[int, str] | None = None
        self.deadline = 0.0

    def give(self, index: int, path: str, timeout: float) -> None:
        self.task = (index, path)
        self.deadline = time.monotonic() + timeout
        self.conn.send(path)

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.join(5)
        self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError, BrokenPipeError):
            self.conn.send(None)
        self.process.join(5)
        if self.process.is_alive():
            self.kill()
        else:
            self.conn.close()


def _death(process: Any) -> str:
    code = process.exitcode
    if code is not None and code < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-code).name}"
    return f"exit status {code}"


def run_bounded(paths: Sequence[str], work: Work, jobs: int, limits: Limits) -> Iterator[tuple[str, Any]]:
    """Run ``work`` on every path in worker processes; yield ``(path, outcome)`` in the order of ``paths``.

    ``outcome`` is what ``work`` returned, or a :class:`Failure` when the file overran its limits or its worker
    died twice. At most ``4 * jobs`` finished results wait for a slow earlier file, so memory stays bounded.
    """
    if not paths:
        return
    import multiprocessing  # imported here: the CLI reads this module's defaults on every command
    from multiprocessing.connection import wait

    context = multiprocessing.get_context("fork")
    jobs = max(1, min(jobs, len(paths)))
    window = 4 * jobs
    pending: deque[tuple[int, str]] = deque(enumerate(paths))
    attempts: dict[int, int] = {}
    done: dict[int, tuple[str, Any]] = {}
    next_out = 0
    workers = [_Worker(context, work, limits) for _ in range(jobs)]
    try:
        while next_out < len(paths):
            for i, worker in enumerate(workers):
                if worker.task is None and pending and pending[0][0] < next_out + window:
                    index, path = pending.popleft()
                    attempts[index] = attempts.get(index, 0) + 1
                    try:
                        worker.give(index, path, limits.timeout)
                    except (OSError, BrokenPipeError):  # died idle (e.g. killed): replace it and retry
                        worker.kill()
                        pending.appendleft((index, path))
                        attempts[index] -= 1
                        workers[i] = _Worker(context, work, limits)
            busy = [w for w in workers if w.task is not None]
            if not busy and next_out not in done:  # pragma: no cover - would be a bug in the loop above
                raise KbError("the worker pool stalled; run `kb ingest` again")
            if busy:
                now = time.monotonic()
                timeout = max(0.0, min(w.deadline for w in busy) - now)
                ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout)
                for i, worker in enumerate(workers):
                    if worker.task is None:
                        continue
                    index, path = worker.task
                    if worker.conn in ready:
                        try:
                            outcome = worker.conn.recv()
                            done[index] = (path, outcome)
                            worker.task = None
                            if isinstance(outcome, Failure) and outcome.error == "FileTooCostly":
                                worker.kill()  # it exits after a memory overrun: start a fresh one
                                workers[i] = _Worker(context, work, limits)
                            continue
                        except (EOFError, OSError):
                            pass  # died mid-answer: handled below as a death
                    elif worker.process.sentinel not in ready and time.monotonic() < worker.deadline:
                        continue
                    if worker.process.sentinel in ready or not worker.process.is_alive() or worker.conn in ready:
                        worker.process.join(1)
                        reason = _death(worker.process)
                        worker.kill()
                        workers[i] = _Worker(context, work, limits)
                        if attempts[index] < ATTEMPTS:
                            pending.appendleft((index, path))
                        else:
                            done[index] = (path, Failure(path, "WorkerDied", f"{path}: the process reading it "
                                                         f"died ({reason}), twice; skipped"))  # fmt: skip
                    else:  # past its deadline
                        worker.kill()
                        workers[i] = _Worker(context, work, limits)
                        message = FileTooCostly(f"{path}: took more than {limits.timeout:g} s; skipped")
                        done[index] = (path, Failure(path, "FileTooCostly", str(message)))
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
    finally:
        for worker in workers:
            if worker.task is None:
                worker.stop()
            else:
                worker.kill()


__all__ = [
    "DEFAULT_MAX_MEMORY_MB",
    "DEFAULT_TIMEOUT_SECONDS",
    "Limits",
    "die_with_parent",
    "limit_memory",
    "run_bounded",
]
