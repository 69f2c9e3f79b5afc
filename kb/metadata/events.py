"""Header events: a document's header lines (adoption and amendment history) -> dated events with kind and body."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from kb.models import DateEvent, EventKind
from kb.normalize.dates import DateSpan, find_dates

# A legislature's term, which the body of an event is reported without: 第十三届 in 第十三届全国人大常委会.
# A term written without 第 ("市十四届人大常委会") is kept, as written.
TERM = re.compile(r"第\s*[一二三四五六七八九十]{1,3}\s*届")

# Where the acting body's name ends in an event clause: a meeting number ("第二十九次会议", "第1269次",
# "2021年第20次室务会议"), a court's or procuratorate's committee (最高人民法院审判委员会 -> 最高人民法院), an order or
# announcement (国务院令第704号, 公告公布), a bracketed title, or the verb itself (国务院批准, 国务院公布).
BODY_END = re.compile(
    r"《|<|〈|[(（]"
    r"|审判委员会|检察委员会"
    r"|(?<![\d一二三四五六七八九十百零〇\s])(?:\d{4}\s*年\s*)?第?\s*+[\d一二三四五六七八九十百零〇]++\s*次"
    r"|(?:常务|部务|局务|室务|委务|署务|行务|主任|厅务|部长办公|委员长)?会议"
    r"|令(?=\s*第|\s*\d|公布|发布|$)|第\s*\d+\s*号|公告|(?<=[院会部局署委厅府])以"
    r"|审议|通过|批准|公布|发布|颁布|印发|修正|修订|修改|施行|实施|执行|生效|废止|决定|制定"
)

# The author of a bracketed decision that amends a text: "《国务院关于修改〈…〉的决定》", "《国务院、中央军委关于…》".
TITLE_AUTHOR = re.compile(r"^《(?P<orgs>[\u4e00-\u9fff、]{2,40}?)关于")

# An order number in a clause without a verb: "中华人民共和国国务院令第692号" (the order promulgated the text).
ORDER_MENTION = re.compile(r"令\s*第?\s*[\d一二三四五六七八九十百零〇]+\s*号|第\s*\d+\s*号令")
# A meeting in a clause without a verb: "最高人民法院审判委员会第1710次会议", "第十三届全国人民代表大会第二次".
MEETING_MENTION = re.compile(r"会议|第\s*[\d一二三四五六七八九十百零〇]+\s*次")

# How an acting body's name ends: 委员会, 人民代表大会, 国务院, 最高人民法院, 公安部, 国家市场监督管理总局, 海关总署,
# 中国人民银行, 国家互联网信息办公室, 北京市人民政府, 中央军事委员会, 市人大常委会. A clause whose words before the
# verb do not end so names no body (e.g. "2021年1月1日 施行").
BODY_SUFFIX = re.compile(r"(?:会|院|部|局|署|委|厅|办|政府|室|行|军委|中心|总社|社|馆)$")

# Verbs of an event clause, by kind. 修正/修改 amend by a decision, 修订 revises the whole text, 批准 is a higher body's
# approval (of a municipal regulation, or the State Council's of a ministry's rule), 通过/制定 adoption, 公布/发布/
# 颁布/印发 promulgation, 施行/实施/执行/生效 entry into force ("2021年1月1日 施行"), 废止 repeal.
VERBS: tuple[tuple[EventKind, re.Pattern[str]], ...] = (
    (EventKind.AMENDED, re.compile(r"修正|修改")),
    (EventKind.REVISED, re.compile(r"修订")),
    (EventKind.APPROVED, re.compile(r"批准")),
    (EventKind.ADOPTED, re.compile(r"通过|制定")),
    (EventKind.PROMULGATED, re.compile(r"公布|发布|颁布|印发")),
    (EventKind.EFFECTIVE, re.compile(r"施行|实施|执行|生效")),
    (EventKind.REPEALED, re.compile(r"废止")),
)

# Words between two dated clauses of one line that belong to neither: "…第一次修正 根据2018年…", "…通过并经2020年…
# 批准", "…批准的2004年5月11日…", "…公告公布自2013年11月1日施行", "…会议、2003年5月13日…".
CONNECTOR = re.compile(r"(?:[\s　,，;；。、]|根据|并经|经|和|及|的|自|于|并)+$")
# Connectors that chain a clause to the next one's verb: "…会议通过并经[date]…批准的《决定》修正" (the adoption is
# of the amending decision) and "…第1269次会议、[date]…通过" (two bodies, one verb).
CHAIN = re.compile(r"(?:并经|、|和)\s*$")

# Brackets that enclose titles: a date inside them (《关于修改〈…（2018年3月1日）〉的决定》) is not an event.
_TITLE_OPEN, _TITLE_CLOSE = "《", "》"
# Outer brackets some headers wrap their lines in: "（2014年11月1日第十二届全国人民代表大会…会议通过）".
_OUTER = "（）()〔〕[] 　"
# The first characters of a line that starts a new clause rather than continuing the previous one.
_LINE_START = re.compile(r"^[\s(（]*+(?:根据)?\s*(?:[0-9０-９]{4}\s*年|[〇零○一二三四五六七八九]{4}年)")


@dataclass(frozen=True, slots=True)
class _Clause:
    """One dated clause of a header line before its kind is settled."""

    date: DateSpan
    text: str  # from the date to the next clause, connectors trimmed
    rest: str  # the words after the date
    chained: bool  # ends with a connector that hands its verb to the next clause


def logical_lines(lines: Iterable[str]) -> list[str]:
    """Header lines with wrapped lines joined: a line that does not start with a date continues the previous one
    ("2014年9月26" + "日山东省…批准", "…《关于修改〈…" + "…〉的决定》第二次修正"). Markdown headings (# 继承编) are
    left out."""
    joined: list[str] = []
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if joined and not _LINE_START.match(line):
            joined[-1] = joined[-1] + line
        else:
            joined.append(line)
    return joined


def dates_outside_titles(text: str, spans: Sequence[DateSpan]) -> list[DateSpan]:
    """The dates not inside 《…》; an unclosed 《 encloses nothing."""
    depth = 0
    inside: list[tuple[int, int]] = []
    opened: list[int] = []
    for i, ch in enumerate(text):
        if ch == _TITLE_OPEN:
            opened.append(i)
            depth += 1
        elif ch == _TITLE_CLOSE and opened:
            start = opened.pop()
            depth -= 1
            if depth == 0:
                inside.append((start, i))
    return [s for s in spans if not any(a < s.start < b for a, b in inside)]


def _strip_titles(text: str) -> str:
    """The text less bracketed titles (《…》, nested ones included), so that verbs inside titles do not count."""
    out: list[str] = []
    depth = 0
    for ch in text:
        if ch == _TITLE_OPEN:
            depth += 1
        elif ch == _TITLE_CLOSE and depth:
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out)


@lru_cache(maxsize=8192)
def _clauses(line: str) -> tuple[_Clause, ...]:
    line = line.strip(_OUTER)
    dates = dates_outside_titles(line, find_dates(line))
    clauses = []
    for i, span in enumerate(dates):
        end = dates[i + 1].start if i + 1 < len(dates) else len(line)
        raw = line[span.start : end]
        chained = CHAIN.search(raw) is not None or raw.rstrip().endswith("的")
        text = CONNECTOR.sub("", raw).rstrip(_OUTER) if i + 1 < len(dates) else raw.rstrip(_OUTER + "。；;，,")
        clauses.append(_Clause(span, text, text[span.end - span.start :].strip(), chained))
    return tuple(clauses)


def _kinds(rest: str) -> list[EventKind]:
    """The kinds of event a clause's words tell, the main one first."""
    words = _strip_titles(rest)
    found = [kind for kind, pattern in VERBS if pattern.search(words)]
    if not found:
        # A verb typed inside the closing bracket ("…的决定修正》") still tells what happened.
        found = [kind for kind, pattern in VERBS if pattern.search(rest.rstrip("》）) ")[-4:])]
    if not found:
        return []
    main = found[0]
    extra = []
    # "修订发布", "通过并公布": the text was also promulgated that day; "公布施行": also in force from that day.
    if main in (EventKind.ADOPTED, EventKind.REVISED, EventKind.AMENDED) and EventKind.PROMULGATED in found:
        extra.append(EventKind.PROMULGATED)
    if main is EventKind.PROMULGATED and EventKind.EFFECTIVE in found:
        extra.append(EventKind.EFFECTIVE)
    return [main, *extra]


def _implied_kind(rest: str) -> EventKind | None:
    """The kind of a clause that has no verb and no following verb to share: an order number alone
    ("国务院令第692号") was a promulgation, a meeting alone ("…第1710次会议", "…第二次") an adoption."""
    words = _strip_titles(rest)
    if ORDER_MENTION.search(words):
        return EventKind.PROMULGATED
    if MEETING_MENTION.search(words):
        return EventKind.ADOPTED
    return None


def event_body(rest: str) -> str | None:
    """The acting body a clause names, as written less its term (第X届), or None when it names none.

    "第十三届全国人民代表大会常务委员会第二十九次会议通过" -> 全国人民代表大会常务委员会;
    "最高人民法院审判委员会第1269次会议" -> 最高人民法院;
    "中华人民共和国国务院令第704号公布" -> 中华人民共和国国务院; "施行" -> None.
    """
    words = rest.strip().lstrip("经由在于 　")
    words = TERM.sub("", words)
    cut = BODY_END.search(words)
    body = (words[: cut.start()] if cut else words).strip(" 　、，,和及与的")
    if not body and words.startswith("《"):
        # "《国务院关于修改〈…〉的决定》第一次修订": the deciding body is the title's author.
        author = TITLE_AUTHOR.match(words)
        body = author["orgs"] if author else ""
    if not body or not BODY_SUFFIX.search(body) or len(body) > 60:
        return None
    return body


def _all_clauses(lines: Iterable[str]) -> list[_Clause]:
    return [clause for line in logical_lines(lines) for clause in _clauses(line)]


def _settle_kinds(clauses: Sequence[_Clause]) -> list[list[EventKind]]:
    """The kinds of every clause, verbless clauses settled from their neighbours."""
    kinds = [_kinds(c.rest) for c in clauses]
    # A verbless clause takes the kind of the next clause that has one, also on the next line
    # ("2018年2月23日 最高人民法院审判委员会第1734次会议" / "2018年2月11日 最高人民检察院…会议通过").
    for i in range(len(clauses) - 2, -1, -1):
        if not kinds[i] and kinds[i + 1] and _implied_kind(clauses[i].rest) is not EventKind.PROMULGATED:
            kinds[i] = [kinds[i + 1][0]]
    for i, clause in enumerate(clauses):
        if not kinds[i]:
            implied = _implied_kind(clause.rest)
            kinds[i] = [implied] if implied else []
    # "[d1]…会议通过并经[d2]…批准的《…决定》修正": d1 adopted the amendment, d2 approved it.
    for i in range(len(clauses) - 1):
        nxt = kinds[i + 1]
        if (
            clauses[i].chained
            and kinds[i][:1] == [EventKind.ADOPTED]
            and nxt[:1] in ([EventKind.AMENDED], [EventKind.REVISED])
            and "批准" in _strip_titles(clauses[i + 1].rest)
        ):
            kinds[i] = [nxt[0]]
            kinds[i + 1] = [EventKind.APPROVED]
    return kinds


def read_events(lines: Iterable[str], default_body: str | None = None) -> tuple[DateEvent, ...]:
    """Every dated event of a document's header lines, in order of writing.

    Each date outside 《》 opens a clause running to the next date; the clause's verb gives the kind (通过 adopted,
    修正 amended, 批准 approved, 公布 promulgated, 施行 effective ...) and the words before it the acting body. A clause
    without a verb of its own ("最高人民法院审判委员会第1269次会议、[date]最高人民检察院…通过") takes the next one's.
    A clause that names no body ("2012年12月7日 公布") is the act of the bodies that issued the text (those the
    header names first, else ``default_body``, e.g. from the title).
    """
    lines = list(lines)
    clauses = _all_clauses(lines)
    kinds = _settle_kinds(clauses)
    issuers = "、".join(joint_bodies(lines)) or default_body
    events: list[DateEvent] = []
    for clause, clause_kinds in zip(clauses, kinds, strict=True):
        body = event_body(clause.rest) or issuers
        for kind in clause_kinds:
            events.append(DateEvent(clause.date.date, kind, None if kind is EventKind.EFFECTIVE else body, clause.text))
    return tuple(events)


def joint_bodies(lines: Iterable[str]) -> tuple[str, ...]:
    """The bodies that issued the text: those of the first clause naming one, with the clauses sharing its verb
    ("最高人民法院审判委员会…、[date]最高人民检察院…通过" -> both, also over two lines), split where one clause names
    several ("最高人民法院、最高人民检察院公告公布")."""
    clauses = _all_clauses(lines)
    for i, clause in enumerate(clauses):
        body = event_body(clause.rest)
        if body is None:
            continue
        bodies = [body]
        j = i
        while j + 1 < len(clauses) and not _kinds(clauses[j].rest) and _implied_kind(clauses[j].rest) is not None:
            j += 1
            nxt = event_body(clauses[j].rest)
            if nxt:
                bodies.append(nxt)
        return split_bodies(bodies)
    return ()


# Separators between bodies named together: "最高人民法院、最高人民检察院", "国务院 中央军委".
_BODY_SEPARATOR = re.compile(r"[、，,；;]|\s+|(?<=[会院部局署委厅办府室行])(?:和|及|与)")


def split_bodies(bodies: Iterable[str]) -> tuple[str, ...]:
    """Bodies named together, one each, in order, without repeats."""
    out: list[str] = []
    for body in bodies:
        for part in _BODY_SEPARATOR.split(body):
            part = part.strip()
            if part and BODY_SUFFIX.search(part) and part not in out:
                out.append(part)
    return tuple(out)
