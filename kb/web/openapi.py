"""Web API description: the routes of /api/ and their parameters -> an OpenAPI 3.1 document (served as
/api/openapi.json; the records' shapes are those `kb ... --json` prints)."""

from __future__ import annotations

import functools
from typing import Any

from kb.models import DocType, Level, Status
from kb.web.params import DIMENSIONS, MAX_API_LIMIT, MAX_QUERY_CHARS, MAX_YEAR, MIN_YEAR, SEARCH_FILTERS

STRING = {"type": "string"}
OPT_STRING = {"type": ["string", "null"]}
OPT_INT = {"type": ["integer", "null"]}


def _param(
    name: str, schema: dict[str, Any], description: str, *, required: bool = False, explode: bool | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": name,
        "in": "query",
        "required": required,
        "schema": schema,
        "description": description,
    }
    if explode is not None:
        out["explode"] = explode
        out["style"] = "form"
    return out


def _subject_names() -> tuple[str, ...]:
    from kb.topics.subjects import load_subjects

    return tuple(load_subjects().names)


def _year(name: str, description: str) -> dict[str, Any]:
    return _param(name, {"type": "integer", "minimum": MIN_YEAR, "maximum": MAX_YEAR}, description)


FILTERS = {
    "province": _param("province", {"type": "string", "maxLength": 100}, "Province short or full name (浙江, 浙江省)."),
    "city": _param("city", {"type": "string", "maxLength": 100}, "City (深圳, 深圳市)."),
    "year": _year("year", "Documents of this year (the version's year); not with from/to."),
    "from": _year("from", "Documents of this year or later."),
    "to": _year("to", "Documents of this year or earlier."),
    "level": _param("level", {"type": "string", "enum": [v.value for v in Level]}, "Issuing level."),
    "type": _param("type", {"type": "string", "enum": [v.value for v in DocType]}, "Document type."),
    "topic": _param("topic", {"type": "string", "maxLength": 100}, "Topic (数据安全, 公共数据权属)."),
    "status": _param("status", {"type": "string", "enum": [v.value for v in Status]}, "Validity status."),
    "subject": _param(
        "subject",
        {"type": "string", "enum": list(_subject_names())},
        "Main subject of the document (数据治理 and its sub-subjects); repeat for several (any).",
    ),
}
REF = _param(
    "ref",
    {"type": "string", "minLength": 1, "maxLength": MAX_QUERY_CHARS},
    "DOC_ID, DOC_ID#CLAUSE_ID, or a title with an optional clause (数据安全法 第二十一条).",
    required=True,
)

ERROR = {
    "type": "object",
    "required": ["error", "status"],
    "properties": {"error": STRING, "status": {"type": "integer"}, "candidates": {"type": "array", "items": STRING}},
}
HIGHLIGHT = {
    "type": "object",
    "required": ["start", "end"],
    "properties": {"start": {"type": "integer"}, "end": {"type": "integer"}},
}
SEARCH_HIT = {
    "type": "object",
    "required": ["doc_id", "clause_id", "title", "number", "score", "snippet", "highlights"],
    "properties": {
        "doc_id": STRING,
        "clause_id": OPT_STRING,
        "title": OPT_STRING,
        "number": OPT_STRING,
        "score": {"type": "number"},
        "snippet": STRING,
        "highlights": {"type": "array", "items": HIGHLIGHT},
        "province": OPT_STRING,
        "year": OPT_INT,
        "doc_type": OPT_STRING,
        "level": OPT_STRING,
    },
}
SEARCH_RESULT = {
    "type": "object",
    "required": ["query", "total", "hits", "facets", "seconds"],
    "properties": {
        "query": STRING,
        "total": {"type": "integer", "minimum": 0},
        "hits": {"type": "array", "items": SEARCH_HIT},
        "facets": {"type": "object"},
        "seconds": {"type": "number"},
    },
}
CLAUSE = {"type": "object", "required": ["doc_id", "clause_id", "kind", "text", "start", "end"]}
SHOWN = {
    "description": "A document (metadata, clauses, body) or, when REF names one, a clause (with doc_id, ref, "
    "citations, cited_by, topics), as `kb show --json` prints it.",
    "oneOf": [
        {"type": "object", "required": ["doc_id", "clause_id", "title", "metadata", "clauses", "body"]},
        {"type": "object", "required": ["clause_id", "doc_id", "ref", "text", "citations", "cited_by", "topics"]},
    ],
}
TRACE_ITEM = {"type": "object", "required": ["ref", "doc_id", "clause_id", "relation", "reason"]}
TRACE_RESULT = {
    "type": "object",
    "required": ["ref", "doc_id", "clause_id", "title", "groups"],
    "properties": {
        "groups": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["relation", "items", "total"],
                "properties": {"items": {"type": "array", "items": TRACE_ITEM}},
            },
        }
    },
}
LIST_ROW = {"type": "object", "required": ["doc_id", "date", "year", "province", "title", "clauses", "topics", "path"]}
COUNT_TABLE = {
    "type": "object",
    "required": ["by", "values", "rows", "margins", "total"],
    "properties": {
        "rows": {"type": "array", "items": {"type": "object", "required": ["key", "count"]}},
        "total": {"type": "integer", "minimum": 0},
    },
}
STATUS = {"type": "object", "required": ["documents", "clauses", "citations", "failures"]}


def _op(summary: str, params: list[dict[str, Any]], schema: dict[str, Any], *errors: int) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": {"description": "OK", "content": {"application/json": {"schema": schema}}}}
    for code in (*errors, 503):
        responses[str(code)] = {"description": _REASONS[code], "content": {"application/json": {"schema": ERROR}}}
    return {"get": {"summary": summary, "parameters": params, "responses": responses}}


_REASONS = {
    400: "A parameter is missing or out of bounds (the message names it)",
    404: "No such document or clause",
    409: "The title names several documents (candidates lists their ids)",
    503: "The knowledge base is missing, or the request took too long",
}


@functools.cache
def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of the JSON API."""
    search_params = [
        _param(
            "q",
            {"type": "string", "maxLength": MAX_QUERY_CHARS},
            'Words (ANDed), "phrases", OR, NOT, -word and field filters, as `kb search`.',
        ),
        *(FILTERS[name] for name in SEARCH_FILTERS),
        _param("docs", {"type": "string", "enum": ["0", "1"]}, "1: documents instead of clauses (--docs)."),
        _param("limit", {"type": "integer", "minimum": 0, "maximum": MAX_API_LIMIT, "default": 10}, "Hits."),
        _param("sort", {"type": "string", "enum": ["relevance", "date"]}, "Order of hits."),
    ]
    list_filters = list(FILTERS.values())
    trace_params = [
        REF,
        _param("depth", {"type": "integer", "minimum": 1, "maximum": 5, "default": 1}, "Steps to follow."),
        _param(
            "relation",
            {
                "type": "array",
                "items": {"type": "string", "enum": ["cites", "cited-by", "topic", "similar"]},
                "maxItems": 4,
            },
            "Groups to show (repeat the parameter).",
            explode=True,
        ),
        FILTERS["province"],
        FILTERS["year"],
        FILTERS["level"],
        _param("limit", {"type": "integer", "minimum": 1, "maximum": MAX_API_LIMIT, "default": 20}, "Items per group."),
    ]
    by = _param(
        "by",
        {"type": "array", "items": {"type": "string", "enum": list(DIMENSIONS)}, "maxItems": 2},
        "Dimension to count by; repeat once for a cross-tab (default: year).",
        explode=True,
    )
    sort = _param("sort", {"type": "string", "enum": ["date", "province", "title"]}, "Order of rows.")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "kb",
            "version": "1",
            "description": "The JSON of `kb search/show/trace/list/stats/status --json`, read-only.",
        },
        "paths": {
            "/api/search": _op("Search clauses or documents (kb search --json)", search_params, SEARCH_RESULT, 400),
            "/api/show": _op("A document or clause (kb show --json)", [REF], SHOWN, 400, 404, 409),
            "/api/trace": _op(
                "Cites, cited by, same topics, similar text (kb trace --json)",
                trace_params,
                TRACE_RESULT,
                400,
                404,
                409,
            ),
            "/api/list": _op(
                "Documents, one row per version (kb list --json)",
                [*list_filters, sort],
                {"type": "array", "items": LIST_ROW},
                400,
            ),
            "/api/stats": _op("Counts and cross-tabs (kb stats --json)", [by, *list_filters], COUNT_TABLE, 400),
            "/api/status": _op("Counts of what the knowledge base holds (kb status --json)", [], STATUS),
        },
    }
