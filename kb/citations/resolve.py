"""Citation resolution: citations + the knowledge base's titles and clauses -> citations with targets or reasons.

Resolution has three parts. Titles are reduced to a key (:func:`title_key`: no 中华人民共和国, brackets, spaces or
version notes) and looked up in a :class:`TitleIndex` built from document summaries, after the alias table
(kb/data/aliases.yaml) and the aliases a document declares (以下简称). When several documents share a key the
version in force at the citing document's date wins, and among the parts of one code (民法典's 编) the one holding
the pinpointed article. Pinpoints are then located in the target's clause tree (:class:`ClauseTree`). A citation
that cannot be resolved keeps ``target_doc`` None and says why in ``reason``; :func:`resolve_all` retries those
whenever the knowledge base changes, so a later ingest of the target resolves them.
"""

from __future__ import annotations

import bisect
import json
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from kb.citations.patterns import (
    AliasTable,
    Pinpoint,
    Unit,
    load_aliases,
    parse_pinpoint,
    title_key,
)
from kb.models import Citation, CitationKind, Clause, ClauseKind, DocSummary, EventKind, Relation
from kb.normalize.docnumber import find_doc_numbers

if TYPE_CHECKING:
    from kb.store.sqlite import Store

# The most targets one range or one 前N款 expands into (a typo such as 第一条至第一千条 must not explode).
MAX_EXPANSION = 40


# -- clause trees ----------------------------------------------------------------------------------------------------

_CONTAINER_KINDS = {
    "编": ClauseKind.PART,
    "分编": ClauseKind.SUBPART,
    "章": ClauseKind.CHAPTER,
    "节": ClauseKind.SECTION,
}


class ClauseTree:
    """A document's clauses with the lookups pinpoints need: articles by number, children, ancestors."""

    def __init__(self, clauses: Sequence[Clause]) -> None:
        self.clauses = tuple(clauses)
        self.by_id = {c.id: c for c in self.clauses}
        self.children: dict[str | None, list[Clause]] = {}
        self.articles: dict[tuple[int, int | None], Clause] = {}
        self.article_order: list[Clause] = []
        for clause in self.clauses:
            self.children.setdefault(clause.parent, []).append(clause)
            if clause.kind is ClauseKind.ARTICLE and clause.ordinal is not None:
                self.articles.setdefault((clause.ordinal, clause.sub), clause)
                self.article_order.append(clause)
        own = sorted((c for c in self.clauses if c.own_end > c.start), key=lambda c: c.start)
        self._own_starts = [c.start for c in own]
        self._own = own

    def leaf_at(self, offset: int) -> Clause | None:
        """The clause whose own text holds ``offset`` (the deepest clause there), or None outside every clause."""
        index = bisect.bisect_right(self._own_starts, offset) - 1
        if index >= 0 and offset < self._own[index].own_end:
            return self._own[index]
        best: Clause | None = None  # segments that do not tile the body: the deepest clause spanning the offset
        for clause in self.clauses:
            if clause.start <= offset < clause.end and (best is None or clause.depth >= best.depth):
                best = clause
        return best

    def ancestor(self, clause: Clause | None, kind: ClauseKind) -> Clause | None:
        """``clause`` itself or its nearest ancestor of ``kind``."""
        while clause is not None:
            if clause.kind is kind:
                return clause
            clause = self.by_id.get(clause.parent) if clause.parent else None
        return None

    def descendants(self, clause: Clause | None) -> Iterator[Clause]:
        """Every clause below ``clause`` (below the top when None), in document order."""
        stack = list(reversed(self.children.get(clause.id if clause else None, [])))
        while stack:
            current = stack.pop()
            yield current
            stack.extend(reversed(self.children.get(current.id, [])))

    def kids(self, clause: Clause, kind: ClauseKind) -> list[Clause]:
        """The children of ``clause`` of one kind."""
        return [c for c in self.children.get(clause.id, []) if c.kind is kind]

    def previous_article(self, article: Clause) -> Clause | None:
        """The article before ``article`` in document order."""
        try:
            index = self.article_order.index(article)
        except ValueError:
            return None
        return self.article_order[index - 1] if index > 0 else None

    def locate(self, units: Sequence[Unit], scope: Clause | None = None) -> tuple[Clause | None, str]:
        """The clause a path of units names, searched from ``scope`` (the whole document when None).

        Returns the clause (None when absent) and a note: "" when exact, else what was approximated or missing.
        An article without paragraph clauses stands for its 第一款.
        """
        current = scope
        note = ""
        for unit in units:
            if unit.unit == "条":
                found = self.articles.get((unit.number, unit.sub))
            elif unit.unit in _CONTAINER_KINDS:
                kind = _CONTAINER_KINDS[unit.unit]
                found = next(
                    (c for c in self.descendants(current) if c.kind is kind and c.ordinal == unit.number), None
                )
            elif unit.unit == "款":
                if current is None or current.kind is not ClauseKind.ARTICLE:
                    return None, f"{unit.written()} without its article"
                paragraphs = self.kids(current, ClauseKind.PARAGRAPH)
                found = next((c for c in paragraphs if c.ordinal == unit.number), None)
                if found is None and not paragraphs and unit.number == 1:
                    found, note = current, "the article has one paragraph"
            else:
                kind = ClauseKind.POINT if unit.unit == "项" else ClauseKind.SUBPOINT
                matches = [c for c in self.descendants(current) if c.kind is kind and c.ordinal == unit.number]
                found = matches[0] if matches else None
                if len(matches) > 1:
                    note = f"{unit.written()} occurs in {len(matches)} paragraphs; the first is taken"
            if found is None:
                return None, f"no {unit.written()}"
            current = found
        return current, note


_RELATIVE_KIND = {"条": ClauseKind.ARTICLE, "款": ClauseKind.PARAGRAPH, "项": ClauseKind.POINT,
                  "章": ClauseKind.CHAPTER, "节": ClauseKind.SECTION, "编": ClauseKind.PART}  # fmt: skip
_COUNT_WORD = {2: "两", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九"}


def internal_pinpoint(relative: str, count: int, pinpoint: Pinpoint | None) -> str | None:
    """The pinpoint text of an internal reference: 第十条第二款, 前款, 前两款, 前款第一项, 本条第二款."""
    if relative in ("", "本"):
        return pinpoint.written() if pinpoint else None
    several = f"前{_COUNT_WORD.get(count, str(count))}{relative[-1]}"
    head = relative if relative.startswith("本") or count == 1 else several
    return head + (pinpoint.written() if pinpoint else "")


def internal_scopes(tree: ClauseTree, leaf: Clause | None, relative: str, count: int,
                    pinpoint: Pinpoint | None) -> tuple[list[Clause | None], str]:  # fmt: skip
    """The clauses an internal reference's pinpoint is read from (None: the whole document), or why none.

    ``relative`` is "本" for 本法第X条, "" for a bare pinpoint, 本条/本款/本项, or 前条/前款/前项 (``count`` of them).
    """
    article = tree.ancestor(leaf, ClauseKind.ARTICLE)
    if relative == "本" or (relative == "" and pinpoint and pinpoint.units[0].rank <= 4):
        return [None], ""
    if relative == "":  # a bare 第二款 / 第三项: inside the current article (its paragraph first for 项)
        assert pinpoint is not None
        if article is None:
            return [], f"{pinpoint.written()} outside an article"
        if pinpoint.units[0].unit in ("项", "目"):
            paragraph = tree.ancestor(leaf, ClauseKind.PARAGRAPH)
            if paragraph is not None and tree.locate(pinpoint.units, paragraph)[0]:
                return [paragraph], ""
        return [article], ""
    if relative.startswith("本"):
        current = tree.ancestor(leaf, _RELATIVE_KIND[relative[1]])
        if current is None and relative == "本款" and article is not None:
            current = None if tree.kids(article, ClauseKind.PARAGRAPH) else article  # one paragraph: the article
        return ([current], "") if current else ([], f"{relative} outside such a unit")
    kind = _RELATIVE_KIND[relative[1]]
    current = tree.ancestor(leaf, kind)
    if current is None:
        return [], f"{relative} outside a {kind.value}"
    if kind is ClauseKind.ARTICLE:
        siblings = list(tree.article_order)
    else:
        parent = tree.by_id.get(current.parent) if current.parent else None
        siblings = tree.kids(parent, kind) if parent else [current]
    index = siblings.index(current) if current in siblings else -1
    if index < 0:
        return [], f"{relative}: its {kind.value} is not numbered"
    if index - count < 0:
        return [], f"{relative} in the first {kind.value}"
    if kind is ClauseKind.PARAGRAPH and count == 1:
        lead = next((s for s in reversed(siblings[:index]) if siblings[index - 1] in unnumbered_items(tree, s)), None)
        if lead is not None:  # the paragraph before is an item of a list whose markers the source lost
            return [lead], ""
    return list(siblings[index - count : index]), ""


def unnumbered_items(tree: ClauseTree, paragraph: Clause) -> list[Clause]:
    """The paragraphs after ``paragraph`` that are items of a list it opens but whose （一） markers the source
    lost: ``paragraph`` ends with a colon and has no points, and the items run to the first one ending in 。."""
    if tree.kids(paragraph, ClauseKind.POINT) or not paragraph.text.rstrip().endswith(("：", ":")):
        return []
    parent = tree.by_id.get(paragraph.parent) if paragraph.parent else None
    siblings = tree.kids(parent, ClauseKind.PARAGRAPH) if parent else []
    if paragraph not in siblings:
        return []
    items: list[Clause] = []
    for sibling in siblings[siblings.index(paragraph) + 1 :]:
        text = sibling.text.rstrip()
        if text.endswith(("：", ":")):
            break
        items.append(sibling)
        if not text.endswith(("；", ";")):
            break
    return items if len(items) >= 2 else []


def internal_targets(tree: ClauseTree, leaf: Clause | None, relative: str, count: int,
                     pinpoint: Pinpoint | None) -> list[tuple[Clause | None, str]]:  # fmt: skip
    """The clauses an internal reference names (a range or 前两款 names several), each with a reason."""
    scopes, why = internal_scopes(tree, leaf, relative, count, pinpoint)
    if not scopes:
        return [(None, f"internal: {why}")]
    out: list[tuple[Clause | None, str]] = []
    for scope in scopes:
        for path in expand(pinpoint) if pinpoint else [()]:
            target, note = tree.locate(path, scope) if path else (scope, "")
            if target is None and scope is not None and path and path[0].unit == "项":
                items = unnumbered_items(tree, scope)
                if 0 < path[0].number <= len(items) and len(path) == 1:
                    target, note = items[path[0].number - 1], "an item whose （一） marker the source lacks"
            if target is None:
                where = (scope.number or scope.id) if scope else "this document"
                out.append((None, f"internal: {note} in {where}"))
            else:
                out.append((target, "internal" + (f" ({note})" if note else "")))
    return out


def expand(pinpoint: Pinpoint) -> list[tuple[Unit, ...]]:
    """The unit paths a pinpoint names: one for a plain pinpoint, each member of a range otherwise."""
    if not pinpoint.until:
        return [pinpoint.units]
    first, last = pinpoint.units, pinpoint.until
    if len(first) != len(last) or first[:-1] != last[:-1] or first[-1].unit != last[-1].unit:
        return [first, last]
    lo, hi = first[-1].number, last[-1].number
    if hi < lo or hi - lo >= MAX_EXPANSION:
        return [first, last]
    head = first[:-1]
    paths: list[tuple[Unit, ...]] = []
    for n in range(lo, hi + 1):
        sub = first[-1].sub if n == lo else None
        paths.append((*head, Unit(first[-1].unit, n, sub)))
    if last[-1].sub:  # 第十条至第十二条之一: the range ends on the 之一 article as well
        paths.append(last)
    return paths


# -- the title index -------------------------------------------------------------------------------------------------

# An issuer before 关于 in a title, which citations often leave out: 最高人民法院关于…的解释 cited as 《关于…的解释》.
_ISSUER_THEN_ABOUT = re.compile(r"^[^关]{2,40}?(?=关于)")
# A notice that issues the document it names: 国务院关于印发促进大数据发展行动纲要的通知 -> 促进大数据发展行动纲要.
_ISSUING_NOTICE = re.compile(r"关于印发(?:《)?(?P<inner>.+?)(?:》)?的通知$")
# Resolution reasons start with one of these; what precedes " → " is the finder's own note, kept on re-resolution.
RESOLVED = "resolved"
UNRESOLVED = "unresolved"


def doc_date(summary: DocSummary) -> date | None:
    """The date a document's text speaks from: its version date, else its effective, promulgation or adoption."""
    meta = summary.meta
    return meta.version_date or meta.effective or meta.promulgated or meta.adopted


@dataclass
class TitleIndex:
    """Documents of the knowledge base by title key, alternative key and document number, with their clauses."""

    clauses: Callable[[str], Sequence[Clause]]
    aliases: AliasTable
    by_key: dict[str, list[DocSummary]] = field(default_factory=dict)
    by_alt_key: dict[str, list[DocSummary]] = field(default_factory=dict)
    by_number: dict[str, list[DocSummary]] = field(default_factory=dict)
    docs: dict[str, DocSummary] = field(default_factory=dict)
    _trees: dict[str, ClauseTree] = field(default_factory=dict)

    @classmethod
    def build(cls, docs: Iterable[DocSummary], clauses: Callable[[str], Sequence[Clause]],
              aliases: AliasTable | None = None) -> TitleIndex:  # fmt: skip
        """An index of ``docs``; ``clauses(doc_id)`` gives a document's clauses when a pinpoint needs them."""
        index = cls(clauses=clauses, aliases=aliases or load_aliases())
        for summary in docs:
            index.add(summary)
        return index

    def add(self, summary: DocSummary) -> None:
        """Index one document under its title, short title, the title less its issuer, and its 文号."""
        self.docs[summary.id] = summary
        keys = {title_key(t) for t in (summary.title, summary.meta.title, summary.meta.short_title) if t}
        for key in keys - {""}:
            self.by_key.setdefault(key, []).append(summary)
        for title in {t for t in (summary.title, summary.meta.title) if t}:
            alts = set()
            issuer = _ISSUER_THEN_ABOUT.match(title)
            if issuer:
                alts.add(title_key(title[issuer.end() :]))
            notice = _ISSUING_NOTICE.search(title)
            if notice:
                alts.add(title_key(notice.group("inner")))
            for key in alts - keys - {""}:
                self.by_alt_key.setdefault(key, []).append(summary)
        if summary.meta.doc_number_key:
            self.by_number.setdefault(summary.meta.doc_number_key, []).append(summary)

    def tree(self, doc_id: str) -> ClauseTree:
        """The clause tree of a document (loaded once)."""
        tree = self._trees.get(doc_id)
        if tree is None:
            tree = self._trees[doc_id] = ClauseTree(self.clauses(doc_id))
        return tree

    def candidates(self, title: str, text: str = "", citing: DocSummary | None = None) -> tuple[list[DocSummary], str]:
        """Documents a cited title may name, and how they were found; ``text`` may hold a 文号 in brackets.

        A title without its issuer (《关于修改部分地方性法规的决定》) names a national document or one of the citing
        document's own province; when it still fits the titles of several issuers, it names none of them.
        """
        for number in find_doc_numbers(text):
            found = self.by_number.get(number.key)
            if found:
                return list(found), f"document number {number.text}"
        key = title_key(title)
        if key in self.by_key:
            return list(self.by_key[key]), "title"
        expanded = self.aliases.expand(title)
        if expanded and title_key(expanded) in self.by_key:
            return list(self.by_key[title_key(expanded)]), f"alias {title}"
        for alt, how in ((key, "title less its issuer"), (title_key(expanded) if expanded else "", f"alias {title}")):
            found = self.by_alt_key.get(alt, []) if alt else []
            province = citing.meta.province if citing else None
            found = [d for d in found if d.meta.province is None or d.meta.province == province]
            if len({title_key(d.title or "") for d in found}) == 1:
                return found, how
        return [], ""


def version_of(summary: DocSummary) -> tuple[object, date | None]:
    """What a document is a version of and when that version came into force: its work and place among the work's
    versions when the versions stage has linked it (the parts of a code share them), else its own date."""
    if summary.version is not None:
        v = summary.version
        return (v.work, v.seq), v.start or v.date or doc_date(summary)
    return (None, doc_date(summary)), doc_date(summary)


def choose_version(candidates: Sequence[DocSummary], when: date | None) -> tuple[list[DocSummary], str, bool]:
    """The candidates of the version in force on ``when`` (all parts of it), a note on the choice, and whether
    every version is later than ``when`` (the version cited is then not among them).

    The version in force is the latest dated on or before ``when``; with no date, the latest; when every version
    is later, the earliest. Undated versions count as older than any dated one. Copies of a document (same title,
    date and text in two files) give way to the document.
    """
    originals = [c for c in candidates if c.version is None or c.version.duplicate_of is None] or list(candidates)
    groups: dict[object, date | None] = {}
    for c in originals:
        group, day = version_of(c)
        groups[group] = day
    dated = sorted(groups.items(), key=lambda g: (g[1] is not None, g[1] or date.min, str(g[0])))
    if when is None:
        chosen = dated[-1]
        note = f"latest of {len(dated)} versions" if len(dated) > 1 else ""
        later_only = False
    else:
        before = [g for g in dated if g[1] is None or g[1] <= when]
        later_only = not before
        chosen = before[-1] if before else dated[0]
        shown = chosen[1].isoformat() if chosen[1] else "undated"
        if later_only:
            note = f"every version here is later than {when.isoformat()}: the earliest, {shown}"
        else:
            note = f"version {shown} in force on {when.isoformat()}" if len(dated) > 1 else ""
    return [c for c in originals if version_of(c)[0] == chosen[0]], note, later_only


def citing_date(citation: Citation, citing: DocSummary) -> date | None:
    """The day whose version a citation means: the citing document's date, or for a decision amending the cited
    text (关于修改《…》的决定: relation AMENDS) the day before, since its 第X条 are those of the text it amends."""
    when = citing.version.date if citing.version is not None and citing.version.date else doc_date(citing)
    if when is not None and citation.relation is Relation.AMENDS:
        return when - timedelta(days=1)
    return when


def renumbering_possible(target: DocSummary, since: date | None) -> bool:
    """True unless every change to ``target`` after ``since`` was a separate 修正案 (刑法's way), which keeps
    article numbers; a 修正 by decision or a 修订 may renumber them, and no dated history means no assurance."""
    if since is None:
        return False
    if target.version is not None and target.version.date is not None and target.version.date <= since:
        return False  # adopted before the citing text, only not yet in force then: the very text it cites
    changes = [e for e in target.meta.events if e.date > since]
    if not changes:
        return True
    return any(e.kind in (EventKind.AMENDED, EventKind.REVISED) for e in changes)


def _hint(reason: str | None) -> str | None:
    """The finder's note in a reason, without any earlier resolution."""
    if not reason:
        return None
    head = reason.split(" → ", 1)[0] if " → " in reason else reason
    if head.startswith((RESOLVED, UNRESOLVED)):
        return None
    return head


def _with_reason(citation: Citation, result: str) -> str:
    hint = _hint(citation.reason)
    return f"{hint} → {result}" if hint else result


def _locate_in(index: TitleIndex, docs: Sequence[DocSummary], pinpoint: Pinpoint | None
               ) -> list[tuple[DocSummary, Clause | None, str]]:  # fmt: skip
    """For each path of the pinpoint: the document (part) holding it and the clause, or why not."""
    paths = expand(pinpoint) if pinpoint else []
    if not paths:
        first = min(docs, key=lambda d: (0 if index.tree(d.id).articles.get((1, None)) else 1, d.path))
        return [(first, None, "")]
    out: list[tuple[DocSummary, Clause | None, str]] = []
    for path in paths:
        found: tuple[DocSummary, Clause | None, str] | None = None
        for doc in sorted(docs, key=lambda d: d.path):
            clause, note = index.tree(doc.id).locate(path)
            if clause is not None:
                found = (doc, clause, note)
                break
            if found is None:
                found = (doc, None, note)
        assert found is not None
        out.append(found)
    return out


def resolve_one(citation: Citation, index: TitleIndex, citing: DocSummary) -> list[Citation]:
    """The resolved form of one citation: one record per target (a range gives several), or one unresolved."""
    pinpoint = parse_pinpoint(citation.pinpoint) if citation.pinpoint else None
    if citation.kind is CitationKind.INTERNAL:
        if citation.target_doc == citing.id or not citing.title:
            return [citation]
        if citation.target_doc is not None:  # resolved into a sibling part before: look again, it may be gone
            citation = replace(citation, target_doc=None, target_clause=None)
        # 本法第X条 in one part of a code stored as several documents (民法典's 编): look in its sibling parts.
        own = index.docs.get(citing.id, citing)
        siblings = [d for d in index.by_key.get(title_key(citing.title), []) if d.id != citing.id]
        if own.version is not None:
            siblings = [s for s in siblings if version_of(s)[0] == version_of(own)[0]]
        else:
            siblings = choose_version(siblings, doc_date(citing))[0] if siblings else []
            siblings = [s for s in siblings if doc_date(s) == doc_date(citing)]
        if not siblings or pinpoint is None:
            return [citation]
        out = []
        for doc, clause, _note in _locate_in(index, siblings, pinpoint):
            if clause is None:
                out.append(citation)
            else:
                out.append(replace(citation, target_doc=doc.id, target_clause=clause.id,
                                   reason="internal (another part of the same code)"))  # fmt: skip
        return out
    title = citation.title or ""
    found, how = index.candidates(title, citation.text, citing)
    found = [d for d in found if d.id != citing.id]
    if not found:
        why = "cites its own title" if how else "no document with this title in the knowledge base"
        return [replace(citation, target_doc=None, target_clause=None,
                        reason=_with_reason(citation, f"{UNRESOLVED}: {why}"))]  # fmt: skip
    when = citing_date(citation, citing)
    chosen, version_note, later_only = choose_version(found, when)
    out = []
    for doc, clause, note in _locate_in(index, chosen, pinpoint):
        parts = [f"{RESOLVED} by {how}", version_note]
        if later_only and clause is not None and renumbering_possible(doc, when):
            # A 修正 or 修订 may renumber articles: a later version's 第X条 may be another provision.
            clause = None
            parts.append(f"{citation.pinpoint} is not located in a later version, so the document is the target")
        elif later_only and clause is not None:
            parts.append("the text changed since only by 修正案 adopted apart, which keep article numbers")
        elif pinpoint is not None and clause is None:
            parts.append(f"{note or 'no ' + (citation.pinpoint or '')} in this version, so the document is the target")
        else:
            parts.append(note)
        out.append(replace(citation, target_doc=doc.id, target_clause=clause.id if clause else None,
                           reason=_with_reason(citation, "; ".join(p for p in parts if p))))  # fmt: skip
    return out


def resolve(citations: Sequence[Citation], index: TitleIndex, citing: DocSummary) -> tuple[Citation, ...]:
    """Resolve a document's citations against ``index``; idempotent (a range expanded before is re-read once)."""
    out: list[Citation] = []
    seen: set[tuple[Any, ...]] = set()
    for citation in citations:
        if citation.kind is not CitationKind.INTERNAL:
            key = (citation.clause_id, citation.start, citation.end, citation.title, citation.pinpoint)
            if key in seen:
                continue  # another target of a range resolved before: the range is resolved again as a whole
            seen.add(key)
        out.extend(resolve_one(citation, index, citing))
    return tuple(out)


# -- the knowledge base ----------------------------------------------------------------------------------------------

# The store's meta key under which resolve_all keeps what it last resolved against: {doc id: [sha256, title keys]}.
RESOLVE_STATE = "resolve_state"


@dataclass(frozen=True, slots=True)
class ResolveReport:
    """What one run of :func:`resolve_all` did."""

    documents: int  # documents whose citations were re-resolved
    changed: int  # documents whose stored citations changed
    citations: int  # citations of the re-resolved documents
    resolved: int  # of those, with a target document
    unresolved: int
    seconds: float


def _keys_of(summary: DocSummary) -> list[str]:
    return sorted({title_key(t) for t in (summary.title, summary.meta.title, summary.meta.short_title) if t} - {""})


def resolve_all(store: Store, *, aliases: AliasTable | None = None, full: bool = False) -> ResolveReport:
    """Re-resolve the citations the last changes to the knowledge base may affect, and store the results.

    Affected are the changed documents, those citing a changed or removed one, those with a citation whose title
    key names a changed or removed document (a new version may now be the one in force), and those with an
    unresolved citation that a changed document could now answer. ``full`` re-resolves everything.
    """
    started = time.perf_counter()
    summaries = {s.id: s for s in store.summaries()}
    live = store.live_versions()
    raw_state = store.get_meta(RESOLVE_STATE)
    state: dict[str, list[Any]] = json.loads(raw_state) if raw_state and not full else {}
    documents: dict[str, Sequence[Clause]] = {}

    def clauses(doc_id: str) -> Sequence[Clause]:
        if doc_id not in documents:
            doc = store.get_document(doc_id)
            documents[doc_id] = doc.clauses if doc else ()
        return documents[doc_id]

    index = TitleIndex.build(summaries.values(), clauses, aliases)
    changed_docs = {d for d, sha in live.items() if not state or state.get(d, [None])[0] != sha}
    removed = set(state) - set(live)
    keys = {k for d in changed_docs if d in summaries for k in _keys_of(summaries[d])}
    keys.update(k for d in removed for k in state[d][1:])
    todo = set(changed_docs)
    if changed_docs or removed:
        touched = changed_docs | removed
        for c in store.citations():
            if c.target_doc in touched or (c.title and title_key(c.title) in keys):
                todo.add(c.doc_id)
            elif c.target_doc is None and c.title and c.doc_id not in todo:
                # an open citation can only close on a changed document it names (through the aliases too)
                found, _ = index.candidates(c.title, c.text, summaries.get(c.doc_id))
                if any(s.id in changed_docs for s in found):
                    todo.add(c.doc_id)
    changed = total = hit = 0
    with store.transaction():
        for doc_id in sorted(todo & set(summaries)):
            before = tuple(store.citations(doc_id=doc_id))
            after = resolve(before, index, summaries[doc_id])
            total += len(after)
            hit += sum(1 for c in after if c.target_doc is not None)
            if after != before:
                store.replace_citations(doc_id, after)
                changed += 1
        new_state = {d: [sha, *_keys_of(summaries[d])] for d, sha in live.items() if d in summaries}
        store.set_meta(RESOLVE_STATE, json.dumps(new_state, ensure_ascii=False))
    return ResolveReport(len(todo & set(summaries)), changed, total, hit, total - hit, time.perf_counter() - started)
