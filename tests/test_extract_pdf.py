"""PDF extraction: fixtures against their gold, the real PDFs against the corpus, bad files, OCR, and layouts built
here glyph by glyph (two columns, page breaks, page-number forms, running heads, 版头, 版记, footnote markers)."""

from __future__ import annotations

import functools
import gc
import io
import json
import re
import shutil
import tracemalloc
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium  # pdfplumber's own renderer
import pytest
from gold_rule import rule_articles as articles
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kb.errors import CorruptFile, EmptyFile, EncryptedFile, KbError, MissingDependency, NoTextLayer
from kb.extract import extract, extract_bytes
from kb.extract.pdf import extract as extract_pdf
from kb.extract.pdf_furniture import PAGE_NUMBER
from kb.models import ExtractedText
from tests.conftest import BAD, FORMATS, LAWREFBOOK, REAL_PDF, require_shared

WHITESPACE = re.compile(r"\s+")
ARTICLE = re.compile(r"^(第[零〇一二三四五六七八九十百千两\d]+条(?:之[一二三四五六七八九十]+)?)(?:[\s\u3000]|$)")


@functools.cache
def extracted(path: Path) -> ExtractedText:
    """A shared file extracted once for all the tests that look at it."""
    return extract(require_shared(path))


def squeeze(text: str) -> str:
    return WHITESPACE.sub("", text)


# ---------------------------------------------------------------------------------------------------------------
# A tiny PDF writer: glyphs placed exactly where a test wants them, in the standard Chinese font STSong-Light
# (not embedded; every glyph one em wide), so that layouts the fixtures lack can be built and read back.


@dataclass(frozen=True)
class Run:
    """A string set from (x, top) in points, every glyph one em (``size``) wide."""

    x: float
    top: float
    text: str
    size: float = 16.0
    rgb: tuple[float, float, float] = (0.0, 0.0, 0.0)


@dataclass(frozen=True)
class Picture:
    """A gray image covering the whole page, as a scanner makes it."""


@dataclass(frozen=True)
class Rule:
    """A horizontal rule from x0 to x1 at ``top``."""

    x0: float
    x1: float
    top: float
    rgb: tuple[float, float, float] = (1.0, 0.0, 0.0)


def make_pdf(pages: Sequence[Sequence[Run | Rule | Picture]], width: float = 595.0, height: float = 842.0) -> bytes:
    objects: list[bytes] = [
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts"
        b" [<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe)"
        b" /Ordering (GB1) /Supplement 2 >> /FontDescriptor 2 0 R /DW 1000 >>] >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0"
        b" /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
        b"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8"
        b" /Length 1 >>\nstream\n\x80\nendstream",
    ]
    pages_id = 4 + 2 * len(pages)
    page_ids = []
    for items in pages:
        ops = []
        for item in items:
            if isinstance(item, Picture):
                ops.append(f"q {width} 0 0 {height} 0 0 cm /Im1 Do Q")
            elif isinstance(item, Run):
                y = height - item.top - item.size * 0.88
                code = item.text.encode("utf-16-be").hex().upper()
                r, g, b = item.rgb
                ops.append(f"BT {r} {g} {b} rg /F1 {item.size} Tf {item.x} {y} Td <{code}> Tj ET")
            else:
                r, g, b = item.rgb
                y = height - item.top
                ops.append(f"{r} {g} {b} RG 1.5 w {item.x0} {y} m {item.x1} {y} l S")
        stream = "\n".join(ops).encode()
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        content_id = len(objects)
        objects.append(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 1 0 R >>"
            b" /XObject << /Im1 3 0 R >> >>"
            b" /Contents %d 0 R >>" % (pages_id, width, height, content_id)
        )
        page_ids.append(len(objects))
    kids = b" ".join(b"%d 0 R" % p for p in page_ids)
    objects.append(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_ids)))
    assert len(objects) == pages_id
    objects.append(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, len(objects), xref)
    return bytes(out)


def wrap(paragraphs: Sequence[str], chars: int) -> list[tuple[str, bool]]:
    """Paragraphs cut into lines of ``chars`` characters after a two-character first-line indent: (text, first)."""
    lines = []
    for paragraph in paragraphs:
        rest, first = paragraph, True
        while rest:
            room = chars - 2 if first else chars
            lines.append((rest[:room], first))
            rest, first = rest[room:], False
    return lines


def set_pages(
    lines: Sequence[tuple[str, bool]],
    *,
    left: float = 80.0,
    size: float = 16.0,
    per_page: int = 20,
    page_number: str | None = "— {n} —",
    header: str | None = None,
) -> list[list[Run | Rule]]:
    """Lines set on A4 pages, ``per_page`` to a page, with a page number and a running header if given."""
    pages: list[list[Run | Rule]] = []
    for start in range(0, len(lines), per_page):
        n = len(pages) + 1
        items: list[Run | Rule] = []
        if header:
            items.append(Run(200, 40, header, 9))
        for row, (text, first) in enumerate(lines[start : start + per_page]):
            items.append(Run(left + (2 * size if first else 0), 100 + row * 1.8 * size, text, size))
        if page_number:
            label = page_number.format(n=n)
            items.append(Run(297 - len(label) * 7, 790, label, 14))
        pages.append(items)
    return pages


def texts(pdf: bytes, name: str = "made.pdf") -> list[str]:
    return [block.text for block in extract_pdf(pdf, name).blocks]


ARTICLE_TEXT = [
    "第一条 为了规范数据处理活动，保障数据安全，促进数据开发利用，保护个人、组织的合法权益，维护国家主权、安全和"
    "发展利益，根据《中华人民共和国数据安全法》等法律，制定本条例。",
    "第二条 本条例适用于本省行政区域内的数据处理活动及其安全监管。依照本条例第三十五条规定的程序，"
    "有关部门应当在2021年6月10日前公布目录。",
    "第三条 数据处理者应当依照法律、法规的规定，建立健全全流程数据安全管理制度。",
]


# ---------------------------------------------------------------------------------------------------------------
# Fixtures with gold answers: the full run is scripts/measure_formats.py; these are a sample of the layouts.

SAMPLE = [
    "0c94dbea97",  # red 版头 and rule, chapters and sections
    "00bc2813b3",  # a 目录 before the body
    "2382262bf5",  # a running header (公报) on every page, 版头 under it
    "2c944bbf2c",  # the title as a small running header, also on page one
    "c941300f55",  # the title as running header, long document
    "e78768a3b8",  # the title as running header in small type above the same title in large type
    "5ec87552e7",  # body paragraphs before the first article
    "e5f3127207",  # a policy document: 一、 headings and (一) items, no articles
    "637469ba6e",  # headings 一、 … 十四、 and numbered items, no articles
    "64e5af3c08",  # "2007 年 12 月 1 日": Chinese and digits set apart by the typesetter
    "df0645dfb9",  # "12345" inside Chinese text
]


@pytest.mark.parametrize("doc_id", SAMPLE)
def test_fixture_matches_gold(doc_id: str) -> None:
    gold = json.loads(require_shared(FORMATS / f"{doc_id}.gold.json").read_text(encoding="utf-8"))
    got = extracted(FORMATS / f"{doc_id}.pdf")
    gold_text = squeeze("".join(b["text"] for b in gold["blocks"]))
    mine = squeeze("".join(b.text for b in got.blocks))
    assert SequenceMatcher(None, gold_text, mine, autojunk=False).ratio() >= 0.995
    assert squeeze(got.title or "") == squeeze(gold["title"])
    want = [(a["number"], squeeze(a["text"])) for a in gold["articles"]]
    assert articles([(b.kind, b.text) for b in got.blocks]) == want
    assert not [b.text for b in got.blocks if PAGE_NUMBER.match(b.text)]
    assert got.pages and all(b.page for b in got.blocks)


@pytest.mark.parametrize(
    ("doc_id", "field", "value"),
    [
        ("0c94dbea97", "版头", "上海市人民代表大会常务委员会公告"),
        ("2382262bf5", "版头", "山东省人民代表大会常务委员会公告"),
        ("cf3a9f8535", "版头", "平顶山市人民代表大会常务委员会公告"),  # the 版头 wraps onto a second line
    ],
)
def test_masthead_is_a_field_not_body(doc_id: str, field: str, value: str) -> None:
    got = extracted(FORMATS / f"{doc_id}.pdf")
    assert got.field(field) == value
    assert all(value not in b.text for b in got.blocks)


@pytest.mark.parametrize(
    ("doc_id", "first_info"),
    [
        ("0c94dbea97", "2021年11月25日 上海市第十五届人民代表大会常务委员会第三十七次会议通过"),
        ("2c944bbf2c", "2008年4月28日 最高人民法院审判委员会第1446次会议通过"),
    ],
)
def test_info_lines_lose_brackets(doc_id: str, first_info: str) -> None:
    assert extracted(FORMATS / f"{doc_id}.pdf").info[0] == first_info


def test_table_of_contents_is_dropped() -> None:
    got = extracted(FORMATS / "00bc2813b3.pdf")
    assert got.blocks[0].kind == "heading" and squeeze(got.blocks[0].text) == "第一章总则"
    assert sum(1 for b in got.blocks if squeeze(b.text) == "第一章总则") == 1


def test_running_header_is_dropped_on_every_page() -> None:
    got = extracted(FORMATS / "2382262bf5.pdf")
    assert not [b for b in got.blocks if "公报" in b.text]


def test_dates_set_apart_from_chinese_are_whole() -> None:
    got = extracted(FORMATS / "64e5af3c08.pdf")
    assert got.blocks[-1].text.endswith("本条例自2007年12月1日起施行。")


def test_heading_levels_follow_chapter_and_section() -> None:
    got = extracted(FORMATS / "0c94dbea97.pdf")
    levels = {squeeze(b.text)[:3]: b.level for b in got.blocks if b.kind == "heading"}
    assert levels["第一章"] == 1 and levels["第一节"] == 2


# ---------------------------------------------------------------------------------------------------------------
# Real PDFs made by people: the corpus file holds each law's text.


def corpus_articles(relative: str) -> list[tuple[str, str]]:
    body = (LAWREFBOOK / relative).read_text(encoding="utf-8").split("<!-- INFO END -->", 1)[1]
    blocks = [("heading" if ln.startswith("#") else "para", ln.lstrip("#").strip()) for ln in body.splitlines()]
    return articles([block for block in blocks if block[1]])


def fold_punctuation(text: str) -> str:
    """Full-width punctuation as ASCII (the corpus transcribed some "：" as ":")."""
    return unicodedata.normalize("NFKC", text)


@pytest.mark.parametrize("name", ["cybersecurity-law-a.pdf", "cybersecurity-law-b.pdf", "cybersecurity-law-c.pdf"])
def test_real_pdf_articles_match_corpus(name: str) -> None:
    want = corpus_articles("行政法/网络安全法(2016-11-07).md")
    got = extracted(REAL_PDF / name)
    mine = articles([(b.kind, b.text) for b in got.blocks])
    assert [n for n, _ in mine] == [n for n, _ in want]
    exact = sum(fold_punctuation(a[1]) == fold_punctuation(b[1]) for a, b in zip(mine, want, strict=True))
    assert exact / len(want) >= 0.98
    assert got.title == "中华人民共和国网络安全法"
    assert got.info == ("2016年11月7日 第十二届全国人民代表大会常务委员会第二十四次会议通过",)


def test_real_pdf_web_leftovers_dropped() -> None:
    got = extracted(REAL_PDF / "cybersecurity-law-b.pdf")
    everything = "".join(got.info) + "".join(b.text for b in got.blocks)
    assert "浏览字号" not in everything and "来源：" not in everything and "17:31:34" not in everything
    assert "处置来源于中华人民共和国境内外" in everything  # 来源 inside the text stays


def test_real_pdf_bare_page_numbers_dropped() -> None:
    got = extracted(REAL_PDF / "cybersecurity-law-c.pdf")
    assert got.pages == 23
    assert not [b.text for b in got.blocks if re.fullmatch(r"\d+", b.text.strip())]
    assert not [b.text for b in got.blocks if re.search(r"[。；]\d{1,2}$", b.text)]


# ---------------------------------------------------------------------------------------------------------------
# Bad files: the right error, naming the file, and never a raw pdfminer exception.


@pytest.mark.parametrize(
    ("name", "error", "words"),
    [
        ("empty.pdf", EmptyFile, "empty file"),
        ("truncated.pdf", CorruptFile, "damaged or truncated"),
        ("not_really.pdf", CorruptFile, "not a PDF (no %PDF header; it holds text)"),
        ("encrypted.pdf", EncryptedFile, "password"),
        ("scanned.pdf", NoTextLayer, "no text layer (scanned pages?); rerun with --ocr and Tesseract installed"),
    ],
)
def test_bad_files(name: str, error: type[KbError], words: str) -> None:
    path = require_shared(BAD / name)
    with pytest.raises(error) as caught:
        extract(path)
    assert str(path) in str(caught.value) and words in str(caught.value)


def test_watermark_only_text_layer_counts_as_scan() -> None:
    path = require_shared(REAL_PDF / "data-security-law-draft-scanned.pdf")
    with pytest.raises(NoTextLayer):
        extract(path)


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",  # no pages tree
        b"%PDF-1.7\n" + bytes(range(256)) * 8,  # a header and garbage
        make_pdf([[Run(80, 100, "第一条 测试。")]])[:-60],  # cut in its cross-reference table
    ],
)
def test_malformed_pdf_gives_kb_error(data: bytes) -> None:
    with pytest.raises(KbError) as caught:
        extract_pdf(data, "broken.pdf")
    assert "broken.pdf" in str(caught.value)


def test_scanned_pages_among_text_pages_are_reported() -> None:
    pages = [*set_pages(wrap(ARTICLE_TEXT[:1], 25)), [Picture(), Run(500, 800, "www.example.cn", 10)]]
    got = extract_pdf(make_pdf(pages), "made.pdf")
    assert [b.text for b in got.blocks] == ARTICLE_TEXT[:1]
    assert any("pages 2 have no text layer" in warning for warning in got.warnings)


def test_cover_image_keeps_its_chinese_title() -> None:
    cover: list[Run | Rule | Picture] = [Picture(), Run(150, 300, "某某市数据条例", 24)]
    got = extract_pdf(make_pdf([cover, *set_pages(wrap(ARTICLE_TEXT, 25))]), "made.pdf")
    assert got.title == "某某市数据条例" and [b.text for b in got.blocks] == ARTICLE_TEXT


def test_image_pages_with_a_latin_watermark_are_a_scan() -> None:
    page: list[Run | Rule | Picture] = [Picture(), Run(400, 700, "www.example.cn", 16)]
    with pytest.raises(NoTextLayer, match=r"made\.pdf: no text layer"):
        extract_pdf(make_pdf([page, page]), "made.pdf")


def test_missing_tesseract_is_named_with_its_packages() -> None:
    path = require_shared(BAD / "scanned.pdf")
    with pytest.raises(MissingDependency) as caught:
        extract_pdf(path.read_bytes(), str(path), ocr=True, tesseract="/nonexistent/tesseract")
    message = str(caught.value)
    assert str(path) in message and "tesseract-ocr tesseract-ocr-chi-sim" in message


def test_ocr_reads_scanned_pages() -> None:
    if shutil.which("tesseract") is None:  # .ci/run installs it; a missing OCR engine must not pass as a skip
        pytest.fail("OCR test needs Tesseract: apt-get install tesseract-ocr tesseract-ocr-chi-sim")
    path = require_shared(BAD / "scanned.pdf")
    got = extract_bytes(path.read_bytes(), str(path), ocr=True)
    gold = json.loads(require_shared(FORMATS / "03468017fe.gold.json").read_text(encoding="utf-8"))
    assert got.title == "广东省建设工程监理条例"
    # OCR drops the space after an article's number: "第一条为规范…"
    numbers = [m.group(0) for b in got.blocks if (m := re.match(r"第[一二三四五六七八九十]+条", b.text))]
    assert numbers[:7] == ["第一条", "第二条", "第三条", "第四条", "第五条", "第六条", "第七条"]
    # the scan holds the first two pages: compare with the same stretch of the gold
    mine = squeeze("".join(b.text for b in got.blocks))
    gold_text = squeeze("".join(b["text"] for b in gold["blocks"]))[: len(mine)]
    assert SequenceMatcher(None, gold_text, mine, autojunk=False).ratio() >= 0.9


# ---------------------------------------------------------------------------------------------------------------
# Layouts built glyph by glyph.


def test_paragraph_runs_on_across_lines_and_pages() -> None:
    # 16 characters to a line and 3 lines to a page: every paragraph is cut by lines and pages, the 《》 title
    # and the date inside a line, and 第二条 across a page break
    lines = wrap(ARTICLE_TEXT, 16)
    assert lines[3][0].endswith("根据《") and lines[9][0].endswith("6月1") and lines[8][0].startswith("。依照")
    pdf = make_pdf(set_pages(lines, per_page=3))
    assert texts(pdf) == ARTICLE_TEXT


def test_cross_reference_at_line_start_stays_in_its_article() -> None:
    # lines of 20 characters: the second line of 第二条 starts with "第三十五条规定", a reference, not an article
    lines = [
        ("第二条 数据处理活动均应当依照本条例", True),
        ("第三十五条规定的程序，有关部门应当公布目", False),
        ("录。", False),
    ]
    assert len(lines[0][0]) + 2 == len(lines[1][0])  # both lines reach the right edge
    got = texts(make_pdf(set_pages(lines)))
    assert got == ["".join(text for text, _ in lines)]


@pytest.mark.parametrize(
    "label",
    ["— {n} —", "- {n} -", "第{n}页", "第 {n} 页 共 3 页", "{n}/3", "{n}"],
)
def test_page_numbers_in_every_form_are_dropped(label: str) -> None:
    pdf = make_pdf(set_pages(wrap(ARTICLE_TEXT, 16), per_page=4, page_number=label))
    assert texts(pdf) == ARTICLE_TEXT


def test_running_header_dropped_but_repeated_last_lines_kept() -> None:
    paragraphs = ["第一条 本条例所称数据，是指任何以电子或者其他方式对信息的记录事项。"] * 4
    pdf = make_pdf(set_pages(wrap(paragraphs, 16), per_page=3, header="某省人民代表大会常务委员会公报"))
    got = texts(pdf)
    assert got == paragraphs


def test_two_columns_are_read_in_column_order() -> None:
    left = ["第一条 左栏第一段文字，写在页面左侧的一栏里面。", "第二条 左栏第二段文字。"]
    right = ["第三条 右栏第一段文字，写在页面右侧的一栏里面。", "第四条 右栏第二段文字。"]
    items: list[Run | Rule] = []
    for column, paragraphs in ((60.0, left), (315.0, right)):
        for row, (text, first) in enumerate(wrap(paragraphs, 13)):
            items.append(Run(column + (32 if first else 0), 100 + row * 28.8, text))
    items.append(Run(280, 790, "— 1 —", 14))
    assert texts(make_pdf([items])) == left + right


def two_up(data: bytes) -> bytes:
    """The pages of a PDF printed two to a landscape sheet, at 70%: every sheet has two columns of real text."""
    source = pdfium.PdfDocument(data)
    sheets = pdfium.PdfDocument.new()
    for first in range(0, len(source), 2):
        sheet = sheets.new_page(842, 595)
        for offset in range(min(2, len(source) - first)):
            placed = source.page_as_xobject(first + offset, sheets).as_pageobject()
            placed.transform(pdfium.PdfMatrix().scale(0.7, 0.7).translate(10 + offset * 421, 0))
            sheet.insert_obj(placed)
        sheet.gen_content()
    out = io.BytesIO()
    sheets.save(out)
    return out.getvalue()


@pytest.mark.parametrize("doc_id", ["0c94dbea97", "00bc2813b3"])
def test_fixture_printed_two_up_reads_the_same(doc_id: str) -> None:
    path = require_shared(FORMATS / f"{doc_id}.pdf")
    got = extract_pdf(two_up(path.read_bytes()), "two-up.pdf")
    assert [(b.kind, b.text) for b in got.blocks] == [(b.kind, b.text) for b in extracted(path).blocks]
    assert got.title == extracted(path).title


def test_masthead_title_info_and_banji() -> None:
    items: list[Run | Rule] = [
        Run(150, 60, "某某市人民政府文件", 26, (0.9, 0.0, 0.0)),
        Run(220, 110, "某政发〔2021〕3号", 16),
        Rule(80, 520, 140),
        Run(140, 170, "某某市数据管理办法", 22),
        Run(100, 210, "（2021年6月10日某某市人民政府第5次常务会议通过）", 14),
        *[Run(80 + (32 if first else 0), 260 + i * 28.8, t) for i, (t, first) in enumerate(wrap(ARTICLE_TEXT, 25))],
        Rule(80, 520, 700),
        Run(80, 710, "抄送：市委各部门，市人大常委会办公厅。", 14),
        Run(80, 740, "某某市人民政府办公室 2021年6月11日印发", 14),
    ]
    got = extract_pdf(make_pdf([items]), "made.pdf")
    assert got.field("版头") == "某某市人民政府文件"
    assert got.field("发文字号") == "某政发〔2021〕3号"
    assert got.title == "某某市数据管理办法"
    assert got.info == ("2021年6月10日 某某市人民政府第5次常务会议通过",)
    assert [b.text for b in got.blocks] == ARTICLE_TEXT


def test_plain_chapter_line_is_a_heading_that_closes_the_article() -> None:
    # a chapter heading set like a paragraph (same font, indented, not centred) still ends the article before it
    paragraphs = [ARTICLE_TEXT[0], "第二章 监督管理", ARTICLE_TEXT[2]]
    got = extract_pdf(make_pdf(set_pages(wrap(paragraphs, 25))), "made.pdf")
    assert [(b.kind, b.text) for b in got.blocks] == [
        ("para", ARTICLE_TEXT[0]),
        ("heading", "第二章 监督管理"),
        ("para", ARTICLE_TEXT[2]),
    ]


def test_marker_above_the_title_is_kept_as_a_field() -> None:
    items: list[Run | Rule] = [
        Run(80, 40, "附件1", 16),
        Run(200, 80, "某某工作方案", 22),
        Run(112, 130, "一、总体要求。"),
    ]
    got = extract_pdf(make_pdf([items]), "made.pdf")
    assert got.field("页首") == "附件1" and got.title == "某某工作方案"
    assert [b.text for b in got.blocks] == ["一、总体要求。"]


def test_without_a_title_no_line_is_lost() -> None:
    # body text first, a larger heading further down: no title, and every line stays in the body
    paragraphs = ["第一条 本办法所称数据，是指任何以电子方式对信息的记录。", "第二条 本办法自公布之日起施行。"]
    items: list[Run | Rule] = [
        Run(80 + (32 if first else 0), 100 + i * 28.8, t) for i, (t, first) in enumerate(wrap(paragraphs, 25))
    ]
    items.append(Run(230, 300, "第二章 附则", 20))
    got = extract_pdf(make_pdf([items]), "made.pdf")
    assert got.title is None
    assert [b.text for b in got.blocks] == [*paragraphs, "第二章 附则"]


def test_bracketed_item_under_the_title_is_body_not_info() -> None:
    items: list[Run | Rule] = [
        Run(200, 60, "某某工作方案", 22),
        Run(112, 110, "（一）总体要求。"),
        Run(112, 140, "（二）工作目标。"),
    ]
    got = extract_pdf(make_pdf([items]), "made.pdf")
    assert got.info == () and [b.text for b in got.blocks] == ["（一）总体要求。", "（二）工作目标。"]


def test_footnote_markers_and_spaced_dates_are_cleaned() -> None:
    items: list[Run | Rule] = [
        Run(112, 100, "第一条 本法自2016"),
        Run(112 + 11 * 16 + 4, 100, "年"),  # the typesetter's gap between digits and Chinese
        Run(112 + 12 * 16 + 8, 100, "11"),
        Run(112 + 14 * 16 + 12, 100, "月"),
        Run(112 + 15 * 16 + 16, 100, "7"),
        Run(112 + 16 * 16 + 20, 100, "日起施行。[17]"),
    ]
    assert texts(make_pdf([items])) == ["第一条 本法自2016年11月7日起施行。"]


def test_web_leftovers_on_the_first_page_are_dropped() -> None:
    items: list[Run | Rule] = [
        Run(200, 60, "某某条例", 22),
        Run(80, 100, "浏览字号： 大 中 小来源： 中国人大网 2016年11月7日 17:31:34", 8),
        *[Run(80 + (32 if first else 0), 140 + i * 28.8, t) for i, (t, first) in enumerate(wrap(ARTICLE_TEXT, 25))],
    ]
    got = extract_pdf(make_pdf([items]), "made.pdf")
    assert got.title == "某某条例" and [b.text for b in got.blocks] == ARTICLE_TEXT


def test_pages_are_read_one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    # memory is bounded by a page: each page is closed (its objects released) before the next one is read
    events: list[tuple[str, int]] = []
    chars = pdfplumber.page.Page.chars
    close = pdfplumber.page.Page.close

    def reading(page: pdfplumber.page.Page) -> object:
        events.append(("read", page.page_number))
        return chars.fget(page)

    def closing(page: pdfplumber.page.Page) -> None:
        events.append(("close", page.page_number))
        close(page)

    monkeypatch.setattr(pdfplumber.page.Page, "chars", property(reading))
    monkeypatch.setattr(pdfplumber.page.Page, "close", closing)
    got = extract_pdf(make_pdf(set_pages(wrap(ARTICLE_TEXT * 6, 16), per_page=5)), "made.pdf")
    pages = got.pages or 0
    assert pages > 5
    expected = [event for n in range(1, pages + 1) for event in (("read", n), ("close", n))]
    assert events[: 2 * pages] == expected


def test_memory_stays_bounded_by_a_page() -> None:
    # seven times the pages must not take much more memory: each page's objects are released once it is read
    # (when pages are kept, seven times the pages take about seven times the memory)
    def peak(copies: int) -> tuple[int, int]:
        pdf = make_pdf(set_pages(wrap(ARTICLE_TEXT * copies, 25), per_page=20))
        gc.collect()
        tracemalloc.start()
        try:
            got = extract_pdf(pdf, "made.pdf")
            return got.pages or 0, tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    peak(1)  # load pdfminer's font maps once
    (few_pages, few), (many_pages, many) = peak(8), peak(64)
    assert many_pages >= 7 * few_pages
    assert many < 2.5 * few


def test_empty_pages_give_empty_file() -> None:
    with pytest.raises(EmptyFile, match=r"blank\.pdf: no text on any of its 2 pages"):
        extract_pdf(make_pdf([[], []]), "blank.pdf")


# Articles of Chinese text with punctuation, ending a sentence, as the property test lays them out.
CHINESE = "数据安全条例规定本省市县政府部门应当依法管理" + "，。、；：《》（）"
PARAGRAPH = st.text(alphabet=CHINESE, min_size=0, max_size=70).map(lambda s: "第一条 " + s + "。")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(PARAGRAPH, min_size=1, max_size=6),
    st.integers(min_value=8, max_value=25),
    st.integers(min_value=2, max_value=12),
)
def test_any_indented_paragraphs_come_back_whole(paragraphs: list[str], chars: int, per_page: int) -> None:
    # lines of ``chars`` characters, ``per_page`` lines to a page: paragraphs cut by line and page breaks anywhere
    pdf = make_pdf(set_pages(wrap(paragraphs, chars), per_page=per_page))
    assert texts(pdf) == paragraphs


def test_made_pdf_is_read_by_pdfplumber(tmp_path: Path) -> None:
    # guards the writer above: a layout test is only as good as the PDF it reads
    path = tmp_path / "made.pdf"
    path.write_bytes(make_pdf([[Run(100, 100, "第一条 测试")]]))
    with pdfplumber.open(path) as pdf:
        chars = pdf.pages[0].chars
    assert "".join(c["text"] for c in chars) == "第一条 测试" and chars[0]["x0"] == pytest.approx(100)


def set_two_columns(lines: Sequence[tuple[str, bool]], per_column: int, size: float = 12.0) -> list[list[Run | Rule]]:
    """Lines of 14-character columns, two columns to a page, ``per_column`` lines to a column, page numbers."""
    pages: list[list[Run | Rule]] = []
    per_page = 2 * per_column
    for start in range(0, len(lines), per_page):
        items: list[Run | Rule] = []
        for index, (text, first) in enumerate(lines[start : start + per_page]):
            left = 60.0 if index < per_column else 320.0
            row = index % per_column
            items.append(Run(left + (2 * size if first else 0), 100 + row * 1.6 * size, text, size))
        items.append(Run(280, 790, f"- {len(pages) + 1} -", 10.5))
        pages.append(items)
    return pages


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PARAGRAPH, min_size=4, max_size=8), st.data())
def test_any_two_column_text_comes_back_in_column_order(paragraphs: list[str], data: st.DataObject) -> None:
    # two columns show as such where a column holds full lines (a column of short lines only is a list or a
    # table), so the text opens with a paragraph of several full lines
    paragraphs = ["第一条 为了规范数据处理活动，保障数据安全，促进数据开发利用，制定本条例。", *paragraphs]
    lines = wrap(paragraphs, 14)
    # a single page whose second column has one or two lines is a signature line or a table as much as two
    # columns, so the first page's second column gets three lines at least; later pages keep the first's columns
    per_column = data.draw(st.integers(min_value=4, max_value=max(4, min(14, len(lines) - 3))))
    assume(len(lines) >= per_column + 3)
    pdf = make_pdf(set_two_columns(lines, per_column))
    assert texts(pdf) == paragraphs
