"""Places: text -> provinces and cities it names, from the gazetteer kb/data/places.json matched with spaCy."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # spaCy (a second to import) is loaded by the gazetteer's matchers, not by short_place_name
    from kb.nlp import Lexicon

# Endings of a place name that its short form (the form kb stores and filters on) leaves out: 浙江省 -> 浙江,
# 广西壮族自治区 -> 广西, 潍坊市 -> 潍坊, 阿里地区 -> 阿里, 兴安盟 -> 兴安, 神农架林区 -> 神农架. The longer endings
# come first so 自治区 is not cut as 区. Autonomous prefectures (自治州) give their short form in the data file, as
# their ethnic names vary (延边朝鲜族自治州 -> 延边); an unknown one only loses 自治州.
PLACE_ENDING = re.compile(r"(维吾尔自治区|壮族自治区|回族自治区|特别行政区|自治区|自治州|地区|林区|省|市|盟)$")
# A short form keeps at least this many characters (吉林市 -> 吉林, but 沙市 stays 沙市).
MIN_SHORT = 2

# A county-level issuer or title: a county or banner ("长兴县人民政府", "鄂托克旗人民政府"), a city district
# ("杭州市西湖区人民政府"), a county named only as such in a header ("县第五届人民代表大会"), or an autonomous county,
# which makes its own regulations ("景宁畲族自治县水资源管理条例", "浙江省景宁畲族自治县自治条例"). The lookahead keeps
# words like 国旗 in 中华人民共和国国旗法 out.
COUNTY_NAME = re.compile(
    r"^(?:[\u4e00-\u9fff]{1,10}?(?:自治县|县|自治旗|旗)|[\u4e00-\u9fff]{2,7}市[\u4e00-\u9fff]{1,5}?区|县)"
    r"(?=人民政府|人民代表大会|人大|自治条例|单行条例)"
    r"|^(?:[\u4e00-\u9fff]{2,3}[省区])?[\u4e00-\u9fff]{2,8}?自治县"
)


@dataclass(frozen=True, slots=True)
class Place:
    """A place named in a text: the province (short name) it belongs to, the city if it is in one, and where."""

    province: str
    city: str | None
    kind: str  # "province", "city" or "zone" (a special economic zone or new area)
    term: str  # the name as written
    start: int
    end: int
    full: bool  # written as a full name (浙江省, 潍坊市, 雄安新区) rather than a short one (浙江, 潍坊)


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """The loaded place data: province kinds by short name, and the two lexicons (full names, short names)."""

    province_kind: dict[str, str]
    province_full: dict[str, str]  # short name -> full name
    full: Lexicon
    short: Lexicon


def _label(kind: str, province: str, city: str | None, full: bool) -> str:
    return "|".join((kind, province, city or "", "1" if full else "0"))


def _parse_label(label: str) -> tuple[str, str, str | None, bool]:
    kind, province, city, full = label.split("|")
    return kind, province, city or None, full == "1"


def _city_names(entry: str) -> tuple[str, str | None]:
    """A city entry of the data file and its short name: 潍坊市 -> 潍坊; 延边朝鲜族自治州:延边 -> 延边; 吉林市: -> None
    (its short name is the province's)."""
    if ":" in entry:
        name, short = entry.split(":", 1)
        return name, short or None
    return entry, strip_place_ending(entry) or None


def strip_place_ending(name: str) -> str:
    """A place name less its administrative ending (see PLACE_ENDING): 潍坊市 -> 潍坊; a too-short rest stays whole."""
    name = name.strip()
    match = PLACE_ENDING.search(name)
    if match and match.start() >= MIN_SHORT:
        return name[: match.start()]
    return name


@lru_cache(maxsize=1)
def _short_names() -> dict[str, str]:
    """Every province and city name and alias the gazetteer knows -> the short name kb stores for it."""
    data: dict[str, Any] = json.loads(resources.files("kb").joinpath("data/places.json").read_text("utf-8"))
    names: dict[str, str] = {}
    for province in data["provinces"]:
        short = province["short"]
        for name in (province["name"], *province["aliases"], short):
            names[name] = short
    for province in data["provinces"]:
        for entry in province["cities"]:
            name, city_short = _city_names(entry)
            city = city_short or strip_place_ending(name)
            names.setdefault(name, city)
            names.setdefault(city, city)
    return names


def short_place_name(name: str) -> str:
    """The short name kb stores for a province or city, as a user may write it: 浙江省 -> 浙江, 深圳市 -> 深圳,
    延边朝鲜族自治州 -> 延边, 大兴安岭地区 -> 大兴安岭. Metadata, `kb list`/`kb stats` filters and search filters all
    use this one function, so a name selects the same documents everywhere; an unknown place loses its ending."""
    name = name.strip()
    return _short_names().get(name) or strip_place_ending(name)


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The gazetteer, loaded once from kb/data/places.json."""
    from kb.nlp import Lexicon

    data: dict[str, Any] = json.loads(resources.files("kb").joinpath("data/places.json").read_text("utf-8"))
    full_terms: dict[str, list[str]] = {}
    short_terms: dict[str, list[str]] = {}
    kinds: dict[str, str] = {}
    full_names: dict[str, str] = {}
    for province in data["provinces"]:
        short = province["short"]
        kinds[short] = province["kind"]
        full_names[short] = province["name"]
        full_terms.setdefault(_label("province", short, None, True), []).extend(
            [province["name"], *province["aliases"]]
        )
        short_terms.setdefault(_label("province", short, None, False), []).append(short)
        for entry in province["cities"]:
            name, city_short = _city_names(entry)
            city = city_short or strip_place_ending(name)
            full_terms.setdefault(_label("city", short, city, True), []).append(name)
            if city_short:
                short_terms.setdefault(_label("city", short, city, False), []).append(city_short)
    for entry in data["former"]:
        name, province, city = entry.split(":")
        full_terms.setdefault(_label("city", province, city, True), []).append(name)
        short_terms.setdefault(_label("city", province, city, False), []).append(strip_place_ending(name))
    for entry in data["zones"]:
        name, province, city = entry.split(":")
        full_terms.setdefault(_label("zone", province, city or None, True), []).append(name)
    return Gazetteer(kinds, full_names, Lexicon(full_terms), Lexicon({**short_terms, **full_terms}))


def _to_places(text: str, lexicon: Lexicon) -> list[Place]:
    places = []
    for match in lexicon.find(text):
        kind, province, city, full = _parse_label(match.label)
        places.append(Place(province, city, kind, match.term, match.start, match.end, full))
    return places


def find_places(text: str, *, short: bool = False) -> list[Place]:
    """Every place named in ``text``, in order; full names only unless ``short`` (short names are ambiguous in prose:
    河南 in 黄河南岸, 大同 in 世界大同)."""
    gaz = gazetteer()
    return _to_places(text, gaz.short if short else gaz.full)


@lru_cache(maxsize=16384)
def leading_place(text: str) -> Place | None:
    """The place a title or an issuer starts with (深圳经济特区数据条例 -> 广东/深圳, 潍坊市… -> 山东/潍坊), else None.

    Short names count here, as titles write them (上海口岸服务条例); a province followed by one of its cities
    (山东省济南市…) gives the city.
    """
    text = text.strip()
    places = _to_places(text, gazetteer().short)
    if not places or places[0].start != 0:
        return None
    first = places[0]
    if first.kind == "province" and len(places) > 1:
        second = places[1]
        if second.start == first.end and second.province == first.province and second.city:
            return Place(first.province, second.city, second.kind, text[: second.end], 0, second.end, second.full)
    return first


def province_kind(province: str) -> str | None:
    """The kind of a provincial-level division by short name: province, municipality, autonomous_region or sar."""
    return gazetteer().province_kind.get(province)


def province_full_name(province: str) -> str | None:
    """The full name of a province by its short name: 浙江 -> 浙江省, 广西 -> 广西壮族自治区."""
    return gazetteer().province_full.get(province)


def is_county(name: str) -> bool:
    """Whether a name (a title or an issuer) starts with a county-level unit: 长兴县人民政府, 景宁畲族自治县自治条例."""
    return COUNTY_NAME.match(name) is not None
