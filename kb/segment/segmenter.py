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

from kb.models import Block, Clause, ClauseKind, ExtractedText
from kb.normalize.numerals import parse_number
from kb.segment import patterns as pat
from kb.segment.grammars import accept_article, legislation, policy
from kb.segment.tree import Line, Tree, finish, next_text, split_lines

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


# How far a signature's list of attachments (附件：1.… 2.…) may reach above it, in lines.
_ATTACHMENT_LIST_REACH = 10


def segment(doc_id: str, body: str, headings: Collection[int] | None = None) -> Segmentation:
    """Segment ``body`` (see :func:`build_body`) into clauses of document ``doc_id``.

    ``headings`` are the body's lines (0-based) that the source marks as headings (see :func:`heading_lines`).
    Without them, headings are recognised by their shape alone (第一章 总则, 附则, 一、一般规定 between articles).
    With them, an article runs on to the next article or marked heading, whatever the lines between look like.
    """
    lines = split_lines(body)
    if not any(line.text for line in lines):
        return Segmentation((), None)
    tree = Tree(frozenset(headings) if headings is not None else None)
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
        heading = _attachment_title(lines, lo, hi, att)
        node = tree.add(ClauseKind.ATTACHMENT, local, None, lo, number=number, ordinal=ordinal, heading=heading)
        inner_lo = lo + 1 if att is not None else lo
        region_grammar = _grammar(lines, inner_lo, hi)
        grammar = grammar or region_grammar
        _fill(tree, lines, inner_lo, hi, node, region_grammar, warnings)
    return Segmentation(finish(doc_id, body, lines, tree), grammar, tuple(warnings))


def _attachment_title(lines: list[Line], lo: int, hi: int, att: pat.Number | None) -> str | None:
    """An attachment's title: after 附件1： on its line, else the short line below a bare 附件 line."""
    if att is None:
        return None
    if att.rest:
        return pat.heading_words(att.rest)
    nxt = next_text(lines, lo + 1, hi)
    if nxt is None:
        return None
    text = lines[nxt].text
    if pat.is_sentence(text) or pat.article(text) or pat.container(text) or pat.policy_number(text):
        return None
    return pat.heading_words(text)


def _regions(lines: list[Line], marked: frozenset[int] | None) -> list[tuple[int, int, pat.Number | None]]:
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
            while (j := next_text(lines, end, n)) is not None and pat.NOTE_LINE.match(lines[j].text):
                end = j + 1
            nxt = next_text(lines, end, n)
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


def _is_attachment_start(lines: list[Line], i: int) -> bool:
    att = pat.attachment(lines[i].text)
    return att is not None and _opens_attachment(lines, i, att)


def _opens_attachment(lines: list[Line], i: int, att: pat.Number) -> bool:
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


def _is_signature(lines: list[Line], i: int) -> bool:
    """True for a date line that signs a text: an issuer or signatory above it, or a note such as 此件公开发布 below."""
    j = i - 1
    while j >= 0 and not lines[j].text:
        j -= 1
    if j >= 0 and pat.is_signature_line(lines[j].text):
        return True
    nxt = next_text(lines, i + 1, len(lines))
    return nxt is not None and bool(pat.NOTE_LINE.match(lines[nxt].text))


def _grammar(lines: list[Line], lo: int, hi: int) -> str | None:
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
            elif accept_article(art, last):
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
    tree: Tree,
    lines: list[Line],
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
        legislation(tree, lines, lo, end, parent, warnings)
    elif grammar == POLICY:
        policy(tree, lines, lo, end, parent)
    elif parent is None and next_text(lines, lo, end) is not None:
        tree.add(ClauseKind.PREAMBLE, "preamble", None, lo)
    if closing is not None:
        tree.add(ClauseKind.CLOSING, "closing", parent, closing)


def _closing_start(lines: list[Line], lo: int, hi: int, grammar: str | None) -> int | None:
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
