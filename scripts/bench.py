"""Benchmark: every measured figure of kb in one run — ingest, segmentation, formats, metadata, search, citations.

Each part runs as its own script in a child process (so one part's memory and imports do not colour another's) and
prints JSON; this script gathers them into one file and prints a summary. It runs on any corpus folder laid out
like the shared one (Markdown files with `# title`, header lines and `<!-- INFO END -->`).

    python scripts/bench.py --corpus ../shared/corpus/lawrefbook --fixtures ../shared/fixtures \\
        --manifest ../shared/corpus/manifest.csv --out bench.json
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

SCRIPTS = Path(__file__).resolve().parent
PARTS = ("ingest", "segmentation", "formats", "metadata", "search", "citations")


def _run(args: list[str], timeout: float = 5400) -> dict[str, Any]:
    """Run a measuring script and parse the JSON it prints last."""
    started = time.perf_counter()
    out = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=timeout)
    seconds = time.perf_counter() - started
    if out.returncode not in (0, 1):  # 1: a script may exit 1 when a bar is not met, its figures still stand
        return {"error": f"exit {out.returncode}: {out.stderr.strip()[-2000:]}", "seconds": seconds}
    text = out.stdout
    start = text.find("{")
    try:
        result: dict[str, Any] = json.loads(text[start:]) if start >= 0 else {"output": text}
    except json.JSONDecodeError:
        result = {"output": text[-5000:]}
    result["_seconds"] = seconds
    return result


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    import os

    mem = None
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            mem = fh.readline().split()[1]
    except OSError:
        pass
    cpu = None
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), None)
    except OSError:
        pass
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_kb": int(mem) if mem else None,
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="a corpus folder (Markdown, as the shared one)")
    parser.add_argument("--fixtures", type=Path, default=None, help="a fixtures folder with formats/ and real-pdf/")
    parser.add_argument("--manifest", type=Path, default=None, help="the corpus's answer-key manifest.csv")
    parser.add_argument("--shared", type=Path, default=None, help="the shared folder (metadata answer keys)")
    parser.add_argument("--runs", type=int, default=3, help="whole-corpus ingests for the median (default 3)")
    parser.add_argument("--only", action="append", choices=PARTS, help="run only these parts (repeatable)")
    parser.add_argument("--previous", type=Path, default=None, help="the last citation run's keys (gains/losses)")
    parser.add_argument("--out", type=Path, default=None, help="write every figure here as JSON")
    args = parser.parse_args()
    parts = args.only or list(PARTS)
    corpus = args.corpus.resolve()
    results: dict[str, Any] = {"machine": machine(), "command": " ".join(sys.argv), "corpus": str(corpus)}

    if "ingest" in parts:
        cmd = [str(SCRIPTS / "bench_ingest.py"), "--corpus", str(corpus), "--runs", str(args.runs)]
        if args.manifest:
            cmd += ["--metadata", str(args.manifest)]
        results["ingest"] = _run(cmd)
    if "segmentation" in parts:
        results["segmentation"] = _run([str(SCRIPTS / "measure_segmentation.py"), "--corpus", str(corpus), "--json"])
    if "formats" in parts and args.fixtures:
        results["formats"] = _run([str(SCRIPTS / "measure_formats.py"), "--fixtures", str(args.fixtures), "--json"])
    if "metadata" in parts and args.shared:
        results["metadata"] = _run([str(SCRIPTS / "measure_metadata.py"), "--shared", str(args.shared), "--json"])
    if "search" in parts:
        out = Path(args.out or "bench.json").with_suffix(".search.json")
        run = _run([str(SCRIPTS / "measure_search.py"), "--corpus", str(corpus), "--out", str(out)])
        results["search"] = json.loads(out.read_text(encoding="utf-8")) if out.exists() else run
    if "citations" in parts:
        cmd = [str(SCRIPTS / "measure_citations.py"), "--corpus", str(corpus), "--json"]
        if args.manifest:
            cmd += ["--manifest", str(args.manifest)]
        if args.previous:
            cmd += ["--previous", str(args.previous)]
        results["citations"] = _run(cmd)

    text = json.dumps(results, ensure_ascii=False, indent=1, default=str)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    summary = {k: v for k, v in results.items() if k in ("machine", "command")}
    for part in parts:
        value = results.get(part)
        if isinstance(value, dict):
            summary[part] = {k: v for k, v in value.items() if not isinstance(v, (list, dict)) or k == "stage_s_median"}
    print(json.dumps(summary, ensure_ascii=False, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
