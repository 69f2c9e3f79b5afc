"""Questions: a question in plain Chinese -> ranked clauses (BM25 over words and characters, law and article evidence).

A question (公司不给交社保怎么办) is not a conjunction of strings: few articles hold all its words, and the words of
the law (用人单位, 社会保险) are rarely the asker's (公司, 社保). So a question is ranked, not matched:

1. *Concepts*: the question's words (kb/search/words.py, jieba's dictionary) less the words that ask rather than
   say (kb/data/question_words.txt); each concept also searches the expressions the legal thesaurus
   (kb/data/thesaurus.txt) groups with it, at a lower weight.
2. *Article evidence*: per clause, BM25 of each concept (its best expression, matched as a string, so a word cut
   across the text's own word boundaries still counts), plus BM25 over the question's character bigrams at a lower
   weight (characters catch what the dictionary cut differently), times the share of the question's concepts
   (weighted by their IDF) the clause holds: an article answering all of the question beats one repeating one word.
3. *Law evidence*: per document, BM25 of the concepts over its title, short title and 发文字号 (the title field),
   and the best article evidence among its clauses; both are added to each of its clauses, so that the right article
   of the right law ranks above a similar article of a law about something else.

Filters (province:, --level, ...) restrict the clauses ranked; facet counts cover every clause with any evidence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from kb.models import SearchHit
from kb.search.analyzer import bigrams, normalize
from kb.search.evaluate import Facets, _facets, _match_text, best_k, bm25, filter_mask, group_max, max_into
from kb.search.hits import make_hit
from kb.search.query import Filter, Text, text_node
from kb.search.snapshot import Part, Snapshot

THESAURUS_FILE = "thesaurus.txt"
QUESTION_WORDS_FILE = "question_words.txt"
SYNONYM_WEIGHT = 0.7  # a thesaurus expression counts this much of the word the question used
CHAR_WEIGHT = 0.25  # weight of the character-bigram evidence beside the words'
SINGLE_CHAR_WEIGHT = 0.3  # a one-character word says little on its own (交, 打): it counts this much
COVERAGE_POWER = 1.0  # article evidence is multiplied by (share of concepts held) ** this
TITLE_WEIGHT = 0.3  # law evidence from the title field, relative to the best article's evidence
LAW_WEIGHT = 0.35  # law evidence from its best articles, relative to the article's own
LAW_TOP_K = 3  # a law's article evidence is the mean of its best this many articles
GRAMS_IN_WORDS = False  # character bigrams only from within words of three or more characters
# A heading entry: 第三章, 第一节, 第二编, 第一分编 and its title, short (at most HEADING_BYTES of normalised text).
HEADING = re.compile(r"^第[零〇一二两三四五六七八九十百千\d]+(?:章|节|编|分编)")
HEADING_BYTES = 120
# A version note at the end of a title: 中华人民共和国公司法(2018修正), （2023年修订）.
TITLE_NOTE = re.compile(r"[（(][^（）()]*\d{4}[^（）()]*[）)]$")
# Characters that end a question or a clause of it; they split the text before segmentation.
PUNCTUATION = re.compile(r"[\s,，。.;；:：!！?？、“”\"'‘’()（）《》〈〉【】\[\]]+")


@dataclass(frozen=True, slots=True)
class Concept:
    """One thing the question asks about: the word as asked and the thesaurus expressions standing for it."""

    word: str
    texts: tuple[Text, ...]  # the word first, then its synonyms
    weights: tuple[float, ...]  # weight of each text
    weight: float  # weight of the concept (lower for a one-character word)


@lru_cache(maxsize=1)
def question_words() -> tuple[frozenset[str], frozenset[str]]:
    """(markers, stop words) from kb/data/question_words.txt: markers tell a question, both are not searched."""
    text = resources.files("kb").joinpath("data", QUESTION_WORDS_FILE).read_text(encoding="utf-8")
    blocks: list[set[str]] = [set()]
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        if not line.strip():
            if blocks[-1]:
                blocks.append(set())
            continue
        blocks[-1].update(line.split())
    markers = frozenset(blocks[0])
    stop = frozenset(word for block in blocks for word in block)
    return markers, stop


@lru_cache(maxsize=1)
def thesaurus() -> dict[str, tuple[str, ...]]:
    """Each expression of kb/data/thesaurus.txt -> the other expressions of its groups (normalised)."""
    text = resources.files("kb").joinpath("data", THESAURUS_FILE).read_text(encoding="utf-8")
    related: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        group = list(dict.fromkeys(normalize(word) for word in line.split()))
        for word in group:
            others = related.setdefault(word, [])
            others.extend(w for w in group if w != word and w not in others)
    return {word: tuple(others) for word, others in related.items()}


def looks_like_question(text: str) -> bool:
    """Whether ``text`` holds a question marker (怎么办, 如何, 吗, ？, ... from kb/data/question_words.txt)."""
    markers, _ = question_words()
    if any(mark in text for mark in markers if not mark.isalnum() or len(mark) > 1):
        return True
    from kb.search.words import cut

    return any(word in markers for word in cut(text))


def concepts(question: str) -> list[Concept]:
    """The concepts of a question, in the order asked (see the module docstring)."""
    from kb.search.words import cut

    _, stop = question_words()
    related = thesaurus()
    words: list[str] = []
    for piece in PUNCTUATION.split(question):
        for word in merge_singles([normalize(w) for w in cut(piece)], stop):
            if word and word not in stop and word not in words:
                words.append(word)
    found: list[Concept] = []
    for word in words:
        expressions = [word, *(w for w in related.get(word, ()) if w != word)]
        texts = tuple(text_node(w) for w in expressions)
        weights = tuple(1.0 if i == 0 else SYNONYM_WEIGHT for i in range(len(texts)))
        found.append(Concept(word, texts, weights, SINGLE_CHAR_WEIGHT if len(word) == 1 else 1.0))
    return found


def merge_singles(words: list[str], stop: frozenset[str]) -> list[str]:
    """Runs of two or more single characters the dictionary did not join (质 权 人) as one word (质权人): a term
    of art missing from a general dictionary, which the index finds as a string all the same."""
    out: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1 and word not in stop and not word.isascii():
            run.append(word)
            continue
        if run:
            out.append("".join(run) if len(run) > 1 else run[0])
            run = []
        if word:
            out.append(word)
    return out


def char_grams(question: str) -> list[str]:
    """The distinct character bigrams of the question's runs of text (stop words removed), for character evidence."""
    _, stop = question_words()
    from kb.search.words import cut

    grams: list[str] = []
    for piece in PUNCTUATION.split(question):
        words = [normalize(w) for w in cut(piece) if normalize(w) not in stop]
        runs = [w for w in words if len(w) >= 3] if GRAMS_IN_WORDS else ["".join(words)]
        for gram in (g for run in runs for g in bigrams(run)):
            if gram not in grams:
                grams.append(gram)
    return grams


def rank_question(snapshot: Snapshot, question: str, filters: Sequence[Filter], *, limit: int,
                  facets: bool = True) -> tuple[tuple[SearchHit, ...], int, Facets, tuple[Text, ...]]:  # fmt: skip
    """The clauses answering ``question`` best, the number with any evidence, facet counts, and the texts searched."""
    found = concepts(question)
    grams = [text_node(g) for g in char_grams(question)]
    avg = snapshot.avg_length()
    parts = snapshot.parts
    space = snapshot.document_space()
    word_scores = [np.zeros(p.size, dtype=np.float64) for p in parts]
    held = [np.zeros(p.size, dtype=np.float64) for p in parts]
    concept_total = 0.0
    for concept in found:
        per_part: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in parts]
        concept_idf = 0.0
        for text, weight in zip(concept.texts, concept.weights, strict=True):
            matches = _match_text(snapshot, text)
            if text is concept.texts[0]:
                concept_idf = matches.idf
            for index, part in enumerate(parts):
                ids = matches.ids[index]
                if len(ids):
                    score = weight * bm25(matches.idf, matches.freqs[index], part.lengths()[ids], avg)
                    per_part[index].append((ids, score))
        concept_weight = concept.weight * max(concept_idf, 0.1)
        concept_total += concept_weight
        for index, found_here in enumerate(per_part):
            if not found_here:
                continue
            ids, best = _best_per_entry(found_here)
            word_scores[index][ids] += concept.weight * best
            held[index][ids] += concept_weight
    char_scores = [np.zeros(p.size, dtype=np.float64) for p in parts]
    for gram in grams:
        matches = _match_text(snapshot, gram)
        for index, part in enumerate(parts):
            ids = matches.ids[index]
            if len(ids):
                char_scores[index][ids] += bm25(matches.idf, matches.freqs[index], part.lengths()[ids], avg)
    # Article evidence per entry; law evidence per document (title field and best article).
    title = np.zeros(space.size, dtype=np.float64)
    best_article = np.zeros(space.size, dtype=np.float64)
    article: list[np.ndarray] = []
    scopes: list[np.ndarray] = []
    for index, part in enumerate(parts):
        coverage = held[index] / concept_total if concept_total else np.zeros(part.size)
        evidence = (word_scores[index] + CHAR_WEIGHT * char_scores[index]) * coverage**COVERAGE_POWER
        if not found:
            evidence = CHAR_WEIGHT * char_scores[index]
        docs = space.doc_of[index]
        own = np.flatnonzero(part.alive & part.is_doc & (docs >= 0))
        max_into(title, docs[own], word_scores[index][own])
        scope = part.scope(False) & (docs >= 0)
        for node in filters:
            scope &= filter_mask(part, node, snapshot.facet_table)
        clause_ids = np.flatnonzero(scope & (evidence > 0))
        _add_top(best_article, docs[clause_ids], evidence[clause_ids], LAW_TOP_K)
        article.append(evidence)
        scopes.append(scope & (evidence > 0))
    top_title = float(title.max()) if len(title) else 0.0
    top_article = float(best_article.max()) if len(best_article) else 0.0
    law = np.zeros(space.size, dtype=np.float64)
    if top_title > 0:
        law += TITLE_WEIGHT * top_article * title / top_title
    law += LAW_WEIGHT * best_article
    pool: list[tuple[float, int, int]] = []
    for index, part in enumerate(parts):
        ids = np.flatnonzero(scopes[index])
        if not len(ids):
            continue
        final = article[index][ids] + law[space.doc_of[index][ids]]
        chosen = best_k(final, np.zeros(len(ids)), min(2 * limit + 20, len(ids)))
        chosen = chosen[~headings(part, ids[chosen])][:limit]
        pool.extend((float(final[c]), index, int(ids[c])) for c in chosen.tolist())
    pool.sort(key=lambda item: -item[0])
    total = int(sum(int(s.sum()) for s in scopes))
    facet_counts = _facets(snapshot, scopes) if facets else ()
    leaves = tuple(t for concept in found for t in concept.texts)
    hits: list[SearchHit] = []
    seen: set[tuple[str, str]] = set()
    for value, index, local in pool:
        if len(hits) >= limit:
            break
        entry = parts[index].entry(local)
        key = (TITLE_NOTE.sub("", normalize(entry.title or entry.doc_id)), entry.number or entry.clause_id or "")
        if key in seen:  # the same article of another version of the law: the best-scoring one answers
            continue
        seen.add(key)
        hits.append(make_hit(entry, value, leaves))
    return tuple(hits), total, facet_counts, leaves


def _best_per_entry(found: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Entries and, for each, the best of the scores its expressions got (one list: itself)."""
    if len(found) == 1:
        return found[0]
    unique, best = group_max(np.concatenate([i for i, _ in found]), np.concatenate([s for _, s in found]))
    return unique, np.maximum(best, 0.0).astype(np.float64)


def _add_top(target: np.ndarray, owners: np.ndarray, values: np.ndarray, k: int) -> None:
    """target[d] = max(target[d], mean of the ``k`` largest values of owner d) (k = 1: the largest)."""
    if not len(owners):
        return
    if k == 1:
        max_into(target, owners, values)
        return
    order = np.lexsort((-values, owners))
    owners, values = owners[order], values[order]
    starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
    rank = np.arange(len(owners)) - np.repeat(starts, np.diff(np.r_[starts, len(owners)]))
    keep = rank < k
    sums = np.bincount(owners[keep], weights=values[keep], minlength=len(target))
    np.maximum(target, sums / k, out=target)


def headings(part: Part, ids: np.ndarray) -> np.ndarray:
    """Which of these entries are headings (第三章 ..., 第一节 ...): evidence for their law, not answers."""
    buffer, starts, ends = part.data.norm_finder()
    out = np.zeros(len(ids), dtype=bool)
    for k, (start, end) in enumerate(zip(starts[ids].tolist(), ends[ids].tolist(), strict=True)):
        if end - start <= HEADING_BYTES:
            out[k] = bool(HEADING.match(bytes(buffer[start:end]).decode("utf-8", "ignore")))
    return out
