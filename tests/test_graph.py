"""The citation and topic graph: built from the store, kept in the home, rebuilt incrementally, exported."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import networkx as nx
import pytest

import kb.graph.build as graph_module
from kb.citations.find import find_citations
from kb.citations.resolve import resolve_all
from kb.errors import GraphFormatError, GraphMissing
from kb.graph.build import export_graph, load_graph, summarise, update_graph
from kb.models import Document, Level
from kb.store.sqlite import Store
from kb.topics.tag import load_lexicon, tag_topics
from tests.factories import make_document, make_meta

# A national law, a regulation of 浙江 resting on it, and a regulation of 广东 citing the 浙江 one: made up for tests.
LAW = (
    "第一章 总则\n"
    "第一条 为了规范数据处理活动，制定本法。\n"
    "第二条 国家建立数据分类分级保护制度。\n"
    "各地区应当确定重要数据具体目录。"
)
ZHEJIANG = (
    "第一条 根据《中华人民共和国测试数据法》第二条，制定本条例。\n"
    "第二条 本省建立数据分类分级保护制度，对重要数据实行重点保护。\n"
    "第三条 违反本条例第二条规定的，依照《不存在的法》处理。"
)
GUANGDONG = (
    "第一条 数据处理活动参照《浙江省测试数据条例》第一条的规定执行。\n"
    "第二条 本市推进公共数据授权运营，加强重要数据保护。"
)


def _doc(doc_id: str, title: str, body: str, province: str | None, year: int) -> Document:
    meta = make_meta(title=title, short_title=title.removeprefix("中华人民共和国"), province=province, city=None,
                     level=Level.PROVINCIAL if province else Level.NATIONAL, version_date=date(year, 1, 1),
                     year=year)  # fmt: skip
    return make_document(body, id=doc_id, title=title, path=f"/kb-test/{doc_id}.md", meta=meta)


def law() -> Document:
    return _doc("law", "中华人民共和国测试数据法", LAW, None, 2021)


def zhejiang(body: str = ZHEJIANG) -> Document:
    return _doc("zj", "浙江省测试数据条例", body, "浙江", 2022)


def guangdong() -> Document:
    return _doc("gd", "广东省测试数据条例", GUANGDONG, "广东", 2023)


def put(store: Store, doc: Document) -> None:
    store.put(doc, find_citations(doc), tag_topics(doc, load_lexicon()))


def build_kb(home: Path) -> None:
    """A knowledge base of the three documents, resolved, with its graph."""
    with Store.open(home, create=True) as store:
        for doc in (law(), zhejiang(), guangdong()):
            put(store, doc)
        resolve_all(store)
        update_graph(home, store)


def _edges(graph: object, relation: str) -> set[tuple[str, str]]:
    return {(u, v) for u, v, data in graph.edges(data=True) if data["relation"] == relation}  # type: ignore[attr-defined]


def test_the_graph_holds_documents_clauses_topics_and_their_links(tmp_path: Path) -> None:
    build_kb(tmp_path)
    graph = load_graph(tmp_path)
    assert graph.nodes["doc:law"]["title"] == "中华人民共和国测试数据法"
    assert graph.nodes["doc:zj"]["province"] == "浙江"
    assert ("clause:zj#art_1", "clause:law#chp_1__art_2") in _edges(graph, "basis")
    assert ("clause:gd#art_1", "clause:zj#art_1") in _edges(graph, "cites")
    assert ("clause:zj#art_3", "clause:zj#art_2") in _edges(graph, "cites")  # 本条例第二条
    assert ("doc:law", "clause:law#chp_1__art_2") in _edges(graph, "contains")
    assert ("clause:zj#art_2", "topic:数据安全") in _edges(graph, "about")
    assert ("clause:gd#art_2", "topic:公共数据权属") in _edges(graph, "about")
    basis = graph.get_edge_data("clause:zj#art_1", "clause:law#chp_1__art_2")
    assert [d["pinpoint"] for d in basis.values()] == ["第二条"]
    # an unresolved citation (《不存在的法》) has no edge; a clause with no link is not a node
    assert "clause:law#chp_1__art_1" not in graph
    counts = summarise(graph)
    assert dict(counts.nodes) == {"clause": 6, "document": 3, "topic": 3}  # 数据安全, 公共数据权属, 公共数据


def test_the_graph_is_rebuilt_only_for_what_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_kb(tmp_path)
    added: list[str] = []
    original = graph_module.add_document

    def spy(graph: object, records: graph_module.DocRecords, *args: object, **kwargs: object) -> None:
        added.append(records.summary.id)
        original(graph, records, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(graph_module, "add_document", spy)
    with Store.open(tmp_path) as store:
        update_graph(tmp_path, store)
        assert added == []  # nothing changed
        put(store, zhejiang(ZHEJIANG.replace("根据《中华人民共和国测试数据法》第二条，", "")))
        resolve_all(store)
        update_graph(tmp_path, store)
    assert added == ["zj"]
    graph = load_graph(tmp_path)
    assert not _edges(graph, "basis")
    assert ("clause:gd#art_1", "clause:zj#art_1") in _edges(graph, "cites")  # the citing document's edge is back


def test_a_removed_document_leaves_the_graph_with_the_edges_into_it(tmp_path: Path) -> None:
    build_kb(tmp_path)
    with Store.open(tmp_path) as store:
        store.delete("law")
        resolve_all(store)
        update_graph(tmp_path, store)
    graph = load_graph(tmp_path)
    assert not any(node.startswith(("doc:law", "clause:law#")) for node in graph)
    assert not _edges(graph, "basis")


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
def test_export_formats_read_back(tmp_path: Path, fmt: str) -> None:
    build_kb(tmp_path)
    graph = load_graph(tmp_path)
    path = export_graph(graph, tmp_path / f"kb.{fmt}", fmt)
    if fmt == "graphml":
        back = nx.read_graphml(path)
    elif fmt == "gexf":
        back = nx.read_gexf(path)
    else:
        back = nx.node_link_graph(json.loads(path.read_text("utf-8")), edges="links")
    assert back.number_of_nodes() == graph.number_of_nodes()
    assert back.number_of_edges() == graph.number_of_edges()
    assert back.nodes["clause:zj#art_1"]["label"] == "浙江省测试数据条例 第一条"
    assert back.nodes["topic:数据安全"]["label"] == "数据安全"


def test_an_unknown_export_format_is_refused(tmp_path: Path) -> None:
    build_kb(tmp_path)
    with pytest.raises(GraphFormatError, match="dot: unknown graph format; expected one of graphml, gexf, json"):
        export_graph(load_graph(tmp_path), tmp_path / "kb.dot", "dot")


def test_a_missing_or_unreadable_graph_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(GraphMissing, match="no citation graph yet; run `kb ingest"):
        load_graph(tmp_path)
    (tmp_path / "graph.pickle").write_bytes(b"not a pickle")
    with pytest.raises(GraphMissing, match="cannot be read"):
        load_graph(tmp_path)


def test_the_first_reader_brings_the_graph_up_to_date(tmp_path: Path) -> None:
    # ingest leaves the graph alone; current_graph builds it from the store, then only redoes what changed
    from kb.graph.build import current_graph
    from kb.pipeline import ingest
    from kb.store.sqlite import Store
    from tests.conftest import LAWREFBOOK, require_shared

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    source = require_shared(LAWREFBOOK / "DLC/广东地方法规/地方性法规/广东/深圳经济特区数据条例(2021-07-06).md")
    (corpus / "sz.md").write_bytes(source.read_bytes())
    home = tmp_path / "kb"
    ingest([corpus], home, jobs=1)
    assert not (home / "graph.pickle").exists()
    with Store.open(home) as store:
        graph = current_graph(home, store)
        doc_id = store.summaries()[0].id
    assert (home / "graph.pickle").exists()
    assert graph.nodes[f"doc:{doc_id}"]["title"] == "深圳经济特区数据条例"


@pytest.mark.parametrize(
    ("clause_id", "number", "expected"),
    [
        ("chp_1__art_9__para_2", None, "第九条第二款"),
        ("art_21_1", "第二十一条之一", "第二十一条之一"),
        ("chp_3__art_21__para_1__point_2__subpoint_1", None, "第二十一条第一款第二项第一目"),
        ("art_3-2", None, "第三条"),  # a repeated id keeps its article's name
        ("div_2__subdiv_3", "（三）", "（三）"),  # a policy unit by its own written number
    ],
)
def test_clause_labels_read_as_legislation_names_them(clause_id: str, number: str | None, expected: str) -> None:
    from kb.graph.export import readable_number

    assert readable_number(clause_id, number) == expected


def test_exported_clauses_carry_their_documents_attributes_and_no_paths(tmp_path: Path) -> None:
    from kb.graph.export import GraphFilter, clause_view, document_view

    build_kb(tmp_path)
    graph = load_graph(tmp_path)
    view = clause_view(graph)
    clause = view.nodes["clause:zj#art_1"]
    assert (clause["province"], clause["year"], clause["level"], clause["label"]) == (
        "浙江", 2022, "provincial", "浙江省测试数据条例 第一条",
    )  # fmt: skip
    assert not any("path" in data for _, data in view.nodes(data=True))
    only_gd = clause_view(graph, GraphFilter(province="广东"))
    assert {n for n, d in only_gd.nodes(data=True) if d["kind"] == "document"} == {"doc:gd"}
    national = clause_view(graph, GraphFilter(province="全国"))
    assert {n for n, d in national.nodes(data=True) if d["kind"] == "document"} == {"doc:law"}
    on_topic = clause_view(graph, GraphFilter(topic="公共数据权属"))
    assert {n for n, d in on_topic.nodes(data=True) if d["kind"] != "clause"} == {"doc:gd", "topic:公共数据权属"}
    docs = document_view(graph)
    assert dict(docs.edges) == {
        ("doc:zj", "doc:law"): {"weight": 1, "basis": 1, "relation": "cites"},
        ("doc:gd", "doc:zj"): {"weight": 1, "basis": 0, "relation": "cites"},
    }
    target = tmp_path / "docs.gexf"
    export_graph(docs, target, "gexf")
    assert 'weight="1"' in target.read_text(encoding="utf-8")
