"""The core CLI contract with click's CliRunner: ingest, extract, show, status — exit codes and exact messages."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kb.cli import cli
from tests.conftest import BAD, LAWREFBOOK, ROOT, require_shared

SHENZHEN = "DLC/广东地方法规/地方性法规/广东/深圳经济特区数据条例(2021-07-06).md"
DATA_SECURITY = "行政法/数据安全法(2021-06-10).md"
OCCUPATIONAL = ("社会法/职业病防治法(2018-12-29).md", "经济法/职业病防治法(2018-12-29).md")


@pytest.fixture(scope="module")
def small_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A knowledge base of four real documents, two of them the same law filed twice."""
    base = tmp_path_factory.mktemp("cli")
    corpus = base / "corpus"
    for rel in (SHENZHEN, DATA_SECURITY, *OCCUPATIONAL):
        target = corpus / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(require_shared(LAWREFBOOK / rel), target)
    home = base / "kb"
    result = CliRunner().invoke(cli, ["--home", str(home), "ingest", str(corpus)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("4 added, 0 updated, 0 unchanged, 0 removed, 0 failed")
    return home


def _run(home: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--home", str(home), *args])
    return result.exit_code, result.output


def test_show_a_clause_by_short_title_and_written_number(small_home: Path) -> None:
    code, out = _run(small_home, "show", "数据安全法", "第二十一条")
    assert code == 0, out
    assert out.startswith("中华人民共和国数据安全法  第二十一条")
    assert "第二十一条 国家建立数据分类分级保护制度" in out


@pytest.mark.parametrize(
    "ref",
    ["中华人民共和国数据安全法 第二十一条", "数据安全法第二十一条", "《中华人民共和国数据安全法》 第二十一条"],
)
def test_show_accepts_the_forms_users_write(small_home: Path, ref: str) -> None:
    code, out = _run(small_home, "show", ref, "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["number"] == "第二十一条"
    assert data["kind"] == "article"
    assert data["title"] == "中华人民共和国数据安全法"


def test_show_by_id_hash_clause_id_round_trips(small_home: Path) -> None:
    code, out = _run(small_home, "show", "深圳经济特区数据条例 第二十一条", "--json")
    assert code == 0, out
    ref = json.loads(out)["ref"]
    assert re.fullmatch(r"[0-9a-f]{12}#[a-z0-9_]+", ref)
    code, again = _run(small_home, "show", ref, "--json")
    assert code == 0
    assert json.loads(again)["text"].startswith("第二十一条 处理个人数据有下列情形之一的")


def test_show_a_document_filed_twice_shows_it_once_with_its_copy(small_home: Path) -> None:
    code, out = _run(small_home, "show", "职业病防治法")
    assert code == 0, out
    assert out.startswith("中华人民共和国职业病防治法   [")
    assert re.search(r"copy [0-9a-f]{12} of [0-9a-f]{12}: .*职业病防治法\(2018-12-29\)\.md", out)


def test_show_ambiguous_title_lists_candidates_and_exits_1(tmp_path: Path) -> None:
    for province in ("浙江省", "河南省"):
        (tmp_path / "c").mkdir(exist_ok=True)
        (tmp_path / "c" / f"{province}物业管理条例.md").write_text(
            f"# {province}物业管理条例\n\n2020年1月1日 {province}人民代表大会常务委员会通过\n\n<!-- INFO END -->\n\n"
            "第一条 为了规范物业管理活动，制定本条例。\n",
            encoding="utf-8",
        )
    home = tmp_path / "kb"
    assert CliRunner().invoke(cli, ["--home", str(home), "ingest", str(tmp_path / "c")]).exit_code == 0
    code, out = _run(home, "show", "物业管理条例")
    assert code == 1
    assert "Error: 物业管理条例: matches 2 documents; name one by its id:" in out
    assert out.count("物业管理条例  (") == 2


def test_show_unknown_title_exits_1_with_a_hint(small_home: Path) -> None:
    code, out = _run(small_home, "show", "不存在的条例")
    assert code == 1
    assert out == "Error: 不存在的条例: no document with this id or title; try `kb search '不存在的条例' --docs`\n"


def test_show_unknown_clause_exits_1(small_home: Path) -> None:
    code, out = _run(small_home, "show", "数据安全法 第九十九条")
    assert code == 1
    assert "no clause '第九十九条'" in out


def test_status_counts(small_home: Path) -> None:
    code, out = _run(small_home, "status", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["documents"] == 4
    assert data["clauses"] > 400
    assert data["failures"] == 0
    assert data["last_built"]


def test_status_without_a_knowledge_base_says_what_to_do(tmp_path: Path) -> None:
    code, out = _run(tmp_path / "none", "status")
    assert code == 1
    assert "no knowledge base here; run `kb ingest PATH...` to build one" in out


def test_reingest_unchanged_does_no_work(small_home: Path) -> None:
    corpus = small_home.parent / "corpus"
    code, out = _run(small_home, "ingest", str(corpus), "--json")
    assert code == 0
    report = json.loads(out)
    assert (report["added"], report["updated"], report["unchanged"]) == (0, 0, 4)


def test_extract_json_schema_on_a_real_file() -> None:
    path = require_shared(LAWREFBOOK / SHENZHEN)
    result = CliRunner().invoke(cli, ["extract", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"path", "title", "metadata", "clauses"} <= set(data)
    assert data["title"] == "深圳经济特区数据条例"
    article = next(c for c in data["clauses"] if c["number"] == "第二十一条")
    assert {"doc_id", "clause_id", "kind", "number", "heading", "text", "parent"} <= set(article)
    assert article["kind"] == "article"
    assert article["text"].startswith("第二十一条 处理个人数据")


def test_extract_several_files_gives_one_json_line_each() -> None:
    paths = [str(require_shared(LAWREFBOOK / p)) for p in (SHENZHEN, DATA_SECURITY)]
    result = CliRunner().invoke(cli, ["extract", *paths, "--json"])
    assert result.exit_code == 0
    lines = result.output.strip().split("\n")
    assert [json.loads(line)["title"] for line in lines] == ["深圳经济特区数据条例", "中华人民共和国数据安全法"]


def test_extract_bad_file_names_it_and_exits_1() -> None:
    bad = require_shared(BAD / "not_really.pdf")
    result = CliRunner().invoke(cli, ["extract", str(bad)])
    assert result.exit_code == 1
    assert str(bad) in result.output
    assert "Traceback" not in result.output


def test_extract_unsupported_suffix(tmp_path: Path) -> None:
    doc = tmp_path / "x.xls"
    doc.write_bytes(b"\xd0\xcf\x11\xe0")
    result = CliRunner().invoke(cli, ["extract", str(doc)])
    assert result.exit_code == 1
    expected = ".doc .docx .htm .html .markdown .md .ofd .pdf .shtml .txt .wps"
    assert f"{doc}: unsupported format '.xls'; expected one of {expected}" in result.output


def test_extract_reads_each_file_under_the_time_limit_and_goes_on(tmp_path: Path) -> None:
    slow = tmp_path / "slow.txt"
    slow.write_text("第一条 公共数据依法开放。\n" * 200_000, encoding="utf-8")  # some 40 s to read here
    quick = tmp_path / "quick.txt"
    quick.write_text("数据条例\n第一条 为了促进数据开放，制定本条例。\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract", str(slow), str(quick), "--timeout", "8"])
    assert result.exit_code == 1
    assert f"failed: {slow}: took more than 8 s; skipped" in result.output
    assert f"{quick}: 数据条例" in result.output and "Traceback" not in result.output


def test_extract_past_the_memory_limit_is_reported(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"  # some 100 MB of records to build: more than 64 MB of address space
    big.write_text("第一条 公共数据依法开放。\n" * 200_000, encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract", str(big), "--max-memory", "64", "--timeout", "60"])
    assert result.exit_code == 1
    assert f"failed: {big}: needed more than 64 MB of memory; skipped" in result.output
    assert "Traceback" not in result.output


def test_ingest_with_a_bad_file_exits_1_and_lists_it(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    shutil.copyfile(require_shared(BAD / "truncated.docx"), corpus / "truncated.docx")
    shutil.copyfile(require_shared(LAWREFBOOK / SHENZHEN), corpus / "sz.md")
    code, out = _run(tmp_path / "kb", "ingest", str(corpus))
    assert code == 1
    assert out.startswith("1 added, 0 updated, 0 unchanged, 0 removed, 1 failed")
    assert f"failed: {corpus / 'truncated.docx'}:" in out


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in cli.list_commands(click.Context(cli)):
        assert f"kb {name}" in readme, f"`kb {name}` is missing from README.md"


def test_the_lazy_command_map_names_every_command_of_every_cli_module() -> None:
    # A command added to a module's COMMANDS but not to the map would never run; a stale entry would be listed.
    import importlib

    from kb.cli import COMMAND_MODULES

    found = {}
    for module_name in sorted(set(COMMAND_MODULES.values()) | {p.stem for p in (ROOT / "kb" / "cli").glob("*.py")}):
        module = importlib.import_module(f"kb.cli.{module_name}")
        for command in getattr(module, "COMMANDS", ()):
            found[command.name] = module_name
    assert found == COMMAND_MODULES
    ctx = click.Context(cli)
    assert all(cli.get_command(ctx, name) is not None for name in COMMAND_MODULES)
    assert cli.get_command(ctx, "no-such-command") is None
