"""CLI: the `kb` click group; each command parses options, makes one library call and renders the result.

Command modules import the library lazily inside the command, so `kb search` never pays for pdfplumber or spaCy,
and the group imports a command's module only when that command runs (or help lists it), so `kb search` does not
load the modules of trace, report or serve either.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any

import click

from kb.cli.render import KbContext, install_safe_streams

# Each command and the module of kb/cli defining it (in its COMMANDS; tests/test_cli_core.py checks they agree).
COMMAND_MODULES = {
    "ingest": "core", "extract": "core", "show": "core", "status": "core",
    "search": "search",
    "list": "report", "stats": "report", "report": "report",
    "serve": "serve",
    "trace": "trace", "compare": "trace", "graph": "trace",
    "diff": "versions",
}  # fmt: skip


class KbGroup(click.Group):
    """The `kb` group: loads a command's module when it is asked for; a reader that closes the pipe early
    (`kb list | head`) ends the command quietly, exit 0."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMAND_MODULES, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            module = importlib.import_module(f"kb.cli.{COMMAND_MODULES[cmd_name]}")
            for command in module.COMMANDS:
                self.add_command(command)
        return self.commands.get(cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
            return result
        except BrokenPipeError:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.__stdout__.fileno() if sys.__stdout__ else 1)  # nothing left to flush at exit
            ctx.exit(0)


@click.group(cls=KbGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Knowledge-base directory (default: $KB_HOME, else ./indexes).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.option(
    "--color/--no-color",
    default=None,
    help="Colour the matched words (default: on a terminal, unless NO_COLOR is set).",
)
@click.version_option(package_name="kb")
@click.pass_context
def cli(ctx: click.Context, home: Path | None, debug: bool, color: bool | None) -> None:
    """kb: search, trace and count Chinese policy documents and regulations.

    \b
    Example:
      kb ingest ../shared/corpus/lawrefbook
      kb search '公共数据 开放' --province 浙江
      kb show 数据安全法 第二十一条
    """
    if home is None:
        home = Path(os.environ["KB_HOME"]) if os.environ.get("KB_HOME") else Path("indexes")
    ctx.obj = KbContext(home=home, debug=debug, color=color)
    if color is not None:
        ctx.color = color  # click.echo keeps (or strips) the styles by this, terminal or not
    install_safe_streams(ctx)  # control characters in document text are shown escaped, never acted on
