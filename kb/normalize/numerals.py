"""Numerals: Chinese and Arabic number words -> int, and int -> Chinese (for 第X条 matching)."""

from __future__ import annotations

import re
from functools import lru_cache

import cn2an

# Digits as written in legal numbering, including 〇/零 and the financial forms; e.g. 二十一, 一百零五, 二〇二〇.
CN_DIGITS = "零〇一二两三四五六七八九十百千万壹贰叁肆伍陆柒捌玖拾佰仟"
# A run of Chinese numeral characters, e.g. 二十一 in 第二十一条.
CN_NUMBER = re.compile(f"[{CN_DIGITS}]+")
# Full-width digits ０-９ as some PDFs and pages write them, mapped to ASCII.
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_DIGIT_BY_CHAR = {"零": 0, "〇": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
                  "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip


@lru_cache(maxsize=4096)
def parse_number(text: str) -> int | None:
    """The value of a numeral as written in Chinese or Arabic digits, or None if it is not one.

    ``"二十一"`` -> 21, ``"一百零五"`` -> 105, ``"21"`` -> 21, ``"２１"`` -> 21, ``"二〇二〇"`` -> 2020.
    """
    text = text.strip().translate(_FULLWIDTH_DIGITS)
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if all(ch in _DIGIT_BY_CHAR for ch in text):  # digit-by-digit years: 二〇二〇, 一九九八
        return int("".join(str(_DIGIT_BY_CHAR[ch]) for ch in text))
    try:
        value = cn2an.cn2an(text, "normal")
    except (ValueError, KeyError, TypeError):
        return None
    return int(value)


@lru_cache(maxsize=4096)
def to_chinese(value: int) -> str:
    """The Chinese numeral legal texts use for ``value``: 21 -> 二十一, 10 -> 十, 105 -> 一百零五."""
    text = str(cn2an.an2cn(value, "low"))
    if text.startswith("一十"):  # 第十条, not 第一十条
        text = text[1:]
    return text
