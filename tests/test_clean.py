"""kb.normalize.clean: widths, spaces, page numbers, headings, header lines, wraps, tables of contents, decoding."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kb.errors import DecodeError
from kb.normalize.clean import (
    clean_line,
    collapse_cjk_spaces,
    fold_width,
    header_line,
    heading_levels,
    is_page_number_line,
    leading_header_lines,
    normalize_spaces,
    rejoin_wrapped_lines,
    squeeze,
    structural_kind,
    toc_span,
)
from kb.normalize.decode import decode_bytes, describe_bad_bytes, looks_binary, rare_share
from tests.conftest import BAD, FORMATS, require_shared


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("２０２１年６月１０日", "2021年6月10日"),
        ("ＡＢＣ公司ｘｙｚ", "ABC公司xyz"),
        ("第一条（一）、：；《》", "第一条（一）、：；《》"),  # Chinese punctuation stays as published
        ("国办发〔２０１８〕１２４号", "国办发〔2018〕124号"),
    ],
)
def test_fold_width(text: str, expected: str) -> None:
    assert fold_width(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("总理\u00a0\u00a0李克强", "总理  李克强"),
        ("数据\u200b安全", "数据安全"),
        ("第一章\u3000总则", "第一章\u3000总则"),  # the ideographic space is text
        ("\ufeff标题", "标题"),
    ],
)
def test_normalize_spaces(text: str, expected: str) -> None:
    assert normalize_spaces(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("几 个 问 题 的 通 知", "几个问题的通知"),
        ("数 据\u3000安全", "数据安全"),
        ("ISO 9001 认证", "ISO 9001 认证"),  # spaces next to Latin text are words' spaces
        ("第一条 为了", "第一条为了"),
    ],
)
def test_collapse_cjk_spaces(text: str, expected: str) -> None:
    assert collapse_cjk_spaces(text) == expected


def test_clean_line_strips_indentation_of_every_kind() -> None:
    assert clean_line("\u3000\u3000\u00a0 第一条　为了２０２１年 \t") == "第一条　为了２０２１年"


@pytest.mark.parametrize(
    "line",
    ["— 3 —", "- 3 -", "－12－", "─ 7 ─", "第3页", "第 3 页 共 14 页", "共14页 第3页", "3/14", "3 / 14", "12", "Page 3",
     "Page 3 of 14", "  — １７ —  "],
)  # fmt: skip
def test_page_number_lines(line: str) -> None:
    assert is_page_number_line(line)


@pytest.mark.parametrize(
    "line",
    ["第三条", "2021年", "一、总则", "第3页的内容如下：", "12345", "— 三 — 条", "（3）", "3.", "附件3"],
)
def test_not_page_number_lines(line: str) -> None:
    assert not is_page_number_line(line)


@given(st.integers(min_value=1, max_value=9999))
def test_every_page_number_form_is_recognised(number: int) -> None:
    for form in (f"— {number} —", f"- {number} -", f"第{number}页", f"{number}/{min(number + 3, 9999)}", str(number)):
        assert is_page_number_line(form), form


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("第一章　总则", "章"),
        ("第一章  总  则", "章"),
        ("第三节 数据安全", "节"),
        ("第二编 物权", "编"),
        ("第二分编 合同", "分编"),
        ("第三章  审议工作报告、地方性法规案和议案", "章"),  # a 、 may sit in a heading's name
        ("第十章", "章"),
        ("第三节规定的情形，应当报告。", None),  # a sentence, not a heading
        ("第一条 为了规范数据处理活动", None),
        ("第一章 总则。", None),
    ],
)
def test_structural_kind(text: str, kind: str | None) -> None:
    assert structural_kind(text) == kind


def test_heading_levels_rank_the_kinds_a_document_uses() -> None:
    assert heading_levels(["章", "节", "章"]) == {"章": 1, "节": 2}
    assert heading_levels(["编", "章", "节"]) == {"编": 1, "章": 2, "节": 3}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("（2003年7月18日北京市第十二届人民代表大会常务委员会第五次会议通过）",
         "2003年7月18日 北京市第十二届人民代表大会常务委员会第五次会议通过"),
        ("（2018年11月23日 北京市第十五届人民代表大会常务委员会第九次会议通过））",
         "2018年11月23日 北京市第十五届人民代表大会常务委员会第九次会议通过）"),  # the source's doubled bracket
        ("2011年9月1日 施行", "2011年9月1日 施行"),
        ("（2013年10月1日施行）", "2013年10月1日 施行"),
        ("（〈中华人民共和国计量法〉的决定》第四次修正）", "〈中华人民共和国计量法〉的决定》第四次修正"),
        ("（二〇〇四年八月十二日通过）", "二〇〇四年八月十二日 通过"),
        ("第一条 本条例自2021年9月1日起施行。", None),
        ("（一）依照本法规定修正）", None),
        ("上海市数据条例", None),
    ],
)  # fmt: skip
def test_header_line(text: str, expected: str | None) -> None:
    assert header_line(text) == expected


def test_leading_header_lines_skip_blank_lines_and_stop_at_the_body() -> None:
    lines = ["（2021年1月1日通过）", "", "2021年2月1日 施行", "第一条 为了"]
    assert leading_header_lines(lines) == (["2021年1月1日 通过", "2021年2月1日 施行"], 3)


@pytest.mark.parametrize(
    ("lines", "span"),
    [
        (["目　　录", "第一章  总则", "第二章  殡葬", "", "第一章  总则", "第一条 为了"], (0, 4)),
        (["目录", "第一章 总则……1", "第二章 管理 ....... 5", "第一章 总则", "第一条"], (0, 3)),
        (["第一章 总则", "第一条 为了"], None),
        (["目录", "第一条 为了"], None),  # a 目录 line with no entries is no table of contents
    ],
)
def test_toc_span(lines: list[str], span: tuple[int, int] | None) -> None:
    assert toc_span(lines) == span


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        # indented paragraphs: an unindented line continues, even after a sentence end at the wrap
        (["\u3000\u3000第一条 为了加强数字基础设施建设，培育数据要素市场，推进数字产业",
          "化和产业数字化，制定本条例。",
          "\u3000\u3000第二条 本市行政区域内适用本条例。"],
         ["第一条 为了加强数字基础设施建设，培育数据要素市场，推进数字产业化和产业数字化，制定本条例。",
          "第二条 本市行政区域内适用本条例。"]),
        # a line starting with punctuation always continues
        (["\u3000\u3000为加强管理，根据国家有关规定，结合本省实际情况，制定本条例", "。", "\u3000\u3000第二条 施行。"],
         ["为加强管理，根据国家有关规定，结合本省实际情况，制定本条例。", "第二条 施行。"]),
        # a heading between indented paragraphs stands alone
        (["\u3000\u3000第八条 本市推进京津冀区域数字经济融合发展。", "第二章 数字基础设施",
          "\u3000\u3000第九条 市人民政府应当加快建设。"],
         ["第八条 本市推进京津冀区域数字经济融合发展。", "第二章 数字基础设施", "第九条 市人民政府应当加快建设。"]),
        # no indentation: a full line without a sentence end continues; a short one ends its paragraph
        (["第一条 为了规范数据处理活动，保障数据安全，促进数据开发利用，保护个人、组织的合",
          "法权益，制定本法。",
          "第二条 在中华人民共和国境内开展数据处理活动，适用本法。",
          "第一章 总则",
          "一、总体要求"],
         ["第一条 为了规范数据处理活动，保障数据安全，促进数据开发利用，保护个人、组织的合法权益，制定本法。",
          "第二条 在中华人民共和国境内开展数据处理活动，适用本法。",
          "第一章 总则",
          "一、总体要求"]),
        # no indentation: a full line followed by an article start does not swallow it
        (["第一条 为了规范数据处理活动，保障数据安全，促进数据开发利用，保护个人、组织的合",
          "第二条 在中华人民共和国境内开展数据处理活动及其安全监管，适用本法规定的规则"],
         ["第一条 为了规范数据处理活动，保障数据安全，促进数据开发利用，保护个人、组织的合",
          "第二条 在中华人民共和国境内开展数据处理活动及其安全监管，适用本法规定的规则"]),
        # indented paragraphs: unindented closing lines after a short sentence end stand alone
        (["\u3000\u3000各地区、各部门要结合实际认真贯彻落实，确保各项措施落到实处，取",
          "得实效。",
          "\u3000\u3000二、加强组织领导。",
          "\u3000\u3000三、抓好落实。",
          "国务院",
          "2019年1月27日"],
         ["各地区、各部门要结合实际认真贯彻落实，确保各项措施落到实处，取得实效。", "二、加强组织领导。",
          "三、抓好落实。", "国务院", "2019年1月27日"]),
        # ... but a full line that happens to end a sentence is continued by the next unindented line
        (["\u3000\u3000第五条 市经济和信息化部门负责具体组织协调指导全市工作。区经济",
          "和信息化部门负责本行政区域数字经济促进工作，并做好相关促进工作。",
          "相关部门按照职责分工做好工作。",
          "\u3000\u3000第六条 施行。",
          "\u3000\u3000第七条 施行。"],
         ["第五条 市经济和信息化部门负责具体组织协调指导全市工作。区经济和信息化部门负责本行政区域数字经济促进工作，"
          "并做好相关促进工作。相关部门按照职责分工做好工作。",
          "第六条 施行。",
          "第七条 施行。"]),
        # no indentation: "第二条规定的…" after a full unended line is the sentence running on, not an article
        (["第二条 本办法所称的归侨和侨眷，依照《中华人民共和国归侨侨眷权益保护法》",
          "第二条规定的范围确定。",
          "第三条 本办法自公布之日起施行。"],
         ["第二条 本办法所称的归侨和侨眷，依照《中华人民共和国归侨侨眷权益保护法》第二条规定的范围确定。",
          "第三条 本办法自公布之日起施行。"]),
        # a blank line ends a paragraph; Latin words wrapped keep their space
        (["适用 ISO", "9001 标准", "", "第二段"], ["适用 ISO 9001 标准", "第二段"]),
    ],
)  # fmt: skip
def test_rejoin_wrapped_lines(lines: list[str], expected: list[str]) -> None:
    assert rejoin_wrapped_lines(lines) == expected


@given(st.lists(st.text(alphabet="第一条二三，。、：数据安全法　 \t（）1.", max_size=40), max_size=30))
def test_rejoining_keeps_every_character_in_order(lines: list[str]) -> None:
    out = rejoin_wrapped_lines(lines)
    assert squeeze("".join(out)) == squeeze("".join(clean_line(line) for line in lines))
    assert all(paragraph == paragraph.strip() and paragraph for paragraph in out)


def test_rejoin_on_a_real_hard_wrapped_text_gives_the_gold_paragraphs() -> None:
    import json

    path = require_shared(FORMATS / "9c90c63a13.txt")
    gold = json.loads(path.with_suffix(".gold.json").read_text())
    lines = path.read_bytes().decode("gb18030").splitlines()
    paragraphs = rejoin_wrapped_lines(lines[4:])  # after the title, a blank line and the header line
    assert [squeeze(p) for p in paragraphs] == [squeeze(block["text"]) for block in gold["blocks"]]


@pytest.mark.parametrize(
    ("data", "encoding", "text"),
    [
        ("第一条 数据".encode(), "utf-8", "第一条 数据"),
        (b"\xef\xbb\xbf" + "第一条".encode(), "utf-8", "第一条"),
        ("第一条 数据".encode("gb18030"), "gb18030", "第一条 数据"),
        ("\ufeff第一条".encode("utf-16-le"), "utf-16-le", "第一条"),
        ("中華人民共和國個人資料保護法，這是繁體中文的測試文字。".encode("big5") * 3, "big5", "中華人民共和國"),
    ],
)
def test_decode_bytes(data: bytes, encoding: str, text: str) -> None:
    decoded = decode_bytes(data, "x.txt")
    assert decoded.encoding == encoding
    assert decoded.text.startswith(text)
    assert decoded.bad_offsets == ()


def test_declared_gbk_reads_as_gb18030() -> None:
    decoded = decode_bytes("朱镕基".encode("gb18030"), "x.html", declared="gb2312")
    assert (decoded.encoding, decoded.text) == ("gb18030", "朱镕基")


def test_bad_bytes_are_replaced_and_the_next_clause_survives() -> None:
    data = require_shared(BAD / "bad_bytes.txt").read_bytes()
    decoded = decode_bytes(data, "bad_bytes.txt")
    assert decoded.bad_offsets == (44, 45, 46)
    assert "\ufffd\ufffd\ufffd第二条\u3000本条例自公布之日起施行。" in decoded.text
    assert "第一条\u3000为了规范数据处理活动，制定本条例。" in decoded.text
    warning = describe_bad_bytes("bad_bytes.txt", decoded)
    assert warning is not None and warning.startswith("bad_bytes.txt: 3 invalid bytes at offset 44-46")


def test_a_bad_byte_before_an_article_does_not_garble_it() -> None:
    # 0x81 is a valid GB18030 lead byte: read naively it pairs with the first byte of 第 and garbles the clause
    data = "第一条 甲。\n".encode("gb18030") + b"\x81" + "第二条 乙。".encode("gb18030")
    decoded = decode_bytes(data, "x.txt")
    assert decoded.text.endswith("\n\ufffd第二条 乙。")
    assert decoded.bad_offsets == (len("第一条 甲。\n".encode("gb18030")),)


def test_undecodable_bytes_raise_decode_error_naming_the_file() -> None:
    with pytest.raises(DecodeError, match=r"^notes\.txt: cannot decode the text"):
        decode_bytes(bytes(range(0x80, 0x100)) * 40, "notes.txt")


@pytest.mark.parametrize(
    ("data", "binary"),
    [(b"\x00\x01\x02<html>", True), ("第一条".encode(), False), (b"\xff\xfe" + "第一条".encode("utf-16-le"), False),
     (b"text\x01\x02\x03\x04\x05", True)],
)  # fmt: skip
def test_looks_binary(data: bytes, binary: bool) -> None:
    assert looks_binary(data) is binary


def test_rare_share_tells_chinese_from_mojibake() -> None:
    assert rare_share("中华人民共和国数据安全法") == 0.0
    assert rare_share("中華人民共和國個人資料保護法".encode("big5").decode("gb18030")) > 0.3
