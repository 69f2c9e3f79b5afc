"""Compare kb's rule scorer for the subject 数据治理 with a spaCy ``textcat`` trained on the hand labels.

    python scripts/compare_textcat.py [--folds 5] [--epochs 20] [--seed 0] [--out textcat.json]

Both judge a document from its title alone (what a portal list row is, and the strongest evidence for any
document). Data: the labelled titles of ``tests/data/subjects_corpus.tsv`` and ``subjects_portals.tsv`` (the
development set), and ``subjects_portals_holdout.tsv`` (labelled later). Protocol: k-fold cross-validation over
the development set, stratified by label, with the same folds for both (the rule scorer needs no training; the
classifier is trained on the other folds each time); then the classifier trained on the whole development set and
both measured once on the held-out titles. The textcat is spaCy's bag-of-words model (``TextCatBOW``) over
character uni- to trigrams of a blank Chinese pipeline (spaCy's default character segmentation), with exclusive
classes; it predicts yes when P(yes) >= 0.5.

Caveat printed with the figures: the rule lexicon was written while looking at the development labels' misses,
so its development figures are optimistic; the held-out ones are the fairer comparison.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from measure_subjects import DATA, UMBRELLA, prf, read_labels  # noqa: E402

YES, NO = "yes", "no"


def titles(file: str) -> list[tuple[str, bool]]:
    return [(row["title"], row["data_governance"] == "yes") for row in read_labels(DATA / file)]


def stratified_folds(items: Sequence[tuple[str, bool]], k: int, seed: int) -> list[list[int]]:
    """``k`` folds of indices, each with about the same share of yes labels."""
    rng = random.Random(seed)
    folds: list[list[int]] = [[] for _ in range(k)]
    for label in (True, False):
        members = [i for i, (_, gold) in enumerate(items) if gold is label]
        rng.shuffle(members)
        for n, i in enumerate(members):
            folds[n % k].append(i)
    return folds


def rule_predict(texts: Sequence[str]) -> list[bool]:
    from kb.topics.subjects import has_subject, load_subjects, score_subjects

    lexicon = load_subjects()
    return [UMBRELLA in has_subject(score_subjects(text, lexicon=lexicon)) for text in texts]


def train_textcat(train: Sequence[tuple[str, bool]], epochs: int, seed: int) -> Any:
    import spacy
    from spacy.training import Example
    from spacy.util import fix_random_seed, minibatch

    fix_random_seed(seed)
    nlp = spacy.blank("zh")
    config = {"model": {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": True, "ngram_size": 3,
                        "no_output_layer": False, "length": 262144}}  # fmt: skip
    textcat = nlp.add_pipe("textcat", config=config)
    textcat.add_label(YES)
    textcat.add_label(NO)
    examples = [Example.from_dict(nlp.make_doc(text), {"cats": {YES: float(gold), NO: float(not gold)}})
                for text, gold in train]  # fmt: skip
    optimizer = nlp.initialize(lambda: examples)
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(examples)
        for batch in minibatch(examples, size=16):
            nlp.update(batch, sgd=optimizer, drop=0.2)
    return nlp


def textcat_predict(nlp: Any, texts: Sequence[str]) -> list[bool]:
    return [doc.cats[YES] >= 0.5 for doc in nlp.pipe(texts)]


def row(name: str, pairs: list[tuple[bool, bool]]) -> dict[str, Any]:
    p, r, tp, fp, fn = prf(pairs)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"set": name, "n": len(pairs), "yes": tp + fn, "P": round(p, 3), "R": round(r, 3), "F1": round(f1, 3),
            "tp": tp, "fp": fp, "fn": fn}  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)

    dev = titles("subjects_corpus.tsv") + titles("subjects_portals.tsv")
    held = titles("subjects_portals_holdout.tsv")
    started = time.perf_counter()
    rule_dev = rule_predict([t for t, _ in dev])
    rule_s = time.perf_counter() - started
    cv_rule: list[tuple[bool, bool]] = []
    cv_cat: list[tuple[bool, bool]] = []
    train_s = 0.0
    for fold in stratified_folds(dev, args.folds, args.seed):
        test = set(fold)
        started = time.perf_counter()
        nlp = train_textcat([dev[i] for i in range(len(dev)) if i not in test], args.epochs, args.seed)
        train_s += time.perf_counter() - started
        predicted = textcat_predict(nlp, [dev[i][0] for i in fold])
        cv_cat.extend((dev[i][1], p) for i, p in zip(fold, predicted, strict=True))
        cv_rule.extend((dev[i][1], rule_dev[i]) for i in fold)
    nlp = train_textcat(dev, args.epochs, args.seed)
    held_cat = list(zip([g for _, g in held], textcat_predict(nlp, [t for t, _ in held]), strict=True))
    held_rule = list(zip([g for _, g in held], rule_predict([t for t, _ in held]), strict=True))
    rows = [
        {"scorer": "rules (kb.topics.subjects)", **row(f"dev titles, {args.folds}-fold", cv_rule)},
        {"scorer": "spaCy textcat (BOW, char 1-3 grams)", **row(f"dev titles, {args.folds}-fold", cv_cat)},
        {"scorer": "rules (kb.topics.subjects)", **row("held-out titles", held_rule)},
        {"scorer": "spaCy textcat (BOW, char 1-3 grams)", **row("held-out titles", held_cat)},
    ]
    print(f"数据治理 from the title alone: {len(dev)} development titles, {len(held)} held out")
    print(f"{'scorer':38} {'set':22} {'n':>5} {'yes':>4} {'P':>6} {'R':>6} {'F1':>6}  tp/fp/fn")
    for r in rows:
        print(f"{r['scorer']:38} {r['set']:22} {r['n']:5} {r['yes']:4} {r['P']:6.3f} {r['R']:6.3f} {r['F1']:6.3f}"
              f"  {r['tp']}/{r['fp']}/{r['fn']}")  # fmt: skip
    print(f"rules: {rule_s:.2f} s for {len(dev)} titles; textcat: {train_s:.1f} s to train {args.folds} folds")
    print("caveat: the rule lexicon was tuned on the development labels' misses; the held-out row is the fairer one")
    if args.out:
        args.out.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
