"""Graph views for export: the citation and topic graph -> a filtered clause graph or a weighted document graph.

Gephi colours and sizes nodes by their attributes, so every node carries what a researcher partitions by: clause
nodes their document's province, year, level and type (and subjects when documents carry them), besides a label
read as legislation names a clause (第九条第二款), never a path of the machine that built it. The document view
keeps one node per document and one edge per citing -> cited pair, weighted by the number of citations, with the
number of them that are a basis (根据《X法》).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from kb.graph.build import doc_node
from kb.normalize.numerals import to_chinese

# The parts of a clause id (chp_3__art_21_1__para_2__point_3) that legislation names, and how it names them.
ID_PART = re.compile(r"^(art|para|point|subpoint)_(\d+)(?:_(\d+))?$")
PART_NAMES = {"art": "条", "para": "款", "point": "项", "subpoint": "目"}
# Document attributes copied onto clause nodes; ``path`` is never exported (it names the machine's files).
DOC_ATTRIBUTES = ("province", "city", "year", "level", "doc_type", "subjects")
HIDDEN_ATTRIBUTES = ("path",)


@dataclass(frozen=True, slots=True)
class GraphFilter:
    """Which documents an export keeps; None means any. ``topic`` keeps documents tagged with it (and its node)."""

    province: str | None = None
    level: str | None = None
    topic: str | None = None
    subject: str | None = None


def readable_number(clause_id: str, number: str | None = None) -> str | None:
    """A clause as legislation names it, from its id: chp_1__art_9__para_2 -> 第九条第二款; art_21_1 -> 第二十一条之一.

    A policy unit (div_3__subdiv_2) has no such name; its own written number is returned instead.
    """
    parts: list[str] = []
    for piece in clause_id.split("__"):
        match = ID_PART.match(piece.split("-")[0])
        if not match:
            continue
        kind, ordinal, sub = match.groups()
        parts.append(f"第{to_chinese(int(ordinal))}{PART_NAMES[kind]}" + (f"之{to_chinese(int(sub))}" if sub else ""))
    return "".join(parts) or number


def _keeps(data: Mapping[str, Any], wanted: GraphFilter, topics: Mapping[str, set[str]], doc_id: str) -> bool:
    if wanted.province is not None and (data.get("province") or "全国") != wanted.province:
        return False
    if wanted.level is not None and data.get("level") != wanted.level:
        return False
    if wanted.topic is not None and wanted.topic not in topics.get(doc_id, set()):
        return False
    subjects = str(data.get("subjects") or "").split("|")
    return wanted.subject is None or wanted.subject in subjects


def _doc_topics(graph: Any) -> dict[str, set[str]]:
    """The topics each document's clauses carry, by document id."""
    found: dict[str, set[str]] = {}
    for u, v, data in graph.edges(data=True):
        if data.get("relation") == "about":
            doc_id = graph.nodes[u].get("doc")
            if doc_id:
                found.setdefault(doc_id, set()).add(graph.nodes[v].get("name") or v)
    return found


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in HIDDEN_ATTRIBUTES and v is not None}


def clause_view(graph: Any, wanted: GraphFilter | None = None) -> Any:
    """The graph with clause nodes carrying their document's attributes and readable labels, filtered by document."""
    wanted = wanted or GraphFilter()
    topics = _doc_topics(graph)
    out = nx.MultiDiGraph()
    kept_docs: set[str] = set()
    for node, data in graph.nodes(data=True):
        if data.get("kind") == "document":
            doc_id = node.removeprefix("doc:")
            if _keeps(data, wanted, topics, doc_id):
                kept_docs.add(doc_id)
    for node, data in graph.nodes(data=True):
        kind = data.get("kind")
        attrs = _clean(data)
        if kind == "document":
            if node.removeprefix("doc:") not in kept_docs:
                continue
            attrs["label"] = data.get("title") or node
        elif kind == "clause":
            doc_id = data.get("doc", "")
            if doc_id not in kept_docs:
                continue
            doc = graph.nodes.get(doc_node(doc_id), {})
            attrs.update({k: doc[k] for k in DOC_ATTRIBUTES if doc.get(k) is not None})
            number = readable_number(data.get("clause", ""), data.get("number"))
            attrs["number"] = number
            attrs["title"] = doc.get("title")
            attrs["label"] = " ".join(str(p) for p in (doc.get("title"), number) if p) or node
        elif kind == "topic":
            if wanted.topic is not None and data.get("name") != wanted.topic:
                continue
            attrs["label"] = data.get("name") or node
        out.add_node(node, **{k: v for k, v in attrs.items() if v is not None})
    for u, v, key, data in graph.edges(keys=True, data=True):
        if u in out and v in out:
            out.add_edge(u, v, key=key, **_clean(data))
    return out


def document_view(graph: Any, wanted: GraphFilter | None = None) -> Any:
    """One node per document, one edge per citing -> cited pair: ``weight`` citations, ``basis`` of them a basis."""
    clauses = clause_view(graph, wanted)
    out = nx.DiGraph()
    for node, data in clauses.nodes(data=True):
        if data.get("kind") == "document":
            out.add_node(node, **data)
    weights: Counter[tuple[str, str]] = Counter()
    basis: Counter[tuple[str, str]] = Counter()
    for u, v, data in clauses.edges(data=True):
        relation = data.get("relation")
        if relation in ("contains", "about"):
            continue
        source = doc_node(data.get("citing_doc") or clauses.nodes[u].get("doc", ""))
        target = v if clauses.nodes[v].get("kind") == "document" else doc_node(clauses.nodes[v].get("doc", ""))
        if source == target or source not in out or target not in out:
            continue
        weights[(source, target)] += 1
        if relation == "basis":
            basis[(source, target)] += 1
    for (source, target), weight in weights.items():
        out.add_edge(source, target, weight=weight, basis=basis[(source, target)], relation="cites")
    return out


__all__ = ["GraphFilter", "clause_view", "document_view", "readable_number"]
