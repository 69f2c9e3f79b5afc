"""kb's segment writer against Whoosh's own: the same entries, written once by each, must give the same segment as
Whoosh reads it (terms, postings, weights, lengths, columns, stored fields) and the same top 10 from Whoosh's
searcher. kb writes Whoosh's on-disk format itself for speed (kb/search/whoosh_writer.py); a Whoosh upgrade that
changes the format, or a change to the writer that drifts from it, fails here."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index
from whoosh.index import TOC
from whoosh.qparser import QueryParser
from whoosh.query import And, Or, Term
from whoosh.scoring import BM25F

from kb.pipeline import process_file
from kb.search import safe_pickle
from kb.search.analyzer import bigrams, normalize
from kb.search.entries import DOCUMENT, Entry
from kb.search.postings import CHARS, ENTRY, FACET_COLUMNS, GRAMS, HEADS, NORM, make_schema
from kb.search.whoosh_index import INDEX_NAME, entries_for
from kb.search.whoosh_writer import write_segment
from tests.conftest import corpus_file

FILES = (
    "行政法/数据安全法(2021-06-10).md",
    "DLC/广东地方法规/地方性法规/广东/深圳经济特区数据条例(2021-07-06).md",
    "DLC/上海地方法规/地方性法规/上海/上海市数据条例(2021-11-25).md",
    "行政法规/网络数据安全管理条例(2024-09-24).md",
)
QUERIES = ("数据安全", "公共数据开放", "个人信息", "篡改", "第二十一条", "分类分级保护", "上海")


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    out: list[Entry] = []
    for relative in FILES:
        processed = process_file(corpus_file(relative))
        out.extend(entries_for(processed.document, processed.topics))
    assert len(out) > 300 and any(e.topics for e in out) and any(e.kind == DOCUMENT for e in out)
    return out


def _kb_written(folder: Path, entries: list[Entry]) -> Any:
    """An index whose one segment kb's writer made, listed in a table of contents as kb lists it."""
    folder.mkdir()
    index = whoosh_index.create_in(str(folder), make_schema(), indexname=INDEX_NAME)
    segment = write_segment(index.storage, INDEX_NAME, entries)
    TOC(make_schema(), [segment], 1).write(index.storage, INDEX_NAME)
    return whoosh_index.open_dir(str(folder), indexname=INDEX_NAME)


def _whoosh_written(folder: Path, entries: list[Entry]) -> Any:
    """An index of the same entries written document by document by Whoosh's own writer."""
    folder.mkdir()
    index = whoosh_index.create_in(str(folder), make_schema(), indexname=INDEX_NAME)
    with index.writer() as writer:
        for entry in entries:
            heads = entry.text.split("\n")[:2] if entry.kind == DOCUMENT else []
            fields: dict[str, Any] = {GRAMS: entry.text, CHARS: entry.text,
                                      NORM: normalize(entry.text).encode("utf-8"),
                                      ENTRY: pickle.dumps(entry.as_tuple(), pickle.HIGHEST_PROTOCOL),
                                      HEADS: "\n".join(normalize(h) for h in heads).encode("utf-8"),
                                      **entry.keywords()}  # fmt: skip
            if entry.topics:
                fields["topic"] = ",".join(entry.topics)
            writer.add_document(**fields)
    return whoosh_index.open_dir(str(folder), indexname=INDEX_NAME)


@pytest.fixture(scope="module", autouse=True)
def whoosh_pickles() -> Iterator[None]:
    """Let kb's restricted unpickler build the three plain types Whoosh's own writer pickles and kb's never does
    (a defaultdict of field lengths with its int factory, and protocol-2 bytes via _codecs.encode)."""
    extra = {("collections", "defaultdict"), ("builtins", "int"), ("_codecs", "encode")}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(safe_pickle, "ALLOWED_GLOBALS", safe_pickle.ALLOWED_GLOBALS | extra)
        yield


@pytest.fixture(scope="module")
def pair(entries: list[Entry], tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    root = tmp_path_factory.mktemp("equivalence")
    return _kb_written(root / "kb", entries), _whoosh_written(root / "whoosh", entries)


def test_same_terms_and_term_statistics(pair: tuple[Any, Any]) -> None:
    ours, theirs = pair
    with ours.reader() as a, theirs.reader() as b:
        terms = sorted(a.all_terms())
        assert terms == sorted(b.all_terms())
        assert {field for field, _ in terms} >= {GRAMS, CHARS, "kind", "doc_id", "province", "topic"}
        for field, term in terms:
            x, y = a.term_info(field, term), b.term_info(field, term)
            assert (x.doc_frequency(), x.min_id(), x.max_id()) == (y.doc_frequency(), y.min_id(), y.max_id())
            assert x.weight() == pytest.approx(y.weight()), (field, term)
            assert x.max_weight() == pytest.approx(y.max_weight()), (field, term)
            # kb records the field's shortest and longest lengths as every term's bounds, not the term's own:
            # looser, never tighter, so Whoosh's block skipping (which trusts them as bounds) stays exact.
            # Keyword fields are not scored and have no lengths.
            if field in (GRAMS, CHARS):
                assert x.min_length() <= y.min_length() and x.max_length() >= y.max_length(), (field, term)


def test_same_postings_and_weights(pair: tuple[Any, Any]) -> None:
    ours, theirs = pair
    with ours.reader() as a, theirs.reader() as b:
        for field, term in a.all_terms():
            x, y = a.postings(field, term), b.postings(field, term)
            left, right = [], []
            while x.is_active():
                left.append((x.id(), x.weight()))
                x.next()
            while y.is_active():
                right.append((y.id(), y.weight()))
                y.next()
            assert left == right, (field, term)


def test_same_field_lengths(pair: tuple[Any, Any], entries: list[Entry]) -> None:
    ours, theirs = pair
    with ours.reader() as a, theirs.reader() as b:
        assert a.doc_count() == b.doc_count() == len(entries)
        for field in (GRAMS, CHARS):
            assert a.field_length(field) == b.field_length(field)
            assert a.max_field_length(field) == b.max_field_length(field)
            assert [a.doc_field_length(n, field) for n in range(len(entries))] == [
                b.doc_field_length(n, field) for n in range(len(entries))
            ]
        assert a.field_length(CHARS) == sum(len(normalize(e.text)) for e in entries)


def test_same_columns_and_stored_fields(pair: tuple[Any, Any], entries: list[Entry]) -> None:
    ours, theirs = pair
    with ours.reader() as a, theirs.reader() as b:
        for name in (NORM, ENTRY, HEADS, *FACET_COLUMNS):
            left, right = list(a.column_reader(name)), list(b.column_reader(name))
            assert left == right, name
        assert [Entry.from_tuple(pickle.loads(v)) for v in a.column_reader(ENTRY)] == entries
        assert all(a.stored_fields(n) == b.stored_fields(n) == {} for n in range(len(entries)))


@pytest.mark.parametrize("text", QUERIES)
def test_same_top_10_from_whooshs_searcher(pair: tuple[Any, Any], text: str) -> None:
    ours, theirs = pair
    norm = normalize(text)
    query = And([Term(GRAMS, g) for g in bigrams(norm)])
    loose = Or([Term(CHARS, c) for c in norm])
    for q in (query, loose):
        with ours.searcher(weighting=BM25F()) as a, theirs.searcher(weighting=BM25F()) as b:
            left = [(hit.docnum, round(hit.score, 5)) for hit in a.search(q, limit=10)]
            right = [(hit.docnum, round(hit.score, 5)) for hit in b.search(q, limit=10)]
            assert left and left == right, text


def test_whooshs_query_parser_finds_the_same_on_both(pair: tuple[Any, Any]) -> None:
    ours, theirs = pair
    for field, value in (("province", "广东"), ("kind", DOCUMENT), ("topic", "数据安全")):
        parsed = QueryParser(field, make_schema()).parse(value)
        with ours.searcher() as a, theirs.searcher() as b:
            left = sorted(hit.docnum for hit in a.search(parsed, limit=None))
            assert left and left == sorted(hit.docnum for hit in b.search(parsed, limit=None)), field
