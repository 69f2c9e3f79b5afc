"""Lookup: what a user types to name a document or clause -> (document id, clause id or None).

Accepted forms: ``DOC_ID``, ``DOC_ID#CLAUSE_ID``, a title, short title or unique prefix of one
(``数据安全法``, ``中华人民共和国数据安全法``), a name from the alias file (个保法, 数安法, 数据二十条:
kb/data/aliases.yaml), a 发文字号 with any brackets (国办发〔2018〕124号, 国办发[2018]124号, 国办发【2018】124号),
followed by a clause as written or as an id (``数据安全法 第二十一条``, ``民法典 第一千零三十四条`` wherever its
编/章 put it, ``数据安全法 第二十一条第二款``, ``深圳经济特区数据条例#art_21``). A title names a work: its latest
version, or the one in force on a given day, and across the parts of a code stored as several files.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from kb.citations.patterns import load_aliases, title_key
from kb.errors import Ambiguous, NotFound
from kb.models import Clause, DocSummary
from kb.store.sqlite import Store
from kb.versions.records import Version

# A document id as kb makes them: 12 lowercase hex digits, e.g. 3f2a9c01b7de.
DOC_ID = re.compile(r"^[0-9a-f]{12}$")
# A clause written after a title: 第二十一条, 第21条, 第二十一条之一第二款, 第一章; the title precedes it.
CLAUSE_SUFFIX = re.compile(r"(?<!\s)\s*(第[零〇一二三四五六七八九十百千两\d]+[编章节条].*)$")
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


def _candidates(store: Store, name: str) -> list[DocSummary]:
    """The documents a name stands for: a 发文字号, an alias, else a title or short title that is ``name``, ends
    with it, starts with it, or holds it."""
    if DOC_NUMBER.match(name.strip()):
        wanted = number_key(name)
        numbered = [d for d in store.summaries() if d.meta.doc_number and number_key(d.meta.doc_number) == wanted]
        if numbered:
            return numbered
    key = title_key(name)
    if not key:
        return []
    full_title = load_aliases().expand(name)
    if full_title is not None:
        aliased = [doc_id for doc_id, full, _ in store.title_keys() if full == title_key(full_title)]
        if aliased:
            return [s for s in (store.summary(d) for d in aliased) if s is not None]
    tiers: tuple[list[str], ...] = ([], [], [], [])
    for doc_id, full, short in store.title_keys():
        if key in (full, short):
            tiers[0].append(doc_id)
        elif full.endswith(key) and len(key) >= 2:
            tiers[1].append(doc_id)
        elif full.startswith(key) or short.startswith(key):
            tiers[2].append(doc_id)
        elif len(key) >= 4 and key in full:
            tiers[3].append(doc_id)
    for tier in tiers:
        if tier:
            found = (store.summary(doc_id) for doc_id in tier)
            return [s for s in found if s is not None]
    return []


def _pick(store: Store, candidates: list[DocSummary], name: str, as_of: date | None) -> list[DocSummary]:
    """The document(s) a name stands for: one document, or the parts of the version of one work in force on
    ``as_of`` (the latest version when None). Several works raise Ambiguous, none NotFound."""
    if not candidates:
        raise NotFound(f"{name}: no document with this id or title; try `kb search '{name}' --docs`")
    works = {c.version.work if c.version else c.id for c in candidates}
    if len(works) == 1 and candidates[0].version is not None:
        versions = store.versions(work=candidates[0].version.work)
        return [s for s in (store.summary(d) for d in version_docs(versions, as_of, name)) if s is not None]
    if len(candidates) == 1:
        return candidates
    originals = [c for c in candidates if c.version is None or c.version.duplicate_of is None]
    shown = "\n".join(f"  {c.id}  {c.title}  ({c.path})" for c in originals[:20])
    more = f"\n  … and {len(originals) - 20} more" if len(originals) > 20 else ""
    raise Ambiguous(
        f"{name}: matches {len(originals)} documents; name one by its id:\n{shown}{more}",
        tuple(c.id for c in originals),
    )


def version_docs(versions: Sequence[Version], as_of: date | None, name: str) -> list[str]:
    """The documents (parts) of the version in force on ``as_of`` among one work's versions (the latest when None);
    raises NotFound when none was in force that day."""
    originals = [v for v in versions if v.duplicate_of is None]
    if as_of is None:
        last = max(v.seq for v in originals)
        return [v.doc_id for v in originals if v.seq == last]
    from kb.models import Status
    from kb.versions.works import status_on

    statuses = status_on(originals, as_of)
    chosen = [v.doc_id for v in originals if statuses[v.doc_id][0] is Status.IN_FORCE]
    if not chosen:
        first = min(originals, key=lambda v: v.seq)
        why = statuses[first.doc_id][1] if first.seq == max(v.seq for v in originals) else "no version was in force"
        raise NotFound(f"{name}: not in force on {as_of.isoformat()} ({why}); `kb show {name}` lists its versions")
    return chosen


def _find_clause(store: Store, doc_ids: Sequence[str], ref: str) -> tuple[str, str]:
    """The document (of several parts, the first holding it) and id of the clause ``ref`` names."""
    from kb.segment.segmenter import find_clause

    for doc_id in doc_ids:
        clause: Clause | None = find_clause(store.clause_tree(doc_id), ref)
        if clause is not None:
            return doc_id, clause.id
    if not doc_ids:
        raise NotFound(f"{ref}: no document to look in")
    summary = store.summary(doc_ids[0])
    title = summary.title if summary else None
    raise NotFound(f"{title or doc_ids[0]}: no clause '{ref}'; see `kb show {doc_ids[0]}` for its clauses")


def resolve_id(store: Store, text: str, as_of: date | None = None) -> Target:
    """Resolve a user's reference to a document and optional clause; raises NotFound or Ambiguous.

    A title names a work: its latest version, or with ``as_of`` the version in force that day; for a code stored
    in parts (民法典's 编), the part that holds the clause named. A document id names that document whatever
    ``as_of`` says."""
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
        chosen = [summary]
    else:
        chosen = _pick(store, _candidates(store, doc_part), doc_part, as_of)
    if not clause_part:
        first = chosen[0]
        return Target(first.id, None, first.title)
    doc_id, clause_id = _find_clause(store, [c.id for c in chosen], clause_part)
    title = next((c.title for c in chosen if c.id == doc_id), chosen[0].title)
    return Target(doc_id, clause_id, title)
