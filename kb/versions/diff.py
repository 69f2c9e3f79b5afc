"""Diffs: two versions' clause texts -> what changed, character by character (a Chinese word is a few characters).

:func:`diff_text` compares two texts with difflib's SequenceMatcher over characters (no junk heuristic, so a long
article is compared in full). :func:`diff_articles` pairs the articles of two versions — by number where the text
still resembles, else by text, so an article that moved is reported as renumbered rather than as removed and added.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from datetime import date

from kb.models import Clause, ClauseKind
from kb.versions.records import ClauseDiff, DiffOp

# The article's own number at the start of its text (第二十一条, 第二十一条之一), which is no change of wording when
# an article is renumbered.
ARTICLE_NUMBER = re.compile(r"^第[零〇一二三四五六七八九十百千两\d]+条(?:之[一二三四五六七八九十]+)?\s*")
# Two texts at least this similar (difflib ratio) are one article, changed; below it, different articles.
SAME_ARTICLE = 0.6


def diff_text(old: str, new: str) -> tuple[DiffOp, ...]:
    """The stretches of ``old`` and ``new`` that are equal, inserted, deleted or replaced, in order."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return tuple(DiffOp(tag, old[i1:i2], new[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes())


def wording(clause: Clause) -> str:
    """An article's text without its own number and with its lines joined: what is compared across versions."""
    return ARTICLE_NUMBER.sub("", clause.text.strip())


def _ratio(a: str, b: str) -> float:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < SAME_ARTICLE or matcher.quick_ratio() < SAME_ARTICLE:
        return 0.0
    return matcher.ratio()


def articles(clauses: Sequence[Clause]) -> list[Clause]:
    """The articles of a document (or of the parts of a code, in the order given)."""
    return [c for c in clauses if c.kind is ClauseKind.ARTICLE]


def diff_articles(old: Sequence[Clause], new: Sequence[Clause], old_date: date | None = None,
                  new_date: date | None = None) -> list[ClauseDiff]:  # fmt: skip
    """Every article of either version with what became of it: same, changed, renumbered, added or removed.

    Articles are paired first by equal wording (an article that only moved is renumbered), then by number where
    the wordings still resemble (changed), then the rest by the most similar wording (renumbered and changed);
    what is left is removed (old) or added (new).
    """
    olds, news = articles(old), articles(new)
    pairs: dict[int, int] = {}  # index in news -> index in olds
    taken: set[int] = set()
    by_wording: dict[str, list[int]] = {}
    for i, clause in enumerate(olds):
        by_wording.setdefault(wording(clause), []).append(i)
    for j, clause in enumerate(news):  # 1. equal wording
        free = [i for i in by_wording.get(wording(clause), []) if i not in taken]
        if free:
            i = min(free, key=lambda k: (olds[k].number != clause.number, abs(k - j)))
            pairs[j] = i
            taken.add(i)
    number_of: dict[tuple[int | None, int | None], int] = {}
    for i, clause in enumerate(olds):
        number_of.setdefault((clause.ordinal, clause.sub), i)
    for j, clause in enumerate(news):  # 2. same number, resembling wording
        if j in pairs:
            continue
        at = number_of.get((clause.ordinal, clause.sub))
        if at is not None and at not in taken and _ratio(wording(olds[at]), wording(clause)) >= SAME_ARTICLE:
            pairs[j] = at
            taken.add(at)
    for j, clause in enumerate(news):  # 3. the most similar article left, near where it was
        if j in pairs:
            continue
        best, score = None, SAME_ARTICLE
        for i in range(max(0, j - 30), min(len(olds), j + 30)):
            if i in taken:
                continue
            r = _ratio(wording(olds[i]), wording(clause))
            if r >= score:
                best, score = i, r
        if best is not None:
            pairs[j] = best
            taken.add(best)
    out: list[ClauseDiff] = []
    for j, clause in enumerate(news):
        paired = pairs.get(j)
        if paired is None:
            out.append(ClauseDiff(clause.number, None, None, clause.doc_id, clause.id, old_date, new_date, "added",
                                  diff_text("", clause.text)))  # fmt: skip
            continue
        before = olds[paired]
        same_words = wording(before) == wording(clause)
        moved = (before.ordinal, before.sub) != (clause.ordinal, clause.sub)
        change = ("renumbered" if moved else "same") if same_words else ("renumbered" if moved else "changed")
        ops = () if same_words else diff_text(wording(before), wording(clause))
        out.append(ClauseDiff(clause.number, before.doc_id, before.id, clause.doc_id, clause.id, old_date, new_date,
                              change, ops, before.number if moved else None))  # fmt: skip
    for i, clause in enumerate(olds):
        if i not in taken:
            out.append(ClauseDiff(clause.number, clause.doc_id, clause.id, None, None, old_date, new_date, "removed",
                                  diff_text(clause.text, "")))  # fmt: skip
    return out


__all__ = ["diff_articles", "diff_text", "wording"]
