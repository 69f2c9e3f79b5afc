"""Related texts: a clause or document of the store -> clauses on the same topics, similar wording, documents like it.

Same-topic clauses are ranked by how specific the lexicon terms they share are (a term few clauses carry, such as
数据分类分级, weighs more than one most carry, such as 数据安全: an inverse clause frequency), then by how much
wording they share. Every list keeps at most a few items per document (``per_doc``) so that one long regulation
does not fill it, and leaves out the source's own document unless asked (``own``).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Protocol

from kb.graph.implements import GramWeights, wording
from kb.graph.records import TraceContext, TraceGroup, TraceItem
from kb.models import DocFilter, SearchHit, TopicTag
from kb.report.stats import matches

# Items per document in the topic and similar lists unless the caller asks otherwise.
PER_DOCUMENT = 2
# How many of the best same-topic candidates (by shared terms) are re-ranked by their wording, per item wanted.
RERANK_FACTOR = 4
# Weight of wording (a cosine in [0, 1]) beside the shared terms' specificity (normalised to [0, 1]).
WORDING_WEIGHT = 0.5
# Weight of a shared cited document beside a shared topic term, in "documents like this".
CITED_WEIGHT = 1.0


class MoreLikeThis(Protocol):
    """The part of the search index the similar list uses."""

    def more_like_this(self, doc_id: str, clause_id: str, *, limit: int = 10) -> tuple[SearchHit, ...]: ...


def cap_per_doc(items: Iterable[TraceItem], per_doc: int | None) -> list[TraceItem]:
    """Items in order, at most ``per_doc`` of each document (all with None)."""
    if per_doc is None:
        return list(items)
    counts: Counter[str | None] = Counter()
    kept = []
    for item in items:
        if counts[item.doc_id] < per_doc:
            counts[item.doc_id] += 1
            kept.append(item)
    return kept


def _allowed(ctx: TraceContext, doc_id: str, home: str, filters: DocFilter | None, own: bool) -> bool:
    if doc_id == home and not own:
        return False
    if filters is None:
        return True
    summary = ctx.summary(doc_id)
    return summary is not None and matches(summary, filters)


def same_topic(ctx: TraceContext, doc_id: str, clause_text: str | None, tags: Sequence[TopicTag],
               filters: DocFilter | None, limit: int, per_doc: int | None = PER_DOCUMENT,
               own: bool = False) -> TraceGroup:  # fmt: skip
    """Clauses tagged with the same topics, ranked by the specificity of the shared terms, then by wording."""
    if not tags:
        return TraceGroup("topic", (), 0, "no topic of the lexicon is found in this text")
    own_terms: dict[str, set[str]] = defaultdict(set)
    for tag in tags:
        own_terms[tag.topic].update(tag.terms)
    source_keys = {(t.doc_id, t.clause_id) for t in tags}
    clause_terms: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(dict)
    term_df: Counter[str] = Counter()
    for topic in own_terms:
        for other in ctx.store.topics(topic=topic):
            term_df.update(set(other.terms))
            clause_terms[(other.doc_id, other.clause_id)][topic] = set(other.terms)
    n = max(1, len(clause_terms))

    def idf(term: str) -> float:
        return math.log(1.0 + n / (1 + term_df.get(term, 0)))

    scored: list[tuple[float, tuple[str, str], list[tuple[str, set[str]]]]] = []
    for key, topics in clause_terms.items():
        if key in source_keys or not _allowed(ctx, key[0], doc_id, filters, own):
            continue
        shared = [(t, own_terms[t] & terms) for t, terms in topics.items() if t in own_terms]
        terms = set().union(*(s for _, s in shared))
        score = sum(idf(t) for t in terms) + 0.1 * len(shared)
        scored.append((score, key, shared))
    scored.sort(key=lambda s: (-s[0], s[1]))
    total = len(scored)
    # Re-rank the best by wording: the clause texts are read only for these.
    head = _cap_keys(scored, per_doc, limit * RERANK_FACTOR)
    top = max((s[0] for s in head), default=1.0) or 1.0
    source = wording(clause_text) if clause_text else None
    texts = {key: _clause_text(ctx, *key) for _, key, _ in head}
    weights = GramWeights([wording(t) for t in texts.values()] + ([source] if source else []))
    reranked = []
    for score, key, shared in head:
        overlap = weights.cosine(source, wording(texts[key])) if source and texts[key] else 0.0
        reranked.append((score / top + WORDING_WEIGHT * overlap, overlap, key, shared))
    reranked.sort(key=lambda s: (-s[0], s[2]))
    items = []
    for combined, overlap, (other_doc, other_clause), shared in reranked[:limit]:
        parts = [f"{t}（{'、'.join(sorted(terms, key=idf, reverse=True))}）" if terms else t for t, terms in shared]
        reason = "shared topics: " + "；".join(parts) + (f"; shared wording {overlap:.2f}" if overlap else "")
        items.append(ctx.item(other_doc, other_clause, "topic", reason, score=round(combined, 3)))
    return TraceGroup("topic", tuple(items), total)


def _cap_keys(scored: list[tuple[float, tuple[str, str], list[tuple[str, set[str]]]]], per_doc: int | None,
              wanted: int) -> list[tuple[float, tuple[str, str], list[tuple[str, set[str]]]]]:  # fmt: skip
    counts: Counter[str] = Counter()
    kept = []
    for entry in scored:
        doc = entry[1][0]
        if per_doc is not None and counts[doc] >= per_doc:
            continue
        counts[doc] += 1
        kept.append(entry)
        if len(kept) >= wanted:
            break
    return kept


def _clause_text(ctx: TraceContext, doc_id: str, clause_id: str) -> str:
    tree = ctx.tree(doc_id)
    clause = tree.by_id.get(clause_id) if tree else None
    return clause.text if clause else ""


def similar(ctx: TraceContext, index: MoreLikeThis | None, doc_id: str, clause_id: str | None,
            filters: DocFilter | None, limit: int, per_doc: int | None = PER_DOCUMENT,
            own: bool = False) -> TraceGroup:  # fmt: skip
    """Clauses of similar wording (the index's more-like-this), or for a document the documents like it."""
    if clause_id is None:
        return documents_like(ctx, doc_id, filters, limit, own=own)
    if index is None:
        return TraceGroup("similar", (), 0, "the search index is absent: run `kb ingest` to build it")
    hits = index.more_like_this(doc_id, clause_id, limit=limit * 6)
    items = [
        ctx.item(hit.doc_id, hit.clause_id, "similar", f"similar wording (score {hit.score:.2f})", score=hit.score)
        for hit in hits
        if _allowed(ctx, hit.doc_id, doc_id, filters, own)
    ]
    kept = cap_per_doc(items, per_doc)
    return TraceGroup("similar", tuple(kept[:limit]), len(kept))


def documents_like(ctx: TraceContext, doc_id: str, filters: DocFilter | None, limit: int,
                   own: bool = False) -> TraceGroup:  # fmt: skip
    """Documents sharing the most specific topic terms and cited documents with this one (a cosine of the two)."""
    features: dict[str, Counter[str]] = defaultdict(Counter)
    for tag in ctx.store.topics():
        for term in tag.terms:
            features[tag.doc_id][f"term:{term}"] += 1
    for c in ctx.store.citations(unresolved=False):
        if c.target_doc and c.target_doc != c.doc_id:
            features[c.doc_id][f"cites:{c.target_doc}"] += 1
    mine = features.get(doc_id)
    if not mine:
        return TraceGroup("similar", (), 0, "this document carries no topic term and cites no document of the base")
    df: Counter[str] = Counter()
    for feats in features.values():
        df.update(feats.keys())
    n = len(features)

    def weight(feature: str, count: int) -> float:
        scale = CITED_WEIGHT if feature.startswith("cites:") else 1.0
        return scale * (1 + math.log(count)) * math.log(1.0 + n / (1 + df[feature]))

    def vector(feats: Counter[str]) -> dict[str, float]:
        return {f: weight(f, c) for f, c in feats.items()}

    own_vector = vector(mine)
    own_norm = math.sqrt(sum(v * v for v in own_vector.values()))
    scored = []
    for other, feats in features.items():
        if other == doc_id or not _allowed(ctx, other, doc_id, filters, own):
            continue
        shared = set(feats) & set(own_vector)
        if not shared:
            continue
        vec = vector(feats)
        dot = sum(own_vector[f] * vec[f] for f in shared)
        cos = dot / (own_norm * math.sqrt(sum(v * v for v in vec.values())))
        scored.append((cos, other, shared))
    scored.sort(key=lambda s: (-s[0], s[1]))
    items = []
    for cos, other, shared in scored[:limit]:
        best = sorted(shared, key=lambda f: -own_vector[f])[:4]
        names = [_feature_name(ctx, f) for f in best]
        items.append(ctx.item(other, None, "similar", f"documents like this ({cos:.2f}): " + "、".join(names),
                              score=round(cos, 3)))  # fmt: skip
    return TraceGroup("similar", tuple(items), len(scored))


def _feature_name(ctx: TraceContext, feature: str) -> str:
    kind, _, value = feature.partition(":")
    if kind == "cites":
        summary = ctx.summary(value)
        return f"cites 《{summary.title}》" if summary and summary.title else f"cites {value}"
    return value


__all__ = ["PER_DOCUMENT", "cap_per_doc", "documents_like", "same_topic", "similar"]
