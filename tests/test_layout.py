"""The package's layout as a newcomer reads it: every module opens with what it does, stays under ~600 lines, and
the import graph has no cycles; front ends sit on top (no stage imports the CLI or the web), and Whoosh is
imported by the Whoosh backend's modules alone."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

KB = Path(__file__).resolve().parent.parent / "kb"
MAX_LINES = 620  # "under ~600": a module past this is split by what it does
FRONT_ENDS = ("kb.cli", "kb.web", "kb.__main__")
# The Whoosh engine: its index, segment writer, segment snapshot, schema and postings, and analyzers.
WHOOSH_BACKEND = {"kb.search.whoosh_index", "kb.search.whoosh_writer", "kb.search.snapshot", "kb.search.postings",
                  "kb.search.whoosh_analysis"}  # fmt: skip


def module_name(path: Path) -> str:
    parts = path.relative_to(KB.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(KB.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def top_level_imports(path: Path) -> set[str]:
    """Modules ``path`` imports when it is imported: module-level statements, not those inside functions (kb
    imports costly modules lazily there) or under ``if TYPE_CHECKING``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.If) and not _is_type_checking(node):
            pending.extend(node.body + node.orelse)
        elif isinstance(node, ast.Try):
            pending.extend(node.body + node.orelse + node.finalbody)
            for handler in node.handlers:
                pending.extend(handler.body)
    return found


def all_imports(path: Path) -> set[str]:
    """Every module ``path`` names in an import, wherever the statement is."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def import_graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    for name, path in MODULES.items():
        graph.add_node(name)
        for target in top_level_imports(path):
            if target in MODULES and target != name:
                graph.add_edge(name, target)
    return graph


def test_every_module_opens_with_what_it_does() -> None:
    sources = {name: path.read_text(encoding="utf-8") for name, path in MODULES.items()}
    missing = [name for name, source in sources.items() if source and not ast.get_docstring(ast.parse(source))]
    assert missing == []


def test_modules_stay_under_about_600_lines() -> None:
    long = {
        name: n
        for name, path in MODULES.items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_no_import_cycles() -> None:
    cycles = list(nx.simple_cycles(import_graph()))
    assert cycles == []


def test_the_graph_reads_what_it_should() -> None:
    """The checker sees real edges (a checker that found no imports would pass the cycle test vacuously)."""
    graph = import_graph()
    assert graph.has_edge("kb.pipeline.incremental", "kb.pipeline.process")
    assert graph.has_edge("kb.normalize.clean", "kb.normalize.dates")
    assert graph.number_of_edges() > 100


def test_no_stage_imports_a_front_end() -> None:
    offenders = sorted(
        (name, target)
        for name, path in MODULES.items()
        if not name.startswith(FRONT_ENDS)
        for target in all_imports(path)
        if target.startswith(FRONT_ENDS)
    )
    assert offenders == []


def test_whoosh_is_imported_by_its_backend_alone() -> None:
    users = {name for name, path in MODULES.items() if any(t.split(".")[0] == "whoosh" for t in all_imports(path))}
    assert users and users <= WHOOSH_BACKEND


def test_a_search_on_a_tantivy_home_loads_neither_whoosh_nor_numpy(tmp_path: Path) -> None:
    """The tantivy engine is the fast one for `kb search`: it must not pay for the Whoosh engine's imports, nor a
    province filter for spaCy's (the place names' short forms are a table)."""
    import subprocess
    import sys

    from kb.search.engines import open_search_index

    open_search_index(tmp_path, create=True, engine="tantivy")
    code = ("import sys\nfrom kb.cli import cli\n"
            f"cli(['--home', {str(tmp_path)!r}, 'search', '数据', '--province', '浙江省', '--json'],\n"
            "    standalone_mode=False)\n"
            "print(sorted(m for m in ('numpy', 'whoosh', 'spacy') if m in sys.modules))")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
    assert '"total": 0' in out


def test_commands_that_do_not_search_do_not_import_numpy() -> None:
    """Every `kb` command loads the CLI group; numpy (some 0.13 s) is for the commands that search or count."""
    import subprocess
    import sys

    code = "import sys, kb.cli; print(sorted(m for m in ('numpy', 'whoosh', 'spacy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
