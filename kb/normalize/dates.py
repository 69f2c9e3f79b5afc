"""Dates: text -> dated spans, in Arabic digits (2018年12月29日) or Chinese numerals (二〇二〇年九月二十五日)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from kb.normalize.numerals import FULLWIDTH_DIGITS, parse_number

# A date in Arabic digits with optional spaces between its parts (PDF text keeps them):
# "2018年12月29日", "2021年6月10日", "2012年12月3日" (full-width digits are mapped first), "2014 年 9 月 26 日".
ARABIC_DATE = re.compile(r"(?<!\d)(?P<y>(?:1[89]|20)\d\d)\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日")

# Chinese-numeral digits of a year written digit by digit: 二〇二〇, 一九九六 (〇 is also typed as 零, ○ or Ｏ).
_CN_YEAR_DIGITS = "〇零○Ｏ一二三四五六七八九"
# A date in Chinese numerals as policy documents sign them: "二〇二〇年九月二十五日", "一九九六年六月二十九日",
# "二○○四年十月十五日" (with the circle ○ many pages use). Months and days are written as numbers (十二, 二十五).
CHINESE_DATE = re.compile(
    rf"(?P<y>[{_CN_YEAR_DIGITS}]{{4}})\s*年\s*(?P<m>[一二三四五六七八九十]{{1,2}})\s*月\s*(?P<d>[一二三四五六七八九十]{{1,3}})\s*日"
)

# The same two forms written compactly, without spaces and with no lookbehind, as a pattern string to embed: a
# header line under a title starts with one ("2021年6月10日第十三届…通过"), and a spaced date there is no header.
_CN_DAY = "[一二三四五六七八九十]{1,3}"
COMPACT_DATE = rf"(?:\d{{4}}年\d{{1,2}}月\d{{1,2}}日|[〇零一二三四五六七八九]{{4}}年{_CN_DAY}月{_CN_DAY}日)"

# An ISO-like date as metadata fields and front matter write it: "2020-11-27", "2020-11-27 00:00:00",
# "2019/01/27", "2019.1.27", and the field form "2019年01月27日" is covered by ARABIC_DATE.
FIELD_DATE = re.compile(r"(?<!\d)(?P<y>(?:1[89]|20)\d\d)[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)")


# The plausible years of a PRC law or policy document: from the founding of the PRC to next year (a text may be
# dated ahead of its publication). A text that speaks of the Republic (中华民国, 民国…年) may date from 1912.
FIRST_YEAR = 1949
REPUBLIC_FIRST_YEAR = 1912
REPUBLIC_HINT = re.compile(r"中华民国|民国[一二三四五六七八九十\d]+年")


def plausible_years(text: str) -> tuple[int, int]:
    """The first and last year a date in ``text`` may have; dates outside are reported, never used."""
    first = REPUBLIC_FIRST_YEAR if REPUBLIC_HINT.search(text) else FIRST_YEAR
    return first, date.today().year + 1


@dataclass(frozen=True, slots=True)
class DateSpan:
    """A date found in a text, with the character offsets of its written form."""

    date: date
    start: int
    end: int


def _make_date(year: int | None, month: int | None, day: int | None) -> date | None:
    """A valid date, or None when the parts do not make one (e.g. 2月30日)."""
    if year is None or month is None or day is None:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _from_match(match: re.Match[str]) -> date | None:
    return _make_date(parse_number(match["y"]), parse_number(match["m"]), parse_number(match["d"]))


def _all_dates(text: str) -> list[DateSpan]:
    mapped = text.translate(FULLWIDTH_DIGITS)
    found: list[DateSpan] = []
    for pattern in (ARABIC_DATE, CHINESE_DATE):
        for match in pattern.finditer(mapped):
            value = _from_match(match)
            if value is not None:
                found.append(DateSpan(value, match.start(), match.end()))
    found.sort(key=lambda span: span.start)
    return found


def find_dates(text: str) -> list[DateSpan]:
    """Every full date (year, month and day) in ``text``, in order of position; invalid dates are skipped, and so
    are dates outside :func:`plausible_years` (一〇〇〇年一月一日 is no date of a PRC document)."""
    first, last = plausible_years(text)
    return [span for span in _all_dates(text) if first <= span.date.year <= last]


def implausible_dates(text: str) -> list[DateSpan]:
    """The well-formed dates in ``text`` that :func:`find_dates` leaves out as implausible, to report them."""
    first, last = plausible_years(text)
    return [span for span in _all_dates(text) if not first <= span.date.year <= last]


def parse_date(text: str | None) -> date | None:
    """The date a short text (a field value, a signature line) gives, in any of the written forms, else None.

    ``"2019年01月27日"``, ``"二〇二〇年九月二十五日"``, ``"2020-11-27 00:00:00"`` and ``"2019/1/27"`` all parse.
    """
    if not text:
        return None
    text = text.strip()
    spans = find_dates(text)
    if spans:
        return spans[0].date
    # An ISO-form field value (a list's or a page's metadata) keeps its 18xx-20xx year as given: the pattern itself
    # bounds it, and a row's date is the publisher's statement, which the list reader reports when it is odd.
    match = FIELD_DATE.search(text.translate(FULLWIDTH_DIGITS))
    return _from_match(match) if match else None


def is_date_line(line: str) -> bool:
    """Whether a line is a date alone (a signature date), allowing spaces and brackets around it."""
    stripped = line.strip().strip("（）()　 ")
    spans = find_dates(stripped)
    return len(spans) == 1 and spans[0].start == 0 and spans[0].end == len(stripped)
