"""Crash safety with real processes: `kb ingest` killed with SIGKILL at several moments never leaves a broken or
inconsistent knowledge base, searches keep answering while an ingest runs, and the next ingest completes the work."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kb.search.engines import ENGINES, engine_of, open_search_index
from kb.store.sqlite import Store
from tests.conftest import LAWREFBOOK, require_shared

PROVINCE_DIR = "DLC/浙江地方法规/地方性法规/浙江"


def _kb(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kb", "--home", str(home), *args], capture_output=True, text=True,
                          timeout=600)  # fmt: skip


def _start_ingest(home: Path, corpus: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "kb", "--home", str(home), "ingest", str(corpus), "--json"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip


def _assert_consistent(home: Path) -> int:
    """The store opens, every search hit is a live document version, `show` works; returns the document count."""
    with Store.open(home) as store:
        live = store.live_versions()
        summaries = store.summaries()
    assert len(live) == len(summaries)
    result = _kb(home, "search", "人民政府", "--limit", "50", "--json")
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)["hits"]
    for hit in hits:
        assert hit["doc_id"] in live, f"search returned {hit['doc_id']}, which the store does not hold"
    if summaries:
        shown = _kb(home, "show", summaries[0].id, "--json")
        assert shown.returncode == 0, shown.stderr
    return len(live)


@pytest.mark.parametrize("engine", ENGINES)
def test_sigkill_at_any_moment_keeps_the_knowledge_base_whole(tmp_path: Path, engine: str) -> None:
    source = sorted(require_shared(LAWREFBOOK / PROVINCE_DIR).glob("*.md"))[:160]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for src in source[:40]:
        shutil.copyfile(src, corpus / src.name)
    home = tmp_path / "kb"
    first = _kb(home, "ingest", str(corpus), "--engine", engine)
    assert first.returncode == 0, first.stderr
    assert engine_of(home) == engine  # remembered: the later ingests name no engine
    assert _assert_consistent(home) == 40

    # Add 120 files and change 5, then kill the ingest again and again at different moments.
    for src in source[40:]:
        shutil.copyfile(src, corpus / src.name)
    for src in source[:5]:
        with open(corpus / src.name, "a", encoding="utf-8") as handle:
            handle.write("\n第九十九条 本条例自公布之日起施行。\n")
    counts = []
    for delay in (0.5, 1.5, 3.0, 5.0, 8.0):
        process = _start_ingest(home, corpus)
        deadline = time.monotonic() + delay
        while time.monotonic() < deadline and process.poll() is None:
            searched = _kb(home, "search", "条例", "--limit", "5", "--json")  # searches answer during the ingest
            assert searched.returncode == 0, searched.stderr
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        counts.append(_assert_consistent(home))
    assert all(40 <= c <= 160 for c in counts)

    final = _kb(home, "ingest", str(corpus))
    assert final.returncode == 0, final.stderr
    assert _assert_consistent(home) == 160
    with Store.open(home) as store:
        assert store.get_meta("index_state") == "clean"
        live = store.live_versions()
    index = open_search_index(home)
    assert index.indexed_versions() == live  # store and index agree, no stale version left
    with Store.open(home) as store:
        changed = [s for s in store.summaries() if Path(s.path).name in {p.name for p in source[:5]}]
    assert len(changed) == 5
    again = _kb(home, "ingest", str(corpus), "--json")
    report = json.loads(again.stdout)
    assert (report["added"], report["updated"], report["unchanged"]) == (0, 0, 160)
