"""The segmentation measurement script: its gold rule, its reasons, and the bar on the whole corpus."""

from __future__ import annotations

import sys

import pytest

from tests.conftest import CORPUS, LAWREFBOOK, ROOT, require_shared

sys.path.insert(0, str(ROOT / "scripts"))

from measure_segmentation import Article, difference, gold_articles, measure

SOURCE = """# 某条例

2021年6月29日 通过

<!-- INFO END -->

## 第一章 总则

第一条 甲。

（一）乙；

第二条之一 丙。

## 第二章 附则

附则说明。

第三条 丁。
"""


def test_gold_rule_reads_the_source_marks() -> None:
    assert gold_articles(SOURCE) == [
        Article("第一条", "第一条甲。（一）乙；"),
        Article("第二条之一", "第二条之一丙。"),
        Article("第三条", "第三条丁。"),
    ]
    assert gold_articles("# 无标记\n\n第一条 甲。") is None


@pytest.mark.parametrize(
    ("mine", "reason"),
    [
        ([Article("第一条", "甲"), Article("第二条", "乙")], None),
        ([Article("第一条", "甲")], "2 articles in the source, 1 found; missing 第二条"),
        ([Article("第一条", "甲"), Article("第二条", "乙丙")], "第二条: text runs on past the source's end: …丙"),
        ([Article("第一条", "甲"), Article("第二条", "")], "第二条: text cut short (0 of 1 chars): …乙"),
    ],
)
def test_difference_reasons(mine: list[Article], reason: str | None) -> None:
    assert difference([Article("第一条", "甲"), Article("第二条", "乙")], mine) == reason


def test_difference_quotes_a_number_written_with_a_space() -> None:
    reason = difference([Article("第一条", "甲")], [Article("第一条", "甲"), Article("第二条", "乙")], "第二 条乙")
    assert reason is not None and "'第二 条乙…'" in reason


def test_measure_a_small_folder() -> None:
    result = measure(require_shared(LAWREFBOOK / "宪法"))
    assert result["files"] == result["checked_text"] >= 5
    assert result["exact"] == result["checked_text"]
    assert result["differences"] == []


def test_measure_provincial_numbers() -> None:
    result = measure(require_shared(CORPUS / "provincial"))
    assert (result["checked_numbers_only"], result["numbers_right"]) == (18, 18)


@pytest.mark.slow
def test_whole_corpus_meets_the_bar() -> None:
    """At least 99.5% of the 3,242 corpus documents have exactly the article list their source marks."""
    result = measure(require_shared(LAWREFBOOK))
    assert result["files"] == 3242
    assert result["exact_share"] >= 0.995
    assert all(row["reason"] for row in result["differences"])
    assert result["segment_seconds"] < 60
