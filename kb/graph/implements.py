"""上位法 and 下位法: a clause of the store -> the higher-ranking provisions it implements, or the lower ones that do.

A local regulation implements a national law in three ways a reader can check: a clause cites the law's article
(``依照《中华人民共和国数据安全法》第二十一条``), the regulation names the law as its basis (``根据《中华人民共和国
数据安全法》……，制定本条例``) and then restates an article in its own words, or it restates an article without naming
the law at all. :func:`implements` and :func:`implemented_by` find all three; each item says which one holds, with the
wording the two clauses share. Rank follows the legal hierarchy: level (national, provincial, municipal, county),
then the kind of text (法律 above 行政法规 above 部门规章; 地方性法规 above 地方政府规章).

Wording is compared by character bigrams weighted by how rare they are among the clauses compared (a shared
``分类分级`` counts, a shared ``数据`` barely does), as a cosine between the two clauses.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Protocol

from kb.graph.records import TraceContext, TraceGroup
from kb.models import Clause, ClauseKind, DocFilter, DocSummary, DocType, Level, Relation, SearchHit
from kb.report.stats import matches

if TYPE_CHECKING:
    from kb.citations.resolve import ClauseTree

# Order of levels, highest first: a document implements only documents ranked above it.
LEVEL_RANK = {Level.NATIONAL: 0, Level.PROVINCIAL: 1, Level.MUNICIPAL: 2, Level.COUNTY: 3}
# Order of kinds of text within a level (宪法 above 法律 above 行政法规 ...); unknown kinds rank last.
TYPE_RANK = {
    DocType.CONSTITUTION: 0, DocType.LAW: 1, DocType.DECISION: 1, DocType.ADMIN_REGULATION: 2,
    DocType.JUDICIAL: 2, DocType.LOCAL_REGULATION: 2, DocType.DEPT_RULE: 3, DocType.LOCAL_GOV_RULE: 3,
    DocType.NORMATIVE: 4, DocType.OTHER: 5,
}  # fmt: skip
# Cosine of the two wordings from which a clause of a document naming the law as its basis counts as implementing
# an article of it, and (higher) for a clause of a document that does not name the law.
BASIS_SIMILARITY = 0.22
FREE_SIMILARITY = 0.40
# Cosine from which an article the search index finds worded like the source counts, in a document not naming it.
HIT_SIMILARITY = 0.30
# Past a document's best clause, another is kept only if its wording comes this close to the best's.
RUNNER_UP = 0.75
# Implementing clauses shown per document unless the caller asks for more.
PER_DOCUMENT = 2
# Clauses the search index proposes, per source clause, for the "restates without naming" case.
INDEX_CANDIDATES = 60
# What the wording is compared on: CJK letters, Latin letters and digits; punctuation and spaces are dropped.
# "第二十一条" and the like at the start of a clause are its number, not its wording.
NON_WORD = re.compile(r"[^\w]|_")
LEADING_NUMBER = re.compile(r"^\s*第[一二三四五六七八九十百零〇\d]+条(?:之[一二三四五六七八九十]+)?")
# Shared runs of at least this many characters are quoted in a reason (数据分类分级保护制度).
SHARED_RUN = 4
# Characters of one shared run a reason quotes.
QUOTE_CHARS = 24


class MoreLikeThis(Protocol):
    """The part of the search index the text-similarity case uses."""

    def more_like_this(self, doc_id: str, clause_id: str, *, limit: int = 10) -> tuple[SearchHit, ...]: ...


@dataclass(frozen=True, slots=True)
class Wording:
    """A clause's text reduced to what is compared: its letters and their bigram counts."""

    letters: str
    grams: Counter[str]


def wording(text: str) -> Wording:
    """The comparable form of a clause text: its number dropped, characters folded as the search index folds them,
    bigrams taken within runs of letters (none across punctuation)."""
    from kb.search.analyzer import fold

    runs = [r for r in NON_WORD.split(fold(LEADING_NUMBER.sub("", text))) if r]
    grams: Counter[str] = Counter(r[i : i + 2] for r in runs for i in range(len(r) - 1))
    return Wording("".join(runs), grams)


class GramWeights:
    """Inverse frequencies of bigrams among the clauses being compared, so that common wording counts little."""

    def __init__(self, wordings: Iterable[Wording]) -> None:
        self.df: Counter[str] = Counter()
        self.n = 0
        for w in wordings:
            self.n += 1
            self.df.update(w.grams.keys())

    def weight(self, gram: str) -> float:
        return math.log(1.0 + (self.n + 1) / (self.df.get(gram, 0) + 1))

    def norm(self, w: Wording) -> float:
        return math.sqrt(sum((tf * self.weight(g)) ** 2 for g, tf in w.grams.items()))

    def cosine(self, a: Wording, b: Wording, norm_a: float | None = None) -> float:
        if not a.grams or not b.grams:
            return 0.0
        small, large = (a, b) if len(a.grams) <= len(b.grams) else (b, a)
        dot = sum(tf * large.grams[g] * self.weight(g) ** 2 for g, tf in small.grams.items() if g in large.grams)
        if dot == 0:
            return 0.0
        return dot / ((norm_a if norm_a is not None else self.norm(a)) * self.norm(b))


def shared_runs(a: str, b: str, limit: int = 3) -> list[str]:
    """The longest runs of wording two texts share, longest first (the reason's quote)."""
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    runs = sorted((a[m.a : m.a + m.size] for m in matcher.get_matching_blocks() if m.size >= SHARED_RUN),
                  key=len, reverse=True)  # fmt: skip
    return list(dict.fromkeys(runs))[:limit]


def rank(summary: DocSummary | None) -> tuple[int, int]:
    """Where a document stands in the legal hierarchy: lower is higher-ranking."""
    if summary is None:
        return (9, 9)
    meta = summary.meta
    level = LEVEL_RANK.get(meta.level, 8) if meta.level else 8
    kind = TYPE_RANK.get(meta.doc_type, 6) if meta.doc_type else 6
    return (level, kind)


def above(higher: DocSummary | None, lower: DocSummary | None) -> bool:
    """Whether ``higher`` ranks above ``lower`` and applies where ``lower`` does: a national text anywhere, a local one
    in its own province only (a 深圳 regulation implements 广东's, never 陕西's)."""
    if higher is None or lower is None or rank(higher) >= rank(lower):
        return False
    return higher.meta.level is Level.NATIONAL or (higher.meta.province is not None
                                                   and higher.meta.province == lower.meta.province)  # fmt: skip


def units(tree: ClauseTree) -> list[Clause]:
    """The clauses a document is compared by: its articles, or, for a policy text, its numbered units with text."""
    if tree.article_order:
        return list(tree.article_order)
    leaves = [c for c in tree.clauses if not tree.children.get(c.id) and len(c.text) >= 20]
    return [c for c in leaves if c.kind not in (ClauseKind.CHAPTER, ClauseKind.SECTION)]


def _article_of(tree: ClauseTree, clause: Clause) -> Clause:
    """The article holding a clause (the clause itself when it is one or has none above it)."""
    return tree.ancestor(clause, ClauseKind.ARTICLE) or clause


def _runs(a: Wording, b: Wording) -> str:
    """The wording two clauses share, as a reason quotes it."""
    runs = shared_runs(a.letters, b.letters)
    return "、".join(r if len(r) <= QUOTE_CHARS else r[:QUOTE_CHARS] + "…" for r in runs) if runs else "—"


def _within(clause_id: str, ancestor: str) -> bool:
    """Whether a clause id lies at or below another (ids are paths: chp_1__art_3__para_2 is below chp_1__art_3)."""
    return clause_id == ancestor or clause_id.startswith(ancestor + "__")


@dataclass
class _Candidate:
    doc_id: str
    clause: Clause
    score: float  # 2 + wording for a citation of the article, 1 + wording for a cited law, the wording otherwise
    similarity: float
    reason: str


def _best_per_doc(candidates: Iterable[_Candidate], per_doc: int | None) -> list[_Candidate]:
    """The best candidates, one per clause, best first: per document at most ``per_doc``, and past its best only
    those whose wording comes near the best's (a regulation's one article on the subject, not its neighbours)."""
    best: dict[tuple[str, str], _Candidate] = {}
    for c in candidates:
        key = (c.doc_id, c.clause.id)
        if key not in best or c.score > best[key].score:
            best[key] = c
    ranked = sorted(best.values(), key=lambda c: (-c.score, c.doc_id, c.clause.start))
    counts: Counter[str] = Counter()
    top: dict[str, float] = {}
    kept = []
    for c in ranked:
        if per_doc is not None and counts[c.doc_id] >= per_doc:
            continue
        first = top.setdefault(c.doc_id, c.similarity)
        if c.doc_id in top and counts[c.doc_id] and c.score < 2 and c.similarity < RUNNER_UP * first:
            continue
        counts[c.doc_id] += 1
        kept.append(c)
    return kept


def _filtered(ctx: TraceContext, doc_id: str, filters: DocFilter | None) -> bool:
    summary = ctx.summary(doc_id)
    return filters is not None and (summary is None or not matches(summary, filters))


def _index_hits(index: MoreLikeThis | None, doc_id: str, clause_id: str) -> tuple[SearchHit, ...]:
    if index is None:
        return ()
    from kb.errors import NotFound

    try:
        return index.more_like_this(doc_id, clause_id, limit=INDEX_CANDIDATES)
    except NotFound:
        return ()


@dataclass
class _Evidence:
    """What links the source to the documents of the other rank, gathered before their clauses are compared."""

    articles: dict[str, dict[str, str]]  # doc -> article id -> the citing words naming the source (or naming it)
    laws: dict[str, str]  # doc -> the words naming the law (its basis clause, or a citation of the whole law)
    hits: dict[str, set[str]]  # doc -> the articles the search index finds worded like the source


def _compare(ctx: TraceContext, source: Clause, evidence: _Evidence, filters: DocFilter | None,
             relation: str, limit: int, per_doc: int | None, naming_words: str) -> TraceGroup:  # fmt: skip
    """Score every unit of the linked documents against the source and keep those the evidence supports."""
    docs = [d for d in dict.fromkeys([*evidence.articles, *evidence.laws, *evidence.hits])
            if not _filtered(ctx, d, filters)]  # fmt: skip
    pool: dict[str, list[tuple[Clause, Wording]]] = {}
    for d in docs:
        tree = ctx.tree(d)
        if tree is not None:
            pool[d] = [(u, wording(u.text)) for u in units(tree)]
    target = wording(source.text)
    weights = GramWeights([target, *(w for items in pool.values() for _, w in items)])
    norm = weights.norm(target)
    subjects = {t.topic for t in ctx.store.topics(doc_id=source.doc_id) if _within(t.clause_id, source.id)}
    candidates: list[_Candidate] = []
    for d, items in pool.items():
        named = evidence.articles.get(d, {})
        hits = evidence.hits.get(d, set())
        tags: list[tuple[str, str]] | None = None
        for unit, w in items:
            sim = weights.cosine(target, w, norm)
            if unit.id in named:
                reason, score = f"cites {named[unit.id]}; shared wording: {_runs(target, w)}", 2.0 + sim
            elif d in evidence.laws and sim >= BASIS_SIMILARITY:
                reason, score = f"{evidence.laws[d]}; shared wording ({sim:.2f}): {_runs(target, w)}", 1.0 + sim
            elif (unit.id in hits and subjects and sim >= HIT_SIMILARITY) or sim >= FREE_SIMILARITY:
                # Wording alone, with no citation between the two: the unit must also be on the source's subject
                # (share a topic of the lexicon), or similar stock phrases of other fields would pass.
                if subjects:
                    if tags is None:
                        tags = [(t.clause_id, t.topic) for t in ctx.store.topics(doc_id=d)]
                    if not any(topic in subjects and _within(c, unit.id) for c, topic in tags):
                        continue
                reason, score = f"{naming_words}; shared wording ({sim:.2f}): {_runs(target, w)}", sim
            else:
                continue
            candidates.append(_Candidate(d, unit, score, sim, reason))
    kept = _best_per_doc(candidates, per_doc)
    items_out = tuple(ctx.item(c.doc_id, c.clause.id, relation, c.reason, score=round(c.score, 3))
                      for c in kept[:limit])  # fmt: skip
    return TraceGroup(relation, items_out, len(kept))


def _hit_articles(ctx: TraceContext, hits: Iterable[SearchHit], keep: Callable[[str], bool]) -> dict[str, set[str]]:
    """The articles holding the index's similar clauses, by document, for the documents ``keep`` admits."""
    found: dict[str, set[str]] = {}
    for hit in hits:
        if not hit.clause_id or not keep(hit.doc_id):
            continue
        tree = ctx.tree(hit.doc_id)
        clause = tree.by_id.get(hit.clause_id) if tree else None
        if tree is not None and clause is not None:
            found.setdefault(hit.doc_id, set()).add(_article_of(tree, clause).id)
    return found


def implemented_by(ctx: TraceContext, index: MoreLikeThis | None, doc_id: str, clause_id: str | None,
                   filters: DocFilter | None, limit: int,
                   per_doc: int | None = PER_DOCUMENT) -> TraceGroup:  # fmt: skip
    """The clauses of lower-ranking documents implementing a clause (an article of a law, usually)."""
    tree = ctx.tree(doc_id)
    if tree is None or clause_id is None:
        return TraceGroup("implemented-by", (), 0, "name an article (DOC_ID#CLAUSE_ID) to find what implements it")
    source = tree.by_id[clause_id]
    home = ctx.summary(doc_id)
    below = {c.id for c in tree.descendants(source)} | {source.id}
    law = f"《{home.title}》" if home and home.title else "the law"
    evidence = _Evidence({}, {}, {})
    for c in ctx.store.citations(target_doc=doc_id):
        if c.doc_id == doc_id or not above(home, ctx.summary(c.doc_id)):
            continue
        if c.relation is Relation.BASIS:  # 根据《X法》（第二条），制定本条例: the whole regulation rests on the law
            evidence.laws[c.doc_id] = f"its basis {c.text}"
        elif c.target_clause in below:
            other = ctx.tree(c.doc_id)
            clause = other.by_id.get(c.clause_id) if other else None
            if other is not None and clause is not None:
                evidence.articles.setdefault(c.doc_id, {})[_article_of(other, clause).id] = c.text
        elif c.target_clause is None:
            evidence.laws.setdefault(c.doc_id, f"cites {c.text}")
    evidence.hits.update(_hit_articles(ctx, _index_hits(index, doc_id, clause_id),
                                       lambda d: d != doc_id and above(home, ctx.summary(d))))  # fmt: skip
    return _compare(ctx, source, evidence, filters, "implemented-by", limit, per_doc,
                    f"restates the article without naming {law}")  # fmt: skip


def implements(ctx: TraceContext, index: MoreLikeThis | None, doc_id: str, clause_id: str | None,
               filters: DocFilter | None, limit: int, per_doc: int | None = PER_DOCUMENT) -> TraceGroup:  # fmt: skip
    """The provisions of higher-ranking documents a clause implements (the national articles, usually)."""
    tree = ctx.tree(doc_id)
    if tree is None or clause_id is None:
        return TraceGroup("implements", (), 0, "name a clause (DOC_ID#CLAUSE_ID) to find the provisions it implements")
    source = tree.by_id[clause_id]
    home = ctx.summary(doc_id)
    below = {c.id for c in tree.descendants(source)} | {source.id}
    evidence = _Evidence({}, {}, {})
    for c in ctx.store.citations(doc_id=doc_id):
        if c.target_doc is None or c.target_doc == doc_id or not above(ctx.summary(c.target_doc), home):
            continue
        target = ctx.tree(c.target_doc)
        if c.clause_id in below and c.target_clause and target and c.target_clause in target.by_id:
            article = _article_of(target, target.by_id[c.target_clause]).id
            evidence.articles.setdefault(c.target_doc, {})[article] = c.text
        elif c.clause_id in below:
            evidence.laws[c.target_doc] = f"cites {c.text}"
        elif c.relation is Relation.BASIS:
            evidence.laws.setdefault(c.target_doc, f"its document's basis {c.text}")
    evidence.hits.update(_hit_articles(ctx, _index_hits(index, doc_id, clause_id),
                                       lambda d: above(ctx.summary(d), home)))  # fmt: skip
    return _compare(ctx, source, evidence, filters, "implements", limit, per_doc,
                    "restates a higher-ranking provision")  # fmt: skip


__all__ = [
    "BASIS_SIMILARITY",
    "FREE_SIMILARITY",
    "GramWeights",
    "above",
    "implemented_by",
    "implements",
    "rank",
    "shared_runs",
    "units",
    "wording",
]
