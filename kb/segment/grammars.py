"""Segmentation grammars: body lines -> clause nodes, by the legislation grammar (编章节条款项目) or the policy one.

Both walk the lines of one region (the main text or an attachment) and add nodes to a Tree in pre-order; the
Tree turns them into clauses (kb/segment/tree.py). Line shapes come from kb/segment/patterns.py.
"""

from __future__ import annotations

from kb.models import ClauseKind
from kb.segment import patterns as pat
from kb.segment.tree import Line, Tree, next_text

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


# --- legislation -------------------------------------------------------------------------------------------------


def legislation(tree: Tree, lines: list[Line], lo: int, hi: int, parent: int | None, warnings: list[str]) -> None:
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
        if art is not None and accept_article(art, last):
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


def accept_article(art: pat.Number, last: tuple[int, int] | None) -> bool:
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


def _is_group_heading(lines: list[Line], i: int, hi: int, number: pat.Number) -> bool:
    """True for 一、一般规定 / （一）… headings between articles: short words, then an article or another heading."""
    if not number.rest or pat.is_sentence(number.rest):
        return False
    nxt = next_text(lines, i + 1, hi)
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


def _find_toc(lines: list[Line], lo: int, hi: int) -> tuple[int, int] | None:
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


def policy(tree: Tree, lines: list[Line], lo: int, hi: int, parent: int | None) -> None:
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


def _open_unnamed_attachment(tree: Tree, lines: list[Line], i: int) -> int:
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
