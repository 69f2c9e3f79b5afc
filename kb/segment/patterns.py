"""Segmentation patterns: one body line -> the structural mark it opens (编章节条, 一、（一）1.（1）, 附件, 目录...).

Every pattern is matched against a line with its leading and trailing whitespace removed. The functions here look
at one line only; what a mark means in its context (a heading or a cross-reference, a TOC entry or a chapter) is
decided in kb/segment/segmenter.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.normalize.numerals import parse_number

# Numerals of structural numbers: Chinese (二十一, 一百零五), ASCII and full-width digits (some PDFs write 第21条).
_NUM = "[零〇一二两三四五六七八九十百千0-9０-９]+"
# Small Chinese numerals of 之一 and list numbers (一、 （一）).
_SMALL_CN = "[一二三四五六七八九十]+"
# Spaces a source may put inside a number or after it: ASCII, full-width (U+3000) and no-break space.
_SP = "[ \t\u3000\u00a0]"

# A container heading: 第一编 / 第一分编 / 第一章 / 第一节, then its words, e.g. "第一章  总  则", "第二节一般规定".
# The unit is captured so that one pattern serves the four levels.
CONTAINER = re.compile(rf"^第{_SP}*(?P<num>{_NUM}){_SP}*(?P<unit>分编|编|章|节)(?P<rest>.*)$")

# An article: 第二十一条, 第二十一条之一, 第 21 条; ``rest`` is what follows the number (its text, or nothing).
ARTICLE = re.compile(rf"^第{_SP}*(?P<num>{_NUM}){_SP}*条(?:之(?P<sub>{_SMALL_CN}))?(?P<rest>.*)$")

# What follows the number when a line opens with a cross-reference instead of an article, e.g. 第三十五条规定的…,
# 第十条第二款…, 第五条、第六条…, 第八条至第十条…, 第九条的规定…, 第七条中…. An article number is followed by
# whitespace or directly by its own text, never by these. 中 of 中华人民共和国 (第二条中华人民共和国境内的企业…, an
# article run into its text) or of 中央/中国 begins the article's words, not "in article N".
REFERENCE_TAIL = re.compile(
    rf"^(?:规定|的|之规定|中(?![华央国])|第{_NUM}[款项目]|[、，,；;至和及与或所]|以外|以及|以下|以上|有关|修改|删除|"
    r"废止|增加|另有|适用|作为|改为)"
)

# A colon set between a number and its words by some web copies: 第九十八条：本法自…, 第八章：附则. It separates like
# a space (a cross-reference is never followed by a colon at the start of a line).
NUMBER_COLON = re.compile(r"^[：:]")

# Sentence punctuation: a line holding any of it is a sentence, not a heading.
SENTENCE_PUNCT = re.compile(r"[。；;，,：:！？!?]")

# Punctuation that ends a clause of a sentence, never inside a heading.
CLAUSE_PUNCT = re.compile(r"[。；;：:！？!?]")

# The longest line read as a heading (编章节 words, 一、 group titles, 附则); longer lines are paragraphs.
HEADING_MAX_CHARS = 40

# An article's own title in square brackets, e.g. 第一条　【立法目的】为了…
ARTICLE_TITLE = re.compile(r"^[【\[](?P<title>[^】\]]{1,30})[】\]]")

# 一、总体要求 / 二．主要目标: a policy division, or in legislation a group heading of articles (司法解释).
DIVISION = re.compile(rf"^(?P<num>{_SMALL_CN})[、．](?P<rest>.*)$")

# （一）统筹建设监管工作平台。 / (二)…: a policy subdivision, or a point (项) inside an article.
SUBDIVISION = re.compile(rf"^[（(](?P<num>{_SMALL_CN})[)）](?P<rest>.*)$")

# 1. / 1． / 1、 / 12.: a policy item, or a subpoint (目) inside an article. Not 1.5倍 (a digit after the dot),
# not 2019年 (no dot).
ITEM = re.compile(r"^(?P<num>[0-9０-９]{1,3})(?:[.．、](?![0-9０-９]))(?P<rest>.*)$")

# （1） / (1): a policy subitem.
SUBITEM = re.compile(r"^[（(](?P<num>[0-9０-９]{1,3})[)）](?P<rest>.*)$")

# A table of contents: 目录, 目 录, 目　　录.
TOC = re.compile(rf"^目{_SP}*录$")

# Headings without a number that still open a container: 附则 of 刑法, 序言 of 宪法, 总则/分则 of some codes.
UNNUMBERED_HEADINGS = ("序言", "总则", "分则", "附则")

# The start of an attachment: 附件, 附件1, 附件一, 附件 2, 附录, 附表一, 附：; with a colon and a title only where no
# signature follows (附件1：重点任务分工表); "附件：1.…" before a signature is the closing's list of attachments.
ATTACHMENT = re.compile(
    rf"^(?:附件|附录|附表|附(?=[：:])){_SP}*(?P<num>[0-9０-９一二三四五六七八九十]*){_SP}*(?P<colon>[：:]?)(?P<rest>.*)$"
)

# A date on a line of its own, the signature date of a document: 2019年1月27日, 二〇〇四年十一月四日.
DATE_LINE = re.compile(
    rf"^(?:[0-9０-９]{{4}}|[〇零○Ｏ一二三四五六七八九]{{4}}){_SP}*年{_SP}*[0-9０-９一二三四五六七八九十]{{1,2}}{_SP}*月"
    rf"{_SP}*[0-9０-９一二三四五六七八九十]{{1,3}}{_SP}*日$"
)

# A note after the signature: （此件公开发布）, （此件有删减）, （本文有删减）.
NOTE_LINE = re.compile(r"^[（(](?:此件|本文|此文)[^）)]{0,20}[)）]$")

# A signatory: an office then a name, e.g. 总理　　李克强, 主席 习近平.
SIGNATORY = re.compile(rf"^(?:总理|主席|部长|主任|省长|市长|区长|县长|署长|局长|院长|委员长|会长){_SP}+\S{{2,4}}$")

# How an issuing body's name ends, for the signature line above a date: 国务院, 国务院办公厅, 北京市人民政府.
ISSUER_ENDINGS = ("院", "厅", "政府", "委员会", "部", "局", "署", "办公室", "委", "会", "中心", "行", "室", "组", "所")

# A list-numbered heading left by Word numbering, e.g. "1.  总 则" where the official text has 第一章 总则.
LIST_HEADING = re.compile(rf"^(?P<num>[0-9]{{1,2}})[.．]{_SP}+(?P<rest>\S.*)$")

_CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
# Whitespace between two CJK characters, as in 总  则: dropped in a heading's words.
_CJK_GAP = re.compile(rf"(?<={_CJK})\s+(?={_CJK})")


def squash(text: str) -> str:
    """Heading words without the spacing sources put between characters: "总  则" -> "总则"."""
    return " ".join(_CJK_GAP.sub("", text).split())


def is_sentence(text: str) -> bool:
    """True when ``text`` reads as a sentence (has sentence punctuation) or is too long for a heading."""
    return len(text) > HEADING_MAX_CHARS or bool(SENTENCE_PUNCT.search(text))


@dataclass(frozen=True, slots=True)
class Number:
    """A structural number read at the start of a line."""

    unit: str  # 编 分编 章 节 条 | div subdiv item subitem
    written: str  # as written, less inner spaces: 第二十一条之一, 一、, （一）, 1.
    ordinal: int | None
    sub: int | None
    rest: str  # the rest of the line after the number, with leading spaces removed
    spaced: bool  # whitespace (or nothing) follows the number


def _value(text: str) -> int | None:
    return parse_number(text)


def container(line: str) -> Number | None:
    """The 编/分编/章/节 heading ``line`` opens, or None (a sentence such as 第二章规定的… is not a heading)."""
    m = CONTAINER.match(line)
    if m is None:
        return None
    rest = m.group("rest")
    spaced = not rest or rest[:1].isspace() or bool(NUMBER_COLON.match(rest))
    words = NUMBER_COLON.sub("", rest).strip()
    if spaced:
        # A spaced number opens a heading even with a comma (第四章 乡、民族乡、镇人民代表大会主席团，主席、副主席)
        # or a final full stop (第五节 生活、卫生。 of 监狱法); a sentence has 。；： inside.
        if len(words) > HEADING_MAX_CHARS or CLAUSE_PUNCT.search(words.removesuffix("。")):
            return None
    elif is_sentence(words) or REFERENCE_TAIL.match(words):
        return None
    written = f"第{m.group('num')}{m.group('unit')}"
    return Number(m.group("unit"), written, _value(m.group("num")), None, words, spaced)


def article(line: str) -> Number | None:
    """The article number ``line`` starts with, or None; ``spaced`` tells a sure article from one to check."""
    m = ARTICLE.match(line)
    if m is None:
        return None
    rest = m.group("rest")
    spaced = not rest or rest[:1].isspace() or bool(NUMBER_COLON.match(rest))
    stripped = NUMBER_COLON.sub("", rest).lstrip()
    if not spaced and REFERENCE_TAIL.match(stripped):
        return None
    sub = m.group("sub")
    written = f"第{m.group('num')}条" + (f"之{sub}" if sub else "")
    return Number("条", written, _value(m.group("num")), _value(sub) if sub else None, stripped, spaced)


def policy_number(line: str) -> Number | None:
    """The policy-document number ``line`` starts with: 一、 (div), （一） (subdiv), 1. (item), （1） (subitem)."""
    for unit, pattern, fmt in _POLICY_PATTERNS:
        m = pattern.match(line)
        if m is not None:
            rest = m.group("rest")
            return Number(unit, fmt.format(m.group("num")), _value(m.group("num")), None, rest.strip(), True)
    return None


_POLICY_PATTERNS = (
    ("div", DIVISION, "{}、"),
    ("subdiv", SUBDIVISION, "（{}）"),
    ("subitem", SUBITEM, "（{}）"),
    ("item", ITEM, "{}."),
)


def attachment(line: str) -> Number | None:
    """The attachment ``line`` opens (附件, 附件2, 附件一：title), or None."""
    m = ATTACHMENT.match(line)
    if m is None:
        return None
    num = m.group("num")
    rest = m.group("rest").strip()
    if rest and not m.group("colon") and not num:
        return None  # 附件所列…: a sentence that merely starts with the word
    if rest and is_sentence(rest):
        return None
    written = line[: m.start("colon")].replace(" ", "").replace("\u3000", "") if rest or m.group("colon") else line
    ordinal = _value(num) if num else None
    return Number("附件", squash(written), ordinal, None, rest, bool(m.group("colon")))


def is_signature_line(line: str) -> bool:
    """True for the issuer or signatory line above a signature date: 国务院办公厅, 总理　李克强."""
    if SIGNATORY.match(line):
        return True
    if len(line) > HEADING_MAX_CHARS or SENTENCE_PUNCT.search(line.replace("、", "")):
        return False
    return line.endswith(ISSUER_ENDINGS)


def heading_words(rest: str) -> str | None:
    """A heading's words from what follows its number: "总  则" -> "总则"; None when nothing follows."""
    words = squash(rest)
    return words or None


def run_in_heading(rest: str) -> str | None:
    """The heading of a policy number: the whole short line (总体要求) or its short first sentence (医疗质量。…)."""
    if not rest:
        return None
    first, dot, _ = rest.partition("。")
    first = first.strip()
    if not SENTENCE_PUNCT.search(first) and 0 < len(first) <= 30 and (dot or len(rest) <= 30):
        return squash(first)
    return None
