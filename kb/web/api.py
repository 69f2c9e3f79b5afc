"""Web queries: parsed request parameters -> the library calls the CLI makes -> records and their JSON shapes.

Every function here does what the matching `kb` command does between parsing its options and printing, so that
``/api/search`` and ``kb search --json`` (and show, trace, list, stats) give the same JSON for the same input; the
pages render the same records. The CLI's shape builders are imported, not copied, until they move into the library.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb.errors import KbError
from kb.models import DocFilter, Document, SearchHit, SearchResult
from kb.search.doc_facets import DocFacetValues
from kb.search.interface import INDEX_CLEAN, INDEX_STATE, SearchIndex

RESULTS_KEPT = 512  # search results kept for repeated requests (a few MB at most)
# The relations `kb trace` knows, in the order it shows them.
RELATIONS = ("cites", "cited-by", "implements", "implemented-by", "topic", "similar")


@dataclass(frozen=True, slots=True)
class Shown:
    """What `kb show` finds for a reference: the document, the clause when one was named, and the JSON it prints."""

    document: Document
    clause_id: str | None
    json: dict[str, Any]


class Library:
    """The knowledge base at ``home`` as the web reads it: one store connection per thread, one search index."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self._local = threading.local()
        self._index: SearchIndex | None = None
        self._index_lock = threading.Lock()
        # Results of recent searches, valid while the knowledge base is unchanged: a page's
        # facets, its next page and the back button ask again for what was just answered.
        self._results: OrderedDict[tuple[Any, ...], SearchResult] = OrderedDict()
        self._results_of: Any = None  # the store's (index_state, last_built) the kept results were read under
        self._live: dict[str, str] | None = None

    @contextmanager
    def store(self) -> Iterator[Any]:
        """This thread's store connection (opened on first use, kept for the next request)."""
        from kb.store.sqlite import Store

        store = getattr(self._local, "store", None)
        if store is None:
            store = Store.open(self.home)
            self._local.store = store
        yield store

    @contextmanager
    def searching(self, *, live: bool = True) -> Iterator[SearchIndex]:
        """The search index (of the engine the home was built with), for one thread at a time: Whoosh's segment
        readers share file handles, so two threads reading at once would read each other's bytes. Restricted like
        `kb search` to the store's versions while an ingest is unfinished; recent results are dropped when the
        store says the knowledge base changed."""
        from kb.search.engines import open_search_index

        with self._index_lock:
            if self._index is None:
                self._index = open_search_index(self.home)
            if live:
                state = self._state()
                changed = state != self._results_of
                if changed or state[0] != INDEX_CLEAN:  # changed, or an ingest under way
                    versions = self._searchable_versions()
                    if versions != self._live:
                        self._index.set_live(versions)
                        self._live = versions
                        self._results.clear()
                if changed:  # statuses and subjects change only with a build: read once per build
                    self._results.clear()
                    self._results_of = state
                    self._index.set_document_facets(self._document_facets())
            yield self._index

    def _searchable_versions(self) -> dict[str, str] | None:
        """As `kb search` asks them (kb.versions.query.searchable_versions): the document versions a search may
        return, each once, and all the store holds while an ingest is unfinished; None when the store cannot say."""
        from kb.errors import StoreError
        from kb.versions.query import searchable_versions

        try:
            with self.store() as store:
                return searchable_versions(store)
        except StoreError:
            return None

    def _document_facets(self) -> DocFacetValues | None:
        """Each document's status and subjects, to count results by; None when the store cannot say."""
        from kb.errors import StoreError

        try:
            with self.store() as store:
                counted_by: DocFacetValues = store.document_facets()
                return counted_by
        except StoreError:
            return None

    def _state(self) -> tuple[str | None, str | None]:
        """The store's index state and when the knowledge base was last built: a change means new results."""
        from kb.errors import StoreError

        try:
            with self.store() as store:
                return store.get_meta(INDEX_STATE), store.get_meta("last_built")
        except StoreError:
            return None, None

    def cached_search(self, query: str, filters: DocFilter, *, docs: bool, limit: int, sort: str) -> SearchResult:
        """``index.search`` with the last :data:`RESULTS_KEPT` results kept while the knowledge base is unchanged.

        Every ingest that changes the index changes the store's build time, or its live versions while it runs.
        """
        key = (query, filters, docs, limit, sort)
        with self.searching() as index:
            result = self._results.get(key)
            if result is not None:
                self._results.move_to_end(key)
                return result
            result = index.search(query, filters=self._scoped(filters), docs=docs, limit=limit, sort=sort)
            self._results[key] = result
            if len(self._results) > RESULTS_KEPT:
                self._results.popitem(last=False)
            return result

    def _scoped(self, filters: DocFilter) -> DocFilter:
        """The filters with subjects, status and day turned into the documents they leave (kb.search.scope)."""
        from kb.search.scope import needs_store, scoped_filters

        if not needs_store(filters):
            return filters
        with self.store() as store:
            return scoped_filters(store, filters)

    def similar_text(self) -> Any:
        """What `kb trace` needs of the index (more_like_this), taking the index lock per call; None when there is no
        index (the trace's similar group then says so)."""
        from kb.errors import IndexMissing

        try:
            with self.searching(live=False):
                pass
        except IndexMissing:
            return None
        return _LockedSimilar(self)


class _LockedSimilar:
    """The index's more_like_this behind the library's lock (see :meth:`Library.searching`)."""

    def __init__(self, lib: Library) -> None:
        self.lib = lib

    def more_like_this(self, doc_id: str, clause_id: str, *, limit: int = 10) -> tuple[SearchHit, ...]:
        with self.lib.searching(live=False) as index:
            return index.more_like_this(doc_id, clause_id, limit=limit)


def warm(lib: Library) -> None:
    """Open the store and the index and run one search with facets, so that the first pages served do not pay for
    opening segments, loading their columns and importing the query modules (nothing to do without an index)."""
    with suppress(KbError):
        lib.cached_search("的", DocFilter(), docs=False, limit=1, sort="relevance")


def search(lib: Library, query: str, filters: DocFilter, *, docs: bool, limit: int, sort: str) -> SearchResult:
    """`kb search QUERY [filters] [--docs] --limit N --sort S`."""
    return lib.cached_search(query, filters, docs=docs, limit=limit, sort=sort)


def show(lib: Library, ref: str) -> Shown:
    """`kb show REF --json`: the document (with its body) or the clause, as the CLI prints it."""
    from kb.citations.lookup import resolve_id
    from kb.schema import shown_json

    with lib.store() as store:
        target = resolve_id(store, ref)
        doc = store.get_document(target.doc_id)
        assert doc is not None
        return Shown(doc, target.clause_id, shown_json(store, doc, target.clause_id))


def resolve(lib: Library, ref: str) -> tuple[str, str | None]:
    """The document id and clause id a user's reference names (ids, titles, short titles, 第X条)."""
    from kb.citations.lookup import resolve_id

    with lib.store() as store:
        target = resolve_id(store, ref)
    return target.doc_id, target.clause_id


@dataclass(frozen=True, slots=True)
class DocPage:
    """Everything the document page shows: the document, its citations and topic tags, and who cites it."""

    document: Document
    citations: tuple[Any, ...]
    cited_by: tuple[Any, ...]
    topics: tuple[Any, ...]
    citing_titles: dict[str, str | None]


def summaries(lib: Library, doc_ids: Sequence[str]) -> list[Any]:
    """The documents with these ids (those still in the knowledge base), in the order given."""
    with lib.store() as store:
        found = [store.summary(doc_id) for doc_id in doc_ids]
    return [s for s in found if s is not None]


def document_page(lib: Library, doc_id: str) -> DocPage:
    """The store's records of one document, as `kb show` and `kb trace` read them."""
    from kb.errors import NotFound

    with lib.store() as store:
        doc = store.get_document(doc_id)
        if doc is None:
            raise NotFound(f"{doc_id}: no document with this id; find one with search or the list")
        citations = store.citations(doc_id=doc_id)
        cited_by = [c for c in store.citations(target_doc=doc_id) if c.doc_id != doc_id]
        topics = store.topics(doc_id=doc_id)
        titles: dict[str, str | None] = {}
        for citation in cited_by:
            if citation.doc_id not in titles:
                summary = store.summary(citation.doc_id)
                titles[citation.doc_id] = summary.title if summary else None
    return DocPage(doc, tuple(citations), tuple(cited_by), tuple(topics), titles)


def trace(
    lib: Library, ref: str, *, depth: int, relations: Sequence[str], filters: DocFilter | None, limit: int
) -> Any:
    """`kb trace REF --depth N --relation R... [--province --year --level] --limit N`."""
    from kb.citations.lookup import resolve_id
    from kb.graph.trace import trace as run_trace
    from kb.report.stats import normalise_filter

    wanted = normalise_filter(filters) if filters is not None and filters != DocFilter() else None
    with lib.store() as store:
        target = resolve_id(store, ref)
        return run_trace(
            store,
            lib.similar_text(),
            target.doc_id,
            target.clause_id,
            depth=depth,
            relations=tuple(relations) or RELATIONS,
            filters=wanted,
            limit=limit,
        )


def list_rows(lib: Library, filters: DocFilter, *, sort: str) -> list[Any]:
    """`kb list [filters] --sort S`: one ListRow per document version."""
    from kb.report.stats import list_rows as rows
    from kb.report.stats import load_documents

    return rows(load_documents(lib.home, filters), sort=sort)


def list_csv(rows: Sequence[Any]) -> str:
    """The CSV `kb list --format csv` prints for these rows (with a BOM, as --bom gives, for Excel)."""
    from kb.cli.render import format_csv
    from kb.cli.report import LIST_CSV_COLUMNS, _row_mapping

    return format_csv([_row_mapping(row) for row in rows], LIST_CSV_COLUMNS, bom=True)


def stats(lib: Library, by: Sequence[str], filters: DocFilter) -> Any:
    """`kb stats --by D [--by D2] [filters]`: the CountTable."""
    from kb.report.stats import check_dimensions, count, load_documents, observed_year_range, year_span

    dims = check_dimensions(by)
    docs = load_documents(lib.home, filters)
    return count(docs, dims, year_range=year_span(filters, observed_year_range(docs)))


def stats_csv(table: Any) -> str:
    """The CSV `kb stats --format csv --bom` prints for this table: counts only, one column per second value."""
    from kb.cli.render import format_csv
    from kb.cli.report import _column_names
    from kb.report.stats import cross_tab

    if len(table.by) == 1:
        dim = table.by[0]
        return format_csv([{dim: row.key[0], "count": row.count} for row in table.rows], (dim, "count"), bom=True)
    grid = cross_tab(table)
    names = _column_names(grid.row_dim, grid.columns)
    rows = [
        {grid.row_dim: value, **dict(zip(names, cells, strict=True))}
        for value, cells in zip(grid.rows, grid.cells, strict=True)
    ]
    return format_csv(rows, (grid.row_dim, *names), bom=True)


def stats_svg(table: Any, filters: DocFilter) -> bytes:
    """The chart `kb stats --plot FILE.svg` draws for this table, as SVG bytes."""
    import io

    import matplotlib

    from kb.report.charts import _rc, find_cjk_font, render_figure

    fig = render_figure(table, filters=filters)
    buf = io.BytesIO()
    with matplotlib.rc_context(_rc(find_cjk_font())):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    return buf.getvalue()


def status(lib: Library) -> dict[str, Any]:
    """`kb status --json`."""
    from kb.schema import status_json

    return status_json(lib.home)
