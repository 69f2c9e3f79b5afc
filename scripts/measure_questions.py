"""Measure kb's answers to real questions (STARD): Recall@1/10/100 and MRR beside rank_bm25 over jieba words.

    python scripts/measure_questions.py --home /work/homes/corpus --out questions.json
    python scripts/measure_questions.py --home HOME --half tune     # only the half the weights were tuned on

The questions are ``../shared/eval/stard/queries-dev.json`` (real legal-consultation questions with the articles
that answer them). A hit is right when its law (title less 中华人民共和国 wherever it stands, 《》 and a trailing
(YYYY…)) and its article number equal a gold article's. kb answers each question as ``kb search`` does, with
``--level national`` (the questions are about national law); the peer is rank_bm25's BM25Okapi over jieba words
of the same national articles, built in the same run. The questions are split in two halves by query id (even:
*tune*, odd: *check*); kb's weights were chosen on the *tune* half only (on its first 250 questions), and both
halves are reported. Latency is kb's in-process time per question at the CLI's default of 10 hits (facet counts
included), measured in a second pass after the recall pass (top 100); the CLI's wall time on a few questions.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STARD = ROOT.parent / "shared" / "eval" / "stard" / "queries-dev.json"
NATIONAL_PREFIX = "中华人民共和国"
# A trailing version year of a title: 中华人民共和国公司法(2023修订) -> 公司法.
TITLE_YEAR = re.compile(r"[（(]\d{4}[^）)]*[）)]$")
# A gold name's article number at its end: ...民法典第五十六条, ...第十条之一.
GOLD_ARTICLE = re.compile(r"(第[零〇一二三四五六七八九十百千两]+条(?:之[一二三四五六七八九十]+)?)$")
CUTOFFS = (1, 10, 100)
CLI_QUESTIONS = ("公司不给交社保怎么办", "个人信息出境需要什么手续", "离婚后孩子抚养费怎么算")


def law_key(title: str) -> str:
    """The relevance rule's form of a law's title."""
    title = title.strip().replace("《", "").replace("》", "")
    title = TITLE_YEAR.sub("", title)
    return title.replace(NATIONAL_PREFIX, "")  # also inside: 最高人民法院关于适用中华人民共和国民法典…的解释


def gold_keys(item: dict[str, Any]) -> set[tuple[str, str]]:
    keys = set()
    for name in item["match_name"]:
        match = GOLD_ARTICLE.search(name)
        if match:
            keys.add((law_key(name[: match.start()]), match.group(1)))
    return keys


def hit_key(title: str | None, number: str | None) -> tuple[str, str]:
    return (law_key(title or ""), number or "")


def metrics(ranks: list[int | None]) -> dict[str, float]:
    """Recall@k (share of questions with a right hit in the top k) and MRR over the first right hit."""
    n = max(1, len(ranks))
    out = {f"recall@{k}": round(sum(1 for r in ranks if r is not None and r <= k) / n, 4) for k in CUTOFFS}
    out["mrr"] = round(sum(1.0 / r for r in ranks if r is not None) / n, 4)
    return out


def first_right(keys: list[tuple[str, str]], gold: set[tuple[str, str]]) -> int | None:
    for rank, key in enumerate(keys, 1):
        if key in gold:
            return rank
    return None


def national_articles(home: Path) -> list[tuple[tuple[str, str], str]]:
    """(law key, article number) and text of every national article in the index (what the peer ranks)."""
    from kb.search.whoosh_index import open_index

    index = open_index(home)
    articles = []
    for part in index.snapshot().parts:
        codes, values = part.data.column("level")
        national = {i for i, v in enumerate(values) if v == "national"}
        for local in range(part.size):
            if not part.alive[local] or part.is_doc[local] or int(codes[local]) not in national:
                continue
            entry = part.entry(local)
            if entry.number and entry.number.endswith("条"):
                articles.append((hit_key(entry.title, entry.number), entry.text))
    return articles


def run_peer(articles: list[tuple[tuple[str, str], str]], questions: list[dict[str, Any]]) -> tuple[list, float]:
    import jieba
    from rank_bm25 import BM25Okapi

    jieba.setLogLevel(60)
    started = time.perf_counter()
    corpus = [[w for w in jieba.lcut(text) if w.strip()] for _, text in articles]
    bm25 = BM25Okapi(corpus)
    build = time.perf_counter() - started
    ranks = []
    for item in questions:
        tokens = [w for w in jieba.lcut(item["问题"]) if w.strip()]
        scores = bm25.get_scores(tokens)
        import numpy as np

        top = np.argsort(-scores)[:100]
        ranks.append(first_right([articles[i][0] for i in top], gold_keys(item)))
    return ranks, build


def run_kb(home: Path, questions: list[dict[str, Any]]) -> tuple[list[int | None], list[float], list[bool]]:
    from kb.search.whoosh_index import open_index

    index = open_index(home)
    index.search("公司不给交社保怎么办 level:national", limit=100)  # warm the caches, as a running process has them
    ranks, seconds, as_question = [], [], []
    for item in questions:
        result = index.search(item["问题"], filters=_national(), limit=100)
        as_question.append(result.mode == "question")
        ranks.append(first_right([hit_key(h.title, h.number) for h in result.hits], gold_keys(item)))
    for item in questions:
        started = time.perf_counter()
        index.search(item["问题"], filters=_national())
        seconds.append(time.perf_counter() - started)
    return ranks, seconds, as_question


def _national() -> Any:
    from kb.models import DocFilter, Level

    return DocFilter(level=Level.NATIONAL)


def cli_wall(home: Path) -> list[float]:
    times = []
    for question in CLI_QUESTIONS:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "kb", "--home", str(home), "search", question, "--json"], check=True,
                       capture_output=True, cwd=ROOT)  # fmt: skip
        times.append(round(time.perf_counter() - started, 3))
    return times


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, required=True, help="a knowledge base of the shared corpus")
    parser.add_argument("--questions", type=Path, default=STARD)
    parser.add_argument("--half", choices=("all", "tune", "check"), default="all")
    parser.add_argument("--no-peer", action="store_true", help="skip rank_bm25 (when tuning)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    questions = json.loads(args.questions.read_text(encoding="utf-8"))
    if args.half != "all":
        parity = 0 if args.half == "tune" else 1
        questions = [q for q in questions if int(q["query_id"]) % 2 == parity]
    halves = {"tune": [i for i, q in enumerate(questions) if int(q["query_id"]) % 2 == 0],
              "check": [i for i, q in enumerate(questions) if int(q["query_id"]) % 2 == 1]}  # fmt: skip
    report: dict[str, Any] = {"questions": len(questions)}
    ranks, seconds, as_question = run_kb(args.home, questions)
    report["kb"] = {"all": metrics(ranks), **{h: metrics([ranks[i] for i in ids]) for h, ids in halves.items() if ids}}
    report["kb_latency_ms"] = {"median": round(statistics.median(seconds) * 1000, 1),
                               "p95": round(percentile(seconds, 0.95) * 1000, 1),
                               "max": round(max(seconds) * 1000, 1)}  # fmt: skip
    report["read_as_question"] = round(sum(as_question) / max(1, len(as_question)), 4)
    print(json.dumps(report, ensure_ascii=False), flush=True)
    if not args.no_peer:
        articles = national_articles(args.home)
        peer, build = run_peer(articles, questions)
        report["peer_articles"] = len(articles)
        report["peer_build_s"] = round(build, 1)
        report["rank_bm25"] = {"all": metrics(peer),
                               **{h: metrics([peer[i] for i in ids]) for h, ids in halves.items() if ids}}  # fmt: skip
        report["cli_wall_s"] = cli_wall(args.home)
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if args.out:
        args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
