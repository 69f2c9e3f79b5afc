"""Citation patterns: text -> the pieces of a reference (named regexes, the 《》 scanner, the pinpoint grammar).

Each constant gives an example it must match and says why it is shaped so (the house rule for patterns). The
patterns work on ``Document.body`` as the segmenter normalised it. Titles in 《》 are found by a small bracket
scanner (:func:`scan_titles`), since nesting such as 《北京市实施〈中华人民共和国水法〉办法》 defeats a plain regex;
pinpoints are read by :func:`read_units` into :class:`Pinpoint` records that kb stores in the canonical written form.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from kb.errors import AliasFileError
from kb.models import Relation
from kb.normalize.docnumber import find_doc_numbers
from kb.normalize.numerals import parse_number, to_chinese

# A numeral as legislation writes unit numbers: 二十一, 一百零五, 21, ２１ (full width survives in some sources).
NUM = r"[零〇一二两三四五六七八九十百千0-9０-９]+"

# One pinpoint unit: 第二十一条, 第二十一条之一, 第二款, 第三项, 第（七）项, 第一目, 第三章, 第二节, 第一编, 第二分编.
# Groups: number, unit word, the 之一 suffix. 分编 is listed before 编 so that it wins; older texts bracket the
# number of a 项 as its list marker is written (第（七）项).
PINPOINT_UNIT = re.compile(rf"第\s?[（(]?({NUM})[）)]?\s?(分编|编|章|节|条|款|项|目)(?:之({NUM}))?")

# A point written as its list marker after a larger unit, without 第: 第六条第二款（七）项.
BRACKETED_POINT = re.compile(rf"[（(]({NUM})[）)]\s?项")

# Several numbers sharing one unit word: 第一、二项, 第二、三、五项, 第十、十一条. Group 1 is the first number,
# group 2 the others with their 、, group 3 the unit.
ABBREVIATED_LIST = re.compile(rf"第\s?({NUM})((?:、{NUM})+)\s?(条|款|项|目)")

# Joins two pinpoints into a list: 第十条、第十二条; 第三款和第四款; 第一项或者第二项; 第五条以及第八条.
# A comma is not a joiner: "第十条，第十二条" is too often two sentences' worth of text.
PINPOINT_LIST = re.compile(r"、|以及|或者|和|及|或|与")

# Joins two pinpoints into a range: 第十条至第十二条, 第一项至第三项; 到 and dashes occur in older texts.
PINPOINT_RANGE = re.compile(r"至|到|—|－|-|~|～")


# A reference to the document itself with a pinpoint: 本法第二十一条, 本条例第十条, 本办法第三章, 本解释第五条.
# Group "unit" is the document word; 本章/本节/本编 are parts of the document and resolve inside it as well.
SELF_REFERENCE = re.compile(
    r"本(?P<unit>法|条例|办法|规定|细则|实施细则|实施办法|规则|决定|解释|意见|通知|方案|准则|纲要|章程|编|章|节)"
    r"(?=\s?第\s?[零〇一二两三四五六七八九十百千0-9０-９]+\s?(?:分编|编|章|节|条|款|项|目))"
)

# A part of the document named as a whole, with no pinpoint after it: 违反本章规定, 本节所称, 依照本编的规定,
# 本章规定之罪, 本节所列. The target is the chapter (section, part) holding the citing clause. With a pinpoint
# (本章第十条) it is a SELF_REFERENCE instead; the lookahead keeps 本章节 and other words out.
CURRENT_PART = re.compile(r"本(?P<unit>编|章|节)(?=的?(?:规定|所称|所列|所指|之罪|有关))")

# Relative references inside an article: 前款, 前两款, 前条, 前项, 前三项, and 本条第二款 / 本款第一项 forms.
# Group "count" is the number of preceding units (empty for one), "unit" is 条, 款 or 项.
RELATIVE_REFERENCE = re.compile(r"前(?P<count>[两二三四五六七八九])?(?P<unit>条|款|项)")

# The current article, paragraph or point followed by a pinpoint below it: 本条第二款, 本款第一项, 本条第一款第三项.
CURRENT_UNIT = re.compile(r"本(?P<unit>条|款|项)(?=第\s?[零〇一二两三四五六七八九十百千0-9０-９]+\s?(?:款|项|目))")

# An anaphoric reference to the last title cited nearby: 该法第十条, 该条例第三条, 上述规定第五条.
ANAPHORA = re.compile(r"(?:该|上述|前述)(?P<unit>法|条例|办法|规定|细则|决定|解释|规则)(?=\s?第)")

# Words that end a title of a document that can be cited; a title ending otherwise (《营业执照》, 《人民日报》,
# 《医疗机构执业许可证》) names a certificate, form or newspaper, not a document, and is not a citation.
DOCUMENT_TITLE_END = re.compile(
    r"(?:法|法典|条例|规定|办法|细则|规则|通则|决定|决议|解释|意见|通知|通告|公告|批复|答复|命令|令|条令|纲要|规划|"
    r"计划|方案|标准|规范|规程|指南|指引|目录|名录|清单|公约|条约|协定|协议|议定书|宣言|宪章|章程|修正案|宪法|"
    r"守则|准则|制度|要点|纪要|安排|说明|报告|请示|函|大纲|总则|分则|附则|编)$"
)

# Version notes that follow a title and do not change which document it names: （2018年修正）, (2021年修订),
# （2019年修正文本）, （草案）, and the file-name date some sources append: (2021-06-10). After 修正案 the year is
# no note but the amendment's name: 宪法修正案（2004年） and 宪法修正案（2018年） are two amendments.
VERSION_NOTE = re.compile(
    r"(?<!修正案)[（(](?:\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?)?(?:第[一二三四五六七八九十]+次)?"
    r"(?:修正|修订|修改|公布|发布|施行|修正本|修订本|修正文本|修订文本|草案)?[）)]\s*$"
    r"|[（(]\d{4}-\d{2}-\d{2}[）)]\s*$"
)

# A country prefix national titles carry and citations often drop: 中华人民共和国网络安全法 = 网络安全法.
COUNTRY_PREFIX = "中华人民共和国"

# Words before a law name written without brackets that mark where the name begins: 依照民事诉讼法第六十四条,
# 违反道路交通安全法实施条例第十条. The name is what lies between the word and the pinpoint.
NAME_LEAD = re.compile(r"(?:依照|依据|根据|按照|违反|适用|参照|符合|属于|认定为|构成|执行|援引|即|对照)")

# The tail of a law name written without brackets: the name ends with a document word just before its pinpoint,
# e.g. 道路交通安全法实施条例 in 违反道路交通安全法实施条例第十条. Group "name" is the candidate name.
BARE_NAME_BEFORE_PINPOINT = re.compile(
    r"(?P<name>[\u4e00-\u9fff]{2,30}?(?:法|法典|条例|办法|规定|细则|规则|决定|解释))$"
)

# The sentence context of a basis: 根据《X》…制定本条例, 依据《X》和有关法律的规定，结合本市实际，制定本办法.
BASIS_LEAD = re.compile(r"(?:根据|依据|依照|按照)")
BASIS_MAKE = re.compile(r"(?:制定|制订)(?:本|该|此)")

# A repeal: 《X》同时废止, 《X》即行废止, 《X》予以废止 (after the title), or 废止《X》 (before it).
REPEAL_AFTER = re.compile(r"^\s?(?:[（(][^（）()]{0,80}[）)])?\s?(?:同时|即行|予以|一并|相应|自行)?(?:废止|失效)")
REPEAL_BEFORE = re.compile(r"(?:废止|废除)$")

# An amendment done by the citing text: 对《X》作如下修改, 将《X》第十条修改为, 修改《X》, 《X》作相应修改.
AMEND_BEFORE = re.compile(r"(?:将|对|修改|修正|修订)$")
AMEND_AFTER = re.compile(
    r"^[^。；：]{0,40}?(?:作如下修改|作出如下修改|作以下修改|作如下修正|作出修改|作相应修改|修改为|改为|修正为|删去|"
    r"作如下修订|进行修改|修订为)"
)

# The words of a sentence boundary inside a clause: relations are read within one sentence.
SENTENCE_END = re.compile(r"[。；;！？!?\n]")

# Separators allowed between titles that share one relation: 《A》、《B》同时废止; 《A》和《B》; 《A》，…的《B》.
TITLE_JOIN = re.compile(r"^\s?(?:、|，|,|和|及|以及|与|或者)")

# -- titles in 《》 ----------------------------------------------------------------------------------------------

# The longest text read as one title; a longer run between 《 and 》 is a quotation gone wrong.
MAX_TITLE_CHARS = 100
# The longest bracket after a title read as part of the citation: （法释〔2015〕11号，以下简称《解释》）.
MAX_PARENTHETICAL_CHARS = 120
# A trailing bracketed part of a title that does not decide whether it names a document: （试行）, （一）, （草案）.
_TRAILING_PAREN = re.compile(r"[（(][^（）()]{1,12}[）)]$")
# The title of an amending document: …关于修改《X》的决定, …关于修改《X》等N件…的决定; X is what it amends.
_AMENDING_TITLE = re.compile(r"关于(?:修改|修订|修正)《(?P<title>[^《》]+?)》(?:等[^《》]*)?的决定$")
# The title of a 修正案: 中华人民共和国刑法修正案（九） amends 中华人民共和国刑法.
_AMENDMENT_TITLE = re.compile(r"^(?P<title>.+?)修正案(?:[（(][^）)]*[）)])?$")


def parenthetical_end(text: str, pos: int) -> int | None:
    """The end of a bracket opening at ``pos`` (after one optional space), nested brackets included; else None."""
    if pos < len(text) and text[pos] == " ":
        pos += 1
    if pos >= len(text) or text[pos] not in "（(":
        return None
    depth = 0
    for j in range(pos, min(len(text), pos + 2 + MAX_PARENTHETICAL_CHARS)):
        ch = text[j]
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth -= 1
            if depth == 0:
                return j + 1
        elif ch in "\n。":
            return None
    return None


def is_document_title(title: str) -> bool:
    """True when ``title`` names a document (法, 条例, 决定, 意见…), not a certificate, form or newspaper."""
    text = title.strip()
    while True:
        stripped = _TRAILING_PAREN.sub("", text).strip()
        if stripped == text:
            break
        text = stripped
    return bool(text) and bool(DOCUMENT_TITLE_END.search(text))


def amended_title(title: str | None) -> str | None:
    """The title a document amends when its own title says so (关于修改《X》的决定, X修正案), else None."""
    if not title:
        return None
    title = title.strip()
    m = _AMENDING_TITLE.search(title)
    if m:
        return m.group("title")
    m = _AMENDMENT_TITLE.match(title)
    return m.group("title") if m else None


def scan_titles(text: str) -> list[tuple[int, int]]:
    """Spans of the outermost 《…》 in ``text`` (nested 《》 and 〈〉 inside are kept); unclosed ones are skipped."""
    spans: list[tuple[int, int]] = []
    i = 0
    while True:
        start = text.find("《", i)
        if start < 0:
            return spans
        depth, j = 0, start
        while j < len(text) and j - start <= MAX_TITLE_CHARS + 2:
            ch = text[j]
            if ch == "《":
                depth += 1
            elif ch == "》":
                depth -= 1
                if depth == 0:
                    break
            elif ch in "\n。":
                break
            j += 1
        if depth == 0 and j < len(text) and text[j] == "》":
            spans.append((start, j + 1))
            i = j + 1
        else:
            i = start + 1


# A numbered item of an amending document, where a quotation that was left open is closed: 1.将… / 二、将….
_ITEM_START = re.compile(r"^\s*(?:[0-9０-９]{1,3}[.．、]|[一二三四五六七八九十]{1,3}、)")


def quote_depths(text: str) -> tuple[list[int], list[int]]:
    """Start offset and “…” depth at the start of every line of ``text`` (for new text an amendment quotes).

    The depth is carried from line to line and reset at each numbered item (1.将第十条修改为：…), so that an
    unbalanced quote in the source does not spill over the rest of the document.
    """
    starts: list[int] = []
    depths: list[int] = []
    depth = start = 0
    for line in text.split("\n"):
        if _ITEM_START.match(line):
            depth = 0
        starts.append(start)
        depths.append(depth)
        depth = max(0, depth + line.count("“") - line.count("”"))
        start += len(line) + 1
    return starts, depths


def keeps_parenthetical(text: str) -> bool:
    """A bracket after a title that belongs to the citation: a declaration, a document number, a version note."""
    if "以下" in text and "称" in text:
        return True
    if "《" in text:
        return False
    return bool(find_doc_numbers(text)) or bool(re.search(r"\d{4}年|修正|修订|试行|草案", text))


# -- relations ----------------------------------------------------------------------------------------------------


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around ``[start, end)``: from after the previous 。；\\n to the next one."""
    left = start
    while left > 0 and not SENTENCE_END.match(text, left - 1):
        left -= 1
    m = SENTENCE_END.search(text, end)
    return left, (m.start() if m else len(text))


def _repealed(text: str, anchors: list[tuple[int, int]], i: int, s_end: int, chain_end: dict[tuple[int, int], int]
              ) -> bool:  # fmt: skip
    """True when the title at ``anchors[i]`` is followed, through joiners and titles, by 同时废止."""
    start, _ = anchors[i]
    if re.search(r"(?:根据|依据|依照|按照)$", text[max(0, start - 2) : start]):
        return False
    after = text[chain_end[anchors[i]] : s_end]
    if REPEAL_AFTER.match(after):
        return True
    if i + 1 < len(anchors) and anchors[i + 1][0] < s_end and TITLE_JOIN.match(after):
        return _repealed(text, anchors, i + 1, s_end, chain_end)
    return False


def title_relations(text: str, chain_end: dict[tuple[int, int], int]) -> dict[tuple[int, int], Relation]:
    """What the sentence around each cited title says of it: basis, repeals or amends (the rest cite).

    ``chain_end`` maps each title's span to where its pinpoints end. Basis: 根据/依据《X》…制定本条例; repeals:
    《X》同时废止, 《A》、《B》同时废止, 废止《X》; amends: 对《X》作如下修改, 将《X》第十条修改为, 修改《X》.
    """
    anchors = sorted(chain_end)
    relation: dict[tuple[int, int], Relation] = {}
    for i, anchor in enumerate(anchors):
        start, end = anchor
        s_start, s_end = sentence_bounds(text, start, end)
        before = text[s_start:start]
        after = text[chain_end[anchor] : s_end]
        if BASIS_LEAD.search(before) and BASIS_MAKE.search(after):
            relation[anchor] = Relation.BASIS
        elif REPEAL_BEFORE.search(before) or _repealed(text, anchors, i, s_end, chain_end):
            relation[anchor] = Relation.REPEALS
        elif (
            (AMEND_BEFORE.search(before[-4:]) and AMEND_AFTER.match(after))
            or re.search(r"(?:修改|修订)$", before)
            or (AMEND_AFTER.match(after) and re.match(r"^\s?(?:[，,]\s?)?作", after))
        ):
            relation[anchor] = Relation.AMENDS
    return relation


# -- title keys and aliases ------------------------------------------------------------------------------------

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
ALIASES_FILE = DATA_DIR / "aliases.yaml"

# Characters that never distinguish two titles: brackets of every width and kind, quotes, the enumeration comma
# (最高人民法院、最高人民检察院 = 最高人民法院 最高人民检察院) and the middle dot some pages insert.
_TITLE_NOISE = re.compile(r"[\s《》〈〉<>＜＞“”\"'‘’「」『』、·・]")
# Modifiers before a short name that name a version, not another law: 修正后刑法, 修订前的刑法, 修改后商标法.
_VERSION_MODIFIER = re.compile(r"^(?:修正|修订|修改)[前后]的?")


# -- titles ----------------------------------------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def title_key(title: str) -> str:
    """A title reduced for matching: widths unified, no version note, spaces, brackets or 中华人民共和国.

    ``《中华人民共和国网络安全法（2016年）》`` and ``网络安全法`` share the key ``网络安全法``;
    ``北京市实施〈中华人民共和国水法〉办法`` and ``北京市实施《水法》办法`` share ``北京市实施水法办法``.
    """
    text = unicodedata.normalize("NFKC", title).strip()
    text = text.strip("《》〈〉<> ")
    while True:
        stripped = VERSION_NOTE.sub("", text).strip()
        if stripped == text:
            break
        text = stripped
    text = _TITLE_NOISE.sub("", text)
    text = text.replace(COUNTRY_PREFIX, "")
    return _VERSION_MODIFIER.sub("", text)


@dataclass(frozen=True, slots=True, eq=False)  # compared and hashed by identity: load_aliases hands out one
class AliasTable:
    """Curated aliases (key of an alias -> full title) and the national laws recognised without brackets."""

    aliases: dict[str, str]
    laws: tuple[str, ...]
    # Names written without 《》 that are read as laws (民事诉讼法, 刑法, 地方组织法) -> the full title.
    short_names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, aliases: dict[str, str], laws: Iterable[str]) -> AliasTable:
        """A table with its short names worked out: each law less 中华人民共和国, and aliases that end like a law."""
        laws = tuple(dict.fromkeys(laws))
        names = {law.replace(COUNTRY_PREFIX, ""): law for law in laws}
        for key, full in aliases.items():
            if key.endswith(("法", "法典", "条例")) and len(key) >= 2:
                names.setdefault(key, full)
        return cls(aliases, laws, names)

    def expand(self, title: str) -> str | None:
        """The full title an alias stands for, or None when ``title`` is not an alias."""
        return self.aliases.get(title_key(title))


def _read_alias_file(path: Path) -> tuple[dict[str, str], list[str]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise AliasFileError(
            f"{path}: cannot read the alias file ({exc}); expected YAML with 'aliases' and 'laws'"
        ) from exc
    if not isinstance(data, dict):
        raise AliasFileError(f"{path}: expected a mapping with 'aliases' (name: full title) and 'laws' (a list)")
    aliases = data.get("aliases") or {}
    laws = data.get("laws") or []
    if not isinstance(aliases, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in aliases.items()):
        raise AliasFileError(f"{path}: 'aliases' must map names to full titles, e.g. 网安法: 中华人民共和国网络安全法")
    if not isinstance(laws, list) or not all(isinstance(v, str) for v in laws):
        raise AliasFileError(f"{path}: 'laws' must be a list of full titles, e.g. - 中华人民共和国网络安全法")
    return {title_key(k): v for k, v in aliases.items()}, laws


@lru_cache(maxsize=8)
def load_aliases(extra: Path | None = None) -> AliasTable:
    """The alias table of kb/data/aliases.yaml, merged with a user's file of the same shape (loaded once)."""
    aliases, laws = _read_alias_file(ALIASES_FILE)
    if extra is not None:
        more_aliases, more_laws = _read_alias_file(Path(extra))
        aliases.update(more_aliases)
        laws.extend(more_laws)
    return AliasTable.of(aliases, laws)


# -- the pinpoint grammar -------------------------------------------------------------------------------------------

# Units of a pinpoint from the largest down: a path such as 第二十一条第二款第三项 goes down this order.
UNIT_RANK = {"编": 0, "分编": 1, "章": 2, "节": 3, "条": 4, "款": 5, "项": 6, "目": 7}


@dataclass(frozen=True, slots=True)
class Unit:
    """One step of a pinpoint: 条 21 (sub 1 for 第二十一条之一), 款 2, 项 3."""

    unit: str
    number: int
    sub: int | None = None

    @property
    def rank(self) -> int:
        """The unit's place in UNIT_RANK: smaller is larger."""
        return UNIT_RANK[self.unit]

    def written(self) -> str:
        """The unit as legislation writes it: 第二十一条之一."""
        text = f"第{to_chinese(self.number)}{self.unit}"
        return text + (f"之{to_chinese(self.sub)}" if self.sub else "")


@dataclass(frozen=True, slots=True)
class Pinpoint:
    """A place in a document: a path of units from the largest down, or a range from ``units`` to ``until``."""

    units: tuple[Unit, ...]
    until: tuple[Unit, ...] = ()

    def written(self) -> str:
        """The canonical text kb stores in Citation.pinpoint: 第二十一条第二款, 第十条至第十二条."""
        text = "".join(u.written() for u in self.units)
        if self.until:
            shared = 0
            while shared < min(len(self.units), len(self.until)) - 1 and self.units[shared] == self.until[shared]:
                shared += 1
            text += "至" + "".join(u.written() for u in self.until[shared:])
        return text


def read_units(text: str, pos: int = 0) -> tuple[tuple[Unit, ...], int]:
    """The path of pinpoint units starting exactly at ``pos`` (largest first) and where it ends; () when none."""
    units: list[Unit] = []
    while True:
        m = PINPOINT_UNIT.match(text, pos)
        if m is None and units and text.startswith("的第", pos):  # 第三十一条的第二款 = 第三十一条第二款
            m = PINPOINT_UNIT.match(text, pos + 1)
            if m is not None and UNIT_RANK[m.group(2)] <= units[-1].rank:
                m = None
        if m is None and units and units[-1].rank < UNIT_RANK["项"]:
            bracketed = BRACKETED_POINT.match(text, pos)
            if bracketed is not None and (number := parse_number(bracketed.group(1))) is not None:
                units.append(Unit("项", number))
                pos = bracketed.end()
            break
        if m is None:
            break
        number = parse_number(m.group(1))
        if number is None:
            break
        unit = Unit(m.group(2), number, parse_number(m.group(3)) if m.group(3) else None)
        if units and unit.rank <= units[-1].rank:
            break
        units.append(unit)
        pos = m.end()
    return tuple(units), pos


def read_abbreviated(text: str, pos: int, prefix: tuple[Unit, ...] = ()) -> tuple[list[tuple[Unit, ...]], int]:
    """The paths of 第二、三、五项 at ``pos`` (each below ``prefix``) and where it ends; ([], pos) when none."""
    m = ABBREVIATED_LIST.match(text, pos)
    if m is None or (prefix and UNIT_RANK[m.group(3)] <= prefix[-1].rank):
        return [], pos
    numbers = [parse_number(n) for n in [m.group(1), *m.group(2).split("、")[1:]]]
    if any(n is None for n in numbers):
        return [], pos
    return [(*prefix, Unit(m.group(3), n)) for n in numbers if n is not None], m.end()


def inherit(units: tuple[Unit, ...], previous: tuple[Unit, ...]) -> tuple[Unit, ...]:
    """Complete a path that starts below its predecessor: 第三款 after 第十条第二款 -> 第十条第三款."""
    if not previous or not units:
        return units
    head = tuple(u for u in previous if u.rank < units[0].rank)
    return head + units


def parse_pinpoint(text: str) -> Pinpoint | None:
    """Read back a pinpoint kb wrote (or one as legislation writes it); None when ``text`` is not one."""
    units, end = read_units(text, 0)
    if not units:
        return None
    if end == len(text):
        return Pinpoint(units)
    m = PINPOINT_RANGE.match(text, end)
    if m is None:
        return None
    until, end2 = read_units(text, m.end())
    if not until or end2 != len(text):
        return None
    return Pinpoint(units, inherit(until, units))


__all__ = [
    "ABBREVIATED_LIST",
    "AMEND_AFTER",
    "AMEND_BEFORE",
    "ANAPHORA",
    "BARE_NAME_BEFORE_PINPOINT",
    "BASIS_LEAD",
    "BASIS_MAKE",
    "BRACKETED_POINT",
    "COUNTRY_PREFIX",
    "CURRENT_UNIT",
    "DOCUMENT_TITLE_END",
    "NAME_LEAD",
    "NUM",
    "PINPOINT_LIST",
    "PINPOINT_RANGE",
    "PINPOINT_UNIT",
    "RELATIVE_REFERENCE",
    "REPEAL_AFTER",
    "REPEAL_BEFORE",
    "SELF_REFERENCE",
    "SENTENCE_END",
    "TITLE_JOIN",
    "UNIT_RANK",
    "VERSION_NOTE",
    "AliasFileError",
    "AliasTable",
    "Pinpoint",
    "Unit",
    "amended_title",
    "inherit",
    "is_document_title",
    "keeps_parenthetical",
    "load_aliases",
    "parenthetical_end",
    "parse_pinpoint",
    "quote_depths",
    "read_abbreviated",
    "read_units",
    "scan_titles",
    "sentence_bounds",
    "title_key",
    "title_relations",
]


# What the finder (kb.citations.find) reads around a reference.

# Words in a sentence that make a pinpoint in an amending document an amendment of the cited unit.
AMEND_VERBS = re.compile(r"修改为|改为|修正为|删去|删除|增加|合并|作为")
# A history note the source put at the top of the body: （2010年7月30日…通过 根据…修正）: the title block.
HISTORY_NOTE = re.compile(r"^[（(][^\n]*(?:通过|修正|修订|公布|施行)[^\n]*[）)]\s*$")
# A document word just before a pinpoint: a name kb could not read (某某条例第十条) rather than a bare pinpoint.
NAME_END = re.compile(r"(?:法|法典|条例|办法|规定|细则|规则|决定|解释|纲要|公约|意见|通知|章程|》)\s?$")
# Characters allowed before a name written without brackets (a name must not be the tail of a longer word).
LEFT_OK = re.compile(
    r"(?:^|[^\u4e00-\u9fff]|依照|依据|根据|按照|违反|适用|参照|符合|属于|认定为|构成|执行|援引|对照|比照|即|和|及|与|或|"
    r"后|前|的|在|照|对|将|是|为|了|由|经|以)$"
)
# What must follow a law name written without brackets and without a pinpoint: 依照刑法的有关规定, 刑法规定,
# 根据宪法，制定本法; 宪法和法律. Two-character names (刑法, 宪法) are read only so.
NAME_RIGHT = re.compile(r"(?:的)?(?:有关|相关)?(?:规定|条款)|[，,]?\s?(?:制定本|和|及|、)")
# What may follow a longer law name without a pinpoint: punctuation or a function word (依照行政诉讼法及其他…,
# 违反治安管理处罚法的). Anything else makes the name part of another word or title: 基本法委员会, 刑法修正案,
# 森林法实施条例.
NAME_FOLLOW = re.compile(r"[^\u4e00-\u9fff]|的|和|及|与|、|等|规定|有关|相关|中|所|以及|或者|或|关于|对|并|$")
# Where a law name written without brackets can end: it ends with 法, 法典 or 条例 (the names' own endings).
NAME_TAIL = re.compile(r"法典|法|条例")
# A short name declared without 《》: （以下简称民事诉讼法）, （以下简称“条例”）; group 1 is the name.
PLAIN_ALIAS = re.compile(r"[“\"]?([^（）()“”\"，,；;]{1,30}?(?:[（(][^（）()]{1,8}[）)])?)[”\"]?[）)]?$")
# The first N units of an article a pinpoint names: 刑法第三百零七条之一前三款, 第三十二条第三款前三项.
FIRST_N = re.compile(r"前([两二三四五六七八九十])(款|项)")
# The end of a pinpoint unit, just before 前三款 / 前三项 that then count from that unit's start.
AFTER_UNIT = re.compile(r"[条款一二三四五六七八九十]$")
# What follows an article's own number: a space, or the end of its line.
HEADING_AFTER = re.compile(r"[ \u3000]|$", re.M)
# Where a pinpoint may start: 第 and a numeral (第二十一条, 第（七）项, 第一、二项).
PINPOINT_START = re.compile(r"第\s?[（(]?[零〇一二两三四五六七八九十百千0-9０-９]")
# What follows 前两项 / 前三项 when they refer to points (前两项规定的人): otherwise they mean "the first N".
AFTER_FIRST_N = re.compile(r"(?:的)?(?:规定|所|情形|行为|中|以外|之一)")
RELATIVE_COUNT = {"十": 10, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
