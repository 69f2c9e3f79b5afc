"""Entry point for `python -m kb`: the same CLI as the `kb` command."""

from kb.cli import cli

cli()
