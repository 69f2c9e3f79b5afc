"""Hits: a matched entry and the query's strings -> a search hit with a snippet and the matches highlighted in it.

Shared by both engines, so that a hit reads the same whichever engine found it.
"""

from __future__ import annotations

from collections.abc import Sequence

from kb.models import Highlight, SearchHit
from kb.search.analyzer import normalize_with_offsets
from kb.search.entries import Entry
from kb.search.query import Text

SNIPPET_CHARS = 120  # snippet length around the first match
SNIPPET_LEAD = 30  # characters kept before the first match
SIMILAR_TERMS = 24  # bigrams of a clause used to find similar clauses


def make_hit(entry: Entry, score: float, leaves: Sequence[Text]) -> SearchHit:
    snippet, highlights = make_snippet(entry.text, leaves)
    return SearchHit(doc_id=entry.doc_id, clause_id=entry.clause_id, title=entry.title, number=entry.number,
                     score=round(float(score), 4), snippet=snippet, highlights=highlights, province=entry.province,
                     year=entry.year, doc_type=entry.doc_type, level=entry.level)  # fmt: skip


def match_spans(text: str, leaves: Sequence[Text]) -> list[tuple[int, int]]:
    """Spans of ``text`` (original offsets) where any of the query strings occurs, merged and in order."""
    norm, offsets = normalize_with_offsets(text)
    spans: list[tuple[int, int]] = []
    for leaf in leaves:
        for variant in leaf.variants:
            if not variant:
                continue
            start = norm.find(variant)
            while start >= 0:
                end = start + len(variant)
                spans.append((offsets[start], offsets[end - 1] + 1))
                start = norm.find(variant, start + 1)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:  # overlapping (adjacent matches stay apart)
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def make_snippet(text: str, leaves: Sequence[Text], width: int = SNIPPET_CHARS) -> tuple[str, tuple[Highlight, ...]]:
    """About ``width`` characters of ``text`` around the first match (newlines as spaces) and the matches in it."""
    spans = match_spans(text, leaves)
    start = 0
    if spans and spans[0][0] > SNIPPET_LEAD:
        start = spans[0][0] - SNIPPET_LEAD
    end = min(len(text), start + width)
    if end - start < width:
        start = max(0, end - width)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    body = text[start:end].replace("\n", " ")
    shift = len(prefix) - start
    highlights = tuple(Highlight(max(s, start) + shift, min(e, end) + shift) for s, e in spans if e > start and s < end)
    return prefix + body + suffix, highlights


__all__ = ["SIMILAR_TERMS", "make_hit", "make_snippet", "match_spans"]
