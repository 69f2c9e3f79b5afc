"""Web parameters: a request's query string -> the bounded, validated arguments of the library calls (as the CLI's
options give them); a bad value is a 400 naming the parameter and what it takes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException

from kb.models import DocFilter, DocType, Level, Status

MAX_QUERY_CHARS = 400  # a longer query is refused: no reader types more, and parsing cost grows with it
MAX_PAGE_SIZE = 100  # hits per result page
MAX_API_LIMIT = 1000  # hits or trace items per API answer
MAX_PAGE = 50  # result pages (up to 5,000 hits at the largest page size); narrow the query for more
DEFAULT_PAGE_SIZE = 20
MIN_YEAR, MAX_YEAR = 1900, 2100
# The filters each command takes, by parameter name (`from` and `to` as in `--from`/`--to`).
SEARCH_FILTERS = ("province", "city", "year", "from", "to", "level", "type", "topic", "subject", "status")
TRACE_FILTERS = ("province", "year", "level")
LIST_FILTERS = ("province", "city", "year", "from", "to", "level", "type", "topic", "subject", "status")
DIMENSIONS = ("year", "province", "city", "level", "type", "topic", "status")


def bad(message: str) -> HTTPException:
    """A 400 answer with ``message``."""
    return HTTPException(400, message)


class Params:
    """A request's query parameters with typed, bounded accessors; each raises a 400 naming the parameter."""

    def __init__(self, query: QueryParams | Mapping[str, str]) -> None:
        self.query = query
        self.used: dict[str, Any] = {}

    def text(self, name: str, *, required: bool = False, limit: int = MAX_QUERY_CHARS) -> str:
        value = (self.query.get(name) or "").strip()
        if required and not value:
            raise bad(f"{name}: missing; give {name}=…")
        if len(value) > limit:
            raise bad(f"{name}: {len(value)} characters; at most {limit}")
        if "\x00" in value:
            raise bad(f"{name}: contains a NUL character")
        if value:
            self.used[name] = value
        return value

    def optional(self, name: str) -> str | None:
        return self.text(name, limit=100) or None

    def integer(self, name: str, default: int, *, low: int, high: int) -> int:
        value = self.optional_int(name, low=low, high=high)
        return default if value is None else value

    def optional_int(self, name: str, *, low: int, high: int) -> int | None:
        raw = self.text(name, limit=12)
        if not raw:
            return None
        try:
            value = int(raw)
        except ValueError:
            raise bad(f"{name}={raw!r}: expected a whole number from {low} to {high}") from None
        if not low <= value <= high:
            raise bad(f"{name}={value}: expected a number from {low} to {high}")
        self.used[name] = value
        return value

    def choice(self, name: str, choices: Sequence[str], default: str | None) -> Any:
        raw = self.text(name, limit=40)
        if not raw:
            return default
        if raw not in choices:
            raise bad(f"{name}={raw!r}: expected one of {', '.join(choices)}")
        return raw

    def flag(self, name: str) -> bool:
        raw = self.text(name, limit=8).lower()
        if raw in ("", "0", "false", "no", "off"):
            self.used.pop(name, None)
            return False
        if raw in ("1", "true", "yes", "on"):
            self.used[name] = True
            return True
        raise bad(f"{name}={raw!r}: expected 1 or 0")

    def many(self, name: str, choices: Sequence[str]) -> tuple[str, ...]:
        values = tuple(
            v
            for v in (self.query.getlist(name) if isinstance(self.query, QueryParams) else [self.query.get(name) or ""])
            if v
        )
        for value in values:
            if value not in choices:
                raise bad(f"{name}={value!r}: expected one of {', '.join(choices)}")
        if len(values) > len(choices):
            raise bad(f"{name}: given {len(values)} times; at most {len(choices)}")
        if values:
            self.used[name] = list(values)
        return values

    def echo(self) -> dict[str, Any]:
        """The parameters read so far, to build links that keep them."""
        return dict(self.used)


def doc_filter(params: Params, allowed: Sequence[str] = LIST_FILTERS) -> DocFilter:
    """The DocFilter of the filter parameters ``allowed`` (as `kb list`'s --year/--from/--to/--province...)."""
    year = params.optional_int("year", low=MIN_YEAR, high=MAX_YEAR) if "year" in allowed else None
    year_from = params.optional_int("from", low=MIN_YEAR, high=MAX_YEAR) if "from" in allowed else None
    year_to = params.optional_int("to", low=MIN_YEAR, high=MAX_YEAR) if "to" in allowed else None
    if year is not None and (year_from is not None or year_to is not None):
        raise bad("year contradicts from/to; give either one year or a range")
    if year_from is not None and year_to is not None and year_from > year_to:
        raise bad(f"from={year_from} is after to={year_to}; give the earlier year to from")
    level = params.choice("level", [v.value for v in Level], None) if "level" in allowed else None
    doc_type = params.choice("type", [v.value for v in DocType], None) if "type" in allowed else None
    status = params.choice("status", [v.value for v in Status], None) if "status" in allowed else None
    subjects: tuple[str, ...] = ()
    if "subject" in allowed:
        from kb.topics.subjects import load_subjects

        subjects = tuple(dict.fromkeys(params.many("subject", load_subjects().names)))
    return DocFilter(
        subjects=subjects,
        year=year,
        year_from=year_from,
        year_to=year_to,
        province=params.optional("province") if "province" in allowed else None,
        city=params.optional("city") if "city" in allowed else None,
        level=Level(level) if level else None,
        doc_type=DocType(doc_type) if doc_type else None,
        topic=params.optional("topic") if "topic" in allowed else None,
        status=Status(status) if status else None,
    )


def filter_values(filters: DocFilter) -> dict[str, Any]:
    """The filter as form values, keyed by parameter name (empty strings for unset ones)."""

    def text(value: Any) -> str:
        return "" if value is None else str(getattr(value, "value", value))

    return {
        "province": text(filters.province),
        "city": text(filters.city),
        "year": text(filters.year),
        "from": text(filters.year_from),
        "to": text(filters.year_to),
        "level": text(filters.level),
        "type": text(filters.doc_type),
        "topic": text(filters.topic),
        "status": text(filters.status),
        "subject": filters.subjects[0] if filters.subjects else "",
    }


@dataclass(frozen=True, slots=True)
class SearchArgs:
    """`kb search QUERY [filters] [--docs] [--limit N] [--sort S]`, plus the page asked for."""

    query: str
    filters: DocFilter
    docs: bool
    sort: str
    size: int
    page: int
    params: dict[str, Any]


def search_args(params: Params, *, page_size: bool) -> SearchArgs:
    """Search arguments: ``q``, the search filters, ``docs``, ``sort``; pages take ``n`` and ``page``, the API
    ``limit`` (default 10, as `kb search`)."""
    query = params.text("q")
    filters = doc_filter(params, SEARCH_FILTERS)
    docs = params.flag("docs")
    sort = params.choice("sort", ("relevance", "date"), "relevance")
    if page_size:
        size = params.integer("n", DEFAULT_PAGE_SIZE, low=1, high=MAX_PAGE_SIZE)
        page = params.integer("page", 1, low=1, high=MAX_PAGE)
    else:
        size, page = params.integer("limit", 10, low=0, high=MAX_API_LIMIT), 1
    if sort != "relevance":
        params.used["sort"] = sort
    return SearchArgs(query, filters, docs, sort, size, page, params.echo())


@dataclass(frozen=True, slots=True)
class TraceArgs:
    """`kb trace REF [--depth N] [--relation R]... [--province --year --level] [--limit N]`."""

    ref: str
    depth: int
    relations: tuple[str, ...]
    filters: DocFilter
    limit: int
    params: dict[str, Any]


def trace_args(params: Params) -> TraceArgs:
    """Trace arguments: ``ref`` (DOC_ID, DOC_ID#CLAUSE_ID or a title with a clause), ``depth`` 1-5, ``relation``
    (repeatable), ``province``, ``year``, ``level``, ``limit`` (default 20, as `kb trace`)."""
    ref = params.text("ref", required=True)
    depth = params.integer("depth", 1, low=1, high=5)
    relations = params.many("relation", ("cites", "cited-by", "topic", "similar"))
    filters = doc_filter(params, TRACE_FILTERS)
    limit = params.integer("limit", 20, low=1, high=MAX_API_LIMIT)
    return TraceArgs(ref, depth, relations, filters, limit, params.echo())


def stats_dims(params: Params) -> tuple[str, ...]:
    """``by`` given once or twice (default: year), as `kb stats --by`."""
    by = params.many("by", DIMENSIONS) or ("year",)
    if len(by) > 2:
        raise bad(f"by given {len(by)} times; count by one dimension or cross two")
    if len(set(by)) != len(by):
        raise bad(f"by={by[0]} given twice; cross two different dimensions")
    params.used["by"] = list(by)
    return by
