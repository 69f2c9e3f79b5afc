"""The output conventions every `kb` command keeps: `-` is stdout, a closed pipe ends quietly, colour on demand."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from kb.cli import cli

HIGHLIGHT = "\x1b["


def kb(home: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--home", str(home), *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def test_graph_export_dash_writes_the_graph_to_stdout_and_the_summary_to_stderr(web_home: Path) -> None:
    code, out, err = kb(web_home, "graph", "export", "-", "--format", "json", "--documents")
    assert code == 0, err
    data = json.loads(out)  # stdout is the graph alone
    assert len(data["nodes"]) == 6 and data["links"]
    assert "wrote stdout (json)" in err
    assert not Path("-").exists()


def test_graph_export_dash_graphml_reads_back(web_home: Path, tmp_path: Path) -> None:
    code, out, err = kb(web_home, "graph", "export", "-", "--format", "graphml")
    assert code == 0, err
    path = tmp_path / "g.graphml"
    path.write_text(out, encoding="utf-8")
    graph = nx.read_graphml(path)
    file_code, _, _ = kb(web_home, "graph", "export", str(tmp_path / "f.graphml"))
    assert file_code == 0
    from_file = nx.read_graphml(tmp_path / "f.graphml")
    assert graph.number_of_nodes() == from_file.number_of_nodes() > 0
    assert graph.number_of_edges() == from_file.number_of_edges()


def test_graph_export_dash_with_json_summary_is_a_usage_error(web_home: Path) -> None:
    code, _, err = kb(web_home, "graph", "export", "-", "--json")
    assert code == 2 and "drop one" in err


def test_report_out_dash_writes_html_to_stdout(web_home: Path) -> None:
    code, out, err = kb(web_home, "report", "--year", "2021", "--subject", "数据安全与个人信息", "--out", "-")
    assert code == 0, err
    assert out.lstrip().lower().startswith("<!doctype html")
    assert "report written to stdout" in err


def test_stats_plot_dash_is_refused_with_the_reason(web_home: Path) -> None:
    code, _, err = kb(web_home, "stats", "--by", "year", "--plot", "-")
    assert code == 2 and "stdout carries the counts" in err


@pytest.mark.parametrize(
    ("flags", "env", "coloured"),
    [
        ((), {}, False),  # CliRunner's stdout is not a terminal
        (("--color",), {}, True),
        (("--color",), {"NO_COLOR": "1"}, True),  # the flag wins over the environment
        (("--no-color",), {}, False),
    ],
)
def test_color_flags(web_home: Path, flags: tuple[str, ...], env: dict[str, str], coloured: bool) -> None:
    code, out, err = kb(web_home, *flags, "search", "数据安全", "-n", "2", env=env)
    assert code == 0, err
    assert (HIGHLIGHT in out) is coloured


def test_no_color_turns_colour_off_on_a_terminal(web_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kb.cli import render

    monkeypatch.setattr(render, "is_terminal", lambda: True)
    assert HIGHLIGHT in kb(web_home, "search", "数据安全", "-n", "2")[1]
    assert HIGHLIGHT not in kb(web_home, "search", "数据安全", "-n", "2", env={"NO_COLOR": "1"})[1]
    assert HIGHLIGHT in kb(web_home, "search", "数据安全", "-n", "2", env={"NO_COLOR": ""})[1]  # empty: not set


@pytest.mark.parametrize("args", [("list", "--format", "csv"), ("search", "数据", "-n", "200", "--json")])
def test_a_closed_pipe_ends_the_command_with_exit_0_and_no_traceback(web_home: Path, args: tuple[str, ...]) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from kb.cli import cli; cli()", "--home", str(web_home), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()  # the reader takes one line and goes away, as `| head -1` does
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8", "replace")
    assert proc.wait(timeout=120) == 0, err
    assert "Traceback" not in err and "BrokenPipe" not in err


def test_kb_colours_pass_the_safe_stream_and_a_documents_escapes_do_not() -> None:
    import io

    from kb.cli.render import SafeStream, style

    below = io.StringIO()
    SafeStream(below).write(style("数据安全", bold=True) + "\x1b]0;pwned\x07\x1b[8m")
    written = below.getvalue()
    assert written.startswith("\x1b[1m数据安全\x1b[0m")  # kb's bold is a real escape
    assert written.endswith("\\u001b]0;pwned\\u0007\\u001b[8m")  # the document's are shown, not acted on
