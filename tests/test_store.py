"""The record store: round trips, filters, failures, schema versioning."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from kb.errors import StoreError
from kb.models import (
    Citation,
    CitationKind,
    Clause,
    ClauseKind,
    DateEvent,
    DocFilter,
    DocMeta,
    DocType,
    Document,
    EventKind,
    Failure,
    Format,
    Level,
    Relation,
    TopicTag,
)
from kb.store.sqlite import Store

BODY = "第一章 总则\n第一条 为了规范数据处理活动，制定本条例。\n第二条 本条例适用于本市。\n前款规定的数据，依照本条例。"


def _doc(doc_id: str = "a1b2c3d4e5f6", path: str = "/x/深圳经济特区数据条例.md", year: int = 2021,
         province: str | None = "广东") -> Document:  # fmt: skip
    chp_end = len(BODY)
    a1 = BODY.index("第一条")
    a2 = BODY.index("第二条")
    p2 = BODY.index("前款")
    clauses = (
        Clause(doc_id, "chp_1", ClauseKind.CHAPTER, "第一章", 1, "总则", BODY, 0, chp_end, a1, None, 0),
        Clause(doc_id, "chp_1__art_1", ClauseKind.ARTICLE, "第一条", 1, None, BODY[a1:a2].rstrip(), a1, a2, a2,
               "chp_1", 1),
        Clause(doc_id, "chp_1__art_2", ClauseKind.ARTICLE, "第二条", 2, None, BODY[a2:].rstrip(), a2, chp_end, a2,
               "chp_1", 1),
        Clause(doc_id, "chp_1__art_2__para_1", ClauseKind.PARAGRAPH, None, 1, None, BODY[a2:p2].rstrip(), a2, p2,
               p2, "chp_1__art_2", 2),
        Clause(doc_id, "chp_1__art_2__para_2", ClauseKind.PARAGRAPH, None, 2, None, BODY[p2:], p2, chp_end,
               chp_end, "chp_1__art_2", 2),
    )  # fmt: skip
    meta = DocMeta(
        title="深圳经济特区数据条例", short_title="深圳经济特区数据条例", issuers=("深圳市人民代表大会常务委员会",),
        events=(DateEvent(date(year, 6, 29), EventKind.ADOPTED, "深圳市人民代表大会常务委员会", "…通过"),),
        adopted=date(year, 6, 29), version_date=date(year, 6, 29), year=year, first_year=year, province=province,
        city="深圳", level=Level.MUNICIPAL, doc_type=DocType.LOCAL_REGULATION,
    )  # fmt: skip
    return Document(doc_id, path, Format.MARKDOWN, "ab" * 32, meta.title, ("2021年6月29日 …通过",), BODY, meta,
                    clauses, (), "legislation")  # fmt: skip


def test_document_round_trips_with_clause_texts(tmp_path: Path) -> None:
    doc = _doc()
    with Store.open(tmp_path, create=True) as store:
        store.put(doc)
        back = store.get_document(doc.id)
    assert back == doc


def test_clause_lookup_returns_text_from_span(tmp_path: Path) -> None:
    doc = _doc()
    with Store.open(tmp_path, create=True) as store:
        store.put(doc)
        clause = store.get_clause(doc.id, "chp_1__art_2")
        assert store.get_clause(doc.id, "art_99") is None
    assert clause is not None
    assert clause.text == "第二条 本条例适用于本市。\n前款规定的数据，依照本条例。"


def test_citations_and_topics_are_queryable_by_target(tmp_path: Path) -> None:
    doc = _doc()
    cite = Citation(doc.id, "chp_1__art_2__para_2", CitationKind.INTERNAL, Relation.CITES, "前款", 0, 2,
                    target_doc=doc.id, target_clause="chp_1__art_2__para_1", reason="前款")  # fmt: skip
    open_cite = Citation(doc.id, "chp_1__art_1", CitationKind.TITLE, Relation.BASIS, "《网络安全法》", 0, 7,
                         title="网络安全法")  # fmt: skip
    tag = TopicTag(doc.id, "chp_1__art_1", "数据安全", ("数据处理",), ((6, 10),))
    with Store.open(tmp_path, create=True) as store:
        store.put(doc, [cite, open_cite], [tag])
        assert store.citations(target_doc=doc.id, target_clause="chp_1__art_2__para_1") == [cite]
        assert store.citations(unresolved=True) == [open_cite]
        assert store.topics(topic="数据安全") == [tag]
        assert store.summaries()[0].topics == ("数据安全",)
        assert store.summaries(DocFilter(topic="数据安全"))[0].id == doc.id
        assert store.summaries(DocFilter(topic="个人信息")) == []


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (DocFilter(year=2020), ["000000000002"]),
        (DocFilter(year_from=2019, year_to=2021), ["000000000002", "000000000001"]),  # by date
        (DocFilter(province="广东"), ["000000000001"]),
        (DocFilter(province="浙江", year=2020), ["000000000002"]),
        (DocFilter(level=Level.MUNICIPAL, doc_type=DocType.LOCAL_REGULATION), ["000000000002", "000000000001"]),
        (DocFilter(level=Level.NATIONAL), []),
        (DocFilter(city="深圳"), ["000000000002", "000000000001"]),
    ],
)
def test_summaries_filter(tmp_path: Path, filters: DocFilter, expected: list[str]) -> None:
    with Store.open(tmp_path, create=True) as store:
        store.put(_doc("000000000001", "/x/a.md", 2021, "广东"))
        store.put(_doc("000000000002", "/x/b.md", 2020, "浙江"))
        assert [s.id for s in store.summaries(filters)] == expected


def test_replacing_a_document_replaces_its_clauses(tmp_path: Path) -> None:
    with Store.open(tmp_path, create=True) as store:
        store.put(_doc())
        store.put(_doc())
        assert store.status().clauses == 5
        assert store.status().documents == 1
        store.delete(_doc().id)
        assert store.status().clauses == 0


def test_failure_is_recorded_then_cleared_by_success(tmp_path: Path) -> None:
    doc = _doc()
    with Store.open(tmp_path, create=True) as store:
        store.record_failure(Failure(doc.path, "CorruptFile", f"{doc.path}: truncated"))
        assert store.status().failures == 1
        store.put(doc)
        assert store.failures() == []


def test_missing_store_says_to_ingest(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"no knowledge base here; run `kb ingest"):
        Store.open(tmp_path / "nowhere")


def test_unknown_schema_version_is_refused(tmp_path: Path) -> None:
    with Store.open(tmp_path, create=True):
        pass
    conn = sqlite3.connect(tmp_path / "kb.sqlite")
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="schema version 99"):
        Store.open(tmp_path)


def test_store_is_wal_sqlite_readable_by_any_tool(tmp_path: Path) -> None:
    with Store.open(tmp_path, create=True) as store:
        store.put(_doc())
    conn = sqlite3.connect(tmp_path / "kb.sqlite")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT title, year, province FROM documents").fetchall() == [
        ("深圳经济特区数据条例", 2021, "广东")
    ]


def test_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "kb.sqlite").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"kb\.sqlite"):
        Store.open(tmp_path)


def test_the_versions_a_search_reads_come_from_an_index_not_the_document_rows(tmp_path: Path) -> None:
    # Every search reads doc id -> sha256 of every document; the rows hold whole bodies, so the scan is of a
    # covering index, which an ingest adds to a store made before it.
    with Store.open(tmp_path, create=True) as store:
        store.put(_doc())
        store._conn.execute("DROP INDEX documents_sha")
    with Store.open(tmp_path) as store:  # a reader does not change the store
        assert not store._conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'documents_sha'").fetchone()
    with Store.open(tmp_path, create=True) as store:
        plan = " ".join(str(row) for row in store._conn.execute("EXPLAIN QUERY PLAN SELECT id, sha256 FROM documents"))
        assert "COVERING INDEX documents_sha" in plan
        assert store.live_versions() == {_doc().id: _doc().sha256}
        assert store.document_facets() == {_doc().id: (None, ())}
