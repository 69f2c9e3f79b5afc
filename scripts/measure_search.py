"""Measure kb's search on a corpus: recall, ranking, latency, build, and SQLite FTS5 (trigram) on the same clauses.

    python scripts/measure_search.py --corpus ../shared/corpus/lawrefbook --out search.json
    python scripts/measure_search.py --corpus ../shared/corpus/lawrefbook --sample 300 --queries 200

What it does, in one run:

* reads the corpus through kb's own stages (extract, metadata, segment; topics when available) with a process
  pool, and builds a fresh kb index of all documents in one ``update`` (time, CPU, peak memory, size);
* builds an SQLite FTS5 table with the ``trigram`` tokenizer over the same clause texts (time, size), and times
  jieba alone segmenting the same text (what a word index would spend before indexing anything);
* substring recall: random substrings of 2-12 characters of random clause texts, searched as phrases: is the
  source clause in kb's whole result set (and in FTS5's)? For 8-12 characters, is it first (or a clause with the
  same text)?
* known-item: each document's title, and its short title without 中华人民共和国, searched with ``--docs``: is that
  document (or one with the same title) first?
* latency in-process over mixed queries (words, two words, phrases, filters, OR, NOT, --docs; top 10 with facet
  counts), and FTS5's on the substring phrases; the wall time of one-off ``kb search`` commands.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.models import Document, TopicTag  # noqa: E402
from kb.search.analyzer import normalize  # noqa: E402

NATIONAL_PREFIX = "中华人民共和国"
# Characters that would end or open a phrase in the query language; substrings holding them are drawn again.
QUOTE_CHARS = re.compile('["＂]')
# A run of Chinese characters, for picking query words out of jieba's output.
HAN_WORD = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
CLI_QUERIES = ("数据安全", "公共数据 开放", '"县级以上人民政府"', "个人信息 province:浙江", "第二十一条", "法")


def load_documents(corpus: Path, *, sample: int | None = None, seed: int = 0,
                   jobs: int = 2) -> list[tuple[Document, tuple[TopicTag, ...]]]:  # fmt: skip
    """Every Markdown/text file of ``corpus`` through kb's stages (files that fail are left out)."""
    from concurrent.futures import ProcessPoolExecutor

    from kb.pipeline import discover

    files = [str(p) for p in discover([corpus]).files]
    if sample:
        files = sorted(random.Random(seed).sample(files, min(sample, len(files))))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(_process, files, chunksize=8))
    return [r for r in results if r is not None]


def _process(path: str) -> tuple[Document, tuple[TopicTag, ...]] | None:
    """One file through the pipeline's stages; without kb.topics.tag (not written yet), without topic tags."""
    try:
        import kb.topics.tag  # noqa: F401
        from kb.pipeline import process_file

        processed = process_file(path)
        return processed.document, processed.topics
    except ModuleNotFoundError:
        pass
    except Exception:
        return None
    import hashlib

    from kb.extract import extract_bytes
    from kb.metadata.read import read_metadata
    from kb.pipeline import document_id, source_key
    from kb.segment.segmenter import build_body, segment

    try:
        data = Path(path).read_bytes()
        extracted = extract_bytes(data, path)
        body = build_body(extracted.blocks)
        meta = read_metadata(extracted, body)
        doc_id = document_id(source_key(path))
        segmentation = segment(doc_id, body)
    except Exception:
        return None
    document = Document(id=doc_id, path=path, format=extracted.format, sha256=hashlib.sha256(data).hexdigest(),
                        title=meta.title or extracted.title, info=extracted.info, body=body, meta=meta,
                        clauses=segmentation.clauses, grammar=segmentation.grammar)  # fmt: skip
    return document, ()


def _peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round((own + children) / 1024, 1)


def _dir_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6, 1)


def build_index(home: Path, docs: Sequence[tuple[Document, Sequence[TopicTag]]], batch: int | None) -> dict[str, Any]:
    """A fresh index of ``docs`` in ``home``: in updates of ``batch`` documents then a stale-entry sweep, as
    `kb ingest` does (one segment per batch, written in this process), or with ``batch`` None in one update
    (large updates are written by one process per core). Wall and CPU time, peak memory, size."""
    from kb.search.whoosh_index import index_path, open_index

    cpu = os.times()
    started = time.perf_counter()
    index = open_index(home, create=True)
    step = batch or len(docs)
    for i in range(0, len(docs), step):
        index.update(docs[i : i + step])
    index.remove_stale({d.id: d.sha256 for d, _ in docs})
    seconds = time.perf_counter() - started
    after = os.times()
    used = (after.user - cpu.user) + (after.system - cpu.system)
    used += (after.children_user - cpu.children_user) + (after.children_system - cpu.children_system)
    return {"seconds": round(seconds, 2), "cpu_seconds": round(used, 2), "size_mb": _dir_mb(index_path(home)),
            "peak_rss_mb_self_plus_children": _peak_rss_mb(), "entries": index.doc_count(),
            "segments": len(index.snapshot().parts), "batch_documents": batch}  # fmt: skip


def incremental(home: Path, docs: Sequence[tuple[Document, Sequence[TopicTag]]], rng: random.Random) -> dict[str, Any]:
    """Re-index one changed file as an ingest does: add the new version, then drop the stale one."""
    from kb.pipeline import process_bytes
    from kb.search.whoosh_index import open_index

    doc, _ = rng.choice([d for d in docs if Path(d[0].path).exists()])
    data = Path(doc.path).read_bytes() + "\n\n本文件为测试修改。\n".encode()
    changed = process_bytes(data, doc.path)
    live = {d.id: d.sha256 for d, _ in docs}
    live[doc.id] = changed.document.sha256
    started = time.perf_counter()
    index = open_index(home)
    index.update([(changed.document, changed.topics)])
    index.remove_stale(live)
    seconds = time.perf_counter() - started
    found = index.search('"本文件为测试修改"').total
    return {"seconds": round(seconds, 3), "document": doc.title, "found_after": found}


def entry_table(home: Path) -> dict[tuple[str, str | None], tuple[int, int, Any]]:
    """(doc id, clause id) -> (part, entry number, entry) of every clause entry in the index."""
    from kb.search.whoosh_index import open_index

    snapshot = open_index(home).snapshot()
    table = {}
    for index, part in enumerate(snapshot.parts):
        for local in range(part.size):
            if part.alive[local] and not part.is_doc[local]:
                entry = part.entry(local)
                table[(entry.doc_id, entry.clause_id)] = (index, local, entry)
    return table


def build_fts5(path: Path, texts: Sequence[str]) -> tuple[sqlite3.Connection, dict[str, Any]]:
    """An FTS5 trigram table of ``texts`` (rowid = position + 1): build time and file size."""
    if path.exists():
        path.unlink()
    started = time.perf_counter()
    conn = sqlite3.connect(path)
    conn.execute("CREATE VIRTUAL TABLE clauses USING fts5(text, tokenize='trigram')")
    conn.executemany("INSERT INTO clauses(rowid, text) VALUES (?, ?)", ((i + 1, t) for i, t in enumerate(texts)))
    conn.commit()
    seconds = time.perf_counter() - started
    return conn, {"seconds": round(seconds, 2), "size_mb": round(path.stat().st_size / 1e6, 1), "rows": len(texts)}


def fts5_phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def draw_substrings(entries: Sequence[Any], count: int, rng: random.Random,
                    by_chars: bool = False) -> list[tuple[Any, str]]:  # fmt: skip
    """``count`` (entry, substring) pairs: a random clause (every clause alike, or ``by_chars`` in proportion to
    its length, i.e. a random place in the corpus), a length of 2-12 characters, a random start."""
    out: list[tuple[Any, str]] = []
    weights = [len(e.text) for e in entries] if by_chars else None
    while len(out) < count:
        entry = rng.choices(entries, weights)[0] if weights else rng.choice(entries)
        length = rng.randint(2, 12)
        if len(entry.text) < length:
            continue
        start = rng.randrange(0, len(entry.text) - length + 1)
        piece = entry.text[start : start + length]
        if QUOTE_CHARS.search(piece) or len(normalize(piece)) < 2:
            continue
        out.append((entry, piece))
    return out


def substring_recall(home: Path, table: dict[Any, Any], samples: Sequence[tuple[Any, str]],
                     conn: sqlite3.Connection | None, rowids: dict[Any, int]) -> dict[str, Any]:  # fmt: skip
    """Recall of the source clause for each substring (kb and FTS5), and kb's top-1 for 8-12 characters."""
    from kb.search.evaluate import _Evaluator
    from kb.search.query import parse_query
    from kb.search.whoosh_index import open_index

    index = open_index(home)
    snapshot = index.snapshot()
    found = top_ok = top_total = fts_found = unique = 0
    misses, top_misses = [], []
    kb_times, fts_times = [], []
    for entry, piece in samples:
        query = f'"{piece}"'
        key = (entry.doc_id, entry.clause_id)
        part_index, local, _ = table[key]
        tree = parse_query(query)
        assert tree is not None
        evaluator = _Evaluator(snapshot, tree)
        in_set = bool(evaluator.evaluate(tree, part_index)[0][local])
        found += in_set
        if not in_set:
            misses.append(piece)
        started = time.perf_counter()
        result = index.search(query, limit=10)
        kb_times.append(time.perf_counter() - started)
        if len(normalize(piece)) >= 8:
            top_total += 1
            unique += _distinct_texts(snapshot, evaluator, tree) == 1
            top = result.hits[0] if result.hits else None
            twin = top is not None and normalize(table[(top.doc_id, top.clause_id)][2].text) == normalize(entry.text)
            ok = top is not None and ((top.doc_id, top.clause_id) == key or twin)
            top_ok += ok
            if not ok:
                top_misses.append({"query": piece, "source": f"{entry.title} {entry.number}",
                                   "first": f"{top.title} {top.number}" if top else None})  # fmt: skip
        if conn is not None:
            started = time.perf_counter()
            rows = {
                r[0] for r in conn.execute("SELECT rowid FROM clauses WHERE clauses MATCH ?", (fts5_phrase(piece),))
            }
            conn.execute("SELECT rowid FROM clauses WHERE clauses MATCH ? ORDER BY rank LIMIT 10",
                         (fts5_phrase(piece),)).fetchall()  # fmt: skip
            fts_times.append(time.perf_counter() - started)
            fts_found += rowids[key] in rows
    n = len(samples)
    out: dict[str, Any] = {
        "queries": n, "kb_recall": round(found / n, 4), "kb_misses": misses[:20],
        "kb_first_8_12": round(top_ok / max(1, top_total), 4), "first_8_12_queries": top_total,
        "first_8_12_reachable": round(unique / max(1, top_total), 4),
        "kb_first_misses": top_misses[:20], "kb_phrase_latency_ms": _percentiles(kb_times),
    }  # fmt: skip
    if conn is not None:
        out["fts5_recall"] = round(fts_found / n, 4)
        out["fts5_phrase_latency_ms"] = _percentiles(fts_times)
    return out


def _distinct_texts(snapshot: Any, evaluator: Any, tree: Any) -> int:
    """How many different clause texts match (1: any ranking that finds it puts the source, or its twin, first)."""
    seen: set[bytes] = set()
    for index, part in enumerate(snapshot.parts):
        mask = evaluator.evaluate(tree, index)[0] & part.scope(False)
        buffer, starts, ends = part.data.norm_finder()
        for local in mask.nonzero()[0].tolist():
            seen.add(bytes(buffer[starts[local] : ends[local]]))
            if len(seen) > 1:
                return len(seen)
    return len(seen)


def known_item(home: Path, docs: Sequence[tuple[Document, Sequence[TopicTag]]]) -> dict[str, Any]:
    """Each document's title, and its short title less 中华人民共和国, as a --docs query: is it first?"""
    from kb.search.whoosh_index import open_index

    index = open_index(home)
    titles = {d.id: d.title for d, _ in docs}
    total = ok = 0
    misses = []
    for doc, _ in docs:
        if not doc.title:
            continue
        queries = [doc.title]
        if doc.title.startswith(NATIONAL_PREFIX) and len(doc.title) > len(NATIONAL_PREFIX):
            queries.append(doc.title[len(NATIONAL_PREFIX) :])
        for query in queries:
            total += 1
            hits = index.search(query, docs=True, limit=1, facets=False).hits
            first = hits[0] if hits else None
            good = first is not None and (first.doc_id == doc.id or titles.get(first.doc_id) == doc.title)
            ok += good
            if not good:
                misses.append({"query": query, "first": first.title if first else None})
    return {"queries": total, "first": round(ok / max(1, total), 4), "misses": misses[:30]}


def query_words(texts: Sequence[str], rng: random.Random, limit: int = 3000) -> tuple[list[str], float, int]:
    """Frequent jieba words (2-4 Chinese characters) of the texts, and jieba's time to segment all of them."""
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    counts: Counter[str] = Counter()
    started = time.perf_counter()
    for text in texts:
        counts.update(w for w in jieba.lcut(text) if HAN_WORD.match(w))
    seconds = time.perf_counter() - started
    return [w for w, _ in counts.most_common(limit)], seconds, sum(len(t) for t in texts)


def mixed_queries(words: Sequence[str], samples: Sequence[tuple[Any, str]], facets: dict[str, list[str]],
                  count: int, rng: random.Random) -> list[tuple[str, str, bool]]:  # fmt: skip
    """(kind, query, docs) triples: words, two words, phrases, filters, OR, NOT and --docs, in fixed shares."""
    shares = (("word", 25), ("two_words", 20), ("phrase", 15), ("filter", 15), ("or", 10), ("not", 5), ("docs", 10))
    filters = (
        [f"province:{p}" for p in facets.get("province", [])[:8]]
        + [f"year:{y}" for y in facets.get("year", [])[:10]]
        + ["type:地方性法规", "type:行政法规", "level:provincial", "level:national", "year:2015..2020"]
    )
    phrases = [p for _, p in samples if len(normalize(p)) >= 4]
    out = []
    for kind, share in shares:
        for _ in range(count * share // 100):
            w1, w2 = rng.choice(words), rng.choice(words)
            query = {"word": w1, "two_words": f"{w1} {w2}", "phrase": f'"{rng.choice(phrases)}"',
                     "filter": f"{w1} {rng.choice(filters)}", "or": f"{w1} OR {w2}", "not": f"{w1} -{w2}",
                     "docs": w1}[kind]  # fmt: skip
            out.append((kind, query, kind == "docs"))
    rng.shuffle(out)
    return out


def _percentiles(times: Sequence[float]) -> dict[str, float]:
    if not times:
        return {}
    ordered = sorted(times)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": round(ordered[-1] * 1000, 2),
            "mean": round(statistics.fmean(ordered) * 1000, 2), "n": len(ordered)}  # fmt: skip


def latency(home: Path, queries: Sequence[tuple[str, str, bool]]) -> dict[str, Any]:
    """In-process latency of each query (top 10 with facet counts), overall and per kind."""
    from kb.search.whoosh_index import open_index

    index = open_index(home)
    index.search("数据")  # open the segments once, as a running service would have
    by_kind: dict[str, list[float]] = {}
    totals = []
    timed = []
    for kind, query, docs in queries:
        started = time.perf_counter()
        result = index.search(query, docs=docs, limit=10, facets=True)
        seconds = time.perf_counter() - started
        by_kind.setdefault(kind, []).append(seconds)
        totals.append(result.total)
        timed.append((seconds, query + (" --docs" if docs else ""), result.total))
    every = [t for times in by_kind.values() for t in times]
    slowest = [{"query": q, "ms": round(s * 1000, 1), "total": n} for s, q, n in sorted(timed, reverse=True)[:10]]
    return {"all": _percentiles(every), "by_kind": {k: _percentiles(v) for k, v in by_kind.items()},
            "median_total_hits": statistics.median(totals) if totals else 0, "slowest": slowest}  # fmt: skip


def cli_time(home: Path, runs: int) -> dict[str, Any]:
    """Wall time of one-off `kb search` commands (a new Python process each), median over ``runs``."""
    from kb.cli import cli

    # `python -m kb` once the search command is registered in kb/cli/__init__.py; until then the same group with it
    command = [sys.executable, "-m", "kb"]
    if "search" not in cli.commands:
        command = [sys.executable, "-c", "from kb.cli import cli; from kb.cli.search import search; "
                   "cli.add_command(search); cli()"]  # fmt: skip
    times = []
    for i in range(runs):
        query = CLI_QUERIES[i % len(CLI_QUERIES)]
        started = time.perf_counter()
        done = subprocess.run([*command, "--home", str(home), "search", query], capture_output=True, cwd=ROOT,
                              check=False)  # fmt: skip
        times.append(time.perf_counter() - started)
        if done.returncode != 0:
            return {"error": done.stderr.decode("utf-8", "replace")[-400:]}
    return {"median_s": round(statistics.median(times), 3), "max_s": round(max(times), 3), "runs": runs}


def measure(corpus: Path | None = None, *, docs: Sequence[tuple[Document, Sequence[TopicTag]]] | None = None,
            home: Path | None = None, sample: int | None = None, substrings: int = 1000, queries: int = 1000,
            seed: int = 0, cli_runs: int = 11, fts5: bool = True, jieba_time: bool = True,
            batch: int | None = 200) -> dict[str, Any]:  # fmt: skip
    """Run every measurement on ``corpus`` (or given documents) with a fresh index in ``home`` (else a temp dir)."""
    rng = random.Random(seed)
    results: dict[str, Any] = {"corpus": str(corpus) if corpus else None, "seed": seed}
    started = time.perf_counter()
    if docs is None:
        if corpus is None:
            raise ValueError("give a corpus folder or documents")
        docs = load_documents(corpus, sample=sample, seed=seed)
    results["documents"] = len(docs)
    results["load_seconds"] = round(time.perf_counter() - started, 1)
    with tempfile.TemporaryDirectory(prefix="kb-search-") as scratch:
        home = home or Path(scratch) / "home"
        results["build"] = build_index(home, docs, batch)
        table = entry_table(home)
        keys = list(table)
        entries = [table[k][2] for k in keys]
        results["clauses"] = len(entries)
        results["clause_chars"] = sum(len(e.text) for e in entries)
        conn = None
        rowids = {k: i + 1 for i, k in enumerate(keys)}
        if fts5:
            conn, results["fts5_build"] = build_fts5(Path(scratch) / "fts5.db", [e.text for e in entries])
        samples = draw_substrings(entries, substrings, rng)
        results["substrings"] = substring_recall(home, table, samples, conn, rowids)
        by_chars = draw_substrings(entries, substrings, rng, by_chars=True)
        results["substrings_by_chars"] = substring_recall(home, table, by_chars, conn, rowids)
        results["known_item"] = known_item(home, docs)
        texts = [e.text for e in entries]
        if jieba_time:
            words, seconds, chars = query_words(texts, rng)
            results["jieba_alone"] = {"seconds": round(seconds, 1), "chars": chars}
        else:
            words, _, _ = query_words(rng.sample(texts, min(3000, len(texts))), rng)
        from kb.search.whoosh_index import open_index

        facets = dict(open_index(home).search("的", limit=0).facets)
        facet_values = {name: [v for v, _ in values] for name, values in facets.items()}
        mix = mixed_queries(words, samples, facet_values, queries, rng)
        results["latency"] = latency(home, mix)
        if cli_runs:
            results["cli"] = cli_time(home, cli_runs)
        results["incremental"] = incremental(home, docs, rng)
        if conn is not None:
            conn.close()
    results["seconds"] = round(time.perf_counter() - started, 1)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus", type=Path, required=True, help="folder of documents (e.g. ../shared/corpus/lawrefbook)"
    )
    parser.add_argument("--sample", type=int, default=None, help="use this many random files of the corpus")
    parser.add_argument("--substrings", type=int, default=1000, help="random substrings for recall (default 1000)")
    parser.add_argument("--queries", type=int, default=1000, help="mixed queries for latency (default 1000)")
    parser.add_argument("--cli-runs", type=int, default=11, help="one-off `kb search` runs to time (default 11)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--home", type=Path, default=None, help="build the index here (default: a temp folder)")
    parser.add_argument("--no-fts5", action="store_true", help="skip the SQLite FTS5 trigram peer")
    parser.add_argument("--no-jieba", action="store_true", help="skip timing jieba on all clause text")
    parser.add_argument("--batch", type=int, default=200,
                        help="documents per index update, as `kb ingest` commits (0: all in one)")  # fmt: skip
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON here")
    args = parser.parse_args(argv)
    results = measure(args.corpus, home=args.home, sample=args.sample, substrings=args.substrings,
                      queries=args.queries, seed=args.seed, cli_runs=args.cli_runs, fts5=not args.no_fts5,
                      jieba_time=not args.no_jieba, batch=args.batch or None)  # fmt: skip
    text = json.dumps(results, ensure_ascii=False, indent=2)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
