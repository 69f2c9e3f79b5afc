"""Measure Whoosh versions: the same entries indexed by Whoosh's own writer and by kb's, under this interpreter.

Run it with each Whoosh installed (2.7.4, pinned, and the whoosh-reloaded fork 2.7.5 in a scratch venv):

    python scripts/measure_search_engines.py --corpus ../shared/corpus/lawrefbook --sample 200
    python -m venv /tmp/wr && /tmp/wr/bin/pip install whoosh-reloaded numpy opencc-python-reimplemented
    PYTHONPATH=. /tmp/wr/bin/python scripts/measure_search_engines.py --entries /tmp/entries.pkl

The first run saves the sample's entries (``--save``) so the second needs none of kb's reading stages.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def sample_entries(corpus: Path, sample: int, seed: int) -> list[tuple[Any, ...]]:
    """Entries (as tuples) of ``sample`` random files of the corpus, through kb's stages."""
    from kb.pipeline import discover, process_file
    from kb.search.whoosh_index import entries_for

    files = sorted(random.Random(seed).sample(list(discover([corpus]).files), sample))
    rows = []
    for path in files:
        processed = process_file(path)
        rows.extend(e.as_tuple() for e in entries_for(processed.document, processed.topics))
    return rows


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def measure(rows: list[tuple[Any, ...]], whoosh_entries: int) -> dict[str, Any]:
    """CPU time of Whoosh's writer on the first ``whoosh_entries`` entries and of kb's writer on all of them."""
    import whoosh
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import TOC

    from kb.search.entries import Entry
    from kb.search.postings import make_schema
    from kb.search.whoosh_writer import write_segment

    entries = [Entry.from_tuple(r) for r in rows]
    out: dict[str, Any] = {"whoosh": ".".join(map(str, whoosh.__version__)), "entries": len(entries)}
    with tempfile.TemporaryDirectory() as folder:
        storage = FileStorage(folder)
        storage.create_index(make_schema())
        sample = entries[:whoosh_entries]
        started = _cpu()
        writer = storage.open_index().writer()
        for entry in sample:
            fields = {"text": entry.text, "chars": entry.text, **entry.keywords()}
            if entry.topics:
                fields["topic"] = ",".join(entry.topics)
            writer.add_document(**fields)
        writer.commit()
        seconds = _cpu() - started
        out["whoosh_writer"] = {"entries": len(sample), "cpu_s": round(seconds, 2),
                                "chars_per_s": round(sum(len(e.text) for e in sample) / seconds)}  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        storage = FileStorage(folder)
        schema = make_schema()
        storage.create_index(schema)
        started = _cpu()
        segment = write_segment(storage, "MAIN", entries)
        TOC(schema, [segment], 1).write(storage, "MAIN")
        seconds = _cpu() - started
        out["kb_writer"] = {"entries": len(entries), "cpu_s": round(seconds, 2),
                            "chars_per_s": round(sum(len(e.text) for e in entries) / seconds)}  # fmt: skip
        with storage.open_index().searcher() as searcher:
            out["whoosh_reads_kb_segment"] = searcher.doc_frequency("text", "数据") > 0
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, help="folder to sample documents from")
    parser.add_argument("--sample", type=int, default=200, help="files to sample (default 200)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--entries", type=Path, help="entries saved by an earlier run (instead of --corpus)")
    parser.add_argument("--save", type=Path, help="save the sampled entries here")
    parser.add_argument("--whoosh-entries", type=int, default=3000, help="entries for Whoosh's writer (slow)")
    args = parser.parse_args(argv)
    if args.entries:
        rows = pickle.loads(args.entries.read_bytes())
    elif args.corpus:
        rows = sample_entries(args.corpus, args.sample, args.seed)
    else:
        parser.error("give --corpus or --entries")
    if args.save:
        args.save.write_bytes(pickle.dumps(rows))
    print(json.dumps(measure(rows, args.whoosh_entries), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
