"""Provinces side by side: an article of a law -> one row per province with its implementing clauses and their changes.

Each implementing clause (found as `kb trace --relation implemented-by` finds it) is compared with the national
text character by character: the runs it adds are what the province made of the article (an authority named, a
deadline, a 目录 to publish), the runs of the national text it leaves out are what it did not take up.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

from kb.errors import NotFound
from kb.graph.implements import LEADING_NUMBER, MoreLikeThis, implemented_by, wording
from kb.graph.records import TraceContext, clause_label, item_id
from kb.models import DocFilter

if TYPE_CHECKING:
    from kb.store.sqlite import Store

# Label of the row of documents with no province (national ones implementing a law, such as a 行政法规).
NATIONAL_ROW = "全国"
# Added or omitted runs shorter than this are wording, not substance (的, 应当, 本省), and are not listed.
MIN_RUN = 2


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of an implementing clause's text: ``same`` as the national text, or ``added`` by the province."""

    kind: str  # same, added
    text: str


@dataclass(frozen=True, slots=True)
class ComparedClause:
    """One implementing clause beside the national article: its text cut into same and added runs."""

    id: str
    doc_id: str
    clause_id: str
    title: str | None
    number: str | None
    year: int | None
    level: str | None
    reason: str
    score: float
    segments: tuple[Segment, ...]
    added: tuple[str, ...]  # runs of the clause absent from the national text
    omitted: tuple[str, ...]  # runs of the national text absent from the clause


@dataclass(frozen=True, slots=True)
class ProvinceRow:
    """A province (or 全国) and its clauses implementing the article, best first."""

    province: str
    clauses: tuple[ComparedClause, ...]


@dataclass(frozen=True, slots=True)
class Comparison:
    """An article and how each province implements it."""

    id: str
    doc_id: str
    clause_id: str
    title: str | None
    number: str | None
    text: str
    rows: tuple[ProvinceRow, ...]


def diff_segments(national: str, local: str) -> tuple[tuple[Segment, ...], tuple[str, ...], tuple[str, ...]]:
    """The local text as same/added runs against the national one, with the added and omitted runs listed.

    The articles' own numbers (第五条 beside 第二十一条) are not compared: they say where a text sits, not what.
    """
    national = LEADING_NUMBER.sub("", national).strip()
    local = LEADING_NUMBER.sub("", local).strip()
    matcher = SequenceMatcher(None, national, local, autojunk=False)
    segments: list[Segment] = []
    added: list[str] = []
    omitted: list[str] = []
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if b1 > b0:
            kind = "same" if op == "equal" else "added"
            if segments and segments[-1].kind == kind:
                segments[-1] = Segment(kind, segments[-1].text + local[b0:b1])
            else:
                segments.append(Segment(kind, local[b0:b1]))
        if op in ("replace", "insert") and len(wording(local[b0:b1]).letters) >= MIN_RUN:
            added.append(local[b0:b1].strip())
        if op in ("replace", "delete") and len(wording(national[a0:a1]).letters) >= MIN_RUN:
            omitted.append(national[a0:a1].strip())
    return tuple(segments), tuple(added), tuple(omitted)


def compare(store: Store, index: MoreLikeThis | None, doc_id: str, clause_id: str | None, *,
            filters: DocFilter | None = None, per_doc: int | None = 2) -> Comparison:  # fmt: skip
    """How each province implements an article; raises NotFound for an unknown ID or a whole document."""
    ctx = TraceContext(store)
    tree = ctx.tree(doc_id)
    summary = ctx.summary(doc_id)
    if tree is None or summary is None:
        raise NotFound(f"{doc_id}: no document with this id; find one with `kb search` or `kb list`")
    if clause_id is None:
        raise NotFound(f'{doc_id}: name an article to compare, e.g. `kb compare "{summary.title} 第二十一条"`')
    if clause_id not in tree.by_id:
        raise NotFound(f"{doc_id}#{clause_id}: no such clause; see `kb show {doc_id}` for its clauses")
    source = tree.by_id[clause_id]
    group = implemented_by(ctx, index, doc_id, clause_id, filters, limit=10_000, per_doc=per_doc)
    rows: dict[str, list[ComparedClause]] = defaultdict(list)
    for item in group.items:
        assert item.doc_id is not None and item.clause_id is not None
        other = ctx.tree(item.doc_id)
        clause = other.by_id[item.clause_id] if other else None
        if clause is None:
            continue
        segments, added, omitted = diff_segments(source.text, clause.text)
        rows[item.province or NATIONAL_ROW].append(ComparedClause(
            id=item.id or item_id(item.doc_id, item.clause_id), doc_id=item.doc_id, clause_id=item.clause_id,
            title=item.title, number=item.number, year=item.year, level=item.level, reason=item.reason,
            score=item.score, segments=segments, added=added, omitted=omitted,
        ))  # fmt: skip
    ordered = sorted(rows.items(), key=lambda kv: (kv[0] != NATIONAL_ROW, kv[0]))
    return Comparison(
        id=item_id(doc_id, clause_id), doc_id=doc_id, clause_id=clause_id, title=summary.title,
        number=clause_label(tree, source), text=source.text,
        rows=tuple(ProvinceRow(p, tuple(cs)) for p, cs in ordered),
    )  # fmt: skip


__all__ = ["NATIONAL_ROW", "ComparedClause", "Comparison", "ProvinceRow", "Segment", "compare", "diff_segments"]
