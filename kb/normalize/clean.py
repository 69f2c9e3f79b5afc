"""Normalisation: raw bytes and strings from any extractor -> clean lines (widths, spaces, page numbers, wraps).

Every step is a pure function with a name, so each extractor (PDF, Word, HTML, text, Markdown) applies the same steps
in the same way. The stored text is the text as published: full-width digits (８０), letters and punctuation stay as
the source writes them, so a quotation from kb is a quotation of the source. Only what no reader sees as a different
character is changed: layout spaces, zero-width characters, and font artefacts (radical and compatibility code points
a PDF font hands out for ordinary characters). Folding widths for matching (dates, numbers, search) happens where the
matching is done, with :func:`fold_width` or the search analyzer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from kb.normalize.dates import COMPACT_DATE
from kb.normalize.numerals import FULLWIDTH_DIGITS
from kb.normalize.width import display_width

# ---------------------------------------------------------------------------------------------------------------
# Widths and spaces

# Full-width digits and Latin letters (０-９, Ａ-Ｚ, ａ-ｚ) -> ASCII, so that "２０２１年" reads as "2021年" when
# dates and numbers are matched. Not applied to the stored text, which keeps the source's widths.
_FULLWIDTH_ALNUM = FULLWIDTH_DIGITS | str.maketrans(
    "ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
)

# Spaces that only carry layout: no-break (&nbsp;), en/em/thin spaces, narrow no-break, medium mathematical space.
# They become an ASCII space; the ideographic space U+3000 is kept, it is part of the Chinese text ("第一章　总则").
LAYOUT_SPACE = re.compile("[\u00a0\u2000-\u200a\u202f\u205f]")
# Zero-width characters and a stray byte-order mark inside text (copied from web pages and Word): removed.
ZERO_WIDTH = re.compile("[\u200b-\u200d\u2060\ufeff\u00ad]")

# CJK ideographs and CJK / full-width punctuation: the characters between which a space is never part of the text.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3001-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
# A run of spaces between two CJK characters, e.g. the letter-spacing in "几 个 问 题 的 通 知" or a PDF's
# "数 据" from justified lines; removing it joins the characters back.
CJK_INNER_SPACE = re.compile(f"(?<=[{_CJK}])[ \u3000\t]+(?=[{_CJK}])")
# Any run of whitespace or zero-width characters, for whitespace-insensitive comparison.
WHITESPACE = re.compile("[\\s\u200b-\u200d\u2060\ufeff]+")


def fold_width(text: str) -> str:
    """Full-width digits and Latin letters to ASCII: "２０２１年" -> "2021年"; punctuation is kept."""
    return text.translate(_FULLWIDTH_ALNUM)


def normalize_spaces(text: str) -> str:
    """Layout spaces (&nbsp;, en/em/thin) to ASCII spaces and zero-width characters removed; U+3000 is kept."""
    return ZERO_WIDTH.sub("", LAYOUT_SPACE.sub(" ", text))


def collapse_cjk_spaces(text: str) -> str:
    """Remove spaces that sit between two CJK characters (layout artefacts): "几 个 问 题" -> "几个问题"."""
    return CJK_INNER_SPACE.sub("", text)


# Code point ranges whose characters a font may hand out for an ordinary ideograph, folded by NFKC: Kangxi radicals
# (⼈ U+2F08 for 人, U+2F00-U+2FD5), CJK compatibility ideographs (U+F900-U+FAFF, U+2F800-U+2FA1F).
_NFKC_ARTEFACT_RANGES = ((0x2F00, 0x2FD5), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))
# The CJK Radicals Supplement entries that stand for a character (⺠ U+2EA0 for 民, ⻔ U+2ED4 for 门), a table
# derived from the Unicode data by scripts/build_radical_table.py.
RADICALS_FILE = Path(__file__).resolve().parent.parent / "data" / "radicals.tsv"


@lru_cache(maxsize=1)
def artefact_table() -> dict[int, str]:
    """Code point -> the character it stands for: Kangxi radicals, compatibility ideographs, supplement radicals."""
    table: dict[int, str] = {}
    for low, high in _NFKC_ARTEFACT_RANGES:
        for code in range(low, high + 1):
            folded = unicodedata.normalize("NFKC", chr(code))
            if folded != chr(code) and len(folded) == 1:
                table[code] = folded
    text = RADICALS_FILE.read_text(encoding="utf-8")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            hex_code, _, character, *_ = line.split("\t")
            table[int(hex_code, 16)] = character
    return table


def fold_artefacts(text: str) -> str:
    """Font artefacts to the character they stand for: "人⺠" -> "人民", "⻔户" -> "门户"; nothing else changes."""
    return text.translate(artefact_table())


def clean_line(text: str) -> str:
    """The common per-line steps: fold font artefacts, normalise spaces, strip indentation and trailing spaces.

    Widths are kept: "第８０条" stays as written (see the module docstring)."""
    return normalize_spaces(fold_artefacts(text)).strip()


def squeeze(text: str) -> str:
    """``text`` with all whitespace removed, for whitespace-insensitive comparison."""
    return WHITESPACE.sub("", text)


# ---------------------------------------------------------------------------------------------------------------
# Page numbers

# A line holding nothing but a page number, in the forms Chinese documents print:
#   "— 3 —", "- 3 -", "－3－", "─ 12 ─"   official documents (GB/T 9704) put the number between dashes;
#   "第3页", "第 3 页 共 14 页", "共14页 第3页"   Word page fields;
#   "3/14", "3 / 14"                          page of pages;
#   "Page 3", "Page 3 of 14"                  English templates;
#   "3"                                       a bare number of at most 4 digits.
PAGE_NUMBER_LINE = re.compile(
    r"""^\s*(?:
        [-—–－─]{1,2}\s*\d{1,4}\s*[-—–－─]{1,2}
      | (?:共\s*\d{1,4}\s*页\s*[,，]?\s*)?第\s*\d{1,4}\s*页(?:\s*[,，/／]?\s*共\s*\d{1,4}\s*页)?
      | \d{1,4}\s*[/／]\s*\d{1,4}
      | [Pp]age\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?
      | \d{1,4}
    )\s*$""",
    re.VERBOSE,
)


def is_page_number_line(line: str) -> bool:
    """True when ``line`` is only a page number ("— 3 —", "- 3 -", "第3页", "3/14", "3")."""
    return PAGE_NUMBER_LINE.match(fold_width(line)) is not None


# ---------------------------------------------------------------------------------------------------------------
# Structure a line shows on its face

# A heading of the legislation grammar: 第X编/分编/章/节 and an optional short name, with no sentence punctuation,
# e.g. "第一章　总则", "第三节 数据安全", "第二分编 合同". Shaped to refuse a sentence that starts the same way
# ("第三节规定的情形，…"): the name may not hold 。，；： (a 、 may: "第三章 审议工作报告、议案") and stays short.
STRUCTURAL_HEADING = re.compile(
    r"^第[零〇一二三四五六七八九十百千两\d]{1,6}(?P<kind>分编|编|章|节)(?:[\s\u3000]*[^\s。，；：、！？,;:][^。，；：！？,;:]{0,38})?$"
)
# Depth of each heading kind, outermost first; levels are given by rank among the kinds a document uses.
HEADING_KINDS = ("编", "分编", "章", "节")
# A table of contents' own heading: "目录", "目　　录".
TOC_HEADING = re.compile(r"^目[\s\u3000]*录$")

# The start of a new paragraph in legal and policy texts, so a wrapped line is never glued to the next unit:
# 第X条 (article), 第X章/节/编, 一、 (division), （一） / (一) (subdivision), 1. 1、 1．(item), （1） (subitem),
# ①, and 附件 / 附则 lines. E.g. "第十二条 …", "（三）…", "2.…".
PARAGRAPH_START = re.compile(
    r"^(?:第[零〇一二三四五六七八九十百千两\d]{1,6}[条章节编]"
    r"|[一二三四五六七八九十]{1,3}[、．.]"
    r"|[（(][一二三四五六七八九十\d]{1,3}[）)]"
    r"|\d{1,3}[.．、](?!\d)"
    r"|[①-⑳]"
    r"|附件|附则|附表)"
)

# Punctuation that closes a sentence or a lead-in, optionally followed by closing quotes or brackets:
# "…制定本条例。", "…下列情形之一的：", "…（试行）。”". A line ending so is a paragraph's last line.
SENTENCE_END = re.compile(r"[。！？；：…!?;:][”’」』）)〕】]*$")
# An article's number set off by a space, as an article's first line has it: "第十二条 …", "第三条　…".
ARTICLE_START = re.compile(r"^第[零〇一二三四五六七八九十百千两\d]{1,6}条(?:之[一二三四五六七八九十]{1,3})?[\s\u3000]")
# Punctuation a title never ends with (a clause or list item does): "…的决定" is a title, "…制定本条例。" is not.
NON_TITLE_END = re.compile(r"[。；：！？，、,;:!?]$")
# Characters that cannot start a paragraph; a line starting with one continues the previous line: "，并且…",
# "。" alone, "、统计…", "）…".
CONTINUATION_START = re.compile(r"^[，。、；：！？）》〉」』】〕”’,.;:!?)]")

# A date as a header line starts with it (kb.normalize.dates holds every date pattern).
DATE = COMPACT_DATE
# The acts a header line records: adoption, approval, promulgation, amendment, revision, entry into force.
HEADER_EVENT = r"(?:通过|批准|公布|发布|印发|修正|修订|修改|施行|实施|废止|审议|制定)"
# A header line under a title: a date and an event, optionally in brackets, e.g.
# "（2021年6月10日第十三届全国人民代表大会常务委员会第二十九次会议通过）", "2007年1月1日 施行",
# "（根据2016年3月30日…的决定修正）". The brackets are the layout of a title block and are dropped.
HEADER_LINE = re.compile(rf"^[（(]?(?:根据)?\s*{DATE}.*{HEADER_EVENT}.*$")
# The same without a date, in brackets and ending with the event: the second half of a header line the source broke
# in two, e.g. "（〈中华人民共和国计量法〉的决定》第四次修正）". A list item "（一）…" is never one.
UNDATED_HEADER_LINE = re.compile(
    rf"^[（(](?![一二三四五六七八九十\d]{{1,3}}[）)])[^（(]*{HEADER_EVENT}[^（()）]{{0,8}}[）)]$"
)
# The leading date of a header line, to put one space after it as the corpus writes it ("2021年6月10日 第十三届…").
LEADING_DATE = re.compile(rf"^({DATE})\s*")


def structural_kind(text: str) -> str | None:
    """'编', '分编', '章' or '节' when ``text`` is a heading of that kind, else None."""
    match = STRUCTURAL_HEADING.match(text.strip())
    return match.group("kind") if match else None


def heading_levels(kinds: Sequence[str]) -> dict[str, int]:
    """Level of each heading kind a document uses: its rank, outermost = 1 (章 is 1 unless there are 编)."""
    present = [kind for kind in HEADING_KINDS if kind in kinds]
    return {kind: rank for rank, kind in enumerate(present, start=1)}


def header_line(text: str) -> str | None:
    """A header line (date + event) normalised as the corpus writes it, else None.

    "（2003年7月18日北京市第十二届人民代表大会常务委员会第五次会议通过）" ->
    "2003年7月18日 北京市第十二届人民代表大会常务委员会第五次会议通过".
    """
    line = clean_line(text)
    if len(line) > 600 or not (HEADER_LINE.match(line) or UNDATED_HEADER_LINE.match(line)):
        return None
    if line[:1] in "（(":
        line = line[1:]
        if line[-1:] in "）)":
            line = line[:-1]
    line = line.strip()
    return LEADING_DATE.sub(lambda m: m.group(1) + " ", line, count=1).strip()


def ends_sentence(line: str) -> bool:
    """True when ``line`` ends with sentence-final punctuation (possibly followed by closing quotes/brackets)."""
    return SENTENCE_END.search(line.rstrip()) is not None


# A table-of-contents entry's tail of dot leaders and a page number: "第一章 总则……………1", "第二章 管理 .... 12".
TOC_ENTRY_TAIL = re.compile(r"(?<!\s)\s*(?<![.．…·‥_-])[.．…·‥_-]{2,}\s*\d{1,4}$|(?<!\s)\s+\d{1,4}$")


def has_toc_tail(text: str) -> bool:
    """Whether ``text`` ends in a table of contents' leader and page number (a digit last: checked first, as most
    lines end otherwise)."""
    last = text[:-1] if text.endswith("\n") else text
    return last[-1:].isdigit() and TOC_ENTRY_TAIL.search(text) is not None


def without_toc_tail(text: str) -> str:
    """``text`` without its table-of-contents leader and page number, if it ends in them."""
    return TOC_ENTRY_TAIL.sub("", text) if has_toc_tail(text) else text


def toc_entry_key(text: str) -> str:
    """A table-of-contents entry or heading without dot leaders, page number and spaces, for matching the two."""
    return squeeze(without_toc_tail(text.strip()))


def toc_span(texts: Sequence[str]) -> tuple[int, int] | None:
    """The stretch ``[start, end)`` of ``texts`` that is a table of contents (目录), or None.

    It starts at a "目录" line; its entries are headings (第X章 …, optionally with leaders and page numbers) and it
    ends where the first entry comes again as the body's own heading, or at the first line that is no entry.
    """
    start = next((i for i, text in enumerate(texts) if TOC_HEADING.match(text.strip())), None)
    if start is None:
        return None
    first_key: str | None = None
    end = start + 1
    while end < len(texts):
        text = texts[end].strip()
        if not text:
            end += 1
            continue
        key = toc_entry_key(text)
        if first_key is not None and key == first_key:
            break
        entry = structural_kind(without_toc_tail(text)) is not None or (
            first_key is not None and has_toc_tail(text) and not ends_sentence(text)
        )
        if not entry:
            break
        if first_key is None:
            first_key = key
        end += 1
    return (start, end) if first_key is not None else None


def leading_header_lines(texts: Sequence[str], start: int = 0) -> tuple[list[str], int]:
    """The header lines (date + event) from ``start`` on, normalised, and the index of the first other line.

    Blank lines between header lines are skipped; e.g. the 通过/批准/修正 lines under a regulation's title.
    """
    info: list[str] = []
    index = start
    while index < len(texts):
        text = texts[index]
        if not text.strip():
            index += 1
            continue
        line = header_line(text)
        if line is None:
            break
        info.append(line)
        index += 1
    return info, index


# ---------------------------------------------------------------------------------------------------------------
# Hard-wrapped lines

# Leading indentation that marks a paragraph's first line: full-width spaces, two or more spaces, a tab.
INDENT = re.compile(r"^(?:[\u3000\t]|\u00a0|  )")
# Share of a document's full lines a line must reach to count as full (wrapped) rather than a paragraph's last line.
_FULL_LINE_SHARE = 0.85
# Columns a full line may fall short of the widest: a CJK character does not fit in the last column.
_WIDTH_SLACK = 2
# Share of a full line below which a line is short: however it ends, it was not wrapped (a signature, a date).
_SHORT_LINE_SHARE = 0.5


def _joined(head: str, tail: str) -> str:
    """Join a wrapped line to its continuation: no space in Chinese, one space between Latin words."""
    latin = head and tail and head[-1].isascii() and tail[0].isascii()
    if latin and (head[-1].isalpha() or tail[0].isalpha()) and head[-1].isalnum() and tail[0].isalnum():
        return head + " " + tail
    return head + tail


def _typical_width(lines: Sequence[str]) -> int:
    """The width of a full line (indentation included): a high percentile of the widths of lines that do not end
    a sentence."""
    widths = sorted(display_width(line.rstrip()) for line in lines if line.strip() and not ends_sentence(line))
    if not widths:
        return 0
    return widths[min(len(widths) - 1, int(len(widths) * 0.9))]


def uses_indentation(lines: Sequence[str]) -> bool:
    """True when paragraphs in ``lines`` are marked by indentation: most lines after a sentence end are indented."""
    after_end = indented = 0
    previous = ""
    for line in lines:
        if not line.strip():
            previous = ""
            continue
        if previous and ends_sentence(previous):
            after_end += 1
            indented += INDENT.match(line) is not None
        previous = line
    return after_end >= 2 and indented >= 0.6 * after_end


def rejoin_wrapped_lines(lines: Sequence[str]) -> list[str]:
    """Paragraphs from hard-wrapped lines (text copied from a PDF), with indentation stripped.

    A line continues on the next one when it does not end a sentence and is about as long as a full line (unless
    the next opens an article: "第十二条 …"). With indented paragraphs, an unindented line continues the previous
    one unless that was short (a signature) or ended a sentence before the paragraph's full width. A blank line,
    a heading (第X章), an article or list start (第X条, 一、, （一）, 1.) begins a new paragraph, and a line that
    starts with a comma or a closing bracket always continues.
    """
    indented = uses_indentation(lines)
    full = _typical_width(lines) * _FULL_LINE_SHARE
    paragraphs: list[str] = []
    current: str | None = None
    last = ""  # the last physical line of the current paragraph, as written
    widths: list[int] = []  # the widths of the current paragraph's physical lines
    for raw in lines:
        text = clean_line(raw)
        if not text:
            if current is not None:
                paragraphs.append(current)
            current = None
            continue
        width = display_width(raw.rstrip())
        if current is None:
            current, last, widths = text, raw, [width]
            continue
        last_width = widths[-1]
        # with indented paragraphs, a sentence ending at a line's end was wrapped there if the line is as wide as
        # the paragraph's other lines; without indentation it ends the paragraph (measured on the gold texts
        # wrapped at 30-45 columns, a paragraph ends at the full width more often than a sentence inside one does)
        last_full = last_width >= (max(widths[:-1]) - _WIDTH_SLACK if len(widths) > 1 else full)
        heading = structural_kind(text) is not None or TOC_HEADING.match(text) is not None
        previous_heading = structural_kind(current) is not None or TOC_HEADING.match(current) is not None
        if CONTINUATION_START.match(text):
            continues = True
        elif heading or previous_heading:
            continues = False
        elif indented:
            short = last_width < full * _SHORT_LINE_SHARE  # "国务院" above a date: no wrapped line
            continues = INDENT.match(raw) is None and (
                (not ends_sentence(last) and not short) or (last_full and PARAGRAPH_START.match(text) is None)
            )
        else:
            # a full line that ends no sentence runs on, even into "第二条规定的…" or "（一）项": a wrapped
            # sentence cannot stop there; only an article number set off by a space opens a new paragraph
            continues = not ends_sentence(last) and last_width >= full and ARTICLE_START.match(text) is None
        if continues:
            current = _joined(current, text)
            widths.append(width)
        else:
            paragraphs.append(current)
            current, widths = text, [width]
        last = raw
    if current is not None:
        paragraphs.append(current)
    return paragraphs
