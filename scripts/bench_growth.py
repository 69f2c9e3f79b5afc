"""Measure how cost grows with the corpus: 1x, 2x, 4x, ... the shared corpus on each engine, beside SQLite FTS5.

For each scale the corpus is copied that many times, each copy made distinct by a suffix on every title (so the
copies are different documents to kb, not duplicates), and ingested into a fresh knowledge base by the CLI, as a
user would (``kb ingest --engine E``). Reported per scale and engine: ingest wall time and peak memory, index size,
query latency p50/p95 in-process for keyword, substring and question queries, and the wall time of one
``kb search`` command; beside them, an SQLite FTS5 (trigram) table built over the same clause texts, its build time,
size and latency on the same keyword and substring queries.

    python scripts/bench_growth.py --corpus ../shared/corpus/lawrefbook --questions ../shared/eval/stard \\
        --scales 1 2 4 --engines whoosh tantivy --out growth.json
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

TITLE_LINE = re.compile(r"^(# .+)$", re.M)  # the Markdown title line, e.g. "# 中华人民共和国数据安全法"


def make_copies(corpus: Path, scratch: Path, count: int) -> list[Path]:
    """``count`` copies of ``corpus`` under ``scratch`` (made once, reused by larger scales); copy k > 0 has
    "（副本k）" after every title, and front-matter titles, so each copy's documents are distinct."""
    copies = []
    for k in range(count):
        target = scratch / f"copy_{k}"
        if not target.exists():
            partial = scratch / f"copy_{k}.partial"
            shutil.rmtree(partial, ignore_errors=True)
            for src in corpus.rglob("*.md"):
                if src.name.lower() == "readme.md":
                    continue
                dest = partial / src.relative_to(corpus)
                dest.parent.mkdir(parents=True, exist_ok=True)
                text = src.read_text(encoding="utf-8", errors="replace")
                if k:
                    text = TITLE_LINE.sub(lambda m, k=k: f"{m.group(1)}（副本{k}）", text, count=1)
                    text = re.sub(r"^(title:\s*)(.+)$", lambda m, k=k: f"{m.group(1)}{m.group(2)}（副本{k}）", text,
                                  count=1, flags=re.M)  # fmt: skip
                dest.write_text(text, encoding="utf-8")
            partial.rename(target)
        copies.append(target)
    return copies


def ingest(home: Path, folders: Sequence[Path], engine: str) -> dict[str, Any]:
    """Ingest by the CLI in a fresh process: wall time, peak memory of the largest process, report."""
    command = ["/usr/bin/time", "-f", "%M", sys.executable, "-m", "kb", "--home", str(home), "ingest",
               *map(str, folders), "--engine", engine, "--json"]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - started
    report = json.loads(done.stdout)
    peak_kb = int(done.stderr.strip().splitlines()[-1])
    return {"wall_s": round(wall, 1), "peak_mb": round(peak_kb / 1024), "documents": report["added"],
            "failures": len(report["failures"]), "stages_s": dict(report["stage_seconds"])}  # fmt: skip


def dir_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20, 1)


def clause_texts(home: Path) -> list[str]:
    """The indexed texts (clause entries) of the knowledge base, as the engines hold them."""
    from kb.search.entries import CLAUSE
    from kb.search.whoosh_index import entries_for
    from kb.store.sqlite import Store

    out = []
    with Store.open(home) as store:
        for doc in store.iter_documents():
            out.extend(e.text for e in entries_for(doc, ()) if e.kind == CLAUSE)
    return out


def workload(texts: Sequence[str], questions: Sequence[str], rng: random.Random, n: int) -> dict[str, list[str]]:
    """Keyword queries (2-4 character words cut from the texts), substrings (3-10 characters), and questions."""
    keywords, substrings = [], []
    while len(keywords) < n or len(substrings) < n:
        text = rng.choice(texts)
        cjk = re.findall(r"[\u4e00-\u9fff]{4,}", text)
        if not cjk:
            continue
        run = rng.choice(cjk)
        if len(keywords) < n:
            size = rng.randint(2, 4)
            start = rng.randrange(0, len(run) - size + 1)
            keywords.append(run[start : start + size])
        if len(substrings) < n and len(run) >= 3:
            size = rng.randint(3, min(10, len(run)))
            start = rng.randrange(0, len(run) - size + 1)
            substrings.append(run[start : start + size])
    return {"keyword": keywords, "substring": [f'"{s}"' for s in substrings],
            "question": list(rng.sample(list(questions), min(n, len(questions))))}  # fmt: skip


def percentiles(times: Sequence[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {"p50_ms": round(1000 * statistics.median(ordered), 2),
            "p95_ms": round(1000 * ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 2)}  # fmt: skip


def query_latency(home: Path, queries: dict[str, list[str]]) -> dict[str, Any]:
    from kb.errors import KbError
    from kb.search.engines import open_search_index

    index = open_search_index(home)
    for query in queries["keyword"][:5]:  # warm the caches a long-running process has warm
        index.search(query, limit=10)
    out = {}
    for kind, items in queries.items():
        times = []
        for query in items:
            started = time.perf_counter()
            with contextlib.suppress(KbError):  # a question that is no valid query still costs its time
                index.search(query, limit=10)
            times.append(time.perf_counter() - started)
        out[kind] = percentiles(times)
    return out


def cli_search(home: Path, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "kb", "--home", str(home), "search", "数据安全", "--limit", "10"],
                       capture_output=True, cwd=ROOT, check=True)  # fmt: skip
        times.append(time.perf_counter() - started)
    return round(statistics.median(times), 3)


def fts5(path: Path, texts: Sequence[str], queries: dict[str, list[str]]) -> dict[str, Any]:
    from measure_search import build_fts5, fts5_phrase

    conn, build = build_fts5(path, texts)
    out: dict[str, Any] = {"build_s": build["seconds"], "size_mb": build["size_mb"]}
    for kind in ("keyword", "substring"):
        times = []
        for query in queries[kind]:
            text = query.strip('"')
            started = time.perf_counter()
            if len(text) >= 3:
                conn.execute("SELECT rowid FROM clauses WHERE clauses MATCH ? ORDER BY rank LIMIT 10",
                             (fts5_phrase(text),)).fetchall()  # fmt: skip
            else:  # a trigram index cannot look up one or two characters: a LIKE scan, as FTS5 does itself
                conn.execute("SELECT rowid FROM clauses WHERE text LIKE ? LIMIT 10", (f"%{text}%",)).fetchall()
            times.append(time.perf_counter() - started)
        out[kind] = percentiles(times)
    conn.close()
    return out


def load_questions(folder: Path | None) -> list[str]:
    """The question texts of the STARD files in ``folder`` (a JSON list of objects with a 问题 field)."""
    if folder is None:
        return []
    out = []
    for file in sorted(folder.glob("*.json")):
        for row in json.loads(file.read_text(encoding="utf-8")):
            if isinstance(row, dict) and isinstance(row.get("问题"), str):
                out.append(row["问题"])
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--questions", type=Path, default=None, help="folder of STARD question files")
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--engines", nargs="+", default=["whoosh", "tantivy"])
    parser.add_argument("--queries", type=int, default=200, help="queries of each kind per size")
    parser.add_argument("--scratch", type=Path, default=None, help="where the copies and homes go (default: tmp)")
    parser.add_argument("--keep-homes", action="store_true", help="keep each knowledge base built (for a look after)")
    parser.add_argument(
        "--reuse-homes",
        action="store_true",
        help="measure queries and the CLI on the homes an earlier --keep-homes run left (no ingest)",
    )
    parser.add_argument("--no-fts5", action="store_true", help="leave out the FTS5 build and its queries")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    scratch = args.scratch or Path(tempfile.mkdtemp(prefix="kb-growth-"))
    scratch.mkdir(parents=True, exist_ok=True)
    questions = load_questions(args.questions)
    results: list[dict[str, Any]] = []
    for scale in args.scales:
        folders = make_copies(args.corpus, scratch / "copies", scale)
        row: dict[str, Any] = {"scale": scale, "corpus_mb": round(sum(dir_mb(f) for f in folders), 1)}
        texts: list[str] = []
        queries: dict[str, list[str]] = {}
        for engine in args.engines:
            home = scratch / f"home-{engine}-{scale}"
            measured: dict[str, Any]
            if args.reuse_homes and (home / "kb.sqlite").is_file():  # kept by an earlier --keep-homes run
                measured = {"ingest": "not measured: the home of an earlier run (--reuse-homes)"}
            else:
                shutil.rmtree(home, ignore_errors=True)
                measured = {"ingest": ingest(home, folders, engine)}
            index_dir = home / ("tantivy" if engine == "tantivy" else "index")
            measured["index_mb"] = dir_mb(index_dir)
            if not texts:
                texts = clause_texts(home)
                queries = workload(texts, questions, random.Random(scale), args.queries)
                row["clauses"] = len(texts)
            measured["latency"] = query_latency(home, queries)
            measured["cli_search_s"] = cli_search(home)
            row[engine] = measured
            if not args.keep_homes:
                shutil.rmtree(home, ignore_errors=True)
            print(json.dumps({"scale": scale, engine: measured}, ensure_ascii=False), flush=True)
        if not args.no_fts5:
            fts_path = scratch / f"fts5-{scale}.db"
            row["fts5"] = fts5(fts_path, texts, queries)
            fts_path.unlink(missing_ok=True)
            print(json.dumps({"scale": scale, "fts5": row["fts5"]}, ensure_ascii=False), flush=True)
        results.append(row)
    output = json.dumps({"scales": results}, ensure_ascii=False, indent=1)
    if args.out:
        args.out.write_text(output, encoding="utf-8")
    print(output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
