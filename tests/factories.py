"""Record factories for tests: small valid records with defaults, any field overridable by keyword.

The default texts are made up for tests (a two-article 条例), not taken from the shared corpus.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from kb.models import (
    Block,
    Citation,
    CitationKind,
    Clause,
    ClauseKind,
    DocMeta,
    DocSummary,
    Document,
    ExtractedText,
    Format,
    Relation,
    SearchHit,
)
from kb.segment.segmenter import build_body, segment

# A small legislation body: a chapter, an article with two paragraphs and a point, and a one-paragraph article.
SAMPLE_BODY = (
    "第一章 总则\n"
    "第一条 为了规范数据处理活动，制定本条例。\n"
    "第二条 本条例下列用语的含义：\n"
    "（一）数据，是指任何以电子方式对信息的记录。\n"
    "处理数据应当遵守法律。\n"
    "第二章 附则\n"
    "第三条 本条例自公布之日起施行。"
)

_KIND_BY_PREFIX = {
    "part": ClauseKind.PART,
    "subpart": ClauseKind.SUBPART,
    "chp": ClauseKind.CHAPTER,
    "sec": ClauseKind.SECTION,
    "art": ClauseKind.ARTICLE,
    "para": ClauseKind.PARAGRAPH,
    "point": ClauseKind.POINT,
    "subpoint": ClauseKind.SUBPOINT,
    "div": ClauseKind.DIVISION,
    "subdiv": ClauseKind.SUBDIVISION,
    "item": ClauseKind.ITEM,
    "subitem": ClauseKind.SUBITEM,
    "preamble": ClauseKind.PREAMBLE,
    "closing": ClauseKind.CLOSING,
    "att": ClauseKind.ATTACHMENT,
    "toc": ClauseKind.TOC,
}


def make_block(text: str = "第一条 为了规范数据处理活动，制定本条例。", **fields: Any) -> Block:
    """A paragraph block (or a heading with ``kind="heading", level=1``)."""
    return Block(text, **fields)


def make_extracted(
    blocks: tuple[Block, ...] | list[str] | None = None,
    *,
    path: str = "corpus/测试条例.md",
    title: str | None = "测试条例",
    info: tuple[str, ...] = ("2021年6月29日 某市人民代表大会常务委员会第二次会议通过",),
    format: Format = Format.MARKDOWN,
    **fields: Any,
) -> ExtractedText:
    """ExtractedText of ``blocks`` (Block records, or plain strings read as paragraphs); SAMPLE_BODY by default."""
    if blocks is None:
        blocks = SAMPLE_BODY.split("\n")
    made = tuple(b if isinstance(b, Block) else Block(b) for b in blocks)
    return ExtractedText(path=path, format=format, title=title, info=info, blocks=made, **fields)


def make_meta(**fields: Any) -> DocMeta:
    """DocMeta of a 2021 municipal regulation of 深圳 unless overridden."""
    defaults: dict[str, Any] = {
        "title": "测试条例",
        "short_title": "测试条例",
        "adopted": date(2021, 6, 29),
        "version_date": date(2021, 6, 29),
        "year": 2021,
        "first_year": 2021,
        "province": "广东",
        "city": "深圳",
    }
    defaults.update(fields)
    return DocMeta(**defaults)


def make_clause(clause_id: str = "art_1", **fields: Any) -> Clause:
    """A clause named ``clause_id``; its kind follows the id's last step (``chp_3__art_21`` -> article)."""
    last = clause_id.rsplit("__", 1)[-1]
    prefix = last.split("_", 1)[0].split("-", 1)[0]
    text = fields.pop("text", "第一条 为了规范数据处理活动，制定本条例。")
    start = fields.pop("start", 0)
    end = fields.pop("end", start + len(text))
    parent = fields.pop("parent", clause_id.rsplit("__", 1)[0] if "__" in clause_id else None)
    defaults: dict[str, Any] = {
        "doc_id": "doc",
        "kind": _KIND_BY_PREFIX.get(prefix, ClauseKind.ARTICLE),
        "number": None,
        "ordinal": None,
        "heading": None,
        "own_end": end,
        "depth": clause_id.count("__"),
        "sub": None,
    }
    defaults.update(fields)
    return Clause(id=clause_id, text=text, start=start, end=end, parent=parent, **defaults)


def make_document(body: str = SAMPLE_BODY, **fields: Any) -> Document:
    """A Markdown document of ``body``, its clauses segmented by kb.segment.segmenter unless ``clauses`` is given."""
    doc_id = fields.pop("id", "doc")
    if "clauses" not in fields or "grammar" not in fields:
        result = segment(doc_id, body)
        fields.setdefault("clauses", result.clauses)
        fields.setdefault("grammar", result.grammar)
    defaults: dict[str, Any] = {
        "path": "corpus/测试条例.md",
        "format": Format.MARKDOWN,
        "sha256": "0" * 64,
        "title": "测试条例",
        "info": ("2021年6月29日 某市人民代表大会常务委员会第二次会议通过",),
        "meta": make_meta(),
    }
    defaults.update(fields)
    return Document(id=doc_id, body=body, **defaults)


def make_document_from_blocks(blocks: list[str], **fields: Any) -> Document:
    """A document whose body is built from paragraph texts as the pipeline builds it."""
    return make_document(build_body([Block(text) for text in blocks]), **fields)


def make_citation(**fields: Any) -> Citation:
    """An unresolved citation of 《中华人民共和国数据安全法》第二十一条 from article 1 of ``doc``."""
    defaults: dict[str, Any] = {
        "doc_id": "doc",
        "clause_id": "chp_1__art_1",
        "kind": CitationKind.TITLE,
        "relation": Relation.CITES,
        "text": "《中华人民共和国数据安全法》第二十一条",
        "start": 0,
        "end": 19,
        "title": "中华人民共和国数据安全法",
        "pinpoint": "第二十一条",
    }
    defaults.update(fields)
    return Citation(**defaults)


def make_search_hit(**fields: Any) -> SearchHit:
    """A search hit on article 1 of ``doc``."""
    defaults: dict[str, Any] = {
        "doc_id": "doc",
        "clause_id": "chp_1__art_1",
        "title": "测试条例",
        "number": "第一条",
        "score": 1.0,
        "snippet": "为了规范数据处理活动",
    }
    defaults.update(fields)
    return SearchHit(**defaults)


def make_summary(doc_id: str, title: str, path: str | None = None, **meta: Any) -> DocSummary:
    """A document summary of a made-up document; ``meta`` fields set its DocMeta (version_date, status, ...)."""
    return DocSummary(
        id=doc_id, path=path or f"/corpus/{doc_id}.md", format=Format.MARKDOWN, title=title,
        meta=make_meta(title=title, **meta), clause_count=1,
    )  # fmt: skip
