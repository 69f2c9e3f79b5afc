"""Measure segmentation: Markdown corpus files -> article-list accuracy against what each source marks, and speed.

The gold rule reads the raw file and nothing of kb: after ``<!-- INFO END -->``, every paragraph (a non-empty line
that is not a ``#`` heading) starting with 第X条 (Chinese numerals, optionally 之一) opens an article, and the
paragraphs after it up to the next article or heading are its text. kb's list is what
``kb.extract.markdown.extract`` -> ``build_body`` -> ``segment`` gives. A document is exactly right when both lists
have the same numbers and, whitespace ignored, the same texts in the same order.

Files without the marker (user-made Markdown such as ../shared/corpus/provincial) are checked on article numbers
only, taken from lines that start with 第X条 once quote, emphasis and span markup is removed.

    python scripts/measure_segmentation.py --corpus ../shared/corpus/lawrefbook
    python scripts/measure_segmentation.py --corpus ../shared/corpus/provincial --json
    python scripts/measure_segmentation.py --policy ../shared/corpus/govcn
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.errors import KbError  # noqa: E402
from kb.extract.markdown import extract  # noqa: E402
from kb.models import ClauseKind  # noqa: E402
from kb.normalize.clean import normalize_spaces, squeeze  # noqa: E402
from kb.segment.segmenter import Segmentation, build_body, marked_headings, segment  # noqa: E402

# The source's own article mark: a paragraph opening with 第X条 or 第X条之一 (Chinese numerals only).
GOLD_ARTICLE = re.compile(r"^第[零〇一二两三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?")
INFO_END = "<!-- INFO END -->"
# Markup stripped before reading article numbers in files without the marker: quotes, emphasis, [ of spans.
LOOSE_MARKUP = re.compile(r"^(?:>\s*|\*\*|\[|\s)+")


@dataclass(frozen=True, slots=True)
class Article:
    """An article as a number and its text with all whitespace removed."""

    number: str
    text: str


def gold_articles(raw: str) -> list[Article] | None:
    """The articles the source marks, by the rule above; None when the file has no <!-- INFO END --> line."""
    lines = raw.replace("\r\n", "\n").split("\n")
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == INFO_END) + 1
    except StopIteration:
        return None
    articles: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    for line in lines[start:]:
        text = line.strip()
        if not text:
            continue
        if text.startswith("#"):
            current = None
            continue
        m = GOLD_ARTICLE.match(text)
        if m:
            current = [text]
            articles.append((m.group(0), current))
        elif current is not None:
            current.append(text)
    return [Article(number, _squeeze("".join(texts))) for number, texts in articles]


def loose_numbers(raw: str) -> list[str]:
    """Article numbers of a file without the marker: lines opening with 第X条 once markup is removed."""
    numbers = []
    for line in raw.replace("\r\n", "\n").split("\n"):
        m = GOLD_ARTICLE.match(LOOSE_MARKUP.sub("", line))
        if m:
            numbers.append(m.group(0))
    return numbers


def _squeeze(text: str) -> str:
    """The visible characters of ``text``: whitespace and zero-width characters (which kb does not store) removed."""
    return squeeze(normalize_spaces(text))


@dataclass(frozen=True, slots=True)
class Reading:
    """kb's reading of one file: articles with the source's heading marks and by shape alone, grammar, seconds."""

    articles: list[Article]
    shape_articles: list[Article]
    grammar: str | None
    extract_seconds: float
    segment_seconds: float


def kb_articles(data: bytes, path: str) -> Reading:
    """kb's article lists for one file (headings as marked, and by shape only), its grammar and CPU seconds."""
    t0 = time.process_time()
    extracted = extract(data, path)
    body = build_body(extracted.blocks)
    marked = marked_headings(extracted)
    t1 = time.process_time()
    result = segment("doc", body, marked)
    t2 = time.process_time()
    shape = segment("doc", body) if marked is not None else result
    return Reading(_articles(result), _articles(shape), result.grammar, t1 - t0, t2 - t1)


def _articles(result: Segmentation) -> list[Article]:
    return [Article(c.number or "", _squeeze(c.text)) for c in result.clauses if c.kind == ClauseKind.ARTICLE]


def difference(gold: list[Article], mine: list[Article], raw: str = "") -> str | None:
    """Why two article lists differ, in one line; None when they are the same. ``raw`` (the source) lets the
    reason quote a line the gold rule does not read as an article, such as 第七十五 条 with a space inside."""
    if gold == mine:
        return None
    gold_numbers = [a.number for a in gold]
    my_numbers = [a.number for a in mine]
    if gold_numbers != my_numbers:
        missing = Counter(gold_numbers) - Counter(my_numbers)
        extra = Counter(my_numbers) - Counter(gold_numbers)
        parts = [f"{len(gold)} articles in the source, {len(mine)} found"]
        if missing:
            parts.append("missing " + " ".join(list(missing.elements())[:5]))
        if extra:
            parts.append("extra " + " ".join(list(extra.elements())[:5]))
            quoted = [_source_line(raw, number) for number in list(extra.elements())[:3]]
            if any(quoted):
                parts.append("source lines: " + " / ".join(f"'{q}'" for q in quoted if q))
        if not missing and not extra:
            parts.append("same numbers in another order")
        return "; ".join(parts)
    for g, m in zip(gold, mine, strict=True):
        if g.text != m.text:
            if g.text.startswith(m.text):
                return (
                    f"{g.number}: text cut short ({len(m.text)} of {len(g.text)} chars): …{g.text[len(m.text) :][:30]}"
                )
            if m.text.startswith(g.text):
                return f"{g.number}: text runs on past the source's end: …{m.text[len(g.text) :][:30]}"
            return f"{g.number}: text differs: source {g.text[:30]}… kb {m.text[:30]}…"
    return "lists differ"


def _source_line(raw: str, number: str) -> str | None:
    """The start of the source line that opens article ``number`` without the gold rule's exact form."""
    for line in raw.split("\n"):
        text = line.strip()
        if "".join(text.split()).startswith(number) and not text.startswith(number):
            return text[:12] + "…"
    return None


def measure(corpus_dir: Path) -> dict[str, Any]:
    """Article-list accuracy and speed over every .md file under ``corpus_dir``."""
    files = sorted(corpus_dir.rglob("*.md"))
    exact = shape_exact = checked = numbers_only = numbers_right = 0
    extract_seconds = segment_seconds = 0.0
    grammars: Counter[str] = Counter()
    differences: list[dict[str, str]] = []
    shape_differences: list[dict[str, str]] = []
    failures: list[dict[str, str]] = []
    for path in files:
        rel = path.relative_to(corpus_dir).as_posix()
        data = path.read_bytes()
        try:
            reading = kb_articles(data, str(path))
        except KbError as exc:
            failures.append({"path": rel, "error": str(exc)})
            continue
        mine = reading.articles
        extract_seconds += reading.extract_seconds
        segment_seconds += reading.segment_seconds
        grammars[reading.grammar or "none"] += 1
        raw = data.decode("utf-8-sig", errors="replace")
        gold = gold_articles(raw)
        if gold is None:
            numbers_only += 1
            expected = loose_numbers(raw)
            found = [a.number for a in mine]
            if expected == found:
                numbers_right += 1
            else:
                differences.append({"path": rel, "reason": f"numbers: source {len(expected)}, kb {len(found)}"})
            continue
        checked += 1
        reason = difference(gold, mine, raw)
        if reason is None:
            exact += 1
        else:
            differences.append({"path": rel, "reason": reason})
        shape_reason = difference(gold, reading.shape_articles, raw)
        if shape_reason is None:
            shape_exact += 1
        else:
            shape_differences.append({"path": rel, "reason": shape_reason})
    documents = len(files) - len(failures)
    return {
        "corpus": str(corpus_dir),
        "files": len(files),
        "failures": failures,
        "checked_text": checked,
        "exact": exact,
        "exact_share": round(exact / checked, 5) if checked else None,
        "shape_exact": shape_exact,
        "shape_differences": shape_differences,
        "checked_numbers_only": numbers_only,
        "numbers_right": numbers_right,
        "differences": differences,
        "grammars": dict(grammars),
        "extract_seconds": round(extract_seconds, 3),
        "segment_seconds": round(segment_seconds, 3),
        "segment_docs_per_second": round(documents / segment_seconds, 1) if segment_seconds else None,
        "docs_per_second": round(documents / (extract_seconds + segment_seconds), 1) if documents else None,
    }


def policy_report(folder: Path) -> list[dict[str, Any]]:
    """The structure the policy grammar gives each ``*.gold.json`` text of a gov.cn folder (one row per document)."""
    rows = []
    for path in sorted(folder.glob("*.gold.json"), key=lambda p: int(p.name.split(".")[0])):
        gold = json.loads(path.read_text(encoding="utf-8"))
        body = build_body([_block(line) for line in gold["text"].split("\n")])
        result = segment(path.name, body)
        kinds = Counter(c.kind.value for c in result.clauses)
        closing = next((c.text.replace("\n", " | ") for c in result.clauses if c.kind == ClauseKind.CLOSING), None)
        rows.append(
            {
                "doc": path.name.split(".")[0],
                "title": gold["title"],
                "grammar": result.grammar,
                "kinds": dict(kinds),
                "closing": closing,
                "body_date": gold.get("body_date"),
                "top": [c.number or c.id for c in result.clauses if c.depth == 0],
            }
        )
    return rows


def _block(text: str) -> Any:
    from kb.models import Block

    return Block(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, help="a folder of Markdown files (searched recursively)")
    parser.add_argument("--policy", type=Path, help="a gov.cn folder of <n>.gold.json texts: print their structure")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    if args.corpus is None and args.policy is None:
        args.corpus = ROOT.parent / "shared" / "corpus" / "lawrefbook"
    if args.policy is not None:
        rows = policy_report(args.policy)
        if args.json:
            print(json.dumps(rows, ensure_ascii=False, indent=1))
        else:
            for row in rows:
                kinds = " ".join(f"{k}={v}" for k, v in sorted(row["kinds"].items()))
                print(f"{row['doc']:>3} {row['grammar'] or '-':<11} {kinds}")
                print(f"    top: {' '.join(str(t) for t in row['top'])[:150]}")
                print(f"    closing: {row['closing']}  (gold date {row['body_date']})")
    if args.corpus is not None:
        result = measure(args.corpus)
        if args.json:
            print(json.dumps(result, ensure_ascii=False, indent=1))
            return 0
        print(f"corpus: {result['corpus']} ({result['files']} files, {len(result['failures'])} failed to read)")
        if result["checked_text"]:
            print(
                f"article lists exactly right: {result['exact']}/{result['checked_text']} "
                f"({100 * (result['exact_share'] or 0):.2f}%)"
            )
            print(
                f"  by heading shape alone (source's # marks ignored): {result['shape_exact']}/{result['checked_text']}"
            )
        if result["checked_numbers_only"]:
            print(
                f"files without <!-- INFO END --> (numbers only): "
                f"{result['numbers_right']}/{result['checked_numbers_only']} right"
            )
        print(f"grammars: {result['grammars']}")
        print(
            f"speed (CPU seconds): extract {result['extract_seconds']}s, segment {result['segment_seconds']}s, "
            f"segment {result['segment_docs_per_second']} docs/s, end to end {result['docs_per_second']} docs/s"
        )
        for row in result["differences"]:
            print(f"  differs: {row['path']}: {row['reason']}")
        for row in result["failures"]:
            print(f"  failed: {row['path']}: {row['error']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
