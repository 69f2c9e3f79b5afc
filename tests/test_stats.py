"""kb.report.stats: filtering, list rows and counts over DocSummary records built here (no store, no files)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.errors import KbError
from kb.models import DocFilter, DocMeta, DocSummary, DocType, Format, Level, Status, to_jsonable
from kb.report.stats import (
    DIMENSIONS,
    NATIONAL,
    NONE,
    CountTable,
    count,
    cross_tab,
    filter_docs,
    list_rows,
    mainland_provinces,
    observed_year_range,
    province_of,
    short_place,
)


def doc(
    id: str,
    year: int | None = None,
    *,
    province: str | None = None,
    city: str | None = None,
    level: Level | None = None,
    doc_type: DocType | None = None,
    topics: tuple[str, ...] = (),
    status: Status | None = None,
    day: date | None = None,
    title: str | None = None,
    first_year: int | None = None,
) -> DocSummary:
    """A document summary with just the fields a test sets; the version date defaults to 1 July of ``year``."""
    if day is None and year is not None:
        day = date(year, 7, 1)
    meta = DocMeta(
        title=title or f"文件{id}",
        year=year,
        version_date=day,
        first_year=first_year,
        province=province,
        city=city,
        level=level,
        doc_type=doc_type,
        status=status,
        issuers=("某机关",),
        doc_number=f"某发〔{year}〕{id}号" if year else None,
    )
    return DocSummary(id=id, path=f"/corpus/{id}.md", format=Format.MARKDOWN, title=meta.title, meta=meta,
                      clause_count=len(id), topics=topics)  # fmt: skip


LAW = {"level": Level.NATIONAL, "doc_type": DocType.LAW}
ZJ = {"province": "浙江", "level": Level.PROVINCIAL, "doc_type": DocType.LOCAL_REGULATION}
SD = {"province": "山东", "level": Level.PROVINCIAL, "doc_type": DocType.LOCAL_REGULATION}
WF = {"province": "山东", "city": "潍坊", "level": Level.MUNICIPAL, "doc_type": DocType.LOCAL_REGULATION}

DOCS = [
    doc("a", 2011, **LAW, topics=("数据安全",)),
    doc("b", 2013, **ZJ, topics=("数据共享", "数据开放")),
    doc("c", 2013, **ZJ),
    doc("d", 2016, **SD, topics=("数据共享",), status=Status.IN_FORCE),
    doc("e", 2020, **WF, topics=("数据安全", "数据共享")),
    doc("f", 2020, **ZJ, status=Status.REPEALED),
    doc("g", 2021, **LAW),
    doc("h", None, **ZJ),  # the metadata gives no date
    doc("i", 2020, doc_type=DocType.JUDICIAL),  # no level, but a type only national bodies issue
    doc("j", 2019),  # nothing known about where it comes from
]


def ids(docs: list[DocSummary]) -> list[str]:
    return [d.id for d in docs]


# -- places ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("浙江省", "浙江"),
        ("浙江", "浙江"),
        ("深圳市", "深圳"),
        ("广西壮族自治区", "广西"),
        ("新疆维吾尔自治区", "新疆"),
        ("宁夏回族自治区", "宁夏"),
        ("内蒙古自治区", "内蒙古"),
        ("香港特别行政区", "香港"),
        ("阿里地区", "阿里"),
        ("兴安盟", "兴安"),
        ("沙市", "沙市"),  # one character would remain: kept whole
        (" 北京市 ", "北京"),
    ],
)
def test_short_place(name: str, short: str) -> None:
    assert short_place(name) == short


@pytest.mark.parametrize(
    ("summary", "bucket"),
    [
        (DOCS[0], NATIONAL),  # national level
        (DOCS[8], NATIONAL),  # 司法解释 with no level
        (DOCS[1], "浙江"),
        (DOCS[4], "山东"),  # a city's document counts under its province
        (DOCS[9], NONE),  # neither province nor anything national about it
    ],
)
def test_province_of(summary: DocSummary, bucket: str) -> None:
    assert province_of(summary) == bucket


# -- filtering -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (DocFilter(), list("abcdefghij")),
        (DocFilter(year=2020), ["e", "f", "i"]),
        (DocFilter(year_from=2013, year_to=2016), ["b", "c", "d"]),
        (DocFilter(year_from=2020), ["e", "f", "g", "i"]),
        (DocFilter(year_to=2011), ["a"]),
        (DocFilter(province="浙江"), ["b", "c", "f", "h"]),
        (DocFilter(province="浙江省"), ["b", "c", "f", "h"]),
        (DocFilter(province="山东", year=2020), ["e"]),
        (DocFilter(province=NATIONAL), ["a", "g", "i"]),
        (DocFilter(city="潍坊市"), ["e"]),
        (DocFilter(level=Level.PROVINCIAL), ["b", "c", "d", "f", "h"]),
        (DocFilter(level=Level.NATIONAL), ["a", "g"]),
        (DocFilter(doc_type=DocType.JUDICIAL), ["i"]),
        (DocFilter(topic="数据共享"), ["b", "d", "e"]),
        (DocFilter(topic="数据共享", province="浙江"), ["b"]),
        (DocFilter(topic="个人信息"), []),
        (DocFilter(status=Status.REPEALED), ["f"]),
        (DocFilter(year=2020, level=Level.PROVINCIAL), ["f"]),
        (DocFilter(year=2020, level=Level.COUNTY), []),
    ],
)
def test_filter_docs(filters: DocFilter, expected: list[str]) -> None:
    assert ids(filter_docs(DOCS, filters)) == expected


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (DocFilter(first_year_from=2000), ["new"]),
        (DocFilter(first_year_to=1999), ["old"]),
        (DocFilter(year=2020), ["old", "new", "unk"]),  # every version of 2020, whenever first adopted
    ],
)
def test_filter_first_year_apart_from_the_version_year(filters: DocFilter, expected: list[str]) -> None:
    docs = [doc("old", 2020, first_year=1995, **ZJ), doc("new", 2020, first_year=2020, **ZJ), doc("unk", 2020)]
    assert ids(filter_docs(docs, filters)) == expected


def test_filter_none_keeps_everything_in_order() -> None:
    assert ids(filter_docs(reversed(DOCS), None)) == list("jihgfedcba")


# -- list rows -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("date", ["a", "b", "c", "d", "j", "e", "f", "i", "g", "h"]),  # undated last; same day by title
        ("province", ["a", "i", "g", "d", "e", "b", "c", "f", "h", "j"]),  # 全国, 山东 then 潍坊, 浙江, unknown
        ("title", list("abcdefghij")),
    ],
)
def test_list_rows_sorted(sort: str, expected: list[str]) -> None:
    assert [row.doc_id for row in list_rows(DOCS, sort=sort)] == expected


def test_list_row_fields() -> None:
    (row,) = list_rows([DOCS[4]])
    assert (row.date, row.year, row.province, row.city, row.level, row.doc_type) == (
        date(2020, 7, 1), 2020, "山东", "潍坊", Level.MUNICIPAL, DocType.LOCAL_REGULATION,
    )  # fmt: skip
    assert (row.title, row.issuer, row.doc_number, row.clauses, row.topics) == (
        "文件e", "某机关", "某发〔2020〕e号", 1, ("数据安全", "数据共享"),
    )  # fmt: skip
    assert json.loads(json.dumps(to_jsonable(row), ensure_ascii=False))["date"] == "2020-07-01"


def test_list_rows_unknown_sort_names_the_choices() -> None:
    with pytest.raises(KbError, match=r"unknown sort 'year'; expected one of: date, province, title"):
        list_rows(DOCS, sort="year")


# -- counting --------------------------------------------------------------------------------------------------------


def as_dict(table: CountTable) -> dict[tuple[object, ...], int]:
    return {row.key: row.count for row in table.rows}


def test_count_by_year_fills_every_year_of_the_range() -> None:
    table = count(DOCS, ["year"], year_range=(2011, 2020))
    assert table.values == ((2011, 2012, 2013, 2014, 2015, 2016, 2017, 2018, 2019, 2020),)
    assert [row.count for row in table.rows] == [1, 0, 2, 0, 0, 1, 0, 0, 1, 3]
    assert table.total == 8  # 2021 and the undated document are outside the range
    assert table.year_range == (2011, 2020)


def test_count_by_year_without_range_fills_gaps_and_keeps_undated_last() -> None:
    table = count(DOCS, ["year"])
    assert table.values == ((*range(2011, 2022), NONE),)
    assert table.cell(2012) == 0 and table.cell(2020) == 3 and table.cell(NONE) == 1
    assert table.total == len(DOCS)


def test_count_by_province_national_bucket_and_order() -> None:
    table = count(DOCS, ["province"], all_provinces=True)
    counted = {key: n for key, n in as_dict(table).items() if n}
    assert counted == {("浙江",): 4, (NATIONAL,): 3, ("山东",): 2, (NONE,): 1}
    # Most documents first, then every other province of the 31 with a zero (in official order), (none) last.
    values = table.values[0]
    assert values[:3] == ("浙江", NATIONAL, "山东") and values[-1] == NONE
    assert values[3:6] == ("北京", "天津", "上海") and len(values) == 31 + 2
    assert set(values) >= set(mainland_provinces())


def test_count_by_level_in_level_order() -> None:
    table = count(DOCS, ["level"])
    assert table.values == (("national", "provincial", "municipal", NONE),)
    assert [row.count for row in table.rows] == [2, 5, 1, 2]


@pytest.mark.parametrize(
    ("dim", "expected"),
    [
        ("city", {("潍坊",): 1, (NONE,): 9}),
        ("type", {("地方性法规",): 6, ("法律",): 2, ("司法解释",): 1, (NONE,): 1}),
        ("status", {("in_force",): 1, ("repealed",): 1, (NONE,): 8}),
    ],
)
def test_count_other_dimensions(dim: str, expected: dict[tuple[object, ...], int]) -> None:
    assert as_dict(count(DOCS, [dim])) == expected


def test_count_by_topic_counts_a_document_under_each_of_its_topics() -> None:
    table = count(DOCS, ["topic"])
    assert as_dict(table) == {("数据共享",): 3, ("数据安全",): 2, ("数据开放",): 1, (NONE,): 6}
    assert table.total == len(DOCS)
    assert sum(row.count for row in table.rows) == 12  # more than the documents: b and e have two topics


def test_cross_tab_year_by_province_has_every_cell() -> None:
    table = count(DOCS, ["year", "province"], year_range=(2019, 2020))
    assert table.values == ((2019, 2020), (NATIONAL, "山东", "浙江", NONE))
    assert len(table.rows) == 8
    assert as_dict(table) == {
        (2019, NATIONAL): 0, (2019, "山东"): 0, (2019, "浙江"): 0, (2019, NONE): 1,
        (2020, NATIONAL): 1, (2020, "山东"): 1, (2020, "浙江"): 1, (2020, NONE): 0,
    }  # fmt: skip
    grid = cross_tab(table)
    assert grid.cells == ((0, 0, 0, 1), (1, 1, 1, 0))
    assert grid.row_totals == (1, 3) and grid.column_totals == (1, 1, 1, 1) and grid.total == 4


def test_cross_tab_topic_by_year_totals_count_documents_once() -> None:
    table = count(DOCS, ["topic", "year"], year_range=(2020, 2020))
    grid = cross_tab(table)
    assert grid.rows == ("数据共享", "数据安全", NONE)  # as many documents each: in text order
    assert grid.cells == ((1,), (1,), (2,))
    assert grid.column_totals == (3,)  # e, f, i: e counted under two topics, once in the total
    assert grid.total == 3


def test_cross_tab_needs_two_dimensions() -> None:
    with pytest.raises(KbError, match="a cross-tab needs two dimensions, this table has 1: year"):
        cross_tab(count(DOCS, ["year"]))


@pytest.mark.parametrize(
    ("by", "message"),
    [
        ([], "nothing to count by; give at least one of: year, province, city, level, type, topic, subject, status"),
        (["decade"], "unknown dimension 'decade'; expected one of: year, province"),
        (["year", "year"], "dimensions repeat: year, year; count by each dimension once"),
    ],
)
def test_count_rejects_bad_dimensions(by: list[str], message: str) -> None:
    with pytest.raises(KbError, match=message.replace("(", r"\(").replace(")", r"\)")):
        count(DOCS, by)


def test_count_rejects_a_reversed_year_range() -> None:
    with pytest.raises(KbError, match="year range 2020-2011 ends before it starts"):
        count(DOCS, ["year"], year_range=(2020, 2011))


def test_count_of_nothing_still_lists_the_range() -> None:
    table = count([], ["year", "province"], year_range=(2019, 2020))
    assert table.values == ((2019, 2020), ()) and table.rows == () and table.total == 0
    assert [row.count for row in count([], ["year"], year_range=(2019, 2020)).rows] == [0, 0]


def test_count_table_serialises_to_json() -> None:
    data = json.loads(json.dumps(to_jsonable(count(DOCS, ["year", "level"], year_range=(2020, 2020)))))
    assert data["by"] == ["year", "level"]
    assert {"key": [2020, "municipal"], "count": 1} in data["rows"]
    assert data["total"] == 3 and data["year_range"] == [2020, 2020]


def test_observed_year_range() -> None:
    assert observed_year_range(DOCS) == (2011, 2021)
    assert observed_year_range([DOCS[7]]) is None


# -- invariants ------------------------------------------------------------------------------------------------------

PROVINCES = st.sampled_from([None, "浙江", "山东", "北京"])
TOPICS = st.lists(st.sampled_from(["数据安全", "数据共享", "个人信息"]), max_size=3, unique=True).map(tuple)


@st.composite
def summaries(draw: st.DrawFn) -> list[DocSummary]:
    out = []
    for i in range(draw(st.integers(0, 40))):
        province = draw(PROVINCES)
        level = draw(st.sampled_from([None, *Level]))
        out.append(
            doc(str(i), draw(st.one_of(st.none(), st.integers(2008, 2022))), province=province, level=level,
                city=draw(st.sampled_from([None, "杭州", "潍坊"])), topics=draw(TOPICS),
                doc_type=draw(st.sampled_from([None, DocType.LAW, DocType.LOCAL_REGULATION])))
        )  # fmt: skip
    return out


SINGLE_VALUED = [d for d in DIMENSIONS if d != "topic"]


@settings(max_examples=60, deadline=None)
@given(docs=summaries(), dims=st.permutations(SINGLE_VALUED).map(lambda p: p[:2]))
def test_cross_tab_adds_up_to_its_margins(docs: list[DocSummary], dims: list[str]) -> None:
    table = count(docs, dims)
    assert sum(row.count for row in table.rows) == table.total == len(docs)
    grid = cross_tab(table)
    assert tuple(sum(line) for line in grid.cells) == grid.row_totals
    one = count(docs, [dims[0]])
    assert one.values[0] == grid.rows and tuple(r.count for r in one.rows) == grid.row_totals


@settings(max_examples=60, deadline=None)
@given(docs=summaries(), low=st.integers(2008, 2022), span=st.integers(0, 6))
def test_year_range_counts_what_the_year_filter_selects(docs: list[DocSummary], low: int, span: int) -> None:
    table = count(docs, ["year"], year_range=(low, low + span))
    assert table.values == (tuple(range(low, low + span + 1)),)
    selected = filter_docs(docs, DocFilter(year_from=low, year_to=low + span))
    assert table.total == len(selected)
    for year in range(low, low + span + 1):
        assert table.cell(year) == len(filter_docs(selected, DocFilter(year=year)))


@settings(max_examples=60, deadline=None)
@given(docs=summaries())
def test_topic_counts_match_the_topic_filter(docs: list[DocSummary]) -> None:
    table = count(docs, ["topic"])
    for (value,), n in as_dict(table).items():
        if value != NONE:
            assert n == len(filter_docs(docs, DocFilter(topic=str(value))))
    assert table.cell(NONE) == sum(1 for d in docs if not d.topics)


@settings(max_examples=60, deadline=None)
@given(docs=summaries())
def test_province_counts_match_the_province_filter(docs: list[DocSummary]) -> None:
    for (value,), n in as_dict(count(docs, ["province"])).items():
        if value != NONE:
            assert n == len(filter_docs(docs, DocFilter(province=str(value))))
