"""Fuzzers for the query parser, the list reader and title resolution: arbitrary input gives a result or a kb error
with a message, never another exception. Run with the suite's fixed-seed hypothesis profile (tests/conftest.py), so
CI tries the same inputs every time; a crash found here becomes a named regression test beside the code's own."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from kb.citations.find import find_citations
from kb.citations.resolve import TitleIndex, resolve
from kb.errors import KbError
from kb.extract.lists import read_list
from kb.search.query import parse_query
from tests.factories import make_document, make_meta
from tests.test_resolve import LAW_BODY, _law, _summary

# Pieces a query is made of, valid or not: words, operators, quotes, brackets, fields, widths, controls.
QUERY_PARTS = st.sampled_from(
    [
        "数据",
        "公共数据",
        " ",
        "　",
        "OR",
        "NOT",
        "-",
        "(",
        ")",
        '"',
        "“",
        "”",
        "province:",
        "year:",
        "2020..2021",
        "topic:",
        "title:",
        "level:provincial",
        "type:",
        "status:repealed",
        "第二十一条",
        "第21条",
        "\x00",
        "\udcff",
        "::",
        "*",
        "?",
        "怎么办",
        "～",
        "𠀀",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(QUERY_PARTS, max_size=30) | st.text(max_size=200))
def test_query_parser_gives_a_tree_or_a_kb_error(parts: list[str] | str) -> None:
    query = parts if isinstance(parts, str) else "".join(parts)
    try:
        parse_query(query)
    except KbError as exc:
        assert str(exc)


CELLS = st.sampled_from(
    [
        "",
        "标题",
        "title",
        "成文日期",
        "发布日期",
        "2020-09-25",
        "2020年9月25日",
        "2020-13-45",
        "关于印发《数据条例》的通知",
        "国办发〔2020〕1号",
        "上海市人民政府",
        '"',
        ",",
        "\n",
        "x" * 50,
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(CELLS, max_size=6), max_size=8), st.sampled_from(["utf-8", "gb18030", "utf-16"]))
def test_list_reader_gives_rows_and_problems_or_a_kb_error(rows: list[list[str]], encoding: str) -> None:
    text = "\n".join(",".join(f'"{c}"' if ("," in c or '"' in c or "\n" in c) and c != '"' else c for c in row)
                     for row in rows)  # fmt: skip
    try:
        listed = read_list(text.encode(encoding), "list.csv")
    except KbError as exc:
        assert "list.csv" in str(exc)
        return
    assert all(row.row >= 2 and row.get("title") for row in listed.rows)
    assert all("list.csv: row" in problem.message for problem in listed.problems)


REFERENCES = st.sampled_from(
    [
        "依照《测试数据法》第二条",
        "《中华人民共和国测试数据法》第三条第（二）项",
        "本法第一条",
        "前款",
        "《测试数据法》第九十九条",
        "《不存在的条例》第一条",
        "第二条至第一条",
        "该法第三条",
        "（以下简称“条例”）",
        "条例第二条",
        "，",
        "。",
        "第",
        "条",
        "款",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(REFERENCES, min_size=1, max_size=12))
def test_citations_found_in_any_text_resolve_or_stay_unresolved(parts: list[str]) -> None:
    law = _law("law", date(2021, 6, 10), body=LAW_BODY)
    citing = make_document(
        "第一条 " + "".join(parts) + "。", id="citing", meta=make_meta(version_date=date(2022, 1, 1))
    )
    index = TitleIndex.build([_summary(law)], lambda doc_id: law.clauses)
    resolved = resolve(find_citations(citing), index, _summary(citing))
    known = {c.id for c in law.clauses} | {c.id for c in citing.clauses}
    for citation in resolved:
        assert citation.target_clause is None or citation.target_clause in known
        assert 0 <= citation.start < citation.end <= len(citing.body)
