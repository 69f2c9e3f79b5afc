"""Entries: what either engine indexes for a document version -- one per clause and one for the document itself.

The index writers (kb/search/whoosh_writer.py, kb/search/tantivy_index.py) turn documents into :class:`Entry` records
and store them whole, so that a hit is an entry read back, the same for every engine.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# Entry kinds: a clause (the unit search returns) or a document's own entry (title, 发文字号, issuers).
CLAUSE = "clause"
DOCUMENT = "doc"
# Facets every engine counts from its own fields (name shown, entry field); subject and status come from the
# store (kb.search.doc_facets).
FACETS = (("province", "province"), ("year", "year"), ("type", "doc_type"), ("level", "level"))


@dataclass(frozen=True, slots=True)
class Entry:
    """One indexed unit: a clause with its document's fields, or a document's own entry."""

    kind: str  # CLAUSE or DOCUMENT
    doc_id: str
    version: str  # "<doc_id>@<sha256>": the document version the entry was made from
    clause_id: str | None
    text: str  # what is searched: the clause's text; for a document, its title, short title, 发文字号, issuers
    number: str | None = None
    title: str | None = None
    province: str | None = None
    city: str | None = None
    level: str | None = None
    doc_type: str | None = None
    status: str | None = None
    year: int | None = None
    first_year: int | None = None
    date: str | None = None  # ISO date of the version, for sorting by date
    topics: tuple[str, ...] = ()

    def as_tuple(self) -> tuple[Any, ...]:
        """The fields in declaration order (what the entry column stores)."""
        return tuple(getattr(self, name) for name in _ENTRY_FIELDS)

    @classmethod
    def from_tuple(cls, values: Sequence[Any]) -> Entry:
        """The inverse of :meth:`as_tuple`."""
        return cls(*values)

    def keywords(self) -> dict[str, str]:
        """The keyword fields' values as index terms (absent values left out)."""
        values = {"kind": self.kind, "doc_id": self.doc_id, "version": self.version, "province": self.province,
                  "city": self.city, "level": self.level, "doc_type": self.doc_type, "status": self.status,
                  "year": None if self.year is None else str(self.year), "date": self.date,
                  "first_year": None if self.first_year is None else str(self.first_year)}  # fmt: skip
        return {k: v for k, v in values.items() if v}


_ENTRY_FIELDS = tuple(f.name for f in dataclasses.fields(Entry))


__all__ = ["CLAUSE", "DOCUMENT", "FACETS", "Entry"]
