"""Segmentation: clause ids, kinds and texts of both grammars, on made-up snippets and real corpus documents."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from kb.extract.markdown import extract
from kb.models import Block, Clause, ClauseKind
from kb.segment.segmenter import build_body, find_clause, heading_lines, marked_headings, segment
from tests.conftest import CORPUS, corpus_file, require_shared
from tests.factories import SAMPLE_BODY, make_clause, make_document


def _ids(body: str, headings: frozenset[int] | None = None) -> list[str]:
    return [c.id for c in segment("doc", body, headings).clauses]


def _clause(body: str, clause_id: str) -> Clause:
    return next(c for c in segment("doc", body).clauses if c.id == clause_id)


# --- legislation grammar on snippets -------------------------------------------------------------------------------

LEGISLATION = (
    "第一章  总  则\n"
    "第一条 为了规范数据处理活动，制定本条例。\n"
    "第二条 本条例中下列用语的含义：\n"
    "（一）数据，是指任何以电子方式对信息的记录，包括：\n"
    "1.电子数据；\n"
    "（二）处理，是指数据的收集、存储、使用。\n"
    "前款所称处理，不包括个人处理。\n"
    "第二条之一 公共数据按照规定共享。\n"
    "第二章 附则\n"
    "第三条 本条例自公布之日起施行。"
)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            LEGISLATION,
            [
                "chp_1",
                "chp_1__art_1",
                "chp_1__art_2",
                "chp_1__art_2__para_1",
                "chp_1__art_2__para_1__point_1",
                "chp_1__art_2__para_1__point_1__subpoint_1",
                "chp_1__art_2__para_1__point_2",
                "chp_1__art_2__para_2",
                "chp_1__art_2_1",
                "chp_2",
                "chp_2__art_3",
            ],
        ),
        # 编 / 分编 / 节 nest; a 节 closes at the next 章.
        (
            "第一编 总则\n第一分编 通则\n第一章 一般规定\n第一节 原则\n第一条 甲。\n第二章 合同\n第二条 乙。",
            [
                "part_1",
                "part_1__subpart_1",
                "part_1__subpart_1__chp_1",
                "part_1__subpart_1__chp_1__sec_1",
                "part_1__subpart_1__chp_1__sec_1__art_1",
                "part_1__subpart_1__chp_2",
                "part_1__subpart_1__chp_2__art_2",
            ],
        ),
        # Text before the structure is the preamble.
        ("某某条例\n（2020年通过）\n第一条 甲。\n第二条 乙。", ["preamble", "art_1", "art_2"]),
        # A 目录 never yields duplicate chapters.
        (
            "目录\n第一章 总则\n第二章 附则\n第一章 总则\n第一条 甲。\n第二章 附则\n第二条 乙。",
            ["toc", "chp_1", "chp_1__art_1", "chp_2", "chp_2__art_2"],
        ),
        # ... nor does an unmarked one (chapter headings that repeat before any article).
        (
            "某某条例\n第一章 总则\n第二章 附则\n第一章 总则\n第一条 甲。\n第二章 附则\n第二条 乙。",
            ["preamble", "toc", "chp_1", "chp_1__art_1", "chp_2", "chp_2__art_2"],
        ),
        # 附则 without a number, and 一、 group headings between articles (司法解释).
        (
            "第一章 总则\n第一条 甲。\n附则\n第二条 乙。",
            ["chp_1", "chp_1__art_1", "chp_u1", "chp_u1__art_2"],
        ),
        (
            "一、一般规定\n第一条 甲。\n第二条 乙。\n二、附则\n第三条 丙。",
            ["div_1", "div_1__art_1", "div_1__art_2", "div_2", "div_2__art_3"],
        ),
        # An attachment after the last article.
        (
            "第一条 甲。\n第二条 乙。\n附件\n收费标准表\n一、诉讼费\n二、执行费",
            ["art_1", "art_2", "att_1", "att_1__div_1", "att_1__div_2"],
        ),
        # "1.  总 则" that Word numbering left for 第一章 (when the extractor has not restored it).
        (
            "1.  总 则\n第一条 甲。\n第二章 附则\n第二条 乙。",
            ["chp_1", "chp_1__art_1", "chp_2", "chp_2__art_2"],
        ),
        # 序言 of a constitution is the preamble.
        ("序言\n中国是世界上历史最悠久的国家之一。\n第一章 总纲\n第一条 甲。", ["preamble", "chp_1", "chp_1__art_1"]),
    ],
)
def test_legislation_clause_ids(body: str, expected: list[str]) -> None:
    assert _ids(body) == expected


@pytest.mark.parametrize(
    ("body", "articles"),
    [
        # A line opening with a cross-reference continues the article.
        (
            "第五条 有下列情形之一的，依照本条例处理：\n第三条规定的情形；\n第四条第二款所列情形；\n"
            "第三条、第四条的规定不适用于个人。\n第八条至第十条另有规定的除外。\n第六条 乙。",
            ["第五条", "第六条"],
        ),
        # A number run into its text is an article when it is the next in sequence ...
        ("第一条为了规范数据处理活动，制定本条例。\n第二条本条例适用于本市。", ["第一条", "第二条"]),
        # ... and a reference when it is not.
        ("第一条 甲。\n第二条 乙。\n第九条规定的期限届满的，不再办理。", ["第一条", "第二条"]),
        # A missing number (重庆市数据条例 has no 第六条 line): the next numbers still read.
        ("第五条 甲。\n行业组织应当依法开展活动。\n第七条开展数据处理活动，应当遵守法律。", ["第五条", "第七条"]),
        # 第X条之一 after its article.
        (
            "第二十条 甲。\n第二十条之一 乙。\n第二十条之二 丙。\n第二十一条 丁。",
            ["第二十条", "第二十条之一", "第二十条之二", "第二十一条"],
        ),
        # Spaces inside a number and a full-width space after it.
        ("第 一 条　甲。\n第二条\u3000乙。", ["第一条", "第二条"]),
    ],
)
def test_article_numbers(body: str, articles: list[str]) -> None:
    found = [c.number for c in segment("doc", body).clauses if c.kind == ClauseKind.ARTICLE]
    assert found == articles


def test_article_text_holds_its_paragraphs_and_points() -> None:
    article = _clause(LEGISLATION, "chp_1__art_2")
    assert article.text == (
        "第二条 本条例中下列用语的含义：\n（一）数据，是指任何以电子方式对信息的记录，包括：\n1.电子数据；\n"
        "（二）处理，是指数据的收集、存储、使用。\n前款所称处理，不包括个人处理。"
    )
    assert (article.number, article.ordinal, article.sub) == ("第二条", 2, None)
    assert _clause(LEGISLATION, "chp_1__art_2_1").sub == 1
    assert _clause(LEGISLATION, "chp_1__art_2__para_2").text == "前款所称处理，不包括个人处理。"
    assert _clause(LEGISLATION, "chp_1__art_2__para_1__point_2").number == "（二）"


def test_chapter_heading_words_drop_odd_spacing() -> None:
    chapter = _clause(LEGISLATION, "chp_1")
    assert (chapter.number, chapter.heading, chapter.ordinal) == ("第一章", "总则", 1)


def test_article_number_alone_on_its_line_keeps_its_text() -> None:
    body = "第一条\n为了促进大数据发展，制定本条例。\n第二条 本条例适用于本省。"
    clauses = segment("doc", body).clauses
    assert [c.id for c in clauses] == ["art_1", "art_2"]
    assert clauses[0].text == "第一条\n为了促进大数据发展，制定本条例。"


def test_a_cover_order_then_its_regulation_is_one_legislation_text() -> None:
    body = (
        "中华人民共和国国务院令\n第707号\n现公布修订后的《某某条例》，自2019年1月1日起施行。\n总理　　李克强\n"
        "2018年12月18日\n某某条例\n第一条 为了规范管理，制定本条例。\n第二条 本条例自公布之日起施行。"
    )
    result = segment("doc", body)
    assert result.grammar == "legislation"
    assert [c.id for c in result.clauses] == ["preamble", "art_1", "art_2"]


# --- headings the source marks ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headings", "expected"),
    [
        (None, ["chp_1", "chp_1__art_1", "chp_u1", "chp_u1__art_2"]),  # by shape: 附则 is a heading
        (frozenset({0}), ["chp_1", "chp_1__art_1", "chp_1__art_1__para_1", "chp_1__art_1__para_2", "chp_1__art_2"]),
        (frozenset({0, 2}), ["chp_1", "chp_1__art_1", "chp_u1", "chp_u1__art_2"]),
    ],
)
def test_marked_headings_decide_where_an_article_ends(headings: frozenset[int] | None, expected: list[str]) -> None:
    assert _ids("第一章 总则\n第一条 甲。\n附则\n第二条 乙。", headings) == expected


def test_heading_lines_follow_build_body() -> None:
    blocks = [
        Block("第一章 总则", kind="heading", level=1),
        Block("第一条 甲。"),
        Block("  "),
        Block("附则", "heading"),
    ]
    assert build_body(blocks) == "第一章 总则\n第一条 甲。\n附则"
    assert heading_lines(blocks) == frozenset({0, 2})


def test_build_body_strips_line_ends_and_drops_empty_blocks() -> None:
    assert build_body([Block("甲  "), Block(""), Block("乙\n\n丙\t")]) == "甲\n乙\n丙"


# --- policy grammar on snippets -----------------------------------------------------------------------------------

POLICY = (
    "国务院办公厅关于某事的意见\n"
    "国办发〔2019〕4号\n"
    "各省、自治区、直辖市人民政府：\n"
    "为进一步深化改革，现提出以下意见。\n"
    "一、总体要求\n"
    "（一）指导思想。以新时代思想为指导。\n"
    "1.坚持公益性。\n"
    "（1）提高效率。\n"
    "（二）基本原则。\n"
    "坚持属地化管理。\n"
    "二、主要任务\n"
    "加强组织领导。\n"
    "附件：任务分工表\n"
    "国务院办公厅\n"
    "2019年1月16日\n"
    "（此件公开发布）\n"
    "附件\n"
    "任务分工表\n"
    "一、医疗质量\n"
    "二、运营效率"
)


def test_policy_clause_ids() -> None:
    result = segment("doc", POLICY)
    assert result.grammar == "policy"
    assert [c.id for c in result.clauses] == [
        "preamble",
        "div_1",
        "div_1__subdiv_1",
        "div_1__subdiv_1__item_1",
        "div_1__subdiv_1__item_1__subitem_1",
        "div_1__subdiv_2",
        "div_2",
        "closing",
        "att_1",
        "att_1__div_1",
        "att_1__div_2",
    ]


@pytest.mark.parametrize(
    ("clause_id", "number", "heading", "text"),
    [
        ("div_1", "一、", "总体要求", None),
        (
            "div_1__subdiv_1",
            "（一）",
            "指导思想",
            "（一）指导思想。以新时代思想为指导。\n1.坚持公益性。\n（1）提高效率。",
        ),
        ("div_1__subdiv_2", "（二）", "基本原则", "（二）基本原则。\n坚持属地化管理。"),
        ("closing", None, None, "附件：任务分工表\n国务院办公厅\n2019年1月16日\n（此件公开发布）"),
    ],
)
def test_policy_clauses(clause_id: str, number: str | None, heading: str | None, text: str | None) -> None:
    clause = next(c for c in segment("doc", POLICY).clauses if c.id == clause_id)
    assert (clause.number, clause.heading) == (number, heading)
    if text is not None:
        assert clause.text == text


def test_policy_attachment_is_numbered_as_written() -> None:
    clauses = segment("doc", POLICY).clauses
    attachment = next(c for c in clauses if c.kind == ClauseKind.ATTACHMENT)
    assert attachment.text.startswith("附件\n任务分工表\n一、医疗质量")
    assert attachment.number == "附件"
    assert [c.parent for c in clauses if c.depth == 1 and c.id.startswith(attachment.id)] == [attachment.id] * 2


def test_text_without_structure_is_preamble_and_closing() -> None:
    body = "你省《关于申办运动会的请示》收悉。经国务院批准，同意。\n国务院办公厅\n二〇〇四年四月二十七日"
    result = segment("doc", body)
    assert result.grammar is None
    assert [(c.id, c.text) for c in result.clauses] == [
        ("preamble", "你省《关于申办运动会的请示》收悉。经国务院批准，同意。"),
        ("closing", "国务院办公厅\n二〇〇四年四月二十七日"),
    ]


@pytest.mark.parametrize("body", ["", "\n", "   \n\u3000"])
def test_blank_body_has_no_clauses(body: str) -> None:
    assert segment("doc", body).clauses == ()


# --- finding clauses ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("chp_1__art_2", "chp_1__art_2"),
        ("art_2", "chp_1__art_2"),
        ("art_2__para_2", "chp_1__art_2__para_2"),
        ("art_2_1", "chp_1__art_2_1"),
        ("第二条", "chp_1__art_2"),
        ("第二条第二款", "chp_1__art_2__para_2"),
        ("第二条第一项", "chp_1__art_2__para_1__point_1"),
        ("第二条第一款第二项", "chp_1__art_2__para_1__point_2"),
        ("第二条之一", "chp_1__art_2_1"),
        ("第一条第一款", "chp_1__art_1"),  # a one-paragraph article is its own first paragraph
        ("第 二 条", "chp_1__art_2"),
        ("第2条", "chp_1__art_2"),
        ("第二章", "chp_2"),
        ("第二章第三条", "chp_2__art_3"),
        ("第九条", None),
        ("第一条第二款", None),
        ("art_9", None),
        ("总则", None),
        ("", None),
    ],
)
def test_find_clause(ref: str, expected: str | None) -> None:
    found = find_clause(segment("doc", LEGISLATION).clauses, ref)
    assert (found.id if found else None) == expected


def test_factory_sample_body_segments() -> None:
    assert _ids(SAMPLE_BODY) == [
        "chp_1",
        "chp_1__art_1",
        "chp_1__art_2",
        "chp_1__art_2__para_1",
        "chp_1__art_2__para_1__point_1",
        "chp_1__art_2__para_2",
        "chp_2",
        "chp_2__art_3",
    ]


# --- real documents -----------------------------------------------------------------------------------------------

# The source's own article marks (DATA.md): after <!-- INFO END -->, a paragraph opening with 第X条 opens an article
# and the paragraphs after it up to the next article or # heading are its text.
GOLD_ARTICLE = re.compile(r"^第[零〇一二两三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?")


def gold_articles(path: Path) -> list[tuple[str, str]]:
    lines = path.read_text(encoding="utf-8").split("\n")
    start = lines.index("<!-- INFO END -->") + 1
    articles: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    for line in (line.strip() for line in lines[start:]):
        if not line:
            continue
        if line.startswith("#"):
            current = None
        elif m := GOLD_ARTICLE.match(line):
            current = [line]
            articles.append((m.group(0), current))
        elif current is not None:
            current.append(line)
    return [(number, "\n".join(texts)) for number, texts in articles]


def read(path: Path) -> tuple[str, list[Clause]]:
    extracted = extract(path.read_bytes(), str(path))
    body = build_body(extracted.blocks)
    return body, list(segment("doc", body, marked_headings(extracted)).clauses)


SHENZHEN = "DLC/广东地方法规/地方性法规/广东/深圳经济特区数据条例(2021-07-06).md"
DATA_SECURITY = "行政法/数据安全法(2021-06-10).md"
CRIMINAL_LAW = "刑法/刑法.md"
ONE_NET = (
    "DLC/上海地方法规/地方性法规/上海/"
    + "上海市人民代表大会常务委员会关于进一步促进和保障“一网通办”改革的决定(2021-06-23).md"
)


@pytest.mark.parametrize(
    ("relative", "articles", "chapters"),
    [
        (SHENZHEN, 100, 7),
        (DATA_SECURITY, 55, 7),
        (CRIMINAL_LAW, 505, 15),
        (ONE_NET, 0, 0),
    ],
)
def test_real_article_lists_match_the_source(relative: str, articles: int, chapters: int) -> None:
    path = corpus_file(relative)
    _, clauses = read(path)
    found = [(c.number, c.text) for c in clauses if c.kind == ClauseKind.ARTICLE]
    assert len(found) == articles
    assert sum(c.kind == ClauseKind.CHAPTER for c in clauses) == chapters
    assert [(n, "".join(t.split())) for n, t in found] == [(n, "".join(t.split())) for n, t in gold_articles(path)]


def test_shenzhen_article_21_is_its_source_text() -> None:
    path = corpus_file(SHENZHEN)
    _, clauses = read(path)
    article = find_clause(clauses, "第二十一条")
    assert article is not None and article.id == "chp_2__sec_2__art_21"
    assert article.text == dict(gold_articles(path))["第二十一条"]
    assert article.text.startswith("第二十一条 处理个人数据有下列情形之一的，可以在处理前不征得自然人的同意：\n（一）")
    assert article.text.endswith("（六）法律、行政法规规定的其他情形。")
    assert [c.id for c in clauses if c.parent == article.id + "__para_1"][-1] == "chp_2__sec_2__art_21__para_1__point_6"


def test_data_security_law_article_21_paragraph_2() -> None:
    _, clauses = read(corpus_file(DATA_SECURITY))
    paragraph = find_clause(clauses, "第二十一条第二款")
    assert paragraph is not None and paragraph.id == "chp_3__art_21__para_2"
    assert paragraph.text.startswith("关系国家安全、国民经济命脉、重要民生、重大公共利益等数据属于国家核心数据")


def test_criminal_law_zhi_yi_articles_and_its_unnumbered_supplementary_part() -> None:
    _, clauses = read(corpus_file(CRIMINAL_LAW))
    article = find_clause(clauses, "第一百二十条之一")
    assert article is not None and article.id == "part_2__chp_2__art_120_1"
    assert (article.ordinal, article.sub) == (120, 1)
    assert find_clause(clauses, "art_133_1__para_1__point_2") == find_clause(clauses, "第一百三十三条之一第一款第二项")
    top = [(c.id, c.heading) for c in clauses if c.depth == 0]
    assert top[:3] == [("part_1", "总则"), ("part_2", "分则"), ("part_u1", "附则")]


def test_decision_numbered_with_divisions() -> None:
    _, clauses = read(corpus_file(ONE_NET))
    top = [c for c in clauses if c.depth == 0]
    assert [c.id for c in top] == ["preamble"] + [f"div_{n}" for n in range(1, 17)]
    assert top[-1].text.endswith("本决定自2021年7月1日起施行。")


PROVINCIAL = CORPUS / "provincial"


@pytest.mark.parametrize(
    ("relative", "articles", "top"),
    [
        # A 目录 before the text: chapters appear once, after the toc.
        ("四川省/四川省数据条例.md", 70, ["toc"] + [f"chp_{n}" for n in range(1, 9)]),
        # "1.  总 则" is chapter 1 (Word numbering); 第二章 onwards are as written.
        ("贵州省/贵州省大数据发展应用促进条例.md", 39, [f"chp_{n}" for n in range(1, 7)]),
        # [第一条\n…]{.mark} spans and article numbers alone on their lines.
        ("福建省/福建省大数据发展条例.md", 50, ["toc"] + [f"chp_{n}" for n in range(1, 9)]),
        ("山西省/山西省大数据发展应用促进条例.md", 34, [f"art_{n}" for n in range(1, 35)]),
        # No 第六条 line in the source: 59 articles numbered up to 第六十条.
        ("重庆市/重庆市数据条例.md", 59, ["toc"] + [f"chp_{n}" for n in range(1, 9)]),
    ],
)
def test_provincial_regulations(relative: str, articles: int, top: list[str]) -> None:
    path = require_shared(PROVINCIAL / relative)
    _, clauses = read(path)
    found = [c for c in clauses if c.kind == ClauseKind.ARTICLE]
    assert len(found) == articles
    assert [c.id for c in clauses if c.depth == 0] == top
    assert "— " not in found[-1].text and "PAGE" not in found[-1].text


def test_chongqing_missing_article_number_is_reported_and_its_text_kept() -> None:
    path = require_shared(PROVINCIAL / "重庆市/重庆市数据条例.md")
    extracted = extract(path.read_bytes(), str(path))
    result = segment("doc", build_body(extracted.blocks), marked_headings(extracted))
    assert find_clause(result.clauses, "第六条") is None
    fifth = find_clause(result.clauses, "第五条")
    assert fifth is not None and fifth.text.split("\n")[-1].startswith("行业组织应当按照章程")
    assert any("第七条" in w for w in result.warnings)


GOVCN = CORPUS / "govcn"


@pytest.mark.parametrize(
    ("number", "divisions", "subdivisions", "closing"),
    [
        ("1", 4, 10, "国务院\n2019年1月27日\n（此件公开发布）"),
        ("2", 8, 27, "国务院办公厅\n2019年1月22日\n（此件公开发布）"),
        ("14", 14, 0, "国务院\n2018年12月25日\n（此件公开发布）"),
        ("40", 2, 0, "国务院\n一九八一年五月二十三日"),
    ],
)
def test_govcn_policy_documents(number: str, divisions: int, subdivisions: int, closing: str) -> None:
    gold = json.loads(require_shared(GOVCN / f"{number}.gold.json").read_text(encoding="utf-8"))
    result = segment("doc", build_body([Block(line) for line in gold["text"].split("\n")]))
    kinds = Counter(c.kind for c in result.clauses)
    assert result.grammar == "policy"
    assert (kinds[ClauseKind.DIVISION], kinds[ClauseKind.SUBDIVISION]) == (divisions, subdivisions)
    assert [c.text for c in result.clauses if c.kind == ClauseKind.CLOSING] == [closing]
    assert result.clauses[0].id == "preamble" and result.clauses[0].text.startswith(gold["title"][:6])


def test_govcn_notice_with_attachment_list_and_attachment() -> None:
    gold = json.loads(require_shared(GOVCN / "4.gold.json").read_text(encoding="utf-8"))
    clauses = segment("doc", build_body([Block(line) for line in gold["text"].split("\n")])).clauses
    top = [c for c in clauses if c.depth == 0]
    assert [c.kind for c in top] == [ClauseKind.PREAMBLE] + [ClauseKind.DIVISION] * 5 + [
        ClauseKind.CLOSING,
        ClauseKind.ATTACHMENT,
    ]
    assert top[-2].text.startswith("附件：三级公立医院绩效考核指标\n国务院办公厅\n2019年1月16日")
    assert top[-1].text.startswith("附件\n三级公立医院绩效考核指标")


def test_govcn_order_publishing_a_regulation_reads_as_legislation() -> None:
    gold = json.loads(require_shared(GOVCN / "33.gold.json").read_text(encoding="utf-8"))
    result = segment("doc", build_body([Block(line) for line in gold["text"].split("\n")]))
    assert result.grammar == "legislation"
    assert result.clauses[0].id == "preamble" and "总理" in result.clauses[0].text
    assert result.clauses[1].id == "art_1"


def test_govcn_two_texts_published_together_are_kept_apart() -> None:
    gold = json.loads(require_shared(GOVCN / "18.gold.json").read_text(encoding="utf-8"))
    clauses = segment("doc", build_body([Block(line) for line in gold["text"].split("\n")])).clauses
    top = [c for c in clauses if c.depth == 0]
    assert [c.id for c in top] == ["preamble"] + [f"div_{n}" for n in range(1, 10)] + ["att_1"]
    assert top[-1].heading == "进一步支持文化企业发展的规定"
    assert [c.id for c in clauses if c.parent == "att_1"][:2] == ["att_1__div_1", "att_1__div_2"]
    assert not top[-2].text.endswith("进一步支持文化企业发展的规定")


@pytest.mark.parametrize(
    ("tail", "number", "heading"),
    [
        ("附件\n收费标准表\n一、诉讼费", "附件", "收费标准表"),
        ("附件2：重点任务分工表\n一、诉讼费", "附件2", "重点任务分工表"),
        ("附表一\n一、第一类污染物", "附表一", None),
    ],
)
def test_attachment_number_and_title(tail: str, number: str, heading: str | None) -> None:
    clauses = segment("doc", "第一条 甲。\n第二条 乙。\n" + tail).clauses
    attachment = next(c for c in clauses if c.kind == ClauseKind.ATTACHMENT)
    assert (attachment.number, attachment.heading) == (number, heading)


@pytest.mark.parametrize(
    ("clause_id", "kind", "parent", "depth"),
    [
        ("art_1", ClauseKind.ARTICLE, None, 0),
        ("chp_3__art_21__para_2", ClauseKind.PARAGRAPH, "chp_3__art_21", 2),
        ("div_1__subdiv_2", ClauseKind.SUBDIVISION, "div_1", 1),
        ("att_1", ClauseKind.ATTACHMENT, None, 0),
    ],
)
def test_make_clause_follows_its_id(clause_id: str, kind: ClauseKind, parent: str | None, depth: int) -> None:
    clause = make_clause(clause_id, text="甲乙", start=3)
    assert (clause.kind, clause.parent, clause.depth, clause.end, clause.own_end) == (kind, parent, depth, 5, 5)


def test_make_document_segments_its_body() -> None:
    document = make_document()
    assert document.grammar == "legislation"
    assert find_clause(document.clauses, "第二条第二款") is not None
    assert document.body[slice(*_span(document.clauses, "chp_2__art_3"))] == "第三条 本条例自公布之日起施行。"


def _span(clauses: tuple[Clause, ...], clause_id: str) -> tuple[int, int]:
    clause = next(c for c in clauses if c.id == clause_id)
    return clause.start, clause.end
