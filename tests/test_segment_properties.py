"""Segmentation invariants, property-tested: clauses tile the body in pre-order, ids unique, spans nested in bounds."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.models import Clause
from kb.normalize.numerals import to_chinese
from kb.segment.segmenter import find_clause, segment


def check_invariants(body: str, clauses: tuple[Clause, ...]) -> None:
    """Everything a consumer of clauses relies on (search spans, highlighting, `kb show`)."""
    if not body.strip():
        assert clauses == ()
        return
    assert clauses, "a body with text has clauses"
    ids = [c.id for c in clauses]
    assert len(set(ids)) == len(ids), "ids are unique"
    # Own segments [start, own_end) in pre-order tile the body: no gap, no overlap, nothing lost.
    assert clauses[0].start == 0
    for before, after in itertools.pairwise(clauses):
        assert before.own_end == after.start
    assert clauses[-1].own_end == len(body)
    index = {c.id: k for k, c in enumerate(clauses)}
    for k, clause in enumerate(clauses):
        assert 0 <= clause.start <= clause.own_end <= clause.end <= len(body)
        assert clause.text == body[clause.start : clause.end].rstrip()
        if clause.parent is None:
            assert clause.depth == 0
            continue
        parent = clauses[index[clause.parent]]
        assert index[clause.parent] < k, "a parent precedes its children"
        assert parent.start <= clause.start and clause.end <= parent.end, "a parent contains its children"
        assert clause.depth == parent.depth + 1
        assert clause.id.startswith(parent.id + "__")


def _number(n: int) -> str:
    return to_chinese(n)


# Lines of both grammars, cross-references, signatures, attachments and noise, in any order.
LINES = st.one_of(
    st.builds(lambda n: f"第{_number(n)}章 总则", st.integers(1, 5)),
    st.builds(lambda n: f"第{_number(n)}节 一般规定", st.integers(1, 3)),
    st.builds(lambda n: f"第{_number(n)}编 分则", st.integers(1, 2)),
    st.builds(lambda n: f"第{_number(n)}条 为了规范管理，制定本条例。", st.integers(1, 12)),
    st.builds(lambda n: f"第{_number(n)}条之一 公共数据依法共享。", st.integers(1, 12)),
    st.builds(lambda n: f"第{_number(n)}条为了规范管理。", st.integers(1, 12)),
    st.builds(lambda n: f"第{_number(n)}条规定的情形除外。", st.integers(1, 12)),
    st.builds(lambda n: f"第{_number(n)}条", st.integers(1, 12)),
    st.builds(lambda n: f"（{_number(n)}）数据，是指对信息的记录；", st.integers(1, 4)),
    st.builds(lambda n: f"{_number(n)}、总体要求", st.integers(1, 4)),
    st.builds(lambda n: f"{n}.坚持公益性。", st.integers(1, 4)),
    st.builds(lambda n: f"（{n}）提高效率。", st.integers(1, 4)),
    st.builds(lambda n: f"附件{n}", st.integers(1, 3)),
    st.sampled_from(
        [
            "目录",
            "目 录",
            "附则",
            "序言",
            "附件",
            "附件：任务分工表",
            "国务院办公厅",
            "总理　　李克强",
            "2019年1月16日",
            "二〇〇四年四月二十七日",
            "（此件公开发布）",
            "前款所称处理，不包括个人处理。",
            "",
            "   ",
            "\u3000\u3000第一条 甲。",
            "1.  总 则",
        ]
    ),
    st.text(alphabet="第一二三条章节、（）。 \t\u3000附件目录甲乙12.", max_size=12),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINES, max_size=30))
def test_clauses_tile_the_body(lines: list[str]) -> None:
    body = "\n".join(lines)
    check_invariants(body, segment("doc", body).clauses)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINES, max_size=30), st.data())
def test_clauses_tile_the_body_with_marked_headings(lines: list[str], data: st.DataObject) -> None:
    body = "\n".join(lines)
    headings = data.draw(st.frozensets(st.integers(0, max(len(lines) - 1, 0))))
    check_invariants(body, segment("doc", body, headings).clauses)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_tiles(body: str) -> None:
    check_invariants(body, segment("doc", body).clauses)


@settings(max_examples=200, deadline=None)
@given(st.lists(LINES, max_size=20))
def test_every_clause_is_found_by_its_id(lines: list[str]) -> None:
    clauses = segment("doc", "\n".join(lines)).clauses
    for clause in clauses:
        assert find_clause(clauses, clause.id) == clause


def test_repeated_clause_ids_cost_linear_operations() -> None:
    """200,000 lines repeating 第一条 once made the id de-duplication quadratic: count the id probes instead."""
    from kb.models import ClauseKind
    from kb.segment.tree import Tree

    def probes(n: int) -> int:
        tree = Tree(None)
        checks = 0

        class CountingSet(set[str]):
            def __contains__(self, item: object) -> bool:
                nonlocal checks
                checks += 1
                return super().__contains__(item)

        tree._ids = CountingSet()
        for line in range(n):
            tree.add(ClauseKind.ARTICLE, "art_1", None, line)
        assert tree.nodes[-1].id == f"art_1-{n}"
        return checks

    small, large = probes(2_000), probes(20_000)
    assert large <= 20 * small  # 10x the input, at most ~20x the work (it was ~100x)
