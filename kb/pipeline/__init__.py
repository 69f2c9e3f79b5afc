"""Pipeline: files -> Documents -> store, index and graph.

- :mod:`kb.pipeline.files` — the files and folders a user names -> the regular files to read (discovery);
- :mod:`kb.pipeline.process` — one file's bytes -> Processed (every per-document stage, a pure function);
- :mod:`kb.pipeline.limits` — files -> outcomes in worker processes, each under a time and a memory limit;
- :mod:`kb.pipeline.incremental` — :func:`ingest`: only changed files do work, and a killed run loses nothing.
"""

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
