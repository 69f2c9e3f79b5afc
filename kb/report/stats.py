"""Stats: DocSummary records -> list rows, filtered selections, counts and cross-tabs per year, province, level, topic.

Pure functions over records: no I/O, no click, nothing printed. The CLI (`kb list`, `kb stats`), the web UI and
scripts share them; charts are drawn from their results by :mod:`kb.report.charts`.

Counting rules (the same everywhere, and stated in `kb stats --help`):

- each document counts once per version: an amended regulation ingested in its 2021 version counts in 2021, the
  counting year being ``DocMeta.year`` (the year of the version's date); two versions ingested count twice, each in
  its own year;
- national documents have no province; counted by province they form the bucket :data:`NATIONAL` ("全国");
- a value the metadata does not give (no year, no city, no level ...) is counted under :data:`NONE` ("(none)");
- by topic, a document counts under every topic any of its clauses is tagged with (and under :data:`NONE` when it
  has none), so the rows of a topic table add up to more than the total, which counts each document once;
- with a year range, only documents whose year is in the range are counted, and every year of the range has a row,
  zero included; without one, every year between the first and the last counted year has a row.
"""

from __future__ import annotations

import functools
import itertools
import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from importlib import resources
from pathlib import Path

from kb.errors import KbError
from kb.models import DocFilter, DocSummary, DocType, Level, Status

# Bucket of national documents when counting or filtering by province (they have no province of their own).
NATIONAL = "全国"
# Bucket of documents whose metadata does not give the counted value.
NONE = "(none)"

# The dimensions documents can be counted by, in the order `kb stats --help` lists them.
DIMENSIONS = ("year", "province", "city", "level", "type", "topic", "subject", "status")

# How `kb list` can order its rows.
SORTS = ("date", "province", "title")

# Document types that only national bodies issue: a document of one of these with no level and no province is
# national (the metadata may know the type, from the title, and not the level).
NATIONAL_TYPES = frozenset(
    {DocType.CONSTITUTION, DocType.LAW, DocType.ADMIN_REGULATION, DocType.DEPT_RULE, DocType.JUDICIAL}
)

# Endings of official place names that users type and the metadata's short names leave out, longest first:
# 浙江省 -> 浙江, 深圳市 -> 深圳, 广西壮族自治区 -> 广西, 香港特别行政区 -> 香港. A name is only shortened when at least
# two characters remain, so that 沙市 or 津市 stay whole.

Value = int | str


@functools.lru_cache(maxsize=1)
def mainland_provinces() -> tuple[str, ...]:
    """The 31 provincial-level divisions national statistics count: kb/data/places.json less the special
    administrative regions and 台湾 (read without the gazetteer's matcher, so counting never loads spaCy)."""
    data = json.loads(resources.files("kb").joinpath("data/places.json").read_text("utf-8"))
    return tuple(p["short"] for p in data["provinces"] if p["kind"] != "sar" and p["short"] != "台湾")


@dataclass(frozen=True, slots=True)
class ListRow:
    """One document as `kb list` shows it: the fields a reader scans, plus the id to pass to `kb show`."""

    doc_id: str
    date: date | None  # the version's date, the one the counting year comes from
    year: int | None
    province: str | None  # None for national documents
    city: str | None
    level: Level | None
    doc_type: DocType | None
    title: str | None
    issuer: str | None
    doc_number: str | None  # 发文字号 as written
    clauses: int
    topics: tuple[str, ...]
    status: Status | None
    first_year: int | None
    path: str
    subjects: tuple[str, ...] = ()
    status_rule: str | None = None  # how the status was decided (kb/versions)
    work: str | None = None  # the key of the work this document is a version of
    copies: tuple[str, ...] = ()  # other files holding the same document, listed and counted once


@dataclass(frozen=True, slots=True)
class CountRow:
    """The number of documents with one value of each counted dimension, e.g. key (2020, "浙江") and count 86."""

    key: tuple[Value, ...]
    count: int


@dataclass(frozen=True, slots=True)
class CountTable:
    """Counts of documents by one or more dimensions: every combination of their values has a row, zeros included.

    ``values`` lists each dimension's values in display order (years ascending, levels national to county, other
    dimensions most frequent first, :data:`NONE` last); ``rows`` follow that order, the first dimension varying
    slowest. ``margins[i][j]`` is the number of documents with value ``values[i][j]`` of dimension ``by[i]``, and
    ``total`` the number of documents counted, each once (by topic, less than the sum of the rows).
    """

    by: tuple[str, ...]
    values: tuple[tuple[Value, ...], ...]
    rows: tuple[CountRow, ...]
    margins: tuple[tuple[int, ...], ...]
    total: int
    year_range: tuple[int, int] | None = None

    def cell(self, *key: Value) -> int:
        """The count of one combination of values (0 when it has no row)."""
        for row in self.rows:
            if row.key == key:
                return row.count
        return 0


@dataclass(frozen=True, slots=True)
class CrossTab:
    """A two-dimensional CountTable as a grid: ``cells[i][j]`` counts ``rows[i]`` × ``columns[j]``.

    ``row_totals`` and ``column_totals`` count documents, each once (by topic, less than the sum of the cells).
    """

    row_dim: str
    column_dim: str
    rows: tuple[Value, ...]
    columns: tuple[Value, ...]
    cells: tuple[tuple[int, ...], ...]
    row_totals: tuple[int, ...]
    column_totals: tuple[int, ...]
    total: int


# -- places and national documents ----------------------------------------------------------------------------


def short_place(name: str) -> str:
    """A place name as the metadata stores it (kb.normalize.places.short_place_name): 浙江省 -> 浙江, 深圳市 -> 深圳."""
    from kb.normalize.places import short_place_name

    return short_place_name(name)


def is_national(doc: DocSummary) -> bool:
    """True for a document of a national body: no province, and a national level (or a national-only type)."""
    meta = doc.meta
    if meta.province is not None:
        return False
    if meta.level is not None:
        return meta.level == Level.NATIONAL
    return meta.doc_type in NATIONAL_TYPES


def province_of(doc: DocSummary) -> str:
    """The province a document counts under: its short name, :data:`NATIONAL` or :data:`NONE`."""
    if doc.meta.province is not None:
        return doc.meta.province
    return NATIONAL if is_national(doc) else NONE


# -- filtering ---------------------------------------------------------------------------------------------------


def normalise_filter(filters: DocFilter) -> DocFilter:
    """The same filter with province and city in the metadata's short form (浙江省 -> 浙江, 深圳市 -> 深圳)."""
    province = short_place(filters.province) if filters.province else None
    city = short_place(filters.city) if filters.city else None
    return replace(filters, province=province or None, city=city or None)


def _in_range(value: int | None, low: int | None, high: int | None) -> bool:
    if low is None and high is None:
        return True
    if value is None:
        return False
    return (low is None or value >= low) and (high is None or value <= high)


def matches(doc: DocSummary, filters: DocFilter) -> bool:
    """True when ``doc`` passes every filter that is set.

    Years filter on the counting year (the version's), ``first_year_*`` on the first adoption; province and city
    compare short names (浙江省 finds 浙江); province :data:`NATIONAL` ("全国") selects national documents; a topic
    matches when any clause of the document is tagged with it.
    """
    meta = doc.meta
    if filters.year is not None and meta.year != filters.year:
        return False
    if not _in_range(meta.year, filters.year_from, filters.year_to):
        return False
    if not _in_range(meta.first_year, filters.first_year_from, filters.first_year_to):
        return False
    if filters.province is not None:
        wanted = short_place(filters.province)
        if wanted == NATIONAL:
            if not is_national(doc):
                return False
        elif meta.province is None or short_place(meta.province) != wanted:
            return False
    if filters.city is not None and (meta.city is None or short_place(meta.city) != short_place(filters.city)):
        return False
    if filters.level is not None and meta.level != filters.level:
        return False
    if filters.doc_type is not None and meta.doc_type != filters.doc_type:
        return False
    if filters.status is not None and status_of(doc) != filters.status:
        return False
    return _has(doc.topics, filters.all_topics(), filters.match_all) and _has(
        doc.subjects, filters.subjects, filters.match_all
    )


def _has(held: Sequence[str], wanted: Sequence[str], every: bool) -> bool:
    """Whether ``held`` has any of ``wanted`` (every one with ``every``); True when nothing is wanted."""
    if not wanted:
        return True
    return all(w in held for w in wanted) if every else any(w in held for w in wanted)


def filter_docs(docs: Iterable[DocSummary], filters: DocFilter | None) -> list[DocSummary]:
    """The documents that pass ``filters`` (see :func:`matches`), in their given order."""
    if filters is None:
        return list(docs)
    return [doc for doc in docs if matches(doc, filters)]


def load_documents(home: Path, filters: DocFilter) -> list[DocSummary]:
    """The documents of the knowledge base at ``home`` that pass ``filters`` (what `kb list` and `kb stats` count).

    The store narrows by the stored short names in SQL; :func:`matches` then applies the rules SQL does not know
    (province :data:`NATIONAL`, a full place name), so both commands select with one rule.
    """
    from kb.store.sqlite import Store

    wanted = normalise_filter(filters)
    in_store = replace(wanted, province=None) if wanted.province == NATIONAL else wanted
    with Store.open(home) as store:
        docs = store.summaries(in_store, once=True)
    return filter_docs(docs, wanted)


def year_span(filters: DocFilter, observed: tuple[int, int] | None) -> tuple[int, int] | None:
    """The range of years the filters ask for; an open end is the first or last year of the documents (``observed``)."""
    if filters.year is not None:
        return (filters.year, filters.year)
    low, high = filters.year_from, filters.year_to
    if low is None and high is None:
        return None
    if low is None:
        assert high is not None
        low = min(observed[0], high) if observed else high
    if high is None:
        high = max(observed[1], low) if observed else low
    return (low, high)


# -- listing -------------------------------------------------------------------------------------------------------


def status_of(doc: DocSummary) -> Status | None:
    """A document's status: the one the versions stage decided (on the filter's day), else its metadata's."""
    return doc.version.status if doc.version is not None else doc.meta.status


def list_row(doc: DocSummary) -> ListRow:
    """The row `kb list` shows for one document."""
    meta = doc.meta
    return ListRow(
        doc_id=doc.id,
        date=meta.version_date,
        year=meta.year,
        province=meta.province,
        city=meta.city,
        level=meta.level,
        doc_type=meta.doc_type,
        title=doc.title if doc.title is not None else meta.title,
        issuer=meta.issuer,
        doc_number=meta.doc_number,
        clauses=doc.clause_count,
        topics=doc.topics,
        status=status_of(doc),
        first_year=meta.first_year,
        path=doc.path,
        subjects=doc.subjects,
        status_rule=doc.version.rule if doc.version is not None else None,
        work=doc.version.work if doc.version is not None else None,
        copies=doc.copies,
    )


def _date_key(row: ListRow) -> tuple[int, str]:
    # Undated rows last; rows dated only by year sort at the start of their year.
    if row.date is not None:
        return (0, row.date.isoformat())
    if row.year is not None:
        return (0, f"{row.year:04d}")
    return (1, "")


def _text_key(value: str | None) -> tuple[int, str]:
    return (1, "") if value is None else (0, value)


def _city_key(value: str | None) -> tuple[int, str]:
    # A province's own documents before those of its cities.
    return (0, "") if value is None else (1, value)


def _province_key(row: ListRow) -> tuple[int, str]:
    # National documents first, then provinces, then documents of no known place.
    if row.province is not None:
        return (1, row.province)
    return (0, "") if row.level == Level.NATIONAL or row.doc_type in NATIONAL_TYPES else (2, "")


_SORT_KEYS: dict[str, Callable[[ListRow], tuple[object, ...]]] = {
    "date": lambda r: (_date_key(r), _text_key(r.title), r.path),
    "province": lambda r: (_province_key(r), _city_key(r.city), _date_key(r), _text_key(r.title), r.path),
    "title": lambda r: (_text_key(r.title), _date_key(r), r.path),
}


def list_rows(docs: Iterable[DocSummary], *, sort: str = "date") -> list[ListRow]:
    """One row per document, ordered by ``sort``: ``date`` (oldest first, undated last), ``province`` (national
    first, then by province, the province's own before its cities', and date) or ``title``; ties are broken by
    title and then the file's path (never by id), so the order is stable and means something.
    """
    key = _SORT_KEYS.get(sort)
    if key is None:
        raise KbError(f"unknown sort {sort!r}; expected one of: {', '.join(SORTS)}")
    return sorted((list_row(doc) for doc in docs), key=key)


# -- counting ------------------------------------------------------------------------------------------------------


def _one(value: object) -> tuple[Value, ...]:
    if value is None:
        return (NONE,)
    return (getattr(value, "value", value),)  # type: ignore[arg-type]


_EXTRACTORS: dict[str, Callable[[DocSummary], tuple[Value, ...]]] = {
    "year": lambda d: _one(d.meta.year),
    "province": lambda d: (province_of(d),),
    "city": lambda d: _one(d.meta.city),
    "level": lambda d: _one(d.meta.level),
    "type": lambda d: _one(d.meta.doc_type),
    "topic": lambda d: tuple(dict.fromkeys(d.topics)) or (NONE,),
    "subject": lambda d: tuple(dict.fromkeys(d.subjects)) or (NONE,),
    "status": lambda d: _one(status_of(d)),
}

_LEVEL_ORDER = {level.value: i for i, level in enumerate(Level)}


def check_dimensions(by: Sequence[str]) -> tuple[str, ...]:
    """``by`` as a tuple, after checking each dimension is known and none repeats."""
    dims = tuple(by)
    if not dims:
        raise KbError(f"nothing to count by; give at least one of: {', '.join(DIMENSIONS)}")
    for dim in dims:
        if dim not in DIMENSIONS:
            raise KbError(f"unknown dimension {dim!r}; expected one of: {', '.join(DIMENSIONS)}")
    if len(set(dims)) != len(dims):
        raise KbError(f"dimensions repeat: {', '.join(dims)}; count by each dimension once")
    return dims


def _ordered_values(
    dim: str, counts: Counter[Value], year_range: tuple[int, int] | None, all_provinces: bool = False
) -> tuple[Value, ...]:
    """The values of one dimension in display order (see CountTable)."""
    has_none = NONE in counts
    if dim == "year":
        years = [v for v in counts if isinstance(v, int)]
        if year_range is not None:
            span = range(year_range[0], year_range[1] + 1)
        else:
            span = range(min(years), max(years) + 1) if years else range(0)
        ordered: list[Value] = list(span)
    elif dim == "province" and all_provinces:
        # Every one of the 31 provincial-level divisions of the mainland has a row, zero included, so that a count
        # per province shows where nothing was found; others (全国, 香港) follow when counted.
        rank = {name: i for i, name in enumerate(mainland_provinces())}
        every = list(dict.fromkeys([*(v for v in counts if v != NONE), *mainland_provinces()]))
        # Most documents first; ties (the zeros) in the official order of the provinces (北京, 天津, 河北, ...).
        ordered = sorted(every, key=lambda v: (-counts.get(v, 0), rank.get(str(v), -1), str(v)))
    elif dim == "level":
        ordered = sorted((v for v in counts if v != NONE), key=lambda v: _LEVEL_ORDER.get(str(v), len(_LEVEL_ORDER)))
    else:
        ordered = sorted((v for v in counts if v != NONE), key=lambda v: (-counts[v], str(v)))
    if has_none:
        ordered.append(NONE)
    return tuple(ordered)


def count(
    docs: Iterable[DocSummary],
    by: Sequence[str],
    *,
    year_range: tuple[int, int] | None = None,
    all_provinces: bool = False,
) -> CountTable:
    """Count documents by the dimensions in ``by`` (see :data:`DIMENSIONS` and the counting rules above).

    Every combination of the dimensions' values has a row, zeros included; with ``year_range`` (first, last) only
    documents of those years are counted and every year of the range is listed; with ``all_provinces`` each of the
    31 provinces has a row by province, zero included.
    """
    dims = check_dimensions(by)
    if year_range is not None and year_range[0] > year_range[1]:
        raise KbError(f"year range {year_range[0]}-{year_range[1]} ends before it starts; give the earlier year first")
    combos: Counter[tuple[Value, ...]] = Counter()
    marginals: list[Counter[Value]] = [Counter() for _ in dims]
    total = 0
    for doc in docs:
        year = doc.meta.year
        if year_range is not None and (year is None or not year_range[0] <= year <= year_range[1]):
            continue
        total += 1
        per_dim = [_EXTRACTORS[dim](doc) for dim in dims]
        for i, found in enumerate(per_dim):
            marginals[i].update(found)
        combos.update(itertools.product(*per_dim))
    values = tuple(_ordered_values(dim, marginals[i], year_range, all_provinces) for i, dim in enumerate(dims))
    rows = tuple(CountRow(key=key, count=combos.get(key, 0)) for key in itertools.product(*values))
    margins = tuple(tuple(marginals[i].get(v, 0) for v in values[i]) for i in range(len(dims)))
    return CountTable(by=dims, values=values, rows=rows, margins=margins, total=total, year_range=year_range)


def cross_tab(table: CountTable) -> CrossTab:
    """A two-dimensional table as a grid with its totals (documents per row value and per column value)."""
    if len(table.by) != 2:
        raise KbError(f"a cross-tab needs two dimensions, this table has {len(table.by)}: {', '.join(table.by)}")
    rows, columns = table.values
    grid = {row.key: row.count for row in table.rows}
    return CrossTab(
        row_dim=table.by[0],
        column_dim=table.by[1],
        rows=rows,
        columns=columns,
        cells=tuple(tuple(grid.get((r, c), 0) for c in columns) for r in rows),
        row_totals=table.margins[0],
        column_totals=table.margins[1],
        total=table.total,
    )


def observed_year_range(docs: Iterable[DocSummary]) -> tuple[int, int] | None:
    """The first and last counting year among ``docs``, or None when none has a year."""
    years = [doc.meta.year for doc in docs if doc.meta.year is not None]
    return (min(years), max(years)) if years else None


__all__ = [
    "DIMENSIONS",
    "NATIONAL",
    "NONE",
    "SORTS",
    "CountRow",
    "CountTable",
    "CrossTab",
    "ListRow",
    "check_dimensions",
    "count",
    "cross_tab",
    "filter_docs",
    "is_national",
    "list_row",
    "list_rows",
    "matches",
    "normalise_filter",
    "observed_year_range",
    "province_of",
    "short_place",
]
