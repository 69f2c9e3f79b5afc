"""Measure document subjects against the hand labels in tests/data and list every miss.

    python scripts/measure_subjects.py --home HOME [--shared ../shared] [--stored] [--misses 40]

HOME is a knowledge base of the shared corpus (`kb ingest ../shared/corpus --metadata ../shared/corpus/manifest.csv`).
Corpus documents (tests/data/subjects_corpus.tsv, keyed by path under ../shared) are rescored with the current
lexicons from the stored clauses (``--stored`` reads the subjects stored at ingest instead); portal titles
(tests/data/subjects_portals.tsv, and subjects_portals_holdout.tsv, labelled after the lexicon was tuned on the
first) are scored from the title alone, as `kb ingest LIST.csv` does. Reports
precision and recall of 数据治理 on: 2020 provincial documents, 2011–2020 documents of every level, all labelled
corpus documents, and portal titles; and how often each sub-subject is given.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.store.sqlite import Store  # noqa: E402
from kb.topics.subjects import has_subject, load_subjects, score_subjects  # noqa: E402
from kb.topics.tag import load_lexicon, tag_topics  # noqa: E402

DATA = ROOT / "tests" / "data"
UMBRELLA = "数据治理"


def read_labels(path: Path) -> list[dict[str, str]]:
    """The rows of a label TSV (its first line is a comment)."""
    with path.open(encoding="utf-8") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def prf(pairs: list[tuple[bool, bool]]) -> tuple[float, float, int, int, int]:
    """Precision, recall, true positives, false positives, false negatives of (gold, predicted) pairs."""
    tp = sum(1 for g, p in pairs if g and p)
    fp = sum(1 for g, p in pairs if p and not g)
    fn = sum(1 for g, p in pairs if g and not p)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, tp, fp, fn


def corpus_predictions(home: Path, labels: list[dict[str, str]], stored: bool) -> dict[str, tuple[set[str], dict]]:
    """Label path -> (subjects given, the document's year and level)."""
    subjects = load_subjects()
    topics = load_lexicon()
    out: dict[str, tuple[set[str], dict]] = {}
    with Store.open(home) as store:
        by_path = {Path(s.path).as_posix(): s for s in store.summaries()}
        for label in labels:
            match = next((s for p, s in by_path.items() if p.endswith("/" + label["path"])), None)
            if match is None:
                continue
            info = {"year": match.meta.year, "level": match.meta.level.value if match.meta.level else None}
            if stored:
                out[label["path"]] = (set(match.subjects), info)
                continue
            doc = store.get_document(match.id)
            assert doc is not None
            scores = score_subjects(doc.title, doc.clauses, tag_topics(doc, topics), subjects)
            out[label["path"]] = (set(has_subject(scores)), info)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--stored", action="store_true", help="use the subjects stored at ingest")
    parser.add_argument("--misses", type=int, default=40)
    args = parser.parse_args()

    started = time.perf_counter()
    corpus = read_labels(DATA / "subjects_corpus.tsv")
    predicted = corpus_predictions(args.home, corpus, args.stored)
    missing = [row["path"] for row in corpus if row["path"] not in predicted]
    sets: dict[str, list[tuple[bool, bool]]] = {"2020 provincial": [], "2011-2020 every level": [], "all corpus": []}
    misses: list[str] = []
    given: Counter[str] = Counter()
    for row in corpus:
        if row["path"] not in predicted:
            continue
        subjects, info = predicted[row["path"]]
        gold, pred = row["data_governance"] == "yes", UMBRELLA in subjects
        given.update(subjects)
        sets["all corpus"].append((gold, pred))
        if info["year"] is not None and 2011 <= info["year"] <= 2020:
            sets["2011-2020 every level"].append((gold, pred))
        if info["year"] == 2020 and info["level"] == "provincial":
            sets["2020 provincial"].append((gold, pred))
        if gold != pred:
            kind = "missed" if gold else "wrong"
            misses.append(f"  {kind:6} corpus  {row['title']}  ({row['reason']}) -> {sorted(subjects) or '-'}")

    lexicon = load_subjects()
    for name, file in (
        ("portal titles", "subjects_portals.tsv"),
        ("portal titles, held out", "subjects_portals_holdout.tsv"),
    ):
        sets[name] = []
        for row in read_labels(DATA / file):
            subjects = has_subject(score_subjects(row["title"], lexicon=lexicon))
            gold, pred = row["data_governance"] == "yes", UMBRELLA in subjects
            sets[name].append((gold, pred))
            if gold != pred:
                kind = "missed" if gold else "wrong"
                misses.append(f"  {kind:6} {name}  {row['title']}  ({row['reason']}) -> {sorted(subjects) or '-'}")

    print(f"数据治理 (main subject) against hand labels; corpus {'as stored' if args.stored else 'rescored'}")
    print(f"{'set':24} {'n':>5} {'yes':>4} {'P':>6} {'R':>6}  tp/fp/fn")
    for name, pairs in sets.items():
        p, r, tp, fp, fn = prf(pairs)
        print(f"{name:24} {len(pairs):5} {tp + fn:4} {p:6.3f} {r:6.3f}  {tp}/{fp}/{fn}")
    print("sub-subjects given to labelled corpus documents: " + ", ".join(f"{k} {v}" for k, v in given.most_common()))
    if missing:
        print(f"{len(missing)} labelled paths not in {args.home}: {missing[:5]}")
    print(f"misses ({len(misses)}):")
    for line in misses[: args.misses]:
        print(line)
    print(f"{time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
