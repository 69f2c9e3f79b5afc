"""PDF text assembly: the cleaned lines of every page -> 版头 fields, title, info lines and body blocks."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kb.extract.pdf_layout import Line, is_cjk
from kb.models import Block
from kb.normalize.clean import PARAGRAPH_START, ends_sentence, header_line, structural_kind
from kb.segment.patterns import article

# A heading of the legislative grammar at the start of a line: 第一编, 第二分编, 第三章, 第四节 (Chinese or Arabic
# numerals); the words after the number are the heading's name.
HEADING_NUMBER = re.compile(r"^第[零〇一二三四五六七八九十百千两\d]+(分编|编|章|节)(?=[\s\u3000]|$|[^\s条款项])")
# The start of an article: 第一条, 第一百零五条之一 — never a heading, and a sure sign the body has begun.
ARTICLE_START = re.compile(r"^第[零〇一二三四五六七八九十百千两\d]+条")
# The title of a table of contents: "目录", "目 录", "目　次".
TOC_TITLE = re.compile(r"^目[\s\u3000]*[录次]$")
# An entry of a table of contents may end in dot leaders and a page number: "第一章 总则 ………… 1".
TOC_TAIL = re.compile(r"[\s.·…．\-—]*\d*$")
# A 发文字号 in a 版头: 国发〔2021〕3号, 京政办发[2019]12号, 法释〔2022〕8号.
DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}[〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*\d{1,4}\s*号")
# A date at the start of an info line, after which the corpus puts a space: "2021年6月10日 第十三届…通过".
LEADING_DATE = re.compile(r"^(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*")
# A date spaced out by the typesetter ("2016 年 11 月 7 日"); the spaces are dropped.
SPACED_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
# A footnote marker left in the running text: "[17]", "［3］" (1-3 digits, so 文号 years like [2015] stay).
FOOTNOTE_MARKER = re.compile(r"[\[［]\d{1,3}[\]］]")
# The number of a list item in brackets, which is body text even right under a title: （一）, (二), （3）.
ITEM_NUMBER = re.compile(r"^[（(][一二三四五六七八九十\d]{1,3}[）)]")
# Characters after which a line cannot end a paragraph (the sentence goes on).
OPEN_ENDINGS = "，、（《“‘(["

# How far (in font sizes) a line must start right of the column's left edge to be a first-line indent.
INDENT = 0.8
# A line ending more than this many font sizes short of the column's right edge ends its paragraph.
SHORT_LINE = 2.2
# A title is set at least this much larger than the body text ...
TITLE_SCALE = 1.15
# ... and starts within this many lines of the top of the first page (after the 版头).
TITLE_WINDOW = 4


@dataclass(frozen=True, slots=True)
class Column:
    """The left and right edges of a text column, learnt from the lines set in it."""

    left: float
    right: float
    telling: bool = True  # lines start at more than one place, so indents and line ends tell paragraphs apart

    @property
    def centre(self) -> float:
        return (self.left + self.right) / 2


@dataclass(frozen=True, slots=True)
class Head:
    """What precedes the body on the first page: 版头 fields, title and info lines."""

    fields: tuple[tuple[str, str], ...]
    title: str | None
    info: tuple[str, ...]


def join_text(left: str, right: str) -> str:
    """Two pieces of one paragraph joined: no space inside Chinese text or numbers, one between Latin words."""
    if not left:
        return right
    if not right:
        return left
    if left[-1].isascii() and left[-1].isalpha() and right[0].isascii() and right[0].isalpha():
        return f"{left} {right}"
    return left + right


def columns(pages: Sequence[Sequence[Line]], size: float) -> dict[tuple[int, int], Column]:
    """Column edges per layout (columns on the page, column index), learnt from body-size lines of all pages.

    The left edge is the leftmost start shared by several lines (continuation lines start there; first lines are
    indented); the right edge is the most common end among lines that reach the right side (justified lines end
    there; a hanging comma may stick out a little).
    """
    starts: dict[tuple[int, int], Counter[int]] = {}
    ends: dict[tuple[int, int], Counter[int]] = {}
    for lines in pages:
        for line in lines:
            if abs(line.size - size) > 0.15 * size:
                continue
            key = (line.columns, max(line.column, 0))
            starts.setdefault(key, Counter())[round(line.x0)] += 1
            ends.setdefault(key, Counter())[round(line.x1)] += 1
    out = {}
    for key, counter in starts.items():
        total = sum(counter.values())
        # in a short text the margin may be reached by one line only; in a long one, strays are ignored
        frequent = [x for x, n in counter.items() if n >= max(2, 0.05 * total)] if total >= 20 else []
        left = min(frequent or counter)
        end_counter = ends[key]
        far = max((x for x, n in end_counter.items() if n >= max(2, 0.05 * total)), default=max(end_counter))
        near = {x: n for x, n in end_counter.items() if x >= far - 3 * size}
        right = max(near, key=lambda x: (near[x], x)) if near else far
        starts_apart = max(counter) - min(counter) >= INDENT * size
        ends_apart = max(end_counter) - min(end_counter) >= SHORT_LINE * size
        out[key] = Column(float(left), float(max(right, left + size)), starts_apart and ends_apart)
    return out


def column_of(line: Line, geometry: dict[tuple[int, int], Column]) -> Column:
    """The column a line is set in (a line spanning two columns is measured against the page's width)."""
    key = (line.columns, max(line.column, 0))
    if line.column < 0:
        key = (1, 0)
    if key in geometry:
        return geometry[key]
    if geometry:
        return next(iter(geometry.values()))
    return Column(line.x0, line.x1)


def _centred(line: Line, column: Column) -> bool:
    """Set in the middle of the column, well clear of both edges."""
    middle = (line.x0 + line.x1) / 2
    return line.x0 - column.left >= 2.5 * line.size and abs(middle - column.centre) <= 2.0 * line.size


def read_head(lines: Sequence[Line], size: float, column: Column, red_rule: float | None) -> tuple[Head, int]:
    """Read the 版头, title and info lines at the top of the first page; returns them and where the body starts."""
    fields: list[tuple[str, str]] = []
    i = 0
    masthead: list[str] = []
    if red_rule is not None and any(line.bottom <= red_rule + 1 for line in lines):
        while i < len(lines) and lines[i].bottom <= red_rule + 1:
            line = lines[i]
            number = DOC_NUMBER.search(line.text)
            if line.red:
                masthead.append(line.text)
            elif number:
                fields.append(("发文字号", number.group(0)))
            elif "签发人" in line.text:
                fields.append(("签发人", line.text.split("签发人", 1)[1].strip(" :：")))
            else:
                masthead.append(line.text)
            i += 1
    else:
        while i < len(lines) and lines[i].red and lines[i].size >= size:
            masthead.append(lines[i].text)
            i += 1
    if masthead:
        text = ""
        for part in masthead:
            text = join_text(text, part)
        fields.insert(0, ("版头", text))
    title, above, i = _read_title(lines, i, size)
    fields.extend(("页首", text) for text in above)
    info, i = _read_info(lines, i, size, column)
    return Head(tuple(fields), title, tuple(info)), i


def _read_title(lines: Sequence[Line], start: int, size: float) -> tuple[str | None, list[str], int]:
    """The title: the run of lines in the largest type among the first lines of the first page.

    Returns the title, the lines above it (markers such as "附件1" or "特急"), and where the lines after it begin.
    """
    window = lines[start : start + TITLE_WINDOW]
    candidates = [
        offset
        for offset, line in enumerate(window)
        if line.size >= TITLE_SCALE * size
        and not (ARTICLE_START.match(line.text) or HEADING_NUMBER.match(line.text) or TOC_TITLE.match(line.text))
    ]
    if not candidates:
        return None, [], start
    title_size = max(window[offset].size for offset in candidates)
    first = start + min(offset for offset in candidates if abs(window[offset].size - title_size) <= 0.6)
    i = first
    text = ""
    while i < len(lines) and abs(lines[i].size - title_size) <= 0.6 and i - first < 6:
        text = join_text(text, lines[i].text.strip())
        i += 1
    return (text or None), [line.text for line in lines[start:first]], i


def _read_info(lines: Sequence[Line], start: int, size: float, column: Column) -> tuple[list[str], int]:
    """Info lines under the title: bracketed groups "（2021年6月10日…通过）" or centred dated lines."""
    info: list[str] = []
    i = start
    while i < len(lines):
        line = lines[i]
        text = line.text.strip()
        if line.size > TITLE_SCALE * size or ARTICLE_START.match(text) or HEADING_NUMBER.match(text):
            break
        if text[:1] in "（(":
            group = text
            depth = _depth(text)
            j = i + 1
            while depth > 0 and j < len(lines) and j - i < 6 and lines[j].size <= size * 1.05:
                group = join_text(group, lines[j].text.strip())
                depth = _depth(group)
                j += 1
            entry = header_line(SPACED_DATE.sub(r"\1年\2月\3日", group))
            if entry is None and _centred(line, column) and not ITEM_NUMBER.match(group) and depth == 0:
                entry = _info_text(group)  # a centred note under the title, e.g. "（民法典继承编）"
            if entry is None:
                break
            info.append(entry)
            i = j
            continue
        entry = header_line(SPACED_DATE.sub(r"\1年\2月\3日", text)) if _centred(line, column) else None
        if entry is None:
            break
        info.append(entry)
        i += 1
    return info, i


def _depth(text: str) -> int:
    """How many brackets are open at the end of ``text``."""
    return sum(1 for ch in text if ch in "（(") - sum(1 for ch in text if ch in "）)")


def _info_text(group: str) -> str:
    """An info group without its outer brackets, with a space after the leading date as the corpus writes it."""
    text = group.strip()
    if text[:1] in "（(" and text[-1:] in "）)":
        text = text[1:-1].strip()
    text = SPACED_DATE.sub(r"\1年\2月\3日", text)
    return LEADING_DATE.sub(lambda m: m.group(1) + " ", text, count=1).strip()


def drop_toc(lines: Sequence[Line], geometry: dict[tuple[int, int], Column]) -> list[Line]:
    """Body lines less a table of contents (目录 and its entries) that comes before the first article.

    The entries run from the 目录 line to the line that repeats the first entry as the real heading, or to the
    first article or full paragraph line when the headings are not repeated.
    """
    start = None
    for index, line in enumerate(lines[:400]):
        if ARTICLE_START.match(line.text):
            return list(lines)
        if TOC_TITLE.match(line.text.strip()):
            start = index
            break
    if start is None:
        return list(lines)
    first_key = None
    end = start + 1
    while end < len(lines):
        line = lines[end]
        key = TOC_TAIL.sub("", re.sub(r"[\s\u3000]+", "", line.text))
        column = column_of(line, geometry)
        if first_key is None:
            first_key = key
        elif key == first_key or ARTICLE_START.match(line.text):
            break
        tail = TOC_TAIL.search(line.text)
        if line.x1 >= column.right - SHORT_LINE * line.size and not (tail and tail.group(0).strip()):
            break  # a full line of running text: the body has begun
        end += 1
    return list(lines[:start]) + list(lines[end:])


def _heading_kind(text: str) -> str | None:
    match = HEADING_NUMBER.match(text)
    return match.group(1) if match else None


def _is_heading(line: Line, column: Column, size: float, body_heavy: bool) -> bool:
    text = line.text.strip()
    if len(text) > 40 or ARTICLE_START.match(text) or text[-1:] in "。；，、：":
        return False
    if _centred(line, column):
        return line.size >= 1.08 * size or (line.heavy and not body_heavy) or bool(HEADING_NUMBER.match(text))
    short = line.x1 < column.right - SHORT_LINE * line.size
    return bool(HEADING_NUMBER.match(text)) and short and len(text) <= 30 and (line.heavy or line.size > size)


def paragraphs(lines: Sequence[Line], geometry: dict[tuple[int, int], Column], size: float, gap: float) -> list[Block]:
    """Body lines -> headings and paragraphs, joining wrapped lines within and across pages.

    A line starts a new paragraph when it is indented from the column's left edge, when the line before it ended
    short of the right edge (unless that line ends inside a sentence, with a comma or an open bracket), when the
    white space above it is much larger than between the lines of a paragraph, or when its type size changes.
    Otherwise it continues the paragraph, also across a page break, so an article, a 《》 title or a date cut
    by a line or page break comes out whole; but the next article in sequence after a sentence end starts its own
    paragraph wherever the line before ended (see :func:`_next_article`).
    """
    body_heavy = _mostly_heavy(lines, size)
    blocks: list[tuple[str, str, int, bool]] = []  # (kind, text, page, open: can take the next line)
    last_article = 0  # the number of the last article opened, to tell the next one from a wrapped reference
    prev: Line | None = None
    for line in lines:
        column = column_of(line, geometry)
        text = line.text.strip()
        if _is_heading(line, column, size, body_heavy):
            if blocks and blocks[-1][0] == "heading" and blocks[-1][3] and not HEADING_NUMBER.match(text):
                kind, joined, page, _ = blocks[-1]
                blocks[-1] = (kind, join_text(joined, text), page, False)
            else:
                wide = line.x1 - line.x0 >= 0.6 * (column.right - column.left)
                blocks.append(("heading", text, line.page, wide))
            prev = line
            continue
        starts_next = _next_article(text, prev, last_article)
        if (
            prev is not None
            and blocks
            and blocks[-1][0] == "para"
            and blocks[-1][3]
            and not starts_next
            and _continues(prev, line, geometry, gap)
        ):
            kind, joined, page, _ = blocks[-1]
            blocks[-1] = (kind, join_text(joined, text), page, True)
        elif structural_kind(text) and line.x1 < column.right - SHORT_LINE * line.size:
            # a chapter or section heading set like a paragraph (no centring, no bold): a short line of its own
            blocks.append(("heading", text, line.page, False))
        else:
            blocks.append(("para", text, line.page, line.column >= 0))
            if (opened := article(text)) is not None and opened.ordinal is not None and not opened.sub:
                last_article = opened.ordinal if opened.spaced or opened.ordinal == last_article + 1 else last_article
        prev = line
    levels = _heading_levels(text for kind, text, _, _ in blocks if kind == "heading")
    out = []
    for kind, text, page, _ in blocks:
        cleaned = clean_block_text(text)
        if not cleaned:
            continue
        if kind == "heading":
            out.append(Block(text=cleaned, kind="heading", level=levels.get(_heading_kind(cleaned)), page=page))
        else:
            out.append(Block(text=cleaned, kind="para", page=page))
    return out


def _next_article(text: str, prev: Line | None, last_article: int) -> bool:
    """True when ``text`` opens the article after ``last_article`` right after a sentence ends.

    A Word export often runs an article's last line to the right margin, so "the line before was full" says
    nothing; the next number in sequence after a full stop or semicolon does. A line opening with 第三十五条规定…
    wraps a cross-reference (kb.segment.patterns.article rejects it), and a number out of sequence is a citation.
    """
    if prev is None:
        return False
    opened = article(text)
    if opened is None or opened.ordinal is None or opened.sub:
        return False
    return opened.ordinal == last_article + 1 and ends_sentence(prev.text)


def _mostly_heavy(lines: Sequence[Line], size: float) -> bool:
    body = [line for line in lines if abs(line.size - size) < 0.1 * size]
    return sum(1 for line in body if line.heavy) * 2 > len(body) if body else False


def _continues(prev: Line, line: Line, geometry: dict[tuple[int, int], Column], gap: float) -> bool:
    """True when ``line`` carries on the paragraph that ``prev`` belongs to."""
    column = column_of(line, geometry)
    prev_column = column_of(prev, geometry)
    if line.column < 0 or prev.column < 0:
        return False
    if abs(line.size - prev.size) > 0.15 * max(line.size, prev.size):
        return False
    if line.x0 - column.left >= INDENT * line.size:
        return False
    ending = prev.text.strip()[-1:]
    if prev.x1 < prev_column.right - SHORT_LINE * prev.size and ending not in OPEN_ENDINGS:
        return False
    same_place = prev.page == line.page and prev.column == line.column
    if same_place and line.top - prev.bottom > max(2.2 * gap, gap + 0.6 * line.size):
        return False
    if not (column.telling and prev_column.telling):
        # every line starts (or ends) at the same place, as on a page of one-line paragraphs: positions cannot
        # tell where a paragraph ends, so a sentence end followed by an article or item number does
        return not (ends_sentence(prev.text) and PARAGRAPH_START.match(line.text.strip()))
    return True


def _heading_levels(texts: Iterable[str]) -> dict[str | None, int]:
    """Heading depth by kind among the kinds the document uses: 编 above 分编 above 章 above 节."""
    order = ["编", "分编", "章", "节"]
    present = {_heading_kind(text) for text in texts}
    ranked = [kind for kind in order if kind in present]
    levels: dict[str | None, int] = {kind: index + 1 for index, kind in enumerate(ranked)}
    levels[None] = 1
    return levels


def clean_block_text(text: str) -> str:
    """A block's text less PDF artefacts: footnote markers, spaces inside dates, doubled spaces."""
    text = FOOTNOTE_MARKER.sub("", text)
    text = SPACED_DATE.sub(r"\1年\2月\3日", text)
    text = re.sub(r"(?<=\S) {2,}(?=\S)", " ", text)
    return text.strip()


def is_cjk_text(text: str) -> bool:
    """True when most characters of ``text`` are Chinese."""
    letters = [ch for ch in text if not ch.isspace()]
    return bool(letters) and sum(1 for ch in letters if is_cjk(ch)) * 2 > len(letters)
