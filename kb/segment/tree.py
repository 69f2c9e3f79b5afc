"""Segmentation tree: body lines -> clause nodes with unique ids -> Clause records with spans that tile the body."""

from __future__ import annotations

from dataclasses import dataclass

from kb.models import Clause, ClauseKind


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the body: where it starts and its text without surrounding whitespace."""

    start: int  # offset of the line in the body
    text: str  # the line without surrounding whitespace


@dataclass(slots=True)
class Node:
    """A clause being built: its kind, id and first line; its span is known once every node is in."""

    kind: ClauseKind
    id: str
    line: int
    depth: int
    parent: int | None
    number: str | None = None
    ordinal: int | None = None
    sub: int | None = None
    heading: str | None = None


class Tree:
    """Nodes in pre-order as the grammars create them, with unique ids."""

    def __init__(self, marked: frozenset[int] | None) -> None:
        self.marked = marked  # lines the source marks as headings, or None when it marks none
        self.nodes: list[Node] = []
        self._ids: set[str] = set()
        self._suffix: dict[str, int] = {}  # base id -> the last suffix given to it, so a repeated id costs O(1)
        self._unnumbered = 0

    def add(
        self,
        kind: ClauseKind,
        local: str,
        parent: int | None,
        line: int,
        *,
        number: str | None = None,
        ordinal: int | None = None,
        sub: int | None = None,
        heading: str | None = None,
    ) -> int:
        """Add a node under ``parent`` (an index, None at the top) starting at ``line``; its index."""
        base = f"{self.nodes[parent].id}__{local}" if parent is not None else local
        # A repeated id gets the first free suffix (第一条 twice: art_1, art_1-2). Suffixes below the last one given
        # are all taken, so the search starts there: 200,000 repeats cost linear time, not quadratic.
        n = self._suffix.get(base, 1)
        node_id = base if n == 1 else f"{base}-{n}"
        while node_id in self._ids:
            n += 1
            node_id = f"{base}-{n}"
        self._suffix[base] = n
        self._ids.add(node_id)
        depth = self.nodes[parent].depth + 1 if parent is not None else 0
        self.nodes.append(Node(kind, node_id, line, depth, parent, number, ordinal, sub, heading))
        return len(self.nodes) - 1

    def unnumbered(self) -> int:
        """The next count of headings without a number (附则), for their ids (``chp_u1``)."""
        self._unnumbered += 1
        return self._unnumbered


def split_lines(body: str) -> list[Line]:
    lines, offset = [], 0
    for raw in body.split("\n"):
        lines.append(Line(offset, raw.strip()))
        offset += len(raw) + 1
    return lines


def next_text(lines: list[Line], i: int, hi: int) -> int | None:
    """The index of the first non-empty line at or after ``i`` and before ``hi``."""
    while i < hi:
        if lines[i].text:
            return i
        i += 1
    return None


def finish(doc_id: str, body: str, lines: list[Line], tree: Tree) -> tuple[Clause, ...]:
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
