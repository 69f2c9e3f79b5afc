"""Dates in Arabic digits and Chinese numerals: parsing, finding with offsets, signature-date lines."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kb.normalize.dates import find_dates, implausible_dates, is_date_line, parse_date
from kb.normalize.numerals import to_chinese


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2018年12月29日", date(2018, 12, 29)),
        ("2021年6月10日", date(2021, 6, 10)),
        ("2019年01月27日", date(2019, 1, 27)),  # gov.cn metadata tables pad months and days
        ("2014 年 9 月 26 日", date(2014, 9, 26)),  # PDF text keeps the spaces
        ("２０１２年１２月３日", date(2012, 12, 3)),  # full-width digits
        ("二〇二〇年九月二十五日", date(2020, 9, 25)),
        ("一九九六年六月二十九日", date(1996, 6, 29)),
        ("二○○四年十月十五日", date(2004, 10, 15)),  # the circle ○ many pages type for 〇
        ("二〇〇六年十月十八日", date(2006, 10, 18)),
        ("一九八一年五月二十三日", date(1981, 5, 23)),
        ("2020-11-27 00:00:00", date(2020, 11, 27)),  # YAML front matter
        ("2019/1/27", date(2019, 1, 27)),
        ("2022-10-01 10:24", date(2022, 10, 1)),  # <meta name="PubDate">
        ("2021年2月30日", None),  # not a day
        ("二〇二〇年十三月一日", None),
        ("第十三届全国人民代表大会常务委员会第二十九次会议", None),
        ("2021年第20次室务会议", None),  # a year without month and day
        ("", None),
        (None, None),
    ],
)
def test_parse_date(text: str | None, expected: date | None) -> None:
    assert parse_date(text) == expected


def test_find_dates_gives_offsets_into_the_original_text() -> None:
    text = "2005年1月14日 某省人大常委会修正根据２０１０年７月３０日某省人大常委会修正"
    spans = find_dates(text)
    assert [s.date for s in spans] == [date(2005, 1, 14), date(2010, 7, 30)]
    assert [text[s.start : s.end] for s in spans] == ["2005年1月14日", "２０１０年７月３０日"]


def test_find_dates_orders_arabic_and_chinese_dates_by_position() -> None:
    spans = find_dates("一九九五年三月二十六日印发，2001年1月1日修订")
    assert [s.date for s in spans] == [date(1995, 3, 26), date(2001, 1, 1)]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2018年12月29日", True),
        ("二〇〇四年八月十二日", True),
        ("（2019年1月27日）", True),
        ("2019年1月27日起施行", False),
        ("国务院 2018年12月29日", False),
        ("第707号", False),
    ],
)
def test_is_date_line(line: str, expected: bool) -> None:
    assert is_date_line(line) is expected


def _chinese_year(year: int) -> str:
    return "".join("〇一二三四五六七八九"[int(d)] for d in str(year))


@given(st.dates(min_value=date(1949, 1, 1), max_value=date(date.today().year + 1, 12, 31)))
def test_any_date_written_either_way_reads_back(value: date) -> None:
    arabic = f"{value.year}年{value.month}月{value.day}日"
    chinese = f"{_chinese_year(value.year)}年{to_chinese(value.month)}月{to_chinese(value.day)}日"
    assert parse_date(arabic) == value
    assert parse_date(chinese) == value
    assert [s.date for s in find_dates(f"于{chinese}签署，{arabic}公布")] == [value, value]


@given(st.one_of(st.dates(min_value=date(1000, 1, 1), max_value=date(1948, 12, 31)),
                 st.dates(min_value=date(date.today().year + 2, 1, 1), max_value=date(9999, 12, 31))))  # fmt: skip
def test_dates_outside_the_plausible_range_are_reported_not_used(value: date) -> None:
    chinese = f"{_chinese_year(value.year)}年{to_chinese(value.month)}月{to_chinese(value.day)}日"
    arabic = f"{value.year}年{value.month}月{value.day}日"
    text = f"于{chinese}签署，{arabic}公布"
    assert find_dates(text) == []
    assert parse_date(chinese) is None
    assert [s.date for s in implausible_dates(f"于{chinese}签署")] == [value]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("一〇〇〇年一月一日", None),  # the Chinese-numeral year 1000 is no date of a PRC document
        ("二九九九年一月一日", None),
        ("一九四九年十月一日", date(1949, 10, 1)),
        ("中华民国三十六年，即一九四七年一月一日", date(1947, 1, 1)),  # a text of the Republic may be older
    ],
)
def test_year_1000_is_not_a_date(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected
