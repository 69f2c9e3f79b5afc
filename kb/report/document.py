"""Report: DocSummary records + a subject and years -> a SubjectReport, rendered as Markdown or self-contained HTML.

The analysis policy research starts from (the 2020 provincial data-governance policies, and their number per year,
per province and per sub-subject) as one document: a table of the provincial documents of the period, and three
charts. HTML embeds the charts as inline SVG and escapes every text taken from the documents; Markdown links PNG
files written next to it.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kb.errors import KbError
from kb.models import DocSummary, Level
from kb.report.stats import CountTable, count, list_rows

REPORT_SUFFIXES = (".html", ".htm", ".md")
# Years of the per-year chart when the report is for one year: that year and the nine before (the seed's 2011–2020).
TREND_YEARS = 10
# Characters that would break a Markdown table cell or start markup: escaped with a backslash.
MD_SPECIAL = re.compile(r"([\\|*_`\[\]<>#])")


@dataclass(frozen=True, slots=True)
class ReportRow:
    """A provincial document of the report's period: what the table shows."""

    date: date | None
    province: str | None
    title: str | None
    doc_type: str | None
    subjects: tuple[str, ...]
    issuer: str | None
    id: str


@dataclass(frozen=True, slots=True)
class SubjectReport:
    """A subject's documents over a period: the provincial table and the counts the charts draw."""

    subject: str
    years: tuple[int, int]  # the period of the table and the province / sub-subject counts
    trend_years: tuple[int, int]  # the period of the per-year chart
    total: int  # documents of the subject in the period, every level
    provincial: tuple[ReportRow, ...]
    per_year: CountTable
    per_province: CountTable
    per_subject: CountTable


def build_report(
    docs: Sequence[DocSummary],
    subject: str,
    years: tuple[int, int],
    children: Sequence[str] = (),
    trend_years: tuple[int, int] | None = None,
) -> SubjectReport:
    """The report of ``subject`` over ``years`` from documents already selected by subject (and any other filter).

    ``children`` are the sub-subjects to count (those of the lexicon under ``subject``); the per-year chart spans
    ``trend_years`` (by default the last year of ``years`` and the nine before it, or ``years`` when longer).
    """
    first, last = years
    if first > last:
        raise KbError(f"report years {first}-{last} end before they start; give the earlier year first")
    if trend_years is None:
        trend_years = (min(first, last - TREND_YEARS + 1), last)
    own = [d for d in docs if subject in d.subjects]
    in_period = [d for d in own if d.meta.year is not None and first <= d.meta.year <= last]
    rows = tuple(
        ReportRow(r.date, r.province, r.title, r.doc_type.value if r.doc_type else None,
                  tuple(s for s in r.subjects if s != subject), r.issuer, r.doc_id)
        for r in list_rows([d for d in in_period if d.meta.level is Level.PROVINCIAL], sort="province")
    )  # fmt: skip
    narrowed = [_only(d, children) for d in in_period] if children else in_period
    return SubjectReport(
        subject=subject,
        years=years,
        trend_years=trend_years,
        total=len(in_period),
        provincial=rows,
        per_year=count(own, ["year"], year_range=trend_years),
        per_province=count(in_period, ["province"], year_range=years, all_provinces=True),
        per_subject=count(narrowed, ["subject"], year_range=years),
    )


def _only(doc: DocSummary, subjects: Sequence[str]) -> DocSummary:
    from dataclasses import replace

    return replace(doc, subjects=tuple(s for s in doc.subjects if s in subjects))


def _period(years: tuple[int, int]) -> str:
    return f"{years[0]}年" if years[0] == years[1] else f"{years[0]}—{years[1]}年"


def _charts(report: SubjectReport) -> list[tuple[str, CountTable]]:
    return [
        (f"{_period(report.trend_years)}{report.subject}相关文件数量（按年份）", report.per_year),
        (f"{_period(report.years)}{report.subject}相关文件数量（按省份）", report.per_province),
        (f"{_period(report.years)}{report.subject}相关文件数量（按子主题）", report.per_subject),
    ]


def _svg(table: CountTable, title: str) -> str:
    """A chart as inline SVG markup (text drawn as paths, so no font is needed to view it)."""
    import matplotlib

    from kb.report.charts import _rc, find_cjk_font, render_figure

    fig = render_figure(table, title=title)
    buffer = io.StringIO()
    with matplotlib.rc_context(_rc(find_cjk_font())):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def render_html(report: SubjectReport) -> str:
    """The report as one self-contained HTML page: charts as inline SVG, every document text escaped."""
    e = html.escape
    head = f"{_period(report.years)}{report.subject}政策文件报告"
    rows = "\n".join(
        "<tr>" + "".join(f"<td>{e(str(v or ''))}</td>" for v in (
            r.date.isoformat() if r.date else "", r.province, r.title, r.doc_type, "、".join(r.subjects), r.issuer
        )) + "</tr>"
        for r in report.provincial
    )  # fmt: skip
    charts = "\n".join(f"<figure>{_svg(table, title)}<figcaption>{e(title)}</figcaption></figure>"
                       for title, table in _charts(report))  # fmt: skip
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{e(head)}</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}}
table{{border-collapse:collapse;width:100%}}td,th{{border:1px solid #ccc;padding:4px 6px;text-align:left}}
figure{{margin:2em 0}}figure svg{{max-width:100%;height:auto}}</style></head>
<body><h1>{e(head)}</h1>
<p>{report.total} 份{e(report.subject)}相关文件（{e(_period(report.years))}，各层级）；
其中省级 {len(report.provincial)} 份。主题按标题、章节、条款占比与文件类型判定（kb show 给出依据）。</p>
<h2>省级文件（{e(_period(report.years))}）</h2>
<table><thead><tr><th>日期</th><th>省份</th><th>标题</th><th>类型</th><th>子主题</th><th>发布机关</th></tr></thead>
<tbody>
{rows}
</tbody></table>
<h2>图表</h2>
{charts}
</body></html>
"""


def _md(value: object) -> str:
    return MD_SPECIAL.sub(r"\\\1", str(value or "")).replace("\n", " ")


def render_markdown(report: SubjectReport, out: Path) -> str:
    """The report as Markdown; its charts are written as PNG files beside ``out`` (``<stem>-year.png`` ...)."""
    from kb.report.charts import plot

    head = f"{_period(report.years)}{report.subject}政策文件报告"
    lines = [f"# {_md(head)}", "",
             f"{report.total} 份{_md(report.subject)}相关文件（{_period(report.years)}，各层级）；"
             f"其中省级 {len(report.provincial)} 份。", "", f"## 省级文件（{_period(report.years)}）", "",
             "| 日期 | 省份 | 标题 | 类型 | 子主题 | 发布机关 |", "| --- | --- | --- | --- | --- | --- |"]  # fmt: skip
    for r in report.provincial:
        cells = (r.date.isoformat() if r.date else "", r.province, r.title, r.doc_type, "、".join(r.subjects), r.issuer)
        lines.append("| " + " | ".join(_md(c) for c in cells) + " |")
    lines += ["", "## 图表", ""]
    for (title, table), name in zip(_charts(report), ("year", "province", "subject"), strict=True):
        chart = out.with_name(f"{out.stem}-{name}.png")
        plot(table, chart, title=title)
        lines += [f"![{_md(title)}]({chart.name})", ""]
    return "\n".join(lines)


def write_report(report: SubjectReport, out: str | Path) -> Path:
    """Write the report to ``out`` (.html or .md, by its suffix); returns the path written."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        raise KbError(f"{out}: unsupported report format {suffix or '(none)'!r}; expected one of .html .md")
    if not out.parent.is_dir():
        raise KbError(f"{out}: folder {out.parent} does not exist; create it or choose another path")
    text = render_markdown(report, out) if suffix == ".md" else render_html(report)
    from kb.store.files import write_text

    try:
        write_text(out, text)  # a temporary name renamed into place: never half a report under its name
    except OSError as exc:
        raise KbError(f"{out}: cannot write the report ({exc.strerror or exc})") from exc
    return out


__all__ = ["REPORT_SUFFIXES", "ReportRow", "SubjectReport", "build_report", "render_html", "render_markdown",
           "write_report"]  # fmt: skip
