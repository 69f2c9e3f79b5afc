"""Citation and topic graph: the store's documents, citations and topic tags -> a networkx graph kept in the home.

Nodes are documents (``doc:ID``), clauses (``clause:ID#CLAUSE_ID``) and topics (``topic:NAME``); every node has
a ``kind`` attribute. Edges carry a ``relation``: ``contains`` (document -> article -> paragraph -> point),
``cites``, ``basis``, ``amends`` and ``repeals`` (citing clause -> cited clause, or the cited document when the
citation names no clause found there; ``pinpoint`` and ``text`` say how it was cited) and ``about`` (clause ->
topic, with the matched ``terms``).

To stay small enough to load in a moment, the graph holds the clauses that take part in a citation or carry a
topic, and the articles above them; every other clause is one ``kb show`` away. It is kept as plain node-link
JSON in ``HOME/graph.json`` (never a format that can run code: the home may be shared or synced) and rebuilt
incrementally against the store: a document is redone when its text, citations or topic tags changed, together
with the documents whose citations point into it.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections import defaultdict
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from kb.errors import GraphFormatError, GraphMissing
from kb.models import Citation, DocSummary, TopicTag

if TYPE_CHECKING:
    from kb.store.sqlite import Store

GRAPH_FILE = "graph.json"
# The pickle earlier versions kept; never opened (unpickling runs code), only removed once a JSON graph is saved.
LEGACY_GRAPH_FILE = "graph.pickle"
# Bumped when the graph's shape changes, so that an old graph file is rebuilt rather than misread.
GRAPH_VERSION = 2
EXPORT_FORMATS = ("graphml", "gexf", "json")

# (id, kind, number, ordinal, sub) of a clause, as Store.clause_outline gives them; and those rows by document
# and clause id, as the graph builders take them.
Outline = Sequence[tuple[str, str, str | None, int | None, int | None]]
Outlines = dict[str, dict[str, tuple[Any, ...]]]


def doc_node(doc_id: str) -> str:
    """The node id of a document."""
    return f"doc:{doc_id}"


def clause_node(doc_id: str, clause_id: str) -> str:
    """The node id of a clause: the same DOC_ID#CLAUSE_ID users pass to `kb show` and `kb trace`."""
    return f"clause:{doc_id}#{clause_id}"


def topic_node(topic: str) -> str:
    """The node id of a topic."""
    return f"topic:{topic}"


@dataclass(frozen=True, slots=True)
class DocRecords:
    """What the graph needs of one document: its summary, citations and topic tags."""

    summary: DocSummary
    citations: tuple[Citation, ...]
    topics: tuple[TopicTag, ...]

    def fingerprint(self, sha256: str = "") -> str:
        """Changes whenever the document's text, resolved citations or topic tags change."""
        h = hashlib.sha256(sha256.encode())
        for c in self.citations:
            h.update(
                f"{c.clause_id}|{c.relation.value}|{c.target_doc}|{c.target_clause}|{c.pinpoint}|{c.start}".encode()
            )
        for t in self.topics:
            h.update(f"{t.clause_id}|{t.topic}|{'、'.join(t.terms)}".encode())
        return h.hexdigest()[:16]


def _parent(clause_id: str, known: Container[str]) -> str | None:
    """The nearest enclosing clause of a path-like id (chp_1__art_3__para_2 -> chp_1__art_3) that exists."""
    current = clause_id
    while "__" in current:
        current = current.rsplit("__", 1)[0]
        if current in known:
            return current
    return None


def new_graph() -> Any:
    """An empty graph with its bookkeeping: format version, per-document fingerprints and member nodes."""
    graph = nx.MultiDiGraph()
    graph.graph.update({"kb_graph_version": GRAPH_VERSION, "fingerprints": {}, "members": {}})
    return graph


def _member(graph: Any, doc_id: str, node: str) -> None:
    graph.graph["members"].setdefault(doc_id, []).append(node)


def _ensure_doc(graph: Any, doc_id: str) -> str:
    node = doc_node(doc_id)
    if node not in graph:
        graph.add_node(node, kind="document")
        _member(graph, doc_id, node)
    return node


def _ensure_clause(graph: Any, doc_id: str, clause_id: str, outlines: Outlines) -> str:
    """Add a clause node (and the articles above it, with contains edges from the document) if missing."""
    node = clause_node(doc_id, clause_id)
    if node in graph:
        return node
    outline = outlines.get(doc_id, {})
    row = outline.get(clause_id)
    graph.add_node(node, kind="clause", doc=doc_id, clause=clause_id, clause_kind=row[1] if row else None,
                   number=row[2] if row else None)  # fmt: skip
    _member(graph, doc_id, node)
    parent = _parent(clause_id, outline)
    while parent is not None and outline[parent][1] != "article" and clause_node(doc_id, parent) not in graph:
        parent = _parent(parent, outline)  # chapters and sections are left out: contains skips to the document
    source = _ensure_doc(graph, doc_id) if parent is None else _ensure_clause(graph, doc_id, parent, outlines)
    graph.add_edge(source, node, key="contains", relation="contains")
    return node


def _add_citations(graph: Any, records: DocRecords, outlines: Outlines) -> None:
    doc_id = records.summary.id
    for c in records.citations:
        if c.target_doc is None:
            continue
        source = _ensure_clause(graph, doc_id, c.clause_id, outlines) if c.clause_id else doc_node(doc_id)
        if c.target_clause and c.target_clause in outlines.get(c.target_doc, {}):
            target = _ensure_clause(graph, c.target_doc, c.target_clause, outlines)
        else:
            target = _ensure_doc(graph, c.target_doc)
        graph.add_edge(source, target, relation=c.relation.value, pinpoint=c.pinpoint, text=c.text,
                       citation_kind=c.kind.value, citing_doc=doc_id)  # fmt: skip


def _remove_citations(graph: Any, doc_id: str) -> None:
    """Drop the citation edges a document makes (its nodes and other edges stay)."""
    doomed = [
        (u, v, k)
        for node in graph.graph["members"].get(doc_id, [])
        if node in graph
        for u, v, k, data in graph.out_edges(node, keys=True, data=True)
        if data.get("citing_doc") == doc_id
    ]
    graph.remove_edges_from(doomed)


def add_document(graph: Any, records: DocRecords, outlines: Outlines, sha256: str = "") -> None:
    """Add one document: its node, the clauses that cite or carry topics, its citation and topic edges."""
    summary = records.summary
    meta = summary.meta
    node = _ensure_doc(graph, summary.id)
    graph.nodes[node].update(
        title=summary.title, path=summary.path, province=meta.province, city=meta.city, year=meta.year,
        level=meta.level.value if meta.level else None, doc_type=meta.doc_type.value if meta.doc_type else None,
    )  # fmt: skip
    for t in records.topics:
        source = _ensure_clause(graph, summary.id, t.clause_id, outlines)
        topic = topic_node(t.topic)
        if topic not in graph:
            graph.add_node(topic, kind="topic", name=t.topic)
        graph.add_edge(source, topic, key="about", relation="about", terms="、".join(t.terms))
    _add_citations(graph, records, outlines)
    graph.graph["fingerprints"][summary.id] = records.fingerprint(sha256)


def remove_document(graph: Any, doc_id: str) -> None:
    """Drop a document's nodes (and so every edge into or out of them)."""
    for node in graph.graph["members"].pop(doc_id, []):
        if node in graph:
            graph.remove_node(node)
    graph.graph["fingerprints"].pop(doc_id, None)


def build_graph(records: Iterable[DocRecords], outlines: Outlines) -> Any:
    """A whole graph from the records of every document (pure: no store, no files)."""
    graph = new_graph()
    for record in records:
        add_document(graph, record, outlines)
    return graph


def _outline_map(outline: Outline) -> dict[str, tuple[Any, ...]]:
    return {row[0]: tuple(row) for row in outline}


def graph_path(home: Path) -> Path:
    """Where the graph of the knowledge base at ``home`` is kept."""
    return Path(home) / GRAPH_FILE


def load_graph(home: Path) -> Any:
    """The persisted graph; raises GraphMissing when there is none (or it is unreadable or of an older format)."""
    path = graph_path(home)
    if not path.exists():
        raise GraphMissing(f"{path}: no citation graph yet; run `kb ingest PATH...` to build the knowledge base")
    try:
        data = json.loads(path.read_bytes())
        if not isinstance(data, dict) or not _valid_bookkeeping(data.get("graph")):
            raise ValueError("not a kb graph")
        if data["graph"].get("kb_graph_version") != GRAPH_VERSION:
            raise GraphMissing(f"{path}: the citation graph is of an older format; run `kb ingest` to rebuild it")
        graph = nx.node_link_graph(data, directed=True, multigraph=True, edges="links")
    except GraphMissing:
        raise
    except (OSError, ValueError, KeyError, TypeError, nx.NetworkXError) as exc:
        raise GraphMissing(f"{path}: the citation graph cannot be read ({exc}); run `kb ingest` to rebuild it") from exc
    return graph


def _valid_bookkeeping(attrs: Any) -> bool:
    """The graph-level attributes have the shapes update_graph relies on (a damaged file is rebuilt, not trusted)."""
    if not isinstance(attrs, dict):
        return False
    fingerprints, members = attrs.get("fingerprints"), attrs.get("members")
    return (
        isinstance(fingerprints, dict)
        and all(isinstance(v, str) for v in fingerprints.values())
        and isinstance(members, dict)
        and all(isinstance(v, list) and all(isinstance(n, str) for n in v) for v in members.values())
    )


def _save(graph: Any, home: Path) -> None:
    from kb.store.files import write_text

    path = graph_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = nx.node_link_data(graph, edges="links")
    write_text(path, json.dumps(data, ensure_ascii=False))  # readers see the old graph or the new one, never half
    legacy = Path(home) / LEGACY_GRAPH_FILE
    if legacy.exists():
        legacy.unlink()


def update_graph(home: Path, store: Store) -> None:
    """Bring ``HOME/graph.json`` up to date with the store, redoing only documents that changed."""
    from kb.store.lock import try_home_lock

    with try_home_lock(home) as held:
        _update_graph(home, store, save=held)


def _update_graph(home: Path, store: Store, *, save: bool) -> Any:
    try:
        graph = load_graph(home)
    except GraphMissing:
        graph = new_graph()
    summaries = {s.id: s for s in store.summaries()}
    live = store.live_versions()
    citations: dict[str, list[Citation]] = defaultdict(list)
    for c in store.citations():
        citations[c.doc_id].append(c)
    topics: dict[str, list[TopicTag]] = defaultdict(list)
    for t in store.topics():
        topics[t.doc_id].append(t)
    outlines: Outlines = {}

    def outline(doc_id: str) -> dict[str, tuple[Any, ...]]:
        if doc_id not in outlines:
            outlines[doc_id] = _outline_map(store.clause_outline(doc_id))
        return outlines[doc_id]

    def records(doc_id: str) -> DocRecords:
        return DocRecords(summaries[doc_id], tuple(citations.get(doc_id, ())), tuple(topics.get(doc_id, ())))

    def load_outlines(doc_id: str) -> None:
        outline(doc_id)
        for c in citations.get(doc_id, ()):
            if c.target_doc and c.target_doc in summaries:
                outline(c.target_doc)

    old = dict(graph.graph["fingerprints"])
    changed = {d for d in summaries if old.get(d) != records(d).fingerprint(live.get(d, ""))}
    removed = set(old) - set(summaries)
    touched = changed | removed
    # Documents citing a redone document lost their edges into its clauses: their citation edges are redone.
    citing = {d for d, cited in citations.items() if d not in changed and any(c.target_doc in touched for c in cited)}
    for doc_id in touched:
        remove_document(graph, doc_id)
    for doc_id in sorted(changed):
        load_outlines(doc_id)
        add_document(graph, records(doc_id), outlines, live.get(doc_id, ""))
    for doc_id in sorted(citing):
        load_outlines(doc_id)
        _remove_citations(graph, doc_id)
        _add_citations(graph, records(doc_id), outlines)
    if save and (touched or citing or not graph_path(home).exists()):
        _save(graph, home)
    return graph


def current_graph(home: Path, store: Store) -> Any:
    """The graph as of the store now: brought up to date (only what changed is redone), saved, returned.

    Ingest leaves the graph to its first reader, so adding a file never waits for the graph to be rewritten. A
    reader never waits for a writer either: while another process holds the home's lock, the graph is brought up
    to date in memory and not saved.
    """
    from kb.store.lock import try_home_lock

    with try_home_lock(home) as held:
        return _update_graph(home, store, save=held)


# -- export ----------------------------------------------------------------------------------------------------------


def _label(graph: Any, node: str, data: dict[str, Any]) -> str:
    """What Gephi and Cytoscape show on a node: a document's title, a clause's title and number, a topic's name."""
    if data.get("kind") == "clause":
        doc = graph.nodes.get(doc_node(data.get("doc", "")), {})
        return " ".join(str(p) for p in (doc.get("title"), data.get("number") or data.get("clause")) if p)
    return str(data.get("title") or data.get("name") or node)


# Characters XML 1.0 cannot hold at all, even escaped (C0 controls but tab, LF and CR; lone surrogates; U+FFFE and
# U+FFFF): a title holding one would make GraphML and GEXF unreadable, so they are dropped from those exports.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: Any) -> Any:
    """``value`` with the characters XML cannot hold removed (strings only; other values as they are)."""
    return XML_INVALID.sub("", value) if isinstance(value, str) else value


def _scalar_copy(graph: Any, clean: Any = lambda v: v) -> Any:
    """The graph with attributes GraphML and GEXF can hold: no None, no containers, no bookkeeping; with labels.

    ``clean`` is applied to every node id, key and attribute value (:func:`xml_text` for the XML formats).
    """
    out = nx.MultiDiGraph() if graph.is_multigraph() else nx.DiGraph()
    for node, data in graph.nodes(data=True):
        attrs = {k: clean(v) for k, v in data.items() if v is not None and not isinstance(v, (list, dict))}
        attrs["label"] = clean(data.get("label") or _label(graph, node, data))
        out.add_node(clean(node), **attrs)
    if not graph.is_multigraph():
        for u, v, data in graph.edges(data=True):
            out.add_edge(clean(u), clean(v), **{k: clean(val) for k, val in data.items() if val is not None})
        return out
    for u, v, key, data in graph.edges(keys=True, data=True):
        attrs = {k: clean(val) for k, val in data.items() if val is not None}
        out.add_edge(clean(u), clean(v), key=clean(key), **attrs)
    return out


def render_graph(graph: Any, fmt: str) -> bytes:
    """``graph`` as the bytes of a GraphML (Gephi, Cytoscape), GEXF (Gephi) or node-link JSON (scripts) file."""
    if fmt not in EXPORT_FORMATS:
        raise GraphFormatError(f"{fmt}: unknown graph format; expected one of {', '.join(EXPORT_FORMATS)}")
    if fmt == "json":  # JSON holds any text exactly (control characters as \u escapes)
        data = nx.node_link_data(_scalar_copy(graph), edges="links")
        return json.dumps(data, ensure_ascii=False).encode("utf-8")
    buf = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(_scalar_copy(graph, xml_text), buf, encoding="utf-8")
    else:
        nx.write_gexf(_scalar_copy(graph, xml_text), buf, encoding="utf-8")
    return buf.getvalue()


def export_graph(graph: Any, path: Path, fmt: str) -> Path:
    """Write ``graph`` to ``path`` in ``fmt`` (see :func:`render_graph`); never a partial file under its name."""
    from kb.store.files import write_bytes

    data = render_graph(graph, fmt)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes(path, data)
    return path


@dataclass(frozen=True, slots=True)
class GraphSummary:
    """Counts of a graph's nodes by kind and edges by relation."""

    nodes: tuple[tuple[str, int], ...]
    edges: tuple[tuple[str, int], ...]


def summarise(graph: Any) -> GraphSummary:
    """How many nodes of each kind and edges of each relation ``graph`` has."""
    nodes: dict[str, int] = defaultdict(int)
    edges: dict[str, int] = defaultdict(int)
    for _, data in graph.nodes(data=True):
        nodes[data.get("kind", "?")] += 1
    for _, _, data in graph.edges(data=True):
        edges[data.get("relation", "?")] += 1
    return GraphSummary(tuple(sorted(nodes.items())), tuple(sorted(edges.items())))


__all__ = [
    "EXPORT_FORMATS",
    "DocRecords",
    "GraphFormatError",
    "GraphMissing",
    "GraphSummary",
    "add_document",
    "build_graph",
    "clause_node",
    "doc_node",
    "export_graph",
    "graph_path",
    "load_graph",
    "remove_document",
    "render_graph",
    "summarise",
    "topic_node",
    "update_graph",
]
