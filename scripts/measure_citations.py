"""Citation benchmark: the shared corpus -> counts, resolution rates, sample precision/recall, gains and losses.

Run on the whole lawrefbook corpus (about a minute on one core):

    nice python scripts/measure_citations.py --previous indexes/citations_previous.json

What it reports, and how each number is checked independently of the resolver:

* citations found, by kind and by relation;
* titles: of the 《》 citations whose title names a document of the corpus -- judged by the corpus manifest's
  titles (the answer key) under a plain normalisation written here, not kb's -- the share that resolve to a
  document with that manifest title;
* pinpoints: of those resolved titles with an article pinpoint, where the target file has a line starting with that
  article number, the share whose target clause is that article or lies inside it;
* internal references: the share resolved to a clause (of all, and of those whose article exists in the file);
* the hand-checked sample tests/data/citations_sample.tsv: precision and recall of found-and-resolved citations
  over the sampled articles (every citation in those articles is listed there);
* the most frequent unresolved titles, and what changed against the previous run's citation keys (--previous).
"""

from __future__ import annotations

import argparse
import collections
import csv
import hashlib
import json
import re
import sys
import time
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.citations.find import find_citations  # noqa: E402
from kb.citations.patterns import parse_pinpoint  # noqa: E402
from kb.citations.resolve import ClauseTree, TitleIndex, doc_date, expand, resolve  # noqa: E402
from kb.errors import KbError  # noqa: E402
from kb.extract import extract_bytes  # noqa: E402
from kb.metadata.read import read_metadata  # noqa: E402
from kb.models import Citation, CitationKind, Clause, ClauseKind, DocSummary, Document  # noqa: E402
from kb.normalize.numerals import parse_number, to_chinese  # noqa: E402
from kb.segment.segmenter import build_body, segment  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "lawrefbook"
MANIFEST = ROOT.parent / "shared" / "corpus" / "manifest.csv"
SAMPLE = ROOT / "tests" / "data" / "citations_sample.tsv"

# The manifest's titles under a plain normalisation of this benchmark's own (brackets, spaces, the country prefix).
_PLAIN_NOISE = re.compile(r"[\s《》〈〉<>、]")
# An article number at the start of a line of a corpus file: the independent check that an article exists.
_ARTICLE_LINE = re.compile(r"^\s*第([零〇一二两三四五六七八九十百千]+)条(?:之([一二三四五六七八九十]+))?", re.M)
# The article a pinpoint starts with: 第二十一条 or 第二十一条之一.
_PINPOINT_ARTICLE = re.compile(r"^第([零〇一二两三四五六七八九十百千]+)条(?:之([一二三四五六七八九十]+))?")


def plain(title: str) -> str:
    """The benchmark's own title key: NFKC, no brackets or spaces, no 中华人民共和国 anywhere."""
    return _PLAIN_NOISE.sub("", unicodedata.normalize("NFKC", title)).replace("中华人民共和国", "")


def load_document(path: Path, corpus: Path = CORPUS) -> Document:
    """One corpus file through kb's per-document stages (extract, body, metadata, segment), without citations."""
    data = path.read_bytes()
    extracted = extract_bytes(data, str(path))
    body = build_body(extracted.blocks)
    meta = read_metadata(extracted, body)
    relative = path.relative_to(corpus).as_posix()
    doc_id = hashlib.sha1(relative.encode("utf-8")).hexdigest()[:12]
    segmentation = segment(doc_id, body)
    return Document(
        id=doc_id, path=relative, format=extracted.format, sha256=hashlib.sha256(data).hexdigest(),
        title=meta.title or extracted.title, info=extracted.info, body=body, meta=meta,
        clauses=segmentation.clauses, warnings=extracted.warnings, grammar=segmentation.grammar,
    )  # fmt: skip


def summary_of(doc: Document) -> DocSummary:
    """The summary row the resolver indexes a document by."""
    return DocSummary(id=doc.id, path=doc.path, format=doc.format, title=doc.title, meta=doc.meta,
                      clause_count=len(doc.clauses))  # fmt: skip


def load_corpus(corpus: Path, paths: Iterable[Path] | None = None) -> tuple[list[Document], list[str]]:
    """Every readable Markdown file of the corpus as a Document, and the files kb refuses (with the reason)."""
    docs: list[Document] = []
    refused: list[str] = []
    for path in sorted(paths if paths is not None else corpus.rglob("*.md")):
        try:
            docs.append(load_document(path, corpus))
        except KbError as exc:
            refused.append(str(exc))
    return docs, refused


def find_and_resolve(
    docs: Sequence[Document],
) -> tuple[dict[str, tuple[Citation, ...]], dict[str, tuple[Citation, ...]]]:
    """Citations per document as found, and as resolved against an index of all ``docs``."""
    by_id = {d.id: d for d in docs}
    found = {d.id: find_citations(d) for d in docs}
    index = TitleIndex.build((summary_of(d) for d in docs), lambda doc_id: by_id[doc_id].clauses)
    resolved = {d.id: resolve(found[d.id], index, summary_of(d)) for d in docs}
    return found, resolved


# -- independent checks ----------------------------------------------------------------------------------------------


def manifest_titles(manifest: Path) -> dict[str, str]:
    """path -> plain title, from the manifest (the answer key)."""
    with manifest.open(encoding="utf-8") as handle:
        return {row["path"]: plain(row["title"]) for row in csv.DictReader(handle)}


def file_articles(path: Path) -> set[tuple[int, int | None]]:
    """(number, 之 number) of every line of a corpus file that starts with an article number."""
    text = path.read_text(encoding="utf-8")
    text = text.split("<!-- INFO END -->", 1)[-1]
    out = set()
    for m in _ARTICLE_LINE.finditer(text):
        number = parse_number(m.group(1))
        if number is not None:
            out.add((number, parse_number(m.group(2)) if m.group(2) else None))
    return out


def pinpoint_article(pinpoint: str | None) -> tuple[int, int | None] | None:
    """The article a pinpoint starts with, or None (前款, 第二款, 第三章...)."""
    if not pinpoint:
        return None
    m = _PINPOINT_ARTICLE.match(pinpoint)
    if not m:
        return None
    number = parse_number(m.group(1))
    return (number, parse_number(m.group(2)) if m.group(2) else None) if number is not None else None


def pinpoint_articles(pinpoint: str | None) -> set[tuple[int, int | None]]:
    """Every article a pinpoint names: one, or each article of a range (第十条至第十二条)."""
    parsed = parse_pinpoint(pinpoint) if pinpoint else None
    if parsed is None:
        return set()
    out = set()
    for path in expand(parsed):
        article = next((u for u in path if u.unit == "条"), None)
        if article is not None:
            out.add((article.number, article.sub))
    return out


def _ratio(hit: int, total: int) -> float:
    return round(hit / total, 4) if total else 1.0


def citation_key(doc: Document, c: Citation, by_id: dict[str, Document]) -> str:
    """A readable, stable key of a resolved citation for the gains/losses report."""
    target = "-"
    if c.target_doc:
        target_doc = by_id.get(c.target_doc)
        target = (target_doc.path if target_doc else c.target_doc) + (f"#{c.target_clause}" if c.target_clause else "")
    return f"{doc.path}#{c.clause_id} {c.kind.value}/{c.relation.value} {c.text} -> {target}"


# -- the hand-checked sample -----------------------------------------------------------------------------------------


def read_sample(path: Path) -> list[dict[str, str]]:
    """Rows of the sample: path, article, words, target_title, target_clause (see the file's header comments)."""
    with path.open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def clause_label(tree: ClauseTree, clause_id: str | None) -> str:
    """A clause as citations name it: 第二十一条第二款第三项, with 第一款 left out of an article of one paragraph
    (第十条第二项), a chapter by its number; "" for the whole document."""
    clause = tree.by_id.get(clause_id) if clause_id else None
    if clause is None:
        return ""
    parts: list[str] = []
    current: Clause | None = clause
    while current is not None:
        if current.kind is ClauseKind.ARTICLE:
            parts.append(current.number or "")
            break
        if current.kind is ClauseKind.PARAGRAPH and current.ordinal:
            parent = tree.by_id.get(current.parent) if current.parent else None
            if parent is None or len(tree.kids(parent, ClauseKind.PARAGRAPH)) > 1:
                parts.append(f"第{to_chinese(current.ordinal)}款")
        elif current.kind in (ClauseKind.POINT, ClauseKind.SUBPOINT) and current.ordinal:
            parts.append(f"第{to_chinese(current.ordinal)}{'项' if current.kind is ClauseKind.POINT else '目'}")
        elif current is clause:
            parts.append(current.number or current.id)
        current = tree.by_id.get(current.parent) if current.parent else None
    return "".join(reversed(parts))


def describe_target(c: Citation, by_id: dict[str, Document], trees: dict[str, ClauseTree]) -> tuple[str, str]:
    """(title, clause) a citation resolved to, in the sample's terms: ("internal", 第十条第一款), (<title>, 第五条),
    (<title>, "") for a whole document, (<title as cited>, "absent") when the knowledge base lacks it."""
    if c.target_doc is None:
        return ("internal", "?") if c.kind is CitationKind.INTERNAL else (c.title or "?", "absent")
    target = by_id[c.target_doc]
    tree = trees.setdefault(target.id, ClauseTree(target.clauses))
    label = clause_label(tree, c.target_clause)
    if c.kind is CitationKind.INTERNAL and c.target_doc == c.doc_id:
        return "internal", label
    return target.title or "?", label


def score_sample(rows: Sequence[dict[str, str]], docs: Sequence[Document],
                 resolved: dict[str, tuple[Citation, ...]]) -> dict[str, Any]:  # fmt: skip
    """Precision and recall of the found-and-resolved citations in the sampled articles against the sample.

    A citation counts as right when its words and its target (document title, clause) both agree with a row.
    """
    by_path = {d.path: d for d in docs}
    by_id = {d.id: d for d in docs}
    trees: dict[str, ClauseTree] = {}
    gold: dict[tuple[str, str], list[tuple[str, str, str]]] = collections.defaultdict(list)
    for row in rows:
        gold.setdefault((row["path"], row["article"]), [])
        if row["words"] != "-":
            gold[(row["path"], row["article"])].append((row["words"], row["target_title"], row["target_clause"] or ""))
    tp = fp = fn = 0
    misses: list[str] = []
    for (path, article), expected in gold.items():
        doc = by_path.get(path)
        if doc is None:
            fn += len(expected)
            misses.append(f"missing document {path}")
            continue
        tree = trees.setdefault(doc.id, ClauseTree(doc.clauses))
        remaining = list(expected)
        for c in resolved[doc.id]:
            owner = tree.ancestor(tree.by_id.get(c.clause_id), ClauseKind.ARTICLE)
            if owner is None or clause_label(tree, owner.id) != article:
                continue
            title, clause = describe_target(c, by_id, trees)
            match = next((e for e in remaining if e[0] == c.text and plain(e[1]) == plain(title) and e[2] == clause),
                         None)  # fmt: skip
            if match is None:
                fp += 1
                misses.append(f"extra   {path} {article}: {c.text} -> {title} {clause}")
            else:
                tp += 1
                remaining.remove(match)
        for words, title, clause in remaining:
            fn += 1
            misses.append(f"missed  {path} {article}: {words} -> {title} {clause}")
    return {
        "citations": sum(len(v) for v in gold.values()),
        "articles": len(gold),
        "true_positives": tp,
        "false_positives": fp,
        "false_negatives": fn,
        "precision": _ratio(tp, tp + fp),
        "recall": _ratio(tp, tp + fn),
        "misses": misses,
    }


# -- the benchmark ---------------------------------------------------------------------------------------------------


def measure(corpus: Path = CORPUS, manifest: Path = MANIFEST, sample: Path | None = SAMPLE,
            previous: Path | None = None, top: int = 30) -> dict[str, Any]:  # fmt: skip
    """Run finding and resolution over ``corpus`` and return every number of the report (see the module doc)."""
    started = time.perf_counter()
    docs, refused = load_corpus(corpus)
    loaded = time.perf_counter()
    found, resolved = find_and_resolve(docs)
    done = time.perf_counter()
    by_id = {d.id: d for d in docs}
    answer = manifest_titles(manifest)
    paths_by_title: dict[str, set[str]] = collections.defaultdict(set)
    for path, title in answer.items():
        paths_by_title[title].add(path)

    kinds = collections.Counter(c.kind.value for cs in found.values() for c in cs)
    relations = collections.Counter(c.relation.value for cs in found.values() for c in cs)

    title_total = title_hit = 0
    pin_total = pin_hit = pin_later = 0
    internal_total = internal_hit = internal_exists = internal_exists_hit = 0
    title_misses: list[str] = []
    pin_misses: list[str] = []
    internal_misses: list[str] = []
    unresolved: collections.Counter[str] = collections.Counter()
    articles_cache: dict[str, set[tuple[int, int | None]]] = {}

    def articles_of(doc: Document) -> set[tuple[int, int | None]]:
        if doc.path not in articles_cache:
            articles_cache[doc.path] = file_articles(corpus / doc.path)
        return articles_cache[doc.path]

    for doc in docs:
        for c in resolved[doc.id]:
            if c.kind is CitationKind.INTERNAL:
                internal_total += 1
                internal_hit += c.target_clause is not None
                article = pinpoint_article(c.pinpoint)
                exists = article is None or article in articles_of(doc)
                if exists:
                    internal_exists += 1
                    internal_exists_hit += c.target_clause is not None
                    if c.target_clause is None and len(internal_misses) < top:
                        internal_misses.append(f"{doc.path}#{c.clause_id}: {c.text} ({c.reason})")
                continue
            if c.target_doc is None:
                unresolved[c.title or "?"] += 1
            if c.kind is not CitationKind.TITLE:
                continue
            key = plain(c.title or "")
            holders = paths_by_title.get(key, set()) - {doc.path}
            if not holders:
                continue
            title_total += 1
            target = by_id.get(c.target_doc) if c.target_doc else None
            ok = target is not None and target.path in holders
            title_hit += ok
            if not ok and len(title_misses) < top:
                title_misses.append(f"{doc.path}#{c.clause_id}: {c.text} -> {target.path if target else c.reason}")
            named = pinpoint_articles(c.pinpoint)
            if not ok or target is None or not named or not named & articles_of(target):
                continue
            if doc_date(summary_of(target)) and doc_date(summary_of(doc)) and \
                    doc_date(summary_of(target)) > doc_date(summary_of(doc)):  # fmt: skip
                pin_later += 1  # the version cited is not in the corpus: its numbering may differ
                continue
            pin_total += 1
            tree = ClauseTree(target.clauses)
            clause = tree.by_id.get(c.target_clause) if c.target_clause else None
            owner = tree.ancestor(clause, ClauseKind.ARTICLE)
            pin_ok = owner is not None and (owner.ordinal, owner.sub) in named
            pin_hit += pin_ok
            if not pin_ok and len(pin_misses) < top:
                pin_misses.append(f"{doc.path}#{c.clause_id}: {c.text} -> {target.path}#{c.target_clause} ({c.reason})")

    keys = sorted({citation_key(d, c, by_id) for d in docs for c in resolved[d.id]})
    changes: dict[str, Any] = {"previous": None}
    if previous is not None and previous.exists():
        before = set(json.loads(previous.read_text(encoding="utf-8")))
        now = set(keys)
        gained, lost = sorted(now - before), sorted(before - now)
        changes = {"previous": str(previous), "gained": len(gained), "lost": len(lost),
                   "gained_examples": gained[:top], "lost_examples": lost[:top]}  # fmt: skip
    if previous is not None:
        previous.parent.mkdir(parents=True, exist_ok=True)
        previous.write_text(json.dumps(keys, ensure_ascii=False, indent=0), encoding="utf-8")

    report: dict[str, Any] = {
        "documents": len(docs),
        "refused": refused,
        "citations": sum(kinds.values()),
        "by_kind": dict(kinds.most_common()),
        "by_relation": dict(relations.most_common()),
        "titles_in_corpus": title_total,
        "titles_resolved": title_hit,
        "title_resolution": _ratio(title_hit, title_total),
        "title_misses": title_misses,
        "pinpoints_to_existing_articles": pin_total,
        "pinpoints_resolved": pin_hit,
        "pinpoint_resolution": _ratio(pin_hit, pin_total),
        "pinpoints_to_later_versions": pin_later,
        "pinpoint_misses": pin_misses,
        "internal": internal_total,
        "internal_resolved": internal_hit,
        "internal_resolution": _ratio(internal_hit, internal_total),
        "internal_target_exists": internal_exists,
        "internal_existing_resolved": internal_exists_hit,
        "internal_existing_resolution": _ratio(internal_exists_hit, internal_exists),
        "internal_misses": internal_misses,
        "top_unresolved_titles": unresolved.most_common(top),
        "changes": changes,
        "seconds": {"load": round(loaded - started, 1), "find_and_resolve": round(done - loaded, 1)},
    }
    if sample is not None and sample.exists():
        report["sample"] = score_sample(read_sample(sample), docs, resolved)
    return report


def _print(report: dict[str, Any]) -> None:
    out = sys.stdout
    out.write(f"documents {report['documents']} (refused {len(report['refused'])}); citations {report['citations']}\n")
    out.write(f"  by kind: {report['by_kind']}\n  by relation: {report['by_relation']}\n")
    out.write(f"titles in the corpus resolved: {report['titles_resolved']}/{report['titles_in_corpus']} "
              f"= {report['title_resolution']:.2%}\n")  # fmt: skip
    out.write(
        f"pinpoints to existing articles resolved: {report['pinpoints_resolved']}/"
        f"{report['pinpoints_to_existing_articles']} = {report['pinpoint_resolution']:.2%} (left out: "
        f"{report['pinpoints_to_later_versions']} whose cited version predates every version in the corpus)\n"
    )
    out.write(f"internal references resolved: {report['internal_resolved']}/{report['internal']} = "
              f"{report['internal_resolution']:.2%}; to existing articles: {report['internal_existing_resolved']}/"
              f"{report['internal_target_exists']} = {report['internal_existing_resolution']:.2%}\n")  # fmt: skip
    sample = report.get("sample")
    if sample:
        out.write(f"sample ({sample['citations']} citations in {sample['articles']} articles): precision "
                  f"{sample['precision']:.2%}, recall {sample['recall']:.2%}\n")  # fmt: skip
        for line in sample["misses"]:
            out.write(f"  {line}\n")
    for name in ("title_misses", "pinpoint_misses", "internal_misses"):
        if report[name]:
            out.write(f"{name.replace('_', ' ')} (first {len(report[name])}):\n")
            out.writelines(f"  {line}\n" for line in report[name])
    out.write("top unresolved titles:\n")
    out.writelines(f"  {n:5d}  {title}\n" for title, n in report["top_unresolved_titles"])
    changes = report["changes"]
    if changes.get("previous") and "gained" in changes:
        out.write(f"against {changes['previous']}: gained {changes['gained']}, lost {changes['lost']}\n")
        out.writelines(f"  + {k}\n" for k in changes["gained_examples"])
        out.writelines(f"  - {k}\n" for k in changes["lost_examples"])
    out.write(f"seconds: {report['seconds']}\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Print the citation benchmark (or its JSON with --json); keep this run's keys in --previous for the next."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--manifest", type=Path, default=MANIFEST)
    parser.add_argument("--sample", type=Path, default=SAMPLE)
    parser.add_argument("--previous", type=Path, default=None, help="JSON file of the last run's citation keys")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = measure(args.corpus, args.manifest, args.sample, args.previous, args.top)
    if args.json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    else:
        _print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
