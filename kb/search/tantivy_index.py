"""Tantivy engine: Documents and topic tags -> a tantivy index of clauses and documents; queries -> SearchResult.

The second implementation of :class:`kb.search.interface.SearchIndex`, chosen per knowledge base with
``kb ingest --engine tantivy`` and remembered by the home (its index lives in ``<home>/tantivy``). It holds the same
entries as the Whoosh engine (:func:`kb.search.whoosh_index.entries_for`) and answers the same query language with
the same guarantees:

- every pair of adjacent normalised characters is a token at its own position (``norm_bi``), so a query string of
  two characters or more is a phrase of its bigrams and a hit always contains it exactly, whatever the word
  boundaries; a one-character string is a term of the character field (``norm``). Bigram posting lists are short
  where single characters' are long, so a phrase costs a tenth of the same phrase of characters;
- each document also has one entry holding its head (title, short title, 发文字号, issuers) and all its clause texts,
  separated by a character no query contains, so document searches (``--docs``) treat a document as the union of
  its entries, as the Whoosh engine does;
- facets are term aggregations over fast fields, over the whole result set;
- crash safety is tantivy's: a commit is atomic, so a writer killed at any moment leaves the previous commit. As with
  Whoosh, :meth:`update` only adds versions and :meth:`remove_stale` drops the ones the store no longer holds.

Scores are tantivy's BM25 over the characters of the matched strings, with the same title boosts as the Whoosh
engine in document searches; they differ in detail from Whoosh's (which scores each matched string as one term).
"""

from __future__ import annotations

import json
import math
import operator
import shutil
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from kb.errors import IndexMissing, NotFound, StoreError
from kb.models import DocFilter, Document, SearchHit, SearchResult, TopicTag
from kb.search.analyzer import bigrams, normalize
from kb.search.doc_facets import VERSION_FACET, DocFacetValues, Facets, join_document_facets, version_items
from kb.search.entries import CLAUSE, DOCUMENT, FACETS, Entry
from kb.search.hits import SIMILAR_TERMS, make_snippet
from kb.search.interface import LiveVersions
from kb.search.query import And, Filter, Node, Not, Text, search_tree, texts

TANTIVY_DIR = "tantivy"
TOKENIZER = "kb_chars"
# Every character is a token: "." with the s flag matches newlines too.
CHAR_PATTERN = r"(?s)."
# The bigram fields hold a text's bigrams separated by spaces, split by tantivy's whitespace tokenizer (twice as
# fast as a pattern). Normalised texts hold no whitespace (kb.search.analyzer.normalize drops it); a space that
# still came would be written as SPACE.
BIGRAM_TOKENIZER = "whitespace"
SPACE = "\u0002"
BIGRAM_FIELDS = {"norm": "norm_bi", "head": "head_bi"}  # character field -> its bigram field
# Between the parts of a document's whole-text entry: never in a normalised query, so no phrase crosses it.
SEPARATOR = "\u0001"
WRITER_HEAP = 64 * 2**20
LOCK_WAIT_SECONDS = 60.0
TITLE_BOOST = 3.0  # as in the Whoosh engine: a document's own head counts this much more in --docs
EXACT_TITLE_BONUS = 100.0  # a query string that is the whole title or short title (known-item search)
# Keyword fields filtered by term and (the facet ones) counted by aggregation.
KEYWORDS = ("kind", "doc_id", "clause_id", "version", "province", "city", "level", "doc_type", "status", "topic",
            "title_key")  # fmt: skip
YEARS = ("year", "first_year")
TOTAL = "__total"  # the aggregation counting the matches (facet names are never this)
MAX_BUCKETS = 60_000  # terms aggregations return at most this many buckets (tantivy's default limit is 65,000)


def tantivy_path(home: Path) -> Path:
    """Where the tantivy index of the knowledge base ``home`` lives."""
    return Path(home) / TANTIVY_DIR


def exists(home: Path) -> bool:
    """Whether ``home`` has a tantivy index."""
    return (tantivy_path(home) / "meta.json").is_file()


def _tantivy() -> Any:
    try:
        import tantivy
    except ImportError as exc:
        from kb.errors import MissingDependency

        raise MissingDependency("the tantivy engine needs the tantivy package: `pip install tantivy`") from exc
    return tantivy


def _schema(tantivy: Any) -> Any:
    builder = tantivy.SchemaBuilder()
    for field, bigram_field in BIGRAM_FIELDS.items():
        builder.add_text_field(field, stored=False, tokenizer_name=TOKENIZER, index_option="freq")
        builder.add_text_field(bigram_field, stored=False, tokenizer_name=BIGRAM_TOKENIZER, index_option="position")
    for name in KEYWORDS:
        builder.add_text_field(name, stored=False, tokenizer_name="raw", fast=True)
    for name in YEARS:
        builder.add_integer_field(name, stored=False, indexed=True, fast=True)
    builder.add_integer_field("date_key", stored=False, indexed=True, fast=True)
    builder.add_integer_field("written", stored=False, indexed=False, fast=True)  # when: the newest version wins
    builder.add_bytes_field("entry", stored=True, indexed=False)
    return builder.build()


def open_tantivy(home: Path, *, create: bool = False, live: Mapping[str, str] | None = None) -> TantivyIndex:
    """Open the tantivy index of ``home`` (creating an empty one with ``create``); raises IndexMissing."""
    tantivy = _tantivy()
    path = tantivy_path(home)
    if not create and not exists(home):
        raise IndexMissing(f"{path}: no search index here; run `kb ingest PATH` to build the knowledge base first")
    path.mkdir(parents=True, exist_ok=True)
    schema = _schema(tantivy)
    try:
        index = tantivy.Index(schema, path=str(path), reuse=True)
    except ValueError as exc:  # "the schema does not match": an index of an older kb
        if "schema" not in str(exc).lower():
            raise StoreError(f"{path}: the search index cannot be opened ({exc})") from exc
        if not create:
            raise IndexMissing(f"{path}: this search index was built by an older kb; run `kb ingest PATH` once to "
                               f"rebuild it from the knowledge base") from exc  # fmt: skip
        shutil.rmtree(path)  # derived from the store: the ingest that asked for it indexes every document again
        path.mkdir(parents=True)
        index = tantivy.Index(schema, path=str(path), reuse=True)
    index.register_tokenizer(TOKENIZER, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(CHAR_PATTERN)).build())
    if create and not exists(home):  # an empty first commit, so that readers find an index
        with _Writer(index, path) as writer:
            writer.commit()
    engine = TantivyIndex(tantivy, index, schema, path)
    if live is not None:
        engine.set_live(live)
    return engine


def _grams(norm: str) -> list[str]:
    """The bigrams of a normalised text, spaces written as SPACE so that the tokenizer keeps each whole."""
    text = norm.replace(" ", SPACE)
    return list(map(operator.add, text, text[1:]))  # twice as fast as slicing: the index stage's hot loop


def _date_key(date: str | None) -> int:
    digits = "".join(c for c in (date or "") if c.isdigit())
    if len(digits) == 4:
        digits += "0000"
    return int(digits[:8]) if len(digits) >= 8 else 0


def _title_keys(entry: Entry) -> list[str]:
    return [normalize(line) for line in entry.text.split("\n")[:2] if line.strip()]


class _Writer:
    """Tantivy's single writer, waited for when another process holds it; released on exit."""

    def __init__(self, index: Any, path: Path, wait: float = LOCK_WAIT_SECONDS) -> None:
        self.index, self.path, self.wait = index, path, wait
        self.writer: Any = None

    def __enter__(self) -> Any:
        deadline = time.monotonic() + self.wait
        while True:
            try:
                self.writer = self.index.writer(heap_size=WRITER_HEAP, num_threads=1)
                return self.writer
            except ValueError as exc:  # the lock file is held by another writer
                if time.monotonic() > deadline:
                    raise StoreError(
                        f"{self.path}: the search index is being written by another process "
                        f"(a running `kb ingest`?); wait for it to finish, then try again"
                    ) from exc
                time.sleep(0.1)

    def __exit__(self, *exc: object) -> None:
        writer, self.writer = self.writer, None
        if writer is not None:
            if exc[0] is not None:
                writer.rollback()
            writer.wait_merging_threads()  # also releases the lock


class TantivyIndex:
    """The tantivy implementation of :class:`kb.search.interface.SearchIndex`."""

    def __init__(self, tantivy: Any, index: Any, schema: Any, path: Path) -> None:
        self.tantivy, self.index, self.schema, self.path = tantivy, index, schema, path
        self.live: Mapping[str, str] | None = None
        self._live_filter: tuple[Any, Any] | None = None
        self._counter: ThreadPoolExecutor | None = None  # counts facets beside the search (see search)
        self.doc_values: DocFacetValues | None = None
        self._docs_by_status: dict[str, list[str]] = {}  # from doc_values, for status: filters

    # -- building queries -----------------------------------------------------------------------------------------

    def _string(self, field: str, norm: str) -> Any:
        """Entries whose ``field`` holds the normalised string ``norm``: a character term, or a phrase of bigrams."""
        q = self.tantivy.Query
        if len(norm) == 1:
            return q.term_query(self.schema, field, norm)
        grams = _grams(norm)
        if len(grams) == 1:
            return q.term_query(self.schema, BIGRAM_FIELDS[field], grams[0])
        return q.phrase_query(self.schema, BIGRAM_FIELDS[field], grams)

    def _text(self, node: Text, field: str) -> Any:
        q, occur = self.tantivy.Query, self.tantivy.Occur
        variants = [v for v in node.variants if v]
        if not variants:
            return q.empty_query()
        if len(variants) == 1:
            return self._string(field, variants[0])
        return q.boolean_query([(occur.Should, self._string(field, v)) for v in variants])

    def _filter(self, node: Filter) -> Any:
        q = self.tantivy.Query
        if node.field in YEARS:
            low = -1 if node.low is None else node.low
            high = 100_000 if node.high is None else node.high
            return q.range_query(self.schema, node.field, self.tantivy.FieldType.Integer, low, high)
        if node.field == "status" and self.doc_values is not None:  # the store's status, as --status reads it
            wanted = dict.fromkeys(node.values or (node.value,))
            chosen = [doc_id for status in wanted if status for doc_id in self._docs_by_status.get(status, ())]
            return q.term_set_query(self.schema, "doc_id", chosen) if chosen else q.empty_query()
        if node.values:  # any of several values: the documents a front end selected (by subject)
            return q.term_set_query(self.schema, node.field, list(node.values))
        return q.term_query(self.schema, node.field, node.value or "")

    def _node(self, node: Node, field: str) -> Any:
        q, occur = self.tantivy.Query, self.tantivy.Occur
        if isinstance(node, Text):
            return self._text(node, field)
        if isinstance(node, Filter):
            return q.const_score_query(self._filter(node), 0.0)
        if isinstance(node, Not):
            return q.boolean_query([(occur.Must, q.all_query()), (occur.MustNot, self._node(node.item, field))])
        kind = occur.Must if isinstance(node, And) else occur.Should
        return q.boolean_query([(kind, self._node(item, field)) for item in node.items])

    def _scoped(self, query: Any, kind: str) -> Any:
        q, occur = self.tantivy.Query, self.tantivy.Occur
        if kind == CLAUSE:  # every entry is a clause or a document's: leaving out the few documents' is cheaper
            # than intersecting with every clause (four in ten off a common word's time at 10x the corpus)
            parts = [(occur.Must, query), (occur.MustNot, q.term_query(self.schema, "kind", DOCUMENT))]
        else:
            parts = [
                (occur.Must, query),
                (occur.Must, q.const_score_query(q.term_query(self.schema, "kind", kind), 0.0)),
            ]
        if self._live_filter is not None:
            parts.append(self._live_filter)
        return q.boolean_query(parts)

    def _document_boosts(self, tree: Node) -> list[Any]:
        """Should-clauses that rank a document higher when a query string is in its head, or is its title."""
        q = self.tantivy.Query
        boosts = []
        for leaf in texts(tree):
            boosts.append(q.boost_query(self._text(leaf, "head"), TITLE_BOOST))
            for variant in leaf.variants:
                if variant:
                    exact = q.term_query(self.schema, "title_key", variant)
                    boosts.append(q.const_score_query(exact, EXACT_TITLE_BONUS))
        return boosts

    # -- reading --------------------------------------------------------------------------------------------------

    def _searcher(self) -> Any:
        self.index.reload()
        return self.index.searcher()

    def set_document_facets(self, values: DocFacetValues | None) -> None:
        """Count results per subject and status with these values from the store (None: no such facets)."""
        self.doc_values = values
        self._docs_by_status = {}
        for doc_id, (status, _) in (values or {}).items():
            if status:
                self._docs_by_status.setdefault(status, []).append(doc_id)

    def set_live(self, live: Mapping[str, str] | None) -> None:
        """Restrict hits and facets to entries of these document versions (doc id -> sha256); None lifts it."""
        self.live = dict(live) if live is not None else None
        self._live_filter = None if live is None else self._versions_filter(live)

    def _versions_filter(self, live: Mapping[str, str]) -> tuple[Any, Any] | None:
        """The clause of every query that keeps only ``live``: a term set of the versions kept or, when the store
        names the hidden ones (:class:`LiveVersions`) and they are fewer, of the versions left out -- a few copies
        instead of every document, which made each query's cost grow with the knowledge base."""
        q, occur = self.tantivy.Query, self.tantivy.Occur
        hidden = live.hidden if isinstance(live, LiveVersions) else None
        if hidden is not None and len(hidden) < len(live):
            if not hidden:
                return None
            versions = q.term_set_query(self.schema, "version", [f"{d}@{sha}" for d, sha in hidden.items()])
            return occur.MustNot, versions
        versions = q.term_set_query(self.schema, "version", [f"{d}@{sha}" for d, sha in live.items()])
        return occur.Must, q.const_score_query(versions, 0.0)

    def search(self, query: str, *, filters: DocFilter | None = None, docs: bool = False, limit: int = 10,
               sort: str = "relevance", facets: bool = True) -> SearchResult:  # fmt: skip
        """Clauses (or with ``docs`` documents) matching ``query`` and ``filters``, as the Whoosh engine answers."""
        started = time.perf_counter()
        _node, tree = search_tree(query, filters, sort=sort, limit=limit)
        occur = self.tantivy.Occur
        body = self._node(tree, "norm")
        if docs:
            boosts = self._document_boosts(tree)
            if boosts:
                body = self.tantivy.Query.boolean_query([(occur.Must, body)] + [(occur.Should, b) for b in boosts])
        scoped = self._scoped(body, DOCUMENT if docs else CLAUSE)
        searcher = self._searcher()
        order: dict[str, Any] = {}
        if sort == "date":
            order = {"order_by_field": "date_key", "order": self.tantivy.Order.Desc}
        # With facets, the aggregation visits every match anyway and counts them too, so the top hits are searched
        # without a count: tantivy can then skip postings that cannot reach the top (a quarter off the p95). Both
        # evaluate the query; tantivy releases the GIL, so the aggregation runs in a second thread beside the
        # search and the snippets (a third to a half off a large query's time on two cores).
        counted: Future[tuple[Facets, int]] | None = None
        if facets:
            counted = self._counting_thread().submit(self._facets, searcher, scoped)
        found = searcher.search(scoped, max(limit, 1), count=not facets, **order)
        leaves = texts(tree)
        hits = []
        for score, address in found.hits[:limit]:
            entry = _entry(searcher.doc(address))
            if docs:
                hits.append(self._document_hit(searcher, entry, tree, float(score), leaves))
            else:
                hits.append(_hit(entry, float(score), leaves))
        facet_counts: Facets = ()
        total = 0 if facets else int(found.count)
        if counted is not None:
            facet_counts, total = counted.result()
        return SearchResult(query=query, total=total, hits=tuple(hits), facets=facet_counts,
                            seconds=round(time.perf_counter() - started, 6))  # fmt: skip

    def _document_hit(self, searcher: Any, entry: Entry, tree: Node, score: float, leaves: Sequence[Text]) -> SearchHit:
        """A document hit whose snippet comes from its clause scoring highest for the query's strings."""
        q, occur = self.tantivy.Query, self.tantivy.Occur
        best = entry
        if leaves:
            strings = q.boolean_query([(occur.Should, self._text(leaf, "norm")) for leaf in leaves])
            own = q.const_score_query(q.term_query(self.schema, "doc_id", entry.doc_id), 0.0)
            clause = searcher.search(
                self._scoped(q.boolean_query([(occur.Must, strings), (occur.Must, own)]), CLAUSE), 1
            )
            head_matches = any(v and v in normalize(entry.text) for leaf in leaves for v in leaf.variants)
            if clause.hits and not head_matches:
                best = _entry(searcher.doc(clause.hits[0][1]))
        hit = _hit(best, score, leaves)
        return SearchHit(doc_id=entry.doc_id, clause_id=None, title=entry.title, number=None, score=hit.score,
                         snippet=hit.snippet, highlights=hit.highlights, province=entry.province, year=entry.year,
                         doc_type=entry.doc_type, level=entry.level)  # fmt: skip

    def _counting_thread(self) -> ThreadPoolExecutor:
        if self._counter is None:
            self._counter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kb-tantivy-facets")
        return self._counter

    def _facets(self, searcher: Any, query: Any) -> tuple[Facets, int]:
        """The facet counts of the entries ``query`` matches, and how many it matches."""
        spec: dict[str, Any] = {name: {"terms": {"field": field, "size": MAX_BUCKETS}} for name, field in FACETS}
        spec[TOTAL] = {"value_count": {"field": "written"}}  # every entry has one
        if self.doc_values is not None:
            spec[VERSION_FACET] = {"terms": {"field": "version", "size": MAX_BUCKETS}}
        result = searcher.aggregate(query, spec)
        out = []
        for name, _ in FACETS:
            counts = {str(b["key"]): int(b["doc_count"]) for b in result.get(name, {}).get("buckets", []) if b["key"]}
            if name == "year":
                items = sorted(counts.items(), key=lambda kv: kv[0], reverse=True)
            else:
                items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            out.append((name, tuple(items)))
        buckets = result.get(VERSION_FACET, {}).get("buckets", [])
        out.append(version_items((str(b["key"]), int(b["doc_count"])) for b in buckets))
        return join_document_facets(tuple(out), self.doc_values), int(result[TOTAL]["value"] or 0)

    def more_like_this(self, doc_id: str, clause_id: str, *, limit: int = 10) -> tuple[SearchHit, ...]:
        """Other clauses sharing the most distinctive bigrams with this one (BM25 over those bigrams)."""
        q, occur = self.tantivy.Query, self.tantivy.Occur
        searcher = self._searcher()
        source_query = q.boolean_query([
            (occur.Must, q.term_query(self.schema, "doc_id", doc_id)),
            (occur.Must, q.term_query(self.schema, "clause_id", clause_id)),
        ])  # fmt: skip
        found = searcher.search(self._scoped(source_query, CLAUSE), 1)
        if not found.hits:
            raise NotFound(f"{doc_id}#{clause_id}: no such clause in the search index; check the id with `kb show`")
        source = _entry(searcher.doc(found.hits[0][1]))
        n = max(1, int(searcher.num_docs))
        weighted = []
        for gram, tf in Counter(bigrams(normalize(source.text))).items():
            df = int(searcher.search(self._scoped(self._string("norm", gram), CLAUSE), 1, count=True).count)
            if 1 < df < n / 20:
                weighted.append((tf * math.log(1.0 + (n - df + 0.5) / (df + 0.5)), gram))
        weighted.sort(reverse=True)
        if not weighted:
            return ()
        should = [(occur.Should, self._string("norm", gram)) for _, gram in weighted[:SIMILAR_TERMS]]
        query = q.boolean_query([(occur.Must, q.boolean_query(should)), (occur.MustNot, source_query)])
        result = searcher.search(self._scoped(query, CLAUSE), limit)
        return tuple(_hit(_entry(searcher.doc(a)), float(s), ()) for s, a in result.hits)

    def _all_versions(self, searcher: Any) -> dict[str, float]:
        """Every version indexed -> when it was written."""
        spec = {"v": {"terms": {"field": "version", "size": MAX_BUCKETS}, "aggs": {"w": {"max": {"field": "written"}}}}}
        result = searcher.aggregate(self.tantivy.Query.all_query(), spec)
        return {str(b["key"]): float(b["w"]["value"] or 0) for b in result.get("v", {}).get("buckets", [])}

    def indexed_versions(self) -> dict[str, str]:
        """doc id -> sha256 of the version indexed; with two versions of a document, the one written last."""
        versions: dict[str, str] = {}
        for version, _ in sorted(self._all_versions(self._searcher()).items(), key=lambda kv: (kv[1], kv[0])):
            doc_id, _, sha = version.rpartition("@")
            versions[doc_id] = sha
        return versions

    def doc_count(self) -> int:
        """Number of entries (clauses, documents and whole-document entries) in the index."""
        return int(self._searcher().num_docs)

    # -- writing --------------------------------------------------------------------------------------------------

    def update(self, docs: Iterable[tuple[Document, Sequence[TopicTag]]], remove: Iterable[str] = ()) -> None:
        """Add the given document versions and delete all versions of the ``remove`` doc ids, in one commit."""
        from kb.search.whoosh_index import entries_for

        batches = [entries_for(doc, tags) for doc, tags in docs]
        removed = set(remove)
        if not batches and not removed:
            return
        written = time.time_ns() // 1000
        with _Writer(self.index, self.path) as writer:
            for doc_id in removed:
                writer.delete_documents_by_term("doc_id", doc_id)
            for entries in batches:
                if not entries:
                    continue
                writer.delete_documents_by_term("version", entries[0].version)  # re-adding a version replaces it
                norms = [normalize(e.text) for e in entries]
                grams = [" ".join(_grams(norm)) for norm in norms]
                # the clauses; the document's own entry is part of its whole
                for entry, norm, gram in zip(entries[1:], norms[1:], grams[1:], strict=True):
                    writer.add_document(self._document(entry, written, norm, gram))
                writer.add_document(self._whole(entries, written, norms, grams))
            writer.commit()

    def _document(self, entry: Entry, written: int, norm: str, grams: str) -> Any:
        """The tantivy document of an entry whose normalised text is ``norm`` and its bigrams ``grams``."""
        doc = self.tantivy.Document()
        doc.add_integer("written", written)
        doc.add_text("kind", entry.kind)
        doc.add_text("norm", norm)
        doc.add_text("norm_bi", grams)
        for name in ("doc_id", "version", "province", "city", "level", "doc_type", "status"):
            value = getattr(entry, name)
            if value:
                doc.add_text(name, value)
        if entry.clause_id:
            doc.add_text("clause_id", entry.clause_id)
        for topic in entry.topics:
            doc.add_text("topic", topic)
        for name in YEARS:
            value = getattr(entry, name)
            if value is not None:
                doc.add_integer(name, int(value))
        doc.add_integer("date_key", _date_key(entry.date))
        doc.add_bytes("entry", json.dumps(entry.as_tuple(), ensure_ascii=False).encode("utf-8"))
        return doc

    def _whole(self, entries: Sequence[Entry], written: int, norms: Sequence[str], grams: Sequence[str]) -> Any:
        """The document's searchable whole: its own entry's fields with its head and every clause's text, the parts
        separated by SEPARATOR; its bigrams are the parts' own and those across each separator."""
        own = entries[0]
        parts = [grams[0]]
        for before, after, gram in zip(norms, norms[1:], grams[1:], strict=False):
            parts.append(" ".join(_grams(before[-1:] + SEPARATOR + after[:1])))
            parts.append(gram)
        doc = self._document(own, written, SEPARATOR.join(norms), " ".join(p for p in parts if p))
        doc.add_text("head", norms[0])
        doc.add_text("head_bi", grams[0])
        for key in _title_keys(own):
            doc.add_text("title_key", key)
        return doc

    def remove_stale(self, live: Mapping[str, str]) -> int:
        """Drop entries whose (doc id, sha256) is not in ``live``; return how many document versions went."""
        stale = sorted(v for v in self._all_versions(self._searcher())
                       if live.get(v.rpartition("@")[0]) != v.rpartition("@")[2])  # fmt: skip
        if stale:
            with _Writer(self.index, self.path) as writer:
                for version in stale:
                    writer.delete_documents_by_term("version", version)
                writer.commit()
        return len(stale)

    def close(self) -> None:
        """Stop the facet-counting thread (readers are reopened per search)."""
        if self._counter is not None:
            self._counter.shutdown(wait=True)
            self._counter = None


def _entry(doc: Any) -> Entry:
    values = json.loads(bytes(doc["entry"][0]).decode("utf-8"))
    entry = Entry.from_tuple(values)
    return Entry.from_tuple([*values[:-1], tuple(entry.topics)])


def _hit(entry: Entry, score: float, leaves: Sequence[Text]) -> SearchHit:
    snippet, highlights = make_snippet(entry.text, leaves)
    return SearchHit(doc_id=entry.doc_id, clause_id=entry.clause_id, title=entry.title, number=entry.number,
                     score=round(score, 4), snippet=snippet, highlights=highlights, province=entry.province,
                     year=entry.year, doc_type=entry.doc_type, level=entry.level)  # fmt: skip


__all__ = ["TantivyIndex", "exists", "open_tantivy", "tantivy_path"]
