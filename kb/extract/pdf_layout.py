"""PDF layout: one pdfplumber page -> its text lines in reading order (columns, spacing, size, font, colour)."""

from __future__ import annotations

import contextlib
import statistics
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kb.normalize.clean import fold_artefacts

# pdfplumber describes each glyph as a dict (its own type); this module reads those dicts and nothing else does.
Char = dict[str, Any]

# A gap wider than this many font sizes splits a row of glyphs into separate segments (columns, table cells).
SEGMENT_GAP = 1.5
# Between two Latin letters or digits a gap wider than this (in font sizes) is a word space the PDF did not draw.
LATIN_SPACE_GAP = 0.2
# Next to a Chinese character only a gap of a full character is a space: narrower gaps are the typesetter's
# spacing between Chinese and Western text ("自 2007 年"), not a space in the source.
CJK_SPACE_GAP = 0.9
# Glyphs whose size is below this share of the line's size and that sit above its baseline are superscripts
# (footnote markers such as ¹ or [17]).
SUPERSCRIPT_SIZE = 0.75
# A column holds segments of running text at least this many characters wide (page numbers and list numbers
# next to a column of text do not make a second column).
COLUMN_TEXT = 4.0
# The gutter is looked for every GUTTER_STEP points across the middle half of the page, at most GUTTER_STEPS times
# (a page wider than 4 * GUTTER_STEP * GUTTER_STEPS points, far beyond any real paper, is searched more coarsely).
GUTTER_STEP = 2.0
GUTTER_STEPS = 20_000
# Fonts whose name holds one of these are heavy (bold, 黑体); headings are often set in them.
HEAVY_FONT_MARKERS = ("bold", "black", "heavy", "hei", "黑", "demi", "semibold")


@dataclass(frozen=True, slots=True)
class Line:
    """One visual line of a page (or of one column of it): its text and where and how it is set."""

    text: str
    page: int  # 1-based page number
    x0: float
    x1: float
    top: float
    bottom: float
    size: float  # median font size of its glyphs
    heavy: bool  # most glyphs are in a bold or 黑体 font
    red: bool  # most glyphs are red (a 版头)
    font: str  # the most common font of its glyphs, subset prefix removed
    column: int  # 0 for a single column or the left one, 1 for the right one, -1 for a line spanning both
    columns: int  # how many text columns its page has (1 or 2)


@dataclass(frozen=True, slots=True)
class PageLayout:
    """What a page holds once its glyphs are read: lines in reading order and the shapes that matter."""

    number: int
    width: float
    height: float
    lines: tuple[Line, ...]
    gutter: float | None  # x of the gap between two text columns, None for a single column
    image_cover: float  # share of the page area covered by images (a scan covers nearly all of it)
    red_rules: tuple[float, ...]  # tops of red horizontal rules (the rule under a 版头)
    unmapped: int  # glyphs with no Unicode mapping, dropped


@dataclass(slots=True)
class _Glyph:
    """A glyph reduced to what line building needs (mutable only while a page is read)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    font: str
    red: bool

    @property
    def centre(self) -> float:
        return (self.top + self.bottom) / 2


def is_cjk(ch: str) -> bool:
    """True for Chinese characters and full-width punctuation, the characters that take no spaces between them."""
    code = ord(ch)
    return (
        0x2E80 <= code <= 0x9FFF  # radicals, CJK punctuation, kana, ideographs
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0xFE30 <= code <= 0xFE4F  # vertical forms
        or 0xFF00 <= code <= 0xFFEF  # full-width forms (，（）：)
        or 0x20000 <= code <= 0x3FFFF  # extension B and later
        or ch in "“”‘’—…·"
    )


def normalise_glyph(text: str) -> str:
    """Map look-alike code points that Word and some fonts put in PDFs back to the usual characters.

    Radicals and compatibility ideographs fold as kb.normalize.clean.fold_artefacts folds them (⺠ U+2EA0 for 民);
    Latin ligatures (ﬁ) are NFKC-mapped; everything else, full-width digits and punctuation included, is kept.
    """
    text = fold_artefacts(text)
    if any(0xFB00 <= ord(ch) <= 0xFB4F for ch in text):
        text = "".join(unicodedata.normalize("NFKC", ch) if 0xFB00 <= ord(ch) <= 0xFB4F else ch for ch in text)
    return text


def _font_name(raw: Any) -> str:
    """A font's name without the six-letter subset prefix (ABCDEE+SimSun -> SimSun); bytes are decoded as GBK."""
    if isinstance(raw, bytes):
        name = raw.decode("gbk", errors="replace")
    else:
        name = str(raw)
        if name.startswith("b'") or name.startswith('b"'):
            # pdfminer renders an undecodable font name as the repr of its bytes
            with contextlib.suppress(UnicodeError, ValueError):
                name = bytes(name[2:-1], "latin-1").decode("unicode_escape").encode("latin-1").decode("gbk")
    return name.split("+", 1)[1] if len(name) > 7 and name[6] == "+" else name


def is_heavy_font(font: str) -> bool:
    """True for bold and 黑体 fonts."""
    lowered = font.lower()
    return any(marker in lowered for marker in HEAVY_FONT_MARKERS)


def _colour(value: Any) -> tuple[float, ...] | None:
    """pdfplumber's colour (gray, RGB or CMYK tuple, or a pattern name) as a tuple of floats, or None."""
    if isinstance(value, (int, float)):
        return (float(value),)
    if isinstance(value, (tuple, list)) and all(isinstance(v, (int, float)) for v in value):
        return tuple(float(v) for v in value)
    return None


def is_red(value: Any) -> bool:
    """True for a clearly red colour in RGB or CMYK (the 版头 and its rule)."""
    colour = _colour(value)
    if colour is None:
        return False
    if len(colour) == 3:
        r, g, b = colour
        return r > 0.6 and g < 0.4 and b < 0.4
    if len(colour) == 4:
        c, m, y, k = colour
        return c < 0.25 and m > 0.6 and y > 0.5 and k < 0.3
    return False


def is_faint(value: Any) -> bool:
    """True for near-white text, which nobody is meant to read (hidden text, light watermarks)."""
    colour = _colour(value)
    if colour is None:
        return False
    if len(colour) in (1, 3):
        return min(colour) > 0.8
    if len(colour) == 4:
        return max(colour) < 0.12
    return False


def _glyphs(chars: Iterable[Char], width: float, height: float) -> tuple[list[_Glyph], int]:
    """The page's readable glyphs, and how many had no Unicode mapping."""
    glyphs: list[_Glyph] = []
    unmapped = 0
    for char in chars:
        text = char.get("text") or ""
        if not text:
            continue
        if text.startswith("(cid:") or any(0xE000 <= ord(ch) <= 0xF8FF for ch in text):
            unmapped += 1
            continue
        if not char.get("upright", True) or is_faint(char.get("non_stroking_color")):
            continue  # rotated or invisible text: watermarks, hidden layers
        x0, x1, top, bottom = float(char["x0"]), float(char["x1"]), float(char["top"]), float(char["bottom"])
        if x1 < 0 or x0 > width or bottom < 0 or top > height:
            continue
        size = float(char.get("size") or (bottom - top) or 1.0)
        glyphs.append(
            _Glyph(
                text=normalise_glyph(text),
                x0=x0,
                x1=x1,
                top=top,
                bottom=bottom,
                size=size,
                font=_font_name(char.get("fontname", "")),
                red=is_red(char.get("non_stroking_color")),
            )
        )
    return glyphs, unmapped


def _rows(glyphs: list[_Glyph]) -> list[list[_Glyph]]:
    """Glyphs grouped into visual rows by their vertical centre, top to bottom."""
    rows: list[list[_Glyph]] = []
    anchors: list[tuple[float, float]] = []  # (centre, size) of each row's first glyph
    for glyph in sorted(glyphs, key=lambda g: (g.centre, g.x0)):
        if anchors:
            centre, size = anchors[-1]
            if glyph.centre - centre <= 0.45 * max(size, glyph.size):
                rows[-1].append(glyph)
                continue
        rows.append([glyph])
        anchors.append((glyph.centre, glyph.size))
    for row in rows:
        row.sort(key=lambda g: g.x0)
    return rows


def _dedupe(row: list[_Glyph]) -> list[_Glyph]:
    """Drop glyphs drawn twice at the same place (fake bold, shadows)."""
    out: list[_Glyph] = []
    for glyph in row:
        if out and glyph.text == out[-1].text and abs(glyph.x0 - out[-1].x0) < 0.25 * glyph.size:
            continue
        out.append(glyph)
    return out


def _segments(row: list[_Glyph]) -> list[list[_Glyph]]:
    """A row split where the gap between glyphs is wider than SEGMENT_GAP font sizes."""
    segments: list[list[_Glyph]] = [[row[0]]]
    for glyph in row[1:]:
        prev = segments[-1][-1]
        if glyph.x0 - prev.x1 > SEGMENT_GAP * max(glyph.size, prev.size) and not prev.text.isspace():
            segments.append([glyph])
        else:
            segments[-1].append(glyph)
    return segments


def find_gutter(rows: Sequence[Sequence[list[_Glyph]]], width: float) -> float | None:
    """The x of the gap between two text columns, or None when the page has one column.

    A gutter is a band of x in the middle of the page that almost no segment crosses, with text on both sides of
    it in many rows, and on each side several segments of running text (at least COLUMN_TEXT characters wide), so
    that a table of contents with its page numbers at the right is not taken for two columns. The gutter is the
    middle of the widest such band.
    """
    spans = [[(seg[0].x0, seg[-1].x1, seg[0].size) for seg in row] for row in rows]
    spans = [row for row in spans if row]
    if len(spans) < 3:
        return None
    xs = gutter_candidates(width)
    # Segments crossing x (x0 < x < x1), and rows with a segment ending left of x and one starting right of it
    # (the row's first end <= x <= its last start), counted for every candidate at once on sorted edges.
    crossable = [(x0, x1) for row in spans for x0, x1, _ in row if x0 < x1]
    starts = np.sort(np.array([x0 for x0, _ in crossable], dtype=np.float64))
    ends = np.sort(np.array([x1 for _, x1 in crossable], dtype=np.float64))
    crossing = np.searchsorted(starts, xs, "left") - np.searchsorted(ends, xs, "right")
    bounds = [(min(x1 for _, x1, _ in row), max(x0 for x0, _, _ in row)) for row in spans]
    bounds = [(lo, hi) for lo, hi in bounds if lo <= hi]
    lows = np.sort(np.array([lo for lo, _ in bounds], dtype=np.float64))
    highs = np.sort(np.array([hi for _, hi in bounds], dtype=np.float64))
    both = np.searchsorted(lows, xs, "right") - np.searchsorted(highs, xs, "left")
    good = (crossing <= 0.1 * len(spans)) & (both >= max(3, 0.3 * len(spans)))
    if not good.any():
        return None
    best = both[good].max()
    chosen = good & (both == best)
    first = int(np.argmax(chosen))
    run = np.flatnonzero(~chosen[first:])  # the band: the first run of candidates with the most rows on both sides
    last = first + (int(run[0]) if len(run) else len(chosen) - first) - 1
    gutter = (float(xs[first]) + float(xs[last])) / 2
    for side in (lambda x0, x1: x1 <= gutter, lambda x0, x1: x0 >= gutter):
        text = [1 for row in spans for x0, x1, size in row if side(x0, x1) and x1 - x0 >= COLUMN_TEXT * size]
        if len(text) < 2:
            return None
    return gutter


def gutter_candidates(width: float) -> np.ndarray:
    """The x positions a gutter is looked for at: every GUTTER_STEP points across the middle half of the page,
    at most GUTTER_STEPS + 1 of them."""
    step = max(GUTTER_STEP, width * 0.5 / GUTTER_STEPS)
    count = int(width * 0.5 / step + 1e-9) + 1 if width > 0 else 0
    return width * 0.25 + step * np.arange(count, dtype=np.float64)


def _fits(rows: Sequence[Sequence[list[_Glyph]]], gutter: float) -> bool:
    """True when text lies on both sides of ``gutter`` and (almost) nothing crosses it."""
    segments = [seg for row in rows for seg in row]
    crossing = sum(1 for seg in segments if seg[0].x0 < gutter < seg[-1].x1)
    left = any(seg[-1].x1 <= gutter for seg in segments)
    right = any(seg[0].x0 >= gutter for seg in segments)
    return left and right and crossing <= 0.1 * len(rows)


def _line_text(glyphs: list[_Glyph]) -> str:
    """The glyphs' text with spaces where the PDF has them or where a gap means one (see the *_GAP constants)."""
    parts: list[str] = []
    prev: _Glyph | None = None
    pending_space = ""
    for glyph in glyphs:
        if glyph.text.isspace():
            if prev is not None:
                pending_space = " "
            continue
        if prev is not None:
            gap = glyph.x0 - prev.x1
            size = max(glyph.size, prev.size)
            cjk = is_cjk(prev.text[-1]) or is_cjk(glyph.text[0])
            if pending_space:
                parts.append(pending_space)
            elif gap > (CJK_SPACE_GAP if cjk else LATIN_SPACE_GAP) * size:
                parts.append(" ")
        parts.append(glyph.text)
        prev = glyph
        pending_space = ""
    return "".join(parts)


def _drop_superscripts(glyphs: list[_Glyph]) -> list[_Glyph]:
    """Glyphs less superscript footnote markers (small digits or brackets raised above the baseline)."""
    sizes = [g.size for g in glyphs if not g.text.isspace()]
    if not sizes:
        return glyphs
    size = statistics.median(sizes)
    baseline = statistics.median(g.bottom for g in glyphs if not g.text.isspace())
    return [
        g
        for g in glyphs
        if not (
            g.size < SUPERSCRIPT_SIZE * size
            and g.bottom < baseline - 0.2 * size
            and all(ch.isdigit() or ch in "[]［］*①②③④⑤⑥⑦⑧⑨⑩" for ch in g.text)
        )
    ]


def _make_line(glyphs: list[_Glyph], page: int, column: int, columns: int) -> Line | None:
    glyphs = _drop_superscripts(_dedupe(sorted(glyphs, key=lambda g: g.x0)))
    text = _line_text(glyphs).strip()
    if not text:
        return None
    ink = [g for g in glyphs if not g.text.isspace()]
    fonts = [g.font for g in ink]
    font = max(set(fonts), key=fonts.count)
    return Line(
        text=text,
        page=page,
        x0=min(g.x0 for g in ink),
        x1=max(g.x1 for g in ink),
        top=min(g.top for g in ink),
        bottom=max(g.bottom for g in ink),
        size=round(statistics.median(g.size for g in ink), 1),
        heavy=sum(1 for g in ink if is_heavy_font(g.font)) * 2 > len(ink),
        red=sum(1 for g in ink if g.red) * 2 > len(ink),
        font=font,
        column=column,
        columns=columns,
    )


def lay_out(
    chars: Iterable[Char], page: int, width: float, height: float, previous_gutter: float | None = None
) -> tuple[list[Line], float | None, int]:
    """A page's glyphs -> its lines in reading order, the gutter between two columns if any, unmapped glyphs.

    Rows of glyphs are split into segments at wide gaps; when the page has two columns, the lines of each band
    between full-width lines are read left column first, then right column. A page whose second column is too
    short to show itself (the last page of a two-column text) keeps the previous page's gutter if no line
    crosses it.
    """
    glyphs, unmapped = _glyphs(chars, width, height)
    if not glyphs:
        return [], None, unmapped
    rows = [_segments(row) for row in _rows(glyphs)]
    gutter = find_gutter(rows, width)
    if gutter is None and previous_gutter is not None and _fits(rows, previous_gutter):
        gutter = previous_gutter
    lines: list[Line] = []
    if gutter is None:
        for row in rows:
            line = _make_line([g for seg in row for g in seg], page, 0, 1)
            if line is not None:
                lines.append(line)
        return lines, None, unmapped
    band: tuple[list[Line], list[Line]] = ([], [])
    for row in rows:
        left = [g for seg in row if seg[-1].x1 <= gutter for g in seg]
        right = [g for seg in row if seg[0].x0 >= gutter for g in seg]
        spanning = [g for seg in row if seg[0].x0 < gutter < seg[-1].x1 for g in seg]
        if spanning:
            lines.extend(band[0] + band[1])
            band = ([], [])
            line = _make_line(spanning + left + right, page, -1, 2)
            if line is not None:
                lines.append(line)
            continue
        for column, part in ((0, left), (1, right)):
            line = _make_line(part, page, column, 2) if part else None
            if line is not None:
                band[column].append(line)
    lines.extend(band[0] + band[1])
    return lines, gutter, unmapped


def image_cover(images: Iterable[dict[str, Any]], width: float, height: float) -> float:
    """Share of the page covered by its largest image (a scanned page is one image of the whole page)."""
    best = 0.0
    area = max(width * height, 1.0)
    for image in images:
        x0, x1 = max(0.0, float(image["x0"])), min(width, float(image["x1"]))
        top, bottom = max(0.0, float(image["top"])), min(height, float(image["bottom"]))
        if x1 > x0 and bottom > top:
            best = max(best, (x1 - x0) * (bottom - top) / area)
    return min(best, 1.0)


def red_rules(shapes: Iterable[dict[str, Any]], width: float) -> tuple[float, ...]:
    """Tops of red horizontal rules at least 30% of the page wide (the rule under a 版头, in one column or across)."""
    tops = []
    for shape in shapes:
        x0, x1 = float(shape["x0"]), float(shape["x1"])
        top, bottom = float(shape["top"]), float(shape["bottom"])
        if x1 - x0 < 0.3 * width or bottom - top > 6:
            continue
        if is_red(shape.get("stroking_color")) or is_red(shape.get("non_stroking_color")):
            tops.append(round(top, 1))
    return tuple(sorted(set(tops)))
