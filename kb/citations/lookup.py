"""Lookup: what a user types to name a document or clause -> (document id, clause id or None).

Accepted forms: ``DOC_ID``, ``DOC_ID#CLAUSE_ID``, a title, short title or unique prefix of one
(``数据安全法``, ``中华人民共和国数据安全法``), a name from the alias file (个保法, 数安法, 数据二十条:
kb/data/aliases.yaml), a 发文字号 with any brackets (国办发〔2018〕124号, 国办发[2018]124号, 国办发【2018】124号),
followed by a clause as written or as an id (``数据安全法 第二十一条``, ``民法典 第一千零三十四条`` wherever its
编/章 put it, ``数据安全法 第二十一条第二款``, ``深圳经济特区数据条例#art_21``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.citations.patterns import load_aliases, title_key
from kb.errors import Ambiguous, NotFound
from kb.models import Clause, DocSummary
from kb.store.sqlite import Store

# A document id as kb makes them: 12 lowercase hex digits, e.g. 3f2a9c01b7de.
DOC_ID = re.compile(r"^[0-9a-f]{12}$")
# A clause written after a title: 第二十一条, 第21条, 第二十一条之一第二款, 第一章; the title precedes it.
CLAUSE_SUFFIX = re.compile(r"\s*(第[零〇一二三四五六七八九十百千两\d]+[编章节条].*)$")
# Brackets a 发文字号's year is written in: 〔2018〕, [2018], 【2018】, (2018), （2018）, ［2018］, 〈2018〉.
NUMBER_BRACKETS = str.maketrans(dict.fromkeys("[【(（［〈{", "〔") | dict.fromkeys("]】)）］〉}", "〕"))
# A 发文字号 as typed: an issuer's abbreviation, a bracketed year, a number and 号 (国办发〔2018〕124号).
DOC_NUMBER = re.compile(r"^\S*[\[【(（［〔〈{]\s*\d{4}\s*[\]】)）］〕〉}]\s*第?\d+\s*号$")


def number_key(text: str) -> str:
    """A 发文字号 reduced for matching: one kind of bracket, no spaces, no 第 before the number."""
    key = "".join(text.translate(NUMBER_BRACKETS).split())
    return re.sub(r"〕第(\d)", r"〕\1", key)


@dataclass(frozen=True, slots=True)
class Target:
    """A resolved user reference: the document, and the clause when one was named."""

    doc_id: str
    clause_id: str | None
    title: str | None


def _candidates(summaries: list[DocSummary], name: str) -> list[DocSummary]:
    if DOC_NUMBER.match(name.strip()):
        wanted = number_key(name)
        numbered = [doc for doc in summaries if doc.meta.doc_number and number_key(doc.meta.doc_number) == wanted]
        if numbered:
            return numbered
    key = title_key(name)
    if not key:
        return []
    full_title = load_aliases().expand(name)
    if full_title is not None:
        aliased = [doc for doc in summaries if title_key(doc.title or "") == title_key(full_title)]
        if aliased:
            return aliased
    tiers: tuple[list[DocSummary], ...] = ([], [], [], [])
    for doc in summaries:
        full = title_key(doc.title or "")
        short = title_key(doc.meta.short_title or "") if doc.meta.short_title else full
        if key in (full, short):
            tiers[0].append(doc)
        elif full.endswith(key) and len(key) >= 2:
            tiers[1].append(doc)
        elif full.startswith(key) or short.startswith(key):
            tiers[2].append(doc)
        elif len(key) >= 4 and key in full:
            tiers[3].append(doc)
    for tier in tiers:
        if tier:
            return tier
    return []


def _pick(candidates: list[DocSummary], name: str) -> DocSummary:
    if not candidates:
        raise NotFound(f"{name}: no document with this id or title; try `kb search '{name}' --docs`")
    if len(candidates) == 1:
        return candidates[0]
    # Several versions of one title: the latest version wins when it is the only latest one.
    titles = {title_key(c.title or "") for c in candidates}
    if len(titles) == 1:
        dated = sorted(candidates, key=lambda c: (c.meta.version_date is not None, c.meta.version_date or 0))
        last, before = dated[-1], dated[-2]
        if last.meta.version_date is not None and last.meta.version_date != before.meta.version_date:
            return last
    shown = "\n".join(f"  {c.id}  {c.title}  ({c.path})" for c in candidates[:20])
    more = f"\n  … and {len(candidates) - 20} more" if len(candidates) > 20 else ""
    raise Ambiguous(
        f"{name}: matches {len(candidates)} documents; name one by its id:\n{shown}{more}",
        tuple(c.id for c in candidates),
    )


def _find_clause(store: Store, doc_id: str, ref: str) -> str:
    from kb.segment.segmenter import find_clause

    doc = store.get_document(doc_id)
    if doc is None:
        raise NotFound(f"{doc_id}: no such document")
    clause: Clause | None = find_clause(doc.clauses, ref)
    if clause is None:
        raise NotFound(f"{doc.title or doc_id}: no clause '{ref}'; see `kb show {doc_id}` for its clauses")
    return clause.id


def _holding(store: Store, candidates: list[DocSummary], ref: str) -> list[DocSummary]:
    """The candidates that hold the clause ``ref``: a code published in parts (民法典's 编) has one per part."""
    from kb.segment.segmenter import find_clause

    holding = []
    for summary in candidates:
        doc = store.get_document(summary.id)
        if doc is not None and find_clause(doc.clauses, ref) is not None:
            holding.append(summary)
    return holding


def resolve_id(store: Store, text: str) -> Target:
    """Resolve a user's reference to a document and optional clause; raises NotFound or Ambiguous."""
    text = text.strip()
    doc_part, _, clause_part = text.partition("#")
    doc_part, clause_part = doc_part.strip(), clause_part.strip()
    if not clause_part:
        match = CLAUSE_SUFFIX.search(doc_part)
        if match and match.start() > 0:
            doc_part, clause_part = doc_part[: match.start()].strip(), match.group(1).strip()
        elif " " in doc_part:
            head, _, tail = doc_part.rpartition(" ")
            if tail.startswith(("art_", "chp_", "sec_", "part_", "div_", "att_")):
                doc_part, clause_part = head.strip(), tail
    if DOC_ID.match(doc_part):
        summary = store.summary(doc_part)
        if summary is None:
            raise NotFound(f"{doc_part}: no document with this id in {store.path.parent}")
    else:
        candidates = _candidates(store.summaries(), doc_part)
        if clause_part and len(candidates) > 1:
            candidates = _holding(store, candidates, clause_part) or candidates
        summary = _pick(candidates, doc_part)
    clause_id = _find_clause(store, summary.id, clause_part) if clause_part else None
    return Target(summary.id, clause_id, summary.title)
