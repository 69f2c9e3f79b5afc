"""The one numeral converter: its own conversion below 10000 agrees with cn2an everywhere, and the rest is cn2an's."""

from __future__ import annotations

import subprocess
import sys

import cn2an
import pytest

from kb.normalize.numerals import CN_NUMBER, parse_number, to_chinese


def test_below_10000_agrees_with_cn2an_both_ways() -> None:
    for value in range(1, 10_000):
        written = str(cn2an.an2cn(value, "low"))
        expected = written[1:] if written.startswith("一十") else written
        assert to_chinese(value) == expected, value
        assert parse_number(expected) == value, expected
        assert parse_number(written) == value, written  # 一十二 as some texts write it


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("二十一", 21), ("十", 10), ("一百零五", 105), ("两千", 2000), ("二〇二〇", 2020), ("一九九八", 1998),
        ("二○二○", 2020), ("２１", 21), ("21", 21), ("零", 0), ("一万二千", 12000), ("壹佰", 100), ("十万", 100_000),
        ("", None), ("统一", None), ("百百", None),
    ],
)  # fmt: skip
def test_parse_number(text: str, value: int | None) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["十十", "五三", "一百百", "千百十一", "零十"])
def test_malformed_positional_numbers_are_left_to_cn2an(text: str) -> None:
    try:
        expected = int(cn2an.cn2an(text, "normal"))
    except (ValueError, KeyError, TypeError):
        expected = None
    assert parse_number(text) == expected


def test_large_numbers_go_to_cn2an() -> None:
    assert to_chinese(12_345) == str(cn2an.an2cn(12_345, "low"))
    assert all(CN_NUMBER.fullmatch(to_chinese(v)) for v in (1, 10, 101, 9999, 10_000, 123_456))


def test_numbering_does_not_import_cn2an() -> None:
    code = ("import sys; from kb.normalize.numerals import parse_number, to_chinese; "
            "assert parse_number('二百三十一') == 231 and to_chinese(231) == '二百三十一'; "
            "print('cn2an' in sys.modules)")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
