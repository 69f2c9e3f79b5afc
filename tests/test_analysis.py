"""Analysis: normalisation (widths, traditional forms, case, whitespace), grams, and the Whoosh analyzers agreeing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kb.search.analyzer import bigrams, normalize, normalize_with_offsets, traditional_map, unigrams
from kb.search.whoosh_analysis import BIGRAM_ANALYZER, UNIGRAM_ANALYZER


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("总  则", "总则"),  # the corpus's spaced headings
        ("第２１条", "第21条"),  # full-width digits
        ("ＡＰＰ　运营者", "app运营者"),  # full-width letters, ideographic space, case
        ("數據安全", "数据安全"),  # traditional -> simplified
        ("個人資訊", "个人资讯"),
        ("GB/T 22239-2019", "gb/t22239-2019"),
        ("第一条\n为了规范", "第一条为了规范"),  # paragraph breaks do not separate
        ("“数据”，（一）", "“数据”,(一)"),  # full-width punctuation folds too; curly quotes stay
        ("乾坤", "乾坤"),  # an ambiguous traditional form (乾 -> 干 or 乾) stays
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


@pytest.mark.parametrize(
    ("norm", "grams"),
    [("数据安全", ["数据", "据安", "安全"]), ("法", []), ("", []), ("第21条", ["第2", "21", "1条"])],
)
def test_bigrams(norm: str, grams: list[str]) -> None:
    assert bigrams(norm) == grams


def test_traditional_map_comes_from_opencc() -> None:
    table = traditional_map()
    assert table["後"] == "后"
    assert table["數"] == "数"
    assert "乾" not in table  # 干 or 乾: left alone
    assert len(table) > 2500


@given(st.text(alphabet=st.sampled_from("数据安全開放 　\nＡＢab１2，。后後"), max_size=40))
def test_offsets_point_at_the_normalised_characters(text: str) -> None:
    norm, offsets = normalize_with_offsets(text)
    assert norm == normalize(text)
    assert len(offsets) == len(norm)
    assert offsets == sorted(set(offsets))
    for ch, offset in zip(norm, offsets, strict=True):
        assert normalize(text[offset]) == ch


@given(st.text(alphabet=st.sampled_from("数据安全開放 　\nＡＢab１2，。后後法"), max_size=40))
def test_whoosh_analyzers_give_the_fast_path_terms(text: str) -> None:
    norm = normalize(text)
    assert [t.text for t in BIGRAM_ANALYZER(text)] == bigrams(norm)
    assert [t.text for t in UNIGRAM_ANALYZER(text)] == unigrams(norm)


def test_bigram_tokens_carry_positions_and_original_offsets() -> None:
    tokens = [(t.text, t.pos, t.startchar, t.endchar) for t in BIGRAM_ANALYZER("数 据安", positions=True, chars=True)]
    assert tokens == [("数据", 0, 0, 3), ("据安", 1, 2, 4)]
