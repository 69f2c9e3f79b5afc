"""Place names in filters: `kb list --city`, `kb stats --province` and `city:`/`province:` in queries agree."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from kb.models import DocFilter
from kb.normalize.places import leading_place, short_place_name, strip_place_ending
from kb.report.stats import normalise_filter
from kb.search.query import field_filter


def _cities() -> list[tuple[str, str]]:
    """(province short name, city full name) of every prefecture-level city in the gazetteer."""
    data = json.loads(resources.files("kb").joinpath("data/places.json").read_text("utf-8"))
    return [(p["short"], entry.partition(":")[0]) for p in data["provinces"] for entry in p["cities"]]


@pytest.mark.parametrize("name", ["延边朝鲜族自治州", "大兴安岭地区"])
def test_list_city_and_search_city_select_the_same_short_name(name: str) -> None:
    """Regression: `kb list --city 延边朝鲜族自治州` found nothing while `city:延边朝鲜族自治州` found clauses (and
    the reverse for 大兴安岭地区): list, stats and search shortened place names three different ways."""
    stored = leading_place(f"{name}人民政府关于数据开放的通知")
    assert stored is not None and stored.city is not None
    assert normalise_filter(DocFilter(city=name)).city == stored.city
    assert field_filter("city", name).value == stored.city


@pytest.mark.parametrize(("province", "city"), _cities())
def test_every_city_full_name_filters_on_what_metadata_stores(province: str, city: str) -> None:
    place = leading_place(f"{city}数据条例")
    assert place is not None and place.province == province
    stored = place.city or province
    assert short_place_name(city) == stored
    assert normalise_filter(DocFilter(city=city)).city == stored == field_filter("city", city).value


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("浙江省", "浙江"),
        ("广西壮族自治区", "广西"),
        ("新疆维吾尔自治区", "新疆"),
        ("香港特别行政区", "香港"),
        ("浙江", "浙江"),
        ("延边", "延边"),
        (" 深圳市 ", "深圳"),
        ("某某藏族自治州", "某某藏族"),  # unknown: loses its ending only
        ("沙市", "沙市"),  # too short to shorten
        ("神农架林区", "神农架"),
    ],
)
def test_short_place_name(name: str, short: str) -> None:
    assert short_place_name(name) == short
    assert field_filter("province", name).value == short


def test_strip_place_ending_keeps_short_names_whole() -> None:
    assert strip_place_ending("潍坊市") == "潍坊"
    assert strip_place_ending("市") == "市"
