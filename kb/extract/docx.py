"""Word extraction: a .docx file's bytes -> ExtractedText (title, header lines, paragraphs, tables, list numbering).

Read with python-docx, body paragraphs and tables in document order. Word's automatic numbering (一、 （一） 1.) is not
in the paragraph text; it is rebuilt from the numbering definitions. The red 版头 of an official document (e.g.
"上海市人民代表大会常务委员会公告") is kept as the field "版头", not as body; the title is the first centred or
Title-style paragraph, and the dated lines under it (通过, 公布, 修正) are the header lines.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import cn2an
import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from lxml import etree

from kb.errors import CorruptFile, EmptyFile
from kb.models import Block, ExtractedText, Format
from kb.normalize.clean import (
    NON_TITLE_END,
    PARAGRAPH_START,
    TOC_HEADING,
    clean_line,
    collapse_cjk_spaces,
    header_line,
    heading_levels,
    is_page_number_line,
    squeeze,
    structural_kind,
    toc_span,
)
from kb.normalize.numerals import to_chinese

# The first bytes of an OLE compound file: a Word 97-2003 .doc, or a password-protected .docx (which Word stores
# encrypted inside an OLE container), renamed .docx.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Errors python-docx, zipfile and lxml raise on a truncated, damaged or foreign file.
READ_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, OSError, EOFError, zlib.error,
               etree.XMLSyntaxError, PackageNotFoundError, NotImplementedError, AttributeError)  # fmt: skip
# Style names of headings, in English and as Chinese Word names them: "Heading 2", "heading 2", "标题 2".
HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)
# Style names of a document title: "Title", "标题" (Chinese Word's name for Title).
TITLE_STYLE = re.compile(r"^(?:title|标题)$", re.IGNORECASE)
# Word's numbering placeholders in a level's text: "%1、" is the level-1 counter and 、, "（%2）" the level-2 one.
LEVEL_PLACEHOLDER = re.compile(r"%([1-9])")
# Label endings after which Word's separator is dropped: "一、正文", "（一）正文", "1.正文"; other labels ("第一条")
# take one space, as the corpus writes "第一条 为了…".
LABEL_SELF_SEPARATED = re.compile(r"[、.．)）:：]$")
# A short note in brackets on its own centred line of the title block: "（#继承编）", "（草案）", "（试行）".
BRACKETED_NOTE = re.compile(r"^[（(][^（()）]{1,40}[）)]$")
# Heavenly stems, Word's "ideographTraditional" counting: 甲、乙、丙 …
HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
# Circled numbers ①-⑳, Word's "decimalEnclosedCircle".
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
# A body line set at least this many points larger than the body text, centred, is a heading.
HEADING_SIZE_STEP = 1.5
# The longest line taken for a heading by its look or style, in characters.
MAX_HEADING_CHARS = 60
# A HYPERLINK field whose shown text is not part of the sentence it sits in: a link to an image (its caption, e.g.
# HYPERLINK "https://p1.example.com/t01.jpg" showing 《中华人民共和国劳动合同法》 mid-sentence) or to a reference
# anchor (\\l "refff_5469954-1" showing [1]), as pages saved from online encyclopedias carry them.
DEBRIS_FIELD = re.compile(
    r'HYPERLINK\s+"?[^"\s]+\.(?:jpe?g|png|gif|webp|bmp|svg)(?:[?#][^"\s]*)?"?|\\l\s+"?(?:ref|cite|note|fn)',
    re.IGNORECASE,
)
# The w:anchor of a footnote reference link: ref..., cite_note-..., fn1, note_2.
FOOTNOTE_ANCHOR = re.compile(r"^(?:ref|cite|note|fn)", re.IGNORECASE)
# A red run colour: strong red, little green and blue (FF0000, E60012, C00000 ...), the colour of a 版头.
_RED_MIN, _OTHER_MAX = 0xB0, 0x50


@dataclass(frozen=True, slots=True)
class _Para:
    """One paragraph or table row of the body, with what the title and heading rules look at."""

    text: str
    centered: bool = False
    red: bool = False
    size: float | None = None  # largest font size of its text runs, in points
    title_style: bool = False
    heading: int | None = None  # heading level from the style or outline level
    table: bool = False


# -------------------------------------------------------------------------------------------------------------
# Numbering


def _roman(value: int) -> str:
    out = ""
    for number, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                            (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):  # fmt: skip
        while value >= number:
            out += letters
            value -= number
    return out


def _letters(value: int) -> str:
    """Word's letter counting: A … Z, AA … ZZ (the letter repeated)."""
    return chr(ord("A") + (value - 1) % 26) * ((value - 1) // 26 + 1)


def format_counter(value: int, fmt: str) -> str:
    """A list counter in Word's number format ``fmt``: 3 -> "三" (chineseCounting), "C" (upperLetter), "③" ..."""
    if fmt in {"chineseCounting", "chineseCountingThousand", "taiwaneseCounting", "japaneseCounting"}:
        return to_chinese(value)
    if fmt in {"chineseLegalSimplified", "taiwaneseCountingThousand"} and 0 <= value < 10**16:
        return str(cn2an.an2cn(value, "up"))
    if fmt in {"ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"}:
        return "".join("〇一二三四五六七八九"[int(d)] for d in str(value))
    if fmt == "ideographTraditional":
        return HEAVENLY_STEMS[(value - 1) % 10]
    if fmt in {"decimalEnclosedCircle", "decimalEnclosedCircleChinese"} and 1 <= value <= len(CIRCLED):
        return CIRCLED[value - 1]
    if fmt == "upperLetter":
        return _letters(value)
    if fmt == "lowerLetter":
        return _letters(value).lower()
    if fmt == "upperRoman":
        return _roman(value)
    if fmt == "lowerRoman":
        return _roman(value).lower()
    if fmt == "decimalZero":
        return f"{value:02d}"
    return str(value)


@dataclass(frozen=True, slots=True)
class _Level:
    fmt: str
    text: str
    start: int
    legal: bool  # w:isLgl: the level shows every counter in decimal (1.1.1)


# Word's own bounds: list levels 0-8, list counters start at 0-32767; a value outside (or not a number) in a
# document's numbering is taken as the nearest bound or the default, never passed on.
MAX_LEVEL = 8
MAX_START = 32_767


def _bounded(text: str | None, default: int, high: int) -> int:
    """``text`` as an int between 0 and ``high``; ``default`` when it is absent or no integer."""
    try:
        value = int(text) if text is not None else default
    except ValueError:
        return default
    return min(max(value, 0), high)


def _val(element: Any, tag: str) -> str | None:
    child = element.find(qn(tag)) if element is not None else None
    return child.get(qn("w:val")) if child is not None else None


class _Numbering:
    """Word's numbering definitions and the running counters of each list, to rebuild "一、", "（一）", "1."."""

    def __init__(self, root: Any) -> None:
        self.abstract: dict[str, dict[int, _Level]] = {}
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        if root is None:
            return
        for abstract in root.findall(qn("w:abstractNum")):
            levels: dict[int, _Level] = {}
            for lvl in abstract.findall(qn("w:lvl")):
                ilvl = _bounded(lvl.get(qn("w:ilvl")), 0, MAX_LEVEL)
                levels[ilvl] = _Level(
                    fmt=_val(lvl, "w:numFmt") or "decimal",
                    text=_val(lvl, "w:lvlText") or "",
                    start=_bounded(_val(lvl, "w:start"), 1, MAX_START),
                    legal=lvl.find(qn("w:isLgl")) is not None,
                )
            self.abstract[abstract.get(qn("w:abstractNumId"), "")] = levels
        for num in root.findall(qn("w:num")):
            overrides: dict[int, int] = {}
            for override in num.findall(qn("w:lvlOverride")):
                start = _val(override, "w:startOverride")
                if start is not None:
                    overrides[_bounded(override.get(qn("w:ilvl")), 0, MAX_LEVEL)] = _bounded(start, 1, MAX_START)
            self.nums[num.get(qn("w:numId"), "")] = (_val(num, "w:abstractNumId") or "", overrides)

    def _level(self, num_id: str, ilvl: int) -> _Level | None:
        abstract_id, overrides = self.nums.get(num_id, ("", {}))
        level = self.abstract.get(abstract_id, {}).get(ilvl)
        if level is not None and ilvl in overrides:
            level = _Level(level.fmt, level.text, overrides[ilvl], level.legal)
        return level

    def label(self, num_id: str, ilvl: int) -> str | None:
        """Advance list ``num_id`` at level ``ilvl`` and return the label Word shows, or None (bullet, no list)."""
        level = self._level(num_id, ilvl)
        if level is None or num_id == "0":
            return None
        counters = self.counters.setdefault(num_id, {})
        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else level.start
        for deeper in [key for key in counters if key > ilvl]:
            del counters[deeper]
        if level.fmt in {"bullet", "none"}:
            return None

        def placeholder(match: re.Match[str]) -> str:
            at = int(match.group(1)) - 1
            shown = self._level(num_id, at)
            value = counters.get(at, shown.start if shown else 1)
            fmt = "decimal" if level.legal or shown is None else shown.fmt
            return format_counter(value, fmt)

        return LEVEL_PLACEHOLDER.sub(placeholder, level.text).strip() or None


# -------------------------------------------------------------------------------------------------------------
# Reading paragraphs


@dataclass(frozen=True, slots=True)
class _StyleInfo:
    """What a paragraph style (with the styles it is based on) gives its paragraphs."""

    size: float | None
    color: Any
    alignment: Any
    title: bool
    heading: int | None
    num: tuple[str, int] | None


class _StyleBook:
    """Paragraph styles by id, each resolved once per document (python-docx looks styles up slowly)."""

    def __init__(self, document: Any) -> None:
        styles = document.styles
        self._by_id = {style.style_id: style for style in styles if style.type == WD_STYLE_TYPE.PARAGRAPH}
        self._default = styles.default(WD_STYLE_TYPE.PARAGRAPH)
        self._cache: dict[str | None, _StyleInfo] = {}

    def info(self, p: Any) -> _StyleInfo:
        ppr = p.find(qn("w:pPr"))
        style_id = _val(ppr, "w:pStyle") if ppr is not None else None
        if style_id not in self._cache:
            self._cache[style_id] = self._resolve(self._by_id.get(style_id, self._default))
        return self._cache[style_id]

    @staticmethod
    def _resolve(style: Any) -> _StyleInfo:
        chain: list[Any] = []
        while style is not None and len(chain) < 10:
            chain.append(style)
            style = style.base_style
        fonts = [s.font for s in chain if s.font is not None]
        heading = next((int(m.group(1)) for s in chain if (m := HEADING_STYLE.match(s.name or ""))), None)
        if heading is None:
            heading = next((lvl for s in chain if (lvl := _outline_level(s.element)) is not None), None)
        return _StyleInfo(
            size=next((f.size.pt for f in fonts if f.size is not None), None),
            color=next((c for f in fonts if (c := _font_color(f, None)) is not None), None),
            alignment=next(
                (s.paragraph_format.alignment for s in chain if s.paragraph_format.alignment is not None), None
            ),
            title=any(TITLE_STYLE.match(s.name or "") for s in chain),
            heading=heading,
            num=next((num for s in chain if (num := _num_pr(s.element)) is not None), None),
        )


def _outline_level(element: Any) -> int | None:
    """The heading level an element's w:outlineLvl gives (0 -> 1), None for body text."""
    ppr = element.find(qn("w:pPr"))
    level = _val(ppr, "w:outlineLvl") if ppr is not None else None
    return int(level) + 1 if level is not None and level.isdigit() and int(level) < 9 else None


def _num_pr(element: Any) -> tuple[str, int] | None:
    """(numId, ilvl) of an element's list membership (w:numPr), or None."""
    ppr = element.find(qn("w:pPr"))
    num_pr = ppr.find(qn("w:numPr")) if ppr is not None else None
    num_id = _val(num_pr, "w:numId") if num_pr is not None else None
    if num_id is None:
        return None
    return num_id, _bounded(_val(num_pr, "w:ilvl"), 0, MAX_LEVEL)


def _paragraph_text(p: Any) -> str:
    """A paragraph's text from its XML: text runs, tabs, line breaks as "\\n"; deleted text, field codes,
    text boxes and the fallback copy of alternate content left out, and so is what a reader never sees or reads as
    the text: hidden runs (w:vanish, type size 0) and the shown text of a hyperlink to an image or to a footnote
    anchor (the caption and [1] marks a page saved from an online encyclopedia leaves inside the sentences)."""
    parts: list[str] = []
    skip = {qn("w:txbxContent"), "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback",
            qn("w:del"), qn("w:delText"), qn("w:pPr"), qn("w:rPr")}  # fmt: skip
    fields: list[list[str]] = []  # open fields: [instruction text, "code" or "shown"]
    hidden = False
    stack: list[tuple[Iterator[Any], bool]] = [(iter(p), False)]
    while stack:
        element = next(stack[-1][0], None)
        if element is None:
            _, hidden = stack.pop()
            continue
        tag = element.tag
        if not isinstance(tag, str) or tag in skip:
            continue
        if tag == qn("w:fldChar"):
            kind = element.get(qn("w:fldCharType"))
            if kind == "begin":
                fields.append(["", "code"])
            elif kind == "separate" and fields:
                fields[-1][1] = "shown"
            elif kind == "end" and fields:
                fields.pop()
        elif tag == qn("w:instrText"):
            if fields:
                fields[-1][0] += element.text or ""
        elif tag == qn("w:t"):
            if not hidden and not any(DEBRIS_FIELD.search(instr) for instr, _ in fields):
                parts.append(element.text or "")
        elif tag == qn("w:tab"):
            parts.append("\t")
        elif tag in {qn("w:br"), qn("w:cr")}:
            if element.get(qn("w:type")) not in {"page", "column"}:
                parts.append("\n")
        elif tag == qn("w:noBreakHyphen"):
            parts.append("-")
        elif tag == qn("w:hyperlink") and _is_debris_link(element):
            continue
        else:
            stack.append((iter(element), hidden))
            if tag == qn("w:r"):
                hidden = _is_hidden(element)
    return "".join(parts)


def _is_hidden(run: Any) -> bool:
    """True for a run Word does not show: w:vanish, or a type size of 0."""
    props = run.find(qn("w:rPr"))
    if props is None:
        return False
    vanish = props.find(qn("w:vanish"))
    if vanish is not None and vanish.get(qn("w:val")) not in {"0", "false"}:
        return True
    size = props.find(qn("w:sz"))
    return size is not None and size.get(qn("w:val")) == "0"


def _is_debris_link(element: Any) -> bool:
    """True for a w:hyperlink element whose anchor is a footnote reference (w:anchor="ref...")."""
    return bool(FOOTNOTE_ANCHOR.match(element.get(qn("w:anchor")) or ""))


def _font_color(font: Any, default: Any) -> Any:
    """A font's colour (``default`` when it sets none), or None when the document's value is no colour
    (w:color w:val="ZZZZZZ")."""
    try:
        return font.color.rgb if font.color.type is not None else default
    except ValueError:
        return None


def _is_red(rgb: Any) -> bool:
    if rgb is None:
        return False
    text = str(rgb)
    if len(text) != 6:
        return False
    try:
        red, green, blue = int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)
    except ValueError:  # not a colour (ZZZZZZ): not red
        return False
    return red >= _RED_MIN and green <= _OTHER_MAX and blue <= _OTHER_MAX


def _run_props(paragraph: Paragraph, style: _StyleInfo) -> tuple[bool, float | None]:
    """Whether the paragraph's text is red, and its largest font size in points."""
    sizes: list[float] = []
    reds: list[bool] = []
    for run in paragraph.runs:
        if not run.text.strip():
            continue
        size = run.font.size.pt if run.font.size is not None else style.size
        if size is not None:
            sizes.append(size)
        color = _font_color(run.font, style.color)
        reds.append(_is_red(color))
    return bool(reds) and all(reds), max(sizes) if sizes else style.size


def _read_paragraph(paragraph: Paragraph, styles: _StyleBook, numbering: _Numbering) -> Iterator[_Para]:
    style = styles.info(paragraph._p)
    text = clean_line(_paragraph_text(paragraph._p).replace("\t", " "))
    num = _num_pr(paragraph._p) or style.num
    label = numbering.label(*num) if num is not None else None
    if not text:
        return
    if label and not squeeze(text).startswith(squeeze(label)) and not PARAGRAPH_START.match(text):
        text = label + ("" if LABEL_SELF_SEPARATED.search(label) else " ") + text
    red, size = _run_props(paragraph, style)
    alignment = paragraph.paragraph_format.alignment
    centered = (alignment if alignment is not None else style.alignment) == WD_ALIGN_PARAGRAPH.CENTER
    heading = _outline_level(paragraph._p) or style.heading
    for line in text.split("\n"):
        line = clean_line(line)
        if line:
            yield _Para(line, centered, red, size, style.title, heading)


def _cell_text(cell: Any, document: Any) -> str:
    """A table cell's text: its paragraphs (and nested tables' text) joined by spaces."""
    texts = [clean_line(_paragraph_text(p).replace("\n", " ")) for p in cell.iter(qn("w:p"))]
    return " ".join(text for text in texts if text)


def _read_table(table: Any, document: Any, styles: _StyleBook, numbering: _Numbering) -> Iterator[_Para]:
    """A table as one line per row, cells joined by a tab; a one-column (layout) table as its paragraphs."""
    rows = table.findall(qn("w:tr"))
    widths = [len(row.findall(qn("w:tc"))) for row in rows]
    if widths and max(widths) <= 1:
        for row in rows:
            for cell in row.findall(qn("w:tc")):
                yield from _read_container(cell, document, styles, numbering)
        return
    for row in rows:
        cells = [_cell_text(cell, document) for cell in row.findall(qn("w:tc"))]
        line = "\t".join(cell for cell in cells if cell)
        if line:
            yield _Para(line, table=True)


def _read_container(element: Any, document: Any, styles: _StyleBook, numbering: _Numbering) -> Iterator[_Para]:
    """Paragraphs and table rows of the body (or a cell, or a content control) in document order."""
    for child in element.iterchildren():
        if child.tag == qn("w:p"):
            yield from _read_paragraph(Paragraph(child, document._body), styles, numbering)
        elif child.tag == qn("w:tbl"):
            yield from _read_table(child, document, styles, numbering)
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _read_container(content, document, styles, numbering)
        elif child.tag in {qn("w:customXml"), qn("w:smartTag")}:
            yield from _read_container(child, document, styles, numbering)


# -------------------------------------------------------------------------------------------------------------
# Title, header lines, body


def _title_like(para: _Para) -> bool:
    text = para.text
    return (
        len(text) <= 100
        and not para.table
        and NON_TITLE_END.search(text) is None
        and PARAGRAPH_START.match(text) is None
        and structural_kind(text) is None
        and TOC_HEADING.match(text) is None
        and header_line(text) is None
    )


def _split_title(paras: list[_Para]) -> tuple[str | None, list[tuple[str, str]], int]:
    """The title, the 版头 fields before it, and the index of the first paragraph after the title."""
    fields: list[tuple[str, str]] = []
    index = 0
    while index < len(paras) and paras[index].red and not paras[index].title_style:
        fields.append(("版头", paras[index].text))
        index += 1
    if index >= len(paras):
        return None, fields, index
    first = paras[index]
    if not (first.title_style or (first.centered and _title_like(first))):
        following = paras[index + 1] if index + 1 < len(paras) else None
        heads_document = following is not None and (
            header_line(following.text) is not None or structural_kind(following.text) is not None
        )
        if not (_title_like(first) and heads_document):
            return None, fields, index
    parts = [first.text]
    index += 1
    # a long title set on two or three centred lines of the same size
    while index < len(paras) and len(parts) < 3:
        para = paras[index]
        same_look = para.title_style == first.title_style and para.centered == first.centered
        if not (same_look and para.size == first.size and first.size is not None and _title_like(para)):
            break
        parts.append(para.text)
        index += 1
    return collapse_cjk_spaces("".join(parts)), fields, index


def _header_lines(paras: list[_Para], start: int) -> tuple[list[str], int]:
    """The lines under the title: dated header lines (通过, 施行 ...) and centred bracketed notes such as "（#继承编）"
    or "（草案）", brackets dropped; and the index of the first body paragraph."""
    info: list[str] = []
    index = start
    while index < len(paras):
        para = paras[index]
        dated = header_line(para.text)
        if dated is not None:
            info.append(dated)
        elif para.centered and BRACKETED_NOTE.match(para.text):
            info.append(para.text[1:-1].strip())
        else:
            break
        index += 1
    return info, index


def _core_fields(document: Any) -> list[tuple[str, str]]:
    """The document properties Word stores (title, subject, keywords, author), under their OOXML names."""
    props = document.core_properties
    pairs = [("dc:title", props.title), ("dc:subject", props.subject), ("cp:keywords", props.keywords),
             ("dc:creator", props.author)]  # fmt: skip
    return [(key, clean_line(value)) for key, value in pairs if value and clean_line(value)]


def _looks_like_heading(para: _Para, body_size: float | None) -> bool:
    """A centred short line set larger than the body text ("一、执行机构及其职责" at 18 pt over 16 pt text)."""
    return (
        para.centered
        and not para.table
        and para.size is not None
        and body_size is not None
        and para.size >= body_size + HEADING_SIZE_STEP
        and len(para.text) <= MAX_HEADING_CHARS
        and NON_TITLE_END.search(para.text) is None
    )


def _blocks(paras: list[_Para]) -> tuple[Block, ...]:
    kinds = [kind for kind in (structural_kind(p.text) for p in paras) if kind]
    levels = heading_levels(kinds)
    sizes = sorted(p.size for p in paras if p.size is not None and not p.centered)
    body_size = sizes[len(sizes) // 2] if sizes else None
    blocks: list[Block] = []
    for para in paras:
        kind = structural_kind(para.text)
        if kind:
            blocks.append(Block(text=para.text, kind="heading", level=levels[kind]))
        elif para.heading is not None and not para.table and len(para.text) <= MAX_HEADING_CHARS:
            blocks.append(Block(text=para.text, kind="heading", level=para.heading))
        elif _looks_like_heading(para, body_size):
            blocks.append(Block(text=para.text, kind="heading", level=min(levels.values(), default=1)))
        else:
            blocks.append(Block(text=para.text))
    return tuple(blocks)


def extract(data: bytes, path: str) -> ExtractedText:
    """Read a Word .docx document: title, header lines, body paragraphs and tables (rows as tab-joined cells).

    Raises CorruptFile for a truncated, damaged or non-Word file, EmptyFile for a document with no text.
    """
    if data.startswith(OLE_MAGIC):
        raise CorruptFile(
            f"{path}: not a .docx package but an OLE file (a Word 97-2003 .doc, or a password-protected .docx); "
            "save it from Word as an unprotected .docx and try again"
        )
    damaged = (
        f"{path}: not a valid Word document (truncated or damaged: {{}}); open and save it again in Word, or "
        "export it to .docx"
    )
    try:  # opening parses the package, the document, its styles, numbering and properties
        document = docx.Document(io.BytesIO(data))
        numbering = _Numbering(_numbering_root(document))
        styles = _StyleBook(document)
        core = _core_fields(document)
    except READ_ERRORS as exc:
        raise CorruptFile(damaged.format(type(exc).__name__)) from exc
    try:
        paras = list(_read_container(document.element.body, document, styles, numbering))
    except (etree.XMLSyntaxError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise CorruptFile(damaged.format(type(exc).__name__)) from exc
    paras = [para for para in paras if not is_page_number_line(para.text)]
    if not paras:
        raise EmptyFile(f"{path}: the Word document holds no text; expected a law or policy text")
    title, fields, start = _split_title(paras)
    if title is None:
        title = next((value for key, value in core if key == "dc:title"), None)
    info, start = _header_lines(paras, start)
    body = paras[start:]
    toc = toc_span([para.text for para in body])
    if toc is not None:
        body = body[: toc[0]] + body[toc[1] :]
    if not body and title is not None:
        body = [_Para(title)]
    return ExtractedText(
        path=path,
        format=Format.DOCX,
        title=title,
        info=tuple(info),
        blocks=_blocks(body),
        fields=tuple(fields + core),
    )


def _numbering_root(document: Any) -> Any:
    """The numbering definitions' XML root, or None when the document has none."""
    try:
        return document.part.numbering_part.element
    except (KeyError, NotImplementedError):
        return None
