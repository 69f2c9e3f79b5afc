"""kb trace: what a clause cites, what cites it, the same topics elsewhere, similar text; and the CLI commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import cli
from kb.errors import NotFound
from kb.graph.trace import TraceResult, trace, unresolved_titles
from kb.models import DocFilter, SearchHit
from kb.schema import to_json
from kb.store.sqlite import Store
from tests.factories import make_search_hit
from tests.test_graph import build_kb


@pytest.fixture
def home(tmp_path: Path) -> Path:
    build_kb(tmp_path)
    return tmp_path


def _run(home: Path, doc_id: str, clause_id: str | None, **kwargs: object) -> TraceResult:
    with Store.open(home) as store:
        return trace(store, None, doc_id, clause_id, **kwargs)  # type: ignore[arg-type]


def _group(result: TraceResult, relation: str) -> list[tuple[str | None, str]]:
    group = next(g for g in result.groups if g.relation == relation)
    return [(item.id, item.reason) for item in group.items]


def test_what_a_clause_cites_resolved_to_the_cited_text(home: Path) -> None:
    result = _run(home, "zj", "art_1", relations=("cites",))
    [item] = next(g for g in result.groups if g.relation == "cites").items
    assert (item.id, item.relation, item.title, item.number) == (
        "law#chp_1__art_2", "basis", "中华人民共和国测试数据法", "第二条",
    )  # fmt: skip
    assert item.reason == "《中华人民共和国测试数据法》第二条"
    assert item.text is not None and item.text.startswith("第二条 国家建立数据分类分级保护制度")


def test_an_unresolved_citation_is_shown_with_why(home: Path) -> None:
    result = _run(home, "zj", "art_3", relations=("cites",))
    items = {i.id: i for i in next(g for g in result.groups if g.relation == "cites").items}
    assert items["zj#art_2"].reason == "本条例第二条"
    unresolved = items[None]
    assert unresolved.title == "不存在的法"
    assert "no document with this title" in unresolved.reason


def test_what_cites_a_clause_at_one_and_two_steps(home: Path) -> None:
    assert _group(_run(home, "law", "chp_1__art_2", relations=("cited-by",)), "cited-by") == [
        ("zj#art_1", "《中华人民共和国测试数据法》第二条 -> 第二条"),
    ]
    deeper = _run(home, "law", "chp_1__art_2", relations=("cited-by",), depth=2)
    items = next(g for g in deeper.groups if g.relation == "cited-by").items
    assert [(i.id, i.depth, i.via) for i in items] == [("zj#art_1", 1, None), ("gd#art_1", 2, "zj#art_1")]


def test_cited_by_is_filtered_by_the_citing_document(home: Path) -> None:
    result = _run(home, "law", "chp_1__art_2", relations=("cited-by",), depth=2,
                  filters=DocFilter(province="广东"))  # fmt: skip
    assert [i for i, _ in _group(result, "cited-by")] == ["gd#art_1"]


def test_same_topic_ranked_by_the_specific_shared_terms_then_wording(home: Path) -> None:
    result = _run(home, "zj", "art_2", relations=("topic",))
    assert result.topics == ("数据安全",)
    # 数据分类分级 is carried by fewer clauses than 重要数据, so the clause sharing it comes first; terms rarest first
    assert _group(result, "topic") == [
        ("law#chp_1__art_2", "shared topics: 数据安全（数据分类分级、重要数据）; shared wording 0.45"),
        ("gd#art_2", "shared topics: 数据安全（重要数据）; shared wording 0.19"),
    ]


def test_similar_text_says_when_the_index_is_absent_and_uses_it_when_present(home: Path) -> None:
    group = next(g for g in _run(home, "zj", "art_2").groups if g.relation == "similar")
    assert group.items == () and group.note == "the search index is absent: run `kb ingest` to build it"

    class Index:
        def more_like_this(self, doc_id: str, clause_id: str, *, limit: int = 10) -> tuple[SearchHit, ...]:
            assert (doc_id, clause_id) == ("zj", "art_2")
            return (make_search_hit(doc_id="law", clause_id="chp_1__art_2", score=3.5),)

    with Store.open(home) as store:
        result = trace(store, Index(), "zj", "art_2", relations=("similar",))
    assert _group(result, "similar") == [("law#chp_1__art_2", "similar wording (score 3.50)")]


def test_a_whole_document_traces_outside_references_only(home: Path) -> None:
    result = _run(home, "zj", None, relations=("cites", "cited-by"))
    cites = [i for i, _ in _group(result, "cites")]
    assert cites == ["law#chp_1__art_2", None]  # not its own 本条例第二条
    assert [i for i, _ in _group(result, "cited-by")] == ["gd#art_1"]


def test_a_trace_is_json(home: Path) -> None:
    result = _run(home, "zj", "art_1")
    data = json.loads(json.dumps(to_json(result), ensure_ascii=False))
    assert data["ref"] == "zj#art_1"
    assert [g["relation"] for g in data["groups"]] == ["cites", "cited-by", "implements", "implemented-by", "topic",
                                                       "similar"]  # fmt: skip


@pytest.mark.parametrize(
    ("doc_id", "clause_id", "relations", "message"),
    [
        ("nope", None, ("cites",), "nope: no document with this id"),
        ("zj", "art_99", ("cites",), "zj#art_99: no such clause; see `kb show zj`"),
        ("zj", None, ("cousins",), "cousins: no such relation"),
    ],
)
def test_unknown_ids_and_relations_are_named(home: Path, doc_id: str, clause_id: str | None,
                                             relations: tuple[str, ...], message: str) -> None:  # fmt: skip
    with Store.open(home) as store, pytest.raises(NotFound, match=message):
        trace(store, None, doc_id, clause_id, relations=relations)


def test_the_most_cited_missing_titles(home: Path) -> None:
    with Store.open(home) as store:
        [missing] = unresolved_titles(store)
    assert (missing.title, missing.count, missing.documents, missing.example) == ("不存在的法", 1, 1, "zj#art_3")


# -- the commands ---------------------------------------------------------------------------------------------------


def _cli(home: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--home", str(home), *args])
    return result.exit_code, result.output


def test_kb_trace_json(home: Path) -> None:
    code, out = _cli(home, "trace", "浙江省测试数据条例#art_1", "--relation", "cites", "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["groups"][0]["items"][0]["ref"] == "law#chp_1__art_2"


def test_kb_trace_by_title_and_article_as_a_table(home: Path) -> None:
    code, out = _cli(home, "trace", "测试数据法", "第二条", "--relation", "cited-by")
    assert code == 0, out
    assert "Cited by (1)" in out and "[zj#art_1]" in out


def test_kb_trace_csv_rows(home: Path) -> None:
    code, out = _cli(home, "trace", "浙江省测试数据条例", "第二条", "--relation", "topic", "--format", "csv")
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0] == "group,ref,doc_id,clause_id,title,number,relation,reason,province,year,level,depth"
    assert lines[1].startswith("topic,law#chp_1__art_2,law,chp_1__art_2,中华人民共和国测试数据法,第二条,topic,")


def test_kb_trace_unresolved(home: Path) -> None:
    code, out = _cli(home, "trace", "--unresolved", "--json")
    assert code == 0, out
    assert json.loads(out) == [{"title": "不存在的法", "count": 1, "documents": 1, "example": "zj#art_3"}]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("trace",), "give the clause or document to trace (REF), or --unresolved"),
        (("trace", "zj", "--unresolved"), "--unresolved lists the whole knowledge base's unresolved titles"),
        (("trace", "zj", "--depth", "9"), "Invalid value for '--depth'"),
    ],
)
def test_kb_trace_usage_errors(home: Path, args: tuple[str, ...], message: str) -> None:
    code, out = _cli(home, *args)
    assert code == 2 and message in out


def test_kb_trace_unknown_reference(home: Path) -> None:
    code, out = _cli(home, "trace", "浙江省测试数据条例#art_99")
    assert code == 1 and "no clause 'art_99'" in out


def test_kb_graph_export(home: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "kb.gexf"
    code, out = _cli(home, "graph", "export", str(target))
    assert code == 0, out
    assert out.startswith(f"wrote {target} (gexf): nodes 6 clause, 3 document, 3 topic;")
    code, out = _cli(home, "graph", "export", str(tmp_path / "kb.txt"), "--format", "json", "--json")
    assert code == 0 and json.loads(out)["format"] == "json"


def test_kb_graph_export_without_a_knowledge_base(tmp_path: Path) -> None:
    code, out = _cli(tmp_path, "graph", "export", str(tmp_path / "kb.graphml"))
    assert code == 1 and "no knowledge base here; run `kb ingest PATH...` to build one" in out
