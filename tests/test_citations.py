"""Citation finding: citing strings -> records (kind, words, title, pinpoint, relation, internal target), and spans.

The bodies below are written for these tests in the shape legislation takes; real clauses of the shared corpus are
in test_citations_corpus.py.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.citations.find import find_citations
from kb.citations.patterns import amended_title, is_document_title, parse_pinpoint, scan_titles
from kb.citations.resolve import ClauseTree
from kb.models import Citation, CitationKind, Relation
from tests.factories import make_document


def _found(body: str, title: str = "测试条例") -> tuple[Citation, ...]:
    return find_citations(make_document(body, title=title))


def _summary(citations: tuple[Citation, ...]) -> list[tuple[str, str, str | None, str | None, str]]:
    return [(c.kind.value, c.text, c.title, c.pinpoint, c.relation.value) for c in citations]


TITLE = CitationKind.TITLE.value
SHORT = CitationKind.SHORT_TITLE.value
INTERNAL = CitationKind.INTERNAL.value


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # a title and its relation to the citing text
        ("根据《中华人民共和国数据安全法》，制定本条例。",
         [(TITLE, "《中华人民共和国数据安全法》", "中华人民共和国数据安全法", None, "basis")]),
        ("依照《中华人民共和国网络安全法》的规定处理。",
         [(TITLE, "《中华人民共和国网络安全法》", "中华人民共和国网络安全法", None, "cites")]),
        # nested 〈〉 stay inside the title
        ("依照《北京市实施〈中华人民共和国突发事件应对法〉办法》执行。",
         [(TITLE, "《北京市实施〈中华人民共和国突发事件应对法〉办法》",
           "北京市实施〈中华人民共和国突发事件应对法〉办法", None, "cites")]),
        # runs of titles, adjacent or with 、
        ("根据《甲法》《乙条例》，制定本条例。",
         [(TITLE, "《甲法》", "甲法", None, "basis"), (TITLE, "《乙条例》", "乙条例", None, "basis")]),
        ("依照《甲法》、《乙条例》处理。",
         [(TITLE, "《甲法》", "甲法", None, "cites"), (TITLE, "《乙条例》", "乙条例", None, "cites")]),
        # empty 《》 and names of certificates are not citations, and their pinpoints are not internal either
        ("依照《》第十条处理。", []),
        ("应当取得《营业执照》。", []),
        # pinpoints after a title
        ("违反《甲法》第二十一条之一的规定。",
         [(TITLE, "《甲法》第二十一条之一", "甲法", "第二十一条之一", "cites")]),
        ("依照《甲法》第十条第二款第三项处罚。",
         [(TITLE, "《甲法》第十条第二款第三项", "甲法", "第十条第二款第三项", "cites")]),
        ("依照《甲法》第十条至第十二条处罚。",
         [(TITLE, "《甲法》第十条至第十二条", "甲法", "第十条至第十二条", "cites")]),
        ("依照《甲法》第十条第二款、第三款处罚。",
         [(TITLE, "《甲法》第十条第二款", "甲法", "第十条第二款", "cites"),
          (TITLE, "第三款", "甲法", "第十条第三款", "cites")]),
        ("依照《甲法》第十条、第十二条和第十五条处罚。",
         [(TITLE, "《甲法》第十条", "甲法", "第十条", "cites"), (TITLE, "第十二条", "甲法", "第十二条", "cites"),
          (TITLE, "第十五条", "甲法", "第十五条", "cites")]),
        ("依照《甲法》第六条第二款第三项至第五项处罚。",
         [(TITLE, "《甲法》第六条第二款第三项至第五项", "甲法", "第六条第二款第三项至第五项", "cites")]),
        ("依照《甲法》第三十一条的第二款处罚。",
         [(TITLE, "《甲法》第三十一条的第二款", "甲法", "第三十一条第二款", "cites")]),
        # lists abbreviated with one unit word share their words
        ("依照《甲法》第六十一条第一款第二、三项处罚。",
         [(TITLE, "《甲法》第六十一条第一款第二、三项", "甲法", "第六十一条第一款第二项", "cites"),
          (TITLE, "《甲法》第六十一条第一款第二、三项", "甲法", "第六十一条第一款第三项", "cites")]),
        # a declared short name and its later use, with and without brackets (one that differs from the title only
        # by 中华人民共和国 needs no declaration: resolution reads it the same)
        ("依照《中华人民共和国种子法》（以下简称《种子法》）执行；违反《种子法》第二十条的，依法处理。",
         [(TITLE, "《中华人民共和国种子法》（以下简称《种子法》）", "中华人民共和国种子法", None, "cites"),
          (TITLE, "《种子法》第二十条", "种子法", "第二十条", "cites")]),
        ("依照《中华人民共和国行政诉讼法》（以下简称行政诉讼法）执行；依照行政诉讼法第十二条处理。",
         [(TITLE, "《中华人民共和国行政诉讼法》（以下简称行政诉讼法）", "中华人民共和国行政诉讼法", None, "cites"),
          (SHORT, "行政诉讼法第十二条", "中华人民共和国行政诉讼法", "第十二条", "cites")]),
        # national laws written without brackets
        ("依照民事诉讼法第六十四条的规定处理。",
         [(SHORT, "民事诉讼法第六十四条", "中华人民共和国民事诉讼法", "第六十四条", "cites")]),
        ("构成犯罪的，依照刑法有关规定追究刑事责任。",
         [(SHORT, "刑法", "中华人民共和国刑法", None, "cites")]),
        ("应当认定为刑法第二百六十三条第（七）项规定的情形。",
         [(SHORT, "刑法第二百六十三条第（七）项", "中华人民共和国刑法", "第二百六十三条第七项", "cites")]),
        ("适用海事诉讼特别程序法第六条第二款（七）项的规定。",
         [(SHORT, "海事诉讼特别程序法第六条第二款（七）项", "中华人民共和国海事诉讼特别程序法", "第六条第二款第七项",
           "cites")]),
        ("依照刑法第三百零七条之一前三款处罚。",
         [(SHORT, "刑法第三百零七条之一前三款", "中华人民共和国刑法", f"第三百零七条之一第{n}款", "cites")
          for n in "一二三"]),
        # a name kb's lexicon lacks, read between a verb and its pinpoint
        ("违反道路运输条例第十条规定的，依法处理。",
         [(SHORT, "道路运输条例第十条", "道路运输条例", "第十条", "cites")]),
        # a name that is part of a longer word is not a citation
        ("由香港特别行政区基本法委员会提出意见。", []),
        # relations: repeal, amendment
        ("本条例自2020年1月1日起施行，《甲条例》同时废止。",
         [(TITLE, "《甲条例》", "甲条例", None, "repeals")]),
        ("本条例自公布之日起施行。2001年通过、根据2010年《关于修改〈甲条例〉的决定》修正的《甲条例》、《乙规定》同时废止。",
         [(TITLE, "《关于修改〈甲条例〉的决定》", "关于修改〈甲条例〉的决定", None, "cites"),
          (TITLE, "《甲条例》", "甲条例", None, "repeals"), (TITLE, "《乙规定》", "乙规定", None, "repeals")]),
        ("现决定对《甲条例》作如下修改：", [(TITLE, "《甲条例》", "甲条例", None, "amends")]),
        ("将刑法第一百四十五条修改为：",
         [(SHORT, "刑法第一百四十五条", "中华人民共和国刑法", "第一百四十五条", "amends")]),
    ],
)  # fmt: skip
def test_titles_pinpoints_and_relations(sentence: str, expected: list[tuple[str, ...]]) -> None:
    found = _found(f"第一条 {sentence}")
    assert _summary(found) == expected


INTERNAL_BODY = (
    "第一章 总则\n"
    "第一条 为了规范数据处理，制定本条例。\n"
    "第二条 有下列行为之一的，责令改正：\n"
    "（一）未登记的；\n"
    "（二）未备案的；\n"
    "（三）未公示的。\n"
    "有前款第一项、第二项行为的，处一万元罚款。\n"
    "违反前两款规定的，依照本条例第一条处理。\n"
    "第三条 违反第二条第一款规定的，依照前条处理；本条第二款另有规定的除外。\n"
    "数据处理者应当遵守本条第一款的规定。\n"
    "第四条 本条例第二条第一款第一项至第三项所列行为，由市主管部门查处。"
)


@pytest.mark.parametrize(
    ("words", "pinpoint", "target"),
    [
        ("前款第一项", "前款第一项", "chp_1__art_2__para_1__point_1"),
        ("第二项", "前款第二项", "chp_1__art_2__para_1__point_2"),
        ("前两款", "前两款", "chp_1__art_2__para_1"),
        ("前两款", "前两款", "chp_1__art_2__para_2"),
        ("本条例第一条", "第一条", "chp_1__art_1"),
        ("第二条第一款", "第二条第一款", "chp_1__art_2__para_1"),
        ("前条", "前条", "chp_1__art_2"),
        ("本条第二款", "本条第二款", "chp_1__art_3__para_2"),
        ("本条第一款", "本条第一款", "chp_1__art_3__para_1"),
        ("本条例第二条第一款第一项至第三项", "第二条第一款第一项至第三项", "chp_1__art_2__para_1__point_1"),
        ("本条例第二条第一款第一项至第三项", "第二条第一款第一项至第三项", "chp_1__art_2__para_1__point_3"),
    ],
)
def test_internal_references_resolve_in_the_document(words: str, pinpoint: str, target: str) -> None:
    found = [c for c in _found(INTERNAL_BODY) if c.kind is CitationKind.INTERNAL]
    matching = [c for c in found if c.text == words and c.pinpoint == pinpoint and c.target_clause == target]
    assert len(matching) == 1, [(c.text, c.pinpoint, c.target_clause) for c in found]
    assert matching[0].target_doc == "doc"


def test_internal_references_are_all_found_and_nothing_else() -> None:
    found = _found(INTERNAL_BODY)
    assert all(c.kind is CitationKind.INTERNAL for c in found)
    # 前款第一项 + 第二项, 前两款 (2), 本条例第一条, 第二条第一款, 前条, 本条第二款, 本条第一款, a range of three
    assert len(found) == 2 + 2 + 1 + 1 + 1 + 1 + 1 + 3


PARTS_BODY = (
    "第一章 总则\n"
    "第一条 本条例所称数据。\n"
    "第二章 保护\n"
    "第一节 一般规定\n"
    "第二条 违反本章规定的，依照本节的规定处理。\n"
    "第三条 本节所称重要数据，不含本章节以外的数据。\n"
    "第三章 附则\n"
    "第四条 本章规定之罪，依照第二条处理。"
)


def test_this_chapter_and_this_section_name_the_part_holding_the_clause() -> None:
    # regression: 本章规定 / 本节所称 with no pinpoint after them were not found at all
    found = [(c.clause_id, c.text, c.target_clause) for c in _found(PARTS_BODY) if c.pinpoint is None or
             c.pinpoint.startswith("本")]  # fmt: skip
    assert found == [
        ("chp_2__sec_1__art_2", "本章", "chp_2"),
        ("chp_2__sec_1__art_2", "本节", "chp_2__sec_1"),
        ("chp_2__sec_1__art_3", "本节", "chp_2__sec_1"),  # 本章节以外 is not a reference
        ("chp_3__art_4", "本章", "chp_3"),
    ]
    assert [c.reason for c in _found("第一条 违反本章规定的，责令改正。") if c.text == "本章"] == [
        "internal: 本章 outside such a unit"
    ]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("第一条 本条例所称数据。\n前款规定的数据，依照第五条的规定处理。", "internal: no 第五条 in this document"),
        ("第一条 依照前款规定处理。", "internal: 前款 outside a paragraph"),
        ("第一条 甲。\n乙。\n第二条 依照前条第三款处理。", "internal: no 第三款 in 第一条"),
    ],
)
def test_unresolvable_internal_references_say_why(body: str, reason: str) -> None:
    found = [c for c in _found(body) if c.target_clause is None]
    assert [c.reason for c in found] == [reason]
    assert found[0].target_doc is None


def test_bare_pinpoint_after_an_unknown_name_is_not_internal() -> None:
    # 某某办法第十条 names some other document, not article 10 of this one.
    found = _found("第一条 依照市政府另行制定的管理办法第十条执行。\n第十条 其他。")
    assert all(c.kind is not CitationKind.INTERNAL for c in found)


def test_article_number_run_into_the_text_is_not_a_reference() -> None:
    # A source lost the line break before 第三条; kb does not read it as a reference to a missing article.
    found = _found("第一条 甲。\n第二条 由有关部门和经营单第三条公安机关负责。")
    assert found == ()


def test_no_citation_from_the_title_block_repeated_in_the_body() -> None:
    history = "（2021年6月29日某市人民代表大会常务委员会通过 根据《关于修改〈测试条例〉的决定》修正）"
    body = f"测试条例\n{history}\n第一条 甲。"
    assert _found(body) == ()


def test_short_name_of_the_document_itself_is_not_a_citation() -> None:
    # 宪法 naming itself (一切违反宪法的行为) is not a reference to another document.
    found = _found("第一条 一切违反宪法和法律的行为，必须予以追究。", title="中华人民共和国宪法")
    assert found == ()


def test_amending_document_reads_bare_pinpoints_against_what_it_amends() -> None:
    body = "一、将第十条修改为：“第十条 依照本规定第五条处理。”\n二、删去第十二条。"
    found = find_citations(make_document(body, title="最高人民法院关于修改《关于甲的规定》的决定"))
    assert [(c.text, c.title, c.pinpoint, c.relation.value) for c in found] == [
        ("第十条", "关于甲的规定", "第十条", "amends"),
        ("本规定第五条", "关于甲的规定", "第五条", "cites"),
        ("第十二条", "关于甲的规定", "第十二条", "amends"),
    ]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("中华人民共和国刑法修正案（九）", "中华人民共和国刑法"),
        ("最高人民法院关于修改《关于上海金融法院案件管辖的规定》的决定", "关于上海金融法院案件管辖的规定"),
        ("最高人民法院关于修改《甲解释》等二十七件民事类司法解释的决定", "甲解释"),
        ("中华人民共和国数据安全法", None),
    ],
)
def test_amended_title(title: str, expected: str | None) -> None:
    assert amended_title(title) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [("中华人民共和国数据安全法", True), ("刑法修正案（九）", True), ("民事诉讼法（试行）", True), ("管制清单", True),
     ("人民调解委员会暂行组织通则", True), ("企业法人营业执照", False), ("人民日报", False), ("残疾人证", False)],
)  # fmt: skip
def test_is_document_title(title: str, expected: bool) -> None:
    assert is_document_title(title) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("依照《甲》和《乙〈丙〉》", [(2, 5), (6, 12)]),
        ("《甲《乙》丙》", [(0, 7)]),
        ("《未闭合。《甲》", [(5, 8)]),
        ("《》", [(0, 2)]),
    ],
)
def test_scan_titles(text: str, expected: list[tuple[int, int]]) -> None:
    assert scan_titles(text) == expected


@pytest.mark.parametrize(
    ("text", "written"),
    [("第二十一条之一第二款", "第二十一条之一第二款"), ("第21条", "第二十一条"),
     ("第十条至第十二条", "第十条至第十二条"), ("第十条第一款至第三款", "第十条第一款至第三款"),
     ("第（七）项", "第七项"), ("第十条第二款（七）项", "第十条第二款第七项")],
)  # fmt: skip
def test_pinpoints_are_stored_in_one_written_form(text: str, written: str) -> None:
    parsed = parse_pinpoint(text)
    assert parsed is not None and parsed.written() == written
    assert parse_pinpoint(written) == parsed


@pytest.mark.parametrize("text", ["第十条规定", "条例", "第十条至", ""])
def test_parse_pinpoint_refuses_other_text(text: str) -> None:
    assert parse_pinpoint(text) is None


FRAGMENTS = [
    "第一条 ", "第二条 ", "\n", "依照", "《中华人民共和国数据安全法》", "《》", "《甲〈乙〉丙》", "第十条",
    "第二款", "第三项", "至", "、", "前款", "前两款", "本条例", "本条第一款", "民事诉讼法", "刑法", "的规定",
    "。", "（一）", "；", "（以下简称《甲》）", "同时废止", "根据", "制定本条例", "第", "条", "之一",
]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=40))
def test_spans_words_and_clauses_agree(parts: list[str]) -> None:
    body = "".join(parts).strip() or "第一条 甲。"
    doc = make_document(body)
    tree = ClauseTree(doc.clauses)
    for c in find_citations(doc):
        assert 0 <= c.start < c.end <= len(body)
        assert body[c.start : c.end] == c.text
        leaf = tree.leaf_at(c.start)
        assert c.clause_id == (leaf.id if leaf else "")
        if c.target_clause is not None:
            assert c.target_doc == doc.id and c.target_clause in tree.by_id
        if c.kind is CitationKind.INTERNAL:
            assert c.title is None
        else:
            assert c.title


def test_finding_is_pure() -> None:
    doc = make_document(INTERNAL_BODY)
    assert find_citations(doc) == find_citations(doc)
    assert all(isinstance(c.relation, Relation) for c in find_citations(doc))
