"""Matching: a query tree over the index's segments -> ranked hits, total and facet counts (numpy over postings).

Each segment of the Whoosh index is a :class:`Part`; a query is evaluated per part into dense arrays (does entry i
match, with what score) so that totals and facets over tens of thousands of matches cost array operations, not
Python loops. A string of n characters is found through its bigrams' posting lists (its rarest one or two),
then verified against the entry's normalised text, so a hit always contains the string exactly. Scores are
BM25 over the matched strings: the string's frequency in the entry, its document frequency in the index and the
entry's length.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat

import numpy as np

from kb.models import SearchHit
from kb.search.analyzer import bigrams, normalize
from kb.search.doc_facets import FacetTable
from kb.search.entries import FACETS, Entry
from kb.search.hits import SIMILAR_TERMS, make_hit
from kb.search.postings import CHARS, GRAMS, HEADS, SegmentData
from kb.search.query import And, Filter, Node, Not, Text, texts
from kb.search.snapshot import DocumentSpace, Part, Snapshot

K1 = 1.2  # BM25 term-frequency saturation
B = 0.75  # BM25 length normalisation
TITLE_BOOST = 3.0  # a document's own entry (title, 发文字号) counts this much more than a clause in --docs
EXACT_TITLE_BONUS = 100.0  # added when a query string is the whole title or short title (known-item search)
VERIFY_DIRECT = 500  # verify the rarest bigram's entries directly when it has at most this many

Facets = tuple[tuple[str, tuple[tuple[str, int], ...]], ...]


# -- matching strings -------------------------------------------------------------------------------------------


@dataclass
class _Matches:
    """Where one Text node matches, per part: entry numbers (ascending) and the string's frequency in each."""

    ids: list[np.ndarray]
    freqs: list[np.ndarray]
    df: int = 0
    idf: float = 0.0


def rarest_grams(snapshot: Snapshot, norm: str) -> list[str]:
    """The bigrams of ``norm`` (three characters or more), rarest in the whole index first."""
    grams = set(bigrams(norm))
    return sorted(grams, key=lambda g: (sum(p.data.doc_frequency(GRAMS, g) for p in snapshot.parts), g))


def match_string(part: Part, norm: str, grams: Sequence[str] = ()) -> tuple[np.ndarray, np.ndarray]:
    """Entries of ``part`` whose normalised text contains ``norm``, with (an estimate of) its frequency there.

    One or two characters: the unigram or bigram posting list, exact. Longer: the entries holding its two rarest
    bigrams (``grams``, from :func:`rarest_grams`), each verified against the entry's normalised text; the
    frequency is the two bigrams' lesser one.
    """
    data = part.data
    if len(norm) == 1:
        found = data.postings(CHARS, norm)
        return _EMPTY if found is None else found
    if len(norm) == 2:
        found = data.postings(GRAMS, norm)
        return _EMPTY if found is None else found
    if not grams:
        grams = sorted(set(bigrams(norm)), key=lambda g: data.doc_frequency(GRAMS, g))
    first = data.postings(GRAMS, grams[0])
    if first is None:
        return _EMPTY
    ids, freqs = first
    if len(ids) > VERIFY_DIRECT:
        second = data.postings(GRAMS, grams[1])
        if second is None:
            return _EMPTY
        ids, left, right = np.intersect1d(ids, second[0], assume_unique=True, return_indices=True)
        freqs = np.minimum(freqs[left], second[1][right])
    keep = _verify(data, ids, norm)
    return ids[keep], freqs[keep]


_EMPTY = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))


def _verify(data: SegmentData, candidates: np.ndarray, norm: str) -> np.ndarray:
    """Which candidates' normalised text contains ``norm`` (``find`` over the mapped column, C-level loop)."""
    if not len(candidates):
        return np.zeros(0, dtype=bool)
    buffer, starts, ends = data.norm_finder()
    found = map(buffer.find, repeat(norm.encode("utf-8")), starts[candidates].tolist(), ends[candidates].tolist())
    return np.fromiter(found, dtype=np.int64, count=len(candidates)) >= 0


def _match_text(snapshot: Snapshot, node: Text) -> _Matches:
    """Where ``node`` matches in the snapshot's alive entries: from the snapshot's recent matches when the same
    strings were searched since the index or live filter last changed (ticking a facet or changing a year range
    asks for the same text again), else from the posting lists."""
    key = tuple(node.variants)
    kept = snapshot.recent_matches(key)
    if kept is not None:
        found: _Matches = kept
        return found
    matches = _find_text(snapshot, node)
    snapshot.keep_matches(
        key, matches, sum(i.nbytes + f.nbytes for i, f in zip(matches.ids, matches.freqs, strict=True))
    )
    return matches


def _find_text(snapshot: Snapshot, node: Text) -> _Matches:
    ids: list[np.ndarray] = []
    freqs: list[np.ndarray] = []
    grams = {v: rarest_grams(snapshot, v) if len(v) > 2 else [] for v in node.variants if v}
    for part in snapshot.parts:
        found = [match_string(part, v, grams[v]) for v in node.variants if v]
        if len(found) == 1:
            part_ids, part_freqs = found[0]
        else:
            merged: dict[int, float] = {}
            for variant_ids, variant_freqs in found:
                for i, f in zip(variant_ids.tolist(), variant_freqs.tolist(), strict=True):
                    merged[i] = max(f, merged.get(i, 0.0))
            order = sorted(merged)
            part_ids = np.asarray(order, dtype=np.int64)
            part_freqs = np.asarray([merged[i] for i in order], dtype=np.float32)
        keep = part.alive[part_ids]
        kept_ids, kept_freqs = part_ids[keep], part_freqs[keep]
        kept_ids.setflags(write=False)  # shared by later searches through the snapshot's recent matches
        kept_freqs.setflags(write=False)
        ids.append(kept_ids)
        freqs.append(kept_freqs)
    df = sum(len(i) for i in ids)
    n = max(1, snapshot.entry_count())
    idf = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
    return _Matches(ids, freqs, df, idf)


def _bm25(part: Part, matches: _Matches, index: int, avg_length: float) -> np.ndarray:
    ids, freqs = matches.ids[index], matches.freqs[index]
    return bm25(matches.idf, freqs, part.lengths()[ids], avg_length)


def bm25(idf: float, freqs: np.ndarray, lengths: np.ndarray, avg_length: float) -> np.ndarray:
    """Okapi BM25 of one matched string per entry: frequency saturates (K1), longer entries weigh less (B)."""
    return idf * freqs * (K1 + 1) / (freqs + K1 * (1 - B + B * lengths / avg_length))


# -- evaluating the tree ----------------------------------------------------------------------------------------


class _Evaluator:
    """Evaluates a query tree per part into (mask, score) arrays, caching each Text node's matches."""

    def __init__(self, snapshot: Snapshot, tree: Node) -> None:
        self.snapshot = snapshot
        self.matches: dict[Text, _Matches] = {}
        for leaf in _all_texts(tree):
            if leaf not in self.matches:
                self.matches[leaf] = _match_text(snapshot, leaf)
        self.avg_length = snapshot.avg_length()

    def text_scores(self, node: Text, index: int) -> tuple[np.ndarray, np.ndarray]:
        part = self.snapshot.parts[index]
        matches = self.matches[node]
        return matches.ids[index], _bm25(part, matches, index, self.avg_length)

    def evaluate(self, node: Node, index: int) -> tuple[np.ndarray, np.ndarray]:
        part = self.snapshot.parts[index]
        if isinstance(node, Text):
            ids, scores = self.text_scores(node, index)
            mask = np.zeros(part.size, dtype=bool)
            mask[ids] = True
            score = np.zeros(part.size, dtype=np.float32)
            score[ids] = scores
            return mask, score
        if isinstance(node, Filter):
            return filter_mask(part, node, self.snapshot.facet_table), np.zeros(part.size, dtype=np.float32)
        if isinstance(node, Not):
            mask, _ = self.evaluate(node.item, index)
            return ~mask, np.zeros(part.size, dtype=np.float32)
        return _combine(node, [self.evaluate(item, index) for item in node.items])


def _combine(node: Node, results: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """The (mask, score) of an And or Or node from its items': masks intersected or joined, scores added."""
    mask, score = results[0][0].copy(), results[0][1].copy()
    for item_mask, item_score in results[1:]:
        if isinstance(node, And):
            mask &= item_mask
        else:
            mask |= item_mask
        score += item_score
    return mask, score


def _all_texts(node: Node) -> list[Text]:
    if isinstance(node, Text):
        return [node]
    if isinstance(node, Filter):
        return []
    if isinstance(node, Not):
        return _all_texts(node.item)
    return [t for item in node.items for t in _all_texts(item)]


def filter_mask(part: Part, node: Filter, table: FacetTable | None = None) -> np.ndarray:
    """Entries of ``part`` whose field satisfies the filter. With ``table`` (the store's values), ``status:`` is
    the status the versions stage decided, as the --status option reads it, not the one indexed with the text."""
    if node.field == "status" and table is not None:
        status_of = part.facet_maps(table)[0]
        status_codes = [table.statuses.index(v) for v in (node.values or (node.value,)) if v in table.statuses]
        by_status: np.ndarray = np.isin(status_of, status_codes)[part.version_codes]
        return by_status
    if node.field == "topic":
        found = part.data.postings("topic", node.value or "")
        mask = np.zeros(part.size, dtype=bool)
        if found is not None:
            mask[found[0]] = True
        return mask
    if node.field == "title":
        return _title_mask(part, node.value or "")
    if node.field == "doc_id":
        # The documents a front end selected: read from each entry's version, "<doc_id>@<sha256>".
        wanted = set(node.values) if node.values else {node.value}
        codes, values = part.data.column("version")
        by_doc: np.ndarray = np.array([v.partition("@")[0] in wanted for v in values], dtype=bool)[codes]
        return by_doc
    if node.field in ("year", "first_year"):
        low = -1 if node.low is None else node.low
        high = 10_000 if node.high is None else node.high
        numbers = part.entry_numbers(node.field)
        in_range: np.ndarray = (numbers >= max(low, 0)) & (numbers <= high)
        return in_range
    codes = part.data.column(node.field)[0]
    known = part.value_codes(node.field)
    chosen = [known[v] for v in (node.values or (node.value,)) if v is not None and v in known]
    if len(chosen) == 1:
        equal: np.ndarray = codes == chosen[0]
        return equal
    ok = np.zeros(len(known), dtype=bool)
    ok[chosen] = True
    picked: np.ndarray = ok[codes]
    return picked


def _title_mask(part: Part, value: str) -> np.ndarray:
    """Entries of documents whose title or short title holds ``value`` (or is the title an alias stands for)."""
    from kb.citations.patterns import load_aliases

    wanted = [value]
    full = load_aliases().expand(value)
    if full:
        wanted.append(normalize(full))
    head_codes, heads = part.data.column(HEADS)
    ok = np.array([any(w in line for w in wanted for line in (h.split("\n") if h else ())) for h in heads])
    own = part.is_doc & ok[head_codes]
    versions = np.zeros(len(part.version_values), dtype=bool)
    versions[np.unique(part.version_codes[own])] = True
    of_entries: np.ndarray = versions[part.version_codes]
    return of_entries


# -- search -----------------------------------------------------------------------------------------------------


def run_search(snapshot: Snapshot, tree: Node, *, docs: bool, limit: int, sort: str,
               facets: bool) -> tuple[tuple[SearchHit, ...], int, Facets]:  # fmt: skip
    """Hits, total and facet counts of ``tree`` over clauses (or documents with ``docs``)."""
    evaluator = _Evaluator(snapshot, tree)
    if docs:
        return _search_documents(snapshot, evaluator, tree, limit, sort, facets)
    finals: list[np.ndarray] = []
    scores: list[np.ndarray] = []
    for index, part in enumerate(snapshot.parts):
        mask, score = evaluator.evaluate(tree, index)
        finals.append(mask & part.scope(False))
        scores.append(score)
    total = int(sum(int(f.sum()) for f in finals))
    facet_counts = _facets(snapshot, finals) if facets else ()
    chosen = _top(snapshot, finals, scores, limit, sort)
    leaves = texts(tree)
    hits = tuple(make_hit(snapshot.parts[i].entry(local), score, leaves) for i, local, score in chosen)
    return hits, total, facet_counts


def _top(snapshot: Snapshot, finals: Sequence[np.ndarray], scores: Sequence[np.ndarray], limit: int,
         sort: str) -> list[tuple[int, int, float]]:  # fmt: skip
    """(part index, entry, score) of the best ``limit`` matches: by score then date, or by date then score."""
    pool: list[tuple[float, float, int, int, float]] = []
    for index, (final, score) in enumerate(zip(finals, scores, strict=True)):
        ids = np.flatnonzero(final)
        if not len(ids) or limit == 0:
            continue
        part_scores = score[ids].astype(np.float64)
        dates = snapshot.parts[index].date_key()[ids].astype(np.float64)
        primary, secondary = (dates, part_scores) if sort == "date" else (part_scores, dates)
        best = best_k(primary, secondary, limit)
        for local, p, s, sc in zip(ids[best].tolist(), primary[best].tolist(), secondary[best].tolist(),
                                   part_scores[best].tolist(), strict=True):  # fmt: skip
            pool.append((-p, -s, index, local, sc))
    pool.sort()
    return [(index, local, score) for _, _, index, local, score in pool[:limit]]


def best_k(primary: np.ndarray, secondary: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` largest by (primary, secondary), best first; ties beyond that in position order."""
    n = len(primary)
    if n > k:
        kth = np.partition(primary, n - k)[n - k]
        above = np.flatnonzero(primary > kth)
        ties = np.flatnonzero(primary == kth)
        need = k - len(above)
        if len(ties) > need:
            ties = ties[np.argsort(-secondary[ties], kind="stable")[:need]]
        chosen = np.concatenate([above, ties])
    else:
        chosen = np.arange(n)
    return chosen[np.lexsort((-secondary[chosen], -primary[chosen]))]


def _facets(snapshot: Snapshot, masks: Sequence[np.ndarray]) -> Facets:
    """Counts per value of province, year, type and level over the entries selected by ``masks`` (one per part;
    entries without a value left out), and with the snapshot's facet table (the store's values) per subject and
    status, counted per document version. Each part's codes are counted with bincount and added into the
    snapshot's value vocabulary."""
    table: FacetTable | None = snapshot.facet_table
    totals = {field: np.zeros(len(snapshot.facet_vocabulary(field)[0]), dtype=np.int64) for _, field in FACETS}
    statuses = np.zeros(len(table.statuses) if table else 0, dtype=np.int64)
    subjects = np.zeros(len(table.subjects) if table else 0, dtype=np.int64)
    for index, (part, mask) in enumerate(zip(snapshot.parts, masks, strict=True)):
        chosen = np.flatnonzero(mask)
        if not len(chosen):
            continue
        for _, field in FACETS:
            codes, values = part.data.column(field)
            totals[field][snapshot.facet_vocabulary(field)[1][index]] += np.bincount(
                codes[chosen], minlength=len(values)
            )
        if table is not None:
            status_of, rows, cols = part.facet_maps(table)
            per_version = np.bincount(part.version_codes[chosen], minlength=len(part.version_values))
            known = status_of >= 0
            statuses += np.bincount(status_of[known], weights=per_version[known], minlength=len(statuses)).astype(
                np.int64
            )
            if len(rows):
                subjects += np.bincount(cols, weights=per_version[rows], minlength=len(subjects)).astype(np.int64)
    out: list[tuple[str, tuple[tuple[str, int], ...]]] = []
    for name, field in FACETS:
        names = snapshot.facet_vocabulary(field)[0]
        counts = totals[field]
        items = [(names[i], int(counts[i])) for i in np.flatnonzero(counts).tolist() if names[i]]
        if name == "year":
            items.sort(key=lambda kv: kv[0], reverse=True)
        else:
            items.sort(key=lambda kv: (-kv[1], kv[0]))
        out.append((name, tuple(items)))
    if table is not None:
        out.extend(table.facets(statuses, subjects))
    return tuple(out)


def _search_documents(snapshot: Snapshot, evaluator: _Evaluator, tree: Node, limit: int, sort: str,
                      facets: bool) -> tuple[tuple[SearchHit, ...], int, Facets]:  # fmt: skip
    """Documents matching ``tree`` when each document is the union of its entries: its own and its clauses'."""
    space = snapshot.document_space()
    dmask, dscore = _evaluate_documents(snapshot, evaluator, space, tree)
    dmask &= space.present
    total = int(dmask.sum())
    selected = []
    for index, part in enumerate(snapshot.parts):
        on = space.part == index
        mask = np.zeros(part.size, dtype=bool)
        mask[space.local[on & dmask]] = True
        selected.append(mask)
    facet_counts = _facets(snapshot, selected) if facets else ()
    ids = np.flatnonzero(dmask)
    dates = space.date[ids]
    scores = dscore[ids]
    order = np.lexsort((-scores, -dates)) if sort == "date" else np.lexsort((-dates, -scores))
    leaves = texts(tree)
    hits = []
    chosen = ids[order[:limit]].tolist()
    best_entries = _best_entries(snapshot, evaluator, space, leaves, chosen)
    for d in chosen:
        part = snapshot.parts[int(space.part[d])]
        entry = part.entry(int(space.local[d]))
        best = best_entries.get(d, entry)
        hit = make_hit(best, float(dscore[d]), leaves)
        hits.append(SearchHit(doc_id=entry.doc_id, clause_id=None, title=entry.title, number=None, score=hit.score,
                              snippet=hit.snippet, highlights=hit.highlights, province=entry.province,
                              year=entry.year, doc_type=entry.doc_type, level=entry.level))  # fmt: skip
    return tuple(hits), total, facet_counts


def _evaluate_documents(snapshot: Snapshot, evaluator: _Evaluator, space: DocumentSpace,
                        node: Node) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    mask = np.zeros(space.size, dtype=bool)
    score = np.zeros(space.size, dtype=np.float64)
    if isinstance(node, Text):
        for index, part in enumerate(snapshot.parts):
            ids, scores = evaluator.text_scores(node, index)
            if not len(ids):
                continue
            scores = scores.astype(np.float64)
            own = part.is_doc[ids]
            scores[own] *= TITLE_BOOST
            scores[own & part.exact_titles(ids, node.variants)] += EXACT_TITLE_BONUS
            docs = space.doc_of[index][ids]
            valid = docs >= 0
            mask[docs[valid]] = True
            max_into(score, docs[valid], scores[valid])
        return mask, score
    if isinstance(node, Filter):
        for index, part in enumerate(snapshot.parts):
            hit = filter_mask(part, node, snapshot.facet_table) & part.alive & part.is_doc
            docs = space.doc_of[index][np.flatnonzero(hit)]
            mask[docs[docs >= 0]] = True
        return mask, score
    if isinstance(node, Not):
        inner, _ = _evaluate_documents(snapshot, evaluator, space, node.item)
        return ~inner, score
    return _combine(node, [_evaluate_documents(snapshot, evaluator, space, item) for item in node.items])


def _best_entries(snapshot: Snapshot, evaluator: _Evaluator, space: DocumentSpace, leaves: Sequence[Text],
                  docs: Sequence[int]) -> dict[int, Entry]:  # fmt: skip
    """For each of ``docs``, its entry scoring highest for the query's strings (for the snippet)."""
    wanted = np.asarray(docs, dtype=np.int64)
    best: dict[int, tuple[float, int, int]] = {}
    for index, part in enumerate(snapshot.parts):
        total: np.ndarray | None = None
        for leaf in leaves:
            ids, scores = evaluator.text_scores(leaf, index)
            on = np.isin(space.doc_of[index][ids], wanted)
            if on.any():
                total = np.zeros(part.size, dtype=np.float64) if total is None else total
                total[ids[on]] += scores[on]
        if total is None:
            continue
        candidates = np.flatnonzero(total)
        owners = space.doc_of[index][candidates]
        order = np.lexsort((-total[candidates], owners))  # per document, best entry first
        owners, candidates = owners[order], candidates[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = owners[1:] != owners[:-1]
        for local, doc in zip(candidates[first].tolist(), owners[first].tolist(), strict=True):
            if doc not in best or total[local] > best[doc][0]:
                best[doc] = (float(total[local]), index, local)
    return {doc: snapshot.parts[index].entry(local) for doc, (_, index, local) in best.items()}


# -- hits -------------------------------------------------------------------------------------------------------


def group_max(owners: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct owners (ascending) and, for each, the largest of its values: a sort and one reduction, where
    ``np.maximum.at`` loops element by element. ``owners`` must not be empty."""
    order = np.argsort(owners, kind="stable")
    owners, values = owners[order], values[order]
    starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
    return owners[starts], np.maximum.reduceat(values, starts)


def max_into(target: np.ndarray, owners: np.ndarray, values: np.ndarray) -> None:
    """target[o] = max(target[o], the largest of the values owned by o), for each owner o (owners may repeat)."""
    if not len(owners):
        return
    firsts, largest = group_max(owners, values)
    target[firsts] = np.maximum(target[firsts], largest)


# -- more like this ---------------------------------------------------------------------------------------------


def similar(snapshot: Snapshot, doc_id: str, clause_id: str, *, limit: int) -> tuple[SearchHit, ...]:
    """Clauses sharing the most distinctive bigrams with the given clause (BM25 over those bigrams)."""
    from kb.errors import NotFound

    source: tuple[int, int, Entry] | None = None
    for index, part in enumerate(snapshot.parts):
        found = part.data.postings("doc_id", doc_id)
        if found is None:
            continue
        for local in found[0].tolist():
            if part.alive[local] and not part.is_doc[local]:
                entry = part.entry(local)
                if entry.clause_id == clause_id:
                    source = (index, local, entry)
    if source is None:
        raise NotFound(f"{doc_id}#{clause_id}: no such clause in the search index; check the id with `kb show`")
    grams = Counter(bigrams(normalize(source[2].text)))
    n = max(1, snapshot.entry_count())
    weighted = []
    for gram, tf in grams.items():
        df = sum(p.data.doc_frequency(GRAMS, gram) for p in snapshot.parts)
        if 1 < df < n / 20:
            weighted.append((tf * math.log(1.0 + (n - df + 0.5) / (df + 0.5)), gram, df))
    weighted.sort(reverse=True)
    finals, scores = [], []
    avg = snapshot.avg_length()
    for index, part in enumerate(snapshot.parts):
        score = np.zeros(part.size, dtype=np.float32)
        for _, gram, df in weighted[:SIMILAR_TERMS]:
            found = part.data.postings(GRAMS, gram)
            if found is None:
                continue
            ids, freqs = found
            idf = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
            score[ids] += bm25(idf, freqs, part.lengths()[ids], avg)
        final = part.scope(False) & (score > 0)
        if index == source[0]:
            final[source[1]] = False
        finals.append(final)
        scores.append(score)
    chosen = _top(snapshot, finals, scores, limit, "relevance")
    return tuple(make_hit(snapshot.parts[i].entry(local), score, ()) for i, local, score in chosen)


__all__ = ["match_string", "run_search", "similar"]
