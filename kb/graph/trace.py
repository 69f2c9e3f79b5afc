"""Trace: a clause or document of the store -> what it cites, what cites it, the same topics elsewhere, similar text.

:func:`trace` answers the question a researcher asks of a clause: which laws it rests on (its citations, resolved
to the clause text), which later texts build on it (citations pointing at it, filterable by province, year and
level), how other jurisdictions treat the same topics (clauses tagged with its topics in documents of another
province or level), and which clauses read alike (the search index's more-like-this). Every item carries the
reason it is there and an ID ``DOC_ID#CLAUSE_ID`` (or ``DOC_ID``) to pass back to `kb show` or `kb trace`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from kb.citations.patterns import title_key
from kb.citations.resolve import ClauseTree
from kb.errors import NotFound
from kb.graph.implements import implemented_by, implements
from kb.graph.records import (
    SNIPPET_CHARS,
    TraceContext,
    TraceGroup,
    TraceItem,
    TraceResult,
    UnresolvedTitle,
    clause_label,
    item_id,
)
from kb.graph.related import PER_DOCUMENT, MoreLikeThis, same_topic, similar
from kb.models import DocFilter, Relation
from kb.report.stats import matches

if TYPE_CHECKING:
    from kb.store.sqlite import Store

# The relations a trace can show, as `kb trace --relation` names them.
RELATIONS = ("cites", "cited-by", "implements", "implemented-by", "topic", "similar")
# Citation relations in the order items of the cites group are shown: what a clause rests on first.
_RELATION_RANK = {Relation.BASIS.value: 0, Relation.AMENDS.value: 1, Relation.REPEALS.value: 2, Relation.CITES.value: 3}


def _subtree(tree: ClauseTree, clause_id: str | None) -> set[str] | None:
    """The clause and every clause below it; None for the whole document."""
    if clause_id is None:
        return None
    clause = tree.by_id[clause_id]
    return {clause.id} | {c.id for c in tree.descendants(clause)}


def _cites(ctx: TraceContext, doc_id: str, clause_ids: set[str] | None, depth: int, limit: int) -> TraceGroup:
    """What the clause cites, resolved to clause text, following citations ``depth`` levels down."""
    items: list[TraceItem] = []
    seen: set[tuple[str | None, str | None, str]] = set()
    frontier: list[tuple[str, set[str] | None, str | None]] = [(doc_id, clause_ids, None)]
    for level in range(1, depth + 1):
        following: list[tuple[str, set[str] | None, str | None]] = []
        for source_doc, source_ids, via in frontier:
            citations = ctx.store.citations(doc_id=source_doc)
            for c in citations:
                if source_ids is not None and c.clause_id not in source_ids:
                    continue
                if source_ids is None and c.target_doc == source_doc:
                    continue  # a whole document's references to itself say nothing about what it rests on
                key = (c.target_doc, c.target_clause, c.title or c.text if c.target_doc is None else "")
                if key in seen or (c.target_doc == doc_id and c.target_clause in (clause_ids or ())):
                    continue
                seen.add(key)
                reason = f"{c.text}" + (f" ({c.reason})" if c.target_doc is None and c.reason else "")
                if c.target_doc is None:
                    items.append(TraceItem(id=None, doc_id=None, clause_id=None, title=c.title, number=c.pinpoint,
                                           text=None, relation=c.relation.value, reason=reason, depth=level,
                                           via=via))  # fmt: skip
                    continue
                items.append(ctx.item(c.target_doc, c.target_clause, c.relation.value, reason, depth=level, via=via))
                if level < depth:
                    tree = ctx.tree(c.target_doc)
                    ids = _subtree(tree, c.target_clause) if tree and c.target_clause in tree.by_id else None
                    following.append((c.target_doc, ids, item_id(c.target_doc, c.target_clause)))
        frontier = following
    items.sort(key=lambda i: (i.depth, _RELATION_RANK.get(i.relation, 9), i.id is None))
    return TraceGroup("cites", tuple(nest(items[:limit])), len(items))


def _cited_by(ctx: TraceContext, doc_id: str, clause_ids: set[str] | None, depth: int, filters: DocFilter | None,
              limit: int) -> TraceGroup:  # fmt: skip
    """The clauses citing the clause (or document), filtered by the citing document, ``depth`` levels up."""
    items: list[TraceItem] = []
    seen: set[tuple[str, str]] = set()
    frontier: list[tuple[str, set[str] | None, str | None]] = [(doc_id, clause_ids, None)]
    for level in range(1, depth + 1):
        following: list[tuple[str, set[str] | None, str | None]] = []
        for target_doc, target_ids, via in frontier:
            for c in ctx.store.citations(target_doc=target_doc):
                if target_ids is not None and c.target_clause not in target_ids:
                    continue
                if target_ids is None and c.doc_id == target_doc:
                    continue
                if (c.doc_id, c.clause_id) in seen or (c.doc_id == doc_id and c.clause_id in (clause_ids or ())):
                    continue
                summary = ctx.summary(c.doc_id)
                seen.add((c.doc_id, c.clause_id))
                where = f" -> {c.pinpoint}" if c.pinpoint else ""
                if filters is None or (summary is not None and matches(summary, filters)):
                    items.append(ctx.item(c.doc_id, c.clause_id or None, "cited-by", f"{c.text}{where}",
                                          depth=level, via=via))  # fmt: skip
                if level < depth:  # followed whatever the filters: a 广东 text may cite a 浙江 one that cites it
                    tree = ctx.tree(c.doc_id)
                    ids = _subtree(tree, c.clause_id) if tree and c.clause_id in tree.by_id else None
                    following.append((c.doc_id, ids, item_id(c.doc_id, c.clause_id)))
        frontier = following
    # Other documents before the document's own cross-references; newer texts first.
    items.sort(key=lambda i: (i.depth, i.doc_id == doc_id, -(i.year or 0), i.title or ""))
    return TraceGroup("cited-by", tuple(nest(items[:limit])), len(items))


def nest(items: Sequence[TraceItem]) -> list[TraceItem]:
    """Items in tree order: each item followed by the items reached through it (``via``), so that text output can
    indent an item under its own parent. Items whose parent is not shown follow at the end."""
    children: dict[str | None, list[TraceItem]] = defaultdict(list)
    for item in items:
        children[item.via].append(item)
    ordered: list[TraceItem] = []
    placed: set[int] = set()

    def visit(parent: str | None, depth: int) -> None:
        for child in children.get(parent, []):
            if id(child) in placed or child.depth != depth:
                continue
            placed.add(id(child))
            ordered.append(child)
            if child.id is not None:
                visit(child.id, depth + 1)

    visit(None, 1)
    ordered.extend(i for i in items if id(i) not in placed)
    return ordered


def trace(
    store: Store,
    index: MoreLikeThis | None,
    doc_id: str,
    clause_id: str | None = None,
    *,
    depth: int = 1,
    relations: Iterable[str] = RELATIONS,
    filters: DocFilter | None = None,
    limit: int = 20,
    per_doc: int | None = PER_DOCUMENT,
    own: bool = False,
) -> TraceResult:
    """Trace a clause (or a whole document when ``clause_id`` is None); raises NotFound for an unknown ID.

    ``filters`` apply to the documents shown (the citing ones, the implementing ones, the same-topic and similar
    ones); what the clause cites is shown whatever the filters. ``index`` may be None: the similar group then says
    the index is absent instead of failing. ``per_doc`` caps the items of one document in the implements,
    implemented-by, topic and similar groups (None: no cap); ``own`` lets the source's own document into the topic
    and similar groups.
    """
    wanted = tuple(relations)
    unknown = [r for r in wanted if r not in RELATIONS]
    if unknown:
        raise NotFound(f"{', '.join(unknown)}: no such relation; expected one of {', '.join(RELATIONS)}")
    ctx = TraceContext(store)
    summary = ctx.summary(doc_id)
    tree = ctx.tree(doc_id)
    if summary is None or tree is None:
        raise NotFound(f"{doc_id}: no document with this id; find one with `kb search` or `kb list`")
    if clause_id is not None and clause_id not in tree.by_id:
        raise NotFound(f"{doc_id}#{clause_id}: no such clause; see `kb show {doc_id}` for its clauses")
    clause_ids = _subtree(tree, clause_id)
    tags = [t for t in store.topics(doc_id=doc_id) if clause_ids is None or t.clause_id in clause_ids]
    depth = max(1, depth)
    groups = []
    for relation in wanted:
        if relation == "cites":
            groups.append(_cites(ctx, doc_id, clause_ids, depth, limit))
        elif relation == "cited-by":
            groups.append(_cited_by(ctx, doc_id, clause_ids, depth, filters, limit))
        elif relation == "implements":
            groups.append(implements(ctx, index, doc_id, clause_id, filters, limit, per_doc))
        elif relation == "implemented-by":
            groups.append(implemented_by(ctx, index, doc_id, clause_id, filters, limit, per_doc))
        elif relation == "topic":
            text = tree.by_id[clause_id].text if clause_id else None
            groups.append(same_topic(ctx, doc_id, text, tags, filters, limit, per_doc, own))
        else:
            groups.append(similar(ctx, index, doc_id, clause_id, filters, limit, per_doc, own))
    clause = tree.by_id.get(clause_id) if clause_id else None
    return TraceResult(
        id=item_id(doc_id, clause_id), doc_id=doc_id, clause_id=clause_id, title=summary.title,
        number=clause_label(tree, clause), text=clause.text[:SNIPPET_CHARS * 2] if clause else None,
        topics=tuple(dict.fromkeys(t.topic for t in tags)), groups=tuple(groups),
    )  # fmt: skip


def unresolved_titles(store: Store, *, limit: int = 30, filters: DocFilter | None = None) -> list[UnresolvedTitle]:
    """The titles cited most often that name no document of the knowledge base (what to ingest next)."""
    counts: Counter[str] = Counter()
    docs: dict[str, set[str]] = defaultdict(set)
    shown: dict[str, str] = {}
    example: dict[str, str] = {}
    allowed: set[str] | None = None
    if filters is not None:
        allowed = {s.id for s in store.summaries(filters)}
    for c in store.citations(unresolved=True):
        if c.title is None or (allowed is not None and c.doc_id not in allowed):
            continue
        key = title_key(c.title)
        counts[key] += 1
        docs[key].add(c.doc_id)
        shown.setdefault(key, c.title)
        example.setdefault(key, item_id(c.doc_id, c.clause_id or None))
    return [UnresolvedTitle(shown[k], n, len(docs[k]), example[k]) for k, n in counts.most_common(limit)]


__all__ = [
    "RELATIONS",
    "TraceGroup",
    "TraceItem",
    "TraceResult",
    "UnresolvedTitle",
    "clause_label",
    "item_id",
    "nest",
    "trace",
    "unresolved_titles",
]
