"""Crash safety of the index with real processes: a writer killed (SIGKILL) at the worst moments leaves the previous
index searchable and its lock free, the next commit completes and cleans up, and searches run while a writer
writes. (End-to-end kills of `kb ingest`, store and index together, are in test_pipeline_crash.py.)"""

from __future__ import annotations

import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kb.models import Document, TopicTag
from kb.pipeline import process_bytes, process_file
from kb.search.whoosh_index import INDEX_NAME, WhooshIndex, open_index
from tests.conftest import ROOT, corpus_file

FILES = ("行政法/数据安全法(2021-06-10).md", "DLC/广东地方法规/地方性法规/广东/深圳经济特区数据条例(2021-07-06).md")
MARK = "甲乙丙丁戊己庚"  # appears in no source text: present only in the new versions

# A writer process: loads pickled documents, optionally arranges to SIGKILL itself at one point of the commit,
# then updates the index (and drops stale versions).
WRITER = r"""
import os, pickle, signal, sys
from pathlib import Path
home, docs_file, sabotage, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
import kb.search.whoosh_index, kb.search.whoosh_writer, whoosh.index
from whoosh.filedb.filestore import FileStorage

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

if sabotage == "segment":  # half-way through writing the new segment's term table
    kb.search.whoosh_writer._TermTable.add_rows = die
elif sabotage == "rename":  # the new table of contents written to its temporary name, not yet renamed
    original = FileStorage.rename_file
    def rename(self, old, new, safe=False):
        if new.endswith(".toc"):
            die()
        return original(self, old, new, safe)
    FileStorage.rename_file = rename
elif sabotage == "clean":  # committed, old files not yet deleted
    whoosh.index.clean_files = die
elif sabotage == "parallel":  # several processes write segments (killed from outside at some moment)
    kb.search.whoosh_index.PARALLEL_MIN_ENTRIES = 50
versions = pickle.load(open(docs_file, "rb"))
index = kb.search.whoosh_index.open_index(Path(home))
for i in range(rounds):
    docs = versions[i % len(versions)]
    index.update(docs)
    index.remove_stale({d.id: d.sha256 for d, _ in docs})
print("done", flush=True)
"""


def load(relative: str, mark: str | None = None) -> tuple[Document, tuple[TopicTag, ...]]:
    path = corpus_file(relative)
    if mark is None:
        processed = process_file(path)
    else:
        text = path.read_bytes().decode("utf-8").replace("数据处理活动", f"数据处理活动{mark}")
        processed = process_bytes(text.encode("utf-8"), str(path))
    return processed.document, processed.topics


@pytest.fixture(scope="module")
def versions() -> tuple[list, list]:
    old = [load(f) for f in FILES]
    new = [load(f, MARK) for f in FILES]
    return old, new


def fresh(home: Path, docs: list) -> WhooshIndex:
    index = open_index(home, create=True)
    index.update(docs)
    return index


def run_writer(home: Path, batches: list[list], sabotage: str, rounds: int = 1,
               wait: bool = True) -> subprocess.Popen[bytes]:  # fmt: skip
    docs_file = home / "docs.pkl"
    docs_file.write_bytes(pickle.dumps(batches))
    process = subprocess.Popen([sys.executable, "-c", WRITER, str(home), str(docs_file), sabotage, str(rounds)],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    if wait:
        process.wait(timeout=300)
    return process


def check_usable(home: Path, old_total: int, new_total: int) -> int:
    """The index opens and searches; the marker count is the old state's or the new one's, never between."""
    index = open_index(home)
    total = index.search(f'"{MARK}"').total
    assert total in (old_total, new_total)
    assert index.search("数据").total > 0
    return total


def files_of_current_commit(home: Path) -> set[str]:
    index = open_index(home)
    ids = {p.segment.segment_id() for p in index.snapshot().parts}
    return {f.name for f in (home / "index").iterdir() if not any(f.name.startswith(i + ".") for i in ids)}


@pytest.mark.parametrize(("sabotage", "committed"), [("segment", False), ("rename", False), ("clean", True)])
def test_writer_killed_mid_commit(tmp_path: Path, versions: tuple[list, list], sabotage: str, committed: bool) -> None:
    old, new = versions
    fresh(tmp_path, old)
    new_total = fresh(tmp_path / "reference", new).search(f'"{MARK}"').total
    assert new_total > 0
    process = run_writer(tmp_path, [new], sabotage)
    assert process.returncode == -signal.SIGKILL
    assert check_usable(tmp_path, 0, new_total) == (new_total if committed else 0)
    # the lock died with the writer: the next commit gets it (a held lock raises StoreError after its wait) and
    # removes what the dead one left
    index = open_index(tmp_path)
    index.update(new)
    index.remove_stale({d.id: d.sha256 for d, _ in new})
    assert index.search(f'"{MARK}"').total == new_total
    leftovers = files_of_current_commit(tmp_path)
    assert leftovers <= {f"_{INDEX_NAME}_{index._latest_generation()}.toc", f"{INDEX_NAME}_WRITELOCK"}


@pytest.mark.parametrize("delay", [0.3, 0.8, 1.5, 2.5])
def test_parallel_writer_killed_at_any_moment(tmp_path: Path, versions: tuple[list, list], delay: float) -> None:
    old, new = versions
    fresh(tmp_path, old)
    new_total = fresh(tmp_path / "reference", new).search(f'"{MARK}"').total
    process = run_writer(tmp_path, [new], "parallel", wait=False)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    check_usable(tmp_path, 0, new_total)
    index = open_index(tmp_path)
    index.update(new)  # children of the killed writer closed their copy of the lock: nothing waits
    index.remove_stale({d.id: d.sha256 for d, _ in new})
    assert index.search(f'"{MARK}"').total == new_total


def test_searches_keep_working_while_a_writer_commits(tmp_path: Path, versions: tuple[list, list]) -> None:
    old, new = versions
    fresh(tmp_path, old)
    new_total = fresh(tmp_path / "reference", new).search(f'"{MARK}"').total
    process = run_writer(tmp_path, [new, old], "none", rounds=6, wait=False)
    reader = open_index(tmp_path)
    seen = set()
    while process.poll() is None:
        seen.add(reader.search(f'"{MARK}"').total)
        assert reader.search("数据").total > 0
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""
    assert seen <= {0, new_total}
    assert reader.search(f'"{MARK}"').total == 0  # the last round wrote the old versions back
