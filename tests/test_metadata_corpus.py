"""Metadata read from real documents, against the answer keys in ../shared (gold files, manifest, INDEX.tsv)."""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import date
from functools import lru_cache
from pathlib import Path

import pytest

from kb.errors import KbError
from kb.extract import extract
from kb.metadata.events import logical_lines
from kb.metadata.read import apply_overrides, load_overrides, read_metadata
from kb.models import Block, DocMeta, DocType, EventKind, ExtractedText, Format, Level
from kb.normalize.dates import parse_date
from kb.normalize.docnumber import doc_number_key
from kb.segment.segmenter import build_body
from tests.conftest import CORPUS, FORMATS, LAWREFBOOK, require_shared

COUNTRY = "中华人民共和国"
GOVCN = CORPUS / "govcn"
PROVINCIAL = CORPUS / "provincial"
# The manifest's types that are measured; rows with an empty or 其他 level say nothing.
MEASURED_TYPES = {"法律", "行政法规", "地方性法规", "司法解释", "部门规章", "宪法"}


@lru_cache(maxsize=4096)
def _meta_of(path: str) -> DocMeta:
    text = extract(require_shared(Path(path)))
    return read_metadata(text, build_body(text.blocks))


def _plain(name: str | None) -> str | None:
    return name.removeprefix(COUNTRY) if name else None


def _gold(directory: Path) -> list[dict]:
    return [json.loads(p.read_text("utf-8")) for p in sorted(require_shared(directory).glob("*.gold.json"))]


# -- documents with known answers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("DLC/广东地方法规/地方性法规/广东/深圳经济特区数据条例(2021-07-06).md",
         ("广东", "深圳", Level.MUNICIPAL, DocType.LOCAL_REGULATION, "深圳市人民代表大会常务委员会", 2021)),
        ("DLC/山东地方法规/地方性法规/山东/潍坊市物业管理条例(2022-01-21).md",
         ("山东", "潍坊", Level.MUNICIPAL, DocType.LOCAL_REGULATION, "潍坊市人民代表大会常务委员会", 2022)),
        ("DLC/浙江地方法规/地方性法规/浙江/景宁畲族自治县水资源管理条例(2021-06-15).md",
         ("浙江", None, Level.COUNTY, DocType.LOCAL_REGULATION, "县人民代表大会", 2021)),
        ("DLC/上海地方法规/地方性法规/上海/上海口岸服务条例(2020-05-14).md",
         ("上海", None, Level.PROVINCIAL, DocType.LOCAL_REGULATION, "上海市人民代表大会常务委员会", 2020)),
        ("经济法/海南自由贸易港法(2021-06-10).md",
         (None, None, Level.NATIONAL, DocType.LAW, "全国人民代表大会常务委员会", 2021)),
        ("行政法规/企业名称登记管理规定(2020-12-28).md",  # a bureau's rule the State Council revised
         (None, None, Level.NATIONAL, DocType.ADMIN_REGULATION, "中华人民共和国国家工商行政管理局", 2020)),
        ("宪法/宪法修正案（2018年）.md", (None, None, Level.NATIONAL, DocType.CONSTITUTION, "全国人民代表大会", 2018)),
        ("部门规章/公安部/机动车登记规定(2021-12-17).md",  # no header: the closing names 公安部令
         (None, None, Level.NATIONAL, DocType.DEPT_RULE, None, None)),
        # the copy has the national law's header
        ("DLC/山东地方法规/地方性法规/山东/山东省清洁生产促进条例(2020-11-27).md",
         ("山东", None, Level.PROVINCIAL, DocType.LOCAL_REGULATION, "全国人民代表大会常务委员会", 2012)),
    ],
)  # fmt: skip
def test_known_documents(path: str, expected: tuple) -> None:
    meta = _meta_of(str(LAWREFBOOK / path))
    assert (meta.province, meta.city, meta.level, meta.doc_type, meta.issuer, meta.year) == expected


def test_amendment_history_of_a_municipal_regulation() -> None:
    meta = _meta_of(str(LAWREFBOOK / "DLC/山东地方法规/地方性法规/山东/东营市湿地保护条例(2020-10-10).md"))
    assert [(e.date, e.kind, e.body) for e in meta.events] == [
        (date(2018, 10, 26), EventKind.ADOPTED, "东营市人民代表大会常务委员会"),
        (date(2018, 11, 30), EventKind.APPROVED, "山东省人民代表大会常务委员会"),
        (date(2020, 9, 3), EventKind.AMENDED, "东营市人民代表大会常务委员会"),
        (date(2020, 9, 25), EventKind.APPROVED, "山东省人民代表大会常务委员会"),
    ]
    assert (meta.adopted, meta.version_date, meta.first_year, meta.year) == (
        date(2018, 10, 26),
        date(2020, 9, 25),
        2018,
        2020,
    )


# -- the format fixtures' gold, read from their Markdown sources --------------------------------------------------


@pytest.mark.parametrize("gold", _gold(FORMATS), ids=lambda g: g["id"])
def test_fixture_gold(gold: dict) -> None:
    meta = _meta_of(str(LAWREFBOOK / gold["source"]))
    assert meta.title == gold["title"]
    assert (meta.adopted.isoformat() if meta.adopted else None) == gold["adopted"]
    assert meta.province == gold["province"]
    if gold["issuer"] is not None:
        # The gold names the bodies of the first header line; for "国务院、中央军事委员会令" it keeps only the second.
        assert _plain(gold["issuer"]) in [_plain(i) for i in meta.issuers]


# -- gov.cn pages -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("gold", _gold(GOVCN), ids=lambda g: g["index_no"])
def test_govcn_page(gold: dict) -> None:
    number = gold["index_no"]  # the page's own number is in its file name, found through the gold
    page = next(p for p in GOVCN.glob("*.html") if json.loads(p.with_suffix(".gold.json").read_text("utf-8"))
                ["index_no"] == number)  # fmt: skip
    meta = _meta_of(str(page))
    assert meta.doc_number == gold["doc_number"]
    assert "、".join(_plain(i) or "" for i in meta.issuers) == gold["issuer"]
    signed = [e.date for e in meta.events if e.kind is EventKind.SIGNED]
    assert signed[:1] == [date.fromisoformat(gold["body_date"])]
    assert meta.index_no == gold["index_no"]
    assert (meta.level, meta.province) == (Level.NATIONAL, None)


@pytest.mark.parametrize("gold", _gold(GOVCN), ids=lambda g: g["index_no"])
def test_govcn_text_alone(gold: dict) -> None:
    """Without the page's metadata table: the title lines, the 文号 line and the signature."""
    blocks = tuple(Block(p) for p in gold["text"].split("\n") if p.strip())
    meta = read_metadata(ExtractedText("page.txt", Format.TEXT, None, (), blocks), build_body(blocks))
    assert meta.doc_number_key == doc_number_key(gold["doc_number"])
    assert "、".join(_plain(i) or "" for i in meta.issuers) == gold["issuer"]
    signed = [e.date for e in meta.events if e.kind is EventKind.SIGNED]
    assert signed[:1] == [date.fromisoformat(gold["body_date"])]


# -- provincial copies against INDEX.tsv ----------------------------------------------------------------------------


def _provincial_rows() -> list[dict]:
    return list(csv.DictReader(require_shared(PROVINCIAL / "INDEX.tsv").open(encoding="utf-8"), delimiter="\t"))


@pytest.mark.parametrize("row", _provincial_rows(), ids=lambda r: r["title"])
@pytest.mark.parametrize("front_matter", [True, False], ids=["front-matter", "text-alone"])
def test_provincial(row: dict, front_matter: bool) -> None:
    text = extract(require_shared(CORPUS / row["path"]))
    if not front_matter:
        text = ExtractedText(text.path, text.format, text.title, text.info, text.blocks)
    meta = read_metadata(text, build_body(text.blocks))
    assert meta.title == row["title"]
    assert meta.issuer == row["office"].replace("人大常务委员会", "人民代表大会常务委员会")
    assert meta.doc_type == DocType(row["type"])
    assert meta.province is not None and row["path"].split("/")[1].startswith(meta.province)
    if row["effective_date"]:
        assert meta.effective == parse_date(row["effective_date"])
    if front_matter:
        assert meta.promulgated == parse_date(row["publish"])


# -- the whole corpus against the manifest ----------------------------------------------------------------------------


def _manifest_rows(step: int) -> list[dict]:
    rows = list(csv.DictReader(require_shared(CORPUS / "manifest.csv").open(encoding="utf-8")))
    return rows[::step]


def _corpus_rates(step: int) -> dict[str, float]:
    rows = _manifest_rows(step)
    province = typed = typed_right = dated = events_right = refused = 0
    for row in rows:
        try:
            text = extract(LAWREFBOOK / row["path"])
        except KbError:  # e.g. a file with a header and no body: the ingest reports it, there is no metadata
            refused += 1
            continue
        meta = read_metadata(text, build_body(text.blocks))
        province += meta.province == (row["province"] or None)
        if row["level"] in MEASURED_TYPES:
            typed += 1
            typed_right += meta.doc_type is not None and meta.doc_type.value == row["level"]
        lines = [line for line in logical_lines(text.info) if parse_date(line)]
        if lines:
            dated += 1
            events_right += all(
                any(e.date == parse_date(line) and (e.body or e.kind is EventKind.EFFECTIVE) for e in meta.events)
                for line in lines
            )
    assert refused <= len(rows) // 1000 + 1
    return {"province": province / len(rows), "type": typed_right / typed, "events": events_right / dated}


def test_corpus_sample_meets_the_bars() -> None:
    rates = _corpus_rates(step=16)
    assert rates["province"] >= 0.995
    assert rates["type"] >= 0.98
    assert rates["events"] >= 0.99


@pytest.mark.slow
def test_whole_corpus_meets_the_bars() -> None:
    rates = _corpus_rates(step=1)
    assert rates["province"] >= 0.995
    assert rates["type"] >= 0.98
    assert rates["events"] >= 0.99


def test_manifest_as_sidecar_gives_its_year_counts() -> None:
    rows = [r for r in _manifest_rows(step=8) if r["file_date"]]
    overrides = load_overrides(CORPUS / "manifest.csv")
    got: Counter[int | None] = Counter()
    for row in rows:
        got[
            apply_overrides(_meta_of(str(LAWREFBOOK / row["path"])), str(LAWREFBOOK / row["path"]), overrides).year
        ] += 1
    assert got == Counter(int(r["file_date"][:4]) for r in rows)
