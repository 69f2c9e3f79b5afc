"""CLI trace commands: `kb trace` (citations, 上位法/下位法, topics, similar text), `kb compare`, `kb graph export`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kb.cli.render import YEAR, KbContext, emit, emit_json, handle_errors, output_options, raw_stream, style, use_color
from kb.models import DocFilter, Level, to_jsonable

if TYPE_CHECKING:
    from kb.graph.trace import TraceResult
    from kb.search.interface import SearchIndex

# The relations `kb trace --relation` accepts (kb.graph.trace.RELATIONS; repeated here so --help needs no import).
RELATION_CHOICES = ("cites", "cited-by", "implements", "implemented-by", "topic", "similar")
GRAPH_FORMATS = ("graphml", "gexf", "json")
ITEM_COLUMNS = (
    "group",
    "ref",
    "doc_id",
    "clause_id",
    "title",
    "number",
    "relation",
    "reason",
    "province",
    "year",
    "level",
    "depth",
)
UNRESOLVED_COLUMNS = ("count", "documents", "title", "example")
GROUP_HEADINGS = {
    "cites": "Cites",
    "cited-by": "Cited by",
    "implements": "Implements (上位法)",
    "implemented-by": "Implemented by (下位法)",
    "topic": "Same topics elsewhere",
    "similar": "Similar text",
}
COMPARE_COLUMNS = ("province", "id", "title", "number", "year", "level", "added", "omitted", "reason")


def _print_trace(result: TraceResult) -> None:
    head = " ".join(p for p in (result.title, result.number) if p)
    click.echo(f"{head}   [{result.id}]")
    if result.text:
        click.echo(f"  {result.text.replace(chr(10), ' ')}")
    if result.topics:
        click.echo("  topics: " + "、".join(result.topics))
    for group in result.groups:
        shown = f"{len(group.items)} of {group.total}" if group.total > len(group.items) else str(group.total)
        click.echo("")
        click.echo(f"{GROUP_HEADINGS.get(group.relation, group.relation)} ({shown})")
        if group.note:
            click.echo(f"  {group.note}")
        for item in group.items:
            indent = "  " * item.depth
            label = " ".join(p for p in (item.title, item.number) if p) or "?"
            where = " ".join(str(p) for p in (item.province, item.year) if p)
            tag = f"[{item.relation}] " if group.relation == "cites" and item.relation != "cites" else ""
            click.echo(
                f"{indent}{tag}{label}" + (f"  ({where})" if where else "") + (f"  [{item.id}]" if item.id else "")
            )
            click.echo(f"{indent}  {item.reason}")
            if item.text:
                click.echo(f"{indent}  » {item.text.replace(chr(10), ' ')[:100]}")


def _rows(result: TraceResult) -> list[dict[str, Any]]:
    return [
        {
            "group": group.relation,
            "ref": item.id,
            **{c: getattr(item, c) for c in ITEM_COLUMNS if c not in ("group", "ref")},
        }
        for group in result.groups
        for item in group.items
    ]


@click.command()
@click.argument("ref", nargs=-1)
@click.option("--depth", type=click.IntRange(1, 5), default=1, show_default=True,
              help="Follow citations this many steps (cites of cites, citers of citers).")  # fmt: skip
@click.option("--relation", "relations", multiple=True, type=click.Choice(RELATION_CHOICES),
              help="Show only this group; repeat for several (default: all four).")  # fmt: skip
@click.option("--province", default=None, help="Only documents of this province (浙江, 浙江省; 全国 for national).")
@click.option("--year", type=YEAR, default=None, help="Only documents of this year (the version's year).")
@click.option("--level", type=click.Choice([v.value for v in Level]), default=None, help="Only this issuing level.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Items per group.")
@click.option("--per-doc", type=click.IntRange(min=0), default=2, show_default=True,
              help="Items of one document per group (implements, implemented-by, topic, similar); 0: no cap.",
              )  # fmt: skip
@click.option("--own-document", is_flag=True, help="Let the source's own document into the topic and similar groups.")
@click.option("--unresolved", is_flag=True, help="List the cited titles the knowledge base lacks, most cited first.")
@output_options
@click.pass_obj
@handle_errors
def trace(obj: KbContext, ref: tuple[str, ...], depth: int, relations: tuple[str, ...], province: str | None,
          year: int | None, level: str | None, limit: int, per_doc: int, own_document: bool, unresolved: bool,
          fmt: str, bom: bool) -> None:  # fmt: skip
    """Trace a clause or document: what it cites, what cites it, 上位法 and 下位法, same topics, similar text.

    REF is DOC_ID, DOC_ID#CLAUSE_ID, or a title with an optional clause. Every item shows why it is there (the
    citing words, the basis clause and shared wording, the shared topic terms) and an ID to pass back to `kb show`
    or `kb trace`. implements lists the higher-ranking provisions a clause implements, implemented-by the
    lower-ranking clauses implementing it (by a citation of the article, by the law named as basis plus shared
    wording, or by shared wording alone). --province, --year and --level filter the documents shown. For a
    whole document, similar lists the documents like it. With --unresolved, list the titles cited most often
    that no document of the knowledge base has (no REF then).

    \b
    Examples:
      kb trace 数据安全法 第二十一条
      kb trace 数据安全法 第二十一条 --relation implemented-by
      kb trace 上海市数据条例 第二十七条 --relation implements
      kb trace '3f2a9c01b7de#chp_2__art_21' --relation cited-by --province 浙江
      kb trace 个人信息保护法 --relation cites --depth 2 --json
      kb trace --unresolved --limit 50
    """
    from kb.report.stats import normalise_filter
    from kb.store.sqlite import Store

    filters = None
    if province or year is not None or level:
        filters = normalise_filter(DocFilter(province=province, year=year, level=Level(level) if level else None))
    if unresolved:
        if ref:
            raise click.UsageError("--unresolved lists the whole knowledge base's unresolved titles; give no REF")
        from kb.graph.trace import unresolved_titles

        with Store.open(obj.home) as store:
            titles = unresolved_titles(store, limit=limit, filters=filters)
        if fmt == "json":
            emit_json(titles)
            return
        emit([to_jsonable(t) for t in titles], UNRESOLVED_COLUMNS, fmt, bom=bom)
        return
    if not ref:
        raise click.UsageError("give the clause or document to trace (REF), or --unresolved")
    from kb.citations.lookup import resolve_id
    from kb.graph.trace import trace as run_trace

    with Store.open(obj.home) as store:
        target = resolve_id(store, " ".join(ref))
        index = _open_index(obj.home)
        result = run_trace(store, index, target.doc_id, target.clause_id, depth=depth,
                           relations=relations or RELATION_CHOICES, filters=filters, limit=limit,
                           per_doc=per_doc or None, own=own_document)  # fmt: skip
    if fmt == "json":
        emit_json(result)
    elif fmt == "table":
        _print_trace(result)
    else:
        emit(_rows(result), ITEM_COLUMNS, fmt, bom=bom)


@click.command()
@click.argument("ref", nargs=-1, required=True)
@click.option("--province", default=None, help="Only documents of this province (浙江, 浙江省; 全国 for national).")
@click.option("--year", type=int, default=None, help="Only documents of this year (the version's year).")
@click.option("--level", type=click.Choice([v.value for v in Level]), default=None, help="Only this issuing level.")
@click.option("--per-doc", type=click.IntRange(min=0), default=2, show_default=True,
              help="Implementing clauses of one document; 0: no cap.")  # fmt: skip
@output_options
@click.pass_obj
@handle_errors
def compare(obj: KbContext, ref: tuple[str, ...], province: str | None, year: int | None, level: str | None,
            per_doc: int, fmt: str, bom: bool) -> None:  # fmt: skip
    """Provinces side by side: one row per province with its clauses implementing an article, and what differs.

    REF names an article as `kb trace` takes it. Each clause is compared with the national text: the table marks
    the words a province adds in [brackets] (bold on a terminal); --csv and --json list the added and omitted
    runs (--json also the clause cut into same/added segments).

    \b
    Examples:
      kb compare 数据安全法 第二十一条
      kb compare 个人信息保护法 第十三条 --csv > pipl13.csv
    """
    from kb.citations.lookup import resolve_id
    from kb.graph.compare import compare as run_compare
    from kb.report.stats import normalise_filter
    from kb.store.sqlite import Store

    filters = None
    if province or year is not None or level:
        filters = normalise_filter(DocFilter(province=province, year=year, level=Level(level) if level else None))
    with Store.open(obj.home) as store:
        target = resolve_id(store, " ".join(ref))
        index = _open_index(obj.home)
        result = run_compare(store, index, target.doc_id, target.clause_id, filters=filters, per_doc=per_doc or None)
    if fmt == "json":
        emit_json(result)
        return
    if fmt != "table":
        rows = [
            {"province": row.province, "id": c.id, "title": c.title, "number": c.number, "year": c.year,
             "level": c.level, "added": " … ".join(c.added), "omitted": " … ".join(c.omitted), "reason": c.reason}
            for row in result.rows
            for c in row.clauses
        ]  # fmt: skip
        emit(rows, COMPARE_COLUMNS, fmt, bom=bom)
        return
    _print_comparison(result)


def _print_comparison(result: Any) -> None:
    color = use_color()
    click.echo(f"{' '.join(p for p in (result.title, result.number) if p)}   [{result.id}]")
    click.echo(f"  {result.text.replace(chr(10), ' ')}")
    if not result.rows:
        click.echo("\nNo clause of a lower-ranking document is found implementing this article.")
    for row in result.rows:
        click.echo("")
        click.echo(f"{row.province} ({len(row.clauses)})")
        for c in row.clauses:
            where = " ".join(str(p) for p in (c.year, c.level) if p)
            click.echo(f"  {' '.join(p for p in (c.title, c.number) if p)}  ({where})  [{c.id}]")
            parts = []
            for seg in c.segments:
                text = seg.text.replace("\n", " ")
                if seg.kind == "added":
                    text = style(text, bold=True, fg="green") if color else f"[{text}]"
                parts.append(text)
            click.echo("    " + "".join(parts))
            if c.omitted:
                click.echo("    not taken up: " + " … ".join(c.omitted).replace("\n", " ")[:300])


def _open_index(home: Path) -> SearchIndex | None:
    """The search index, or None when it has not been built (the trace then says so)."""
    from kb.errors import IndexMissing

    try:
        from kb.search.interface import open_for_reading

        return open_for_reading(home)
    except IndexMissing:
        return None


@click.group()
def graph() -> None:
    """The citation and topic graph of the knowledge base (documents, clauses, topics and their links)."""


@graph.command("export")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(GRAPH_FORMATS), default=None,
              help="graphml (Gephi, Cytoscape), gexf (Gephi) or json (node-link, for scripts); default: the "
                   "file's suffix, else graphml.")  # fmt: skip
@click.option("--documents", is_flag=True, help="One node per document, citations summed into weighted edges.")
@click.option("--province", default=None, help="Only documents of this province (浙江; 全国 for national ones).")
@click.option("--level", type=click.Choice([v.value for v in Level]), default=None, help="Only this issuing level.")
@click.option("--topic", default=None, help="Only documents with a clause on this topic (数据安全).")
@click.option("--subject", default=None, help="Only documents of this subject, where documents carry subjects.")
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
@click.pass_obj
@handle_errors
def export(obj: KbContext, file: Path, fmt: str | None, documents: bool, province: str | None, level: str | None,
           topic: str | None, subject: str | None, as_json: bool) -> None:  # fmt: skip
    """Write the citation and topic graph to FILE (- for stdout) for Gephi, Cytoscape or scripts.

    Nodes are documents, clauses and topics (attribute ``kind``); edges carry a ``relation``: contains, cites,
    basis, amends, repeals or about. The graph holds the clauses that cite, are cited or carry a topic. Clause
    nodes carry their document's province, year, level and type, and a label such as 数据安全法 第二十一条第二款,
    so Gephi can colour and filter by them. With --documents, the graph is one node per document and one edge
    per citing -> cited pair with ``weight`` (citations) and ``basis`` (of them, 根据《X法》). --province, --level,
    --topic and --subject keep the documents matching (an edge when both ends are kept).

    \b
    Examples:
      kb graph export kb.graphml
      kb graph export kb.gexf --documents --province 浙江
      kb graph export data-security.gexf --topic 数据安全 --level provincial
      kb graph export graph.json --format json
      kb graph export - --format json --documents | jq '.links | length'
    """
    from kb.graph.build import current_graph, export_graph, render_graph, summarise
    from kb.graph.export import GraphFilter, clause_view, document_view
    from kb.report.stats import normalise_filter
    from kb.store.sqlite import Store

    to_stdout = str(file) == "-"
    if to_stdout and as_json:
        raise click.UsageError("--json prints what was written, but - writes the graph itself to stdout; drop one")
    if fmt is None:
        suffix = "" if to_stdout else file.suffix.lower().lstrip(".")
        fmt = suffix if suffix in GRAPH_FORMATS else "graphml"
    if province and province != "全国":
        province = normalise_filter(DocFilter(province=province)).province
    wanted = GraphFilter(province=province, level=level, topic=topic, subject=subject)
    with Store.open(obj.home) as store:
        graph_data = current_graph(obj.home, store)
    graph_data = document_view(graph_data, wanted) if documents else clause_view(graph_data, wanted)
    counts = summarise(graph_data)
    nodes = ", ".join(f"{n} {k}" for k, n in counts.nodes)
    edges = ", ".join(f"{n} {k}" for k, n in counts.edges)
    if to_stdout:  # the graph is the output; what was written goes to stderr, so a pipe reads the graph alone
        data = render_graph(graph_data, fmt)
        out = raw_stream(sys.stdout)
        out.flush()
        out.buffer.write(data)  # bytes as rendered: GraphML and GEXF declare their own encoding
        out.buffer.flush()
        click.echo(f"wrote stdout ({fmt}): nodes {nodes}; edges {edges}", err=True)
        return
    written = export_graph(graph_data, file, fmt)
    if as_json:
        emit_json({"file": str(written), "format": fmt, "nodes": dict(counts.nodes), "edges": dict(counts.edges)})
        return
    click.echo(f"wrote {written} ({fmt}): nodes {nodes}; edges {edges}")


COMMANDS = (trace, compare, graph)
