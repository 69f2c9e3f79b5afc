"""The hand-checked sample (tests/data/citations_sample.tsv): precision and recall of found-and-resolved citations.

Every citation in the sampled articles of the shared corpus is listed with its words and target; kb must find and
resolve them with precision and recall of at least 97%. The sampled documents are resolved against every corpus
file that could be a target (all versions of every title they cite), found through a title index of the corpus.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kb.citations.find import find_citations
from kb.citations.resolve import TitleIndex, resolve, title_key
from kb.models import DocMeta, DocSummary, Format
from tests.conftest import LAWREFBOOK, ROOT, require_shared

sys.path.insert(0, str(ROOT / "scripts"))
from measure_citations import SAMPLE, load_document, read_sample, score_sample, summary_of

MIN_PRECISION = 0.97
MIN_RECALL = 0.97
MIN_CITATIONS = 200


def _first_line_title(path: Path) -> str | None:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("# "):
                return line[2:].strip()
    return None


@pytest.fixture(scope="module")
def scored() -> dict[str, object]:
    corpus = require_shared(LAWREFBOOK)
    rows = read_sample(SAMPLE)
    sampled = {row["path"] for row in rows}
    # A cheap index of every file by the title on its first line, to find which files a citation may name.
    light = []
    for path in sorted(corpus.rglob("*.md")):
        relative = path.relative_to(corpus).as_posix()
        title = _first_line_title(path)
        light.append(DocSummary(relative, relative, Format.MARKDOWN, title, DocMeta(title=title), 0))
    by_key: dict[str, list[str]] = {}
    for summary in light:
        by_key.setdefault(title_key(summary.title or ""), []).append(summary.path)
    finder = TitleIndex.build(light, lambda _doc_id: ())
    docs = {p: load_document(corpus / p, corpus) for p in sorted(sampled)}
    needed = set(sampled)
    for doc in list(docs.values()):
        needed.update(by_key.get(title_key(doc.title or ""), []))  # other parts and versions of the same title
        for c in find_citations(doc):
            if c.title:
                needed.update(s.path for s in finder.candidates(c.title, c.text)[0])
    for relative in sorted(needed - set(docs)):
        docs[relative] = load_document(corpus / relative, corpus)
    loaded = list(docs.values())
    by_id = {d.id: d for d in loaded}
    index = TitleIndex.build((summary_of(d) for d in loaded), lambda doc_id: by_id[doc_id].clauses)
    resolved = {d.id: resolve(find_citations(d), index, summary_of(d)) for d in loaded if d.path in sampled}
    return score_sample(rows, loaded, resolved)


def test_the_sample_is_large_enough(scored: dict[str, object]) -> None:
    assert int(str(scored["citations"])) >= MIN_CITATIONS
    assert int(str(scored["articles"])) >= 100


def test_precision_and_recall_on_the_sample(scored: dict[str, object]) -> None:
    misses = "\n".join(str(m) for m in scored["misses"])  # type: ignore[attr-defined]
    assert float(str(scored["precision"])) >= MIN_PRECISION, misses
    assert float(str(scored["recall"])) >= MIN_RECALL, misses
