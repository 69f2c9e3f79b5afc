"""Numerals: Chinese and Arabic number words -> int, and int -> Chinese (for 第X条 matching). The one converter
of kb: segmentation, citations, metadata, the store's lookups and query parsing all call these two functions.

The numbers legal texts number things with (articles, chapters, items, years) are below 10000 and written with
the ten digits and 十百千; those are converted here directly. The rest (万 and above, the financial forms 壹贰叁)
go to cn2an, imported only then: it pulls in numpy and costs 0.2 s, more than a whole ``kb search``.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Digits as written in legal numbering, including 〇/零 and the financial forms; e.g. 二十一, 一百零五, 二〇二〇.
CN_DIGITS = "零〇一二两三四五六七八九十百千万壹贰叁肆伍陆柒捌玖拾佰仟"
# A run of Chinese numeral characters, e.g. 二十一 in 第二十一条.
CN_NUMBER = re.compile(f"[{CN_DIGITS}]+")
# Full-width digits ０-９ as some PDFs and pages write them -> ASCII, one character to one (offsets are kept): the
# one table of kb's digit widths (dates, 发文字号 and kb.normalize.clean.fold_width use it).
FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
# Digit-by-digit years write 〇 also as ○, Ｏ or the letter O (二〇二〇, 二○二○).
_DIGIT_BY_CHAR = {"零": 0, "〇": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
                  "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
# Digits and units of the positional form below 10000 (二十一, 一百零五, 两千).
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_CHINESE_DIGITS = "零一二三四五六七八九"


@lru_cache(maxsize=4096)
def parse_number(text: str) -> int | None:
    """The value of a numeral as written in Chinese or Arabic digits, or None if it is not one.

    ``"二十一"`` -> 21, ``"一百零五"`` -> 105, ``"21"`` -> 21, ``"２１"`` -> 21, ``"二〇二〇"`` -> 2020.
    """
    text = text.strip().translate(FULLWIDTH_DIGITS)
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if all(ch in _DIGIT_BY_CHAR for ch in text):  # digit-by-digit years: 二〇二〇, 一九九八
        return int("".join(str(_DIGIT_BY_CHAR[ch]) for ch in text))
    value = _positional_value(text)
    if value is not None:
        return value
    return _cn2an_value(text)


def _positional_value(text: str) -> int | None:
    """二十一 -> 21, 十 -> 10, 一百零五 -> 105, 两千 -> 2000: the form below 10000 with units in descending order
    (each at most once, a digit before each unit but 十); None for anything else (万, 壹, 十十, 五三)."""
    total, digit, last_unit = 0, None, 10_000
    for ch in text:
        if ch in _DIGITS:
            if digit is not None and digit != 0:  # two digits without a unit between them
                return None
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            unit = _UNITS[ch]
            if unit >= last_unit or digit == 0 or (digit is None and (unit != 10 or total)):
                return None
            total += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
        else:
            return None
    return total + (digit or 0)


def _cn2an_value(text: str) -> int | None:
    import cn2an

    try:
        value = cn2an.cn2an(text, "normal")
    except (ValueError, KeyError, TypeError):
        return None
    return int(value)


@lru_cache(maxsize=4096)
def to_chinese(value: int) -> str:
    """The Chinese numeral legal texts use for ``value``: 21 -> 二十一, 10 -> 十, 105 -> 一百零五."""
    if 0 < value < 10_000:
        parts: list[str] = []
        gap = False
        for unit_value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            digit = value // unit_value % 10
            if digit == 0:
                gap = bool(parts)
                continue
            if gap:
                parts.append("零")
                gap = False
            parts.append(_CHINESE_DIGITS[digit] + unit)
        text = "".join(parts)
    else:
        import cn2an

        text = str(cn2an.an2cn(value, "low"))
    if text.startswith("一十"):  # 第十条, not 第一十条
        text = text[1:]
    return text
