"""Text extraction: a .txt file's bytes (UTF-8, UTF-8 with BOM, GB18030; hard-wrapped or not) -> ExtractedText."""

from __future__ import annotations

import re

from kb.errors import DecodeError, EmptyFile
from kb.models import Block, ExtractedText, Format
from kb.normalize.clean import (
    NON_TITLE_END,
    PARAGRAPH_START,
    TOC_HEADING,
    clean_line,
    header_line,
    heading_levels,
    is_page_number_line,
    leading_header_lines,
    rejoin_wrapped_lines,
    structural_kind,
    toc_span,
)
from kb.normalize.decode import decode_bytes, describe_bad_bytes, looks_binary

# Replacement characters standing where a line starts (bytes that could not be decoded, already reported): dropped
# there so that the article number after them ("���第二条") still starts the line and the clause is found.
LEADING_REPLACEMENT = re.compile(r"^([\s\u3000]*)\ufffd+")
# Line breaks of any convention: CRLF (Windows), CR (old Mac), LF; also the Unicode line and paragraph separators.
LINE_BREAK = re.compile(r"\r\n|\r|\n|\u2028|\u2029")
# The longest first line still taken for a title, in characters (the longest titles of judicial interpretations
# run to about 60).
MAX_TITLE_CHARS = 80


def _looks_like_title(line: str) -> bool:
    """True for a first line that reads as a title: short, no sentence punctuation at its end, no clause start."""
    text = clean_line(line)
    return (
        0 < len(text) <= MAX_TITLE_CHARS
        and NON_TITLE_END.search(text) is None
        and PARAGRAPH_START.match(text) is None
        and structural_kind(text) is None
        and TOC_HEADING.match(text) is None
        and header_line(text) is None
        and not is_page_number_line(text)
    )


def _blocks(paragraphs: list[str]) -> tuple[Block, ...]:
    """Blocks from paragraphs: 第X编/章/节 lines become headings, levelled by the kinds the text uses."""
    kinds = [kind for kind in map(structural_kind, paragraphs) if kind]
    levels = heading_levels(kinds)
    blocks: list[Block] = []
    for text in paragraphs:
        kind = structural_kind(text)
        if kind:
            blocks.append(Block(text=text, kind="heading", level=levels[kind]))
        else:
            blocks.append(Block(text=text))
    return tuple(blocks)


def extract(data: bytes, path: str) -> ExtractedText:
    """Read a plain-text law or policy document: title, header lines (通过/公布/修正) and body paragraphs.

    Raises EmptyFile for a file with no text, DecodeError when its encoding cannot be determined.
    """
    if not data.strip():
        raise EmptyFile(f"{path}: empty file (no text); expected a law or policy text")
    if looks_binary(data):
        raise DecodeError(f"{path}: binary content, not text (control bytes found); expected a UTF-8 or GB18030 file")
    decoded = decode_bytes(data, path)
    warnings = [warning for warning in (describe_bad_bytes(path, decoded),) if warning]
    lines = [LEADING_REPLACEMENT.sub(r"\1", line).rstrip() for line in LINE_BREAK.split(decoded.text)]
    lines = [line for line in lines if not is_page_number_line(line) or not line.strip()]
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise EmptyFile(f"{path}: empty file (only whitespace); expected a law or policy text")
    title: str | None = None
    start = first
    if _looks_like_title(lines[first]):
        title = clean_line(lines[first])
        start = first + 1
    info, start = leading_header_lines(lines, start)
    body = lines[start:]
    toc = toc_span([clean_line(line) for line in body])
    if toc is not None:
        body = body[: toc[0]] + body[toc[1] :]
    paragraphs = rejoin_wrapped_lines(body)
    if not paragraphs and title is not None:
        paragraphs = [title]
    return ExtractedText(
        path=path,
        format=Format.TEXT,
        title=title,
        info=tuple(info),
        blocks=_blocks(paragraphs),
        warnings=tuple(warnings),
    )
