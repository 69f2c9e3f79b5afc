"""PDF extraction: a PDF's bytes -> ExtractedText, read page by page with pdfplumber (OCR for scanned pages)."""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from typing import Any

import pdfplumber

from kb.errors import CorruptFile, EmptyFile, EncryptedFile, KbError, NoTextLayer
from kb.extract import pdf_blocks, pdf_furniture, pdf_layout, pdf_ocr
from kb.extract.pdf_layout import Line, PageLayout
from kb.models import ExtractedText, Format
from kb.normalize.decode import looks_binary

# Every PDF starts with this marker within its first kilobyte (some writers put junk before it).
PDF_MARKER = b"%PDF-"
# A page is a scan when one image covers at least this share of it ...
SCAN_COVER = 0.5
# ... and its text layer holds fewer characters than this (a watermark or a stamp, not a text layer).
SCAN_MAX_CHARS = 40
# A red rule this high on the first page (share of the page height) closes a 版头.
MASTHEAD_ZONE = 0.45
# pdfminer logs what it finds odd in a file (a missing FontBBox, a broken xref it repairs); kb reports problems as
# errors and warnings of its own, so those messages are not printed when the application has not set up logging.
logging.getLogger("pdfminer").addHandler(logging.NullHandler())

# The cause pdfminer gives for a file that needs a password.
PASSWORD_ERRORS = ("PDFPasswordIncorrect", "PDFEncryptionError", "PDFEncryptionWarning")


def extract(data: bytes, path: str, *, ocr: bool = False, tesseract: str = "tesseract") -> ExtractedText:
    """Read a PDF page by page into title, info lines, 版头 fields and body blocks.

    Only one page's objects are held at a time (each page is closed once its lines are read). With ``ocr``,
    pages that are images with no text layer are read by the Tesseract program ``tesseract``. Raises EmptyFile,
    CorruptFile (damaged, truncated, or not a PDF at all), EncryptedFile, NoTextLayer (a scan without ``ocr``)
    and MissingDependency (``ocr`` without Tesseract); every error names the file.
    """
    if not data:
        raise EmptyFile(f"{path}: empty file (0 bytes)")
    _check_marker(data, path)
    layouts: list[PageLayout] = []
    scanned: list[int] = []
    warnings: list[str] = []
    checked = False
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            metadata_title = _metadata_title(pdf.metadata)
            gutter = None
            for number, page in enumerate(pdf.pages, start=1):
                try:
                    layout = read_page(page, number, gutter)
                    gutter = layout.gutter if layout.lines else gutter
                    if is_scanned(layout):
                        if ocr:
                            if not checked:
                                pdf_ocr.check_tesseract(tesseract, path)
                                checked = True
                            layout = _replace_lines(layout, pdf_ocr.ocr_page(page, number, tesseract, path))
                        else:
                            scanned.append(number)
                            # a watermark or stamp is no text; Chinese words over an image (a cover) are kept
                            kept = [line for line in layout.lines if pdf_blocks.is_cjk_text(line.text)]
                            layout = _replace_lines(layout, kept)
                    layouts.append(layout)
                finally:
                    page.close()
    except KbError:
        raise
    except Exception as exc:  # pdfminer raises many kinds of errors on damaged files; none may reach the user raw
        raise _open_error(exc, path) from exc
    if not layouts:
        raise CorruptFile(f"{path}: damaged PDF (it has no pages); re-export or download the file again")
    populated = [layout.number for layout in layouts if layout.lines or layout.number in scanned]
    if scanned and len(scanned) == len(populated):
        raise NoTextLayer(f"{path}: no text layer (scanned pages?); rerun with --ocr and Tesseract installed")
    if not any(layout.lines for layout in layouts):
        raise EmptyFile(f"{path}: no text on any of its {len(layouts)} pages")
    if scanned:
        shown = ", ".join(str(n) for n in scanned[:10]) + (" ..." if len(scanned) > 10 else "")
        warnings.append(f"pages {shown} have no text layer (scanned?) and were skipped; rerun with --ocr to read them")
    unmapped = sum(layout.unmapped for layout in layouts)
    if unmapped:
        warnings.append(f"{unmapped} glyphs have no Unicode mapping in the PDF's fonts and were dropped")
    title, info, blocks, fields, notes = assemble(layouts)
    if title is None and metadata_title:
        title = metadata_title
    return ExtractedText(
        path=path,
        format=Format.PDF,
        title=title,
        info=info,
        blocks=blocks,
        fields=fields,
        warnings=tuple(warnings + notes),
        pages=len(layouts),
    )


def _check_marker(data: bytes, path: str) -> None:
    """Raise CorruptFile when the bytes are not a PDF at all (e.g. text saved with a .pdf name)."""
    if PDF_MARKER in data[:1024]:
        return
    looks = "it holds other binary data" if looks_binary(data) else "it holds text"
    raise CorruptFile(f"{path}: not a PDF (no %PDF header; {looks}); check the file or give it its real suffix")


def _open_error(exc: Exception, path: str) -> KbError:
    """The KbError for an exception pdfminer or pdfplumber raised while reading ``path``."""
    causes = [exc, *getattr(exc, "args", ())]
    if exc.__cause__ is not None:
        causes.append(exc.__cause__)
    names = {type(cause).__name__ for cause in causes}
    if names & set(PASSWORD_ERRORS):
        return EncryptedFile(f"{path}: encrypted PDF that needs a password; remove the password and rerun")
    detail = str(exc).strip() or type(exc).__name__
    return CorruptFile(f"{path}: damaged or truncated PDF ({detail}); re-export or download the file again")


def _metadata_title(metadata: dict[str, Any] | None) -> str | None:
    """The document title in the PDF's metadata, unless it is missing or a file name left by the writer."""
    if not metadata:
        return None
    raw = metadata.get("Title")
    if isinstance(raw, bytes):
        raw = raw.decode("utf-16" if raw[:2] in (b"\xfe\xff", b"\xff\xfe") else "utf-8", errors="replace")
    if not isinstance(raw, str):
        return None
    title = raw.strip()
    for prefix in ("Microsoft Word - ", "Microsoft Word -"):
        title = title.removeprefix(prefix)
    if not pdf_blocks.is_cjk_text(title) or title.lower().endswith((".doc", ".docx", ".wps", ".pdf")):
        return None
    return title


def read_page(page: Any, number: int, previous_gutter: float | None = None) -> PageLayout:
    """One pdfplumber page -> its PageLayout (lines in reading order, image cover, red rules).

    ``previous_gutter`` is where the page before had the gap between two columns, if it had two.
    """
    width, height = float(page.width), float(page.height)
    lines, gutter, unmapped = pdf_layout.lay_out(page.chars, number, width, height, previous_gutter)
    return PageLayout(
        number=number,
        width=width,
        height=height,
        lines=tuple(lines),
        gutter=gutter,
        image_cover=pdf_layout.image_cover(page.images, width, height),
        red_rules=pdf_layout.red_rules([*page.lines, *page.rects], width),
        unmapped=unmapped,
    )


def is_scanned(layout: PageLayout) -> bool:
    """True for a page that is an image with at most a watermark or a stamp for text."""
    chars = sum(len(line.text.replace(" ", "")) for line in layout.lines)
    return layout.image_cover >= SCAN_COVER and chars < SCAN_MAX_CHARS


def _replace_lines(layout: PageLayout, lines: Sequence[Line]) -> PageLayout:
    return PageLayout(
        number=layout.number,
        width=layout.width,
        height=layout.height,
        lines=tuple(lines),
        gutter=None,
        image_cover=layout.image_cover,
        red_rules=layout.red_rules,
        unmapped=0,
    )


def assemble(
    layouts: Sequence[PageLayout],
) -> tuple[str | None, tuple[str, ...], tuple[Any, ...], tuple[tuple[str, str], ...], list[str]]:
    """Pages' lines -> title, info, body blocks, fields and warnings, once every page has been read.

    Page numbers and running heads are dropped first (running heads are only known once several pages have been
    seen), then the first page's 版头, title and info are read, then a table of contents and a 版记 are dropped,
    and the remaining lines are joined into paragraphs and headings.
    """
    pages = [list(layout.lines) for layout in layouts]
    size = pdf_furniture.body_size(pages)
    gap = pdf_furniture.typical_gap(pages, size)
    pages = [
        pdf_furniture.drop_page_numbers(lines, layout.height) for lines, layout in zip(pages, layouts, strict=True)
    ]
    pages, _ = pdf_furniture.drop_running_heads(pages, size, gap)
    notes: list[str] = []
    dropped = 0
    populated = [i for i, lines in enumerate(pages) if lines]
    for index in sorted(set(populated[:1] + populated[-1:])):
        pages[index], count = pdf_furniture.drop_web_leftovers(pages[index])
        dropped += count
    if dropped:
        notes.append(f"{dropped} line(s) of web-page leftovers (来源, 字号, time stamps) dropped")
    geometry = pdf_blocks.columns(pages, size)
    first = next(i for i, lines in enumerate(pages) if lines) if any(pages) else 0
    head_lines = pages[first]
    rules = [top for top in layouts[first].red_rules if top < MASTHEAD_ZONE * layouts[first].height]
    column = pdf_blocks.column_of(head_lines[0], geometry) if head_lines else pdf_blocks.Column(0.0, layouts[0].width)
    head, start = pdf_blocks.read_head(head_lines, size, column, rules[0] if rules else None)
    body = head_lines[start:] + [line for lines in pages[first + 1 :] for line in lines]
    body = pdf_blocks.drop_toc(body, geometry)
    cut = pdf_furniture.banji_start(body)
    if cut is not None:
        body = body[:cut]
    blocks = pdf_blocks.paragraphs(body, geometry, size, gap)
    return head.title, head.info, tuple(blocks), head.fields, notes
