"""Snapshot: one commit of the search index -> its segments as Parts (deletions, live filter, columns as arrays).

A search works on one snapshot from start to end, so a writer committing meanwhile changes nothing under it;
whoosh_index.py opens a new snapshot when the table of contents moves on, reusing the readers of unchanged segments.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

import numpy as np

from kb.search import safe_pickle
from kb.search.entries import DOCUMENT, Entry
from kb.search.postings import HEADS, SegmentData

# Bytes of recent text matches a snapshot keeps (entry numbers and frequencies per part), least recent dropped first.
RECENT_MATCH_BYTES = 64 * 1024 * 1024


class Part:
    """One segment: its reader data, deletions, live-version filter and per-entry columns as arrays."""

    def __init__(self, segment: Any, data: SegmentData, docbase: int) -> None:
        self.segment = segment
        self.data = data
        self.docbase = docbase
        self.size = segment.doc_count_all()
        deleted = np.zeros(self.size, dtype=bool)
        if segment.has_deletions():
            deleted[np.fromiter(segment.deleted_docs(), dtype=np.int64)] = True
        self.deleted = deleted
        kind_codes, kind_values = data.column("kind")
        self.is_doc = np.isin(kind_codes, [i for i, v in enumerate(kind_values) if v == DOCUMENT])
        self.version_codes, self.version_values = data.column("version")
        self.alive = ~deleted
        self._date_key: np.ndarray | None = None
        self._lengths: np.ndarray | None = None
        self._heads: dict[str, list[int]] | None = None
        self._numbers: dict[str, np.ndarray] = {}
        self._codes: dict[str, dict[str, int]] = {}
        self._facet_maps: tuple[Any, tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None

    def lengths(self) -> np.ndarray:
        """Exact entry lengths (bytes of the normalised text), for BM25's length normalisation."""
        if self._lengths is None:
            self._lengths = self.data.norm_lengths()
        return self._lengths

    def entry_numbers(self, field: str) -> np.ndarray:
        """Each entry's value of a column as a number (-1 when it is not all digits), for range filters."""
        numbers = self._numbers.get(field)
        if numbers is None:
            codes, values = self.data.column(field)
            by_value = np.array([int(v) if v and v.isdigit() else -1 for v in values], dtype=np.int32)
            numbers = by_value[codes]
            self._numbers[field] = numbers
        return numbers

    def value_codes(self, field: str) -> dict[str, int]:
        """Each distinct value of a column -> its code, for equality filters."""
        codes = self._codes.get(field)
        if codes is None:
            codes = {v: i for i, v in enumerate(self.data.column(field)[1])}
            self._codes[field] = codes
        return codes

    def facet_maps(self, table: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``table.version_maps`` of this segment's versions (kept while the same table is used)."""
        if self._facet_maps is None or self._facet_maps[0] is not table:
            self._facet_maps = (table, table.version_maps(self.version_values))
        return self._facet_maps[1]

    def set_live(self, live: Mapping[str, str] | None) -> None:
        if live is None:
            self.alive = ~self.deleted
            return
        ok = np.array([live.get(v.rpartition("@")[0]) == v.rpartition("@")[2] for v in self.version_values])
        self.alive = ~self.deleted & ok[self.version_codes]

    def scope(self, docs: bool) -> np.ndarray:
        """Alive entries of one kind: documents' own entries, or clauses."""
        return self.alive & (self.is_doc if docs else ~self.is_doc)

    def date_key(self) -> np.ndarray:
        """yyyymmdd per entry (0 when undated), to sort by date."""
        if self._date_key is None:
            codes, values = self.data.column("date")
            keys = np.array([_date_number(v) for v in values], dtype=np.int64)
            self._date_key = keys[codes]
        return self._date_key

    def exact_titles(self, ids: np.ndarray, variants: Sequence[str]) -> np.ndarray:
        """Which of these document entries have one of ``variants`` as their whole title or short title."""
        if self._heads is None:
            heads: dict[str, list[int]] = {}
            for code, value in enumerate(self.data.column(HEADS)[1]):
                for line in value.split("\n") if value else ():
                    heads.setdefault(line, []).append(code)
            self._heads = heads
        wanted = [code for v in variants for code in self._heads.get(v, ())]
        if not wanted:
            return np.zeros(len(ids), dtype=bool)
        return np.isin(self.data.column(HEADS)[0][ids], wanted)

    def entry(self, local: int) -> Entry:
        return Entry.from_tuple(safe_pickle.loads(self.data.entry_bytes(local)))

    def live_entries(self) -> list[Entry]:
        """Entries the segment does not mark deleted, as of now (for rebuilding the segment)."""
        deleted = set(self.segment.deleted_docs())
        return [self.entry(i) for i in range(self.size) if i not in deleted]

    def docnums_of_versions(self, doomed: Callable[[str], bool]) -> np.ndarray:
        """Local numbers of entries not yet deleted whose version ``doomed`` accepts."""
        bad = np.array([bool(doomed(v)) if v else False for v in self.version_values])
        return np.flatnonzero(bad[self.version_codes] & ~self.deleted)


def _date_number(value: str) -> int:
    digits = value.replace("-", "")
    if not digits.isdigit():
        return 0
    return int(digits.ljust(8, "0")[:8])


class Snapshot:
    """The parts of one commit (generation) of the index."""

    def __init__(self, generation: int, parts: list[Part]) -> None:
        self.generation = generation
        self.parts = parts
        self.total = sum(p.size for p in parts)
        self._live: Mapping[str, str] | None = None
        # The store's subjects and statuses (kb.search.doc_facets.FacetTable) that facet counts use; None: none.
        self.facet_table: Any = None
        self._avg_length: float | None = None
        self._matches: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._match_bytes = 0
        self._memo: dict[Hashable, Any] = {}
        self._vocabularies: dict[str, tuple[list[str], list[np.ndarray]]] = {}
        self._space: DocumentSpace | None = None

    def avg_length(self) -> float:
        """Mean entry length over all entries (the unit of :meth:`Part.lengths`)."""
        if self._avg_length is None:
            total = sum(float(p.lengths().sum()) for p in self.parts)
            self._avg_length = max(1.0, total / max(1, self.total))
        return self._avg_length

    @classmethod
    def open(cls, storage: Any, indexname: str, generation: int, previous: Snapshot | None) -> Snapshot:
        from whoosh.index import TOC
        from whoosh.reading import SegmentReader

        toc = TOC.read(storage, indexname, generation)
        reuse = {p.segment.segment_id(): p.data for p in previous.parts} if previous is not None else {}
        parts, docbase = [], 0
        for segment in toc.segments:
            data = reuse.get(segment.segment_id())
            if data is None:
                data = SegmentData(SegmentReader(storage, toc.schema, segment, generation))
            parts.append(Part(segment, data, docbase))
            docbase += segment.doc_count_all()
        snapshot = cls(toc.generation, parts)
        if previous is not None and previous._live is not None:
            snapshot.set_live(previous._live)
        if previous is not None:
            snapshot.facet_table = previous.facet_table
        return snapshot

    def facet_vocabulary(self, field: str) -> tuple[list[str], list[np.ndarray]]:
        """The distinct values of a column over all parts, and per part its codes' positions among them."""

        def build() -> tuple[list[str], list[np.ndarray]]:
            where: dict[str, int] = {}
            maps = []
            for part in self.parts:
                values = part.data.column(field)[1]
                maps.append(np.array([where.setdefault(v, len(where)) for v in values], dtype=np.int64))
            return list(where), maps

        found: tuple[list[str], list[np.ndarray]] = self._vocabularies.get(field) or build()
        self._vocabularies[field] = found
        return found

    def memo(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """``compute()``, kept under ``key`` until the live filter changes (for values derived from the alive
        entries only, e.g. the provinces a filter may name)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def recent_matches(self, key: Hashable) -> Any:
        """The matches kept under ``key`` by :meth:`keep_matches`, or None."""
        found = self._matches.get(key)
        if found is None:
            return None
        self._matches.move_to_end(key)
        return found[0]

    def keep_matches(self, key: Hashable, matches: Any, size: int) -> None:
        """Keep the matches of one search string (over the alive entries) for later searches of this snapshot."""
        if size > RECENT_MATCH_BYTES // 4:
            return
        old = self._matches.pop(key, None)
        if old is not None:
            self._match_bytes -= old[1]
        self._matches[key] = (matches, size)
        self._match_bytes += size
        while self._match_bytes > RECENT_MATCH_BYTES:
            _, (_, dropped) = self._matches.popitem(last=False)
            self._match_bytes -= dropped

    def set_live(self, live: Mapping[str, str] | None) -> None:
        self._live = live
        self._space = None
        self._matches.clear()
        self._match_bytes = 0
        self._memo.clear()
        for part in self.parts:
            part.set_live(live)

    def document_space(self) -> DocumentSpace:
        """The alive document versions, numbered (cached until the live filter changes)."""
        if self._space is None:
            self._space = DocumentSpace(self)
        return self._space

    def versions(self, all_versions: bool = False) -> list[str]:
        """Versions with entries not deleted, in write order (``all_versions``: ignoring the live filter)."""
        seen: dict[str, None] = {}
        for part in self.parts:
            mask = ~part.deleted if all_versions else part.alive
            for code in np.unique(part.version_codes[mask]):
                value = part.version_values[int(code)]
                if value:
                    seen.pop(value, None)
                    seen[value] = None
        return list(seen)

    def entry_count(self) -> int:
        return int(sum(int(p.alive.sum()) for p in self.parts))

    def close(self) -> None:
        for part in self.parts:
            part.data.close()


class DocumentSpace:
    """Alive document versions numbered 0..D-1, with where each one's own entry is and each entry's document."""

    def __init__(self, snapshot: Snapshot) -> None:
        numbers: dict[str, int] = {}
        self.doc_of: list[np.ndarray] = []
        for part in snapshot.parts:
            codes = np.unique(part.version_codes[part.alive])
            mapping = np.full(len(part.version_values), -1, dtype=np.int64)
            for code in codes.tolist():
                value = part.version_values[code]
                if value:
                    mapping[code] = numbers.setdefault(value, len(numbers))
            self.doc_of.append(mapping[part.version_codes])
        size = len(numbers)
        self.size = size
        self.part = np.full(size, -1, dtype=np.int64)
        self.local = np.zeros(size, dtype=np.int64)
        self.date = np.zeros(size, dtype=np.int64)
        for index, part in enumerate(snapshot.parts):
            own = np.flatnonzero(part.alive & part.is_doc)
            docs = self.doc_of[index][own]
            self.part[docs] = index
            self.local[docs] = own
            self.date[docs] = part.date_key()[own]
        self.present = self.part >= 0
