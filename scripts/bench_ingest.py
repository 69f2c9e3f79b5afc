"""Benchmark: whole-corpus ingest time per stage, documents/s, MB/s, peak memory and store size.

Each run ingests into a fresh knowledge base in a child process, so memory is measured for that run alone.
Usage: python scripts/bench_ingest.py --corpus ../shared/corpus/lawrefbook [--runs 3] [--metadata FILE]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

_CHILD = """
import json, resource, sys, time
from kb.pipeline import ingest
started = time.perf_counter()
report = ingest([sys.argv[1]], sys.argv[2], metadata_file=sys.argv[3] or None)
wall = time.perf_counter() - started
print(json.dumps({
    "wall": wall,
    "stages": dict(report.stage_seconds),
    "added": report.added,
    "failures": len(report.failures),
    "rss_main_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "rss_worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
}))
"""


def corpus_size(corpus: Path) -> tuple[int, int]:
    """(number of files kb reads, their total bytes) under ``corpus``."""
    from kb.pipeline import discover

    found = discover([corpus])
    return len(found.files), sum(f.stat().st_size for f in found.files)


def run_once(corpus: Path, metadata: Path | None) -> dict[str, Any]:
    """One ingest of ``corpus`` into a new knowledge base, in a child process."""
    with tempfile.TemporaryDirectory(prefix="kb-bench-") as home:
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, str(corpus), home, str(metadata or "")],
            check=True,
            capture_output=True,
            text=True,
        )
        result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
        result["store_mb"] = (Path(home) / "kb.sqlite").stat().st_size / 2**20
        result["home_mb"] = sum(p.stat().st_size for p in Path(home).rglob("*") if p.is_file()) / 2**20
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", _CHILD, str(corpus), home, str(metadata or "")], check=True,
                       capture_output=True)  # fmt: skip
        result["reingest_unchanged_s"] = time.perf_counter() - started
    return result


def bench_ingest(corpus: Path, runs: int = 3, metadata: Path | None = None) -> dict[str, Any]:
    """Median wall time and per-stage seconds over ``runs`` whole-corpus ingests."""
    files, size = corpus_size(corpus)
    results = [run_once(corpus, metadata) for _ in range(runs)]
    wall = statistics.median(r["wall"] for r in results)
    stages = sorted({k for r in results for k in r["stages"]})
    return {
        "corpus": str(corpus),
        "files": files,
        "megabytes": size / 2**20,
        "runs": runs,
        "wall_s_median": wall,
        "wall_s_all": [r["wall"] for r in results],
        "stage_s_median": {s: statistics.median(r["stages"].get(s, 0.0) for r in results) for s in stages},
        "docs_per_s": files / wall,
        "mb_per_s": size / 2**20 / wall,
        "peak_rss_main_mb": max(r["rss_main_mb"] for r in results),
        "peak_rss_worker_mb": max(r["rss_worker_mb"] for r in results),
        "store_mb": results[-1]["store_mb"],
        "home_mb": results[-1]["home_mb"],
        "reingest_unchanged_s_median": statistics.median(r["reingest_unchanged_s"] for r in results),
        "failures": results[-1]["failures"],
    }


_INCREMENTAL = """
import json, shutil, statistics, subprocess, sys, time
from pathlib import Path
from kb.pipeline import ingest
corpus, home = Path(sys.argv[1]), Path(sys.argv[2])
ingest([corpus], home)
target = sorted(corpus.rglob("*.md"))[len(list(corpus.rglob("*.md"))) // 2]
warm, cli = [], []
for i in range(3):
    with target.open("a", encoding="utf-8") as fh:
        fh.write(f"\\n第九百九十{i}条 本条为测量增量更新而加。\\n")
    started = time.perf_counter()
    report = ingest([corpus], home)
    warm.append(time.perf_counter() - started)
    assert report.updated == 1, report
for i in range(3):
    with target.open("a", encoding="utf-8") as fh:
        fh.write(f"\\n第九百八十{i}条 本条为测量增量更新而加。\\n")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kb", "--home", str(home), "ingest", str(corpus)], check=True,
                   capture_output=True)
    cli.append(time.perf_counter() - started)
print(json.dumps({"file": str(target.relative_to(corpus)), "in_process_s": warm, "cli_s": cli,
                  "in_process_s_median": statistics.median(warm), "cli_s_median": statistics.median(cli)}))
"""


def bench_incremental(corpus: Path) -> dict[str, Any]:
    """Seconds to re-ingest after changing one file: in a running process (as a server would) and by the CLI."""
    with tempfile.TemporaryDirectory(prefix="kb-bench-inc-") as tmp:
        copy = Path(tmp) / "corpus"
        shutil.copytree(corpus, copy)
        out = subprocess.run([sys.executable, "-c", _INCREMENTAL, str(copy), str(Path(tmp) / "kb")], check=True,
                             capture_output=True, text=True)  # fmt: skip
        result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--metadata", type=Path, default=None)
    parser.add_argument("--no-incremental", action="store_true", help="skip the one-file re-ingest timing")
    args = parser.parse_args()
    result = bench_ingest(args.corpus, args.runs, args.metadata)
    if not args.no_incremental:
        result["incremental"] = bench_incremental(args.corpus)
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
