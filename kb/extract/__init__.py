"""Extraction: a file's bytes -> ExtractedText, one module per format, chosen by suffix from a registry."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from kb.errors import CorruptFile, EmptyFile, UnsupportedFormat
from kb.models import ExtractedText, Format

# An extractor takes the file's bytes and its path (for messages) and returns the text it recovers.
Extractor = Callable[..., ExtractedText]

# Suffix -> (format, module under kb.extract). Modules are imported on first use, so that reading Markdown
# never pays for pdfplumber and a search never imports any of them.
REGISTRY: dict[str, tuple[Format, str]] = {
    ".pdf": (Format.PDF, "pdf"),
    ".docx": (Format.DOCX, "docx"),
    ".html": (Format.HTML, "html"),
    ".htm": (Format.HTML, "html"),
    ".shtml": (Format.HTML, "html"),
    ".txt": (Format.TEXT, "text"),
    ".md": (Format.MARKDOWN, "markdown"),
    ".markdown": (Format.MARKDOWN, "markdown"),
    ".doc": (Format.DOC, "doc"),
    ".wps": (Format.WPS, "doc"),
    ".ofd": (Format.OFD, "ofd"),
}

SUPPORTED_SUFFIXES = tuple(sorted(REGISTRY))


def format_of(path: str | Path) -> Format:
    """The format a file's suffix names; raises UnsupportedFormat for any other suffix."""
    suffix = Path(path).suffix.lower()
    if suffix not in REGISTRY:
        expected = " ".join(s for s in SUPPORTED_SUFFIXES)
        shown = suffix or "(no suffix)"
        raise UnsupportedFormat(f"{path}: unsupported format '{shown}'; expected one of {expected}")
    return REGISTRY[suffix][0]


def extract_bytes(data: bytes, path: str, *, ocr: bool = False) -> ExtractedText:
    """Extract text from ``data``, the content of the file named ``path``; a pure function of its inputs."""
    format_of(path)
    if not data:
        raise EmptyFile(f"{path}: empty file (0 bytes)")
    _, module_name = REGISTRY[Path(path).suffix.lower()]
    module = importlib.import_module(f"kb.extract.{module_name}")
    extractor: Extractor = module.extract
    result = extractor(data, path, ocr=ocr) if module_name == "pdf" else extractor(data, path)
    if result.format is Format.MARKDOWN:
        return result  # a Markdown file marks its own structure (the corpus's ## headings): one document
    from kb.extract.several import first_document

    return first_document(result)


def read_file(path: str | Path) -> bytes:
    """The bytes of a file of a format kb reads; UnsupportedFormat or CorruptFile (naming it) otherwise."""
    format_of(path)
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise CorruptFile(f"{path}: cannot be read ({exc.strerror or exc})") from exc


def extract(path: str | Path, *, ocr: bool = False) -> ExtractedText:
    """Read the file at ``path`` and extract its text."""
    return extract_bytes(read_file(path), str(path), ocr=ocr)
