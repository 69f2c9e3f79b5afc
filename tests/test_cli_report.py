"""`kb list` and `kb stats`: options, output formats and exit codes; real counts on the shared corpus."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import date
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from kb.cli import cli, report
from kb.models import DocFilter, DocMeta, DocSummary, DocType, Format, Level, Status
from kb.report.stats import DIMENSIONS, SORTS
from tests.conftest import LAWREFBOOK, MANIFEST, require_shared


def doc(i: str, year: int | None, province: str | None, level: Level | None, title: str,
        topics: tuple[str, ...] = (), city: str | None = None) -> DocSummary:  # fmt: skip
    meta = DocMeta(
        title=title, year=year, version_date=date(year, 3, 1) if year else None, province=province, city=city,
        level=level, doc_type=DocType.LAW if level == Level.NATIONAL else DocType.LOCAL_REGULATION,
        issuers=("浙江省人民代表大会常务委员会",) if province == "浙江" else (), status=Status.IN_FORCE,
        doc_number="第1号" if i == "z1" else None,
    )  # fmt: skip
    return DocSummary(id=i, path=f"/c/{i}.md", format=Format.MARKDOWN, title=title, meta=meta, clause_count=10,
                      topics=topics)  # fmt: skip


DOCS = [
    doc("n1", 2011, None, Level.NATIONAL, "中华人民共和国某法", ("数据安全",)),
    doc("z1", 2020, "浙江", Level.PROVINCIAL, "浙江省公共数据条例", ("数据共享", "数据开放")),
    doc("z2", 2013, "浙江", Level.PROVINCIAL, "浙江省某条例, 含逗号"),
    doc("s1", 2020, "山东", Level.MUNICIPAL, "潍坊市某条例", ("数据共享",), city="潍坊"),
]


@pytest.fixture
def fake_kb(monkeypatch: pytest.MonkeyPatch) -> list[DocFilter]:
    """Serve DOCS instead of a store (through the same filters) and record the filters each command asked for."""
    from kb.report import stats
    from kb.report.stats import filter_docs, normalise_filter

    asked: list[DocFilter] = []

    def load(home: Path, filters: DocFilter) -> list[DocSummary]:
        asked.append(filters)
        return filter_docs(DOCS, normalise_filter(filters))

    monkeypatch.setattr(stats, "load_documents", load)
    return asked


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["--home", "/nonexistent-kb", *args], catch_exceptions=False)


def test_report_commands_are_registered() -> None:
    ctx = click.Context(cli)
    assert cli.get_command(ctx, "list") is report.list_cmd
    assert cli.get_command(ctx, "stats") is report.stats
    assert [c.name for c in report.COMMANDS] == ["list", "stats", "report"]


def test_cli_choices_are_the_library_ones() -> None:
    assert report.DIMENSIONS == DIMENSIONS and report.SORTS == SORTS


# -- usage errors (exit 2) -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["list", "--year", "2020", "--from", "2011"], "--year contradicts --from/--to; give either one year"),
        (["stats", "--by", "year", "--year", "2020", "--to", "2021"], "--year contradicts --from/--to"),
        (["list", "--from", "2020", "--to", "2011"], "--from 2020 is after --to 2011; give the earlier year to --from"),
        (["stats", "--by", "year", "--by", "province", "--by", "level"], "--by given 3 times (year, province, level)"),
        (["stats", "--by", "year", "--by", "year"], "--by year given twice; cross two different dimensions"),
        (["stats", "--by", "year", "--plot", "chart.jpg"], "chart.jpg: unsupported chart format '.jpg'"),
        (["stats", "--by", "year", "--title", "图"], "--title names a chart; add --plot FILE.png to draw one"),
        (["stats", "--by", "decade"], "'decade' is not one of 'year', 'province', 'city'"),
        (["stats"], "Missing option '--by'"),
        (["list", "--level", "state"], "'state' is not one of 'national', 'provincial', 'municipal', 'county'"),
        (["list", "--sort", "year"], "'year' is not one of 'date', 'province', 'title'"),
        (["list", "--json", "--format", "csv"], "--json and --format csv contradict each other"),
    ],
)
def test_usage_errors_exit_2(fake_kb: list[DocFilter], args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not fake_kb  # refused before reading the knowledge base


def test_missing_knowledge_base_exits_1_with_what_to_do(tmp_path: Path) -> None:
    for args in (["list"], ["stats", "--by", "year"]):
        result = CliRunner().invoke(cli, ["--home", str(tmp_path / "none"), *args])
        assert result.exit_code == 1
        assert "no knowledge base here; run `kb ingest PATH...` to build one" in result.output


# -- kb list ---------------------------------------------------------------------------------------------------------


def test_list_passes_the_filters(fake_kb: list[DocFilter]) -> None:
    result = run("list", "--year", "2020", "--province", "浙江省", "--level", "provincial", "--type", "地方性法规",
                 "--topic", "数据共享", "--status", "in_force", "--city", "杭州")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert fake_kb == [
        DocFilter(year=2020, province="浙江省", city="杭州", level=Level.PROVINCIAL, doc_type=DocType.LOCAL_REGULATION,
                  topics=("数据共享",), status=Status.IN_FORCE)
    ]  # fmt: skip


def test_list_table(fake_kb: list[DocFilter]) -> None:
    result = run("list", "--year", "2020")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["date", "province", "city", "level", "type", "title", "issuer", "发文字号", "clauses",
                                "subjects", "topics"]  # fmt: skip
    # Same date: by title, 浙 before 潍. A national or provincial document has an empty city cell.
    assert lines[2].split()[:6] == ["2020-03-01", "浙江", "provincial", "地方性法规", "浙江省公共数据条例",
                                    "浙江省人民代表大会常务委员会"]  # fmt: skip
    assert lines[3].split() == ["2020-03-01", "山东", "潍坊", "municipal", "地方性法规", "潍坊市某条例", "10",
                                "数据共享"]  # fmt: skip
    assert lines[-1] == "2 documents"


def test_list_csv_with_bom_is_what_excel_reads(fake_kb: list[DocFilter]) -> None:
    result = run("list", "--format", "csv", "--bom", "--sort", "title")
    assert result.output.startswith("\ufeffdoc_id,date,year,province,city,level,doc_type,title,issuer,doc_number,")
    rows = list(csv.DictReader(io.StringIO(result.output.removeprefix("\ufeff"))))
    assert [r["doc_id"] for r in rows] == ["n1", "z1", "z2", "s1"]  # by title, in character order (浙 before 潍)
    assert rows[2]["title"] == "浙江省某条例, 含逗号"  # quoted, so the comma stays in its cell
    assert rows[1]["topics"] == "数据共享、数据开放" and rows[1]["doc_number"] == "第1号"
    assert rows[0]["province"] == "" and rows[0]["level"] == "national"
    assert not run("list", "--format", "csv").output.startswith("\ufeff")


def test_list_json_has_every_field(fake_kb: list[DocFilter]) -> None:
    data = json.loads(run("list", "--json", "--province", "全国").output)
    assert data == [
        {"doc_id": "n1", "clause_id": None, "date": "2011-03-01", "year": 2011, "province": None, "city": None,
         "level": "national",
         "doc_type": "法律", "title": "中华人民共和国某法", "issuer": None, "doc_number": None, "clauses": 10,
         "topics": ["数据安全"], "status": "in_force", "first_year": None, "path": "/c/n1.md", "status_rule": None,
         "work": None, "copies": [], "subjects": []}
    ]  # fmt: skip


def test_list_markdown(fake_kb: list[DocFilter]) -> None:
    lines = run("list", "--format", "md", "--topic", "数据安全").output.splitlines()
    assert lines[0] == (
        "| date | province | city | level | type | title | issuer | 发文字号 | clauses | subjects | topics |"
    )
    assert lines[2] == "| 2011-03-01 |  |  | national | 法律 | 中华人民共和国某法 |  |  | 10 |  | 数据安全 |"
    assert len(lines) == 3


def test_list_help_says_years_are_the_versions() -> None:
    text = run("list", "--help").output
    assert "one row per document version" in text
    assert "kb list --year 2020 --level provincial" in text


# -- kb stats --------------------------------------------------------------------------------------------------------


def test_stats_by_year_range_lists_zero_years(fake_kb: list[DocFilter]) -> None:
    result = run("stats", "--by", "year", "--from", "2011", "--to", "2014")
    assert result.exit_code == 0
    assert [line.split() for line in result.output.splitlines()] == [
        ["year", "count"], ["-----", "-----"], ["2011", "1"], ["2012", "0"], ["2013", "1"], ["2014", "0"],
        ["total", "2"], ["2", "documents,", "each", "counted", "once", "per", "version"],
    ]  # fmt: skip


def test_stats_open_range_ends_at_the_last_year(fake_kb: list[DocFilter]) -> None:
    data = json.loads(run("stats", "--by", "year", "--from", "2019", "--json").output)
    assert data["year_range"] == [2019, 2020]
    assert data["rows"] == [{"key": [2019], "count": 0}, {"key": [2020], "count": 2}]


def test_stats_csv_cross_tab(fake_kb: list[DocFilter]) -> None:
    result = run("stats", "--by", "year", "--by", "province", "--from", "2011", "--to", "2013", "--format", "csv")
    # 全国 and 浙江 have one document each: in character order
    assert result.output.splitlines() == ["year,全国,浙江", "2011,1,0", "2012,0,0", "2013,0,1"]


def test_stats_table_cross_tab_has_totals(fake_kb: list[DocFilter]) -> None:
    result = run("stats", "--by", "province", "--by", "level")
    lines = [line.split() for line in result.output.splitlines()]
    assert lines[0] == ["province", "national", "provincial", "municipal", "total"]
    assert lines[2:6] == [["浙江", "0", "2", "0", "2"], ["全国", "1", "0", "0", "1"], ["山东", "0", "0", "1", "1"],
                          ["total", "1", "2", "1", "4"]]  # fmt: skip


def test_stats_by_topic_counts_each_topic_and_says_so(fake_kb: list[DocFilter]) -> None:
    result = run("stats", "--by", "topic", "--format", "md")
    assert result.output.splitlines() == [
        "| topic | count |", "| --- | --- |", "| 数据共享 | 2 |", "| 数据安全 | 1 |", "| 数据开放 | 1 |",
        "| (none) | 1 |", "| total | 4 |",
    ]  # fmt: skip
    assert "a document with several topics counts under each" in run("stats", "--by", "topic").output


def test_stats_plot_writes_the_chart_and_keeps_stdout_for_the_table(fake_kb: list[DocFilter], tmp_path: Path) -> None:
    out = tmp_path / "years.png"
    result = CliRunner().invoke(cli, ["--home", "x", "stats", "--by", "year", "--plot", str(out), "--format", "csv",
                                      "--title", "图1"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\x89PNG")
    assert result.stdout.splitlines()[0] == "year,count"
    assert f"chart written to {out}" in result.stderr


def test_stats_help_states_the_counting_rule() -> None:
    text = " ".join(run("stats", "--help").output.split())
    assert "Each document counts once per version: an amended regulation counts in the year of the version" in text
    assert "kb stats --by year --from 2011 --to 2020 --plot docs/documents-per-year.png" in text


# -- the shared corpus, ingested with the manifest as metadata -------------------------------------------------------


def manifest() -> list[dict[str, str]]:
    with require_shared(MANIFEST).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def corpus_run(home: Path, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["--home", str(home), *args])
    assert result.exit_code == 0, result.output
    return result


def relative(path: str) -> str:
    return Path(path).resolve().relative_to(LAWREFBOOK.resolve()).as_posix()


def counted(home: Path) -> list[dict[str, str]]:
    """The manifest's rows less the files kb holds as copies of another (same title, date and text; see
    tests/test_versions.py), which are listed and counted once."""
    from kb.store.sqlite import Store

    with Store.open(home) as store:
        copies = {relative(s.path) for s in store.summaries() if s.version and s.version.duplicate_of}
    assert len(copies) == 8
    return [r for r in manifest() if r["path"] not in copies]


@pytest.mark.slow
def test_documents_per_year_2011_2020_equal_the_manifest(corpus_home: Path) -> None:
    expected = Counter(int(r["file_date"][:4]) for r in counted(corpus_home) if r["file_date"])
    result = corpus_run(corpus_home, "stats", "--by", "year", "--from", "2011", "--to", "2020", "--json")
    got = {row["key"][0]: row["count"] for row in json.loads(result.output)["rows"]}
    # The manifest's file_date is the version date; the 259 rows without one leave the year unknown (see the
    # sidecar rules), so every year's count is the manifest's, exactly, less the copies counted once.
    assert got == {year: expected[year] for year in range(2011, 2021)}
    assert list(got.values()) == [121, 68, 64, 70, 75, 151, 212, 273, 272, 436]


@pytest.mark.slow
def test_documents_per_province_equal_the_manifest(corpus_home: Path) -> None:
    expected = Counter(r["province"] or "全国" for r in counted(corpus_home))
    data = json.loads(corpus_run(corpus_home, "stats", "--by", "province", "--json").output)
    got = Counter({row["key"][0]: row["count"] for row in data["rows"]})
    # The manifest's empty province means "no province": kb splits it into 全国 (national) and (none) (not known).
    got["全国"] += got.pop("(none)", 0)
    assert {k: v for k, v in got.items() if v} == dict(expected)
    assert len(got) >= 31 + 1  # every province has a row, zeros included, and 全国
    assert data["total"] == 3242 - 8


@pytest.mark.slow
def test_list_2020_zhejiang_is_the_manifests(corpus_home: Path) -> None:
    expected = {r["path"] for r in manifest() if r["province"] == "浙江" and r["file_date"].startswith("2020")}
    rows = json.loads(corpus_run(corpus_home, "list", "--year", "2020", "--province", "浙江", "--json").output)
    assert len(expected) == 86
    assert {relative(row["path"]) for row in rows} == expected
    titles = {r["title"] for r in manifest() if r["path"] in expected}
    assert {row["title"] for row in rows} == titles
    assert all(row["date"].startswith("2020-") for row in rows)


@pytest.mark.slow
def test_list_2020_csv_for_excel(corpus_home: Path) -> None:
    output = corpus_run(
        corpus_home, "list", "--year", "2020", "--province", "浙江省", "--format", "csv", "--bom"
    ).output
    assert output.startswith("\ufeffdoc_id,date,year,province,")
    rows = list(csv.DictReader(io.StringIO(output.removeprefix("\ufeff"))))
    assert len(rows) == 86 and {r["province"] for r in rows} == {"浙江"}


@pytest.mark.slow
def test_local_documents_of_2020_split_by_level(corpus_home: Path) -> None:
    # Every local regulation of 2020 is provincial, municipal or county, exactly one of them; national ones none.
    rows = {r["path"]: r for r in manifest()}
    by_level = {
        level: {relative(row["path"]) for row in json.loads(
            corpus_run(corpus_home, "list", "--year", "2020", "--level", level, "--json").output)}
        for level in ("provincial", "municipal", "county")
    }  # fmt: skip
    local = by_level["provincial"] | by_level["municipal"] | by_level["county"]
    assert len(local) == sum(len(paths) for paths in by_level.values())
    listed = {
        relative(row["path"]) for row in json.loads(corpus_run(corpus_home, "list", "--year", "2020", "--json").output)
    }
    assert local == {path for path in listed if rows[path]["province"]}
    assert {p for p, r in rows.items() if r["province"] and r["file_date"].startswith("2020")} <= local
    assert len(by_level["provincial"]) > 100 and len(by_level["municipal"]) > 100


@pytest.mark.slow
def test_chart_of_documents_per_year_on_the_corpus(corpus_home: Path, tmp_path: Path) -> None:
    from kb.report import charts
    from kb.report.stats import count
    from kb.store.sqlite import Store

    out = tmp_path / "documents-per-year.png"
    result = corpus_run(corpus_home, "stats", "--by", "year", "--from", "2011", "--to", "2020", "--plot", str(out),
                        "--json")  # fmt: skip
    assert out.read_bytes().startswith(b"\x89PNG")
    counts = tuple(row["count"] for row in json.loads(result.stdout)["rows"])
    with Store.open(corpus_home) as store:
        table = count(store.summaries(once=True), ["year"], year_range=(2011, 2020))
    data = charts.chart_data(table)
    assert data.categories == tuple(str(y) for y in range(2011, 2021))
    assert data.values == (counts,)
    assert counts == (121, 68, 64, 70, 75, 151, 212, 273, 272, 436)  # the manifest's file_date years, copies once
