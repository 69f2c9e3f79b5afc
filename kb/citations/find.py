"""Citation finding: a Document -> the references its clauses make (titles, short names, pinpoints), with spans.

:func:`find_citations` reads ``Document.body`` once per kind of reference, each kind claiming the characters it
uses so that no text is read twice, in this order:

1. titles in 《》 (nested 〈〉 and 《》 kept whole), with a following declaration (（以下简称《X》）), document
   number (（法释〔2015〕11号）) and pinpoints (第十条第二款、第三款; 第五条至第八条);
2. the document itself: 本法/本条例/本办法/本规定/本解释… 第X条; the current unit: 本条第二款, 本款第一项;
   relative units: 前款, 前两款, 前条, 前项 (with pinpoints below them: 前款第一项);
3. 该法/该条例 第X条, which repeat the last title cited in the same article;
4. names without brackets: aliases declared with 以下简称, the national laws of kb/data/aliases.yaml
   (民事诉讼法第六十四条, 依照刑法有关规定) and a name that ends in a document word after a verb such as 依照 or
   违反 (违反道路交通安全法实施条例第十条);
5. bare pinpoints inside an article (依照第二十一条的规定, 第二款所称), which name the document itself, or in an
   amending document (关于修改《X》的决定, 刑法修正案) the document it amends.

Every citation is attached to the deepest clause whose own text holds its start (a point, a paragraph, or an
article without paragraph clauses; a division or item of a policy document), so ``clause_id`` is exact.
References inside the document are resolved here, against its own clause tree (resolve.ClauseTree); a range or
前两款 yields one citation per target, sharing the span. Titles are resolved later by kb.citations.resolve against the
knowledge base. Relations (basis, amends, repeals) are read from the sentence around a title.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from kb.citations.patterns import (
    AFTER_FIRST_N,
    AFTER_UNIT,
    AMEND_VERBS,
    ANAPHORA,
    BARE_NAME_BEFORE_PINPOINT,
    COUNTRY_PREFIX,
    CURRENT_PART,
    CURRENT_UNIT,
    FIRST_N,
    HEADING_AFTER,
    HISTORY_NOTE,
    LEFT_OK,
    NAME_END,
    NAME_FOLLOW,
    NAME_LEAD,
    NAME_RIGHT,
    NAME_TAIL,
    PINPOINT_LIST,
    PINPOINT_RANGE,
    PINPOINT_START,
    PINPOINT_UNIT,
    RELATIVE_COUNT,
    RELATIVE_REFERENCE,
    SELF_REFERENCE,
    UNIT_RANK,
    AliasTable,
    Pinpoint,
    Unit,
    amended_title,
    inherit,
    is_document_title,
    keeps_parenthetical,
    load_aliases,
    parenthetical_end,
    quote_depths,
    read_abbreviated,
    read_units,
    scan_titles,
    sentence_bounds,
    title_key,
    title_relations,
)
from kb.citations.resolve import ClauseTree, internal_pinpoint, internal_targets
from kb.models import Citation, CitationKind, Clause, ClauseKind, Document, Relation
from kb.segment.patterns import REFERENCE_TAIL


@dataclass
class _Hit:
    """A reference being assembled: where it is, what it names, and how to resolve it."""

    kind: CitationKind
    start: int
    end: int
    anchor: tuple[int, int]  # the title (or name) the reference hangs on; the pinpoint itself for bare ones
    title: str | None = None
    pinpoint: Pinpoint | None = None
    relative: str | None = None  # 前款, 前两款, 前条, 本条, 本款 or "" for a bare pinpoint
    count: int = 1
    relation: Relation = Relation.CITES
    reason: str | None = None


def find_citations(doc: Document, *, aliases: AliasTable | None = None) -> tuple[Citation, ...]:
    """Every citation in ``doc``'s body, in order of position; internal ones already resolved."""
    return _Finder(doc, aliases or load_aliases()).run()


@lru_cache(maxsize=8)
def _name_lengths(aliases: AliasTable) -> tuple[int, ...]:
    # Name lengths, longest first: the longest name ending at a place wins (反不正当竞争法 over 不正当竞争法).
    return tuple(sorted({len(n) for n in aliases.short_names}, reverse=True))


class _Finder:
    """One pass of finding over one document."""

    def __init__(self, doc: Document, aliases: AliasTable) -> None:
        self.doc = doc
        self.body = doc.body
        self.aliases = aliases
        self.tree = ClauseTree(doc.clauses)
        self.taken = bytearray(len(self.body))
        self.hits: list[_Hit] = []
        self.declared: dict[str, tuple[int, str]] = {}  # alias -> (declared at, full title)
        self.amends: list[tuple[int, str]] = []  # (from offset, title amended there)
        self.own_key = title_key(doc.title) if doc.title else None
        self.has_articles = bool(self.tree.articles)
        self.doc_amends = amended_title(doc.title)
        self._line_starts: list[int] = []
        self._line_depth: list[int] | None = None

    # -- bookkeeping ---------------------------------------------------------------------------------------------

    def free(self, start: int, end: int) -> bool:
        return not any(self.taken[start:end])

    def take(self, start: int, end: int) -> None:
        self.taken[start:end] = b"\x01" * (end - start)

    def add(self, hit: _Hit) -> None:
        self.hits.append(hit)
        self.take(hit.start, hit.end)

    def paths_at(self, pos: int, previous: tuple[Unit, ...]) -> tuple[list[tuple[Unit, ...]], int]:
        """The unit paths one pinpoint at ``pos`` names (several for 第二、三、五项) and where it ends."""
        paths, end = read_abbreviated(self.body, pos)
        if paths:
            return [inherit(p, previous) for p in paths], end
        units, end = read_units(self.body, pos)
        if not units:
            return [], pos
        paths, abbreviated_end = read_abbreviated(self.body, end, units)  # 第六十一条第一款第二、三、五项
        if paths:
            return [inherit(p, previous) for p in paths], abbreviated_end
        first = FIRST_N.match(self.body, end)  # 第三百零七条之一前三款: its first three paragraphs
        if first and UNIT_RANK[first.group(2)] > units[-1].rank:
            count = RELATIVE_COUNT[first.group(1)]
            return [inherit((*units, Unit(first.group(2), n)), previous) for n in range(1, count + 1)], first.end()
        return [inherit(units, previous)], end

    def chain(self, pos: int, previous: tuple[Unit, ...] = ()) -> list[tuple[int, int, Pinpoint]]:
        """The pinpoints starting exactly at ``pos``: one path, or a list / range of them (第十条、第十二条).

        A list abbreviated as 第二、三、五项 gives one pinpoint per number, all with the span of the whole list.
        """
        items: list[tuple[int, int, Pinpoint]] = []
        if pos < len(self.body) and self.body[pos] == " ":
            pos += 1
        paths, end = self.paths_at(pos, previous)
        item_start = pos
        while paths:
            units = paths[-1]
            if len(paths) > 1:
                items.extend((item_start, end, Pinpoint(p)) for p in paths)
            else:
                until: tuple[Unit, ...] = ()
                r = PINPOINT_RANGE.match(self.body, end)
                if r:
                    later, later_end = read_units(self.body, r.end())
                    if later and later[0].rank >= units[0].rank and later[-1].unit == units[-1].unit:
                        until, end = inherit(later, units), later_end
                items.append((item_start, end, Pinpoint(units, until)))
                units = until or units
            joiner = PINPOINT_LIST.match(self.body, end)
            if joiner is None:
                break
            paths, following_end = self.paths_at(joiner.end(), units)
            if paths:
                item_start, end = joiner.end(), following_end
        return items

    # -- the passes ----------------------------------------------------------------------------------------------

    def run(self) -> tuple[Citation, ...]:
        self.mark_structure()
        self.find_titles()
        self.read_relations()  # the amendments (对《X》作如下修改) the later passes read pinpoints against
        self.find_self_references()
        self.find_current_units()
        self.find_current_parts()
        self.find_relative()
        self.find_anaphora()
        self.find_declared_uses()
        self.find_short_names()
        self.find_lead_names()
        self.find_bare()
        self.hits.sort(key=lambda h: (h.start, h.end))
        self.read_relations()
        out: list[Citation] = []
        for hit in self.hits:
            out.extend(self.to_citations(hit))
        return tuple(out)

    def mark_structure(self) -> None:
        """Claim structural numbers (an article's own 第X条), tables of contents and a history note on top."""
        first_numbered = len(self.body)
        for clause in self.doc.clauses:
            if clause.kind is ClauseKind.TOC:
                self.take(clause.start, clause.end)
                continue
            if clause.number and clause.kind in (
                ClauseKind.ARTICLE, ClauseKind.CHAPTER, ClauseKind.SECTION, ClauseKind.PART, ClauseKind.SUBPART
            ):  # fmt: skip
                first_numbered = min(first_numbered, clause.start)
                pos = clause.start
                while pos < clause.end and self.body[pos] in " \u3000#":
                    pos += 1
                m = PINPOINT_UNIT.match(self.body, pos)
                if m:
                    self.take(m.start(), m.end())
        pos = 0
        while pos < first_numbered:
            line_end = self.body.find("\n", pos)
            line_end = len(self.body) if line_end < 0 else line_end
            line = self.body[pos:line_end].strip()
            if HISTORY_NOTE.match(line) or (self.own_key and line and title_key(line) == self.own_key):
                self.take(pos, line_end)
            pos = line_end + 1

    def find_titles(self) -> None:
        body = self.body
        for start, end in scan_titles(body):
            if not self.free(start, end):
                continue
            inner = body[start + 1 : end - 1].strip()
            if start > 0 and body[start - 1] == "本" and inner:  # 本《办法》第二十条: the document itself
                self.take(start - 1, end)
                for s, e, pinpoint in self.chain(end):
                    self.add(_Hit(CitationKind.INTERNAL, s, e, (s, e), pinpoint=pinpoint, relative="本"))
                continue
            if not inner or not is_document_title(inner):
                self.take(start, end)  # 《》 or 《营业执照》: not a citation, and what follows is not internal
                for s, e, _ in self.chain(end):
                    self.take(s, e)
                continue
            title = inner
            declared = self.declared.get(title_key(inner))
            reason = None
            if declared and declared[0] < start:
                title, reason = declared[1], f"declared alias {inner}"
            tail = end
            paren_end = parenthetical_end(body, end)
            if paren_end is not None and keeps_parenthetical(body[end:paren_end]):
                tail = paren_end
                self.declare(body[end:paren_end], start, title)
            self.add_chain(CitationKind.TITLE, start, end, tail, title, reason)

    def declare(self, paren: str, start: int, title: str) -> None:
        """Record the short names a bracket after a title declares: （以下简称《X》）, （以下分别简称《A》、《B》）."""
        m = re.search(r"以下(?:分别|均|统)?(?:简|统)?称(?:为)?", paren)
        if m is None:
            return
        rest = paren[m.end() :]
        names = [rest[a + 1 : b - 1] for a, b in scan_titles(rest)]
        if not names:
            plain = re.match(
                r"[“\"]?([^（）()“”\"，,；;]{1,30}?(?:[（(][^（）()]{1,8}[）)])?)[”\"]?[）)]?$", rest.strip()
            )
            names = [plain.group(1)] if plain else []
        if len(names) == 1:
            titles = [title]
        else:  # 《A》、《B》（以下分别简称《甲》、《乙》）: the titles just before, in order
            previous = [h.title for h in self.hits if h.kind is CitationKind.TITLE and h.title and h.start < start]
            titles = ([*previous, title])[-len(names) :]
        for name, full in zip(names, titles, strict=False):
            if name and title_key(name) != title_key(full):
                self.declared[title_key(name)] = (start, full)

    def add_chain(self, kind: CitationKind, start: int, anchor_end: int, tail: int, title: str,
                  reason: str | None) -> None:  # fmt: skip
        """One citation per pinpoint after a title (the first carries the title's words), or one without."""
        items = self.chain(tail)
        if not items:
            self.add(_Hit(kind, start, tail, (start, anchor_end), title=title, reason=reason))
            return
        for s, e, pinpoint in items:
            begin = start if s == items[0][0] else s  # the first pinpoint (and 第二、三项 sharing it) carries the title
            self.add(_Hit(kind, begin, e, (start, anchor_end), title=title, pinpoint=pinpoint, reason=reason))

    def context_title(self, pos: int) -> str | None:
        """The document an amending text is amending at ``pos``, if any."""
        current = None
        for at, title in self.amends:
            if at <= pos:
                current = title
        return current or self.doc_amends

    def find_self_references(self) -> None:
        for m in SELF_REFERENCE.finditer(self.body):
            if not self.free(m.start(), m.end()):
                continue
            items = self.chain(m.end())
            in_amendment = self.doc_amends or not self.has_articles or self.in_quote(m.start())
            context = self.context_title(m.start()) if in_amendment else None
            for s, e, pinpoint in items:
                start = m.start() if s == items[0][0] else s
                if context:
                    self.add(
                        _Hit(
                            CitationKind.TITLE,
                            start,
                            e,
                            (m.start(), m.end()),
                            title=context,
                            pinpoint=pinpoint,
                            reason=f"本{m.group('unit')} in an amendment of {context}",
                        )
                    )
                else:
                    self.add(_Hit(CitationKind.INTERNAL, start, e, (s, e), pinpoint=pinpoint, relative="本"))

    def quoted_amendment(self, pos: int) -> bool:
        """True inside the new text an amending document quotes: its 前款 and 本条 belong to the amended law."""
        return bool(self.doc_amends or self.amends) and self.in_quote(pos)

    def find_current_units(self) -> None:
        for m in CURRENT_UNIT.finditer(self.body):
            if not self.free(m.start(), m.end()) or self.quoted_amendment(m.start()):
                continue
            items = self.chain(m.end())
            for s, e, pinpoint in items:
                begin = m.start() if s == items[0][0] else s
                self.add(
                    _Hit(CitationKind.INTERNAL, begin, e, (s, e), pinpoint=pinpoint, relative="本" + m.group("unit"))
                )

    def find_current_parts(self) -> None:
        """本章规定, 本节所称: the chapter or section holding the clause (not in an amendment's quoted text)."""
        for m in CURRENT_PART.finditer(self.body):
            if not self.free(m.start(), m.end()) or self.quoted_amendment(m.start()) or not self.has_articles:
                continue
            self.add(_Hit(CitationKind.INTERNAL, m.start(), m.end(), (m.start(), m.end()),
                          relative="本" + m.group("unit")))  # fmt: skip

    def find_relative(self) -> None:
        for m in RELATIVE_REFERENCE.finditer(self.body):
            if not self.free(m.start(), m.end()) or self.quoted_amendment(m.start()):
                continue
            if m.group("count") and AFTER_UNIT.search(self.body, max(0, m.start() - 1), m.start()):
                continue  # 第三百零七条之一前三款: the first three paragraphs of that article, read with its pinpoint
            count = RELATIVE_COUNT.get(m.group("count") or "", 1)
            relative = "前" + m.group("unit")
            items = self.chain(m.end())
            if count > 1 and m.group("unit") == "项" and not items and not AFTER_FIRST_N.match(self.body, m.end()):
                continue  # 对前三项污染物征收: "the first three", not a reference
            if not items:
                self.add(_Hit(CitationKind.INTERNAL, m.start(), m.end(), (m.start(), m.end()), relative=relative,
                              count=count))  # fmt: skip
                continue
            for s, e, pinpoint in items:
                begin = m.start() if s == items[0][0] else s
                self.add(
                    _Hit(CitationKind.INTERNAL, begin, e, (s, e), pinpoint=pinpoint, relative=relative, count=count)
                )

    def find_anaphora(self) -> None:
        for m in ANAPHORA.finditer(self.body):
            if not self.free(m.start(), m.end()):
                continue
            article = self.tree.ancestor(self.tree.leaf_at(m.start()), ClauseKind.ARTICLE)
            floor = article.start if article else sentence_bounds(self.body, m.start(), m.end())[0]
            before = [h for h in self.hits if h.title and floor <= h.start < m.start()]
            if not before:
                continue
            last = max(before, key=lambda h: h.start)
            assert last.title is not None
            self.add_chain(last.kind, m.start(), m.end(), m.end(), last.title, f"{m.group(0)} repeats {last.title}")

    def find_declared_uses(self) -> None:
        for key, (at, title) in sorted(self.declared.items(), key=lambda kv: -len(kv[0])):
            for m in re.finditer(re.escape(key), self.body):
                if m.start() <= at or not self.free(m.start(), m.end()) or not self.left_ok(m.start()):
                    continue
                if self.chain(m.end()) or (len(key) >= 3 and NAME_RIGHT.match(self.body, m.end())):
                    self.add_chain(CitationKind.SHORT_TITLE, m.start(), m.end(), m.end(), title,
                                   f"declared alias {key}")  # fmt: skip

    def left_ok(self, pos: int) -> bool:
        return bool(LEFT_OK.search(self.body, max(0, pos - 3), pos)) if pos else True

    def find_short_names(self) -> None:
        names = self.aliases.short_names
        if not names:
            return
        lengths = _name_lengths(self.aliases)
        body = self.body
        for m in NAME_TAIL.finditer(body):
            end = m.end()
            name = next((body[end - n : end] for n in lengths if n <= end and body[end - n : end] in names), None)
            if name is None:
                continue
            start = end - len(name)
            if body.startswith(COUNTRY_PREFIX, start - len(COUNTRY_PREFIX)) and start >= len(COUNTRY_PREFIX):
                start -= len(COUNTRY_PREFIX)
            if not self.free(start, end) or (len(name) < 3 and not self.left_ok(start)):
                continue
            if start > 0 and body[start - 1] in "本该《〈<":
                continue
            tail = end + 2 if body.startswith(("分则", "总则"), end) and self.chain(end + 2) else end
            bare = not (self.chain(tail) or NAME_RIGHT.match(body, end))
            if bare and (len(name) < 3 or not NAME_FOLLOW.match(body, end)):
                continue
            title = names[name]
            if self.own_key and title_key(title) == self.own_key:
                continue  # the document naming itself (违反宪法 in 宪法): not a citation
            self.add_chain(CitationKind.SHORT_TITLE, start, end, tail, title, None)

    def find_lead_names(self) -> None:
        body = self.body
        for m in PINPOINT_UNIT.finditer(body):
            if not self.free(m.start(), m.end()) or not NAME_END.search(body, max(0, m.start() - 2), m.start()):
                continue
            sentence_start, _ = sentence_bounds(self.body, m.start(), m.end())
            window_start = max(sentence_start, m.start() - 40)
            window = body[window_start : m.start()]
            leads = list(NAME_LEAD.finditer(window))
            if not leads:
                continue
            candidate = window[leads[-1].end() :]
            name = BARE_NAME_BEFORE_PINPOINT.fullmatch(candidate)
            if not name or candidate.startswith(("本", "该", "上述", "前述", "此", "其", "有关", "相关", "国家")):
                continue
            start = window_start + leads[-1].end()
            if not self.free(start, m.start()):
                continue
            title, reason = candidate, "name before a pinpoint"
            key = title_key(candidate)
            fuller = [h.title for h in self.hits if h.title and h.start < start and title_key(h.title).endswith(key)]
            if fuller:  # 调解仲裁法 after 《中华人民共和国劳动争议调解仲裁法》: the title cited before
                title, reason = fuller[-1], f"short for {fuller[-1]} cited before"
            self.add_chain(CitationKind.SHORT_TITLE, start, m.start(), m.start(), title, reason)

    def find_bare(self) -> None:
        body = self.body
        for m in PINPOINT_START.finditer(body):
            if not self.free(m.start(), m.end()):
                continue
            items = self.chain(m.start())
            if not items:
                continue
            if NAME_END.search(body, max(0, m.start() - 2), m.start()):
                for s, e, _ in items:  # 某某条例第十条: a name kb could not read, not this document
                    self.take(s, e)
                continue
            context = self.context_title(m.start())
            first_unit = items[0][2].units[0].unit
            if context and body[max(0, m.start() - 1) : m.start()] == "“" and HEADING_AFTER.match(body, items[0][1]):
                self.take(m.start(), items[0][1])  # “第十条 …: the number of the article an amendment quotes
                continue
            if context and (self.doc_amends or not self.has_articles or self.in_quote(m.start())):
                for s, e, pinpoint in items:
                    self.add(_Hit(CitationKind.TITLE, s, e, (s, e), title=context, pinpoint=pinpoint,
                                  reason=f"pinpoint in an amendment of {context}"))  # fmt: skip
                continue
            outside = self.tree.ancestor(self.tree.leaf_at(m.start()), ClauseKind.ARTICLE) is None
            if (not self.has_articles and first_unit == "条") or (outside and first_unit in ("款", "项", "目")):
                for s, e, _ in items:  # no article to be inside: an enumeration of a list, not a reference
                    self.take(s, e)
                continue
            if self.glued_number(items[0][2], items[0][1]):
                self.take(items[0][0], items[0][1])
                continue
            if self.doc_amends and self.in_quote(m.start()):
                continue  # a unit of the amended text, quoted in the amendment
            borrowed = self.borrowed_article(m.start(), items[0][2])
            for s, e, pinpoint in items:
                if borrowed is None:
                    self.add(_Hit(CitationKind.INTERNAL, s, e, (s, e), pinpoint=pinpoint, relative=""))
                    continue
                full = Pinpoint(
                    inherit(pinpoint.units, borrowed.pinpoint.units if borrowed.pinpoint else ()),
                    inherit(pinpoint.until, borrowed.pinpoint.units if borrowed.pinpoint else ()),
                )
                self.add(
                    replace(
                        borrowed,
                        start=s,
                        end=e,
                        anchor=(s, e),
                        pinpoint=full,
                        relative="本" if borrowed.kind is CitationKind.INTERNAL else None,
                        reason=borrowed.reason if borrowed.kind is not CitationKind.INTERNAL else None,
                    )
                )

    def borrowed_article(self, pos: int, pinpoint: Pinpoint) -> _Hit | None:
        """For 第二款 / 第三项 that the current article lacks: the article cited last before it in that article.

        违反本办法第二十条规定的…：（一）违反第一款、第二款规定的 -- the paragraphs are 第二十条's.
        """
        if pinpoint.units[0].rank <= 4:
            return None
        leaf = self.tree.leaf_at(pos)
        article = self.tree.ancestor(leaf, ClauseKind.ARTICLE)
        if article is None:
            return None
        scope = article
        if pinpoint.units[0].unit in ("项", "目"):
            scope = self.tree.ancestor(leaf, ClauseKind.PARAGRAPH) or article
            if self.tree.locate(pinpoint.units, scope)[0] is not None:
                return None
        if self.tree.locate(pinpoint.units, article)[0] is not None:
            return None
        earlier = [h for h in self.hits if article.start <= h.start < pos and h.pinpoint
                   and any(u.unit == "条" for u in h.pinpoint.units)]  # fmt: skip
        return max(earlier, key=lambda h: h.start) if earlier else None

    def glued_number(self, pinpoint: Pinpoint, end: int) -> bool:
        """True for an article's own number the source ran into the text (…经营单第四十四条公安机关…).

        Such a number names an article the segmenter did not see, so it is missing from the clause tree, and it is
        not followed by the words a reference is (规定, 的, 第二款, 、, 至...).
        """
        units = pinpoint.units
        if pinpoint.until or len(units) != 1 or units[0].unit != "条":
            return False
        if (units[0].number, units[0].sub) in self.tree.articles:
            return False
        return not REFERENCE_TAIL.match(self.body[end : end + 12])  # the pattern is anchored with ^

    def in_quote(self, pos: int) -> bool:
        """True inside “…” at ``pos`` (new text an amendment quotes, which may run over several paragraphs).

        See :func:`kb.citations.patterns.quote_depths` for how the depth is carried over lines.
        """
        if self._line_depth is None:
            self._line_starts, self._line_depth = quote_depths(self.body)
        index = bisect.bisect_right(self._line_starts, pos) - 1
        head = self.body[self._line_starts[index] : pos]
        return self._line_depth[index] + head.count("“") - head.count("”") > 0

    # -- relations -----------------------------------------------------------------------------------------------

    def read_relations(self) -> None:
        self.amends = []
        titled = [h for h in self.hits if h.kind is not CitationKind.INTERNAL]
        chain_end: dict[tuple[int, int], int] = {}
        for h in titled:
            chain_end[h.anchor] = max(chain_end.get(h.anchor, h.end), h.end)
        relation = title_relations(self.body, chain_end)
        for h in titled:
            h.relation = relation.get(h.anchor, Relation.CITES)
            if h.relation is Relation.AMENDS and h.title and not h.pinpoint:
                self.amends.append((h.start, h.title))
        for h in self.hits:
            if h.kind is CitationKind.TITLE and h.reason and "amendment of" in h.reason:
                s_start, s_end = sentence_bounds(self.body, h.start, h.end)
                before = self.body[max(s_start, h.start - 3) : h.start]
                if re.search(r"删去(?:原)?$", before) or (
                    AMEND_VERBS.search(self.body, h.end, s_end) and re.search(r"(?:将|在|把)(?:原)?$", before)
                ):
                    h.relation = Relation.AMENDS

    # -- output --------------------------------------------------------------------------------------------------

    def to_citations(self, hit: _Hit) -> list[Citation]:
        leaf = self.tree.leaf_at(hit.start)
        clause_id = leaf.id if leaf else ""
        text = self.body[hit.start : hit.end]
        base = Citation(
            doc_id=self.doc.id,
            clause_id=clause_id,
            kind=hit.kind,
            relation=hit.relation,
            text=text,
            start=hit.start,
            end=hit.end,
            title=hit.title,
            pinpoint=hit.pinpoint.written() if hit.pinpoint else None,
            reason=hit.reason,
        )
        if hit.kind is not CitationKind.INTERNAL:
            return [base]
        return self.resolve_internal(hit, leaf, base)

    def resolve_internal(self, hit: _Hit, leaf: Clause | None, base: Citation) -> list[Citation]:
        """Targets of a reference inside the document, in its own clause tree."""
        base = replace(base, pinpoint=internal_pinpoint(hit.relative or "", hit.count, hit.pinpoint))
        return [
            replace(base, target_doc=self.doc.id if target else None, target_clause=target.id if target else None,
                    reason=reason)
            for target, reason in internal_targets(self.tree, leaf, hit.relative or "", hit.count, hit.pinpoint)
        ]  # fmt: skip


__all__ = ["find_citations"]
