"""Lists as input: CSV/XLSX exports -> one document per row, bad rows reported by number, the rest stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import cli
from kb.errors import CorruptFile
from kb.extract.lists import is_list_header, list_source, read_list, recognise, row_path
from kb.pipeline import discover, ingest

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (["government", "title", "issue_date", "publish_date", "url"],
         {"issuer", "title", "issue_date", "publish_date", "url"}),
        (["标题", "发文机关", "发文字号", "成文日期", "发布日期", "链接", "正文"],
         {"title", "issuer", "doc_number", "issue_date", "publish_date", "url", "text"}),
        (["\ufeffTitle", "Issue Date", "发布 日期："], {"title", "issue_date", "publish_date"}),
        (["名称", "文号", "其他"], {"title", "doc_number"}),
    ],
)  # fmt: skip
def test_recognised_header_names(header: list[str], expected: set[str]) -> None:
    assert set(recognise(header).values()) == expected


def test_a_header_with_a_path_column_is_a_sidecar_not_a_list() -> None:
    assert is_list_header(["title", "url"])
    assert not is_list_header(["path", "title", "level"])
    assert not is_list_header(["name", "url"])


def test_bad_rows_are_reported_by_number_and_the_rest_is_read() -> None:
    data = "title,issue_date,url\n数据条例,2020-09-25,u1\n,2020-01-01,u2\n某办法,明天,u3\n\n某规定,2021年3月1日,u4\n"
    parsed = read_list(data.encode("utf-8"), "x.csv")
    assert [r.row for r in parsed.rows] == [2, 6]
    assert [(p.row, p.message) for p in parsed.problems] == [
        (3, "x.csv: row 3: no title; give the document's title"),
        (4, "x.csv: row 4: issue_date '明天' is not a date; write it as 2020-09-25 or 2020年9月25日"),
    ]


def test_gb18030_csv_is_read() -> None:
    parsed = read_list("标题,成文日期\n贵州省政府数据共享开放条例,2020-09-25\n".encode("gb18030"), "g.csv")
    assert parsed.rows[0].get("title") == "贵州省政府数据共享开放条例"


def test_a_file_that_is_no_list_names_its_header() -> None:
    with pytest.raises(CorruptFile, match=r"x\.csv: not a list of documents: its header \(path, title\)"):
        read_list(b"path,title\na.md,A\n", "x.csv")


def test_xlsx_lists_are_read(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["标题", "成文日期", "发文机关"])
    sheet.append(["浙江省公共数据条例", "2022-01-21", "浙江省人民代表大会常务委员会"])
    path = tmp_path / "list.xlsx"
    book.save(path)
    parsed = read_list(path.read_bytes(), str(path))
    assert parsed.rows[0].get("issue_date") == "2022-01-21" and parsed.problems == ()


def test_row_paths_name_their_list() -> None:
    assert list_source(row_path("/a/国务院.csv", 12)) == "/a/国务院.csv"
    assert list_source("/a/b.md") is None


def test_ingest_a_list_lists_counts_and_classifies_its_rows(tmp_path: Path) -> None:
    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "portal.csv").write_text(
        "government,title,issue_date,publish_date,url\n"
        "上海,上海市公共数据开放暂行办法,2019-08-29,2019-09-01,https://example.org/1\n"
        "上海,上海市消防条例,2020-01-01,,https://example.org/2\n"
        "国务院,国务院办公厅关于印发科学数据管理办法的通知,2018-03-17,2018-04-02,https://example.org/3\n"
        "上海,,2020-01-01,,https://example.org/4\n",
        encoding="utf-8",
    )
    (lists / "sidecar.csv").write_text("path,title\na.md,A\n", encoding="utf-8")
    home = tmp_path / "home"
    found = discover([lists])
    assert [p.name for p in found.lists] == ["portal.csv"]  # the sidecar (path column) is passed over
    report = ingest(found, home)
    assert report.added == 3
    assert [f.message for f in report.failures] == [
        f"{lists / 'portal.csv'}: row 5: no title; give the document's title"
    ]
    runner = CliRunner()
    rows = json.loads(runner.invoke(cli, ["--home", str(home), "list", "--subject", "数据治理", "--json"]).output)
    assert {r["title"] for r in rows} == {"上海市公共数据开放暂行办法", "国务院办公厅关于印发科学数据管理办法的通知"}
    shanghai = next(r for r in rows if r["province"] == "上海")
    assert shanghai["year"] == 2019 and shanghai["date"] == "2019-08-29" and shanghai["level"] == "provincial"
    assert "数据共享开放" in shanghai["subjects"]
    national = next(r for r in rows if r["province"] is None)
    assert national["level"] == "national"
    # Regression: search --subject keeps the documents of the subject (it once kept none).
    found = runner.invoke(cli, ["--home", str(home), "search", "办法", "--docs", "--subject", "数据治理", "--json"])
    assert {h["title"] for h in json.loads(found.output)["hits"]} == {
        "上海市公共数据开放暂行办法",
        "国务院办公厅关于印发科学数据管理办法的通知",
    }
    # Unchanged: nothing re-read; a row removed from the file is removed from the knowledge base.
    assert ingest(discover([lists]), home).unchanged == 3
    text = (lists / "portal.csv").read_text(encoding="utf-8").splitlines()
    (lists / "portal.csv").write_text("\n".join(text[:3]) + "\n", encoding="utf-8")
    again = ingest(discover([lists]), home)
    assert again.removed == 1 and again.unchanged == 0


def test_shared_portal_lists_have_the_recognised_columns() -> None:
    portals = SHARED / "lists" / "portals"
    if not portals.is_dir():
        pytest.fail(f"{portals} is missing: the tests read the shared data")
    for path in sorted(portals.glob("*.csv")):
        parsed = read_list(path.read_bytes(), str(path))
        assert {f for _, f in parsed.columns} == {"issuer", "title", "issue_date", "publish_date", "url"}, path
        assert parsed.problems == ()
