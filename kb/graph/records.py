"""Trace records: the items, groups and results a trace returns, and the per-trace cache of documents they come from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kb.citations.resolve import ClauseTree
from kb.models import Clause, ClauseKind, DocSummary
from kb.normalize.numerals import to_chinese

if TYPE_CHECKING:
    from kb.store.sqlite import Store

# Characters of a clause's text shown in an item.
SNIPPET_CHARS = 160


@dataclass(frozen=True, slots=True)
class TraceItem:
    """One clause or document in a trace, with why it is there."""

    id: str | None  # DOC_ID#CLAUSE_ID or DOC_ID; None for a citation kb could not resolve
    doc_id: str | None
    clause_id: str | None
    title: str | None
    number: str | None  # the clause as legislation names it: 第二十一条第二款
    text: str | None  # the start of the clause's text
    relation: str  # cites, basis, amends, repeals, cited-by, topic, similar
    reason: str  # the citing words, the shared topic terms, the similarity
    score: float = 0.0
    depth: int = 1
    via: str | None = None  # at depth 2 and more: the item this one was reached through
    province: str | None = None
    year: int | None = None
    level: str | None = None
    doc_type: str | None = None


@dataclass(frozen=True, slots=True)
class TraceGroup:
    """The items of one relation, ranked, with the total before the limit and a note when something is missing."""

    relation: str
    items: tuple[TraceItem, ...]
    total: int
    note: str | None = None


@dataclass(frozen=True, slots=True)
class TraceResult:
    """A trace of one clause (or document): what it is, then one group per relation asked for."""

    id: str
    doc_id: str
    clause_id: str | None
    title: str | None
    number: str | None
    text: str | None
    topics: tuple[str, ...]
    groups: tuple[TraceGroup, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class UnresolvedTitle:
    """A title cited in the knowledge base that names no document of it, with how often and an example."""

    title: str
    count: int
    documents: int
    example: str  # DOC_ID#CLAUSE_ID of one citing clause


def item_id(doc_id: str, clause_id: str | None) -> str:
    """The ID users pass back to `kb show` / `kb trace`."""
    return f"{doc_id}#{clause_id}" if clause_id else doc_id


def clause_label(tree: ClauseTree, clause: Clause | None) -> str | None:
    """A clause as legislation names it: 第二十一条第二款第三项; a policy unit by its own number (三、 （二）)."""
    parts: list[str] = []
    current = clause
    while current is not None:
        if current.kind is ClauseKind.PARAGRAPH and current.ordinal:
            parts.append(f"第{to_chinese(current.ordinal)}款")
        elif current.kind is ClauseKind.POINT and current.ordinal:
            parts.append(f"第{to_chinese(current.ordinal)}项")
        elif current.number and current.kind not in (ClauseKind.CHAPTER, ClauseKind.SECTION, ClauseKind.PART,
                                                      ClauseKind.SUBPART):  # fmt: skip
            parts.append(current.number)
        if current.kind is ClauseKind.ARTICLE:
            break
        current = tree.by_id.get(current.parent) if current.parent else None
    if not parts and clause is not None:
        return clause.number or clause.heading
    return "".join(reversed(parts)) or None


@dataclass
class TraceContext:
    """Caches of one trace: summaries and clause trees of the documents it touches."""

    store: Store
    summaries: dict[str, DocSummary | None] = field(default_factory=dict)
    trees: dict[str, ClauseTree | None] = field(default_factory=dict)
    bodies: dict[str, str] = field(default_factory=dict)

    def summary(self, doc_id: str) -> DocSummary | None:
        if doc_id not in self.summaries:
            self.summaries[doc_id] = self.store.summary(doc_id)
        return self.summaries[doc_id]

    def tree(self, doc_id: str) -> ClauseTree | None:
        if doc_id not in self.trees:
            doc = self.store.get_document(doc_id)
            self.trees[doc_id] = ClauseTree(doc.clauses) if doc else None
            if doc:
                self.bodies[doc_id] = doc.body
        return self.trees[doc_id]

    def item(self, doc_id: str, clause_id: str | None, relation: str, reason: str, **extra: Any) -> TraceItem:
        summary = self.summary(doc_id)
        tree = self.tree(doc_id) if clause_id else None
        clause = tree.by_id.get(clause_id) if tree and clause_id else None
        text = clause.text[:SNIPPET_CHARS] if clause else None
        meta = summary.meta if summary else None
        return TraceItem(
            id=item_id(doc_id, clause_id), doc_id=doc_id, clause_id=clause_id,
            title=summary.title if summary else None, number=clause_label(tree, clause) if tree else None,
            text=text, relation=relation, reason=reason, province=meta.province if meta else None,
            year=meta.year if meta else None, level=meta.level.value if meta and meta.level else None,
            doc_type=meta.doc_type.value if meta and meta.doc_type else None, **extra,
        )  # fmt: skip


__all__ = ["SNIPPET_CHARS", "TraceContext", "TraceGroup", "TraceItem", "TraceResult", "UnresolvedTitle", "clause_label",
           "item_id"]  # fmt: skip
