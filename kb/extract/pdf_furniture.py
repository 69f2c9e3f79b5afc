"""PDF page furniture: lines of every page -> the same lines less page numbers, running heads, web leftovers, 版记."""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence

from kb.extract.pdf_layout import Line

# Page-number lines in the forms Chinese documents use; each alternative is anchored to the whole line:
#   "— 3 —", "- 3 -", "–3–", "～3～"  the official-document style (GB/T 9704: a dash each side)
#   "·3·", "• 3 •"                   a dot each side
#   "第3页", "第 3 页 共 14 页", "共14页 第3页", "第3页/共14页"
#   "3/14", "3 / 14", "Page 3 of 14", "- 3 / 14 -"
PAGE_NUMBER = re.compile(
    r"^(?:"
    r"[-—–－─~～]+\s*\d{1,4}\s*[-—–－─~～]+"
    r"|[·•]\s*\d{1,4}\s*[·•]"
    r"|(?:共\s*\d{1,4}\s*页\s*[,，/]?\s*)?第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|[-—–－]?\s*(?:page\s*)?\d{1,4}\s*(?:/|of)\s*\d{1,4}\s*[-—–－]?"
    r")$",
    re.IGNORECASE,
)
# A bare page number ("3", "12"): dropped only at the very top or bottom of a column, never inside the text.
BARE_PAGE_NUMBER = re.compile(r"^\d{1,4}$")
# Leftovers of a web page printed to PDF, found on its first lines: "浏览字号： 大 中 小", "来源： 中国人大网",
# "发布时间：2016-11-07", a time stamp "17:31:34", and the page's buttons "打印本页", "关闭窗口", "【打印】".
WEB_LEFTOVER = re.compile(
    r"^(?:浏览字号|字号|来源|信息来源|发布时间|发布日期|作者|责任编辑|点击数|浏览次数|阅读次数)\s*[:：]"
    r"|\d{1,2}:\d{2}:\d{2}"
    r"|字号\s*[:：]?\s*【?\s*大\s*】?\s*【?\s*中\s*】?\s*【?\s*小"
    r"|打印本页|关闭窗口|【\s*打印\s*】|【\s*关闭\s*】|分享到\s*[:：]|扫一扫"
)
# A 版记 line at the end of an official document: "抄送：…", "主送：…", or the printing line
# "国务院办公厅秘书局 2021年6月11日印发".
BANJI_LINE = re.compile(r"^(?:抄送|抄报|主送|分送|发送)\s*[:：]|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*印\s*发$")
# How many lines at the end of a document are searched for a 版记.
BANJI_WINDOW = 12


def body_size(pages: Sequence[Sequence[Line]]) -> float:
    """The font size most of the text is set in (weighted by characters)."""
    weights: Counter[float] = Counter()
    for lines in pages:
        for line in lines:
            weights[line.size] += len(line.text)
    return weights.most_common(1)[0][0] if weights else 12.0


def typical_gap(pages: Sequence[Sequence[Line]], size: float) -> float:
    """The usual white space between two lines of a paragraph (median over lines of the body size)."""
    gaps = []
    for lines in pages:
        for prev, line in itertools.pairwise(lines):
            same = (
                prev.column == line.column and abs(prev.size - size) < 0.1 * size and abs(line.size - size) < 0.1 * size
            )
            gap = line.top - prev.bottom
            if same and 0 <= gap < 3 * size:
                gaps.append(gap)
    return statistics.median(gaps) if gaps else 0.6 * size


def _edge_lines(lines: Sequence[Line], count: int = 2) -> list[Line]:
    """The first and last ``count`` lines of each column of a page (spanning lines belong to both)."""
    out: list[Line] = []
    for column in {line.column for line in lines} or {0}:
        members = sorted((ln for ln in lines if ln.column in (column, -1)), key=lambda ln: ln.top)
        out.extend(members[:count] + members[-count:])
    return out


def is_page_number(line: Line, height: float) -> bool:
    """True for a page-number line; bare numbers count only in the outer eighth of the page."""
    text = line.text.strip()
    if PAGE_NUMBER.match(text):
        return True
    return bool(BARE_PAGE_NUMBER.match(text)) and (line.top > 0.875 * height or line.bottom < 0.125 * height)


def drop_page_numbers(lines: Sequence[Line], height: float) -> list[Line]:
    """A page's lines less the page-number lines at the top or bottom of its columns."""
    edges = {id(line) for line in _edge_lines(lines)}
    return [line for line in lines if not (id(line) in edges and is_page_number(line, height))]


def _key(text: str) -> str:
    """A running head's text with digits and spaces removed, so "第3页 上海市公报" matches on every page."""
    return re.sub(r"[\d\s]+", "", text)


def drop_running_heads(pages: Sequence[Sequence[Line]], size: float, gap: float) -> tuple[list[list[Line]], set[str]]:
    """Every page's lines less the running headers and footers, and the texts removed.

    A running head is a line at the top or bottom of a column whose text (digits aside) comes back on at least two
    pages and on a third of them, and that stands apart from the body on most of the pages it is on: set smaller,
    or farther from the next line than the lines of a paragraph are from each other. The short last line of a
    paragraph that happens to repeat ("事项。") is kept, since it sits at the usual distance.
    """
    seen: dict[str, list[tuple[int, Line, bool]]] = defaultdict(list)  # key -> (page, line, stands apart)
    for index, lines in enumerate(pages):
        ordered = sorted(lines, key=lambda ln: ln.top)
        position = {id(line): i for i, line in enumerate(ordered)}
        for line in _edge_lines(lines):
            key = _key(line.text)
            if key:
                seen[key].append((index, line, _stands_apart(line, ordered, position, size, gap)))
    populated = sum(1 for lines in pages if lines)
    threshold = max(2, int(0.3 * populated + 0.999))
    heads: set[int] = set()
    for occurrences in seen.values():
        on_pages = {index for index, _, _ in occurrences}
        apart = [line for _, line, alone in occurrences if alone]
        if len(on_pages) < threshold or len(apart) * 2 <= len(occurrences):
            continue
        # the head itself, where it stands apart, and where it is set the same way at the same place (a page
        # with little text); not the same words in another type, like the title under a head that repeats it
        for _, line, alone in occurrences:
            if alone or any(_same_setting(line, other) for other in apart):
                heads.add(id(line))
    removed = {line.text for lines in pages for line in lines if id(line) in heads}
    return [[line for line in lines if id(line) not in heads] for lines in pages], removed


def _same_setting(line: Line, other: Line) -> bool:
    """Set in the same size at the same height (within a point or two)."""
    return abs(line.size - other.size) <= 0.05 * other.size and abs(line.top - other.top) <= 2.0


def _stands_apart(line: Line, ordered: Sequence[Line], position: dict[int, int], size: float, gap: float) -> bool:
    """True when a line is set smaller than the body or separated from its neighbours by extra white space."""
    if line.size < 0.9 * size:
        return True
    i = position[id(line)]
    neighbours = [ordered[j] for j in (i - 1, i + 1) if 0 <= j < len(ordered)]
    distances = [max(line.top - n.bottom, n.top - line.bottom) for n in neighbours]
    return bool(distances) and min(distances) > max(1.6 * gap, 0.6 * size)


def drop_web_leftovers(lines: Sequence[Line]) -> tuple[list[Line], int]:
    """Lines less the leftovers of a web page (字号 buttons, 来源, time stamps), and how many were dropped."""
    kept = [line for line in lines if not WEB_LEFTOVER.search(line.text)]
    return kept, len(lines) - len(kept)


def banji_start(lines: Sequence[Line]) -> int | None:
    """Index of the first line of a 版记 (抄送/印发 block) among the last lines of a document, or None."""
    start = None
    for index in range(max(0, len(lines) - BANJI_WINDOW), len(lines)):
        if BANJI_LINE.search(lines[index].text.strip()):
            start = index if start is None else min(start, index)
    return start
