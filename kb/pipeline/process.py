"""Processing one document: file bytes (or a row of a policy list) -> Processed, the records of every per-document
stage (extract, metadata, segment, citations, topics, subjects). A pure function of its input and Options, so it runs
in any worker: in the local process pool or on a cluster's workers.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from kb.extract import extract_bytes, read_file
from kb.extract.lists import ListRow, row_path
from kb.models import Citation, Document, Format, SubjectScore, TopicTag

if TYPE_CHECKING:
    from kb.metadata.read import Overrides

# Bumped whenever a stage changes what it produces, so that `kb ingest` re-processes unchanged files.
PIPELINE_VERSION = "4"  # 2: ids from the path under the ingested folder; 3: stored text keeps full-width digits;
# 4: document subjects


@dataclass(frozen=True, slots=True)
class Processed:
    """A document through every per-document stage, with the citations and topic tags found in it."""

    document: Document
    citations: tuple[Citation, ...]
    topics: tuple[TopicTag, ...]
    subjects: tuple[SubjectScore, ...] = ()  # every subject with evidence, also below the threshold
    # kb.versions.works.text_fingerprint of the body, which finds copies: computed here, in the worker, rather than
    # by the one process that writes the store (None: the store computes it)
    fingerprint: str | None = None


@dataclass(frozen=True, slots=True)
class Options:
    """Per-run settings the per-document stages need; picklable, passed once to each worker."""

    ocr: bool = False
    overrides: Overrides | None = None
    topics_file: str | None = None
    subjects_file: str | None = None
    engine: str | None = None  # the search engine of a new knowledge base (None: the home's, else Whoosh)
    keys: Mapping[str, str] | None = None  # path -> source key, for workers that are handed paths only


def source_key(path: str | Path, root: str | Path | None = None) -> str:
    """Where a document is, said the same way on every machine: its path under the folder that was ingested
    (``法律/数据安全法(2021-06-10).md`` for a file of ``kb ingest corpus/lawrefbook``), or its file name when the
    file itself was named. Forward slashes and Unicode NFC, so Windows, macOS and Linux spell it alike."""
    file = Path(path)
    if root is not None:
        try:
            relative = file.resolve().relative_to(Path(root).resolve()).as_posix()
        except ValueError:
            relative = file.name
    else:
        relative = file.name
    return unicodedata.normalize("NFC", relative)


def document_id(key: str) -> str:
    """A document's id from its :func:`source_key`: the same on every machine and after the corpus moves, stable
    across rebuilds and independent of every other document."""
    return hashlib.sha1(unicodedata.normalize("NFC", key).encode("utf-8")).hexdigest()[:12]


def widen_key(path: str | Path, key: str) -> str:
    """The key with one more folder of ``path`` in front: what tells apart two files that sit at the same place
    under two ingested folders (``a/docs/x.md`` and ``b/docs/x.md``); the absolute path when no folder is left."""
    parts = Path(path).resolve().parts
    depth = len(Path(key).parts) + 1
    if depth >= len(parts):
        return Path(path).resolve().as_posix()
    return unicodedata.normalize("NFC", Path(*parts[-depth:]).as_posix())


def process_bytes(data: bytes, path: str, options: Options = Options(), key: str | None = None) -> Processed:
    """Run extraction, metadata, segmentation, citation finding and topic tagging on one file's content.

    ``key`` is the file's :func:`source_key`, from which its id is derived (its file name when not given)."""
    from kb.citations.find import find_citations
    from kb.metadata.read import apply_overrides, read_metadata
    from kb.segment.segmenter import build_body, marked_headings, segment

    extracted = extract_bytes(data, path, ocr=options.ocr)
    body = build_body(extracted.blocks)
    meta = read_metadata(extracted, body)
    if options.overrides is not None:
        meta = apply_overrides(meta, path, options.overrides)
    if key is None:
        key = (options.keys or {}).get(path) or source_key(path)
    doc_id = document_id(key)
    segmentation = segment(doc_id, body, marked_headings(extracted))
    document = Document(
        id=doc_id,
        path=str(path),
        format=extracted.format,
        sha256=hashlib.sha256(data).hexdigest(),
        title=meta.title or extracted.title,
        info=extracted.info,
        body=body,
        meta=meta,
        clauses=segmentation.clauses,
        warnings=extracted.warnings + segmentation.warnings + _date_warnings(body),
        grammar=segmentation.grammar,
    )
    return _classified(document, options, find_citations(document))


def _classified(document: Document, options: Options, citations: tuple[Citation, ...]) -> Processed:
    """A document with its citations, clause topic tags and subject scores."""
    from kb.topics.subjects import load_subjects, score_subjects
    from kb.topics.tag import load_lexicon, tag_topics
    from kb.versions.works import text_fingerprint

    lexicon = load_lexicon(Path(options.topics_file) if options.topics_file else None)
    tags = tag_topics(document, lexicon)
    subjects = load_subjects(Path(options.subjects_file) if options.subjects_file else None)
    scores = score_subjects(document.title, document.clauses, tags, subjects, all_scores=True)
    return Processed(document, citations, tags, scores, text_fingerprint(document.body))


# A row's field (kb.extract.lists) -> the metadata label read_metadata knows it by.
_ROW_FIELDS = {"title": "标题", "issue_date": "成文日期", "publish_date": "发布日期", "doc_number": "发文字号",
               "url": "url", "effective_date": "施行日期", "type": "效力级别", "status": "时效性",
               "index_no": "索引号", "subject": "主题分类", "issuer": "发文机关"}  # fmt: skip
# Names of the central government in a list's government column: its rows are national unless the title says more.
_CENTRAL = frozenset({"国务院", "中央", "全国", "中华人民共和国国务院", "中国政府网"})


def process_row(row: ListRow, list_path: str, fmt: Format, options: Options = Options()) -> Processed:
    """One row of a list (title, dates, issuer, url, maybe the text) as a document, classified like any other.

    The government column names a place (上海, 广东) or the central government (国务院) rather than a body:
    it sets the province (or the national level) only where the title does not say where the document is from.
    """

    from kb.citations.find import find_citations
    from kb.metadata.read import read_metadata
    from kb.models import Block, ExtractedText, Level
    from kb.normalize.places import is_county
    from kb.report.stats import mainland_provinces
    from kb.segment.segmenter import build_body, segment

    path = row_path(list_path, row.row)
    government = row.get("issuer")
    place = government.removesuffix("省").removesuffix("市") if government else None
    is_place = place in mainland_provinces()
    fields = tuple(
        (_ROW_FIELDS[name], value)
        for name, value in row.fields
        if name in _ROW_FIELDS and not (name == "issuer" and (is_place or value in _CENTRAL))
    )
    text = row.get("text")
    blocks = tuple(Block(line.strip()) for line in (text or "").splitlines() if line.strip())
    extracted = ExtractedText(path, fmt, row.get("title"), (), blocks, fields)
    body = build_body(blocks) if blocks else ""
    meta = read_metadata(extracted, body)
    if meta.province is None and is_place:
        county = is_county(meta.short_title or meta.title or "")
        meta = replace(meta, province=place, level=meta.level or (Level.COUNTY if county else Level.PROVINCIAL))
    elif meta.province is None and government in _CENTRAL and meta.level is None:
        meta = replace(meta, level=Level.NATIONAL)
    doc_id = document_id(row_path(Path(list_path).name, row.row))  # portable: the list's name and the row
    clauses = segment(doc_id, body, ()).clauses if body else ()
    content = "\x1f".join(f"{k}={v}" for k, v in row.fields)
    document = Document(id=doc_id, path=path, format=fmt, sha256=hashlib.sha256(content.encode("utf-8")).hexdigest(),
                        title=meta.title, info=(), body=body, meta=meta, clauses=clauses,
                        grammar=None)  # fmt: skip
    return _classified(document, options, find_citations(document) if body else ())


def _date_warnings(body: str) -> tuple[str, ...]:
    """Warnings for dates the text writes but no PRC document can bear (一〇〇〇年…, 2999年…): reported, not used."""
    from kb.normalize.dates import implausible_dates, plausible_years

    spans = implausible_dates(body)
    if not spans:
        return ()
    first, last = plausible_years(body)
    shown = "、".join(body[s.start : s.end] for s in spans[:3]) + ("…" if len(spans) > 3 else "")
    return (f"{len(spans)} date(s) outside {first}-{last} ignored: {shown}",)


def process_file(path: str | Path, options: Options = Options(), key: str | None = None) -> Processed:
    """Read a file and run :func:`process_bytes` on it."""
    return process_bytes(read_file(path), str(path), options, key)
