"""Measure clause topic tags against the hand judgements in tests/data/clause_tags*.tsv (three samples).

    python scripts/measure_clause_tags.py --home HOME

HOME is a knowledge base of the shared corpus. The labelled tags were sampled from a build and judged by hand;
each document is re-tagged with the current lexicon, and precision per topic is reported on the labelled tags the
lexicon still gives (a tag it no longer gives has left the sample), beside the precision of the sample as drawn.
Also: the share of 个人信息 tags that rest on 隐私 alone, of 数据共享 tags that rest only on 信息共享 / 互联互通 /
资源共享, and the articles of 数据安全法 with no tag.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.models import ClauseKind  # noqa: E402
from kb.store.sqlite import Store  # noqa: E402
from kb.topics.tag import load_lexicon, tag_topics  # noqa: E402

# The first sample was drawn before the lexicon review (and looked at during it); the fresh one after it (its wrong
# tags were read for the second review); the blind one after both, judged by someone who saw neither the lexicon
# nor the earlier labels.
LABEL_FILES = tuple(ROOT / "tests" / "data" / name
                    for name in ("clause_tags.tsv", "clause_tags_fresh.tsv", "clause_tags_blind.tsv"))  # fmt: skip
WEAK_SHARING = {"信息共享", "互联互通", "资源共享"}


def _labels(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t"))


def _table(name: str, drawn: Counter[tuple[str, bool]], kept: Counter[tuple[str, bool]]) -> None:
    print(name)
    print(f"{'topic':10} {'drawn':>5} {'P drawn':>8} {'kept':>5} {'P kept':>7}")
    for topic in sorted({t for t, _ in drawn}):
        d_ok, d_no = drawn[(topic, True)], drawn[(topic, False)]
        k_ok, k_no = kept[(topic, True)], kept[(topic, False)]
        p_kept = k_ok / (k_ok + k_no) if k_ok + k_no else float("nan")
        print(f"{topic:10} {d_ok + d_no:5} {d_ok / (d_ok + d_no):8.3f} {k_ok + k_no:5} {p_kept:7.3f}")
    k_ok = sum(n for (_, ok), n in kept.items() if ok)
    k_all = sum(kept.values())
    print(f"{'all':10} {sum(drawn.values()):5} {'':8} {k_all:5} {k_ok / max(1, k_all):7.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, required=True)
    args = parser.parse_args()
    lexicon = load_lexicon()
    privacy = sharing = privacy_alone = sharing_weak = 0
    with Store.open(args.home) as store:
        by_path = {Path(s.path).as_posix(): s.id for s in store.summaries()}
        tags_of: dict[str, set[tuple[str, str]]] = {}
        for labels_file in LABEL_FILES:
            drawn: Counter[tuple[str, bool]] = Counter()
            kept: Counter[tuple[str, bool]] = Counter()
            for label in _labels(labels_file):
                doc_id = next((i for p, i in by_path.items() if p.endswith("/" + label["path"])), None)
                if doc_id is None:
                    continue
                if doc_id not in tags_of:
                    doc = store.get_document(doc_id)
                    assert doc is not None
                    tags_of[doc_id] = {(t.clause_id, t.topic) for t in tag_topics(doc, lexicon)}
                ok = label["correct"] == "yes"
                drawn[(label["topic"], ok)] += 1
                if (label["clause_id"], label["topic"]) in tags_of[doc_id]:
                    kept[(label["topic"], ok)] += 1
            _table(labels_file.name, drawn, kept)
        dsl = next((i for p, i in by_path.items() if p.endswith("/数据安全法(2021-06-10).md")), None)
        untagged = total_articles = 0
        for doc in store.iter_documents():
            tags = tag_topics(doc, lexicon)
            for tag in tags:
                if tag.topic == "个人信息":
                    privacy += 1
                    privacy_alone += set(tag.terms) == {"隐私"}
                if tag.topic == "数据共享":
                    sharing += 1
                    sharing_weak += set(tag.terms) <= WEAK_SHARING
            if doc.id == dsl:
                tagged = {t.clause_id for t in tags}
                articles = [c for c in doc.clauses if c.kind is ClauseKind.ARTICLE]
                total_articles = len(articles)
                untagged = sum(1 for c in articles if c.id not in tagged)
    print(f"个人信息 tags resting on 隐私 alone: {privacy_alone} of {privacy} ({privacy_alone / max(1, privacy):.1%})")
    print(f"数据共享 tags resting only on 信息共享/互联互通/资源共享: {sharing_weak} of {sharing} "
          f"({sharing_weak / max(1, sharing):.1%})")  # fmt: skip
    print(f"数据安全法 articles with no tag: {untagged} of {total_articles}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
