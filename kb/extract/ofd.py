"""OFD extraction: an .ofd file's bytes (GB/T 33190, a zip of XML) -> ExtractedText, through the plain-text reader.

An OFD package holds OFD.xml, which names each document's Document.xml, which lists its pages; each page's
Content.xml places text as TextObject elements (a Boundary box) holding TextCode runs at X/Y offsets. Runs are
gathered into lines by their baseline and read left to right, lines into paragraphs by layout (an indented line, a
line after one that stops short of the right edge, the next article after a sentence end start a paragraph), and
the paragraphs go through kb.extract.text, so an OFD gets the same title, header, metadata and segmentation as the
same text in any other format. The XML is untrusted: parsed without DTDs, entities or network access, with a cap
on what is read from the archive.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, replace

from lxml import etree

from kb.errors import CorruptFile, EmptyFile
from kb.models import ExtractedText, Format
from kb.normalize.clean import ends_sentence
from kb.segment.patterns import article

# The namespace of the OFD schema (GB/T 33190-2016).
OFD_NS = "http://www.ofdspec.org/2016"
# The most bytes read from one archive member, and from all of them: a zip bomb is refused, not unpacked.
MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 256 * 1024 * 1024
# A paragraph's first line starts at least this many character widths right of the page's left text edge.
INDENT = 0.8
# A line that stops this many character widths short of the right text edge ends its paragraph.
SHORT_LINE = 2.0
# Runs whose baselines differ by less than this share of the type size are on one line.
SAME_LINE = 0.5
# A page's box when a page gives none (A4 in millimetres, OFD's unit).
DEFAULT_BOX = (0.0, 0.0, 210.0, 297.0)

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
)
_READ_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, OSError, EOFError, zlib.error)


@dataclass(frozen=True, slots=True)
class _Run:
    x0: float
    x1: float
    y: float  # baseline
    size: float
    text: str


@dataclass(frozen=True, slots=True)
class _Line:
    x0: float
    x1: float
    size: float
    text: str


def extract(data: bytes, path: str) -> ExtractedText:
    """Read an OFD file's text; CorruptFile when it is not an OFD package or its XML cannot be read."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _READ_ERRORS as exc:
        raise CorruptFile(f"{path}: not an OFD file (not a zip package: {exc}); check the file or its suffix") from exc
    budget = [MAX_TOTAL_BYTES]
    with archive:
        names = set(archive.namelist())
        if "OFD.xml" not in names:
            raise CorruptFile(f"{path}: not an OFD file (no OFD.xml in the package)")
        pages: list[list[_Line]] = []
        root = _xml(archive, "OFD.xml", path, budget)
        for doc_root in root.iter(f"{{{OFD_NS}}}DocRoot"):
            doc_path = _member(doc_root.text or "", "")
            document = _xml(archive, doc_path, path, budget)
            base = posixpath.dirname(doc_path)
            for page in document.iter(f"{{{OFD_NS}}}Page"):
                location = page.get("BaseLoc")
                if location:
                    pages.append(_page_lines(_xml(archive, _member(location, base), path, budget)))
    paragraphs = _paragraphs(pages)
    if not paragraphs:
        raise EmptyFile(f"{path}: no text in the OFD pages (scanned images?); expected a law or policy text")
    from kb.extract import text

    result = text.extract("\n".join(paragraphs).encode("utf-8"), path)
    return replace(result, format=Format.OFD, pages=len(pages))


def _member(location: str, base: str) -> str:
    """An archive member name from an OFD location: absolute ("/Doc_0/Document.xml") or relative to ``base``."""
    location = location.strip()
    name = location.lstrip("/") if location.startswith("/") else posixpath.join(base, location)
    return posixpath.normpath(name)


def _xml(archive: zipfile.ZipFile, name: str, path: str, budget: list[int]) -> etree._Element:
    try:
        info = archive.getinfo(name)
        if info.file_size > min(MAX_MEMBER_BYTES, budget[0]):
            raise CorruptFile(f"{path}: {name} inside the OFD package is too large ({info.file_size} bytes)")
        budget[0] -= info.file_size
        raw = archive.read(name)
    except _READ_ERRORS as exc:
        raise CorruptFile(f"{path}: cannot read {name} inside the OFD package ({exc})") from exc
    try:
        return etree.fromstring(raw, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise CorruptFile(f"{path}: {name} inside the OFD package is not well-formed XML ({exc})") from exc


def _floats(value: str | None, count: int) -> list[float]:
    parts = re.split(r"[\s,]+", (value or "").strip())
    try:
        numbers = [float(p) for p in parts if p]
    except ValueError:
        return []
    return numbers[:count] if len(numbers) >= count else []


def _page_lines(page: etree._Element) -> list[_Line]:
    """A page's text lines, top to bottom, each read left to right."""
    runs: list[_Run] = []
    for obj in page.iter(f"{{{OFD_NS}}}TextObject"):
        box = _floats(obj.get("Boundary"), 4) or [0.0, 0.0, 0.0, 0.0]
        size = (_floats(obj.get("Size"), 1) or [box[3] or 3.5])[0]
        for code in obj.iter(f"{{{OFD_NS}}}TextCode"):
            chars = code.text or ""
            if not chars.strip():
                continue
            x = box[0] + (_floats(code.get("X"), 1) or [0.0])[0]
            y = box[1] + (_floats(code.get("Y"), 1) or [0.0])[0]
            deltas = _deltas(code.get("DeltaX"))
            width = sum(deltas[: len(chars) - 1]) + size if deltas else size * len(chars)
            runs.append(_Run(x, x + width, y, size, chars))
    runs.sort(key=lambda r: (r.y, r.x0))
    lines: list[list[_Run]] = []
    for run in runs:
        if lines and abs(run.y - lines[-1][0].y) < SAME_LINE * max(run.size, lines[-1][0].size):
            lines[-1].append(run)
        else:
            lines.append([run])
    out = []
    for group in lines:
        group.sort(key=lambda r: r.x0)
        text = ""
        for prev, run in zip([None, *group[:-1]], group, strict=True):
            gap = run.x0 - prev.x1 if prev is not None else 0.0
            text += (" " if prev is not None and gap > 0.9 * run.size else "") + run.text
        out.append(_Line(group[0].x0, group[-1].x1, max(r.size for r in group), text.strip()))
    return out


def _deltas(value: str | None) -> list[float]:
    """OFD's DeltaX list, with its "g n d" shorthand (n gaps of d) expanded."""
    parts = re.split(r"[\s,]+", (value or "").strip())
    out: list[float] = []
    i = 0
    try:
        while i < len(parts):
            if parts[i] == "g" and i + 2 < len(parts):
                out += [float(parts[i + 2])] * int(parts[i + 1])
                i += 3
            elif parts[i]:
                out.append(float(parts[i]))
                i += 1
            else:
                i += 1
    except ValueError:
        return []
    return out


def _paragraphs(pages: list[list[_Line]]) -> list[str]:
    """Lines of all pages -> paragraphs, joining wrapped lines (also across a page break)."""
    every = [line for lines in pages for line in lines]
    if not every:
        return []
    left = min(line.x0 for line in every)
    right = max(line.x1 for line in every)
    paragraphs: list[str] = []
    prev: _Line | None = None
    last_article = 0
    for line in every:
        indented = line.x0 - left >= INDENT * line.size
        opened = article(line.text)
        next_article = (
            opened is not None and opened.ordinal == last_article + 1 and prev is not None and ends_sentence(prev.text)
        )
        continues = (
            prev is not None
            and paragraphs
            and not indented
            and not next_article
            and prev.x1 >= right - SHORT_LINE * prev.size
            and abs(prev.size - line.size) <= 0.15 * max(prev.size, line.size)
        )
        if continues:
            paragraphs[-1] += line.text
        else:
            paragraphs.append(line.text)
            if (
                opened is not None
                and opened.ordinal is not None
                and not opened.sub
                and (opened.spaced or opened.ordinal == last_article + 1)
            ):
                last_article = opened.ordinal
        prev = line
    return paragraphs
