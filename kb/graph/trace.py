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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from kb.citations.resolve import ClauseTree, title_key
from kb.errors import NotFound
from kb.models import Clause, ClauseKind, DocFilter, DocSummary, Relation, SearchHit, TopicTag
from kb.normalize.numerals import to_chinese
from kb.report.stats import matches

if TYPE_CHECKING:
    from kb.store.sqlite import Store

# The relations a trace can show, as `kb trace --relation` names them.
RELATIONS = ("cites", "cited-by", "topic", "similar")
# Characters of a clause's text shown in an item.
SNIPPET_CHARS = 160
# Citation relations in the order items of the cites group are shown: what a clause rests on first.
_RELATION_RANK = {Relation.BASIS.value: 0, Relation.AMENDS.value: 1, Relation.REPEALS.value: 2, Relation.CITES.value: 3}


class MoreLikeThis(Protocol):
    """The part of the search index a trace uses."""

    def more_like_this(self, doc_id: str, clause_id: str, *, limit: int = 10) -> tuple[SearchHit, ...]: ...


@dataclass(frozen=True, slots=True)
class TraceItem:
    """One clause or document in a trace, with why it is there."""

    ref: str | None  # DOC_ID#CLAUSE_ID or DOC_ID; None for a citation kb could not resolve
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

    ref: str  # DOC_ID#CLAUSE_ID or DOC_ID
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
class _Context:
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
            ref=item_id(doc_id, clause_id), doc_id=doc_id, clause_id=clause_id,
            title=summary.title if summary else None, number=clause_label(tree, clause) if tree else None,
            text=text, relation=relation, reason=reason, province=meta.province if meta else None,
            year=meta.year if meta else None, level=meta.level.value if meta and meta.level else None,
            doc_type=meta.doc_type.value if meta and meta.doc_type else None, **extra,
        )  # fmt: skip


def _subtree(tree: ClauseTree, clause_id: str | None) -> set[str] | None:
    """The clause and every clause below it; None for the whole document."""
    if clause_id is None:
        return None
    clause = tree.by_id[clause_id]
    return {clause.id} | {c.id for c in tree.descendants(clause)}


def _cites(ctx: _Context, doc_id: str, clause_ids: set[str] | None, depth: int, limit: int) -> TraceGroup:
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
                    items.append(TraceItem(ref=None, doc_id=None, clause_id=None, title=c.title, number=c.pinpoint,
                                           text=None, relation=c.relation.value, reason=reason, depth=level,
                                           via=via))  # fmt: skip
                    continue
                items.append(ctx.item(c.target_doc, c.target_clause, c.relation.value, reason, depth=level, via=via))
                if level < depth:
                    tree = ctx.tree(c.target_doc)
                    ids = _subtree(tree, c.target_clause) if tree and c.target_clause in tree.by_id else None
                    following.append((c.target_doc, ids, item_id(c.target_doc, c.target_clause)))
        frontier = following
    items.sort(key=lambda i: (i.depth, _RELATION_RANK.get(i.relation, 9), i.ref is None))
    return TraceGroup("cites", tuple(items[:limit]), len(items))


def _cited_by(ctx: _Context, doc_id: str, clause_ids: set[str] | None, depth: int, filters: DocFilter | None,
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
    return TraceGroup("cited-by", tuple(items[:limit]), len(items))


def _jurisdiction(summary: DocSummary | None) -> tuple[str | None, str | None, str | None]:
    if summary is None:
        return (None, None, None)
    meta = summary.meta
    return (meta.province, meta.city, meta.level.value if meta.level else None)


def _same_topic(ctx: _Context, doc_id: str, tags: Sequence[TopicTag], filters: DocFilter | None,
                limit: int) -> TraceGroup:  # fmt: skip
    """Clauses of other jurisdictions tagged with the same topics, ranked by shared topics, then shared terms."""
    if not tags:
        return TraceGroup("topic", (), 0, "no topic of the lexicon is found in this text")
    own_terms: dict[str, set[str]] = defaultdict(set)
    for tag in tags:
        own_terms[tag.topic].update(tag.terms)
    home = _jurisdiction(ctx.summary(doc_id))
    shared: dict[tuple[str, str], list[tuple[str, set[str]]]] = defaultdict(list)
    for topic, terms in own_terms.items():
        for other in ctx.store.topics(topic=topic):
            if other.doc_id == doc_id:
                continue
            shared[(other.doc_id, other.clause_id)].append((topic, terms & set(other.terms)))
    scored: list[tuple[float, tuple[str, str], list[tuple[str, set[str]]]]] = []
    for key, topics in shared.items():
        summary = ctx.summary(key[0])
        if _jurisdiction(summary) == home:
            continue
        if filters is not None and (summary is None or not matches(summary, filters)):
            continue
        score = len(topics) + 0.1 * sum(len(terms) for _, terms in topics)
        scored.append((score, key, topics))
    scored.sort(key=lambda s: (-s[0], s[1]))
    items = []
    for score, (other_doc, other_clause), topics in scored[:limit]:
        parts = [f"{t}（{'、'.join(sorted(terms))}）" if terms else t for t, terms in topics]
        items.append(ctx.item(other_doc, other_clause, "topic", "shared topics: " + "；".join(parts), score=score))
    return TraceGroup("topic", tuple(items), len(scored))


def _similar(ctx: _Context, index: MoreLikeThis | None, doc_id: str, clause_id: str | None, filters: DocFilter | None,
             limit: int) -> TraceGroup:  # fmt: skip
    if index is None:
        return TraceGroup("similar", (), 0, "the search index is absent: run `kb ingest` to build it")
    if clause_id is None:
        return TraceGroup("similar", (), 0, "similar text is found for a clause; name one (DOC_ID#CLAUSE_ID)")
    hits = index.more_like_this(doc_id, clause_id, limit=limit * 3 if filters else limit)
    items = []
    for hit in hits:
        summary = ctx.summary(hit.doc_id)
        if filters is not None and (summary is None or not matches(summary, filters)):
            continue
        items.append(ctx.item(hit.doc_id, hit.clause_id, "similar", f"similar wording (score {hit.score:.2f})",
                              score=hit.score))  # fmt: skip
    return TraceGroup("similar", tuple(items[:limit]), len(items))


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
) -> TraceResult:
    """Trace a clause (or a whole document when ``clause_id`` is None); raises NotFound for an unknown ID.

    ``filters`` apply to the documents shown (the citing ones, the other jurisdictions, the similar ones); what the
    clause cites is shown whatever the filters. ``index`` may be None: the similar group then says the index is
    absent instead of failing.
    """
    wanted = tuple(relations)
    unknown = [r for r in wanted if r not in RELATIONS]
    if unknown:
        raise NotFound(f"{', '.join(unknown)}: no such relation; expected one of {', '.join(RELATIONS)}")
    ctx = _Context(store)
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
        elif relation == "topic":
            groups.append(_same_topic(ctx, doc_id, tags, filters, limit))
        else:
            groups.append(_similar(ctx, index, doc_id, clause_id, filters, limit))
    clause = tree.by_id.get(clause_id) if clause_id else None
    return TraceResult(
        ref=item_id(doc_id, clause_id), doc_id=doc_id, clause_id=clause_id, title=summary.title,
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
    "trace",
    "unresolved_titles",
]
