"""Engines: a knowledge-base home -> its search index, by the engine the home was built with (Whoosh or tantivy).

The engine is chosen when a knowledge base is first built (``kb ingest --engine``) and remembered by the home: the
index folder it holds names it (``index/`` for Whoosh, ``tantivy/`` for tantivy). Every reader and writer opens
the index through :func:`open_search_index` and sees only the :class:`SearchIndex` interface.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from kb.errors import IndexMissing, KbError
from kb.search.interface import SearchIndex

ENGINES = ("whoosh", "tantivy")
TANTIVY_DIR = "tantivy"  # as kb.search.tantivy_index.TANTIVY_DIR
# As kb.search.whoosh_index.INDEX_DIR, named here so that a tantivy home never loads Whoosh and numpy.
WHOOSH_DIR = "index"
DEFAULT_ENGINE = "whoosh"


def engine_of(home: Path) -> str | None:
    """The engine of the index in ``home``, or None when it has none yet."""
    if (Path(home) / TANTIVY_DIR / "meta.json").is_file():  # without importing the engine (a fifth of a second)
        return "tantivy"
    path = Path(home) / WHOOSH_DIR
    if path.is_dir() and any(p.name.endswith(".toc") for p in path.iterdir()):
        return "whoosh"
    return None


def check_engine(home: Path, engine: str) -> None:
    """Raise KbError unless ``engine`` is known and ``home`` has no index or one of that engine."""
    if engine not in ENGINES:
        raise KbError(f"engine {engine!r}: expected one of {', '.join(ENGINES)}")
    current = engine_of(Path(home))
    if current is not None and engine != current:
        raise KbError(f"{home}: this knowledge base was built with the {current} engine; ingest into a new home "
                      f"(--home) to use {engine}")  # fmt: skip


def open_search_index(
    home: Path, *, create: bool = False, live: Mapping[str, str] | None = None, engine: str | None = None
) -> SearchIndex:
    """The search index of ``home``: the engine it was built with, or ``engine`` (default Whoosh) for a new one.

    Asking for another engine than the one a home already has is an error: a home holds one index.
    """
    if engine is not None:
        check_engine(home, engine)
    current = engine_of(Path(home))
    chosen = current or engine or DEFAULT_ENGINE
    if current is None and not create:
        raise IndexMissing(f"{home}: no search index here; run `kb ingest PATH` to build the knowledge base first")
    if chosen == "tantivy":
        from kb.search.tantivy_index import open_tantivy

        return open_tantivy(Path(home), create=create, live=live)
    from kb.search.whoosh_index import open_index

    return open_index(Path(home), create=create, live=live)
