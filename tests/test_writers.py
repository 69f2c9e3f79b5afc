"""One writer at a time, no code from data, safe exports: real `kb` processes on one home, planted files."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

from kb.cli.render import csv_cell, format_csv, safe_text
from kb.errors import HomeBusy
from kb.graph.build import export_graph, new_graph
from kb.pipeline import index_gaps, ingest
from kb.search import safe_pickle
from kb.store.files import atomic_path, write_text
from kb.store.lock import holder, home_lock
from kb.store.sqlite import Store
from tests.conftest import ROOT, corpus_file

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
# Two folders of real laws, with citations between them (the Criminal Law's amendments cite the Criminal Law).
FOLDER_A = ("刑法",)
FOLDER_B = ("宪法",)


def kb(*args: str, **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "kb", *args], env=ENV, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, **kwargs)  # type: ignore[call-overload]  # fmt: skip


def _copy(tmp: Path, name: str, folders: tuple[str, ...]) -> Path:
    out = tmp / name
    for folder in folders:
        shutil.copytree(corpus_file(folder), out / folder)
    return out


def _state(home: Path) -> dict[str, object]:
    """What a knowledge base holds, independent of the order it was built in."""
    with Store.open(home) as store:
        docs = sorted((s.id, s.title) for s in store.summaries())
        cites = sorted((c.doc_id, c.clause_id or "", c.text, c.target_doc or "", c.target_clause or "")
                       for c in store.citations())  # fmt: skip
        live = store.live_versions()
    return {"docs": docs, "citations": cites, "live": live, "gaps": index_gaps(home)}


@pytest.mark.parametrize("same_folders", [True, False], ids=["same-folders", "different-folders"])
def test_two_real_ingests_on_one_home_equal_one_after_the_other(tmp_path: Path, same_folders: bool) -> None:
    a = _copy(tmp_path, "a", FOLDER_A)
    b = a if same_folders else _copy(tmp_path, "b", FOLDER_B)
    home = tmp_path / "together"
    first = kb("--home", str(home), "ingest", str(a), "--jobs", "1")
    second = kb("--home", str(home), "ingest", str(b), "--jobs", "1")
    for process in (first, second):
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    apart = tmp_path / "apart"
    ingest([a], apart, jobs=1)
    ingest([b], apart, jobs=1)
    together, sequential = _state(home), _state(apart)
    assert together["gaps"] == () and sequential["gaps"] == ()
    assert together == sequential
    assert len(together["docs"]) >= 10  # type: ignore[arg-type]


_HOLD = textwrap.dedent("""
    import sys, time
    from kb.store.lock import home_lock
    with home_lock(sys.argv[1], command="kb ingest held-by-test"):
        print("held", flush=True)
        time.sleep(float(sys.argv[2]))
""")


def _hold(home: Path, seconds: float) -> subprocess.Popen[str]:
    process = subprocess.Popen([sys.executable, "-c", _HOLD, str(home), str(seconds)], env=ENV, text=True,
                               stdout=subprocess.PIPE)  # fmt: skip
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    return process


def test_second_writer_with_no_wait_exits_1_naming_the_holder(tmp_path: Path) -> None:
    home = tmp_path / "kb"
    holder_process = _hold(home, 60)
    try:
        run = kb("--home", str(home), "ingest", str(corpus_file("宪法")), "--no-wait")
        _, err = run.communicate(timeout=60)
        assert run.returncode == 1
        assert f"pid {holder_process.pid}" in err and "kb ingest held-by-test" in err and "since" in err
    finally:
        holder_process.kill()
        holder_process.wait()


def test_second_writer_waits_with_a_message_then_runs(tmp_path: Path) -> None:
    home = tmp_path / "kb"
    holder_process = _hold(home, 3)
    run = kb("--home", str(home), "ingest", str(corpus_file("宪法")), "--jobs", "1")
    out, err = run.communicate(timeout=300)
    holder_process.wait()
    assert run.returncode == 0, err
    assert f"waiting for pid {holder_process.pid}" in err
    assert " added" in out


def test_lock_dies_with_a_killed_holder(tmp_path: Path) -> None:
    home = tmp_path / "kb"
    holder_process = _hold(home, 60)
    assert holder(home) is not None and holder(home).pid == holder_process.pid  # type: ignore[union-attr]
    holder_process.send_signal(signal.SIGKILL)
    holder_process.wait()
    with home_lock(home, wait=False):  # no stale lock after a crash
        pass
    assert holder(home) is None


def test_readers_never_wait_for_a_writer(tmp_path: Path) -> None:
    home = tmp_path / "kb"
    ingest([corpus_file("宪法")], home, jobs=1)
    holder_process = _hold(home, 120)
    try:
        for args in (["status"], ["search", "宪法"], ["graph", "export", str(tmp_path / "g.graphml")]):
            run = kb("--home", str(home), *args)
            _, err = run.communicate(timeout=60)  # a reader that waited for the holder would time out here
            assert run.returncode == 0, (args, err)
        with pytest.raises(HomeBusy, match=f"pid {holder_process.pid}"):
            ingest([corpus_file("宪法")], home, wait=False)
    finally:
        holder_process.kill()
        holder_process.wait()


def test_planted_graph_pickle_never_runs(tmp_path: Path) -> None:
    home = tmp_path / "kb"
    ingest([corpus_file("宪法")], home, jobs=1)
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, (f"touch {marker}",))

    import pickle

    (home / "graph.pickle").write_bytes(pickle.dumps(Payload()))
    (home / "graph.json").unlink(missing_ok=True)
    run = kb("--home", str(home), "graph", "export", str(tmp_path / "g.gexf"))
    _, err = run.communicate(timeout=120)
    assert run.returncode == 0, err
    assert not marker.exists()
    assert not (home / "graph.pickle").exists()  # the plain-data graph replaced it
    assert json.loads((home / "graph.json").read_text(encoding="utf-8"))["graph"]["kb_graph_version"] >= 2


def test_planted_index_pickle_never_runs(tmp_path: Path) -> None:
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, (f"touch {marker}",))

    import pickle

    with pytest.raises(safe_pickle.UnsafeIndexData, match=r"(posix|os)\.system"):
        safe_pickle.loads(pickle.dumps(Payload()))
    assert not marker.exists()
    plain = {"a": (1, 2.0, b"x", frozenset({3}))}
    assert safe_pickle.loads(pickle.dumps(plain)) == plain


def test_planted_index_toc_gives_a_message_not_a_command(tmp_path: Path) -> None:
    home = tmp_path / "kb"
    ingest([corpus_file("宪法")], home, jobs=1)
    marker = tmp_path / "ran"
    toc = next((home / "index").glob("_MAIN_*.toc"))
    import pickle

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, (f"touch {marker}",))

    data = toc.read_bytes()
    # Whoosh's TOC holds the pickled schema after a header: plant a payload pickle in its place.
    start = data.index(b"\x80")
    toc.write_bytes(data[:start] + pickle.dumps(Payload()) + data[start:])
    run = kb("--home", str(home), "search", "宪法")
    _, err = run.communicate(timeout=60)
    assert not marker.exists()
    assert run.returncode == 1 and "Traceback" not in err


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"),
     ("\r=1", "'\r=1"), ("数据安全法", "数据安全法"), ("a=b", "a=b")],
)  # fmt: skip
def test_csv_cells_that_start_a_formula_are_escaped(cell: str, expected: str) -> None:
    assert csv_cell(cell) == expected


def test_csv_keeps_negative_numbers_as_numbers() -> None:
    out = format_csv([{"title": '=HYPERLINK("x")', "count": -3}], ["title", "count"])
    assert out.splitlines()[1] == '"\'=HYPERLINK(""x"")",-3'


HOSTILE_TITLES = ("\x1b]0;pwned\x07标题", "a\x00b\x01c\x0bd", "\ufffe\uffff", "<&>\"'", "=cmd|' /C calc'!A0",
                  "\x7f\x9b2J")  # fmt: skip


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graph_exports_are_valid_xml_over_hostile_titles(tmp_path: Path, fmt: str) -> None:
    graph = new_graph()
    for i, title in enumerate(HOSTILE_TITLES):
        graph.add_node(f"doc:{i}", kind="document", title=title)
        graph.add_node(f"topic:{title}", kind="topic", name=title)
        graph.add_edge(f"doc:{i}", f"topic:{title}", key="about", relation="about", terms=title)
    out = export_graph(graph, tmp_path / f"g.{fmt}", fmt)
    ET.parse(out)  # valid XML
    back = nx.read_graphml(out) if fmt == "graphml" else nx.read_gexf(out)
    assert back.number_of_nodes() == graph.number_of_nodes()
    assert back.number_of_edges() == graph.number_of_edges()
    labels = {data.get("label") for _, data in back.nodes(data=True)}
    assert "\x1b]0;pwned\x07标题".replace("\x07", "").replace("\x1b", "") in labels


def test_interrupted_write_leaves_the_old_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "out.graphml"
    write_text(target, "old")
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as tmp:
        tmp.write_text("half of the new", encoding="utf-8")
        raise KeyboardInterrupt
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.graphml"]


def test_killed_export_leaves_no_partial_file(tmp_path: Path) -> None:
    script = textwrap.dedent("""
        import os, sys, signal
        from kb.store.files import atomic_open
        with atomic_open(sys.argv[1]) as f:
            f.write("x" * 100000)
            f.flush()
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    target = tmp_path / "export.gexf"
    subprocess.run([sys.executable, "-c", script, str(target)], env=ENV, check=False, timeout=60)
    assert not target.exists()


def test_escape_sequences_in_text_are_shown_escaped() -> None:
    assert safe_text("\x1b]0;title\x07 \x1b[2J\u202e") == "\\u001b]0;title\\u0007 \\u001b[2J\\u202e"
    assert safe_text("第一条\t正文\n") == "第一条\t正文\n"


def test_status_reports_index_gaps_and_the_next_ingest_repairs_them(tmp_path: Path) -> None:
    from kb.search.engines import open_search_index

    home = tmp_path / "kb"
    folder = _copy(tmp_path, "a", FOLDER_B)
    ingest([folder], home, jobs=1)
    with Store.open(home) as store:
        live = store.live_versions()
    lost = sorted(live)[0]
    open_search_index(home).remove_stale({d: v for d, v in live.items() if d != lost})  # a store/index split
    assert index_gaps(home) == (lost,)
    run = kb("--home", str(home), "status")
    out, _ = run.communicate(timeout=60)
    assert "1 stored document(s) missing from the search index" in out and lost in out
    report = ingest([folder], home, jobs=1)
    assert report.unchanged == len(live)
    assert index_gaps(home) == ()


def test_workers_die_with_their_parent(tmp_path: Path) -> None:
    script = textwrap.dedent("""
        import sys, time
        from kb.pipeline.limits import Limits, run_bounded
        def work(path):
            time.sleep(600)
        for _ in run_bounded(["a", "b"], work, 2, Limits(timeout=600)):
            pass
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], env=ENV)
    deadline = time.monotonic() + 60
    children: list[int] = []
    while time.monotonic() < deadline and len(children) < 2:
        children = _children(parent.pid)
        time.sleep(0.1)
    assert len(children) == 2
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in children):
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in children)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
