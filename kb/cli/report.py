"""CLI report commands: `kb list` and `kb stats` -> filtered documents, counts, cross-tabs and charts.

Output formats (stable; `--format`, `--json`, `--bom` come from kb.cli.render):

- `kb list`: table and md show date, province, city, level, type, title, issuer, 发文字号, clauses, topics; csv has
  the header ``id,date,year,province,city,level,doc_type,title,issuer,doc_number,clauses,topics,status,first_year,
  path`` (topics joined by 、); json is a list of ListRow objects with the same keys (topics a list).
- `kb stats`: with one dimension, table, md and csv have the columns ``<dimension>,count``; with two, the first
  dimension down and one column per value of the second (a cross-tab). Table and md add a total row (and, for two
  dimensions, a total column) counting each document once; csv holds the counts only. json is the CountTable
  record: ``{"by", "values", "rows": [{"key": [...], "count"}], "margins", "total", "year_range"}``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from kb.cli.render import YEAR, KbContext, emit, emit_json, handle_errors, output_options
from kb.models import DocFilter, DocType, Level, Status

if TYPE_CHECKING:
    from kb.report.stats import CountTable

F = TypeVar("F", bound=Callable[..., Any])

# Kept in step with kb.report.stats' DIMENSIONS and SORTS (tests check), so that `--help` needs no import of it.
DIMENSIONS = ("year", "province", "city", "level", "type", "topic", "subject", "status")
SORTS = ("date", "province", "title")
CHART_SUFFIXES = (".png", ".svg", ".pdf")

LIST_TABLE_COLUMNS = ("date", "province", "city", "level", "doc_type", "title", "issuer", "doc_number", "clauses",
                      "subjects", "topics")  # fmt: skip
LIST_CSV_COLUMNS = ("doc_id", "date", "year", "province", "city", "level", "doc_type", "title", "issuer", "doc_number",
                    "clauses", "subjects", "topics", "status", "first_year", "path")  # fmt: skip
LIST_HEADERS = {"doc_type": "type", "doc_number": "发文字号"}


def filter_options(func: F) -> F:
    """Add the document filters shared by `kb list` and `kb stats`; the command receives ``filters`` (DocFilter)."""

    @click.option("--year", type=YEAR, default=None, help="Documents of this year (the version's year).")
    @click.option("--from", "year_from", type=YEAR, default=None, help="Documents of this year or later.")
    @click.option("--to", "year_to", type=YEAR, default=None, help="Documents of this year or earlier.")
    @click.option("--province", default=None, help="Province short or full name (浙江, 浙江省); 全国 for national.")
    @click.option("--city", default=None, help="City short or full name (深圳, 深圳市).")
    @click.option("--level", type=click.Choice([v.value for v in Level]), default=None, help="Issuing level.")
    @click.option("--type", "doc_type", type=click.Choice([v.value for v in DocType]), default=None,
                  help="Document type, e.g. 地方性法规.")  # fmt: skip
    @click.option(
        "--topic",
        "topics",
        multiple=True,
        help="Documents with a clause that mentions this topic, e.g. 数据安全; repeat for any of several.",
    )
    @click.option(
        "--subject",
        "subjects",
        multiple=True,
        help="Documents mainly about this subject, e.g. 数据治理 (with its sub-subjects) or 数据共享开放; "
        "repeat for any of several.",
    )
    @click.option(
        "--all", "match_all", is_flag=True, help="With repeated --topic/--subject: documents with all of them, not any."
    )
    @click.option(
        "--status",
        type=click.Choice([v.value for v in Status]),
        default=None,
        help="Validity status, as decided from the versions of each work (with --as-of: on that day).",
    )
    @click.option(
        "--as-of",
        "as_of",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="The versions in force on this day (YYYY-MM-DD), or with --status those with it then.",
    )
    @functools.wraps(func)
    def wrapper(
        *args: Any,
        year: int | None,
        year_from: int | None,
        year_to: int | None,
        province: str | None,
        city: str | None,
        level: str | None,
        doc_type: str | None,
        topics: tuple[str, ...],
        subjects: tuple[str, ...],
        match_all: bool,
        status: str | None,
        as_of: Any,
        **kwargs: Any,
    ) -> Any:
        if year is not None and (year_from is not None or year_to is not None):
            raise click.UsageError("--year contradicts --from/--to; give either one year or a range")
        if year_from is not None and year_to is not None and year_from > year_to:
            raise click.UsageError(f"--from {year_from} is after --to {year_to}; give the earlier year to --from")
        filters = DocFilter(
            year=year,
            year_from=year_from,
            year_to=year_to,
            province=province or None,
            city=city or None,
            level=Level(level) if level else None,
            doc_type=DocType(doc_type) if doc_type else None,
            topics=tuple(dict.fromkeys(t for t in topics if t)),
            subjects=check_subjects(subjects),
            match_all=match_all,
            status=Status(status) if status else None,
            as_of=as_of.date() if as_of is not None else None,
        )
        return func(*args, filters=filters, **kwargs)

    return wrapper  # type: ignore[return-value]


def check_subjects(subjects: Sequence[str]) -> tuple[str, ...]:
    """The --subject values, each a subject of the lexicon; a usage error names an unknown one and the choices."""
    if not subjects:
        return ()
    from kb.topics.subjects import load_subjects

    names = load_subjects().names
    for subject in subjects:
        if subject not in names:
            raise click.BadParameter(f"unknown subject {subject!r}; expected one of: {'、'.join(names)}",
                                     param_hint="--subject")  # fmt: skip
    return tuple(dict.fromkeys(subjects))


# -- list ------------------------------------------------------------------------------------------------------------


@click.command("list")
@filter_options
@click.option("--sort", type=click.Choice(SORTS), default="date", show_default=True,
              help="Order: by date (oldest first), by province (national first) or by title.")  # fmt: skip
@output_options
@click.pass_obj
@handle_errors
def list_cmd(obj: KbContext, filters: DocFilter, sort: str, fmt: str, bom: bool) -> None:
    """List documents, one row per document version: date, province, city, level, type, title, issuer, 发文字号,
    clause count and topics.

    Years are the version's: an amended regulation is listed under the year of the version ingested.
    --year cannot be combined with --from/--to. Formats: table (default), md, csv (with a header row; --bom for
    Excel) and json (a list of objects with every field, including the id for `kb show`).

    \b
    Examples:
      kb list --year 2020 --level provincial
      kb list --year 2020 --province 浙江 --format csv --bom > 浙江2020.csv
      kb list --from 2016 --to 2020 --topic 数据安全 --sort province
      kb list --year 2020 --level provincial --subject 数据治理 --json
    """
    from kb.report.stats import list_rows, load_documents

    rows = list_rows(load_documents(obj.home, filters), sort=sort)
    if fmt == "json":
        emit_json(rows)
        return
    records = [_row_mapping(row) for row in rows]
    if fmt == "csv":
        emit(records, LIST_CSV_COLUMNS, fmt, bom=bom)
        return
    emit(records, LIST_TABLE_COLUMNS, fmt, bom=bom, headers=LIST_HEADERS)
    if fmt == "table":
        click.echo(f"{len(rows)} document{'' if len(rows) == 1 else 's'}")


def _row_mapping(row: Any) -> dict[str, Any]:
    return {name: getattr(row, name) for name in LIST_CSV_COLUMNS}


# -- stats -----------------------------------------------------------------------------------------------------------


@click.command("stats")
@click.option("--by", "by", multiple=True, required=True, type=click.Choice(DIMENSIONS),
              help="Count by this dimension; give --by twice for a cross-tab (--by year --by province).")  # fmt: skip
@filter_options
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also draw a bar chart: FILE.png, .svg or .pdf (needs a CJK font: fonts-noto-cjk).")  # fmt: skip
@click.option("--title", "chart_title", default=None, help="The chart's title instead of the one made from the counts.")
@output_options
@click.pass_obj
@handle_errors
def stats(
    obj: KbContext,
    by: tuple[str, ...],
    filters: DocFilter,
    plot: Path | None,
    chart_title: str | None,
    fmt: str,
    bom: bool,
) -> None:
    """Count documents by year, province, city, level, type, topic, subject or status, or cross-tabulate two.

    Each document counts once per version: an amended regulation counts in the year of the version ingested (the
    year of its latest adoption, amendment or promulgation), and two versions ingested count twice, each in its
    own year. National documents count under province 全国; a value the metadata lacks counts under (none); by
    province all 31 provinces have a row, zero included. By topic, a document counts under each topic any of its
    clauses is tagged with, and by subject under each subject it is mainly about, so those rows can add up to
    more than the total. With --year or --from/--to every year of the range has a row, zero included.

    Formats: table (default) and md with totals; csv (header row, counts only; --bom for Excel); json (the count
    record with its rows, margins and total). --plot draws a titled, labelled bar chart with a value on each bar.

    \b
    Examples:
      kb stats --by year --from 2011 --to 2020 --plot docs/documents-per-year.png
      kb stats --by province --year 2020
      kb stats --by year --by province --from 2016 --to 2020 --format csv --bom > 年份省份.csv
      kb stats --by topic --by year --from 2016 --to 2020 --plot topics.svg
      kb stats --by year --subject 数据治理 --from 2011 --to 2020 --plot 数据治理.png
      kb stats --by province --subject 数据治理 --year 2020
    """
    if len(by) > 2:
        raise click.UsageError(f"--by given {len(by)} times ({', '.join(by)}); count by one dimension or cross two")
    if len(set(by)) != len(by):
        raise click.UsageError(f"--by {by[0]} given twice; cross two different dimensions")
    if plot is not None and str(plot) == "-":
        raise click.BadParameter("stdout carries the counts; name the chart file (chart.svg)", param_hint="--plot")
    if plot is not None and plot.suffix.lower() not in CHART_SUFFIXES:
        raise click.BadParameter(
            f"{plot}: unsupported chart format {plot.suffix or '(none)'!r}; expected {' '.join(CHART_SUFFIXES)}",
            param_hint="--plot",
        )
    if chart_title is not None and plot is None:
        raise click.UsageError("--title names a chart; add --plot FILE.png to draw one")

    from kb.report.stats import count, load_documents, observed_year_range, year_span

    docs = load_documents(obj.home, filters)
    table = count(docs, by, year_range=year_span(filters, observed_year_range(docs)), all_provinces=by == ("province",))
    _emit_counts(table, fmt, bom)
    if plot is not None:
        from kb.report.charts import plot as draw

        written = draw(table, plot, title=chart_title, filters=filters)
        click.echo(f"chart written to {written}", err=True)


def _emit_counts(table: CountTable, fmt: str, bom: bool) -> None:
    from kb.report.stats import cross_tab

    if fmt == "json":
        emit_json(table)
        return
    with_totals = fmt in ("table", "md")
    if len(table.by) == 1:
        dim = table.by[0]
        rows: list[dict[str, Any]] = [{dim: row.key[0], "count": row.count} for row in table.rows]
        if with_totals:
            rows.append({dim: "total", "count": table.total})
        emit(rows, (dim, "count"), fmt, bom=bom)
    else:
        grid = cross_tab(table)
        names = _column_names(grid.row_dim, grid.columns)
        columns: Sequence[str] = (grid.row_dim, *names, *(("total",) if with_totals else ()))
        rows = []
        for value, cells, row_total in zip(grid.rows, grid.cells, grid.row_totals, strict=True):
            rows.append({grid.row_dim: value, **dict(zip(names, cells, strict=True)), "total": row_total})
        if with_totals:
            rows.append({grid.row_dim: "total", **dict(zip(names, grid.column_totals, strict=True)),
                         "total": grid.total})  # fmt: skip
        emit(rows, columns, fmt, bom=bom)
    if fmt == "table":
        note = f"{table.total} document{'' if table.total == 1 else 's'}, each counted once per version"
        if "topic" in table.by:
            note += "; a document with several topics counts under each"
        click.echo(note)


def _column_names(row_dim: str, values: Sequence[Any]) -> list[str]:
    """Column names of a cross-tab: the second dimension's values as text, kept apart from the first column's name."""
    names = []
    for value in values:
        name = str(value)
        while name in (row_dim, "total") or name in names:
            name += "'"
        names.append(name)
    return names


# -- report ----------------------------------------------------------------------------------------------------------


@click.command("report")
@click.option("--subject", required=True, help="The subject to report on, e.g. 数据治理 (or a sub-subject).")
@click.option("--year", type=int, default=None, help="The year of the table and of the province counts.")
@click.option("--from", "year_from", type=int, default=None, help="First year of the period (with --to).")
@click.option("--to", "year_to", type=int, default=None, help="Last year of the period.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    required=True,
    help="FILE.html (self-contained, charts inline), FILE.md (charts as PNG files beside it) or - (HTML on stdout).",
)
@click.pass_obj
@handle_errors
def report(
    obj: KbContext, subject: str, year: int | None, year_from: int | None, year_to: int | None, out: Path
) -> None:
    """Write the subject's report: its provincial documents of the period as a table, and charts of its documents
    per year (the period's last year and the nine before), per province (all 31) and per sub-subject.

    \b
    Examples:
      kb report --year 2020 --subject 数据治理 --out report.html
      kb report --from 2016 --to 2020 --subject 数据安全与个人信息 --out 数据安全.md
      kb report --year 2020 --subject 数据治理 --out - > report.html
    """
    if year is not None and (year_from is not None or year_to is not None):
        raise click.UsageError("--year contradicts --from/--to; give either one year or a range")
    if year is None and (year_from is None or year_to is None):
        raise click.UsageError("give the report's period: --year 2020, or --from 2016 --to 2020")
    to_stdout = str(out) == "-"
    if not to_stdout and out.suffix.lower() not in (".html", ".htm", ".md"):
        raise click.BadParameter(f"{out}: expected a .html or .md file", param_hint="--out")
    subjects = check_subjects((subject,))
    from kb.report.document import build_report, render_html, write_report
    from kb.report.stats import load_documents
    from kb.topics.subjects import load_subjects

    years = (year, year) if year is not None else (year_from, year_to)
    assert years[0] is not None and years[1] is not None
    docs = load_documents(obj.home, DocFilter(subjects=subjects))
    result = build_report(docs, subject, (years[0], years[1]), load_subjects().children(subject))
    if to_stdout:  # HTML holds its charts inline, so one stream carries the whole report
        click.echo(render_html(result))
        click.echo(f"report written to stdout: {result.total} documents, {len(result.provincial)} provincial", err=True)
        return
    written = write_report(result, out)
    click.echo(f"report written to {written}: {result.total} documents, {len(result.provincial)} provincial")


COMMANDS = (list_cmd, stats, report)
