"""Query language: a search string -> a tree of Text, Filter, And, Or and Not records (errors as QuerySyntaxError).

What users of legal databases and web search already type::

    公共数据 开放               words: all of them (AND); each word matches wherever its characters occur
    数据 OR 信息                either
    数据安全 NOT 草案, -草案     exclude
    "数据 安全"                 an exact phrase (whitespace is ignored inside, as in the index)
    (数据 OR 信息) 安全          grouping
    province:浙江 city:深圳 year:2020 year:2016..2020 level:provincial type:地方性法规 topic:公共数据权属
    status:in_force title:数据安全法 (documents whose title or short title holds it; 个保法 and other aliases too)

A word is matched as a string, not as a segmented word: 据安全 finds 数据安全. Numbers match in either script where
a text numbers things (第21条 ~ 第二十一条, 2020年 ~ 二〇二〇年). Field values accept the usual written forms
(浙江省 -> 浙江, 省级 -> provincial).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import product

from kb.errors import QuerySyntaxError, QueryTooComplex
from kb.models import DocFilter, DocType, Level, Status
from kb.normalize.numerals import parse_number, to_chinese
from kb.search.analyzer import normalize


@dataclass(frozen=True, slots=True)
class Text:
    """Entries whose normalised text contains any of ``variants`` (the string as typed and its numeral forms)."""

    text: str  # as the user typed it (for messages and highlighting)
    variants: tuple[str, ...]  # normalised strings; the first is the typed one


@dataclass(frozen=True, slots=True)
class Filter:
    """Entries whose field has this value: province, city, level, doc_type, status, topic, or a year range."""

    field: str  # province | city | level | doc_type | status | topic | year | first_year
    value: str | None = None
    low: int | None = None  # year ranges (inclusive)
    high: int | None = None
    values: tuple[str, ...] = ()  # any of several values (doc_id: the documents a front end selected)


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Node


Node = Text | Filter | And | Or | Not

# Query field names users type -> the index field they filter.
FIELDS = {"province": "province", "city": "city", "year": "year", "first_year": "first_year", "level": "level",
          "type": "doc_type", "doc_type": "doc_type", "topic": "topic", "status": "status",
          "title": "title"}  # fmt: skip
# A field filter: an ASCII name, a colon (half- or full-width), the value, e.g. province:浙江, year:2016..2020.
FIELD_TOKEN = re.compile(r"^([A-Za-z_]+)[:：](.*)$", re.S)
# A year range value: 2016..2020, 2016.., ..2020 (also with a full-width or Chinese dash: 2016－2020, 2016—2020).
YEAR_RANGE = re.compile(r"^(\d{4})?\s*(?:\.\.|－|—|-|~|～)\s*(\d{4})?$")
YEAR_VALUE = re.compile(r"^\d{4}$")
# Written forms of the levels, beyond the enum values.
LEVEL_ALIASES = {"国家": "national", "国家级": "national", "中央": "national", "全国": "national", "省": "provincial",
                 "省级": "provincial", "市": "municipal", "市级": "municipal", "地市": "municipal",
                 "县": "county", "县级": "county"}  # fmt: skip
STATUS_ALIASES = {"现行有效": "in_force", "有效": "in_force", "现行": "in_force", "尚未生效": "not_yet_in_force",
                  "已修改": "amended", "已修正": "amended", "已废止": "repealed", "废止": "repealed",
                  "失效": "repealed", "草案": "draft", "征求意见稿": "draft"}  # fmt: skip

# Numbering contexts in which a number is written in either script: 第21条 / 第二十一条, 2020年 / 二〇二〇年.
# An Arabic number after 第 or before a unit of numbering (第21条, 21条, 第3章).
ARABIC_ORDINAL = re.compile(r"(?<=第)\d++|(?<!\d)\d++(?=[条款项章节编目])")
# A four-digit Arabic year before 年 (2020年).
ARABIC_YEAR = re.compile(r"\d{4}(?=年)")
# A Chinese number after 第 or before a unit of numbering (第二十一条, 二十一条, 第三章).
CHINESE_ORDINAL = re.compile(
    r"(?<=第)[零〇一二两三四五六七八九十百千]++|(?<![零〇一二两三四五六七八九十百千])[零〇一二两三四五六七八九十百千]++(?=[条款项章节编目])"
)
# A year in Chinese digits before 年 (二〇二〇年).
CHINESE_YEAR = re.compile(r"[零〇一二三四五六七八九]{4}(?=年)")
MAX_VARIANTS = 16
# Bounds that keep a query's parse and evaluation small whatever it holds: characters, terms (words, phrases,
# filters, NOT, OR) and nesting (parentheses and NOT chains). Real queries use a handful of each.
MAX_QUERY_CHARS = 2000
MAX_QUERY_TERMS = 100
MAX_QUERY_DEPTH = 20
# Years a filter may name (--year, year:...): anything else is a typo, and a huge one would overflow the index.
MIN_FILTER_YEAR, MAX_FILTER_YEAR = 1000, 9999
# A query argument holding bytes that are not UTF-8 (Python keeps them as lone surrogates).
UNDECODABLE = re.compile("[\ud800-\udfff]")
# A 发文字号's year in brackets other than 〔〕, as normalised ([2018], 【2018】, (2018)): 国办发[2018]124号.
DOC_NUMBER_YEAR = re.compile(r"[\[【(（［〈{](\d{4})[\]】)）］〉}](?=第?\d+号)")
# Cheap test whether a string can hold a number in a numbering context at all (so normalize.numerals loads only then).
NUMBER_HINT = re.compile(r"\d|[第条款项章节编目年]")


def parse_query(query: str) -> Node | None:
    """Parse a query string; None for a query with nothing in it. Raises QuerySyntaxError with what to change.

    Queries longer than MAX_QUERY_CHARS, with more than MAX_QUERY_TERMS terms or nested deeper than
    MAX_QUERY_DEPTH raise QueryTooComplex.
    """
    if UNDECODABLE.search(query):
        raise QuerySyntaxError(
            "the query holds bytes that are not UTF-8 text; retype it or check the terminal's encoding"
        )
    if len(query) > MAX_QUERY_CHARS:
        raise QueryTooComplex(f"the query is {len(query)} characters long; at most {MAX_QUERY_CHARS} are searched")
    tokens = _tokenize(query)
    if not tokens:
        return None
    terms = sum(1 for kind, _ in tokens if kind not in ("(", ")"))
    if terms > MAX_QUERY_TERMS:
        raise QueryTooComplex(f"the query has {terms} terms and operators; at most {MAX_QUERY_TERMS} are allowed")
    parser = _Parser(tokens, query)
    node = parser.parse_or()
    if parser.pos < len(tokens):
        _, value = tokens[parser.pos]
        raise QuerySyntaxError(f"query {query!r}: unexpected {value!r}; "
                               f"put it in double quotes to search for it as text")  # fmt: skip
    return node


def filter_nodes(filters: DocFilter | None) -> list[Node]:
    """The query nodes that a DocFilter (the CLI's --province, --year, ... options) stands for."""
    if filters is None:
        return []
    nodes: list[Node] = []
    for field in ("province", "city"):
        value = getattr(filters, field)
        if value:
            nodes.append(field_filter(field, str(value)))
    topics = [field_filter("topic", t) for t in filters.all_topics()]
    if topics:
        nodes.extend(topics) if filters.match_all or len(topics) == 1 else nodes.append(Or(tuple(topics)))
    if filters.doc_ids is not None:
        nodes.append(Filter("doc_id", values=tuple(filters.doc_ids) or ("",)))
    for field, value in (("level", filters.level), ("doc_type", filters.doc_type), ("status", filters.status)):
        if value is not None:
            nodes.append(Filter(field, str(value)))
    for name, year in (
        ("--year", filters.year),
        ("--from", filters.year_from),
        ("--to", filters.year_to),
        ("first year from", filters.first_year_from),
        ("first year to", filters.first_year_to),
    ):
        check_year(name, year)
    if filters.year is not None:
        nodes.append(Filter("year", low=filters.year, high=filters.year))
    if filters.year_from is not None or filters.year_to is not None:
        nodes.append(Filter("year", low=filters.year_from, high=filters.year_to))
    if filters.first_year_from is not None or filters.first_year_to is not None:
        nodes.append(Filter("first_year", low=filters.first_year_from, high=filters.first_year_to))
    return nodes


def search_tree(query: str, filters: DocFilter | None, *, sort: str, limit: int) -> tuple[Node | None, Node]:
    """What an engine evaluates for a search: the parsed query (None when only filters were given) and the whole
    tree with the filters ANDed in. Raises KbError for a bad sort or limit and QuerySyntaxError for nothing at all."""
    from kb.errors import KbError

    if sort not in ("relevance", "date"):
        raise KbError(f"sort {sort!r}: expected 'relevance' or 'date'")
    if limit < 0:
        raise KbError(f"limit {limit}: expected 0 or more")
    node = parse_query(query)
    extra = filter_nodes(filters)
    if node is None and not extra:
        raise QuerySyntaxError("empty query: give words to search for (e.g. 公共数据 开放) or a filter "
                               "(e.g. province:浙江)")  # fmt: skip
    parts = ([node] if node is not None else []) + extra
    return node, parts[0] if len(parts) == 1 else And(tuple(parts))


def texts(node: Node | None) -> list[Text]:
    """The Text leaves that are not under a Not: what a hit is highlighted with and ranked by."""
    if node is None or isinstance(node, Filter | Not):
        return []
    if isinstance(node, Text):
        return [node]
    return [t for item in node.items for t in texts(item)]


def text_node(text: str) -> Text:
    """A Text for the string ``text``, with its numeral variants (and a 发文字号's usual 〔〕 form)."""
    norm = normalize(text)
    variants = numeral_variants(norm) if NUMBER_HINT.search(norm) else (norm,)
    if DOC_NUMBER_YEAR.search(norm):
        bracketed = normalize(DOC_NUMBER_YEAR.sub(r"〔\1〕", norm))
        if bracketed not in variants:
            variants = (*variants, bracketed)
    return Text(text, variants)


def field_filter(name: str, value: str) -> Filter:
    """The Filter for ``name:value`` as typed; raises QuerySyntaxError for an unknown field or value."""
    field = FIELDS.get(name.lower())
    if field is None:
        raise QuerySyntaxError(f"unknown field {name!r} in {name}:{value}; use one of {', '.join(sorted(FIELDS))} "
                               f"(or put the text in double quotes to search for it)")  # fmt: skip
    value = value.strip()
    if not value:
        raise QuerySyntaxError(f"{name}: needs a value, e.g. {name}:{_EXAMPLES.get(field, '...')}")
    if field in ("year", "first_year"):
        return _year_filter(field, name, value)
    if field == "level":
        return Filter(field, _enum_value(name, value, Level, LEVEL_ALIASES))
    if field == "status":
        return Filter(field, _enum_value(name, value, Status, STATUS_ALIASES))
    if field == "doc_type":
        aliases = {member.name.lower(): member.value for member in DocType}
        return Filter(field, _enum_value(name, value, DocType, aliases))
    if field in ("province", "city"):
        return Filter(field, place_short_name(field, value))
    if field == "title":
        return Filter(field, normalize(value))
    return Filter(field, value)


_EXAMPLES = {"year": "2020 or year:2016..2020", "first_year": "2016..2020", "province": "浙江",
             "city": "深圳", "level": "provincial", "doc_type": "地方性法规", "topic": "公共数据权属",
             "status": "in_force"}  # fmt: skip


def check_year(name: str, year: int | None) -> None:
    """Raise QuerySyntaxError unless ``year`` is None or a four-digit year."""
    if year is not None and not MIN_FILTER_YEAR <= year <= MAX_FILTER_YEAR:
        raise QuerySyntaxError(f"{name} {year}: expected a year between {MIN_FILTER_YEAR} and {MAX_FILTER_YEAR}")


def _year_filter(field: str, name: str, value: str) -> Filter:
    if YEAR_VALUE.match(value):
        return Filter(field, low=int(value), high=int(value))
    match = YEAR_RANGE.match(value)
    if match and (match.group(1) or match.group(2)):
        low = int(match.group(1)) if match.group(1) else None
        high = int(match.group(2)) if match.group(2) else None
        if low is not None and high is not None and low > high:
            raise QuerySyntaxError(f"{name}:{value}: the range runs backwards; write {name}:{high}..{low}")
        return Filter(field, low=low, high=high)
    raise QuerySyntaxError(f"{name}:{value}: expected a year (2020) or a range (2016..2020, 2016.., ..2020)")


def _enum_value(name: str, value: str, enum: type[Level] | type[Status] | type[DocType],
                aliases: dict[str, str]) -> str:  # fmt: skip
    known = {member.value for member in enum}
    if value in known:
        return value
    lowered = value.lower()
    if lowered in known:
        return lowered
    if value in aliases or lowered in aliases:
        return aliases.get(value) or aliases[lowered]
    raise QuerySyntaxError(f"{name}:{value}: unknown value; expected one of {', '.join(sorted(known))}")


def place_short_name(field: str, value: str) -> str:
    """浙江省 -> 浙江, 深圳市 -> 深圳, 延边朝鲜族自治州 -> 延边: the one shortener of kb.normalize.places (``field``
    is province or city; both share the gazetteer's names)."""
    from kb.normalize.places import short_place_name

    return short_place_name(value)


def numeral_variants(norm: str) -> tuple[str, ...]:
    """``norm`` and its forms with numbers in numbering contexts written in the other script (at most 16)."""
    choices: list[tuple[int, int, tuple[str, ...]]] = []
    for match in ARABIC_YEAR.finditer(norm):
        digits = "".join("〇一二三四五六七八九"[int(d)] for d in match.group())
        choices.append((match.start(), match.end(), (match.group(), digits)))
    for match in ARABIC_ORDINAL.finditer(norm):
        if not any(s <= match.start() < e for s, e, _ in choices):
            choices.append((match.start(), match.end(), (match.group(), to_chinese(int(match.group())))))
    for pattern in (CHINESE_YEAR, CHINESE_ORDINAL):
        for match in pattern.finditer(norm):
            value = parse_number(match.group())
            if value is not None and not any(s <= match.start() < e for s, e, _ in choices):
                choices.append((match.start(), match.end(), (match.group(), str(value))))
    if not choices:
        return (norm,)
    choices.sort()
    variants: list[str] = []
    for combination in product(*(alternatives for _, _, alternatives in choices)):
        parts, last = [], 0
        for (start, end, _), replacement in zip(choices, combination, strict=True):
            parts.append(norm[last:start])
            parts.append(replacement)
            last = end
        parts.append(norm[last:])
        variant = "".join(parts)
        if variant not in variants:
            variants.append(variant)
        if len(variants) >= MAX_VARIANTS:
            break
    return tuple(variants)


# Tokens: ("word", text), ("phrase", text), ("field", "name:value"), ("or", ...), ("not", ...), ("(", ...), (")", ...)
_Token = tuple[str, str]
PHRASE_QUOTES = {'"': '"', "＂": "＂"}  # ASCII and full-width double quotes delimit phrases
CHINESE_QUOTES = ("“", "”")  # a word written “...” (as a whole) is a phrase too


def _tokenize(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch in PHRASE_QUOTES:
            end = query.find(PHRASE_QUOTES[ch], i + 1)
            if end < 0:
                raise QuerySyntaxError(f"query {query!r}: the phrase opened at character {i + 1} is not closed; "
                                       f"add a closing {ch}")  # fmt: skip
            tokens.append(("phrase", query[i + 1 : end]))
            i = end + 1
        elif ch == "(":
            tokens.append(("(", ch))
            i += 1
        elif ch == ")":
            tokens.append((")", ch))
            i += 1
        else:
            j = i
            while j < n and not query[j].isspace() and query[j] not in PHRASE_QUOTES and query[j] not in "()":
                j += 1
            word = query[i:j]
            field = FIELD_TOKEN.match(word)
            if field and j < n and query[j] in PHRASE_QUOTES and not field.group(2):  # topic:"公共 数据"
                end = query.find(PHRASE_QUOTES[query[j]], j + 1)
                if end < 0:
                    raise QuerySyntaxError(f"query {query!r}: the value quoted at character {j + 1} is not closed")
                tokens.append(("field", word + query[j + 1 : end]))
                i = end + 1
                continue
            i = j
            if word in ("OR", "|", "||"):
                tokens.append(("or", word))
            elif word in ("AND", "&", "&&"):
                continue
            elif word == "NOT":
                tokens.append(("not", word))
            elif word.startswith("-") and len(word) > 1:
                tokens.append(("not", "-"))
                tokens.extend(_word_tokens(word[1:]))
            elif word == "-":
                raise QuerySyntaxError(f"query {query!r}: '-' must be followed (without a space) by what to "
                                       f"exclude, e.g. -草案")  # fmt: skip
            else:
                tokens.extend(_word_tokens(word))
    return tokens


def _word_tokens(word: str) -> list[_Token]:
    if FIELD_TOKEN.match(word):
        return [("field", word)]
    if len(word) > 2 and word.startswith(CHINESE_QUOTES[0]) and word.endswith(CHINESE_QUOTES[1]):
        return [("phrase", word[1:-1])]
    return [("word", word)]


class _Parser:
    """Recursive descent over the tokens: or := and (OR and)*; and := unary+; unary := NOT unary | primary."""

    def __init__(self, tokens: list[_Token], query: str) -> None:
        self.tokens = tokens
        self.query = query
        self.pos = 0
        self.depth = 0

    def deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_QUERY_DEPTH:
            raise QueryTooComplex(f"the query nests parentheses or NOT more than {MAX_QUERY_DEPTH} deep; simplify it")

    def peek(self) -> str | None:
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def parse_or(self) -> Node:
        items = [self.parse_and()]
        while self.peek() == "or":
            self.pos += 1
            if self.peek() in (None, ")", "or"):
                raise QuerySyntaxError(f"query {self.query!r}: OR needs something on both sides, e.g. 数据 OR 信息")
            items.append(self.parse_and())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def parse_and(self) -> Node:
        items: list[Node] = []
        while self.peek() not in (None, ")", "or"):
            items.append(self.parse_unary())
        if not items:
            what = "the query" if self.peek() is None else repr(self.tokens[self.pos][1])
            raise QuerySyntaxError(f"query {self.query!r}: expected words before {what}")
        return items[0] if len(items) == 1 else And(tuple(items))

    def parse_unary(self) -> Node:
        if self.peek() == "not":
            self.pos += 1
            if self.peek() in (None, ")", "or"):
                raise QuerySyntaxError(f"query {self.query!r}: NOT / - needs what to exclude, e.g. 数据 -草案")
            self.deeper()
            node = Not(self.parse_unary())
            self.depth -= 1
            return node
        return self.parse_primary()

    def parse_primary(self) -> Node:
        kind, value = self.tokens[self.pos]
        self.pos += 1
        if kind == "(":
            self.deeper()
            node = self.parse_or()
            self.depth -= 1
            if self.peek() != ")":
                raise QuerySyntaxError(f"query {self.query!r}: a '(' is not closed; add ')'")
            self.pos += 1
            return node
        if kind == ")":
            raise QuerySyntaxError(f"query {self.query!r}: a ')' closes nothing; remove it or add '('")
        if kind == "field":
            match = FIELD_TOKEN.match(value)
            assert match is not None
            return field_filter(match.group(1), match.group(2))
        node = text_node(value)
        if not node.variants[0]:
            raise QuerySyntaxError(f"query {self.query!r}: the phrase {value!r} is empty; put words between the quotes")
        return node
