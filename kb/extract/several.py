"""Several documents in one file: ExtractedText -> the first document's ExtractedText, the rest left out with a warning.

People save a law and then the start of another into one PDF or Word file (a compilation cut short, two downloads
pasted together). Read as one document, the second text's articles would be taken as the first's. A second document
shows as a title (a short line ending like one: …法, …条例, …办法, …规定, …决定) followed within a few blocks by 第一条
(or 第一章 then 第一条) after the first document's numbering has run past its first articles, with no 附件 (an
attachment's own articles belong to the document) between. The blocks from that title on are left out and named
in a warning, so the user knows the file holds more than the one document kb stored.
"""

from __future__ import annotations

import re
from dataclasses import replace

from kb.models import Block, ExtractedText
from kb.segment.patterns import article, attachment

# How a document's title ends: 法, 条例, 规定, 办法, 细则, 规则, 决定, 决议, 意见, 通知 (and a version note).
TITLE_END = re.compile(
    r"(?:法|法典|条例|规定|办法|细则|规则|规程|准则|决定|决议|意见|通知)(?:（[^）]{1,20}）|\([^)]{1,20}\))?$"
)
# Sentence punctuation a title never holds.
SENTENCE = re.compile(r"[。；;，,：:！？!?]")
# Blocks between a second document's title and its 第一条: header lines, a TOC's few entries, 第一章 总则.
MAX_GAP = 8
# Articles the first document must have reached before a 第一条 can open another one.
MIN_ARTICLES = 3


def _title_like(text: str) -> bool:
    return 4 <= len(text) <= 60 and TITLE_END.search(text) is not None and not SENTENCE.search(text)


def second_document_start(blocks: tuple[Block, ...]) -> int | None:
    """The index of the block that opens a second document (its title), or None."""
    highest = 0
    for i, block in enumerate(blocks):
        opened = article(block.text)
        if opened is None or opened.ordinal is None:
            continue
        if opened.ordinal == 1 and not opened.sub and highest >= MIN_ARTICLES:
            for j in range(i - 1, max(-1, i - 1 - MAX_GAP), -1):
                text = blocks[j].text
                if attachment(text) is not None or article(text) is not None:
                    break
                if _title_like(text):
                    before = blocks[max(0, j - 2) : j]
                    if any(attachment(b.text) is not None or b.text.startswith("附") for b in before):
                        break  # 附件 / 附件1 / 附：… then the attachment's title
                    return j
        highest = max(highest, opened.ordinal)
    return None


def first_document(extracted: ExtractedText) -> ExtractedText:
    """``extracted`` less any document that follows the first, with a warning naming what was left out."""
    cut = second_document_start(extracted.blocks)
    if cut is None:
        return extracted
    rest = extracted.blocks[cut:]
    where = f" on page {rest[0].page}" if rest[0].page else ""
    warning = (
        f"{extracted.path}: a second document starts{where} ({rest[0].text}, {len(rest)} paragraphs); only the first"
        " is read — split the file to keep both"
    )
    return replace(extracted, blocks=extracted.blocks[:cut], warnings=(*extracted.warnings, warning))
