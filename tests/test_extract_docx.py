"""kb.extract.docx on the real .docx fixtures, on documents built with list numbering, tables and styles, and on
the bad Word files."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.shared import Pt, RGBColor

from kb.errors import CorruptFile, EmptyFile, KbError
from kb.extract import extract, extract_bytes
from kb.extract.docx import format_counter
from kb.models import Format
from tests.conftest import BAD, FORMATS, require_shared
from tests.test_extract_text import _ids, check_against_gold

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
# A three-level list as Chinese policy documents number them: 一、 （一） 1.
POLICY_LIST = f"""<w:abstractNum {W} w:abstractNumId="90"><w:multiLevelType w:val="multilevel"/>
<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>
</w:abstractNum>"""
# Articles numbered by Word: 第一条, 第二条 …
ARTICLE_LIST = f"""<w:abstractNum {W} w:abstractNumId="91">
<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCountingThousand"/><w:lvlText w:val="第%1条"/></w:lvl>
</w:abstractNum>"""


def _with_lists(document: docx.document.Document) -> None:
    numbering = document.part.numbering_part.element
    numbering.insert(0, parse_xml(ARTICLE_LIST))
    numbering.insert(0, parse_xml(POLICY_LIST))
    numbering.append(parse_xml(f'<w:num {W} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    numbering.append(parse_xml(f'<w:num {W} w:numId="91"><w:abstractNumId w:val="91"/></w:num>'))


def _numbered(document: docx.document.Document, text: str, num_id: int, ilvl: int = 0) -> None:
    paragraph = document.add_paragraph(text)
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:numPr {W}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'))


def _bytes(document: docx.document.Document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize("doc_id", _ids("docx"))
def test_docx_fixture_matches_gold(doc_id: str) -> None:
    check_against_gold(require_shared(FORMATS / f"{doc_id}.docx"))


def test_red_banner_is_a_field_not_the_title_or_body() -> None:
    got = extract(require_shared(FORMATS / "0c94dbea97.docx"))
    assert got.format is Format.DOCX
    assert got.field("版头") == "上海市人民代表大会常务委员会公告"
    assert got.title == "上海市数据条例"
    assert got.info == ("2021年11月25日 上海市第十五届人民代表大会常务委员会第三十七次会议通过",)
    assert all("公告" not in block.text for block in got.blocks[:3])


def test_table_of_contents_is_left_out_and_the_body_keeps_its_headings() -> None:
    got = extract(require_shared(FORMATS / "00bc2813b3.docx"))
    texts = [block.text for block in got.blocks]
    assert not any(re.fullmatch(r"目\s*录", text) for text in texts)
    assert texts.count("第一章  总则") == 1
    assert got.blocks[0].kind == "heading"


def test_word_numbering_is_rebuilt_when_the_text_lacks_it() -> None:
    document = docx.Document()
    _with_lists(document)
    document.add_paragraph("关于加强数据治理的意见", style="Title")
    _numbered(document, "总体要求", 90, 0)
    _numbered(document, "指导思想", 90, 1)
    _numbered(document, "坚持问题导向。", 90, 2)
    _numbered(document, "坚持系统观念。", 90, 2)
    _numbered(document, "基本原则", 90, 1)
    _numbered(document, "主要任务", 90, 0)
    _numbered(document, "健全制度", 90, 1)  # a new 一、 restarts （一）
    _numbered(document, "三、已写明编号的段落", 90, 0)  # the text has the number: not added twice
    _numbered(document, "为了规范数据处理活动，制定本办法。", 91)
    _numbered(document, "本办法自公布之日起施行。", 91)
    got = extract_bytes(_bytes(document), "list.docx")
    assert got.title == "关于加强数据治理的意见"
    assert [block.text for block in got.blocks] == [
        "一、总体要求",
        "（一）指导思想",
        "1.坚持问题导向。",
        "2.坚持系统观念。",
        "（二）基本原则",
        "二、主要任务",
        "（一）健全制度",
        "三、已写明编号的段落",
        "第一条 为了规范数据处理活动，制定本办法。",
        "第二条 本办法自公布之日起施行。",
    ]


def test_a_list_style_numbers_its_paragraphs() -> None:
    document = docx.Document()  # the default template's "List Number" style carries decimal numbering
    document.add_paragraph("办法", style="Title")
    document.add_paragraph("第一项工作", style="List Number")
    document.add_paragraph("第二项工作", style="List Number")
    got = extract_bytes(_bytes(document), "style.docx")
    assert [block.text for block in got.blocks] == ["1.第一项工作", "2.第二项工作"]


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        (3, "chineseCounting", "三"),
        (21, "chineseCountingThousand", "二十一"),
        (10, "chineseCounting", "十"),
        (3, "ideographTraditional", "丙"),
        (3, "decimalEnclosedCircle", "③"),
        (28, "upperLetter", "BB"),
        (4, "lowerRoman", "iv"),
        (12, "decimal", "12"),
        (3, "chineseLegalSimplified", "叁"),
    ],
)
def test_format_counter(value: int, fmt: str, expected: str) -> None:
    assert format_counter(value, fmt) == expected


def test_tables_become_rows_of_tab_joined_cells_in_reading_order() -> None:
    document = docx.Document()
    document.add_paragraph("数据目录", style="Title")
    document.add_paragraph("第一条 公共数据按照下表编目。")
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([("序号", "数据", "部门"), ("1", "人口信息", "公安局"), ("2", "", "市场监管局")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("第二条 本目录每年更新。")
    got = extract_bytes(_bytes(document), "table.docx")
    assert [block.text for block in got.blocks] == [
        "第一条 公共数据按照下表编目。",
        "序号\t数据\t部门",
        "1\t人口信息\t公安局",
        "2\t市场监管局",
        "第二条 本目录每年更新。",
    ]


def test_headings_by_style_and_by_pattern() -> None:
    document = docx.Document()
    document.add_paragraph("某条例", style="Title")
    document.add_heading("附件说明", level=2)
    document.add_paragraph("第一章 总则")
    document.add_paragraph("第一条 为了。")
    got = extract_bytes(_bytes(document), "headings.docx")
    assert [(b.kind, b.level, b.text) for b in got.blocks] == [
        ("heading", 2, "附件说明"),
        ("heading", 1, "第一章 总则"),
        ("para", None, "第一条 为了。"),
    ]


def test_centred_large_title_with_header_lines_and_a_red_banner() -> None:
    document = docx.Document()
    banner = document.add_paragraph()
    banner.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = banner.add_run("某省人民代表大会常务委员会公告")
    run.font.color.rgb = RGBColor(0xE6, 0x00, 0x12)
    run.font.size = Pt(26)
    for text, size in (("某省数据条例", 22), ("（2021年6月10日某省人民代表大会常务委员会通过）", 14), ("（试行）", 14)):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(text).font.size = Pt(size)
    document.add_paragraph("第一条\u3000为了规范数据处理活动。")
    got = extract_bytes(_bytes(document), "title.docx")
    assert got.title == "某省数据条例"
    assert got.field("版头") == "某省人民代表大会常务委员会公告"
    assert got.info == ("2021年6月10日 某省人民代表大会常务委员会通过", "试行")
    assert [block.text for block in got.blocks] == ["第一条\u3000为了规范数据处理活动。"]


def test_soft_line_breaks_split_paragraphs_and_page_numbers_are_dropped() -> None:
    document = docx.Document()
    document.add_paragraph("某条例", style="Title")
    paragraph = document.add_paragraph("第一条 甲。")
    paragraph.add_run().add_break()
    paragraph.add_run("第二条 乙。")
    document.add_paragraph("— 2 —")
    got = extract_bytes(_bytes(document), "breaks.docx")
    assert [block.text for block in got.blocks] == ["第一条 甲。", "第二条 乙。"]


@pytest.mark.parametrize("name", ["random_bytes.docx", "truncated.docx"])
def test_bad_word_files_are_corrupt(name: str) -> None:
    path = require_shared(BAD / name)
    with pytest.raises(CorruptFile, match=re.escape(f"{path}: not a valid Word document (truncated or damaged")):
        extract(path)


def test_a_zip_without_a_document_is_corrupt() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a document")
    with pytest.raises(CorruptFile, match=r"^x\.docx: not a valid Word document"):
        extract_bytes(out.getvalue(), "x.docx")


def test_a_legacy_doc_renamed_docx_is_named_as_such() -> None:
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    with pytest.raises(CorruptFile, match=r"^old\.docx: not a \.docx package but an OLE file"):
        extract_bytes(data, "old.docx")


def test_a_document_without_text_is_empty() -> None:
    document = docx.Document()
    document.add_paragraph("   ")
    with pytest.raises(EmptyFile, match=r"^blank\.docx: the Word document holds no text"):
        extract_bytes(_bytes(document), "blank.docx")


@pytest.mark.parametrize("damage", ["cut the document part short", "leave the document part out"])
def test_a_damaged_document_part_is_corrupt(damage: str) -> None:
    source = zipfile.ZipFile(require_shared(FORMATS / "0c94dbea97.docx"))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "word/document.xml":
                if damage == "leave the document part out":
                    continue
                content = content[: len(content) // 2]
            archive.writestr(item, content)
    with pytest.raises(CorruptFile, match=r"^cut\.docx: not a valid Word document \(truncated or damaged"):
        extract_bytes(out.getvalue(), "cut.docx")


def _rewritten(data: bytes, name: str, edit: Callable[[str], str]) -> bytes:
    """The .docx ``data`` with one part's XML passed through ``edit``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == name:
                content = edit(content.decode("utf-8")).encode("utf-8")
            target.writestr(item, content)
    return out.getvalue()


def _with_doctype(doctype: str, entity: str) -> bytes:
    document = docx.Document()
    document.add_paragraph("关于加强数据治理的意见", style="Title")
    document.add_paragraph("第一条 为了规范数据处理活动，制定本办法。")
    document.add_paragraph("PLACEHOLDER")

    def edit(xml: str) -> str:
        head, _, rest = xml.partition("?>")
        return head + "?>" + doctype + rest.replace("PLACEHOLDER", entity)

    return _rewritten(_bytes(document), "word/document.xml", edit)


def test_docx_external_entities_are_never_resolved() -> None:
    """XXE: an entity naming /etc/passwd must not bring the file's text into the document."""
    data = _with_doctype('<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', "&xxe;")
    try:
        got = extract_bytes(data, "xxe.docx")
    except KbError as exc:  # refusing the file is as good, with a message naming it
        assert "xxe.docx" in str(exc)
        return
    assert not any("root:" in block.text for block in got.blocks)


def test_docx_billion_laughs_is_not_expanded() -> None:
    laughs = '<!ENTITY l0 "哈哈哈哈哈哈哈哈哈哈">' + "".join(
        f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    data = _with_doctype(f"<!DOCTYPE w:document [{laughs}]>", "&l9;")
    try:
        got = extract_bytes(data, "laughs.docx")
    except KbError as exc:
        assert "laughs.docx" in str(exc)
        return
    assert sum(len(block.text) for block in got.blocks) < 10_000  # 10**10 characters if expanded


@pytest.mark.parametrize(
    ("level", "attribute", "value"),
    [("lvl", "w:ilvl", "x"), ("start", "w:val", "99999999999999999999"), ("start", "w:val", "-5"),
     ("numFmt", "w:val", "ZZZZZZ"), ("lvlText", "w:val", "%9%9%9")],
)  # fmt: skip
def test_malformed_numbering_gives_the_text_or_a_named_error(level: str, attribute: str, value: str) -> None:
    """Numbering definitions are document data: a bad value must give the paragraph's text (numbered or not) or
    a message naming the file, never an internal error."""
    document = docx.Document()
    _with_lists(document)
    _numbered(document, "总体要求", 90, 0)
    _numbered(document, "为了规范数据处理活动，制定本办法。", 91)

    def edit(xml: str) -> str:
        pattern = rf'(<w:{level}\b[^>]*?{attribute}=")[^"]*(")'
        return re.sub(pattern, rf"\g<1>{value}\g<2>", xml, count=1)

    data = _rewritten(_bytes(document), "word/numbering.xml", edit)
    try:
        got = extract_bytes(data, "numbering.docx")
    except KbError as exc:
        assert "numbering.docx" in str(exc)
        return
    texts = " ".join(block.text for block in got.blocks)
    assert "总体要求" in texts and "为了规范数据处理活动" in texts


def test_a_colour_that_is_no_colour_is_read_as_not_red() -> None:
    document = docx.Document()
    run = document.add_paragraph().add_run("关于加强数据治理的意见")
    run.font.color.rgb = RGBColor(0xFF, 0, 0)
    document.add_paragraph("第一条 为了规范数据处理活动，制定本办法。")
    data = _rewritten(
        _bytes(document), "word/document.xml", lambda xml: xml.replace('w:val="FF0000"', 'w:val="ZZZZZZ"')
    )
    got = extract_bytes(data, "colour.docx")
    assert any("为了规范数据处理活动" in block.text for block in got.blocks)
