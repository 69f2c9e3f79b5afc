"""CLI rendering: records -> table, CSV, JSON or Markdown on stdout; shared output options and error handling."""

from __future__ import annotations

import csv
import errno
import functools
import io
import json
import os
import re
import secrets
import sqlite3
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from kb.errors import KbError
from kb.models import to_jsonable
from kb.normalize.width import display_width
from kb.schema import to_json

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = ("table", "csv", "json", "md")
# The click type of --year, --from and --to: a four-digit year (a huge number would overflow the store's filters).
YEAR = click.IntRange(1000, 9999)

# Characters a document may hold that a terminal would act on instead of showing: C0 controls but tab and newline
# (ESC starts "ESC ] 0;title BEL" and "ESC [2J"; CR overwrites the line), DEL, C1 controls (U+009B is a one-byte
# CSI) and the bidirectional overrides and isolates that reorder what is shown (U+202A-202E, U+2066-2069).
UNSAFE_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# A CSV cell a spreadsheet would read as a formula (=1+1, +cmd, -2+3, @SUM) or whose tab/CR leads to one.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# kb's own colours travel to the stream as this per-process mark instead of ESC, so the stream can tell them from an
# ESC a document holds: a document cannot contain a mark it cannot know. SafeStream turns the mark back into ESC.
STYLE_MARK = f"<kb-style-{secrets.token_hex(8)}>"


def style(text: str, **styles: Any) -> str:
    """``text`` in click's ``styles`` (fg, bold, dim) as kb's own colour, which :class:`SafeStream` lets through."""
    return click.style(text, **styles).replace("\x1b", STYLE_MARK)


def safe_text(text: str) -> str:
    """``text`` with every character a terminal would act on shown as a ``\\uXXXX`` escape (``\\u001b`` for ESC).

    The escape is also what JSON writes for those characters, so JSON output passed through stays exact.
    """
    return UNSAFE_CHARS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class SafeStream:
    """A text stream that writes through :func:`safe_text`: document text never drives the terminal.

    Installed over stdout and stderr by the `kb` group for every command; :func:`raw_stream` gives the stream
    below it to the progress bar, which draws with CR and cursor escapes of its own. kb's colours (:func:`style`)
    pass as colours.
    """

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(safe_text(text).replace(STYLE_MARK, "\x1b"))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    @property
    def raw(self) -> Any:
        return self._stream

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def raw_stream(stream: Any) -> Any:
    """The stream below a :class:`SafeStream` (for kb's own control sequences), or ``stream`` itself."""
    return stream.raw if isinstance(stream, SafeStream) else stream


def install_safe_streams(ctx: click.Context) -> None:
    """Route sys.stdout and sys.stderr through :class:`SafeStream` until the command ends."""
    saved = sys.stdout, sys.stderr
    if not isinstance(sys.stdout, SafeStream):
        sys.stdout = SafeStream(sys.stdout)
    if not isinstance(sys.stderr, SafeStream):
        sys.stderr = SafeStream(sys.stderr)

    def restore() -> None:
        sys.stdout, sys.stderr = saved

    ctx.call_on_close(restore)


@dataclass
class KbContext:
    """What the `kb` group passes to every command: the knowledge-base directory, the debug flag and the colour choice.

    ``color`` is None when neither --color nor --no-color was given: colour then follows :func:`use_color`'s rule.
    """

    home: Path
    debug: bool = False
    color: bool | None = None


def output_options(func: F) -> F:
    """Add ``--format table|csv|json|md``, ``--json`` (same as ``--format json``) and ``--bom`` to a command.

    The command receives ``fmt`` (the chosen format) and ``bom`` (write a UTF-8 BOM before CSV, for Excel).
    """

    @click.option("--format", "fmt", type=click.Choice(FORMATS), default=None, help="Output format (default: table).")
    @click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
    @click.option("--bom", is_flag=True, help="Start CSV output with a UTF-8 BOM so Excel reads it as UTF-8.")
    @functools.wraps(func)
    def wrapper(*args: Any, fmt: str | None, as_json: bool, **kwargs: Any) -> Any:
        if as_json and fmt not in (None, "json"):
            raise click.UsageError(f"--json and --format {fmt} contradict each other; use one of them")
        return func(*args, fmt="json" if as_json else (fmt or "table"), **kwargs)

    return wrapper  # type: ignore[return-value]


def handle_errors(func: F) -> F:
    """Turn a KbError into click's exit-1 error with the error's message; --debug re-raises with the traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except KbError as exc:
            ctx = click.get_current_context(silent=True)
            if ctx is not None and isinstance(ctx.obj, KbContext) and ctx.obj.debug:
                raise
            raise click.ClickException(str(exc)) from exc
        except (OSError, sqlite3.OperationalError) as exc:
            message = out_of_space(exc)
            if message is None:
                raise
            raise click.ClickException(message) from exc

    return wrapper  # type: ignore[return-value]


# The errors of a write the file system refuses for lack of room: no space, a file past its size limit, a quota.
NO_ROOM = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT})


def out_of_space(exc: BaseException) -> str | None:
    """The message for a write refused for lack of room (disk full, quota, file size limit), else None. What was
    committed before stays: the store commits whole batches and the index gains versions before the store does, so
    the next `kb ingest` finishes the work."""
    if isinstance(exc, OSError) and exc.errno in NO_ROOM:
        where = f" writing {exc.filename}" if exc.filename else ""
        reason = exc.strerror or "no space left"
    elif isinstance(exc, sqlite3.OperationalError) and "full" in str(exc).lower():
        where, reason = " writing the store", str(exc)
    else:
        return None
    return (f"out of room{where}: {reason}. The knowledge base keeps what was committed before; free some space "
            "and run the command again (`kb ingest` goes on where this one stopped)")  # fmt: skip


def emit_json(value: Any, *, lines: bool = False) -> None:
    """Print records as JSON (UTF-8, not escaped); with ``lines``, one object per line."""
    if lines and isinstance(value, (list, tuple)):
        for item in value:
            click.echo(json.dumps(to_json(item), ensure_ascii=False))
        return
    click.echo(json.dumps(to_json(value), ensure_ascii=False, indent=2))


def csv_cell(text: str) -> str:
    """A CSV cell a spreadsheet shows as text: one starting a formula gets a leading ``'`` (OWASP's advice)."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _cell(value: Any) -> str:
    value = to_jsonable(value)
    if value is None:
        return ""
    if isinstance(value, list):
        return "、".join(_cell(v) for v in value)
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".")
    return str(value)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def _truncate(text: str, width: int) -> str:
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = display_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def format_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], headers: Mapping[str, str] | None = None,
                 max_width: int = 60) -> str:  # fmt: skip
    """A plain-text table aligned for CJK text; long cells are cut to ``max_width`` columns."""
    heads = [(headers or {}).get(c, c) for c in columns]
    body = [[_truncate(_cell(row.get(c)), max_width) for c in columns] for row in rows]
    widths = [max([display_width(h)] + [display_width(r[i]) for r in body]) for i, h in enumerate(heads)]
    lines = ["  ".join(_pad(h, w) for h, w in zip(heads, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend("  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in body)
    return "\n".join(lines)


def format_markdown(rows: Sequence[Mapping[str, Any]], columns: Sequence[str],
                    headers: Mapping[str, str] | None = None) -> str:  # fmt: skip
    """A GitHub-flavoured Markdown table."""
    heads = [(headers or {}).get(c, c) for c in columns]
    lines = ["| " + " | ".join(heads) + " |", "| " + " | ".join("---" for _ in heads) + " |"]
    for row in rows:
        cells = [_cell(row.get(c)).replace("|", "\\|").replace("\n", " ") for c in columns]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def format_csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], *, bom: bool = False) -> str:
    """CSV with a header row of the column names; a BOM first when asked."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_value(row.get(c)) for c in columns])
    return ("\ufeff" if bom else "") + buf.getvalue()


def _csv_value(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _cell(value)  # a negative number is a number, not a formula
    return csv_cell(_cell(value))


def emit(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], fmt: str, *, bom: bool = False,
         headers: Mapping[str, str] | None = None) -> None:  # fmt: skip
    """Print ``rows`` (mappings of column -> value) in ``fmt``: table, csv, json (a list of objects) or md."""
    if fmt == "json":
        emit_json([{c: row.get(c) for c in columns} for row in rows])
    elif fmt == "csv":
        sys.stdout.write(format_csv(rows, columns, bom=bom))
        sys.stdout.flush()
    elif fmt == "md":
        click.echo(format_markdown(rows, columns, headers))
    else:
        click.echo(format_table(rows, columns, headers))


def is_terminal() -> bool:
    """True when stdout is a terminal (progress bars), False in pipes."""
    return sys.stdout.isatty()


def use_color() -> bool:
    """Whether to colour highlights: --color/--no-color when given, else off when NO_COLOR is set, else on a terminal.

    NO_COLOR follows https://no-color.org: any non-empty value turns colour off.
    """
    ctx = click.get_current_context(silent=True)
    chosen = ctx.find_object(KbContext) if ctx is not None else None
    if chosen is not None and chosen.color is not None:
        return chosen.color
    if os.environ.get("NO_COLOR"):
        return False
    return is_terminal()
