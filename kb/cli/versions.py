"""CLI versions: `kb diff` -> what changed in an article, or in a whole work, between two of its versions."""

from __future__ import annotations

from typing import Any

import click

from kb.cli.render import KbContext, emit_json, handle_errors, style, use_color
from kb.versions.records import ClauseDiff, DiffOp

_DAY = click.DateTime(formats=["%Y-%m-%d"])


@click.command()
@click.argument("ref", nargs=-1, required=True)
@click.option("--from", "since", type=_DAY, default=None, help="Compare from the version in force on this day.")
@click.option("--to", "until", type=_DAY, default=None, help="Compare to the version in force on this day.")
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
@click.pass_obj
@handle_errors
def diff(obj: KbContext, ref: tuple[str, ...], since: Any, until: Any, as_json: bool) -> None:
    """What changed between two versions of a work: in one article, character by character, or for a whole
    work the articles added, removed, renumbered and changed.

    Without --from/--to the latest version is compared with the one before it.

    \b
    Examples:
      kb diff "会计法 第四十二条"
      kb diff "公司法 第二十一条" --from 2019-01-01 --to 2024-07-01
      kb diff 会计法 --json
    """
    from kb.citations.lookup import CLAUSE_SUFFIX
    from kb.store.sqlite import Store
    from kb.versions.query import diff_clause, diff_work

    text = " ".join(ref)
    day_from = since.date() if since is not None else None
    day_to = until.date() if until is not None else None
    if day_from is not None and day_to is not None and day_from > day_to:
        raise click.UsageError(f"--from {day_from} is after --to {day_to}; give the earlier day to --from")
    names_clause = "#" in text or bool(CLAUSE_SUFFIX.search(text))
    with Store.open(obj.home) as store:
        if names_clause:
            entry = diff_clause(store, text, day_from, day_to)
            if as_json:
                emit_json(entry)
                return
            _print_entry(entry, color=use_color(), full=True)
            return
        work = diff_work(store, text, day_from, day_to)
    if as_json:
        emit_json(work)
        return
    counts = ", ".join(f"{count} {change}" for change, count in work.counts)
    click.echo(f"{work.title}: {work.old_date} [{work.old_doc}] → {work.new_date} [{work.new_doc}]")
    click.echo(f"  articles: {counts}")
    for entry in work.articles:
        _print_entry(entry, color=use_color(), full=False)


def _print_entry(entry: ClauseDiff, *, color: bool, full: bool) -> None:
    number = entry.number or entry.old_number or ""
    moved = f" (was {entry.old_number})" if entry.old_number else ""
    click.echo(f"{number}{moved}: {entry.change}  {entry.old_date} → {entry.new_date}")
    if entry.change in ("same",) or (not full and entry.change in ("added", "removed")):
        return
    click.echo("  " + _marked(entry.ops, color))


def _marked(ops: tuple[DiffOp, ...], color: bool) -> str:
    """Deleted text as [-…-] and inserted as {+…+} (red and green on a terminal), equal text as it is."""
    parts = []
    for op in ops:
        if op.old and op.op != "equal":
            parts.append(style(op.old, fg="red", strikethrough=True) if color else f"[-{op.old}-]")
        if op.new and op.op != "equal":
            parts.append(style(op.new, fg="green", bold=True) if color else f"{{+{op.new}+}}")
        if op.op == "equal":
            parts.append(op.old)
    return "".join(parts)


COMMANDS = (diff,)
