"""上位法 and 下位法, provinces side by side, and the ranking of related clauses, on a made-up law and regulations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import cli
from kb.errors import NotFound
from kb.graph.compare import compare, diff_segments
from kb.graph.implements import above, shared_runs, wording
from kb.graph.records import TraceItem
from kb.graph.related import cap_per_doc
from kb.graph.trace import TraceResult, nest, trace
from kb.models import DocType, Level
from kb.store.sqlite import Store
from tests.factories import make_meta
from tests.test_graph import build_kb


@pytest.fixture
def home(tmp_path: Path) -> Path:
    build_kb(tmp_path)
    return tmp_path


def _group(result: TraceResult, relation: str) -> list[tuple[str | None, str]]:
    group = next(g for g in result.groups if g.relation == relation)
    return [(item.id, item.reason) for item in group.items]


def test_a_national_article_is_implemented_by_the_regulation_naming_the_law_as_its_basis(home: Path) -> None:
    with Store.open(home) as store:
        result = trace(store, None, "law", "chp_1__art_2", relations=("implemented-by",))
    [(item_id, reason)] = _group(result, "implemented-by")
    assert item_id == "zj#art_2"  # not art_1, the basis clause itself, and nothing of 广东, which does not cite it
    assert reason.startswith("its basis 《中华人民共和国测试数据法》第二条; shared wording")
    assert "建立数据分类分级保护制度" in reason


def test_a_local_clause_implements_the_article_of_its_basis_law(home: Path) -> None:
    with Store.open(home) as store:
        result = trace(store, None, "zj", "art_2", relations=("implements",))
    [(item_id, reason)] = _group(result, "implements")
    assert item_id == "law#chp_1__art_2"
    assert reason.startswith("its document's basis 《中华人民共和国测试数据法》第二条")


def _summary(level: Level, province: str | None, doc_type: DocType | None = None) -> object:
    from kb.models import DocSummary, Format

    meta = make_meta(level=level, province=province, doc_type=doc_type)
    return DocSummary("x", "x.md", Format.MARKDOWN, "x", meta, 0)


LOCAL = DocType.LOCAL_REGULATION


@pytest.mark.parametrize(
    ("higher", "lower", "expected"),
    [
        ((Level.NATIONAL, None, DocType.LAW), (Level.PROVINCIAL, "浙江", LOCAL), True),
        ((Level.NATIONAL, None, DocType.LAW), (Level.NATIONAL, None, DocType.ADMIN_REGULATION), True),
        ((Level.NATIONAL, None, DocType.ADMIN_REGULATION), (Level.NATIONAL, None, DocType.LAW), False),
        ((Level.PROVINCIAL, "广东", LOCAL), (Level.MUNICIPAL, "广东", LOCAL), True),
        # regression: a 深圳 regulation was listed as implementing a 陕西 one (another province's text binds no one)
        ((Level.PROVINCIAL, "陕西", LOCAL), (Level.MUNICIPAL, "广东", LOCAL), False),
        ((Level.PROVINCIAL, "浙江", LOCAL), (Level.PROVINCIAL, "浙江", LOCAL), False),
    ],
)
def test_which_document_ranks_above_which(higher: tuple, lower: tuple, expected: bool) -> None:  # type: ignore[type-arg]
    assert above(_summary(*higher), _summary(*lower)) is expected  # type: ignore[arg-type]


def test_shared_wording_is_quoted_longest_first() -> None:
    a = wording("第二十一条 国家建立数据分类分级保护制度，对数据实行分类分级保护。")
    b = wording("第五十七条 本省建立健全数据分类分级保护制度，编制重要数据目录。")
    assert a.letters.startswith("国家建立")  # the article's number is not wording
    assert shared_runs(a.letters, b.letters) == ["数据分类分级保护制度"]


def test_provinces_side_by_side_show_what_a_province_adds_and_leaves_out(home: Path) -> None:
    with Store.open(home) as store:
        result = compare(store, None, "law", "chp_1__art_2")
    [row] = result.rows
    [clause] = row.clauses
    assert (row.province, clause.id, clause.year) == ("浙江", "zj#art_2", 2022)
    assert "".join(s.text for s in clause.segments).startswith("本省建立数据分类分级保护制度")
    assert clause.added == ("本省", "实行重点保护")  # 重要数据 is in the national text too
    assert [o.strip("。\n") for o in clause.omitted] == ["国家", "各地区应当确定", "具体目录"]


def test_compare_needs_an_article(home: Path) -> None:
    with Store.open(home) as store, pytest.raises(NotFound, match="law: name an article to compare"):
        compare(store, None, "law", None)


def test_diff_segments_cover_the_local_text() -> None:
    segments, added, omitted = diff_segments("国家建立制度。", "本省建立制度，加强保护。")
    assert "".join(s.text for s in segments) == "本省建立制度，加强保护。"
    assert [s.kind for s in segments] == ["added", "same", "added", "same"]
    assert added == ("本省", "，加强保护") and omitted == ("国家",)


def _item(doc: str, clause: str, depth: int = 1, via: str | None = None) -> TraceItem:
    return TraceItem(id=f"{doc}#{clause}", doc_id=doc, clause_id=clause, title=None, number=None, text=None,
                     relation="cites", reason="", depth=depth, via=via)  # fmt: skip


def test_depth_two_items_follow_their_own_parent() -> None:
    # regression: items were sorted by depth, so every depth-2 item was printed under the last depth-1 item
    a, b = _item("a", "art_1"), _item("b", "art_1")
    a1, b1 = _item("x", "art_1", 2, "a#art_1"), _item("y", "art_1", 2, "b#art_1")
    assert nest([a, b, a1, b1]) == [a, a1, b, b1]
    orphan = _item("z", "art_1", 2, "gone#art_1")
    assert nest([a, orphan]) == [a, orphan]


def test_at_most_a_few_items_per_document() -> None:
    items = [_item("a", "art_1"), _item("a", "art_2"), _item("b", "art_1"), _item("a", "art_3")]
    assert [i.id for i in cap_per_doc(items, 2)] == ["a#art_1", "a#art_2", "b#art_1"]
    assert len(cap_per_doc(items, None)) == 4


def test_documents_like_this_leave_the_document_out(home: Path) -> None:
    with Store.open(home) as store:
        result = trace(store, None, "zj", None, relations=("similar",))
    items = next(g for g in result.groups if g.relation == "similar").items
    assert items and all(i.clause_id is None and i.doc_id != "zj" for i in items)
    assert items[0].reason.startswith("documents like this (")


def _cli(home: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--home", str(home), *args])
    return result.exit_code, result.output


def test_kb_trace_implemented_by_and_kb_compare(home: Path) -> None:
    code, out = _cli(home, "trace", "测试数据法", "第二条", "--relation", "implemented-by")
    assert code == 0, out
    assert "Implemented by (下位法) (1)" in out and "[zj#art_2]" in out
    code, out = _cli(home, "compare", "测试数据法", "第二条", "--json")
    assert code == 0, out
    data = json.loads(out)
    assert [r["province"] for r in data["rows"]] == ["浙江"]
    assert data["rows"][0]["clauses"][0]["added"] == ["本省", "实行重点保护"]
    code, out = _cli(home, "compare", "测试数据法", "第二条", "--format", "csv")
    assert code == 0, out
    assert out.splitlines()[0] == "province,id,title,number,year,level,added,omitted,reason"
    code, out = _cli(home, "compare", "测试数据法", "第二条")
    assert code == 0 and "浙江 (1)" in out and "[本省]建立数据分类分级保护制度" in out
