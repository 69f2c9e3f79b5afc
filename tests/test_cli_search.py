"""`kb search` through click's CliRunner on an index of real documents: output, JSON, options and errors."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kb.cli.render import style
from kb.cli.search import _marked, search
from kb.models import Highlight, SearchHit
from kb.pipeline import process_bytes, process_file
from kb.search.whoosh_index import open_index
from kb.store.sqlite import Store
from tests.conftest import corpus_file

FILES = ("行政法/数据安全法(2021-06-10).md", "DLC/广东地方法规/地方性法规/广东/深圳经济特区数据条例(2021-07-06).md",
         "DLC/上海地方法规/地方性法规/上海/上海市数据条例(2021-11-25).md")  # fmt: skip


@pytest.fixture(scope="module")
def kb_cli() -> click.Group:
    from kb.cli import cli

    assert cli.get_command(click.Context(cli), "search") is search
    return cli


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("home")
    docs = []
    for relative in FILES:
        processed = process_file(corpus_file(relative))
        docs.append((processed.document, processed.topics))
    open_index(home, create=True).update(docs)
    return home


def run(kb_cli: click.Group, home: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(kb_cli, ["--home", str(home), "search", *args])
    return result.exit_code, result.output


def test_clause_hits_with_facets(kb_cli: click.Group, home: Path) -> None:
    code, out = run(kb_cli, home, "数据分类分级", "-n", "3")
    assert code == 0
    first_line = out.splitlines()[0]
    assert first_line.startswith(tuple("0123456789")) and "clauses" in first_line
    assert "中华人民共和国数据安全法 第二十一条" in out
    assert "\x1b[" not in out  # no colours in a pipe
    assert "省份" in out and "类型" in out and "年份" in out


def test_json_marks_highlights_by_offsets(kb_cli: click.Group, home: Path) -> None:
    code, out = run(kb_cli, home, "公共数据", "开放", "--province", "广东", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["total"] > 0
    assert {h["province"] for h in data["hits"]} == {"广东"}
    for hit in data["hits"]:
        marked = {hit["snippet"][h["start"] : h["end"]] for h in hit["highlights"]}
        assert marked <= {"公共数据", "开放"} and marked
    facets = data["facets"]
    assert facets["province"] == {"广东": data["total"]}


def test_documents_mode(kb_cli: click.Group, home: Path) -> None:
    code, out = run(kb_cli, home, "数据安全法", "--docs", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["hits"][0]["title"] == "中华人民共和国数据安全法"
    assert data["hits"][0]["clause_id"] is None


def test_year_options_and_sort(kb_cli: click.Group, home: Path) -> None:
    code, out = run(kb_cli, home, "数据", "--from", "2021", "--to", "2021", "--sort", "date", "--json", "-n", "50")
    assert code == 0
    assert {h["year"] for h in json.loads(out)["hits"]} == {2021}


def test_filters_alone_are_a_query(kb_cli: click.Group, home: Path) -> None:
    code, out = run(kb_cli, home, "--province", "上海", "--json", "-n", "2")
    assert code == 0
    assert {h["title"] for h in json.loads(out)["hits"]} == {"上海市数据条例"}


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (['"数据安全'], 1, "is not closed; add a closing"),
        (["nonsense:1"], 1, "unknown field 'nonsense'"),
        (["数据", "--year", "2020", "--from", "2019"], 2, "--year contradicts --from/--to"),
        ([], 2, "give words to search for"),
        (["数据", "--level", "galactic"], 2, "Invalid value for '--level'"),
    ],
)
def test_errors_are_one_clear_line(kb_cli: click.Group, home: Path, args: list[str], code: int, message: str) -> None:
    exit_code, out = run(kb_cli, home, *args)
    assert exit_code == code
    assert message in out
    assert "Traceback" not in out


def test_missing_index(kb_cli: click.Group, tmp_path: Path) -> None:
    code, out = run(kb_cli, tmp_path, "数据")
    assert code == 1
    assert "no search index here; run `kb ingest PATH`" in out


def test_terminal_highlighting() -> None:
    hit = SearchHit(doc_id="d", clause_id="c", title="t", number=None, score=1.0, snippet="维护数据安全，应当",
                    highlights=(Highlight(2, 6),))  # fmt: skip
    assert _marked(hit, color=True) == "维护" + style("数据安全", fg="yellow", bold=True) + "，应当"
    assert _marked(hit, color=False) == "维护数据安全，应当"


def test_unfinished_ingest_shows_only_what_the_store_holds(kb_cli: click.Group, tmp_path: Path) -> None:
    path = corpus_file(FILES[0])
    old = process_file(path)
    text = path.read_bytes().decode("utf-8").replace("数据处理活动", "数据处理活动甲乙丙丁")
    new = process_bytes(text.encode("utf-8"), str(path))
    with Store.open(tmp_path, create=True) as store:
        store.put(old.document, old.citations, old.topics)
        store.set_meta("index_state", "dirty")  # an ingest indexed the new version, then died before the store
    index = open_index(tmp_path, create=True)
    index.update([(old.document, old.topics)])
    index.update([(new.document, new.topics)])
    assert index.search('"甲乙丙丁"').total > 0  # the library without the store's word sees both versions
    code, out = run(kb_cli, tmp_path, '"甲乙丙丁"', "--json")
    assert code == 0 and json.loads(out)["total"] == 0
    code, out = run(kb_cli, tmp_path, '"数据处理活动"', "--json")
    assert json.loads(out)["total"] == index.search('"数据处理活动"').total // 2
    with Store.open(tmp_path) as store:
        store.set_meta("index_state", "clean")
    code, out = run(kb_cli, tmp_path, '"甲乙丙丁"', "--json")
    assert json.loads(out)["total"] > 0  # a clean state needs no filtering (and pays nothing for it)
