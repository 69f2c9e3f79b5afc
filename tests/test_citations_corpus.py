"""Citation finding on real clauses of the shared corpus, through the pipeline's per-document stages.

Each case names a file, the clause a citation sits in, its words, and what it names: a title (with pinpoint) or,
for a reference inside the document, the clause id it resolves to. The expected values were read off the texts.
"""

from __future__ import annotations

from functools import lru_cache

import pytest

from kb.models import Citation, CitationKind, Relation
from kb.pipeline import Processed, process_file
from tests.conftest import CORPUS, require_shared

SZ_DATA = "lawrefbook/DLC/广东地方法规/地方性法规/广东/深圳经济特区数据条例(2021-07-06).md"
DSL = "lawrefbook/行政法/数据安全法(2021-06-10).md"
PIPL = "lawrefbook/行政法/个人信息保护法(2021-08-20).md"
BJ_EMERGENCY = "lawrefbook/DLC/北京地方法规/地方性法规/北京/北京市实施《突发事件应对法》办法.md"
CQ_DATA = "provincial/重庆市/重庆市数据条例.md"
CIVIL_CONTRACTS = "lawrefbook/民法典/合同编.md"
BJ_WATER = "lawrefbook/DLC/北京地方法规/地方性法规/北京/北京市实施《水法》办法(2022-11-25).md"


@lru_cache(maxsize=16)
def _processed(relative: str) -> Processed:
    return process_file(require_shared(CORPUS / relative))


def _citations(relative: str) -> tuple[Citation, ...]:
    return _processed(relative).citations


@pytest.mark.parametrize(
    ("relative", "clause_id", "words", "pinpoint", "target_clause"),
    [
        (SZ_DATA, "chp_2__sec_1__art_11__para_1", "本条例第十条第二项", "第十条第二项",
         "chp_2__sec_1__art_10__para_1__point_2"),
        (SZ_DATA, "chp_2__sec_3__art_25__para_2", "前款第一项", "前款第一项", "chp_2__sec_3__art_25__para_1__point_1"),
        (SZ_DATA, "chp_2__sec_3__art_25__para_2", "第二项", "前款第二项", "chp_2__sec_3__art_25__para_1__point_2"),
        (SZ_DATA, "chp_4__sec_1__art_59", "本条例第二章", "第二章", "chp_2"),
        (DSL, "chp_6__art_45__para_1", "本法第二十七条", "第二十七条", "chp_4__art_27"),
        (DSL, "chp_6__art_45__para_1", "第三十条", "第三十条", "chp_4__art_30"),
        (PIPL, "chp_2__sec_1__art_13__para_2", "前款第二项至第七项", "前款第二项至第七项",
         "chp_2__sec_1__art_13__para_1__point_7"),
        (PIPL, "chp_2__sec_1__art_18__para_1", "前条第一款", "前条第一款", "chp_2__sec_1__art_17__para_1"),
        (PIPL, "chp_6__art_60__para_3", "前两款", "前两款", "chp_6__art_60__para_2"),
        (BJ_EMERGENCY, "chp_6__art_66__para_1__point_1", "本办法第十二条第二、三、四款", "第十二条第四款",
         "chp_2__art_12__para_4"),
        (CQ_DATA, "chp_7__art_57__para_1", "本条例第二十九条", "第二十九条", "chp_3__art_29"),
        (CIVIL_CONTRACTS, "subpart_1__chp_4__art_511__para_1", "前条", "前条", "subpart_1__chp_4__art_510"),
    ],
)  # fmt: skip
def test_internal_references_of_real_clauses(relative: str, clause_id: str, words: str, pinpoint: str,
                                             target_clause: str) -> None:  # fmt: skip
    found = [c for c in _citations(relative) if c.clause_id == clause_id and c.text == words]
    assert any(c.pinpoint == pinpoint and c.target_clause == target_clause for c in found), found
    assert all(c.kind is CitationKind.INTERNAL for c in found)


@pytest.mark.parametrize(
    ("relative", "clause_id", "words", "title", "relation"),
    [
        (DSL, "chp_4__art_31", "《中华人民共和国网络安全法》", "中华人民共和国网络安全法", Relation.CITES),
        (PIPL, "chp_1__art_1", "宪法", "中华人民共和国宪法", Relation.BASIS),
        (CQ_DATA, "chp_1__art_1", "《中华人民共和国数据安全法》", "中华人民共和国数据安全法", Relation.BASIS),
        (CQ_DATA, "chp_1__art_1", "《中华人民共和国个人信息保护法》", "中华人民共和国个人信息保护法", Relation.BASIS),
        (BJ_EMERGENCY, "chp_1__art_1", "《中华人民共和国突发事件应对法》", "中华人民共和国突发事件应对法",
         Relation.CITES),
        (BJ_WATER, "chp_8__art_48", "《〈北京市水资源管理条例〉罚款处罚办法》", "〈北京市水资源管理条例〉罚款处罚办法",
         Relation.REPEALS),
    ],
)  # fmt: skip
def test_titles_of_real_clauses(relative: str, clause_id: str, words: str, title: str, relation: Relation) -> None:
    found = [c for c in _citations(relative) if c.text == words and c.clause_id.endswith(clause_id.split("__")[-1])]
    assert [(c.title, c.relation) for c in found] == [(title, relation)]


def test_a_code_in_parts_leaves_references_to_other_parts_for_the_resolver() -> None:
    # 合同编 第四百八十五条 cites 本法第一百四十一条, which is in the 总则 part: not in this file.
    found = [c for c in _citations(CIVIL_CONTRACTS) if c.text == "本法第一百四十一条"]
    assert found and all(
        c.target_doc is None and c.reason == "internal: no 第一百四十一条 in this document" for c in found
    )


def test_the_citing_documents_own_title_is_not_cited() -> None:
    doc = _processed(BJ_EMERGENCY).document
    assert doc.title == "北京市实施《中华人民共和国突发事件应对法》办法"
    assert all("北京市实施" not in (c.title or "") for c in _citations(BJ_EMERGENCY))


def test_every_span_is_its_words() -> None:
    for relative in (SZ_DATA, DSL, PIPL, BJ_EMERGENCY, CQ_DATA):
        doc = _processed(relative).document
        for c in _citations(relative):
            assert doc.body[c.start : c.end] == c.text
