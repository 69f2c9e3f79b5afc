"""CLI trace commands: `kb trace` (citations, cited-by, same topic, similar text) and `kb graph export`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kb.cli.render import KbContext, emit, emit_json, handle_errors, output_options
from kb.models import DocFilter, Level, to_jsonable

if TYPE_CHECKING:
    from kb.graph.trace import TraceResult
    from kb.search.interface import SearchIndex

# The relations `kb trace --relation` accepts (kb.graph.trace.RELATIONS; repeated here so --help needs no import).
RELATION_CHOICES = ("cites", "cited-by", "topic", "similar")
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
    "topic": "Same topics in other jurisdictions",
    "similar": "Similar text",
}


def _print_trace(result: TraceResult) -> None:
    head = " ".join(p for p in (result.title, result.number) if p)
    click.echo(f"{head}   [{result.ref}]")
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
                f"{indent}{tag}{label}" + (f"  ({where})" if where else "") + (f"  [{item.ref}]" if item.ref else "")
            )
            click.echo(f"{indent}  {item.reason}")
            if item.text:
                click.echo(f"{indent}  » {item.text.replace(chr(10), ' ')[:100]}")


def _rows(result: TraceResult) -> list[dict[str, Any]]:
    return [
        {"group": group.relation, **{c: getattr(item, c) for c in ITEM_COLUMNS if c != "group"}}
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
@click.option("--year", type=int, default=None, help="Only documents of this year (the version's year).")
@click.option("--level", type=click.Choice([v.value for v in Level]), default=None, help="Only this issuing level.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Items per group.")
@click.option("--unresolved", is_flag=True, help="List the cited titles the knowledge base lacks, most cited first.")
@output_options
@click.pass_obj
@handle_errors
def trace(obj: KbContext, ref: tuple[str, ...], depth: int, relations: tuple[str, ...], province: str | None,
          year: int | None, level: str | None, limit: int, unresolved: bool, fmt: str, bom: bool) -> None:  # fmt: skip
    """Trace a clause or document: what it cites, what cites it, the same topics elsewhere, similar text.

    REF is DOC_ID, DOC_ID#CLAUSE_ID, or a title with an optional clause. Every item shows why it is there (the
    citing words, the shared topic terms) and an ID to pass back to `kb show` or `kb trace`. --province, --year
    and --level filter the documents shown (citing ones, other jurisdictions, similar ones). With --unresolved,
    list the titles cited most often that no document of the knowledge base has (no REF then).

    \b
    Examples:
      kb trace 数据安全法 第二十一条
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
                           relations=relations or RELATION_CHOICES, filters=filters, limit=limit)  # fmt: skip
    if fmt == "json":
        emit_json(result)
    elif fmt == "table":
        _print_trace(result)
    else:
        emit(_rows(result), ITEM_COLUMNS, fmt, bom=bom)


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
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(GRAPH_FORMATS), default=None,
              help="graphml (Gephi, Cytoscape), gexf (Gephi) or json (node-link, for scripts); default: the "
                   "file's suffix, else graphml.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
@click.pass_obj
@handle_errors
def export(obj: KbContext, file: Path, fmt: str | None, as_json: bool) -> None:
    """Write the citation and topic graph to FILE for Gephi, Cytoscape or scripts.

    Nodes are documents, clauses and topics (attribute ``kind``); edges carry a ``relation``: contains, cites,
    basis, amends, repeals or about. The graph holds the clauses that cite, are cited or carry a topic.

    \b
    Examples:
      kb graph export kb.graphml
      kb graph export kb.gexf
      kb graph export graph.json --format json
    """
    from kb.graph.build import current_graph, export_graph, summarise
    from kb.store.sqlite import Store

    if fmt is None:
        suffix = file.suffix.lower().lstrip(".")
        fmt = suffix if suffix in GRAPH_FORMATS else "graphml"
    with Store.open(obj.home) as store:
        graph_data = current_graph(obj.home, store)
    written = export_graph(graph_data, file, fmt)
    counts = summarise(graph_data)
    if as_json:
        emit_json({"file": str(written), "format": fmt, "nodes": dict(counts.nodes), "edges": dict(counts.edges)})
        return
    nodes = ", ".join(f"{n} {k}" for k, n in counts.nodes)
    edges = ", ".join(f"{n} {k}" for k, n in counts.edges)
    click.echo(f"wrote {written} ({fmt}): nodes {nodes}; edges {edges}")


COMMANDS = (trace, graph)
