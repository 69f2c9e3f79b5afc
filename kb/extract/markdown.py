"""Markdown extraction: a .md file's bytes -> ExtractedText (front matter, # title, header lines, body blocks).

The corpus format (LawRefBook): optional YAML front matter between ``---`` lines, ``# 标题``, header lines (adoption
and amendment history) up to ``<!-- INFO END -->``, then the body with ``##``/``###`` headings and one paragraph
per line. Markdown that users convert from Word has leftovers this module removes: ``[text]{.mark}`` spans,
``**bold**``, ``>`` quote markers, page footers such as "— 17 —", an article number alone on its line, and
list-numbered headings ("1.  总 则" where the official text has 第一章 总则).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from kb.errors import CorruptFile, DecodeError, EmptyFile, NoBody
from kb.models import Block, ExtractedText, Format
from kb.normalize.clean import clean_line
from kb.normalize.numerals import to_chinese

# The line that ends the header in the corpus format.
INFO_END = re.compile(r"^<!--\s*INFO END\s*-->$")
# Any other HTML comment on a line of its own, dropped.
HTML_COMMENT = re.compile(r"^<!--.*-->$")
# YAML front matter: the file opens with a --- line and the block closes with the next --- (or ...) line.
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
# An ATX heading: "## 第一章 总则"; closing hashes are optional. The level is the count of # less one, since
# the single # is the document's title: ## is a level-1 heading of the body (a 章), ### level 2 (a 节).
HEADING = re.compile(r"^(?P<hashes>#{1,6})(?:[ \t]+|$)(?P<text>.*?)(?:[ \t]+#+)?[ \t]*$")
# A pandoc span with attributes, e.g. [第一章 总则]{.mark} or [text]{.underline}; it may run over lines.
ATTRIBUTE_SPAN = re.compile(r"\[(?P<text>[^\[\]]*)\]\{[^{}\n]*\}")
# Bold emphasis: **福建省大数据发展条例**. Underscores are left alone: forms write blanks as ______.
EMPHASIS = re.compile(r"\*\*(?P<text>[^*\n]+?)\*\*")
# A block-quote marker at the start of a line: "> （2022年…通过）".
QUOTE = re.compile(r"^(?:>[ \t]?)+")
# A backslash escape as pandoc writes it: 1\. or \*.
ESCAPE = re.compile(r"\\(?P<char>[\\`*_{}\[\]()#+\-.!>|])")
# A page footer left from a Word or PDF page: "— 17 —", "- 26 -", "－3－", "- 1" (its closing dash lost).
PAGE_FOOTER = re.compile(r"^[—–\-－]{1,2}\s*[0-9]{1,4}\s*[—–\-－]{0,2}$")
# A Word field code left as text where the page number stood: "PAGE", "PAGE \* MERGEFORMAT", "NUMPAGES".
WORD_FIELD = re.compile(r"^(?:PAGE|NUMPAGES)(?:\s*\\\*\s*MERGEFORMAT)?$")
# A Markdown table's rule row: |---|:---:|.
TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?$")
# An article number alone on its line, its text on the next (a Word table cell or a line break after 第一条).
BARE_ARTICLE = re.compile(r"^第[零〇一二两三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?$")
# Lines that open a structure of their own and so are never the text of a preceding lone article number.
STRUCTURE_START = re.compile(r"^(?:第[零〇一二两三四五六七八九十百千]+[编章节条]|#)")
# A list-numbered heading left by Word numbering: "1.  总 则" (two or more spaces after the dot).
LIST_HEADING = re.compile(r"^(?P<num>[0-9]{1,2})[.．](?:[ \t\u3000]{2,})(?P<words>\S.{0,20})$")
# A chapter heading of the same text, to tell whether list-numbered headings stand for 第X章.
CHAPTER_LINE = re.compile(r"^第(?P<num>[零〇一二两三四五六七八九十百]+)章")
# A header line of adoption or amendment history: a date then what happened, or a bracket opening with a date
# (the rest may wrap to the next lines), e.g. 2021年6月29日 深圳市第七届人民代表大会常务委员会第二次会议通过 /
# （2020年5月15日山西省第十三届人民代表大会.
HISTORY_LINE = re.compile(
    r"^(?:[（(]\s*(?:[0-9]{4}|[〇零一二三四五六七八九]{4})\s*年"
    r"|(?:[0-9]{4}|[〇零一二三四五六七八九]{4})\s*年.*(?:通过|公布|发布|修正|修订|批准|施行|修改))"
)
# Brackets that a wrapped header line leaves open: （2018年12月14日天津市第十七届人民 / 代表大会…通过）.
_OPEN, _CLOSE = "（(", "）)"
# Sentence punctuation that a heading does not hold.
SENTENCE_PUNCT = re.compile(r"[。；;，,：:！？!?]")
# The most lines a wrapped header line is joined over.
_MAX_HEADER_WRAP = 6
# Share of undecodable characters above which the file is not read as text at all.
_MAX_BAD_SHARE = 0.01


def extract(data: bytes, path: str) -> ExtractedText:
    """Extract title, header lines, front-matter fields and body blocks from Markdown ``data`` (file ``path``)."""
    text, warnings = _decode(data, path)
    if not text.strip():
        raise EmptyFile(f"{path}: no text (the file holds only whitespace); expected a Markdown document")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    fields, text = _front_matter(text, path, warnings)
    text = ATTRIBUTE_SPAN.sub(lambda m: m.group("text"), text)
    lines = [_clean(line) for line in text.split("\n")]

    title: str | None = None
    start = 0
    first = next((i for i, line in enumerate(lines) if line), None)
    if first is not None and (m := HEADING.match(lines[first])) and len(m.group("hashes")) == 1:
        title = m.group("text").strip() or None
        start = first + 1
    if title is None:
        title = dict(fields).get("title")

    marker = next((i for i in range(start, len(lines)) if INFO_END.match(lines[i])), None)
    if marker is not None:
        info = [line for line in lines[start:marker] if line and not HTML_COMMENT.match(line)]
        body_start = marker + 1
    else:
        info, body_start = _header_by_shape(lines, start, title)
    blocks = _blocks(lines[body_start:], warnings)
    if not blocks:
        if title is None and not info:
            raise EmptyFile(f"{path}: no text found; expected a '# title' and body paragraphs")
        if not info:
            raise NoBody(f"{path}: has a title but no body text; expected paragraphs after the header")
        # A title with its adoption record but no text: the enacted document exists and counts, its copy lacks a body.
        warnings.append(f"{path}: no body text after the header lines; kept as a record of its title and history")
    return ExtractedText(
        path=path,
        format=Format.MARKDOWN,
        title=title,
        info=tuple(info),
        blocks=tuple(blocks),
        fields=fields,
        warnings=tuple(warnings),
        headings_marked=marker is not None or any(HEADING.match(line) for line in lines[body_start:]),
    )


def _decode(data: bytes, path: str) -> tuple[str, list[str]]:
    """UTF-8 (with or without BOM), else GB18030, else UTF-8 with the few bad bytes replaced and reported."""
    if b"\x00" in data[:4096]:
        raise CorruptFile(f"{path}: binary content (NUL bytes); expected a UTF-8 or GB18030 Markdown text file")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), []
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if bad > max(3, len(text) * _MAX_BAD_SHARE):
        raise DecodeError(
            f"{path}: {bad} undecodable bytes; expected UTF-8 or GB18030 text (re-save the file as UTF-8)"
        )
    return text, [f"{path}: {bad} undecodable byte(s) replaced by U+FFFD"]


def _front_matter(text: str, path: str, warnings: list[str]) -> tuple[tuple[tuple[str, str], ...], str]:
    """The YAML front matter's scalar fields (keys as written, empty values left out) and the text after it."""
    text = text.lstrip("\ufeff")
    m = FRONT_MATTER.match(text)
    if m is None:
        return (), text
    rest = text[m.end() :]
    try:
        loaded: Any = yaml.safe_load(m.group("yaml"))
    except yaml.YAMLError as exc:
        warnings.append(f"{path}: front matter is not valid YAML ({exc.__class__.__name__}); read line by line")
        loaded = dict(_loose_pairs(m.group("yaml")))
    if not isinstance(loaded, dict):
        return (), rest
    fields = []
    for key, value in loaded.items():
        if value is None or isinstance(value, (dict, list)):
            continue
        shown = str(value).strip()
        if shown:
            fields.append((str(key), shown))
    return tuple(fields), rest


def _loose_pairs(block: str) -> list[tuple[str, str]]:
    pairs = []
    for line in block.split("\n"):
        key, sep, value = line.partition(":")
        if sep and key.strip():
            pairs.append((key.strip(), value.strip().strip("\"'")))
    return pairs


def _clean(line: str) -> str:
    """One source line without Markdown decoration: quote markers, emphasis, escapes, surrounding spaces."""
    line = QUOTE.sub("", line.strip())
    line = EMPHASIS.sub(lambda m: m.group("text"), line)
    line = ESCAPE.sub(lambda m: m.group("char"), line)
    return clean_line(line)


def _plain(text: str) -> str:
    return "".join(text.split())


def _header_by_shape(lines: list[str], start: int, title: str | None) -> tuple[list[str], int]:
    """Header lines when no <!-- INFO END --> marks them: a repeated title, then adoption history lines.

    A history line wrapped over several source lines (its bracket left open) is joined into one.
    """
    info: list[str] = []
    i = start
    n = len(lines)
    while i < n:
        line = lines[i]
        if not line or HTML_COMMENT.match(line):
            i += 1
            continue
        if title is not None and _plain(line) == _plain(title) and not info:
            i += 1
            continue
        if not HISTORY_LINE.match(line):
            break
        joined, i = _join_wrapped(lines, i)
        info.append(joined)
    return info, i


def _join_wrapped(lines: list[str], i: int) -> tuple[str, int]:
    """The header line at ``i`` joined with its continuation lines while its bracket is open; the next index."""
    text = lines[i]
    i += 1
    wraps = 0
    while _unclosed(text) and wraps < _MAX_HEADER_WRAP:
        j = i
        while j < len(lines) and not lines[j]:
            j += 1
        if j >= len(lines):
            break
        text += lines[j]
        i = j + 1
        wraps += 1
    return text, i


def _unclosed(text: str) -> bool:
    return sum(text.count(c) for c in _OPEN) > sum(text.count(c) for c in _CLOSE)


def _blocks(lines: list[str], warnings: list[str]) -> list[Block]:
    """Body lines -> heading and paragraph blocks, with Word-to-Markdown leftovers repaired."""
    # Where each 第X章 stands, to tell a list-numbered chapter heading from a list (a TOC above does not count).
    chapters = [(i, m.group("num")) for i, line in enumerate(lines) if (m := CHAPTER_LINE.match(_heading_text(line)))]
    blocks: list[Block] = []
    pending: str | None = None  # a lone article number waiting for its text
    for index, line in enumerate(lines):
        if not line or any(p.match(line) for p in (HTML_COMMENT, PAGE_FOOTER, WORD_FIELD, TABLE_RULE)):
            continue
        heading = HEADING.match(line)
        if heading is not None:
            if pending is not None:
                blocks.append(Block(pending))
                pending = None
            text = heading.group("text").strip()
            if text:
                blocks.append(Block(text, kind="heading", level=len(heading.group("hashes")) - 1))
            continue
        if pending is not None:
            if STRUCTURE_START.match(line):
                blocks.append(Block(pending))
            else:
                line = f"{pending} {line}"
            pending = None
        if BARE_ARTICLE.match(line):
            pending = line
            continue
        listed = _list_heading(line, index, chapters)
        if listed is not None:
            warnings.append(f"list-numbered heading '{line}' read as '{listed}'")
            blocks.append(Block(listed, kind="heading", level=1))
            continue
        blocks.append(Block(line))
    if pending is not None:
        blocks.append(Block(pending))
    return blocks


def _heading_text(line: str) -> str:
    m = HEADING.match(line)
    return m.group("text").strip() if m else line


def _list_heading(line: str, index: int, chapters: list[tuple[int, str]]) -> str | None:
    """ "1.  总 则" -> "第一章 总 则" when later chapters are written 第X章 and none of them is 第一章."""
    m = LIST_HEADING.match(line)
    if m is None or SENTENCE_PUNCT.search(m.group("words")):
        return None
    later = [num for i, num in chapters if i > index]
    number = to_chinese(int(m.group("num")))
    if not later or number in later:
        return None
    return f"第{number}章 {m.group('words')}"
