"""Document numbers (发文字号): text -> the number as written and a key normalised for matching."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.normalize.numerals import FULLWIDTH_DIGITS, parse_number

# Brackets around the year of a 文号 as they are written: the official 六角括号 〔〕, and the square, full-width,
# round and lenticular forms that pages and typed copies use instead: 国办发〔2015〕50号, 黔府发[2020]5号,
# 浙政发（2020）3号, 京政发【2019】7号.
_OPEN = re.escape("〔[［(（【")
_CLOSE = re.escape("〕]］)）】")
# The issuer's abbreviation before the year: Chinese characters only (国办发, 黔府发, 国办发明电, 浙政办发), at most
# twelve, so that a sentence does not run into the number.
_PREFIX = r"[\u4e00-\u9fff]{1,12}"
_DIGITS = r"[0-9０-９]"

# The standard 文号: abbreviation, bracketed year, serial number and 号 -- "国办发〔2018〕124号", "黔府发[2020]5号",
# "浙政发（2020）3号", "国办发明电〔2018〕15号"; a 第 before the serial is tolerated ("国发〔1981〕第88号").
BRACKET_NUMBER = re.compile(
    rf"(?P<prefix>{_PREFIX})\s*[{_OPEN}]\s*(?P<year>{_DIGITS}{{4}})\s*[{_CLOSE}]\s*第?\s*(?P<serial>{_DIGITS}{{1,5}})\s*号"
)

# An order (令) number: "国务院令第707号", "中华人民共和国国务院令第704号", "国家市场监督管理总局令第45号",
# "公安部令第33号", the short "国令第707号" of gov.cn, and the serial written in Chinese numerals (令第一号).
ORDER_NUMBER = re.compile(
    rf"(?P<prefix>[\u4e00-\u9fff、]{{1,40}}?)令\s*第\s*(?P<serial>{_DIGITS}{{1,5}}|[一二三四五六七八九十百零〇]{{1,6}})\s*号"
)

# An order numbered before 令: "食品药品监管局、海关总署第4号令" (joint orders are often written this way).
ORDER_NUMBER_AFTER = re.compile(rf"(?P<prefix>[\u4e00-\u9fff、]{{1,40}}?)第\s*(?P<serial>{_DIGITS}{{1,5}})\s*号令")

# An announcement number with its year: "公告 2020 第12号", "公告2020年第12号", "2020年第12号公告" -- the forms
# ministries number their 公告 with.
ANNOUNCEMENT_NUMBER = re.compile(
    rf"(?P<prefix>[\u4e00-\u9fff]{{0,20}}?)公告\s*(?P<year>{_DIGITS}{{4}})\s*年?\s*第\s*(?P<serial>{_DIGITS}{{1,5}})\s*号"
    rf"|(?P<year2>{_DIGITS}{{4}})\s*年\s*第\s*(?P<serial2>{_DIGITS}{{1,5}})\s*号\s*公告"
)

# A standing-committee announcement numbered without a year: "浙江省人民代表大会常务委员会公告第11号".
PLAIN_ANNOUNCEMENT_NUMBER = re.compile(
    rf"(?P<prefix>[\u4e00-\u9fff]{{2,30}}?)公告\s*第\s*(?P<serial>{_DIGITS}{{1,5}})\s*号"
)

# The country name some issuers write before their own, dropped from the key: 中华人民共和国国务院令 -> 国务院令.
_COUNTRY = "中华人民共和国"
# Words that can precede an order's issuer in running text and are not part of it ("以国务院令第707号公布",
# "和国务院令第707号").
_ORDER_LEAD = re.compile(r"^(?:.*?(?:根据|依据|按照|（|\())?(?:和|及|与|或|并|以|经|由)?")

# A legislature's term, left out of keys: 第十一届 in 浙江省第十一届人民代表大会常务委员会公告第11号.
_TERM = re.compile(r"第?[一二三四五六七八九十]{1,3}届")


@dataclass(frozen=True, slots=True)
class DocNumber:
    """A document number as written, its key for matching, and where it was found."""

    text: str
    key: str
    start: int
    end: int


def _serial(text: str) -> int | None:
    return parse_number(text.translate(FULLWIDTH_DIGITS))


def _order_issuer(prefix: str) -> str:
    """The issuer part of an order number: country name and leading words dropped; 国务院 shortened to 国 (国令)."""
    prefix = _ORDER_LEAD.sub("", prefix).removeprefix(_COUNTRY)
    prefix = prefix.replace(_COUNTRY, "")
    return "国" if prefix in {"国务院", "国"} else prefix


def find_doc_numbers(text: str) -> list[DocNumber]:
    """Every document number in ``text``, in order, without overlaps (the longer form wins)."""
    if "号" not in text:  # every form ends with 号; most texts have none
        return []
    found: list[DocNumber] = []
    for match in BRACKET_NUMBER.finditer(text):
        year, serial = _serial(match["year"]), _serial(match["serial"])
        if year is None or serial is None:
            continue
        found.append(DocNumber(match.group(0).strip(), f"{match['prefix']}{year}-{serial}", match.start(), match.end()))
    for pattern in (ORDER_NUMBER, ORDER_NUMBER_AFTER):
        for match in pattern.finditer(text):
            serial = _serial(match["serial"])
            issuer = _order_issuer(match["prefix"])
            if serial is None or not issuer:
                continue
            lead = _ORDER_LEAD.match(match["prefix"])
            start = match.start("prefix") + (lead.end() if lead else 0)
            found.append(DocNumber(text[start : match.end()], f"{issuer}令{serial}", start, match.end()))
    for match in ANNOUNCEMENT_NUMBER.finditer(text):
        year = _serial(match["year"] or match["year2"])
        serial = _serial(match["serial"] or match["serial2"])
        if year is None or serial is None:
            continue
        prefix = (match["prefix"] or "").removeprefix(_COUNTRY)
        found.append(DocNumber(match.group(0).strip(), f"{prefix}公告{year}-{serial}", match.start(), match.end()))
    for match in PLAIN_ANNOUNCEMENT_NUMBER.finditer(text):
        serial = _serial(match["serial"])
        if serial is None:
            continue
        prefix = _TERM.sub("", match["prefix"].removeprefix(_COUNTRY))
        found.append(DocNumber(match.group(0).strip(), f"{prefix}公告{serial}", match.start(), match.end()))
    found.sort(key=lambda n: (n.start, -(n.end - n.start)))
    kept: list[DocNumber] = []
    for number in found:
        if kept and number.start < kept[-1].end:
            continue
        kept.append(number)
    return kept


def doc_number_key(written: str) -> str | None:
    """The matching key of a written number: 国办发〔2018〕124号 -> 国办发2018-124, 国务院令第707号 -> 国令707."""
    numbers = find_doc_numbers(written.strip())
    return numbers[0].key if numbers else None
