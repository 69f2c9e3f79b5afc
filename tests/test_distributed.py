"""Distributed ingest against a real Dask scheduler and two real workers on loopback: the same knowledge base as a
local ingest, and nothing lost when a worker is killed mid-run."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kb.errors import KbError
from kb.pipeline import discover, ingest
from kb.search.whoosh_index import open_index
from kb.store.sqlite import Store
from tests.conftest import LAWREFBOOK, ROOT, require_shared

# A folder of the shared corpus: the national administrative laws (109 files).
FOLDERS = ("行政法",)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Cluster:
    address: str
    scheduler: subprocess.Popen[bytes]
    workers: list[subprocess.Popen[bytes]]


def _start_cluster(log_dir: Path) -> Cluster:
    try:
        from distributed import Client
    except ImportError:
        pytest.fail("dask.distributed is not installed: install kb with the 'distributed' extra (.ci/run does)")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    dask = [sys.executable, "-m", "dask"]
    log = (log_dir / "scheduler.log").open("wb")
    scheduler = subprocess.Popen(
        [*dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    workers = []
    for n in range(2):
        wlog = (log_dir / f"worker{n}.log").open("wb")
        workers.append(
            subprocess.Popen(
                [*dask, "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard", "--name", f"w{n}"],
                env=env,
                stdout=wlog,
                stderr=subprocess.STDOUT,
            )
        )
    with Client(address, timeout=60) as client:
        client.wait_for_workers(2, timeout=60)
    return Cluster(address, scheduler, workers)


def _stop(cluster: Cluster) -> None:
    for proc in [*cluster.workers, cluster.scheduler]:
        if proc.poll() is None:
            proc.terminate()
    for proc in [*cluster.workers, cluster.scheduler]:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    started = _start_cluster(tmp_path)
    try:
        yield started
    finally:
        _stop(started)


def _folders() -> list[Path]:
    return [require_shared(LAWREFBOOK / folder) for folder in FOLDERS]


def _content(home: Path) -> tuple[object, ...]:
    """What an ingest decides: ids, records, clauses, citations and their targets, tags, and what searches find."""
    with Store.open(home) as store:
        docs = sorted((d.id, d.path, d.title, d.sha256, d.meta, d.clauses) for d in store.iter_documents())
        citations = tuple(repr(c) for c in store.citations())
        topics = tuple(repr(t) for t in store.topics())
        status = store.status().documents
    index = open_index(home)
    searches = tuple(
        (result.total, [(h.doc_id, h.clause_id) for h in result.hits])
        for result in (index.search(q, limit=50) for q in ("行政", "许可", "第二十一条", "数据"))
    )
    return tuple(docs), citations, topics, status, searches


@pytest.fixture(scope="module")
def local_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("local")
    report = ingest(_folders(), home, jobs=1)
    assert not report.failures
    return home


def test_distributed_ingest_equals_a_local_ingest(cluster: Cluster, local_home: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    report = ingest(_folders(), home, scheduler=cluster.address)
    assert not report.failures
    assert report.added == len(discover(_folders()).files) > 50
    assert _content(home) == _content(local_home)


def test_a_worker_killed_mid_run_loses_nothing(cluster: Cluster, local_home: Path, tmp_path: Path) -> None:
    victim = cluster.workers[0]
    seen: list[str] = []

    def kill_on_first_result(path: str, _ok: bool) -> None:
        seen.append(path)
        if len(seen) == 1:
            victim.send_signal(signal.SIGKILL)

    home = tmp_path / "home"
    report = ingest(_folders(), home, scheduler=cluster.address, progress=kill_on_first_result)
    victim.wait(timeout=10)
    assert victim.returncode == -signal.SIGKILL
    assert not report.failures
    assert _content(home) == _content(local_home)


def test_no_scheduler_is_a_clear_error_and_touches_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kb.distributed

    monkeypatch.setattr(kb.distributed, "CONNECT_TIMEOUT", 2)
    address = f"tcp://127.0.0.1:{_free_port()}"
    with pytest.raises(KbError, match=r"tcp://127\.0\.0\.1:\d+: no Dask scheduler answered"):
        ingest(_folders(), tmp_path / "home", scheduler=address)
    home = tmp_path / "home"
    assert not (home / "kb.sqlite").exists() and not (home / "index").exists()  # at most the home's lock file


class _Future:
    def __init__(self, fn: object, args: tuple[object, ...]) -> None:
        self.fn, self.args = fn, args

    def result(self) -> object:
        items = self.args[0]
        if any(path.endswith("poison.md") for _data, path in items):  # type: ignore[attr-defined]
            raise RuntimeError("KilledWorker: worker died 3 times running this task")
        return [f"processed {path}" for _data, path in items]  # type: ignore[attr-defined]

    def release(self) -> None:
        pass


class _Client:
    """Stands in for a Dask client: tasks holding a file named poison.md kill every worker they run on."""

    def nthreads(self) -> dict[str, int]:
        return {"w0": 1}

    def scatter(self, values: list[object], broadcast: bool) -> list[object]:
        return values

    def submit(self, fn: object, *args: object, pure: bool) -> _Future:
        return _Future(fn, args)


def test_a_file_that_kills_workers_fails_alone_and_in_its_place(tmp_path: Path) -> None:
    from kb.distributed import process_on_cluster
    from kb.models import Failure
    from kb.pipeline import Options

    names = [f"{n:02d}.md" for n in range(20)]
    names[11] = "poison.md"
    paths = []
    for name in names:
        (tmp_path / name).write_text("# 标题\n\n第一条 内容。\n", encoding="utf-8")
        paths.append(str(tmp_path / name))
    (tmp_path / "missing.md").unlink(missing_ok=True)
    paths.insert(5, str(tmp_path / "missing.md"))
    outcomes = list(process_on_cluster(paths, Options(), _Client()))
    assert [path for path, _ in outcomes] == paths
    failed = {Path(path).name: outcome for path, outcome in outcomes if isinstance(outcome, Failure)}
    assert set(failed) == {"poison.md", "missing.md"}
    assert "the cluster could not process it (RuntimeError: KilledWorker" in failed["poison.md"].message
    assert all(outcome == f"processed {path}" for path, outcome in outcomes if Path(path).name not in failed)
