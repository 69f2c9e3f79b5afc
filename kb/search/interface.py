"""Search interface: a knowledge base's home -> a SearchIndex (the protocol every caller is typed against).

The pipeline writes the index through :class:`SearchIndex`; `kb search`, `kb trace` and the web UI read it through
:func:`open_for_reading`. Which engine stands behind it (Whoosh in kb/search/whoosh_index.py, tantivy in
kb/search/tantivy_index.py) is decided by kb/search/engines.py. The store/index handshake lives here too: an
ingest sets the store's ``index_state`` to ``dirty`` before it adds versions to the index and to ``clean`` once
stale ones are dropped, so a reader that finds it dirty hides every version the store does not hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from kb.models import DocFilter, Document, SearchHit, SearchResult, TopicTag

if TYPE_CHECKING:
    from kb.search.doc_facets import DocFacetValues

# The store's meta key of the handshake and its two values.
INDEX_STATE = "index_state"
INDEX_CLEAN = "clean"
INDEX_DIRTY = "dirty"


class LiveVersions(dict[str, str]):
    """doc id -> sha256 of the document versions a search may return, and, when the store knows the index holds
    exactly these and ``hidden`` (the last ingest finished), the versions it holds but leaves out: copies of other
    documents, or versions outside a --status or --as-of scope. An engine may then filter by whichever list is
    shorter; without ``hidden`` (None) it must keep only these."""

    def __init__(self, versions: Mapping[str, str], hidden: Mapping[str, str] | None = None) -> None:
        super().__init__(versions)
        self.hidden: dict[str, str] | None = dict(hidden) if hidden is not None else None


class SearchIndex(Protocol):
    """What kb needs from a full-text index (kb.pipeline writes it; `kb search`, `kb trace`, the web UI read it)."""

    def update(self, docs: Iterable[tuple[Document, Sequence[TopicTag]]], remove: Iterable[str] = ()) -> None:
        """Add these document versions and drop every version of the ``remove`` doc ids, in one commit."""
        ...

    def search(self, query: str, *, filters: DocFilter | None = None, docs: bool = False, limit: int = 10,
               sort: str = "relevance", facets: bool = True) -> SearchResult:  # fmt: skip
        """Clause (or with ``docs`` document) hits for a query in kb's syntax (kb/search/query.py) and filters."""
        ...

    def more_like_this(self, doc_id: str, clause_id: str, *, limit: int = 10) -> tuple[SearchHit, ...]:
        """Other clauses whose wording is closest to this one."""
        ...

    def indexed_versions(self) -> dict[str, str]:
        """doc id -> sha256 of the version indexed."""
        ...

    def remove_stale(self, live: Mapping[str, str]) -> int:
        """Drop versions not in ``live`` (doc id -> sha256); return how many went."""
        ...

    def set_document_facets(self, values: DocFacetValues | None) -> None:
        """Also count results per subject and status, with these values from the store (None: not counted)."""
        ...

    def set_live(self, live: Mapping[str, str] | None) -> None:
        """Hide every version not in ``live`` from results (None shows all)."""
        ...

    def doc_count(self) -> int:
        """Number of live entries (clauses and documents)."""
        ...

    def close(self) -> None:
        """Release open files."""
        ...


def open_index(home: Path, *, create: bool = False, engine: str | None = None) -> SearchIndex:
    """The search index of the knowledge base at ``home`` (an empty one made with ``create``, of ``engine``);
    raises IndexMissing. The engine is the one the home was built with (kb/search/engines.py)."""
    from kb.search.engines import open_search_index

    return open_search_index(home, create=create, engine=engine)


def live_versions(home: Path) -> Mapping[str, str] | None:
    """The store's document versions when the last ingest did not finish (the index may hold others), else None."""
    from kb.errors import StoreError
    from kb.store.sqlite import Store

    try:
        with Store.open(home) as store:
            if store.get_meta(INDEX_STATE) == INDEX_CLEAN:
                return None
            return store.live_versions()
    except StoreError:
        return None


def open_for_reading(home: Path) -> SearchIndex:
    """The search index of ``home`` showing only what the store holds (see the module docstring); raises
    IndexMissing when there is none."""
    index = open_index(home)
    live = live_versions(home)
    if live is not None:
        index.set_live(live)
    return index
