"""Trace benchmark: a knowledge base and hand-graded judgments -> nDCG@10 per relation, implemented-by precision/recall.

    python scripts/measure_trace.py --home /work/homes/corpus            # the figures
    python scripts/measure_trace.py --home /work/homes/corpus --pool     # the unjudged items, to grade

Judgments (tests/data/trace_judgments.tsv) name clauses by title and article number, never by id: ``relation``,
``source`` (中华人民共和国数据安全法 第二十一条), ``item`` (上海市数据条例 第八十条) and ``grade`` (2 right, 1 related,
0 wrong). An item the file does not grade counts as 0 and is counted as unjudged. The implemented-by answer key
(tests/data/implemented_by_gold.tsv) lists, for national articles, every clause of the corpus's local regulations
that implements it (read in the regulations); precision and recall are of the whole implemented-by list
(``--limit 200``, two per document as by default), counting the local items only.

The script uses only `kb.graph.trace.trace`, so running it with PYTHONPATH pointing at an older checkout measures
that checkout (a relation it lacks scores 0).
"""

from __future__ import annotations

import argparse
import csv
import math
import re
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
JUDGMENTS = ROOT / "tests" / "data" / "trace_judgments.tsv"
GOLD = ROOT / "tests" / "data" / "implemented_by_gold.tsv"
K = 10
# The article a clause label starts with (第九条第二款 -> 第九条): judgments are made per article.
ARTICLE = re.compile(r"^第[零〇一二两三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?")


def key(title: str | None, number: str | None) -> str:
    """A clause as judgments name it: its document's title and its article (or its own number)."""
    number = number or ""
    match = ARTICLE.match(number)
    return f"{title or '?'} {match.group(0) if match else number}".strip()


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def run(store: Any, index: Any, source: str, relation: str, limit: int, per_doc: int | None,
        local: bool = False) -> list[str]:  # fmt: skip
    """The item keys kb lists for a source clause and relation, in rank order ([] when the relation is unknown)."""
    from kb.citations.lookup import resolve_id
    from kb.errors import KbError
    from kb.graph.trace import trace

    target = resolve_id(store, source)
    try:
        kwargs: dict[str, Any] = {"per_doc": per_doc} if per_doc != -1 else {}
        result = trace(store, index, target.doc_id, target.clause_id, relations=[relation], limit=limit, **kwargs)
    except (KbError, TypeError):
        return []
    keys: list[str] = []
    for item in result.groups[0].items:
        if item.depth == 1 and not (local and item.level == "national"):
            k = key(item.title, item.number)
            if k not in keys:
                keys.append(k)
    return keys


def ndcg(ranked: list[str], grades: dict[str, int]) -> float:
    dcg = sum((2 ** grades.get(k, 0) - 1) / math.log2(i + 2) for i, k in enumerate(ranked[:K]))
    ideal = sorted(grades.values(), reverse=True)[:K]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--pool", action="store_true", help="print the unjudged items of the top 10 and stop")
    parser.add_argument("--legacy", action="store_true", help="the checkout's trace has no per_doc option")
    args = parser.parse_args()
    try:
        from kb.search.engines import open_search_index as open_index
    except ImportError:  # a checkout from before the engine choice
        from kb.search.whoosh_index import open_index  # type: ignore[assignment]
    from kb.store.sqlite import Store

    judged: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for row in read_tsv(JUDGMENTS):
        grades = judged[(row["relation"], row["source"])]
        if row["item"] != "-":  # a source listed before any of its items is graded
            grades[row["item"]] = int(row["grade"])
    per_doc = -1 if args.legacy else 2
    scores: dict[str, list[float]] = defaultdict(list)
    unjudged: dict[str, int] = defaultdict(int)
    timings: list[float] = []
    with Store.open(args.home) as store:
        index = open_index(args.home)
        for (relation, source), grades in sorted(judged.items()):
            start = time.perf_counter()
            ranked = run(store, index, source, relation, K, per_doc)
            timings.append(time.perf_counter() - start)
            missing = [k for k in ranked[:K] if k not in grades]
            unjudged[relation] += len(missing)
            if args.pool:
                for k in missing:
                    print(f"{relation}\t{source}\t{k}\t?")
                continue
            scores[relation].append(ndcg(ranked, grades))
        if args.pool:
            return
        print(f"{'relation':<16}{'sources':>8}{'nDCG@10':>10}{'unjudged':>10}")
        for relation, values in sorted(scores.items()):
            print(f"{relation:<16}{len(values):>8}{sum(values) / len(values):>10.3f}{unjudged[relation]:>10}")
        timings.sort()
        print(f"median seconds per trace: {timings[len(timings) // 2]:.2f} over {len(timings)}")
        if GOLD.exists():
            gold: dict[str, set[str]] = defaultdict(set)
            for row in read_tsv(GOLD):
                gold[row["source"]].add(row["item"])
            hits = found = wanted = 0
            for source, items in sorted(gold.items()):
                ranked = set(run(store, index, source, "implemented-by", 200, per_doc, local=True))
                hit = len(ranked & items)
                print(f"  {source}: {hit} of {len(ranked)} listed right, {hit} of {len(items)} found")
                hits, found, wanted = hits + hit, found + len(ranked), wanted + len(items)
            precision = hits / found if found else 0.0
            print(f"implemented-by over {len(gold)} articles: precision {precision:.3f} ({hits}/{found}), "
                  f"recall {hits / wanted if wanted else 0.0:.3f} ({hits}/{wanted})")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
