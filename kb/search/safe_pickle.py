"""Index data: Whoosh's pickled segment files -> Python values, through an unpickler that can build data only.

Whoosh keeps its table of contents, schema, stored fields and posting blocks as pickles, and unpickling can call
any function the file names (a planted file in a shared or synced home could run a command). Every pickle kb or
Whoosh reads from the index goes through :class:`DataUnpickler`, which resolves only the classes below: the
schema's field and analyzer types, segment and column records, and plain containers. Anything else (os.system,
builtins.eval, subprocess...) stops the read with :class:`UnsafeIndexData`.
"""

from __future__ import annotations

import io
import pickle
from typing import IO, Any

from kb.errors import StoreError

# (module, name) pairs an index written by kb contains; found by reading every pickle of a whole-corpus index.
ALLOWED_GLOBALS = frozenset(
    {
        ("__builtin__", "bytes"), ("builtins", "bytes"), ("__builtin__", "set"), ("builtins", "set"),
        ("__builtin__", "frozenset"), ("builtins", "frozenset"), ("builtins", "bytearray"),
        ("array", "_array_reconstructor"), ("array", "array"), ("copyreg", "_reconstructor"),
        ("builtins", "object"), ("re", "_compile"),
        ("datetime", "date"), ("datetime", "datetime"),
        ("kb.search.analyzer", "BigramFilter"), ("kb.search.analyzer", "NormalizingTokenizer"),  # written before 0.x
        ("kb.search.whoosh_analysis", "BigramFilter"), ("kb.search.whoosh_analysis", "NormalizingTokenizer"),
        ("kb.search.postings", "Counts"),
        ("whoosh.analysis.analyzers", "CompositeAnalyzer"), ("whoosh.analysis.filters", "StripFilter"),
        ("whoosh.analysis.filters", "LowercaseFilter"), ("whoosh.analysis.tokenizers", "IDTokenizer"),
        ("whoosh.analysis.tokenizers", "RegexTokenizer"), ("whoosh.analysis.tokenizers", "SpaceSeparatedTokenizer"),
        ("whoosh.analysis.tokenizers", "CommaSeparatedTokenizer"),
        ("whoosh.codec.whoosh3", "W3Codec"), ("whoosh.codec.whoosh3", "W3Segment"),
        ("whoosh.columns", "RefBytesColumn"), ("whoosh.columns", "VarBytesColumn"),
        ("whoosh.columns", "NumericColumn"), ("whoosh.columns", "BitColumn"), ("whoosh.columns", "PickleColumn"),
        ("whoosh.columns", "FixedBytesColumn"), ("whoosh.columns", "StructColumn"),
        ("whoosh.fields", "COLUMN"), ("whoosh.fields", "FieldType"), ("whoosh.fields", "ID"),
        ("whoosh.fields", "KEYWORD"), ("whoosh.fields", "Schema"), ("whoosh.fields", "STORED"),
        ("whoosh.fields", "NUMERIC"), ("whoosh.fields", "TEXT"), ("whoosh.fields", "BOOLEAN"),
        ("whoosh.formats", "Existence"), ("whoosh.formats", "Frequency"), ("whoosh.formats", "Positions"),
        ("whoosh.formats", "Characters"), ("whoosh.formats", "PositionBoosts"),
    }
)  # fmt: skip


class UnsafeIndexData(StoreError, pickle.UnpicklingError):
    """A search-index file names a function or class that plain index data never holds; it is not run."""


class DataUnpickler(pickle.Unpickler):
    """An unpickler that resolves only :data:`ALLOWED_GLOBALS`."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in ALLOWED_GLOBALS:
            raise UnsafeIndexData(
                f"the search index holds a reference to {module}.{name}, which kb never writes (a damaged or "
                "planted file); it was not run. Delete the home's index folder and run `kb ingest` to rebuild it"
            )
        return super().find_class(module, name)


def loads(data: bytes, *args: Any, **kwargs: Any) -> Any:
    """``pickle.loads`` restricted to index data."""
    return DataUnpickler(io.BytesIO(data)).load()


def load(file: IO[bytes], *args: Any, **kwargs: Any) -> Any:
    """``pickle.load`` restricted to index data."""
    return DataUnpickler(file).load()


class _PickleModule:
    """Stands in for the ``pickle`` module inside Whoosh: writing as usual, reading restricted."""

    loads = staticmethod(loads)
    load = staticmethod(load)
    dumps = staticmethod(pickle.dumps)
    dump = staticmethod(pickle.dump)
    Unpickler = DataUnpickler
    Pickler = pickle.Pickler
    HIGHEST_PROTOCOL = pickle.HIGHEST_PROTOCOL
    UnpicklingError = pickle.UnpicklingError
    PicklingError = pickle.PicklingError


_installed: list[bool] = []


def install() -> None:
    """Route every pickle read in Whoosh's modules through :class:`DataUnpickler` (idempotent)."""
    if _installed:
        return
    import importlib

    names = ("whoosh.compat", "whoosh.filedb.structfile", "whoosh.index", "whoosh.formats", "whoosh.columns",
             "whoosh.codec.whoosh3", "whoosh.codec.base", "whoosh.filedb.compound", "whoosh.multiproc",
             "whoosh.codec.plaintext", "whoosh.writing", "whoosh.reading", "whoosh.fields")  # fmt: skip
    for name in names:
        try:
            module = importlib.import_module(name)
        except ImportError:  # pragma: no cover - a Whoosh without that module
            continue
        for attr, safe in (("loads", loads), ("load", load), ("load_pickle", load)):
            if getattr(module, attr, None) in (pickle.loads, pickle.load):
                setattr(module, attr, safe)
        if getattr(module, "pickle", None) is pickle:
            module.pickle = _PickleModule  # type: ignore[attr-defined]
    _installed.append(True)


__all__ = ["ALLOWED_GLOBALS", "DataUnpickler", "UnsafeIndexData", "install", "load", "loads"]
