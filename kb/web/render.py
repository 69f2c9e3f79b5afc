"""Web rendering helpers: records -> the plain pieces templates print (marked snippets, linked clause texts, URLs).

Templates escape every piece (Jinja autoescape); nothing here builds HTML, so a document's text or title can never
become markup.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote, quote_plus, urlencode

from kb.models import Citation, ClauseKind, Document, Highlight

# Clause kinds that head a part of the outline (编, 分编, 章, 节; 一、 in policy documents; 附件).
OUTLINE_KINDS = frozenset(
    {
        ClauseKind.PART,
        ClauseKind.SUBPART,
        ClauseKind.CHAPTER,
        ClauseKind.SECTION,
        ClauseKind.DIVISION,
        ClauseKind.ATTACHMENT,
        ClauseKind.PREAMBLE,
        ClauseKind.CLOSING,
    }
)
# Clause kinds printed as headings in the text.
HEADING_KINDS = frozenset({ClauseKind.PART, ClauseKind.SUBPART, ClauseKind.CHAPTER, ClauseKind.SECTION})


@dataclass(frozen=True, slots=True)
class Piece:
    """A stretch of text, with the link it carries (a citation's target) and its tooltip, if any."""

    text: str
    href: str | None = None
    note: str | None = None
    unresolved: bool = False


@dataclass(frozen=True, slots=True)
class ClauseBlock:
    """One clause's own text (up to its first child) as linked pieces, with its anchor id and cited-by count."""

    id: str
    kind: str
    number: str | None
    depth: int
    heading: bool
    article: bool
    pieces: tuple[Piece, ...]
    cited_by: int


@dataclass(frozen=True, slots=True)
class OutlineEntry:
    """A line of the document's outline: a heading clause and its anchor."""

    id: str
    depth: int
    label: str


def marked(snippet: str, highlights: Sequence[Highlight]) -> list[tuple[str, bool]]:
    """The snippet cut into (text, highlighted) pieces."""
    pieces, last = [], 0
    for h in sorted(highlights, key=lambda h: h.start):
        start, end = max(h.start, last), min(h.end, len(snippet))
        if start >= end:
            continue
        if start > last:
            pieces.append((snippet[last:start], False))
        pieces.append((snippet[start:end], True))
        last = end
    if last < len(snippet):
        pieces.append((snippet[last:], False))
    return pieces


def doc_href(doc_id: str, clause_id: str | None = None) -> str:
    """The document page's URL, at the clause's anchor when one is given."""
    return f"/doc/{quote(doc_id)}" + (f"#{quote(clause_id)}" if clause_id else "")


def ref_href(ref: str | None) -> str | None:
    """The URL of a DOC_ID#CLAUSE_ID (as trace items and JSON name clauses)."""
    if not ref:
        return None
    doc_id, _, clause_id = ref.partition("#")
    return doc_href(doc_id, clause_id or None)


def trace_href(doc_id: str, clause_id: str | None = None) -> str:
    """The trace page of a clause or document."""
    ref = f"{doc_id}#{clause_id}" if clause_id else doc_id
    return "/trace?" + urlencode({"ref": ref})


def _citation_piece(text: str, citation: Citation, doc_id: str) -> Piece:
    note = citation.reason or None
    if citation.target_doc is None:
        return Piece(text, None, note or "not in the knowledge base", unresolved=True)
    if citation.target_doc == doc_id:
        href = f"#{quote(citation.target_clause)}" if citation.target_clause else "#"
    else:
        href = doc_href(citation.target_doc, citation.target_clause)
    return Piece(text, href, note)


def _pieces(body: str, start: int, end: int, citations: Sequence[Citation], doc_id: str) -> tuple[Piece, ...]:
    out: list[Piece] = []
    at = start
    for citation in citations:
        c_start, c_end = max(citation.start, at), min(citation.end, end)
        if c_end <= c_start or citation.start < at:
            continue
        if c_start > at:
            out.append(Piece(body[at:c_start]))
        out.append(_citation_piece(body[c_start:c_end], citation, doc_id))
        at = c_end
    if at < end:
        out.append(Piece(body[at:end]))
    return tuple(out)


def clause_blocks(doc: Document, citations: Iterable[Citation], cited_by: Iterable[Citation]) -> list[ClauseBlock]:
    """The document's body as one block per clause (its own text, citations linked), in reading order."""
    ordered = sorted(citations, key=lambda c: (c.start, -c.end))
    counts = Counter(c.target_clause for c in cited_by if c.target_clause)
    blocks: list[ClauseBlock] = []
    if doc.clauses and doc.clauses[0].start > 0 and doc.body[: doc.clauses[0].start].strip():
        lead = _pieces(doc.body, 0, doc.clauses[0].start, ordered, doc.id)
        blocks.append(ClauseBlock("top", "text", None, 0, False, False, lead, 0))
    if not doc.clauses:
        blocks.append(
            ClauseBlock("top", "text", None, 0, False, False, _pieces(doc.body, 0, len(doc.body), ordered, doc.id), 0)
        )
    for clause in doc.clauses:
        end = max(clause.start, clause.own_end)
        text = doc.body[clause.start : end]
        if not text.strip() and clause.kind not in HEADING_KINDS:
            continue
        blocks.append(
            ClauseBlock(
                id=clause.id,
                kind=clause.kind.value,
                number=clause.number,
                depth=clause.depth,
                heading=clause.kind in HEADING_KINDS,
                article=clause.kind == ClauseKind.ARTICLE,
                pieces=_pieces(doc.body, clause.start, end, ordered, doc.id),
                cited_by=counts.get(clause.id, 0),
            )
        )
    return blocks


def outline(doc: Document) -> list[OutlineEntry]:
    """The headings of the document (编章节, 一、, 附件); its articles when it has no headings."""
    heads = [c for c in doc.clauses if c.kind in OUTLINE_KINDS]
    if not heads:
        heads = [c for c in doc.clauses if c.kind in (ClauseKind.ARTICLE, ClauseKind.ITEM, ClauseKind.SUBDIVISION)]
    entries = []
    for clause in heads:
        label = " ".join(p for p in (clause.number, clause.heading) if p) or clause.text.split("\n", 1)[0][:30]
        entries.append(OutlineEntry(clause.id, clause.depth, label))
    return entries


def url(path: str, params: Mapping[str, object], **changes: object) -> str:
    """``path`` with the query ``params`` and the ``changes`` (None removes a key; lists repeat it)."""
    encoded = [piece for key, value in {**params, **changes}.items() for piece in _encoded(key, value)]
    return path + ("?" + "&".join(encoded) if encoded else "")


def _encoded(key: str, value: object) -> list[str]:
    """``key=value`` pieces of a query string, as urlencode writes them (none for an empty value)."""
    if value is None or value == "" or value is False:
        return []
    if isinstance(value, (list, tuple)):
        return [f"{_quoted(key)}={_quoted(str(v))}" for v in value]
    return [f"{_quoted(key)}={_quoted('1' if value is True else str(value))}"]


@functools.lru_cache(maxsize=4096)
def _quoted(text: str) -> str:
    """``text`` as urlencode quotes it (a result page repeats the same keys and values in every facet link)."""
    return quote_plus(text)


class FacetLinks:
    """The links of one result page that tick or untick its facet values: the page's query is encoded once, and
    each link is that query with one key changed (the same URL :func:`url` would build)."""

    def __init__(self, params: Mapping[str, object]) -> None:
        self.params = params
        self._pieces = [(key, _encoded(key, value)) for key, value in params.items()]

    def href(self, name: str, value: str) -> tuple[str, bool]:
        """The search URL that ticks (or, when ticked, unticks) ``name=value``, and whether it is ticked now. A
        year replaces a from/to range, which it would contradict."""
        chosen = str(self.params.get(name, "")) == value
        dropped = {"page", "from", "to"} if name == "year" else {"page"}
        new = [] if chosen else _encoded(name, value)
        out: list[str] = []
        for key, pieces in self._pieces:
            if key == name:
                out.extend(new)
                new = []
            elif key not in dropped:
                out.extend(pieces)
        out.extend(new)
        return "/search" + ("?" + "&".join(out) if out else ""), chosen
