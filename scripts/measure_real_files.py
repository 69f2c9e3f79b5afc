"""Measure kb on real files as people pass them around: articles with their exact text, title, type, version date.

Usage: python scripts/measure_real_files.py [--json]

For every file of ../shared/fixtures/real-world (answers in its INDEX.tsv) and the text-layer PDFs of
../shared/fixtures/real-pdf (answers in its README), through the pipeline's stages (kb.extract -> kb.segment ->
kb.metadata): the articles of the answer found with the same number and text (punctuation widths folded, since the
corpus writes ":" where the official text has "："; the strict rate beside it), the article count where only a count
is known, and the title, type and version date against the labels in tests/data/real_files_gold.tsv. Where the
answer is another version of the law (the label's same_version is "no"), differing texts are the versions', not
kb's, so those files count apart. Bar: >= 98% of the articles right over the same-version files.
The rendered fixtures of ../shared/fixtures/formats are measured by scripts/measure_formats.py.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from measure_formats import README_ROW, corpus_articles, fold, segment_articles  # noqa: E402

from kb.errors import KbError  # noqa: E402
from kb.extract import extract  # noqa: E402
from kb.metadata.read import read_metadata  # noqa: E402
from kb.segment.segmenter import build_body  # noqa: E402

SHARED = ROOT.parent / "shared"
FIXTURES = SHARED / "fixtures"
LABELS = ROOT / "tests" / "data" / "real_files_gold.tsv"
BAR = 0.98


def answers() -> dict[str, Path | None]:
    """fixture-relative file -> its answer Markdown (None where there is none)."""
    out: dict[str, Path | None] = {}
    with (FIXTURES / "real-world" / "INDEX.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            out[f"real-world/{row['file']}"] = SHARED / row["answer"] if row["answer"] else None
    answer: Path | None = None
    for line in (FIXTURES / "real-pdf" / "README.md").read_text(encoding="utf-8").splitlines():
        match = README_ROW.match(line)
        if match:
            named = match.group("answer").strip()
            if "lawrefbook/" in named:
                answer = SHARED / "corpus" / named
            elif not named.startswith("the same"):
                answer = None
            out[f"real-pdf/{match.group('file').strip()}"] = answer
    return out


def measure_file(name: str, label: dict[str, str], answer: Path | None) -> dict[str, Any]:
    row: dict[str, Any] = {"file": name, "same_version": label["same_version"]}
    try:
        got = extract(FIXTURES / name)
    except KbError as exc:
        return {**row, "error": str(exc)}
    meta = read_metadata(got, build_body(got.blocks))
    mine = segment_articles(list(got.blocks), name)
    row["found"] = len(mine)
    if answer is not None:
        want = corpus_articles(answer.read_text(encoding="utf-8"))
        by_number = dict(mine)
        row["articles"] = len(want)
        row["exact"] = sum(1 for number, text in want if fold(by_number.get(number, "")) == fold(text))
        row["strict"] = sum(1 for number, text in want if by_number.get(number) == text)
        row["numbers"] = sum(1 for number, _ in want if number in by_number)
    row["title"] = meta.title
    row["title_ok"] = (meta.title or "") == label["title"]
    row["type"] = meta.doc_type.value if meta.doc_type else None
    row["type_ok"] = row["type"] == label["type"]
    row["version_date"] = meta.version_date.isoformat() if meta.version_date else None
    row["date_ok"] = None if not label["version_date"] else row["version_date"] == label["version_date"]
    return row


def measure() -> dict[str, Any]:
    known = answers()
    with LABELS.open(encoding="utf-8") as handle:
        labels = list(csv.DictReader(handle, delimiter="\t"))
    rows = [measure_file(label["file"], label, known.get(label["file"])) for label in labels]
    same = [r for r in rows if r["same_version"] == "yes" and "articles" in r]
    total = sum(r["articles"] for r in same)
    right = sum(r["exact"] for r in same)
    return {
        "rows": rows,
        "same_version_articles": total,
        "same_version_right": right,
        "rate": right / total if total else 0.0,
        "titles": sum(bool(r.get("title_ok")) for r in rows) / len(rows),
        "types": sum(bool(r.get("type_ok")) for r in rows) / len(rows),
        "dates": sum(bool(r.get("date_ok")) for r in rows if r.get("date_ok") is not None)
        / max(1, sum(1 for r in rows if r.get("date_ok") is not None)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the whole report as JSON")
    args = parser.parse_args()
    report = measure()
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print("| file | answer same version | articles right / answer (strict) | found | title | type | version date |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for r in report["rows"]:
            if "error" in r:
                print(f"| {r['file']} | | error: {r['error']} | | | | |")
                continue
            arts = f"{r['exact']}/{r['articles']} ({r['strict']})" if "articles" in r else "no answer"
            mark = {True: "ok", False: "WRONG", None: "-"}
            print(
                f"| {r['file']} | {r['same_version'] or '-'} | {arts} | {r['found']} |"
                f" {mark[r['title_ok']]} | {r['type']} {mark[r['type_ok']]} |"
                f" {r['version_date']} {mark[r['date_ok']]} |"
            )
        print(
            f"same-version files: {report['same_version_right']}/{report['same_version_articles']} articles right"
            f" ({report['rate']:.2%}); titles {report['titles']:.0%}, types {report['types']:.0%},"
            f" version dates {report['dates']:.0%}"
        )
    return 0 if report["rate"] >= BAR else 1


if __name__ == "__main__":
    raise SystemExit(main())
