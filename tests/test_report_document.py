"""kb report: a subject's documents -> Markdown and self-contained HTML with the charts embedded."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kb.models import DocMeta, DocSummary, Format, Level
from kb.report.document import build_report, render_html, write_report


def _doc(i: int, title: str, year: int, province: str | None, level: Level, subjects: tuple[str, ...]) -> DocSummary:
    meta = DocMeta(title=title, year=year, version_date=date(year, 5, 1), province=province, level=level)
    return DocSummary(f"d{i}", f"/c/{i}.md", Format.MARKDOWN, title, meta, 10, (), subjects)


DOCS = [
    _doc(1, "贵州省政府数据共享开放条例", 2020, "贵州", Level.PROVINCIAL, ("数据治理", "数据共享开放")),
    _doc(2, "山西省<script>alert(1)</script>条例", 2020, "山西", Level.PROVINCIAL, ("数据治理", "大数据发展")),
    _doc(3, "沈阳市政务数据资源共享开放条例", 2020, "辽宁", Level.MUNICIPAL, ("数据治理", "数据共享开放")),
    _doc(4, "贵州省大数据发展应用促进条例", 2016, "贵州", Level.PROVINCIAL, ("数据治理", "大数据发展")),
]
CHILDREN = ("数据共享开放", "大数据发展")


def test_report_counts_the_period_and_tables_the_provincial_documents() -> None:
    report = build_report(DOCS, "数据治理", (2020, 2020), CHILDREN)
    assert report.total == 3 and [r.id for r in report.provincial] == ["d2", "d1"]  # by province: 山西 before 贵州
    assert report.trend_years == (2011, 2020)
    assert report.per_year.cell(2016) == 1 and report.per_year.cell(2020) == 3 and report.per_year.cell(2012) == 0
    assert len(report.per_province.values[0]) == 31 and report.per_province.cell("辽宁") == 1
    assert report.per_subject.cell("数据共享开放") == 2 and report.per_subject.cell("大数据发展") == 1


def test_html_is_self_contained_and_escapes_document_text() -> None:
    page = render_html(build_report(DOCS, "数据治理", (2020, 2020), CHILDREN))
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert page.count("<svg") == 3 and "src=" not in page  # charts inline, nothing to fetch


def test_markdown_links_the_charts_it_writes(tmp_path: Path) -> None:
    out = write_report(build_report(DOCS, "数据治理", (2020, 2020), CHILDREN), tmp_path / "r.md")
    text = out.read_text(encoding="utf-8")
    assert "| 2020-05-01 | 贵州 | 贵州省政府数据共享开放条例 |" in text
    assert "山西省\\<script\\>alert(1)\\</script\\>条例" in text
    for name in ("r-year.png", "r-province.png", "r-subject.png"):
        assert f"]({name})" in text and (tmp_path / name).stat().st_size > 1000
