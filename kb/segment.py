"""Segmentation: a document's body text -> its clause tree, in the legislation or the policy-document grammar.

Legislation: 编 ``part`` / 分编 ``subpart`` / 章 ``chp`` / 节 ``sec`` / 条 ``art`` (第X条之一 -> ``art_N_1``) /
款 ``para`` / 项 ``point`` / 目 ``subpoint``. Policy documents and decisions: 一、 ``div`` / （一） ``subdiv`` /
1. ``item`` / （1） ``subitem``. Both: ``preamble`` (text before the structure), ``closing`` (the signature and
date block), ``att_N`` (附件) and ``toc`` (目录). A clause id is the path of local ids joined by ``__``
(``chp_3__art_21__para_2__point_3``); headings without a number get ``_uN`` (``part_u1`` for 刑法's 附则), and a
repeated id gets ``-2``. An article with a single paragraph has no ``para`` children; otherwise ``para_1`` is the
paragraph that starts with 第X条.

Lines are the unit: the body holds one paragraph or heading per line (see :func:`build_body`). Every clause's span
covers its heading, its own text and its children; in pre-order the own segments ``[start, own_end)`` tile the
body with no gap and no overlap.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from kb import segment_patterns as pat
from kb.models import Block, Clause, ClauseKind, ExtractedText
from kb.numerals import parse_number

LEGISLATION = "legislation"
POLICY = "policy"


@dataclass(frozen=True, slots=True)
class Segmentation:
    """The clause tree of one document (pre-order), the grammar it was read with, and what looked wrong."""

    clauses: tuple[Clause, ...]
    grammar: str | None  # "legislation", "policy" or None when the text has no structure
    warnings: tuple[str, ...] = ()


def build_body(blocks: Sequence[Block]) -> str:
    """The normalised body of a document: one line per block, trailing spaces stripped, empty blocks dropped."""
    return "\n".join(line for line, _ in _block_lines(blocks))


def heading_lines(blocks: Sequence[Block]) -> frozenset[int]:
    """The lines (0-based) of :func:`build_body`'s text that come from heading blocks."""
    return frozenset(i for i, (_, heading) in enumerate(_block_lines(blocks)) if heading)


def marked_headings(extracted: ExtractedText) -> frozenset[int] | None:
    """The ``headings`` argument of :func:`segment` for an extracted file: its heading lines when the format marks
    every heading (``extracted.headings_marked``), else None so that headings are recognised by their shape.

    ``segment(doc_id, build_body(extracted.blocks), marked_headings(extracted))`` reads a document as its source
    marks it: an article runs on to the next article or marked heading.
    """
    return heading_lines(extracted.blocks) if extracted.headings_marked else None


def _block_lines(blocks: Sequence[Block]) -> list[tuple[str, bool]]:
    lines: list[tuple[str, bool]] = []
    for block in blocks:
        for line in block.text.split("\n"):
            line = line.rstrip()
            if line.strip():
                lines.append((line, block.kind == "heading"))
    return lines


@dataclass(frozen=True, slots=True)
class _Line:
    start: int  # offset of the line in the body
    text: str  # the line without surrounding whitespace


@dataclass(slots=True)
class _Node:
    kind: ClauseKind
    id: str
    line: int
    depth: int
    parent: int | None
    number: str | None = None
    ordinal: int | None = None
    sub: int | None = None
    heading: str | None = None


class _Tree:
    """Nodes in pre-order as the grammars create them, with unique ids."""

    def __init__(self, marked: frozenset[int] | None) -> None:
        self.marked = marked  # lines the source marks as headings, or None when it marks none
        self.nodes: list[_Node] = []
        self._ids: set[str] = set()
        self._unnumbered = 0

    def add(self, kind: ClauseKind, local: str, parent: int | None, line: int, **fields: object) -> int:
        base = f"{self.nodes[parent].id}__{local}" if parent is not None else local
        node_id, n = base, 1
        while node_id in self._ids:
            n += 1
            node_id = f"{base}-{n}"
        self._ids.add(node_id)
        depth = self.nodes[parent].depth + 1 if parent is not None else 0
        self.nodes.append(_Node(kind, node_id, line, depth, parent, **fields))  # type: ignore[arg-type]
        return len(self.nodes) - 1

    def unnumbered(self) -> int:
        self._unnumbered += 1
        return self._unnumbered


# Legislation containers: (clause kind, id prefix, rank); a heading closes every open container of its rank or below.
_CONTAINERS = {
    "编": (ClauseKind.PART, "part", 0),
    "分编": (ClauseKind.SUBPART, "subpart", 1),
    "章": (ClauseKind.CHAPTER, "chp", 2),
    "节": (ClauseKind.SECTION, "sec", 3),
    "div": (ClauseKind.DIVISION, "div", 4),  # 一、一般规定 grouping articles (司法解释)
    "subdiv": (ClauseKind.SUBDIVISION, "subdiv", 5),
}
# Policy numbers: (clause kind, id prefix, level).
_POLICY = {
    "div": (ClauseKind.DIVISION, "div", 1),
    "subdiv": (ClauseKind.SUBDIVISION, "subdiv", 2),
    "item": (ClauseKind.ITEM, "item", 3),
    "subitem": (ClauseKind.SUBITEM, "subitem", 4),
}
# How many article numbers may be missing before a number written without a following space is still read as the
# next article (重庆市数据条例 lacks its 第六条 number).
_MAX_ARTICLE_GAP = 2
# How far a signature's list of attachments (附件：1.… 2.…) may reach above it, in lines.
_ATTACHMENT_LIST_REACH = 10


def segment(doc_id: str, body: str, headings: Collection[int] | None = None) -> Segmentation:
    """Segment ``body`` (see :func:`build_body`) into clauses of document ``doc_id``.

    ``headings`` are the body's lines (0-based) that the source marks as headings (see :func:`heading_lines`).
    Without them, headings are recognised by their shape alone (第一章 总则, 附则, 一、一般规定 between articles).
    With them, an article runs on to the next article or marked heading, whatever the lines between look like.
    """
    lines = _split_lines(body)
    if not any(line.text for line in lines):
        return Segmentation((), None)
    tree = _Tree(frozenset(headings) if headings is not None else None)
    warnings: list[str] = []
    grammar: str | None = None
    regions = _regions(lines, tree.marked)
    for index, (lo, hi, att) in enumerate(regions):
        if index == 0:
            region_grammar = _grammar(lines, lo, hi)
            grammar = region_grammar
            _fill(tree, lines, lo, hi, None, region_grammar, warnings)
            continue
        number = att.written if att is not None else None
        ordinal = att.ordinal if att is not None else None
        local = f"att_{ordinal}" if ordinal is not None else f"att_{index}"
        heading = pat.heading_words(att.rest) if att is not None else None
        node = tree.add(ClauseKind.ATTACHMENT, local, None, lo, number=number, ordinal=ordinal, heading=heading)
        inner_lo = lo + 1 if att is not None else lo
        region_grammar = _grammar(lines, inner_lo, hi)
        grammar = grammar or region_grammar
        _fill(tree, lines, inner_lo, hi, node, region_grammar, warnings)
    return Segmentation(_finish(doc_id, body, lines, tree), grammar, tuple(warnings))


def _split_lines(body: str) -> list[_Line]:
    lines, offset = [], 0
    for raw in body.split("\n"):
        lines.append(_Line(offset, raw.strip()))
        offset += len(raw) + 1
    return lines


def _next_text(lines: list[_Line], i: int, hi: int) -> int | None:
    """The index of the first non-empty line at or after ``i`` and before ``hi``."""
    while i < hi:
        if lines[i].text:
            return i
        i += 1
    return None


def _regions(lines: list[_Line], marked: frozenset[int] | None) -> list[tuple[int, int, pat.Number | None]]:
    """The main text and the attachments: (first line, end line, the 附件 number or None for an unnamed one).

    With ``marked`` headings, a line inside an article starts an attachment only if it is marked.
    """
    n = len(lines)
    starts: list[tuple[int, pat.Number | None]] = []
    in_article = False
    for i, line in enumerate(lines):
        if not line.text:
            continue
        if marked is not None:
            if i in marked:
                in_article = False
            elif (art := pat.article(line.text)) is not None and art.spaced:
                in_article = True
                continue
            elif in_article:
                continue
        att = pat.attachment(line.text)
        if att is not None and i > 0 and _opens_attachment(lines, i, att):
            starts.append((i, att))
            continue
        if pat.DATE_LINE.match(line.text) and _is_signature(lines, i):
            end = i + 1
            while (j := _next_text(lines, end, n)) is not None and pat.NOTE_LINE.match(lines[j].text):
                end = j + 1
            nxt = _next_text(lines, end, n)
            if nxt is not None and not _is_attachment_start(lines, nxt):
                starts.append((nxt, None))
    regions: list[tuple[int, int, pat.Number | None]] = []
    bounds = [(0, None), *sorted(set(starts), key=lambda s: s[0])]
    for k, (lo, att) in enumerate(bounds):
        hi = bounds[k + 1][0] if k + 1 < len(bounds) else n
        if lo < hi:
            regions.append((lo, hi, att))
    # A cover note or order without structure, signed, then the text it publishes (国务院令 + 条例, 印发 + 方案):
    # one document whose preamble is the cover.
    if len(regions) > 1 and regions[1][2] is None and _grammar(lines, regions[0][0], regions[0][1]) is None:
        regions[0:2] = [(regions[0][0], regions[1][1], None)]
    return regions


def _is_attachment_start(lines: list[_Line], i: int) -> bool:
    att = pat.attachment(lines[i].text)
    return att is not None and _opens_attachment(lines, i, att)


def _opens_attachment(lines: list[_Line], i: int, att: pat.Number) -> bool:
    """True when the 附件 line at ``i`` starts an attachment, False for a list of attachments above a signature."""
    seen = 0
    j = i + 1
    while j < len(lines) and seen < _ATTACHMENT_LIST_REACH:
        text = lines[j].text
        j += 1
        if not text:
            continue
        seen += 1
        if pat.DATE_LINE.match(text):
            return False
        if "。" in text or "；" in text:
            return True
    return True


def _is_signature(lines: list[_Line], i: int) -> bool:
    """True for a date line that signs a text: an issuer or signatory above it, or a note such as 此件公开发布 below."""
    j = i - 1
    while j >= 0 and not lines[j].text:
        j -= 1
    if j >= 0 and pat.is_signature_line(lines[j].text):
        return True
    nxt = _next_text(lines, i + 1, len(lines))
    return nxt is not None and bool(pat.NOTE_LINE.match(lines[nxt].text))


def _grammar(lines: list[_Line], lo: int, hi: int) -> str | None:
    """The grammar of lines [lo, hi): legislation with article lines, policy with 一、/（一）/1. numbers, else None."""
    strong = weak = policy = items = 0
    last: tuple[int, int] | None = None
    for i in range(lo, hi):
        text = lines[i].text
        if not text:
            continue
        art = pat.article(text)
        if art is not None:
            if art.spaced:
                strong += 1
            elif _accept_article(art, last):
                weak += 1  # 第一条为了… then 第二条本条例…: numbers run into their text, in sequence
            else:
                continue
            last = (art.ordinal or 0, art.sub or 0)
            continue
        number = pat.policy_number(text)
        if number is not None:
            if number.unit in ("div", "subdiv"):
                policy += 1
            else:
                items += 1
    if strong >= 2 or (strong == 1 and policy == 0) or strong + weak >= 2:
        return LEGISLATION
    if policy or items >= 2:
        return POLICY
    return None


def _fill(
    tree: _Tree,
    lines: list[_Line],
    lo: int,
    hi: int,
    parent: int | None,
    grammar: str | None,
    warnings: list[str],
) -> None:
    """Add the clauses of lines [lo, hi) under ``parent``: the structure, then a closing signature block."""
    closing = None if grammar == LEGISLATION and tree.marked is not None else _closing_start(lines, lo, hi, grammar)
    end = closing if closing is not None else hi
    if grammar == LEGISLATION:
        _legislation(tree, lines, lo, end, parent, warnings)
    elif grammar == POLICY:
        _policy(tree, lines, lo, end, parent)
    elif parent is None and _next_text(lines, lo, end) is not None:
        tree.add(ClauseKind.PREAMBLE, "preamble", None, lo)
    if closing is not None:
        tree.add(ClauseKind.CLOSING, "closing", parent, closing)


def _closing_start(lines: list[_Line], lo: int, hi: int, grammar: str | None) -> int | None:
    """The first line of the signature block ending lines [lo, hi) (issuer, date, 此件公开发布), or None."""
    k = hi - 1
    has_date = has_signer = False
    first: int | None = None
    while k >= lo:
        text = lines[k].text
        if text:
            if pat.DATE_LINE.match(text):
                has_date = True
            elif pat.is_signature_line(text):
                has_signer = True
            elif not pat.NOTE_LINE.match(text):
                break
            first = k
        k -= 1
    if first is None or not has_date or (grammar == LEGISLATION and not has_signer):
        return None
    # The list of attachments above the signature: 附件：1.… / 2.…
    seen = 0
    j = first - 1
    while j >= lo and seen < _ATTACHMENT_LIST_REACH:
        text = lines[j].text
        if text:
            seen += 1
            if "。" in text or "；" in text:
                break
            if text.startswith(("附件", "附：")):
                first = j
                break
        j -= 1
    return first


# --- legislation -------------------------------------------------------------------------------------------------


def _legislation(tree: _Tree, lines: list[_Line], lo: int, hi: int, parent: int | None, warnings: list[str]) -> None:
    """Add 编章节条款项目 clauses for lines [lo, hi) under ``parent`` (None at the top of the document)."""
    toc = _find_toc(lines, lo, hi)
    stack: list[tuple[int, int]] = []  # open containers: (rank, node)
    article: int | None = None
    bare = False  # the article line holds only its number; its text is on the next line
    para: int | None = None
    paras = 0
    point: int | None = None
    last: tuple[int, int] | None = None  # (ordinal, sub) of the last article
    started = False
    has_chapters = any(
        (c := pat.container(lines[i].text)) is not None and c.unit == "章" for i in range(lo, hi) if lines[i].text
    )

    def top() -> int | None:
        return stack[-1][1] if stack else parent

    def open_container(unit: str, number: pat.Number | None, i: int, heading: str | None) -> None:
        nonlocal article
        kind, prefix, rank = _CONTAINERS[unit]
        while stack and stack[-1][0] >= rank:
            stack.pop()
        ordinal = number.ordinal if number is not None else None
        local = f"{prefix}_{ordinal}" if ordinal is not None else f"{prefix}_u{tree.unnumbered()}"
        written = number.written if number is not None else None
        node = tree.add(kind, local, top(), i, number=written, ordinal=ordinal, heading=heading)
        stack.append((rank, node))
        article = None

    def begin(structural: bool) -> None:
        """Open the preamble when the text starts with words before any structure."""
        nonlocal started
        if not started and not structural and parent is None:
            tree.add(ClauseKind.PREAMBLE, "preamble", None, lo)
        started = True

    def ensure_para(article_node: int) -> int:
        nonlocal para, paras
        if para is None:
            para = tree.add(ClauseKind.PARAGRAPH, "para_1", article_node, tree.nodes[article_node].line, ordinal=1)
            paras = 1
        return para

    for i in range(lo, hi):
        text = lines[i].text
        if not text:
            continue
        if toc is not None and toc[0] <= i < toc[1]:
            if i == toc[0]:
                begin(True)
                stack.clear()
                article = None
                tree.add(ClauseKind.TOC, "toc", parent, i)
            continue
        # With marked headings, an unmarked line inside an article is the article's text, whatever its shape.
        is_marked = tree.marked is not None and i in tree.marked
        may_head = tree.marked is None or article is None or is_marked
        number = pat.container(text) if may_head else None
        if number is not None:
            begin(True)
            open_container(number.unit, number, i, pat.heading_words(number.rest))
            continue
        art = pat.article(text)
        if art is not None and _accept_article(art, last):
            begin(True)
            ordinal = art.ordinal
            local = f"art_{ordinal}" + (f"_{art.sub}" if art.sub else "")
            title = pat.ARTICLE_TITLE.match(art.rest)
            _check_sequence(art, last, warnings)
            article = tree.add(
                ClauseKind.ARTICLE,
                local,
                top(),
                i,
                number=art.written,
                ordinal=ordinal,
                sub=art.sub,
                heading=title.group("title").strip() if title else None,
            )
            bare = not art.rest or (title is not None and not art.rest[title.end() :].strip())
            para, paras, point = None, 0, None
            last = (ordinal or 0, art.sub or 0)
            continue
        group = pat.policy_number(text)
        if not may_head:
            pass
        elif (words := pat.squash(text)) in pat.UNNUMBERED_HEADINGS:
            if words == "序言" and parent is None and not any(n.kind == ClauseKind.PREAMBLE for n in tree.nodes):
                stack.clear()
                article = None
                begin(True)
                tree.add(ClauseKind.PREAMBLE, "preamble", None, i, heading=words)
            else:
                begin(True)
                unit = _unit_of_rank(stack[0][0]) if stack else "章"
                open_container(unit, None, i, words)
            continue
        elif (
            group is not None
            and group.unit in ("div", "subdiv")
            and (is_marked or _is_group_heading(lines, i, hi, group))
        ):
            begin(True)
            open_container(group.unit, group, i, pat.heading_words(group.rest))
            continue
        elif is_marked:
            begin(True)
            open_container(_unit_of_rank(stack[0][0]) if stack else "章", None, i, words)
            continue
        if article is None:
            listed = _list_heading(text, has_chapters) if last is None and not stack else None
            if listed is not None:
                begin(True)
                open_container("章", listed, i, pat.heading_words(listed.rest))
            else:
                begin(False)
            continue  # own text of the preamble or of the open container
        if bare and para is None:
            bare = False
            if group is None:
                continue  # the first paragraph's text, on the line after a lone 第X条
        bare = False
        if group is not None and group.unit in ("div", "subdiv"):
            owner = ensure_para(article)
            point = tree.add(
                ClauseKind.POINT, f"point_{group.ordinal}", owner, i, number=group.written, ordinal=group.ordinal
            )
        elif group is not None:
            owner = point if point is not None else ensure_para(article)
            tree.add(
                ClauseKind.SUBPOINT, f"subpoint_{group.ordinal}", owner, i, number=group.written, ordinal=group.ordinal
            )
        else:
            ensure_para(article)
            paras += 1
            para = tree.add(ClauseKind.PARAGRAPH, f"para_{paras}", article, i, ordinal=paras)
            point = None


def _unit_of_rank(rank: int) -> str:
    for unit, (_, _, r) in _CONTAINERS.items():
        if r == rank:
            return unit
    return "章"


def _accept_article(art: pat.Number, last: tuple[int, int] | None) -> bool:
    """A number followed by a space is an article; one run into its text must be the next number in sequence."""
    if art.spaced or art.rest.startswith(("【", "[")):
        return True
    if art.ordinal is None:
        return False
    if last is None:
        return art.ordinal == 1 and not art.sub
    ordinal, sub = last
    if art.sub:
        return art.ordinal == ordinal and art.sub == sub + 1
    return ordinal < art.ordinal <= ordinal + 1 + _MAX_ARTICLE_GAP


def _check_sequence(art: pat.Number, last: tuple[int, int] | None, warnings: list[str]) -> None:
    if last is None or art.ordinal is None:
        return
    ordinal, sub = last
    expected = art.ordinal == ordinal and art.sub == sub + 1 if art.sub else art.ordinal == ordinal + 1
    if not expected and art.ordinal > ordinal + 1 and not art.sub:
        warnings.append(f"article numbers jump to {art.written} after article {ordinal}")
    elif not expected and art.ordinal <= ordinal:
        warnings.append(f"{art.written} comes after article {ordinal}: numbering restarts or repeats")


def _is_group_heading(lines: list[_Line], i: int, hi: int, number: pat.Number) -> bool:
    """True for 一、一般规定 / （一）… headings between articles: short words, then an article or another heading."""
    if not number.rest or pat.is_sentence(number.rest):
        return False
    nxt = _next_text(lines, i + 1, hi)
    if nxt is None:
        return False
    text = lines[nxt].text
    art = pat.article(text)
    if art is not None and art.spaced:
        return True
    if pat.container(text) is not None:
        return True
    following = pat.policy_number(text)
    return (
        following is not None and following.unit in ("div", "subdiv") and _is_group_heading(lines, nxt, hi, following)
    )


def _list_heading(text: str, has_chapters: bool) -> pat.Number | None:
    """ "1.  总 则" before the first article where the other chapters are 第X章: chapter 1, as Word numbered it."""
    m = pat.LIST_HEADING.match(text)
    if m is None or not has_chapters or pat.is_sentence(m.group("rest")):
        return None
    ordinal = int(m.group("num"))
    return pat.Number("章", f"{ordinal}.", ordinal, None, m.group("rest"), True)


def _find_toc(lines: list[_Line], lo: int, hi: int) -> tuple[int, int] | None:
    """The lines [start, end) of a table of contents before the first article, or None.

    A TOC starts at a 目录 line and runs over heading lines until its first entry comes again, an article starts or
    a sentence appears. Without a 目录 line, headings before any article whose first one comes again are a TOC.
    """
    first_article = hi
    for i in range(lo, hi):
        art = pat.article(lines[i].text) if lines[i].text else None
        if art is not None and art.spaced:
            first_article = i
            break
    marker = next((i for i in range(lo, first_article) if pat.TOC.match(lines[i].text)), None)
    start = marker
    first_key: object = None
    for i in range((marker + 1) if marker is not None else lo, first_article):
        text = lines[i].text
        if not text:
            continue
        key = _heading_key(text)
        if key is None:
            if marker is None and first_key is None:
                continue  # the preamble's words before an unmarked TOC
            return (marker, i) if marker is not None else None
        if first_key is None:
            first_key = key
            start = i if marker is None else start
        elif key == first_key and start is not None:
            return (start, i)
    return (marker, first_article) if marker is not None else None


def _heading_key(text: str) -> object:
    """What identifies a TOC entry and the heading it repeats: (unit, ordinal) or squashed words; None if not one."""
    number = pat.container(text)
    if number is not None:
        return (number.unit, number.ordinal)
    if pat.is_sentence(text):
        return None
    words = pat.squash(text)
    if words in pat.UNNUMBERED_HEADINGS:
        return words
    group = pat.policy_number(text)
    if group is not None and group.unit in ("div", "subdiv"):
        return (group.unit, group.ordinal)
    return None


# --- policy documents ---------------------------------------------------------------------------------------------


def _policy(tree: _Tree, lines: list[_Line], lo: int, hi: int, parent: int | None) -> None:
    """Add 一、（一）1.（1） clauses for lines [lo, hi) under ``parent``; text before them is the preamble."""
    stack: list[tuple[int, int]] = []  # open numbers: (level, node)
    started = False
    region_parent = parent
    top_divs = 0  # 一、 numbers seen at the top of the current text
    for i in range(lo, hi):
        text = lines[i].text
        if not text:
            continue
        number = pat.policy_number(text)
        if number is None:
            if not started and parent is None:
                tree.add(ClauseKind.PREAMBLE, "preamble", None, lo)
            started = True
            continue
        started = True
        if number.unit == "div" and number.ordinal == 1 and top_divs >= 2 and region_parent is None:
            # 一、 again after 二、 or later at the top: a second text published together (两个规定), titled by
            # the short lines above it; it becomes an attachment of its own.
            parent = _open_unnamed_attachment(tree, lines, i)
            stack.clear()
            top_divs = 0
        if number.unit == "div":
            top_divs += 1
        kind, prefix, level = _POLICY[number.unit]
        while stack and stack[-1][0] >= level:
            stack.pop()
        owner = stack[-1][1] if stack else parent
        node = tree.add(
            kind,
            f"{prefix}_{number.ordinal}",
            owner,
            i,
            number=number.written,
            ordinal=number.ordinal,
            heading=pat.run_in_heading(number.rest),
        )
        stack.append((level, node))


def _open_unnamed_attachment(tree: _Tree, lines: list[_Line], i: int) -> int:
    """An attachment without a 附件 line, starting at the title lines above line ``i`` and the sentence that
    introduces its list (为…，特制定以下规定：)."""
    last = tree.nodes[-1].line if tree.nodes else -1
    start = intro = i
    j = i - 1
    while j > last and (not lines[j].text or lines[j].text.endswith(("：", ":"))):
        if lines[j].text:
            start = intro = j
        j -= 1
    while j > last:
        text = lines[j].text
        if text:
            if pat.is_sentence(text) or pat.policy_number(text) is not None:
                break
            start = j
        j -= 1
    title = "".join(lines[k].text for k in range(start, intro)) or None
    count = sum(node.kind == ClauseKind.ATTACHMENT for node in tree.nodes) + 1
    return tree.add(ClauseKind.ATTACHMENT, f"att_{count}", None, start, heading=title)


# --- clauses ------------------------------------------------------------------------------------------------------


def _finish(doc_id: str, body: str, lines: list[_Line], tree: _Tree) -> tuple[Clause, ...]:
    """Turn the nodes into clauses with spans: a clause ends where the next clause not inside it starts."""
    nodes = tree.nodes
    starts = [lines[node.line].start for node in nodes]
    if starts:
        starts[0] = 0
    ends = [len(body)] * len(nodes)
    open_nodes: list[int] = []
    for k, node in enumerate(nodes):
        while open_nodes and nodes[open_nodes[-1]].depth >= node.depth:
            ends[open_nodes.pop()] = starts[k]
        open_nodes.append(k)
    clauses = []
    for k, node in enumerate(nodes):
        has_child = k + 1 < len(nodes) and nodes[k + 1].depth > node.depth
        own_end = starts[k + 1] if has_child else ends[k]
        parent = nodes[node.parent].id if node.parent is not None else None
        clauses.append(
            Clause(
                doc_id=doc_id,
                id=node.id,
                kind=node.kind,
                number=node.number,
                ordinal=node.ordinal,
                heading=node.heading,
                text=body[starts[k] : ends[k]].rstrip(),
                start=starts[k],
                end=ends[k],
                own_end=own_end,
                parent=parent,
                depth=node.depth,
                sub=node.sub,
            )
        )
    return tuple(clauses)


# --- finding a clause ---------------------------------------------------------------------------------------------

# A clause id, full (chp_3__art_21__para_2) or a tail of one (art_21, art_21__para_2).
CLAUSE_ID = re.compile(r"^[a-z]+(?:_[0-9a-z]+)*(?:-[0-9]+)?(?:__[a-z]+(?:_[0-9a-z]+)*(?:-[0-9]+)?)*$")
# One step of a written reference: 第二十一条, 第二十一条之一, 第二款, 第三项, 第一章, 第21条.
WRITTEN_STEP = re.compile(
    r"第(?P<num>[零〇一二两三四五六七八九十百千0-9０-９]+)(?P<unit>分编|编|章|节|条|款|项|目)"
    r"(?:之(?P<sub>[一二三四五六七八九十]+))?"
)
_UNIT_KIND = {
    "编": ClauseKind.PART,
    "分编": ClauseKind.SUBPART,
    "章": ClauseKind.CHAPTER,
    "节": ClauseKind.SECTION,
    "条": ClauseKind.ARTICLE,
    "款": ClauseKind.PARAGRAPH,
    "项": ClauseKind.POINT,
    "目": ClauseKind.SUBPOINT,
}


def find_clause(clauses: Sequence[Clause], ref: str) -> Clause | None:
    """The clause ``ref`` names: a full id, the tail of one (``art_21``, ``art_21__para_2``) or a written number
    (``第二十一条``, ``第二十一条第二款``, ``第二十一条第三项``); the first in document order, or None."""
    ref = "".join(ref.split())
    if not ref:
        return None
    for clause in clauses:
        if clause.id == ref:
            return clause
    if CLAUSE_ID.match(ref):
        tail = "__" + ref
        return next((c for c in clauses if c.id.endswith(tail)), None)
    steps = list(WRITTEN_STEP.finditer(ref))
    if not steps or steps[0].start() != 0 or "".join(s.group(0) for s in steps) != ref:
        return None
    current: Clause | None = None
    for step in steps:
        ordinal = parse_number(step.group("num"))
        sub = parse_number(step.group("sub")) if step.group("sub") else None
        kind = _UNIT_KIND[step.group("unit")]
        scope = [c for c in clauses if current is None or c.id.startswith(current.id + "__")]
        found = next((c for c in scope if c.kind == kind and c.ordinal == ordinal and c.sub == sub), None)
        if found is None:
            if kind == ClauseKind.PARAGRAPH and ordinal == 1 and current is not None:
                continue  # an article of one paragraph is its own first paragraph
            return None
        current = found
    return current
