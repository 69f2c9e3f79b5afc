"""Home lock: a knowledge-base folder -> one writer at a time, through an OS file lock that dies with its process.

Every command that writes to a home (ingest, the graph cache) holds ``HOME/kb.lock`` with ``fcntl.flock``; the
kernel releases it when the holder exits or is killed, so a crash never leaves a stale lock. Readers never take
it: the store (SQLite WAL) and the search index show them the last committed state. While held, the lock file
names its holder (pid, command, since) so that a second writer can say who it is waiting for.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kb.errors import HomeBusy, KbError

LOCK_FILE = "kb.lock"

# Homes this process holds already, with how many times: a nested acquire must not wait for itself.
_held: dict[str, tuple[int, int]] = {}  # resolved home -> (fd, depth)


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds a home's lock: the process, what it runs, since when (ISO 8601)."""

    pid: int | None
    command: str | None
    since: str | None

    def describe(self) -> str:
        """``pid 1234 (kb ingest corpus) since 2026-12-02T14:30:05+0000``, or what of it is known."""
        parts = [f"pid {self.pid}" if self.pid else "another process"]
        if self.command:
            parts.append(f"({self.command})")
        if self.since:
            parts.append(f"since {self.since}")
        return " ".join(parts)


def lock_path(home: str | Path) -> Path:
    """The lock file of the knowledge base at ``home``."""
    return Path(home) / LOCK_FILE


def holder(home: str | Path) -> Holder | None:
    """Who holds the lock now, or None when nobody does (never waits)."""
    path = lock_path(home)
    if not path.exists():
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_holder(fd)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _read_holder(fd: int) -> Holder:
    try:
        raw = os.pread(fd, 4096, 0)
        data = json.loads(raw.decode("utf-8")) if raw else {}
    except (OSError, ValueError):
        data = {}
    pid = data.get("pid") if isinstance(data.get("pid"), int) else None
    command, since = data.get("command"), data.get("since")
    return Holder(pid, command if isinstance(command, str) else None, since if isinstance(since, str) else None)


def _command_line() -> str:
    args = [Path(sys.argv[0]).name if sys.argv else "kb", *sys.argv[1:]]
    return " ".join(args)[:300]


@contextlib.contextmanager
def home_lock(
    home: str | Path,
    *,
    wait: bool = True,
    on_wait: Callable[[Holder], None] | None = None,
    command: str | None = None,
) -> Iterator[None]:
    """Hold the home's write lock for the block.

    When another process holds it: with ``wait``, ``on_wait`` is called once with the holder and the call blocks
    until the lock is free; without, :class:`HomeBusy` names the holder. Re-entrant within one process.
    """
    folder = Path(home)
    key = str(folder.resolve())
    if key in _held:
        fd, depth = _held[key]
        _held[key] = (fd, depth + 1)
        try:
            yield
        finally:
            fd, depth = _held[key]
            _held[key] = (fd, depth - 1)
        return
    created = not folder.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path(folder), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        problem = exc.strerror or exc
        raise KbError(f"{folder}: cannot lock the knowledge base ({problem}); check its permissions") from exc
    try:
        _acquire(fd, folder, wait, on_wait)
        since = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        info = {"pid": os.getpid(), "command": command or _command_line(), "since": since}
        os.ftruncate(fd, 0)  # the lock file's content is a note, not data: written in place, under the lock
        os.pwrite(fd, json.dumps(info, ensure_ascii=False).encode("utf-8"), 0)
        _held[key] = (fd, 1)
        try:
            yield
        finally:
            del _held[key]
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            if created:
                _remove_if_empty(folder)  # a command that failed before writing leaves no new folder behind
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):
        if [p.name for p in folder.iterdir()] == [LOCK_FILE]:
            lock_path(folder).unlink()
            folder.rmdir()


def close_inherited() -> None:
    """In a forked child: close the lock descriptors inherited from the parent (the parent keeps its lock)."""
    for fd, _depth in _held.values():
        with contextlib.suppress(OSError):
            os.close(fd)
    _held.clear()


def _acquire(fd: int, folder: Path, wait: bool, on_wait: Callable[[Holder], None] | None) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        pass
    who = _read_holder(fd)
    if not wait:
        raise HomeBusy(
            f"{folder}: the knowledge base is being written by {who.describe()}; "
            "wait for it to finish or run again without --no-wait"
        )
    if on_wait is not None:
        on_wait(who)
    fcntl.flock(fd, fcntl.LOCK_EX)  # blocks; the kernel wakes us when the holder lets go or dies


@contextlib.contextmanager
def try_home_lock(home: str | Path) -> Iterator[bool]:
    """Hold the write lock for the block if it is free now; yields whether it is held (never waits)."""
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(home_lock(home, wait=False))
        except HomeBusy:
            held = False
        else:
            held = True
        yield held


__all__ = ["LOCK_FILE", "Holder", "close_inherited", "holder", "home_lock", "lock_path", "try_home_lock"]
