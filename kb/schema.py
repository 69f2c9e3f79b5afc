"""Output schema: result records -> the one JSON shape every front end (CLI `--json`, web) serves, and its JSON Schema.

Rules every shape follows: a record that names a document or clause carries ``doc_id`` and ``clause_id`` (None for
a document); ``ref`` is ``DOC_ID#CLAUSE_ID``; there is no ``id`` key. Facets are objects (value -> count).
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from datetime import date
from typing import TYPE_CHECKING, Any

from kb.models import Clause, DocMeta, Document, SearchResult, to_jsonable

if TYPE_CHECKING:
    from kb.store.sqlite import Store


def to_json(value: Any) -> Any:
    """A record (or list of records) as its JSON-ready shape (see the module docstring)."""
    if isinstance(value, SearchResult):
        out = _record(value)
        out["facets"] = {name: {str(v): count for v, count in values} for name, values in value.facets}
        return out
    if isinstance(value, Document):
        return document_json(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _record(value)
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    return to_jsonable(value)


def _record(value: Any) -> dict[str, Any]:
    if isinstance(value, DocMeta):
        return dict(to_jsonable(value))
    out: dict[str, Any] = {}
    for f in dataclasses.fields(value):
        out[f.name] = to_json(getattr(value, f.name))
    names = {f.name for f in dataclasses.fields(value)}
    if "id" in out and {"doc_id", "clause_id"} <= names:  # a trace item or result: its id is DOC#CLAUSE
        out = {"ref": out.pop("id"), **out}
    elif "id" in out:
        ident = out.pop("id")
        if isinstance(value, Clause):
            out = {"doc_id": out.pop("doc_id"), "clause_id": ident, **out}
        else:
            out = {"doc_id": ident, "clause_id": None, **out}
    elif "doc_id" in out and "clause_id" not in out:
        out["clause_id"] = None
    return out


def document_json(doc: Document) -> dict[str, Any]:
    """The JSON shape of a document (`kb extract`, `kb show`): its metadata and every clause."""
    return {
        "doc_id": doc.id,
        "clause_id": None,
        "path": doc.path,
        "format": doc.format.value,
        "title": doc.title,
        "info": list(doc.info),
        "grammar": doc.grammar,
        "metadata": to_jsonable(doc.meta),
        "warnings": list(doc.warnings),
        "clauses": [clause_json(c) for c in doc.clauses],
    }


def shown_json(store: Store, doc: Document, clause_id: str | None = None, day: date | None = None) -> dict[str, Any]:
    """What `kb show --json` prints and the web's show page serves: a document with its body, versions and subjects
    (and why), or one of its clauses with what it cites, how often it is cited, its topics and its version on
    ``day``."""
    from kb.versions.query import version_fields

    if clause_id is None:
        data = document_json(doc)
        data["body"] = doc.body
        data.update(version_fields(store, doc.id, None))
        data["subjects"] = to_jsonable(store.subject_scores(doc.id))
        return data
    clause = next(c for c in doc.clauses if c.id == clause_id)
    data = clause_json(clause)
    data.update(
        doc_id=doc.id,
        title=doc.title,
        ref=f"{doc.id}#{clause.id}",
        citations=to_jsonable(store.citations(doc_id=doc.id, clause_id=clause.id)),
        cited_by=len(store.citations(target_doc=doc.id, target_clause=clause.id)),
        topics=[t.topic for t in store.topics(doc_id=doc.id, clause_id=clause.id)],
    )
    data.update(version_fields(store, doc.id, clause.id, day))
    return data


def clause_json(clause: Clause) -> dict[str, Any]:
    """The JSON shape of one clause inside a document."""
    return {
        "doc_id": clause.doc_id,
        "clause_id": clause.id,
        "kind": clause.kind.value,
        "number": clause.number,
        "heading": clause.heading,
        "text": clause.text,
        "parent": clause.parent,
        "start": clause.start,
        "end": clause.end,
    }


# -- JSON Schema ---------------------------------------------------------------------------------------------------


def json_schema(cls: type) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a record class's :func:`to_json` shape, from its type hints."""
    schema = _type_schema(cls)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = cls.__name__
    return schema


def _type_schema(tp: Any) -> dict[str, Any]:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is type(None):
        return {"type": "null"}
    if origin in (typing.Union, types.UnionType):
        return {"anyOf": [_type_schema(a) for a in args]}
    if origin is typing.Literal:
        return {"enum": list(args)}
    if origin in (tuple, list):
        if origin is tuple and args and args[-1] is not Ellipsis:
            return {"type": "array", "prefixItems": [_type_schema(a) for a in args], "minItems": len(args)}
        return {"type": "array", "items": _type_schema(args[0]) if args else {}}
    if origin is dict:
        return {"type": "object", "additionalProperties": _type_schema(args[1]) if args else {}}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return {"enum": [m.value for m in tp]}
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer"}
    if tp is float:
        return {"type": "number"}
    if tp is str:
        return {"type": "string"}
    if tp is date:
        return {"type": "string", "format": "date"}
    if tp is Any:
        return {}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _record_schema(tp)
    raise TypeError(f"no JSON Schema for {tp!r}")


def _record_schema(cls: type) -> dict[str, Any]:
    if cls is Document:
        raise TypeError("Document's shape is document_json's; use DOCUMENT_SCHEMA")
    hints = typing.get_type_hints(cls)
    props = {name: _type_schema(hints[name]) for name in (f.name for f in dataclasses.fields(cls))}
    if "id" in props and {"doc_id", "clause_id"} <= set(props):
        props["ref"] = props.pop("id")
    elif "id" in props:
        ident = props.pop("id")
        if cls is Clause:
            props["clause_id"] = ident
        else:
            props["doc_id"] = ident
            props["clause_id"] = {"type": "null"}
    elif "doc_id" in props and "clause_id" not in props:
        props["clause_id"] = {"type": "null"}
    if cls is SearchResult:
        counts = {"type": "object", "additionalProperties": {"type": "integer"}}
        props["facets"] = {"type": "object", "additionalProperties": counts}
    if cls is DocMeta:
        props["issuer"] = {"anyOf": [{"type": "string"}, {"type": "null"}]}
    return {"type": "object", "properties": props, "required": sorted(props), "additionalProperties": False}


def status_json(home: Any, *, failures: bool = False) -> dict[str, Any]:
    """`kb status --json` (and the web's /api/status): the store's counts, the index state, documents the index
    lacks, copies, and with ``failures`` the files that failed."""
    from kb.pipeline import index_gaps
    from kb.search.interface import INDEX_STATE
    from kb.store.sqlite import Store
    from kb.versions.query import duplicates

    with Store.open(home) as store:
        info = store.status()
        data: dict[str, Any] = to_json(info)
        data[INDEX_STATE] = store.get_meta(INDEX_STATE)
        data["duplicates"] = duplicates(store)
        failed = store.failures() if failures else []
    data["missing_from_index"] = list(index_gaps(home)) if info.documents else []
    if failures:
        data["failed"] = to_json(failed)
    return data
