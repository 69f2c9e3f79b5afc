"""kb.extract.text on the real .txt fixtures (GB18030, CRLF, hard-wrapped) and on the bad text files."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from gold_rule import rule_articles as articles

from kb.errors import DecodeError, EmptyFile
from kb.extract import extract, extract_bytes
from kb.models import Format
from kb.normalize.clean import squeeze
from tests.conftest import BAD, FORMATS, require_shared

# An article's first paragraph: 第X条 (the gold's rule for cutting articles out of blocks).
ARTICLE = re.compile(r"^(第[零〇一二三四五六七八九十百千两\d]+条(?:之[一二三四五六七八九十]+)?)")


def _ids(fmt: str) -> list[str]:
    index = require_shared(FORMATS / "INDEX.tsv").read_text().splitlines()
    return [line.split("\t")[0] for line in index if fmt in line.split("\t")[2].split(",")]


def check_against_gold(path: Path) -> None:
    """The extracted title, header lines, body and articles equal the gold (whitespace-insensitive)."""
    gold = json.loads(path.with_name(path.stem + ".gold.json").read_text())
    got = extract(path)
    assert squeeze(got.title or "") == squeeze(gold["title"] or "")
    assert [squeeze(line) for line in got.info] == [squeeze(line) for line in gold["info"]]
    # a gold paragraph of nothing but a zero-width space (a source quirk) is no paragraph
    assert [squeeze(b.text) for b in got.blocks] == [squeeze(b["text"]) for b in gold["blocks"] if squeeze(b["text"])]
    gold_articles = [(a["number"], squeeze(a["text"])) for a in gold["articles"]]
    assert articles([(b.kind, b.text) for b in got.blocks]) == gold_articles
    headings = [squeeze(b["text"]) for b in gold["blocks"] if b["type"] == "heading"]
    assert [squeeze(b.text) for b in got.blocks if b.kind == "heading"] == headings


@pytest.mark.parametrize("doc_id", _ids("txt"))
def test_text_fixture_matches_gold(doc_id: str) -> None:
    check_against_gold(require_shared(FORMATS / f"{doc_id}.txt"))


def test_hard_wrapped_text_is_rejoined_without_spurious_breaks() -> None:
    got = extract(require_shared(FORMATS / "9c90c63a13.txt"))
    first = next(b.text for b in got.blocks if b.text.startswith("第一条"))
    assert "推进数字产业化和产业数字化" in first  # "产业\r\n化" joined with nothing between
    assert first.endswith("制定本条例。")


@pytest.mark.parametrize(
    ("encode", "name"),
    [
        (lambda text: text.encode("utf-8"), "utf-8"),
        (lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"), "utf-8 with BOM"),
        (lambda text: text.encode("gb18030"), "gb18030"),
        (lambda text: text.replace("\r\n", "\n").encode("utf-8"), "LF only"),
        (lambda text: text.replace("\r\n", "\r").encode("gb18030"), "CR only"),
        (lambda text: text.encode("utf-16"), "UTF-16 with BOM (Notepad's Unicode)"),
    ],
)
def test_encodings_and_line_ends_give_the_same_text(encode: Callable[[str], bytes], name: str) -> None:
    path = require_shared(FORMATS / "f87ccd1628.txt")
    original = extract(path)
    text = path.read_bytes().decode("gb18030")
    again = extract_bytes(encode(text), "copy.txt")
    assert (again.title, again.info, again.blocks) == (original.title, original.info, original.blocks), name
    assert again.warnings == ()


def test_bad_bytes_keep_both_clauses_and_are_reported() -> None:
    path = require_shared(BAD / "bad_bytes.txt")
    got = extract(path)
    assert [b.text for b in got.blocks] == [
        "第一条\u3000为了规范数据处理活动，制定本条例。",
        "第二条\u3000本条例自公布之日起施行。",
    ]
    assert got.warnings == (
        f"{path}: 3 invalid bytes at offset 44-46 replaced with U+FFFD (left out at a line start) "
        "(read as GB18030); check the text around them",
    )


def test_empty_text_file_is_reported_by_name() -> None:
    path = require_shared(BAD / "empty.txt")
    with pytest.raises(EmptyFile, match=re.escape(f"{path}: empty file")):
        extract(path)


@pytest.mark.parametrize("data", [b"   \r\n\t\r\n", "\u3000\u3000\r\n".encode("gb18030")])
def test_whitespace_only_text_is_empty(data: bytes) -> None:
    with pytest.raises(EmptyFile, match=r"^blank\.txt: empty file"):
        extract_bytes(data, "blank.txt")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (bytes(range(0x80, 0x100)) * 40, r"^odd\.txt: cannot decode the text: it is not UTF-8 or GB18030"),
        (b"\x00\x01\x02\x03binary", r"^odd\.txt: binary content, not text"),
    ],
)
def test_undecodable_text_raises_decode_error(data: bytes, message: str) -> None:
    with pytest.raises(DecodeError, match=message):
        extract_bytes(data, "odd.txt")


def test_title_and_header_lines() -> None:
    text = (
        "数据条例\n\n（2021年6月10日 某市人民代表大会常务委员会通过）\n\n第一章 总则\n\u3000\u3000第一条 为了规范。\n"
    )
    got = extract_bytes(text.encode("gb18030"), "t.txt")
    assert got.format is Format.TEXT
    assert got.title == "数据条例"
    assert got.info == ("2021年6月10日 某市人民代表大会常务委员会通过",)
    assert [(b.kind, b.text) for b in got.blocks] == [("heading", "第一章 总则"), ("para", "第一条 为了规范。")]


@pytest.mark.parametrize(
    "first_line",
    ["第一条 为了规范数据处理活动", "为了规范数据处理活动，制定本条例。", "一、总体要求", "— 1 —"],
)
def test_a_first_line_that_is_no_title_stays_in_the_body(first_line: str) -> None:
    got = extract_bytes(f"{first_line}\n第二条 施行。\n".encode(), "t.txt")
    assert got.title is None


def test_page_number_lines_of_text_copied_from_a_pdf_are_dropped() -> None:
    text = "\u3000\u3000第一条 为了规范数据处理活动，保障数据安全，制定本\n— 1 —\n条例。\n\u3000\u3000第二条 施行。\n"
    got = extract_bytes(text.encode(), "t.txt")
    assert [b.text for b in got.blocks] == ["第一条 为了规范数据处理活动，保障数据安全，制定本条例。", "第二条 施行。"]


def test_a_table_of_contents_after_a_toc_heading_is_dropped() -> None:
    text = "某条例\n目录\n第一章 总则\n第二章 附则\n第一章 总则\n第一条 甲。\n第二章 附则\n第二条 乙。\n"
    got = extract_bytes(text.encode(), "t.txt")
    assert [b.text for b in got.blocks] == ["第一章 总则", "第一条 甲。", "第二章 附则", "第二条 乙。"]
