"""Pipeline: files -> Documents -> store, index and graph.

- :mod:`kb.pipeline.files` — the files and folders a user names -> the regular files to read (discovery);
- :mod:`kb.pipeline.process` — one file's bytes -> Processed (every per-document stage, a pure function);
- :mod:`kb.pipeline.limits` — files -> outcomes in worker processes, each under a time and a memory limit;
- :mod:`kb.pipeline.incremental` — :func:`ingest`: only changed files do work, and a killed run loses nothing.

The names below are imported from their module when first used, so that importing one light module of the
package (the CLI reads the default limits) does not load every stage.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kb.pipeline.files import discover
    from kb.pipeline.incremental import default_jobs, index_gaps, ingest
    from kb.pipeline.process import (
        PIPELINE_VERSION,
        Options,
        Processed,
        document_id,
        process_bytes,
        process_file,
        process_row,
        source_key,
        widen_key,
    )

_HOMES = {
    "discover": "files",
    "default_jobs": "incremental",
    "index_gaps": "incremental",
    "ingest": "incremental",
    **dict.fromkeys(
        ("PIPELINE_VERSION", "Options", "Processed", "document_id", "process_bytes", "process_file", "process_row",
         "source_key", "widen_key"),
        "process",
    ),
}  # fmt: skip

__all__ = [
    "PIPELINE_VERSION",
    "Options",
    "Processed",
    "default_jobs",
    "discover",
    "document_id",
    "index_gaps",
    "ingest",
    "process_bytes",
    "process_file",
    "process_row",
    "source_key",
    "widen_key",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'kb.pipeline' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"kb.pipeline.{home}"), name)
    globals()[name] = value
    return value
