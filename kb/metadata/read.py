"""Metadata: ExtractedText + body -> DocMeta (title, 发文字号, issuers, dates, place, level, type, status)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from kb.metadata.doctype import NATIONAL_TYPES, IssuerKind, classify, issuer_kind, level_of, local_title
from kb.metadata.events import BODY_SUFFIX, TERM, joint_bodies, read_events, split_bodies
from kb.metadata.sidecar import Overrides, apply_overrides, load_overrides
from kb.models import DateEvent, DocMeta, DocType, EventKind, ExtractedText, Status
from kb.normalize.dates import find_dates, is_date_line, parse_date
from kb.normalize.docnumber import BRACKET_NUMBER, ORDER_NUMBER, doc_number_key, find_doc_numbers
from kb.normalize.places import Place, find_places, is_county, leading_place
from kb.normalize.titles import clean_title, short_title

__all__ = ["Overrides", "apply_overrides", "load_overrides", "read_metadata", "short_title"]

# Field labels, as extractors key them (YAML front matter, an HTML metadata table, <meta> tags, a PDF's 版头), after
# spaces and colons are taken out of the label ("标　　题：" -> 标题).
TITLE_FIELDS = ("标题", "title", "ArticleTitle", "名称", "文件名称", "dc:title")
ISSUER_FIELDS = ("发文机关", "office", "发布机关", "制定机关", "发文单位", "颁布机关", "发布单位", "issuer")
MASTHEAD_FIELDS = ("版头",)  # a PDF's or Word file's red masthead: "某某省人民政府文件", "国务院办公厅文件"
SOURCE_FIELDS = ("ContentSource", "来源")  # an issuer only when it names a body, not a web site (中国政府网)
NUMBER_FIELDS = ("发文字号", "文号", "doc_number")
SIGNED_FIELDS = ("成文日期",)
PUBLISH_FIELDS = ("发布日期", "publish", "公布日期", "PubDate", "发布时间")
EFFECTIVE_FIELDS = ("effective_date", "施行日期", "实施日期", "生效日期")
TYPE_FIELDS = ("type", "效力级别", "法律效力位阶")
STATUS_FIELDS = ("status", "效力状态", "时效性")
INDEX_FIELDS = ("索引号", "index_no")
SUBJECT_FIELDS = ("主题分类", "subject")
URL_FIELDS = ("url", "source_url")

# Status words of metadata fields and catalogues: 有效, 现行有效, 已修改, 已废止, 失效, 尚未生效.
STATUS_WORDS: tuple[tuple[re.Pattern[str], Status], ...] = (
    (re.compile(r"尚未生效|未生效|尚未施行"), Status.NOT_YET_IN_FORCE),
    (re.compile(r"废止|失效|已撤销"), Status.REPEALED),
    (re.compile(r"已修改|已修正|已修订"), Status.AMENDED),
    (re.compile(r"有效|现行"), Status.IN_FORCE),
)

# Label characters dropped before a field is looked up: spaces (also full-width) and colons.
_LABEL_NOISE = re.compile(r"[\s　:：]")
# The word a masthead ends with after the issuing bodies: "某某省人民政府文件", "国务院办公厅 中央军委办公厅文件".
MASTHEAD_SUFFIX = re.compile(r"(?<!\s)\s*(?:文件|公报|令)$")
# Drafts: 草案, 征求意见稿, 送审稿 in the title ("……条例（草案）", "……办法（征求意见稿）").
DRAFT_MARK = re.compile(r"草案|征求意见稿|送审稿|讨论稿")
# A repeal noted in the title: "……办法（已废止）", "……（失效）".
REPEALED_MARK = re.compile(r"[（(](?:已废止|已失效|失效|废止)[)）]")

# The issuers a title starts with: "国务院办公厅关于…", "最高人民法院、最高人民检察院关于…", "国务院办公厅转发…",
# "国务院办公厅对…第4626号提案的答复".
TITLE_ISSUERS = re.compile(r"^(?P<orgs>[\u4e00-\u9fff、 　]{2,60}?)(?:关于|转发|批转|印发|对(?!于))")
# An order's heading in the opening of a body: "中华人民共和国国务院令", "国家市场监督管理总局令", followed by 第N号.
ORDER_HEADING = re.compile(r"^(?P<org>[\u4e00-\u9fff、]{2,40}?)令$")
# A signer's line before a signature date: "总理　李克强", "省长 袁家军".
SIGNER_LINE = re.compile(
    r"^(?:总理|主席|委员长|院长|检察长|部长|主任|省长|市长|区长|县长|署长|局长)[\s　]*[\u4e00-\u9fff·]{2,5}$"
)
# The body's own statement of when it takes effect: "本条例自2021年1月1日起施行", "本办法自公布之日起施行".
EFFECTIVE_CLAUSE = re.compile(
    r"本(?:法|条例|规定|办法|细则|实施细则|实施办法|决定|解释|规则|意见|通知|准则|守则|规范|批复)(?:修正案)?"
    r"(?:自|从|于)\s*(?P<when>[^，。；起]{4,24}?|公布之日|发布之日|印发之日)\s*起\s*(?:施行|实施|生效|执行)"
)
# Header words in a body's opening, for texts whose header is not marked off (provincial copies, pasted texts):
# "（2020年11月27日吉林省第十三届人民代表大会常务委员会第二十五次会议通过）".
HEADER_VERB = re.compile(r"通过|批准|公布|发布|修正|修订|施行")
# Lines of a body's opening looked at for a header, a document number or an order heading.
OPENING_LINES = 12
# An order heading with its number on the same line, as a title slot may hold it: "中华人民共和国国务院令 第535号".
ORDER_TITLE = re.compile(
    r"^(?P<org>[\u4e00-\u9fff、]{2,40}?令)[\s\u3000]*(?P<no>第[\s\u3000]*[0-9０-９一二三四五六七八九十百零〇]+[\s\u3000]*号)?$"
)
# An order's number on a line of its own under the order heading: "第535号", "第　五十五　号".
ORDER_NUMBER_LINE = re.compile(r"第[\s\u3000]*[0-9０-９一二三四五六七八九十百零〇]+[\s\u3000]*号")
# The words a document's own title ends with (法, 条例, 规定, 决定, 通知 ...), to find it below an order heading.
TITLE_ENDING = re.compile(
    r"(?:法|法典|条例|规定|办法|细则|规则|规程|规范|准则|标准|决定|决议|通知|意见|方案|规划|解释|批复|公告|通告)"
    r"(?:（[^）]*）|\([^)]*\))?$"
)
# The order sentence that opens a promulgated text: "《中华人民共和国劳动法》已由…会议于1994年7月5日通过，现予公布".
ORDER_SENTENCE = re.compile(r"^《[^》]{2,80}》已由.{2,120}?(?:于|在)[0-9０-９〇零一二三四五六七八九]{4}年.{0,40}?通过")
# How an unfinished header line ends: inside a title or a list of amending acts ("…通过的《中华人民共和国", "、").
HEADER_OPEN_END = re.compile(r"(?:[《〈、，,（(]|[^》〉）)。；;通过修正修订公布批准施行])$")
# How a header's last line ends: its closing bracket or full stop, or the verb of the last amendment ("…修正").
HEADER_CLOSED = re.compile(r"(?:[）)。]|修正|修订)$")
# The most body lines a wrapped header may run over (a 刑法's list of eleven amendments takes about 30 in a PDF).
HEADER_MAX_LINES = 40

# Longest gap between signing and publication that a field's 发布日期 is believed for (see _field_publish).
MAX_PUBLISH_DELAY_DAYS = 92

# Kinds of event that make a new version of the text (its year is the counting year).
VERSION_KINDS = (
    EventKind.ADOPTED,
    EventKind.AMENDED,
    EventKind.REVISED,
    EventKind.PROMULGATED,
    EventKind.APPROVED,
    EventKind.SIGNED,
)
# Kinds that stand for the first adoption when no 通过 is recorded (gold: the first header date).
FIRST_KINDS = (EventKind.APPROVED, EventKind.PROMULGATED, EventKind.REVISED, EventKind.AMENDED, EventKind.SIGNED)

_NATIONAL_KINDS = {"legislature", "state_council", "state_council_office", "judiciary", "ministry"}


@dataclass(frozen=True, slots=True)
class _Signature:
    """The signature block at the end of a policy document: the signing body (if a line names one) and the date."""

    body: str | None
    date: date
    text: str
    line: int


def _fields(text: ExtractedText) -> dict[str, str]:
    """The container's metadata fields by normalised label; the first non-empty value of a label wins."""
    out: dict[str, str] = {}
    for key, value in text.fields:
        label = _LABEL_NOISE.sub("", key)
        value = value.strip() if value else ""
        if value and label not in out:
            out[label] = value
    return out


def _field(fields: dict[str, str], names: Sequence[str]) -> str | None:
    for name in names:
        if fields.get(name):
            return fields[name]
    return None


def _lines(body: str) -> list[str]:
    return [line.strip() for line in body.splitlines() if line.strip()]


def _title_behind_number(title: str | None, lines: Sequence[str]) -> tuple[str | None, str | None]:
    """(title, document number) when the title slot holds a number instead of a name.

    A decree's heading ("中华人民共和国国务院令 第535号", or "…令" with "第535号" on the next line) or the
    document's own 文号 ("国办发〔2018〕124号") printed first is the number; the title is then the first line
    below it shaped like one (ending with 法, 条例, 规定, 决定, 通知 …), else None.
    """
    if title is None:
        return None, None
    compact = title.strip()
    number: str | None = None
    order = ORDER_TITLE.match(compact)
    if order is not None:
        number = compact
    else:
        numbers = find_doc_numbers(compact)
        if numbers and len(compact) - len(numbers[0].text) <= 2:
            number = numbers[0].text
    if number is None:
        return title, None
    for line in lines[: OPENING_LINES + 2]:
        if line == compact:
            continue
        if order is not None and order.group("no") is None and ORDER_NUMBER_LINE.fullmatch(line):
            number = compact + line
            continue
        if len(line) <= 80 and TITLE_ENDING.search(line) and not re.search(r"[。；;，,：:]", line):
            return clean_title(line), number
    return None, number


def _continued_header(header: list[str], lines: Sequence[str]) -> list[str]:
    """The header with the body lines it runs on into: a long amendment history a PDF's layout cut off after its
    first lines ("…根据…通过的《中华人民共和国" / "刑法修正案》、2001年8月31日…"), up to the line that closes it."""
    if not header or not HEADER_OPEN_END.search(header[-1].rstrip()) or not lines:
        return header
    extended = list(header)
    for line in lines[:HEADER_MAX_LINES]:
        if line.startswith(("第一条", "第一章", "第一编", "目录", "目　录")) or re.match(r"^目\s*录$", line):
            break
        extended.append(line)
        if HEADER_CLOSED.search(line):
            return extended
    return header


def _opening_header(lines: Sequence[str], title: str | None) -> list[str]:
    """Header lines at the start of a body that has no marked header: a bracketed adoption note (possibly over
    several lines, "(2020年6月28日沈阳市…会议通过；" … "…批准)"), lines that start with a date and tell an event,
    or a decree's order sentence ("《…法》已由…会议于1994年7月5日通过，现予公布")."""
    for i, line in enumerate(lines[:OPENING_LINES]):
        if line.startswith(("第一条", "第一章", "一、")):
            return []
        if ORDER_SENTENCE.search(line):
            # the text's own bracketed history below the order (the signature date is not one) tells more
            bracketed = _opening_header([rest for rest in lines[i + 1 :] if not is_date_line(rest)], title)
            return bracketed or [line]
        opens = line[0] in "（(〔["
        dated = bool(find_dates(line[:40]))
        if not (opens or dated) or not HEADER_VERB.search(" ".join(lines[i : i + 4])):
            continue
        if opens:
            block: list[str] = []
            for part in lines[i : i + 8]:
                block.append(part)
                if part.rstrip().endswith((")", "）", "〕", "]")) and not part.endswith("号)"):
                    break
            joined = "".join(block).strip("（）()〔〕[]")
            if find_dates(joined):
                return [piece for piece in re.split(r"[；;]", joined) if piece.strip()]
            continue
        if title and line == title:
            continue
        return [line]
    return []


def _signature(lines: Sequence[str]) -> _Signature | None:
    """The first signature block: a date alone on a line after a line naming the signing body or signer."""
    for i in range(1, len(lines)):
        line = lines[i]
        if len(line) > 20 or "日" not in line or not is_date_line(line):
            continue
        prev = lines[i - 1]
        value = parse_date(line)
        if value is None:
            continue
        if len(prev) <= 40 and BODY_SUFFIX.search(prev) and not re.search(r"[，。；：]", prev):
            bodies = split_bodies([TERM.sub("", prev)])
            if bodies:
                return _Signature("、".join(bodies), value, f"{prev}\n{line}", i)
        if SIGNER_LINE.match(prev):
            return _Signature(None, value, f"{prev}\n{line}", i)
    return None


def _title_issuers(title: str | None) -> tuple[str, ...]:
    if not title:
        return ()
    match = TITLE_ISSUERS.match(title)
    if not match:
        return ()
    bodies = split_bodies([match["orgs"]])
    if not bodies or len("".join(bodies)) < len(match["orgs"].replace("、", "").replace(" ", "")) - 1:
        return ()
    return bodies


def _opening_numbers(lines: Sequence[str]) -> tuple[str | None, str | None]:
    """A document number standing alone on an opening line ("国发〔2019〕5号"), or an order heading with its number
    ("中华人民共和国国务院令" + "第707号"); with the ordering body of the latter."""
    for i, line in enumerate(lines[:OPENING_LINES]):
        heading = ORDER_HEADING.match(line)
        if (
            heading
            and i + 1 < len(lines)
            and re.fullmatch(r"第\s*[0-9０-９一二三四五六七八九十百零〇]+\s*号", lines[i + 1])
        ):
            return line + lines[i + 1], heading["org"]
        if "号" not in line or len(line) > 60:
            continue
        for pattern in (BRACKET_NUMBER, ORDER_NUMBER):
            match = pattern.search(line)
            if match and len(line) - len(match.group(0)) <= 4:
                return match.group(0), None
    return None, None


def _header_number(events: Sequence[DateEvent], info: Sequence[str]) -> str | None:
    """A document number in the header: the order that promulgated the text ("国务院令第704号公布"), or a header line
    that is a number alone ("劳社部发[2008]3号")."""
    for event in events:
        if event.kind in (EventKind.PROMULGATED, EventKind.ADOPTED, EventKind.REVISED):
            numbers = find_doc_numbers(event.text)
            if numbers:
                return numbers[0].text
    for line in info:
        numbers = find_doc_numbers(line.strip())
        if numbers and len(line.strip()) - len(numbers[0].text) <= 4:
            return numbers[0].text
    return None


def _field_publish(fields: dict[str, str], version: date | None) -> date | None:
    """The publication date a field gives, unless it is the date a web page went up long after the document was
    signed (gov.cn lists 1996 documents as published in 2018)."""
    published = parse_date(_field(fields, PUBLISH_FIELDS))
    if published is None or version is None:
        return published
    return published if 0 <= (published - version).days <= MAX_PUBLISH_DELAY_DAYS else None


def _effective_from_body(body: str, promulgated: date | None) -> date | None:
    match = EFFECTIVE_CLAUSE.search(body)
    if not match:
        return None
    when = match["when"]
    if when.endswith("之日"):
        return promulgated
    return parse_date(when)


def _status(fields: dict[str, str], title: str | None, is_draft: bool, events: Sequence[DateEvent]) -> Status | None:
    """What the text says of its validity: a draft, a repeal noted in the title or header, a catalogue's status."""
    if is_draft:
        return Status.DRAFT
    if (title and REPEALED_MARK.search(title)) or any(e.kind is EventKind.REPEALED for e in events):
        return Status.REPEALED
    value = _field(fields, STATUS_FIELDS)
    if value:
        for pattern, status in STATUS_WORDS:
            if pattern.search(value):
                return status
    return None


def _doc_type_field(fields: dict[str, str]) -> DocType | None:
    value = _field(fields, TYPE_FIELDS)
    if not value:
        return None
    for doc_type in DocType:
        if doc_type.value == value.strip():
            return doc_type
    return None


def _body_place(body: str) -> Place | None:
    """For a local text that names no place in its title or issuer: the place it names most, if it speaks of itself
    as local (本省, 本市, 本自治区)."""
    if not re.search(r"本(?:省|市|自治区|自治州|县)(?!（)", body):
        return None
    places = find_places(body[:20000])
    if not places:
        return None
    counts = Counter((p.province, p.city) for p in places)
    (province, city), _ = counts.most_common(1)[0]
    return next(p for p in places if (p.province, p.city) == (province, city))


def _place(
    title: str | None,
    issuers: Sequence[str],
    events: Sequence[DateEvent],
    first_kind: IssuerKind | None,
    doc_type: DocType | None,
    body: str,
) -> Place | None:
    """Where the document belongs: the issuer's place (with the title's city when the issuer is the province, as
    when a province's approval heads a city's regulation), else the title's, else any acting body's; national
    bodies' documents belong nowhere, unless their title starts with a place (a copy with a wrong header)."""
    title_place = leading_place(title or "") if local_title(title or "") else None
    if first_kind is not None and first_kind.kind in _NATIONAL_KINDS:
        # A national legislature does not make a title that starts with a place: the copy's header is wrong.
        return title_place if first_kind.kind == "legislature" else None
    issuer_place = next((k.place for k in map(issuer_kind, issuers) if k.place is not None), None)
    if issuer_place is not None:
        if (
            title_place is not None
            and title_place.province == issuer_place.province
            and title_place.city
            and not issuer_place.city
        ):
            return title_place
        return issuer_place
    if title_place is not None:
        return title_place
    for event in events:
        if event.body:
            place = next((k.place for k in map(issuer_kind, split_bodies([event.body])) if k.place), None)
            if place is not None:
                return place
    if doc_type in NATIONAL_TYPES:
        return None
    return _body_place(body)


def _first(events: Sequence[DateEvent], kinds: Sequence[EventKind]) -> date | None:
    """The date of the first event of these kinds in order of writing (joint adoptions list the lead body first)."""
    return next((e.date for e in events if e.kind in kinds), None)


def _latest(events: Sequence[DateEvent], kinds: Sequence[EventKind]) -> date | None:
    dates = [e.date for e in events if e.kind in kinds]
    return max(dates) if dates else None


def read_metadata(text: ExtractedText, body: str) -> DocMeta:
    """Read a document's metadata from its extracted text and normalised body; unknown fields stay None.

    Sources, most explicit first: the container's fields (front matter, HTML metadata table, meta tags, 版头), the
    header lines (adoption and amendment history), the title, the body's opening (a bracketed adoption note, the
    document number, an order heading) and closing (the signature and its date).
    """
    fields = _fields(text)
    title = clean_title(text.title) or clean_title(_field(fields, TITLE_FIELDS))
    lines = _lines(body)
    if title is None and lines:
        title = lines[0] if len(lines[0]) <= 80 else None
    title, title_number = _title_behind_number(title, lines)
    short = short_title(title)

    header = [line for line in text.info if line.strip()]
    if not any(find_dates(line) for line in header):
        header = header + _opening_header(lines, title)
    else:
        header = _continued_header(header, lines)
    title_issuers = _title_issuers(title)
    events = list(read_events(header, "、".join(title_issuers) or None))
    opening_number, order_body = _opening_numbers(lines)
    signature = _signature(lines)
    if signature is not None:
        signer = signature.body or order_body
        events.append(DateEvent(signature.date, EventKind.SIGNED, signer, signature.text))
        if order_body is not None:  # an order (令) is promulgated the day it is signed
            events.append(DateEvent(signature.date, EventKind.PROMULGATED, signer, signature.text))

    issuers = joint_bodies(header)
    if not issuers:
        issuers = split_bodies([_field(fields, ISSUER_FIELDS) or ""])
    if not issuers:
        masthead = _field(fields, MASTHEAD_FIELDS)
        issuers = split_bodies([MASTHEAD_SUFFIX.sub("", masthead)]) if masthead else ()
    if not issuers:
        source = _field(fields, SOURCE_FIELDS)
        if source and issuer_kind(source).kind != "unknown" and not source.endswith("网"):
            issuers = split_bodies([source])
    if not issuers:
        issuers = title_issuers
    if not issuers and order_body:
        issuers = split_bodies([order_body])
    if not issuers and signature is not None and signature.body:
        issuers = split_bodies([signature.body])

    doc_number = _field(fields, NUMBER_FIELDS) or title_number or opening_number or _header_number(events, header)

    adopted = _first(events, (EventKind.ADOPTED,)) or _first(events, FIRST_KINDS)
    version = _latest(events, VERSION_KINDS)
    promulgated = _latest(events, (EventKind.PROMULGATED,)) or _field_publish(fields, version)
    effective = (
        _latest(events, (EventKind.EFFECTIVE,))
        or parse_date(_field(fields, EFFECTIVE_FIELDS))
        or _effective_from_body(body, promulgated)
    )
    if version is None:
        version = parse_date(_field(fields, SIGNED_FIELDS)) or promulgated
    if adopted is None:
        adopted = parse_date(_field(fields, SIGNED_FIELDS))

    head_text = "\n".join(lines[:OPENING_LINES])
    tail_text = "\n".join(lines[-OPENING_LINES:])
    doc_type = _doc_type_field(fields) or classify(title, issuers, events, doc_number, head_text, tail_text)

    first_kind = issuer_kind(issuers[0]) if issuers else None
    place = _place(title, issuers, events, first_kind, doc_type, body)
    county = any(is_county(i) for i in issuers) or is_county(short or "")
    level = level_of(doc_type, first_kind, place, county)

    is_draft = bool(title and DRAFT_MARK.search(title))
    key = doc_number_key(doc_number) if doc_number else None
    return DocMeta(
        title=title,
        short_title=short,
        doc_number=doc_number,
        doc_number_key=key,
        issuers=issuers,
        events=tuple(events),
        adopted=adopted,
        promulgated=promulgated,
        effective=effective,
        version_date=version,
        year=version.year if version else None,
        first_year=adopted.year if adopted else None,
        province=place.province if place else None,
        city=place.city if place else None,
        level=level,
        doc_type=doc_type,
        status=_status(fields, title, is_draft, events),
        is_draft=is_draft,
        index_no=_field(fields, INDEX_FIELDS),
        subject=_field(fields, SUBJECT_FIELDS),
        source_url=_field(fields, URL_FIELDS),
    )
