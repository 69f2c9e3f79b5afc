"""Document facets: counts per document version (from the index) -> counts per subject and per status (from the
store). What a document is about and whether it is in force are decided after indexing (the subjects and versions
stages) and change without its text changing, so the index counts entries per version and the store's current
values are joined to those counts here, the same way for every engine.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is imported when counting, not by every command that names these types
    import numpy as np

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


class FacetTable:
    """The store's status and subjects per document, numbered so that an engine holding per-version counts as an
    array (one count per distinct version value of a segment) turns them into subject and status counts with two
    array operations instead of a loop over versions."""

    def __init__(self, values: DocFacetValues) -> None:
        self.statuses: list[str] = []
        self.subjects: list[str] = []
        status_codes: dict[str, int] = {}
        subject_codes: dict[str, int] = {}
        self._of: dict[str, tuple[int, tuple[int, ...]]] = {}
        for doc_id, (status, assigned) in values.items():
            code = status_codes.setdefault(status, len(status_codes)) if status else -1
            subjects = tuple(subject_codes.setdefault(s, len(subject_codes)) for s in assigned)
            self._of[doc_id] = (code, subjects)
        self.statuses = list(status_codes)
        self.subjects = list(subject_codes)

    def version_maps(self, versions: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For the version values of one segment ("<doc_id>@<sha256>"): each one's status code (-1: none), and the
        pairs (version code, subject code) of the subjects assigned to its document."""
        import numpy as np

        status = np.full(len(versions), -1, dtype=np.int64)
        rows: list[int] = []
        cols: list[int] = []
        for code, version in enumerate(versions):
            found = self._of.get(version.partition("@")[0]) if version else None
            if found is None:
                continue
            status[code] = found[0]
            rows.extend([code] * len(found[1]))
            cols.extend(found[1])
        return status, np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)

    def facets(self, status_counts: np.ndarray, subject_counts: np.ndarray) -> Facets:
        """The subject and status facets from counts indexed by this table's codes."""
        subjects = Counter({s: int(n) for s, n in zip(self.subjects, subject_counts.tolist(), strict=True) if n})
        statuses = Counter({s: int(n) for s, n in zip(self.statuses, status_counts.tolist(), strict=True) if n})
        return ("subject", _by_count(subjects)), ("status", _by_count(statuses))


def _by_count(counter: Counter[str]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def version_items(counts: Iterable[tuple[str, int]]) -> tuple[str, tuple[tuple[str, int], ...]]:
    """The per-version facet an engine reports from its counts."""
    return VERSION_FACET, tuple((v, n) for v, n in counts if v and n)
