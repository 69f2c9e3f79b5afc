"""Markdown extraction: the corpus format, user Markdown with Word leftovers, encodings and errors."""

from __future__ import annotations

import csv
import json

import pytest

from kb.errors import CorruptFile, DecodeError, EmptyFile, KbError, NoBody
from kb.extract import extract_bytes
from kb.extract.markdown import extract
from kb.models import Block, Format
from kb.normalize.clean import clean_line
from tests.conftest import CORPUS, FORMATS, LAWREFBOOK, require_shared

CORPUS_FORMAT = """# 某市数据条例

2021年6月29日 某市第七届人民代表大会常务委员会第二次会议通过
2022年1月1日 某市第七届人民代表大会常务委员会第五次会议修正

<!-- INFO END -->

## 第一章  总则

第一条 为了规范数据处理活动，制定本条例。

### 第一节 一般规定

第二条 本条例自公布之日起施行。
"""


def test_corpus_format() -> None:
    result = extract(CORPUS_FORMAT.encode("utf-8"), "a.md")
    assert result.format == Format.MARKDOWN
    assert result.title == "某市数据条例"
    assert result.info == (
        "2021年6月29日 某市第七届人民代表大会常务委员会第二次会议通过",
        "2022年1月1日 某市第七届人民代表大会常务委员会第五次会议修正",
    )
    assert result.blocks == (
        Block("第一章  总则", kind="heading", level=1),
        Block("第一条 为了规范数据处理活动，制定本条例。"),
        Block("第一节 一般规定", kind="heading", level=2),
        Block("第二条 本条例自公布之日起施行。"),
    )
    assert result.headings_marked
    assert result.fields == ()


FRONT_MATTER = """---
id: "abc%3D"
title: "某省大数据条例"
office: "某省人民代表大会常务委员会"
publish: "2020-11-27 00:00:00"
effective_date: ""
status: "有效"
---

# 某省大数据条例

**某省大数据条例**

> （2020年11月27日某省第十三届人民代表大会
>
> 常务委员会第二十五次会议通过）

[目 录]{.mark}

[第一章 总则]{.mark}

1.  总 则

[第一条
为了促进大数据发展，制定本条例。]{.mark}

　　第二条 本条例适用于本省。

第二章 附  则

第三条 本条例自2021年1月1日起施行。

PAGE

— 17 —
- 16 -
"""


def test_user_markdown_with_word_leftovers() -> None:
    result = extract(FRONT_MATTER.encode("utf-8"), "p.md")
    assert result.fields == (
        ("id", "abc%3D"),
        ("title", "某省大数据条例"),
        ("office", "某省人民代表大会常务委员会"),
        ("publish", "2020-11-27 00:00:00"),
        ("status", "有效"),
    )
    assert result.title == "某省大数据条例"
    # The repeated bold title is not a header line; the wrapped bracket is joined into one.
    assert result.info == ("（2020年11月27日某省第十三届人民代表大会常务委员会第二十五次会议通过）",)
    assert [b.text for b in result.blocks] == [
        "目 录",
        "第一章 总则",
        "第一章 总 则",
        "第一条 为了促进大数据发展，制定本条例。",
        "第二条 本条例适用于本省。",
        "第二章 附  则",
        "第三条 本条例自2021年1月1日起施行。",
    ]
    assert result.blocks[2] == Block("第一章 总 则", kind="heading", level=1)
    assert any("1.  总 则" in w for w in result.warnings)
    assert not result.headings_marked


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("— 17 —", False),
        ("- 26 -", False),
        ("－3－", False),
        ("- 1", False),
        ("PAGE", False),
        ("PAGE \\* MERGEFORMAT", False),
        ("|---|---|", False),
        ("<!-- comment -->", False),
        ("1.  总 则", True),  # no 第X章 elsewhere: an ordinary paragraph
        ("第十七条 — 见附表。", True),
        ("2019年1月16日", True),
    ],
)
def test_leftover_lines(line: str, kept: bool) -> None:
    result = extract(f"# 标题\n\n<!-- INFO END -->\n\n第一条 甲。\n\n{line}\n".encode(), "x.md")
    assert (line in [b.text for b in result.blocks]) == kept


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("[第一条 甲。]{.mark}", "第一条 甲。"),
        ("**第一条** 甲。", "第一条 甲。"),
        ("> 第一条 甲。", "第一条 甲。"),
        ("1\\. 甲。", "1. 甲。"),
        ("[第一条\n乙。]{.underline}", "第一条 乙。"),
    ],
)
def test_markup_is_removed(source: str, text: str) -> None:
    result = extract(f"# 标题\n\n<!-- INFO END -->\n\n{source}\n".encode(), "x.md")
    assert [b.text for b in result.blocks] == [text]


def test_header_shape_without_marker_stops_at_the_body() -> None:
    text = "# 某条例\n\n某条例\n\n2021年6月29日 某市人大常委会通过\n\n第一条 甲。\n第二条 乙。\n"
    result = extract(text.encode(), "x.md")
    assert result.info == ("2021年6月29日 某市人大常委会通过",)
    assert [b.text for b in result.blocks] == ["第一条 甲。", "第二条 乙。"]


def test_title_from_front_matter_when_no_heading() -> None:
    result = extract("---\ntitle: 某条例\n---\n第一条 甲。\n".encode(), "x.md")
    assert result.title == "某条例"
    assert [b.text for b in result.blocks] == ["第一条 甲。"]


@pytest.mark.parametrize(
    ("data", "warned"),
    [
        (CORPUS_FORMAT.encode("utf-8"), False),
        (b"\xef\xbb\xbf" + CORPUS_FORMAT.encode("utf-8"), False),
        (CORPUS_FORMAT.replace("\n", "\r\n").encode("utf-8"), False),
        (CORPUS_FORMAT.encode("gb18030"), False),
        (CORPUS_FORMAT.encode("utf-8").replace("施行".encode(), b"\xff\xfe"), True),
    ],
)
def test_encodings(data: bytes, warned: bool) -> None:
    result = extract(data, "enc.md")
    assert result.title == "某市数据条例"
    assert result.blocks[1].text == "第一条 为了规范数据处理活动，制定本条例。"
    assert bool(result.warnings) == warned


@pytest.mark.parametrize(
    ("data", "error", "says"),
    [
        (b"", EmptyFile, "empty file"),  # through the registry, as kb reads files
        (b"  \n\t\n", EmptyFile, "only whitespace"),
        (b"# \xe6\xa0\x87\xe9\xa2\x98\n\n<!-- INFO END -->\n", NoBody, "no body text"),
        (b"\x00\x01\x02binary", CorruptFile, "binary content"),
        (bytes(range(128, 256)) * 4, DecodeError, "undecodable"),
    ],
)
def test_errors_name_the_file(data: bytes, error: type[KbError], says: str) -> None:
    with pytest.raises(error) as caught:
        extract_bytes(data, "bad/file.md")
    assert str(caught.value).startswith("bad/file.md: ")
    assert says in str(caught.value)


def test_fixture_golds_match_their_markdown_sources() -> None:
    """Every document of fixtures/formats, read from its corpus Markdown, gives the gold title, info and blocks."""
    golds = sorted(require_shared(FORMATS).glob("*.gold.json"))
    assert len(golds) == 153
    mismatched = []
    for path in golds:
        gold = json.loads(path.read_text(encoding="utf-8"))
        source = LAWREFBOOK / gold["source"]
        result = extract(source.read_bytes(), str(source))
        blocks = [
            {"type": "heading", "level": b.level, "text": b.text}
            if b.kind == "heading"
            else {"type": "para", "text": b.text}
            for b in result.blocks
        ]
        # the gold keeps the source's layout and zero-width spaces; every extractor cleans them the same way
        want = [{**b, "text": clean_line(b["text"])} for b in gold["blocks"] if clean_line(b["text"])]
        if (result.title, list(result.info), blocks) != (gold["title"], gold["info"], want):
            mismatched.append(gold["id"])
    assert mismatched == []


def test_provincial_files_come_out_whole() -> None:
    folder = require_shared(CORPUS / "provincial")
    with (folder / "INDEX.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert len(rows) == 18
    for row in rows:
        path = CORPUS / row["path"]
        result = extract(path.read_bytes(), str(path))
        fields = dict(result.fields)
        assert (result.title, fields["office"], fields["publish"]) == (row["title"], row["office"], row["publish"])
        assert len(result.info) == 1 and result.info[0].rstrip("）)").endswith(("通过", "批准")), row["path"]
        texts = [b.text for b in result.blocks]
        assert not [t for t in texts if "{.mark}" in t or "**" in t or t.startswith(("—", "- ", ">")) or t == "PAGE"]
        assert sum(t.startswith("第一条") for t in texts) == 1, row["path"]


def test_form_blanks_are_text_not_emphasis() -> None:
    result = extract("# 标题\n\n<!-- INFO END -->\n\n申请人：________ 日期：____年__月\n".encode(), "x.md")
    assert [b.text for b in result.blocks] == ["申请人：________ 日期：____年__月"]


def test_header_without_body_is_kept_as_a_record_with_a_warning() -> None:
    # 汕头经济特区突发公共卫生事件应急条例 in the corpus is a title and its adoption line only: the regulation exists
    # and counts per province and year, so it is kept (no clauses) and the warning says why it has no text.
    data = "# 某市条例\n\n2022年5月30日 某市人民代表大会常务委员会第五次会议通过\n\n<!-- INFO END -->\n".encode()
    got = extract_bytes(data, "x/某市条例.md")
    assert got.blocks == ()
    assert got.info == ("2022年5月30日 某市人民代表大会常务委员会第五次会议通过",)
    assert got.warnings == (
        "x/某市条例.md: no body text after the header lines; kept as a record of its title and history",
    )
