"""CLI search: `kb search QUERY` -> clause (or document) hits with highlighted snippets and facet counts."""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from kb.cli.render import YEAR, KbContext, emit_json, handle_errors, style, use_color
from kb.cli.report import check_subjects
from kb.models import DocFilter, DocType, Level, SearchHit, SearchResult, Status
from kb.normalize.width import display_width
from kb.search.doc_facets import DocFacetValues

FACET_LABELS = {"province": "省份", "year": "年份", "type": "类型"}
FACETS_SHOWN = 8  # values per facet printed on a terminal (JSON has them all)


@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("query", nargs=-1, type=click.UNPROCESSED)
@click.option("--province", help="Only this province (short name: 浙江, 广东; 浙江省 also works).")
@click.option("--city", help="Only this city (深圳, 杭州).")
@click.option("--year", type=YEAR, help="Only documents of this year (the version's year).")
@click.option("--from", "year_from", type=YEAR, help="Only documents of this year or later.")
@click.option("--to", "year_to", type=YEAR, help="Only documents of this year or earlier.")
@click.option("--level", type=click.Choice([lv.value for lv in Level]), help="Only this administrative level.")
@click.option("--type", "doc_type", type=click.Choice([t.value for t in DocType]), help="Only this kind of document.")
@click.option(
    "--topic",
    "topics",
    multiple=True,
    help="Only clauses tagged with this topic (e.g. 公共数据权属); repeat for any of several.",
)
@click.option(
    "--subject",
    "subjects",
    multiple=True,
    help="Only documents mainly about this subject (e.g. 数据治理); repeat for any of several.",
)
@click.option("--all", "match_all", is_flag=True, help="With repeated --topic/--subject: all of them, not any.")
@click.option(
    "--status",
    type=click.Choice([s.value for s in Status]),
    default=None,
    help="Only documents with this status (decided from the versions of each work; on --as-of's day).",
)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Only the versions in force on this day (YYYY-MM-DD), or with --status those with it then.",
)
@click.option("--docs", is_flag=True, help="List documents instead of clauses.")
@click.option("--limit", "-n", type=click.IntRange(min=0), default=10, show_default=True, help="Hits to show.")
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True,
              help="Order of hits: best match first, or newest first.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (highlights as offsets).")
@click.pass_obj
@handle_errors
def search(obj: KbContext, query: tuple[str, ...], province: str | None, city: str | None, year: int | None,
           year_from: int | None, year_to: int | None, level: str | None, doc_type: str | None,
           topics: tuple[str, ...], subjects: tuple[str, ...], match_all: bool, status: str | None, as_of: Any,
           docs: bool, limit: int, sort: str, as_json: bool) -> None:  # fmt: skip
    """Search clauses (or with --docs, documents) for words, phrases and field filters, or answer a question.

    Words must all occur (AND); each matches wherever its characters occur, so 据安全 finds 数据安全.
    Also: OR, NOT or -word, "an exact phrase", (grouping), and filters in the query itself:
    province:浙江 city:深圳 year:2020 year:2016..2020 level:provincial type:地方性法规 topic:公共数据权属
    title:数据安全法 (documents whose title or short title holds it).

    A question is answered by ranked retrieval instead: a query without quotes, OR, NOT, -word or parentheses
    is a question when it holds a question word (怎么办 如何 什么 吗 是否 能否 哪些 ？ ...) and has 8 or more
    characters; shorter ones with a question word, and one run of 8 or more characters without, are questions
    when they occur nowhere as typed. Its words (and their legal synonyms: 社保 ~ 社会保险) rank
    articles; not every word has to occur. Quote a text ("...") to match it exactly instead.

    \b
    Examples:
      kb search 公共数据 开放 --province 浙江
      kb search '"数据分类分级" OR 数据分级' --from 2020 --json
      kb search 数据安全法 --docs
      kb search 公共数据 -开放
      kb search 公司不给交社保怎么办
      kb search 个人信息 --as-of 2019-01-01 --type 法律
      kb search 授权运营 --subject 数据治理 --from 2020
    """
    if year is not None and (year_from is not None or year_to is not None):
        raise click.UsageError("--year contradicts --from/--to; give either one year or a range")
    text = " ".join(query).strip()
    filters = DocFilter(year=year, year_from=year_from, year_to=year_to, province=province, city=city,
                        level=Level(level) if level else None, doc_type=DocType(doc_type) if doc_type else None,
                        topics=tuple(dict.fromkeys(topics)), match_all=match_all,
                        subjects=check_subjects(subjects) if subjects else (),
                        status=Status(status) if status else None,
                        as_of=as_of.date() if as_of is not None else None)  # fmt: skip
    if not text and filters == DocFilter():
        raise click.UsageError("give words to search for, e.g. kb search 公共数据 开放 (see kb search --help)")
    from kb.search.engines import open_search_index

    live, counted_by, filters = _search_context(obj.home, filters)
    index = open_search_index(obj.home, live=live)
    index.set_document_facets(counted_by)
    result = index.search(text, filters=filters, docs=docs, limit=limit, sort=sort)
    if as_json:
        emit_json(result)
        return
    _print_result(result, docs, color=use_color())


def _search_context(
    home: Path, filters: DocFilter
) -> tuple[Mapping[str, str] | None, DocFacetValues | None, DocFilter]:
    """What the store tells a search: the document versions it may return (each document once; see
    kb.versions.query.searchable_versions), each document's status and subjects to count the results by, and the
    filters with subjects, status and day turned into documents (kb.search.scope). When there is no store, the
    index alone answers filters it can apply."""
    from kb.errors import StoreError
    from kb.search.scope import needs_store, scoped_filters
    from kb.store.sqlite import Store
    from kb.versions.query import searchable_versions

    try:
        with Store.open(home) as store:
            return searchable_versions(store), store.document_facets(), scoped_filters(store, filters)
    except StoreError:
        if needs_store(filters):
            raise
        return None, None, filters


def _print_result(result: SearchResult, docs: bool, *, color: bool) -> None:
    noun = "documents" if docs else "clauses"
    shown = f"; showing {len(result.hits)}" if result.total > len(result.hits) else ""
    how = ", ranked as a question (quote it to match exactly)" if result.mode == "question" else ""
    click.echo(f"{result.total} {noun}{shown} ({result.seconds * 1000:.0f} ms){how}")
    if result.total == 0 and result.word_hits:
        alone = ", ".join(f"{word}: {count}" for word, count in result.word_hits)
        missing = [word for word, count in result.word_hits if count == 0]
        why = f"no text holds {'、'.join(missing)}" if missing else "no text holds all the words together"
        click.echo(f"{why} (hits of each word alone: {alone})")
        if result.relaxed:
            click.echo(f"try: kb search {shlex.quote(result.relaxed)}")
    for rank, hit in enumerate(result.hits, 1):
        click.echo("")
        click.echo(f"{rank:>3}. {_heading(hit, color)}")
        click.echo(f"     {_marked(hit, color)}")
    facets = [(name, values) for name, values in result.facets if values]
    if facets:
        click.echo("")
    for name, values in facets:
        items = "  ".join(f"{value} {count}" for value, count in values[:FACETS_SHOWN])
        more = f"  …(+{len(values) - FACETS_SHOWN})" if len(values) > FACETS_SHOWN else ""
        label = FACET_LABELS.get(name, name)
        click.echo(f"{label}{' ' * max(1, 6 - display_width(label))}{items}{more}")


def _heading(hit: SearchHit, color: bool) -> str:
    title = hit.title or hit.doc_id
    where = " ".join(p for p in (title, hit.number) if p)
    about = " · ".join(str(p) for p in (hit.province, hit.doc_type, hit.year) if p)
    ref = f"{hit.doc_id}#{hit.clause_id}" if hit.clause_id else hit.doc_id
    if color:
        return f"{style(where, bold=True)}  {style(about, fg='cyan')}  {style(ref, dim=True)}"
    return f"{where}  {about}  [{ref}]"


def _marked(hit: SearchHit, color: bool) -> str:
    """The snippet with its highlights in bold yellow on a terminal (plain text in a pipe)."""
    if not color:
        return hit.snippet
    parts, last = [], 0
    for h in hit.highlights:
        parts.append(hit.snippet[last : h.start])
        parts.append(style(hit.snippet[h.start : h.end], fg="yellow", bold=True))
        last = h.end
    parts.append(hit.snippet[last:])
    return "".join(parts)


COMMANDS = (search,)
