"""Document facets: counts per document version (from the index) -> counts per subject and per status (from the
store). What a document is about and whether it is in force are decided after indexing (the subjects and versions
stages) and change without its text changing, so the index counts entries per version and the store's current
values are joined to those counts here, the same way for every engine.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

# doc id -> (its status, its assigned subjects), as the store holds them (Store.document_facets).
DocFacetValues = Mapping[str, tuple[str | None, tuple[str, ...]]]
Facets = tuple[tuple[str, tuple[tuple[str, int], ...]], ...]
VERSION_FACET = "version"  # the engines' per-version counts, replaced by the facets below before results leave


def join_document_facets(facets: Facets, values: DocFacetValues | None) -> Facets:
    """``facets`` without the per-version counts, plus ``subject`` and ``status`` counts when ``values`` is given
    (entries of a version the store does not know are left out of both)."""
    kept = tuple((name, items) for name, items in facets if name != VERSION_FACET)
    versions = next((items for name, items in facets if name == VERSION_FACET), None)
    if values is None or versions is None:
        return kept
    subjects: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    for version, count in versions:
        status, assigned = values.get(version.partition("@")[0], (None, ()))
        if status:
            statuses[status] += count
        for subject in assigned:
            subjects[subject] += count
    return (*kept, ("subject", _by_count(subjects)), ("status", _by_count(statuses)))


def _by_count(counter: Counter[str]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def version_items(counts: Iterable[tuple[str, int]]) -> tuple[str, tuple[tuple[str, int], ...]]:
    """The per-version facet an engine reports from its counts."""
    return VERSION_FACET, tuple((v, n) for v, n in counts if v and n)
