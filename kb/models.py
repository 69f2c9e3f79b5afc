"""Records: every typed value that flows between kb's stages, frozen dataclasses with no I/O.

Each stage is a pure function from one of these records to another (see kb/pipeline/). Missing values are
``None``, never ``""``. Spans are ``(start, end)`` character offsets into ``Document.body``, the document's
normalised body text. All records serialise to JSON through :func:`to_jsonable`.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kb.versions.records import Version


class Format(enum.StrEnum):
    """The input formats kb reads, named by their usual suffix."""

    PDF = "pdf"
    DOCX = "docx"
    HTML = "html"
    TEXT = "txt"
    MARKDOWN = "md"
    DOC = "doc"  # Word 97-2003, through a converter
    WPS = "wps"  # WPS Office, through LibreOffice
    OFD = "ofd"  # GB/T 33190 official electronic documents
    CSV = "csv"  # a row of a list (title, dates, issuer, url), one document per row
    XLSX = "xlsx"


class Level(enum.StrEnum):
    """Administrative level of the issuing body."""

    NATIONAL = "national"
    PROVINCIAL = "provincial"
    MUNICIPAL = "municipal"
    COUNTY = "county"


class DocType(enum.StrEnum):
    """Kind of document, as Chinese practice names them (values are the Chinese names users filter on)."""

    CONSTITUTION = "宪法"
    LAW = "法律"
    ADMIN_REGULATION = "行政法规"
    DEPT_RULE = "部门规章"
    LOCAL_REGULATION = "地方性法规"
    LOCAL_GOV_RULE = "地方政府规章"
    NORMATIVE = "规范性文件"
    JUDICIAL = "司法解释"
    DECISION = "决定"
    OTHER = "其他"


class Status(enum.StrEnum):
    """Validity as the text tells it."""

    DRAFT = "draft"
    IN_FORCE = "in_force"
    NOT_YET_IN_FORCE = "not_yet_in_force"
    AMENDED = "amended"
    REPEALED = "repealed"


class ClauseKind(enum.StrEnum):
    """Structural units of the two grammars (legislation and policy documents).

    Legislation: 编 part, 分编 subpart, 章 chapter, 节 section, 条 article, 款 paragraph, 项 point, 目 subpoint.
    Policy documents: 一、 division, （一） subdivision, 1. item, （1） subitem; plus preamble, closing,
    attachment (附件) and the table of contents (目录) of either.
    """

    PART = "part"
    SUBPART = "subpart"
    CHAPTER = "chapter"
    SECTION = "section"
    ARTICLE = "article"
    PARAGRAPH = "paragraph"
    POINT = "point"
    SUBPOINT = "subpoint"
    DIVISION = "division"
    SUBDIVISION = "subdivision"
    ITEM = "item"
    SUBITEM = "subitem"
    PREAMBLE = "preamble"
    CLOSING = "closing"
    ATTACHMENT = "attachment"
    TOC = "toc"


class EventKind(enum.StrEnum):
    """What happened on a dated header line (通过, 公布, 修正, ...)."""

    ADOPTED = "adopted"  # 通过 / 制定 / 批准
    PROMULGATED = "promulgated"  # 公布 / 发布 / 印发
    AMENDED = "amended"  # 修正 / 修改 (by a 决定)
    REVISED = "revised"  # 修订
    EFFECTIVE = "effective"  # 施行 / 起施行
    REPEALED = "repealed"  # 废止
    APPROVED = "approved"  # 批准 (a higher body approving a local regulation)
    SIGNED = "signed"  # the signature date at the end of a policy document


class CitationKind(enum.StrEnum):
    """How a citation names its target."""

    TITLE = "title"  # 《X》 (optionally with a pinpoint)
    SHORT_TITLE = "short_title"  # 民事诉讼法第六十四条, a short name without brackets
    INTERNAL = "internal"  # 本法第X条, 前款, 本条第X款, a bare 第X条
    DOC_NUMBER = "doc_number"  # 国办发〔2015〕50号


class Relation(enum.StrEnum):
    """What a citation says about its target."""

    CITES = "cites"
    BASIS = "basis"  # 根据/依据《X》…制定
    AMENDS = "amends"  # 关于修改〈X〉的决定, 修正/修订
    REPEALS = "repeals"  # 《X》同时废止


Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Block:
    """One heading or paragraph of extracted text, in reading order."""

    text: str
    kind: str = "para"  # "para" or "heading"
    level: int | None = None  # heading depth where the source marks it (Markdown #, HTML h1-h6, Word styles)
    page: int | None = None  # 1-based page of a PDF


@dataclass(frozen=True, slots=True)
class ExtractedText:
    """What an extractor recovers from one file: the same shape for every format.

    ``title`` and ``info`` (the header lines before the body, such as adoption and amendment history) are filled
    where the format marks them (Markdown ``#`` and ``<!-- INFO END -->``, an HTML metadata table, a PDF's title
    block); ``blocks`` is the body. ``fields`` carries metadata the container states outright (YAML front
    matter, an HTML metadata table, ``<meta>`` tags, a PDF's 版头), keyed by its own Chinese or English label.
    """

    path: str
    format: Format
    title: str | None
    info: tuple[str, ...]
    blocks: tuple[Block, ...]
    fields: tuple[tuple[str, str], ...] = ()
    warnings: tuple[str, ...] = ()
    pages: int | None = None
    # True when the format marks every heading explicitly (the corpus Markdown's ``##``): a line the source leaves
    # unmarked is then body text, whatever it looks like (see kb.segment.segmenter.marked_headings).
    headings_marked: bool = False

    def field(self, *names: str) -> str | None:
        """The first value given for any of ``names``, else None."""
        for key, value in self.fields:
            if key in names and value:
                return value
        return None


@dataclass(frozen=True, slots=True)
class DateEvent:
    """A dated event read from a header line, e.g. 2021年6月10日 第十三届全国人大常委会第二十九次会议通过."""

    date: date
    kind: EventKind
    body: str | None  # the acting body as written, less 第X届 (e.g. 全国人民代表大会常务委员会)
    text: str  # the source line or clause the event was read from


@dataclass(frozen=True, slots=True)
class DocMeta:
    """Metadata of one document: read from the text, overridable by a sidecar file."""

    title: str | None = None
    short_title: str | None = None  # title less 中华人民共和国 and version notes
    doc_number: str | None = None  # 发文字号 as written, e.g. 国办发〔2018〕124号
    doc_number_key: str | None = None  # normalised for matching, e.g. 国办发2018-124
    issuers: tuple[str, ...] = ()
    events: tuple[DateEvent, ...] = ()
    adopted: date | None = None  # first adoption
    promulgated: date | None = None
    effective: date | None = None
    version_date: date | None = None  # latest adoption, amendment or promulgation of this text
    year: int | None = None  # the year used for counting: version_date's year
    first_year: int | None = None  # year of first adoption
    province: str | None = None  # short name, e.g. 浙江, 广东; None for national documents
    city: str | None = None  # e.g. 深圳, 潍坊
    level: Level | None = None
    doc_type: DocType | None = None
    status: Status | None = None
    is_draft: bool = False
    index_no: str | None = None  # 索引号 of a government web page
    subject: str | None = None  # 主题分类
    source_url: str | None = None

    @property
    def issuer(self) -> str | None:
        """The first issuing body, or None."""
        return self.issuers[0] if self.issuers else None


@dataclass(frozen=True, slots=True)
class Clause:
    """A structural unit of a document: its span covers its heading, its own text and all its children.

    ``id`` is readable and stable, Akoma Ntoso style (``chp_3__art_21__para_2__point_3``); ``doc_id`` plus ``id``
    names the clause everywhere. ``own_end`` is where the clause's own text stops and its first child begins:
    in pre-order, the segments ``[start, own_end)`` of all clauses tile the body with no gap and no overlap.
    """

    doc_id: str
    id: str
    kind: ClauseKind
    number: str | None  # as written: 第二十一条, 第一章, 一、, （一）, 1.
    ordinal: int | None  # the number's value: 21 for 第二十一条; 第二十一条之一 -> 21 (see ``sub``)
    heading: str | None  # a heading's words, e.g. 总则 for 第一章 总则
    text: str  # body[start:end] without trailing whitespace
    start: int
    end: int
    own_end: int
    parent: str | None  # the parent clause's id; None at the top
    depth: int
    sub: int | None = None  # 1 for 第二十一条之一


@dataclass(frozen=True, slots=True)
class Document:
    """One ingested document: its source, metadata, normalised body and clause tree (pre-order)."""

    id: str
    path: str
    format: Format
    sha256: str
    title: str | None
    info: tuple[str, ...]
    body: str
    meta: DocMeta
    clauses: tuple[Clause, ...]
    warnings: tuple[str, ...] = ()
    grammar: str | None = None  # "legislation", "policy" or None for unstructured text


@dataclass(frozen=True, slots=True)
class DocFilter:
    """Filters shared by list, stats, search and trace; None means "any".

    ``year`` filters on the counting year (the version's year), ``first_year_*`` on the first adoption year.
    ``province`` and ``city`` are short names (浙江, 深圳); ``doc_type`` a DocType value (地方性法规).
    """

    year: int | None = None
    year_from: int | None = None
    year_to: int | None = None
    first_year_from: int | None = None
    first_year_to: int | None = None
    province: str | None = None
    city: str | None = None
    level: Level | None = None
    doc_type: DocType | None = None
    topic: str | None = None
    status: Status | None = None  # the status decided by the versions stage (on ``as_of`` when given)
    as_of: date | None = None  # with ``status`` None: the versions in force that day
    # Repeated --topic / --subject values: a document passes when it has any of them (all of them with match_all).
    # ``topic`` is kept as one more topic; a subject also matches its sub-subjects (数据治理 finds 数据共享开放).
    topics: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()
    match_all: bool = False
    # The documents a search may return, when a front end has already selected them (e.g. by subject in the store).
    doc_ids: tuple[str, ...] | None = None

    def all_topics(self) -> tuple[str, ...]:
        """The topics asked for: ``topic`` and ``topics`` together, each once."""
        return tuple(dict.fromkeys(((self.topic,) if self.topic else ()) + self.topics))


@dataclass(frozen=True, slots=True)
class SubjectScore:
    """A subject a document is mainly about (数据治理, 数据共享开放, ...), its score in [0, 1] and the evidence."""

    subject: str
    score: float
    evidence: tuple[str, ...]  # one line per kind of evidence: title words, headings, share of clauses, type
    parent: str | None = None


@dataclass(frozen=True, slots=True)
class DocSummary:
    """A document without its body and clauses: what `kb list` shows a row of."""

    id: str
    path: str
    format: Format
    title: str | None
    meta: DocMeta
    clause_count: int
    topics: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()  # the subjects the document is mainly about, umbrellas included, best first
    version: Version | None = None  # its place among the versions of its work, with the status decided there
    copies: tuple[str, ...] = ()  # paths of other files holding the same document (same title, date and text)


@dataclass(frozen=True, slots=True)
class Citation:
    """A reference found in a clause, and, once resolved, its target."""

    doc_id: str
    clause_id: str
    kind: CitationKind
    relation: Relation
    text: str  # the citing words as written, e.g. 《中华人民共和国数据安全法》第二十一条
    start: int  # offsets into the citing document's body
    end: int
    title: str | None = None  # the cited title as written (inside 《》), None for internal references
    pinpoint: str | None = None  # e.g. 第二十一条第二款
    target_doc: str | None = None  # resolved document id
    target_clause: str | None = None  # resolved clause id
    reason: str | None = None  # how it was resolved or why not


@dataclass(frozen=True, slots=True)
class TopicTag:
    """A topic a clause is about, with the lexicon terms that matched and where."""

    doc_id: str
    clause_id: str
    topic: str
    terms: tuple[str, ...]
    spans: tuple[Span, ...] = ()


@dataclass(frozen=True, slots=True)
class Failure:
    """A file that could not be ingested, with the one-line reason users see."""

    path: str
    error: str  # the KbError subclass name
    message: str


@dataclass(frozen=True, slots=True)
class IngestReport:
    """The outcome of one ingest run."""

    added: int
    updated: int
    unchanged: int
    removed: int
    failures: tuple[Failure, ...]
    seconds: float
    stage_seconds: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class Highlight:
    """A matched stretch in a snippet: offsets into ``SearchHit.snippet``."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One search result: a clause, or a whole document with ``--docs``."""

    doc_id: str
    clause_id: str | None
    title: str | None
    number: str | None
    score: float
    snippet: str
    highlights: tuple[Highlight, ...] = ()
    province: str | None = None
    year: int | None = None
    doc_type: str | None = None
    level: str | None = None


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Hits of one query with the total and facet counts over the whole result set."""

    query: str
    total: int
    hits: tuple[SearchHit, ...]
    facets: tuple[tuple[str, tuple[tuple[str, int], ...]], ...] = ()
    seconds: float = 0.0
    mode: str = "exact"  # "exact": every word occurs as typed; "question": ranked answers to a question
    # With no hit: each word of the query with its hit count alone, and a relaxed query that has hits (or None).
    word_hits: tuple[tuple[str, int], ...] = ()
    relaxed: str | None = None


@dataclass(frozen=True, slots=True)
class KbStatus:
    """Counts of what the knowledge base holds."""

    home: str
    documents: int
    clauses: int
    failures: int
    citations: int
    last_built: str | None
    schema_version: int


def to_jsonable(value: Any) -> Any:
    """Turn records, enums, dates and tuples into JSON-ready values (dataclasses become dicts)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, DocMeta):
            out["issuer"] = value.issuer
        return out
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    return value


__all__ = [
    "Block",
    "Citation",
    "CitationKind",
    "Clause",
    "ClauseKind",
    "DateEvent",
    "DocFilter",
    "DocMeta",
    "DocSummary",
    "DocType",
    "Document",
    "EventKind",
    "ExtractedText",
    "Failure",
    "Format",
    "Highlight",
    "IngestReport",
    "KbStatus",
    "Level",
    "Relation",
    "SearchHit",
    "SearchResult",
    "Span",
    "Status",
    "SubjectScore",
    "TopicTag",
    "to_jsonable",
]
