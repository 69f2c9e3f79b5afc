"""Segment merging: an index that has seen many incremental ingests stays within 10% of a fresh build's size."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import kb.pipeline.incremental
from kb.pipeline import ingest
from kb.search.whoosh_index import index_path, open_index
from tests.conftest import LAWREFBOOK, require_shared

ROUNDS = 30


def _size(home: Path) -> int:
    return sum(f.stat().st_size for f in index_path(home).iterdir() if f.is_file())


def test_index_size_after_many_incremental_ingests_stays_near_a_fresh_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A scale model of the shared corpus's index: there, a fresh build commits 3,300 documents in 17 batches (one
    # segment each); here 109 documents in batches of 12 give 10 segments.
    monkeypatch.setattr(kb.pipeline.incremental, "BATCH_SIZE", 12)
    corpus = tmp_path / "corpus"
    shutil.copytree(require_shared(LAWREFBOOK / "行政法"), corpus)
    files = sorted(corpus.glob("*.md"), key=lambda f: -f.stat().st_size)  # the longest laws: the most entries
    home = tmp_path / "home"
    ingest([corpus], home, jobs=1)
    for n in range(ROUNDS):
        target = files[n % 10]
        target.write_text(target.read_text(encoding="utf-8") + f"\n本法第{n}次修改后的说明。\n", encoding="utf-8")
        report = ingest([corpus], home, jobs=1)
        assert report.updated == 1 and not report.failures
    fresh = tmp_path / "fresh"
    ingest([corpus], fresh, jobs=1)
    assert _size(home) <= 1.10 * _size(fresh), (_size(home), _size(fresh))
    # and the merged index answers like the fresh one
    for query in ("行政许可", "第十条", "修改后的说明"):
        a, b = open_index(home).search(query, limit=20), open_index(fresh).search(query, limit=20)
        assert a.total == b.total
        assert [(h.doc_id, h.clause_id) for h in a.hits] == [(h.doc_id, h.clause_id) for h in b.hits]
