"""Measure every extractor against the format fixtures and the real PDFs: text, articles, titles, furniture, speed.

Usage: python scripts/measure_formats.py [--formats pdf,docx,html,txt] [--limit N] [--show N] [--json]

Over every fixture in ../shared/fixtures/formats (each format it comes in), through ``kb.extract.extract_bytes``:
- body-text similarity to the gold ``blocks`` (character level, whitespace ignored; bars: median >= 99.5%,
  minimum >= 98%);
- the article list (number + whitespace-insensitive text) cut by ``kb.segment`` from the extracted blocks, equal to
  the gold ``articles`` (bar: >= 97% of fixtures); the same cut from the gold blocks is reported alongside, so a
  miss the segmenter would make on perfect text is told apart from an extraction miss;
- furniture inside the text: page numbers, lines repeating across a PDF's pages (running heads), a page's link
  texts (navigation, related documents) and a Word file's headers and footers, counted where the extracted text
  holds them more often than the gold does (bar: none);
- the title, whitespace removed (bar: >= 98%).
Over the text-layer PDFs of ../shared/fixtures/real-pdf: the articles of the corpus file its README names, found
with the same number and text (bar: >= 98%), compared with full-width punctuation folded to ASCII, since
the corpus writes ":" where the official text (and so the PDF) has a full-width colon; the strict rate is
printed alongside.
Speed: PDF pages per second, files per second for other formats. Every miss is listed; the exit status is 0
when every bar is met.
"""

from __future__ import annotations

import argparse
import difflib
import io
import json
import re
import statistics
import sys
import time
import unicodedata
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gold_rule import rule_articles  # noqa: E402

from kb.errors import KbError  # noqa: E402
from kb.extract import extract_bytes  # noqa: E402
from kb.models import Block, ClauseKind  # noqa: E402
from kb.normalize import clean  # noqa: E402

SHARED = ROOT.parent / "shared"
FORMATS_DIR = SHARED / "fixtures" / "formats"
REAL_PDF_DIR = SHARED / "fixtures" / "real-pdf"
LAWREFBOOK = SHARED / "corpus" / "lawrefbook"

# A page number as Chinese documents print it, inside running text: "— 3 —", "- 12 -", "第 3 页", "3/14".
PAGE_NUMBER_TEXT = re.compile(r"[—－-]\s*\d{1,4}\s*[—－-]|第\s*\d{1,4}\s*页|(?<!\d)\d{1,4}\s*/\s*\d{1,4}(?!\d)")
# An article's first paragraph: 第X条 (optionally 之一) then a space or the end (the gold's own rule).
ARTICLE = re.compile(r"^(第[零〇一二三四五六七八九十百千两\d]+条(?:之[一二三四五六七八九十]+)?)(?:[\s\u3000]|$)")
# The README table row naming a real PDF and its corpus file: "| file.pdf | ... | lawrefbook/... .md | ...".
README_ROW = re.compile(r"^\|\s*(?P<file>[^|]+\.pdf)\s*\|[^|]*\|\s*(?P<answer>[^|]*)\|")

BARS = {"median": 0.995, "min": 0.98, "articles": 0.97, "titles": 0.98, "real_pdf": 0.98}


def squeeze(text: str) -> str:
    """``text`` without whitespace and zero-width characters (kb.normalize.clean's rule, so every check agrees)."""
    return clean.squeeze(text)


def fold(text: str) -> str:
    """Full-width punctuation folded to ASCII: the corpus transcribes some "：" of the official text as ":"."""
    return unicodedata.normalize("NFKC", text)


def similarity(gold: str, mine: str) -> float:
    """Character-level similarity of two texts with whitespace removed (difflib ratio, no junk heuristic)."""
    a, b = squeeze(gold), squeeze(mine)
    if a == b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def first_differences(gold: str, mine: str, count: int) -> list[str]:
    """The first ``count`` differing stretches of two texts (whitespace removed), for the report."""
    a, b = squeeze(gold), squeeze(mine)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op != "equal":
            out.append(f"{op}: gold[{a[max(0, i1 - 8) : i2 + 8][:90]!r}] got[{b[max(0, j1 - 8) : j2 + 8][:90]!r}]")
            if len(out) >= count:
                break
    return out


def segment_articles(blocks: list[Block], doc_id: str) -> list[tuple[str, str]]:
    """(number, squeezed text) of every article kb.segment finds in ``blocks``; the gold rule when it is missing."""
    try:
        from kb.segment.segmenter import build_body, segment
    except ImportError:
        return rule_articles([(b.kind, b.text) for b in blocks])
    result = segment(doc_id, build_body(blocks))
    return [(c.number or "", squeeze(c.text)) for c in result.clauses if c.kind == ClauseKind.ARTICLE]


def gold_blocks(gold: dict[str, Any]) -> list[Block]:
    return [Block(text=b["text"], kind=b["type"], level=b.get("level")) for b in gold["blocks"]]


# ---------------------------------------------------------------------------------------------------------------
# Furniture: texts that must not reach a clause


def furniture(data: bytes, fmt: str) -> set[str]:
    """Texts of a file that are page furniture or navigation, read independently of the extractors."""
    try:
        if fmt == "pdf":
            return _pdf_furniture(data)
        if fmt == "html":
            return _html_links(data)
        if fmt == "docx":
            return _docx_headers(data)
    except Exception:  # a measurement aid only: a file it cannot read simply has no furniture listed
        return set()
    return set()


def _pdf_furniture(data: bytes) -> set[str]:
    """Lines at the top or bottom of a PDF page that come back on other pages (digits aside)."""
    import pdfplumber

    seen: Counter[str] = Counter()
    texts: dict[str, str] = {}
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            lines = page.extract_text_lines()
            for line in lines[:2] + lines[-2:]:
                key = re.sub(r"[\d\s]+", "", line["text"])
                if key:
                    seen[key] += 1
                    texts[key] = line["text"]
            page.close()
    return {squeeze(texts[key]) for key, n in seen.items() if n >= 2 and len(key) >= 4}


def _html_links(data: bytes) -> set[str]:
    """Texts of a page's links of four characters or more (navigation, breadcrumbs, related documents)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(data, "lxml")
    return {squeeze(a.get_text()) for a in soup.find_all("a") if len(squeeze(a.get_text())) >= 4}


def _docx_headers(data: bytes) -> set[str]:
    """Texts of a Word file's page headers and footers."""
    out = set()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if re.match(r"word/(header|footer)\d*\.xml$", name):
                xml = archive.read(name).decode("utf-8", errors="replace")
                text = squeeze("".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", xml)))
                if len(text) >= 4 and not PAGE_NUMBER_TEXT.fullmatch(text):
                    out.add(text)
    return out


def furniture_hits(candidates: set[str], gold_text: str, blocks: list[Block]) -> list[str]:
    """Furniture texts found in the extracted blocks more often than in the gold, and page numbers in blocks."""
    mine = squeeze("\n".join(b.text for b in blocks))
    gold = squeeze(gold_text)
    hits = [f"furniture {text!r}" for text in sorted(candidates) if mine.count(text) > gold.count(text)]
    mine_numbers = Counter(squeeze(m) for b in blocks for m in PAGE_NUMBER_TEXT.findall(b.text))
    gold_numbers = Counter(squeeze(m) for m in PAGE_NUMBER_TEXT.findall(gold_text))
    hits += [f"page number {text!r}" for text, n in mine_numbers.items() if n > gold_numbers[text]]
    return hits


# ---------------------------------------------------------------------------------------------------------------
# The fixtures


def measure_fixtures(fixtures_dir: Path, formats: set[str], limit: int | None) -> dict[str, Any]:
    rows = [line.split("\t") for line in (fixtures_dir / "INDEX.tsv").read_text(encoding="utf-8").splitlines() if line]
    results: list[dict[str, Any]] = []
    pdf_pages = 0
    seconds: Counter[str] = Counter()
    for doc_id, _source, fmts in rows[: limit or None]:
        gold = json.loads((fixtures_dir / f"{doc_id}.gold.json").read_text(encoding="utf-8"))
        gold_text = "\n".join(b["text"] for b in gold["blocks"])
        want = [(a["number"], squeeze(a["text"])) for a in gold["articles"]]
        baseline = segment_articles(gold_blocks(gold), doc_id)
        for fmt in fmts.strip().split(","):
            if fmt not in formats:
                continue
            path = fixtures_dir / f"{doc_id}.{fmt}"
            data = path.read_bytes()
            row: dict[str, Any] = {"id": doc_id, "format": fmt, "segmenter_on_gold_ok": baseline == want}
            began = time.perf_counter()
            try:
                got = extract_bytes(data, str(path))
            except (KbError, ImportError, Exception) as exc:  # report every failure as a miss, keep measuring
                seconds[fmt] += time.perf_counter() - began
                row.update(error=f"{type(exc).__name__}: {exc}", similarity=0.0, articles_ok=False, title_ok=False)
                row["furniture"] = []
                results.append(row)
                continue
            seconds[fmt] += time.perf_counter() - began
            if fmt == "pdf":
                pdf_pages += got.pages or 0
            blocks = list(got.blocks)
            mine = segment_articles(blocks, doc_id)
            row["similarity"] = similarity(gold_text, "\n".join(b.text for b in blocks))
            row["articles_ok"] = mine == want
            row["articles"] = (len(mine), len(want))
            if mine != want:
                row["article_diff"] = _first_article_diff(mine, want)
            row["title_ok"] = squeeze(got.title or "") == squeeze(gold["title"] or "")
            row["title"] = got.title
            row["furniture"] = furniture_hits(furniture(data, fmt), gold_text, blocks)
            if row["similarity"] < 1.0:
                row["differences"] = first_differences(gold_text, "\n".join(b.text for b in blocks), 3)
            results.append(row)
    return {"results": results, "pdf_pages": pdf_pages, "seconds": dict(seconds)}


def _first_article_diff(mine: list[tuple[str, str]], want: list[tuple[str, str]]) -> str:
    for index, (got, gold) in enumerate(zip(mine, want, strict=False)):
        if got != gold:
            return f"#{index + 1} gold {gold[0]} {gold[1][:60]!r} / got {got[0]} {got[1][:60]!r}"
    return f"count got {len(mine)} gold {len(want)}"


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Bars over a list of fixture results (all formats, or one)."""
    if not results:
        return {}
    sims = [r["similarity"] for r in results]
    n = len(results)
    return {
        "fixtures": n,
        "similarity_median": statistics.median(sims),
        "similarity_min": min(sims),
        "articles_exact": sum(r["articles_ok"] for r in results) / n,
        "titles": sum(r["title_ok"] for r in results) / n,
        "furniture_hits": sum(len(r["furniture"]) for r in results),
        "errors": sum(1 for r in results if "error" in r),
    }


# ---------------------------------------------------------------------------------------------------------------
# The real PDFs


def corpus_articles(markdown: str) -> list[tuple[str, str]]:
    """Articles of a corpus Markdown file: its body after <!-- INFO END -->, one paragraph per line."""
    body = markdown.split("<!-- INFO END -->", 1)[-1]
    blocks = [("heading" if line.startswith("#") else "para", line.lstrip("#").strip()) for line in body.splitlines()]
    return rule_articles([(kind, text) for kind, text in blocks if text])


def measure_real_pdfs(real_pdf_dir: Path) -> list[dict[str, Any]]:
    out = []
    readme = (real_pdf_dir / "README.md").read_text(encoding="utf-8")
    answer: Path | None = None
    for line in readme.splitlines():
        match = README_ROW.match(line)
        if not match:
            continue
        named = match.group("answer").strip()
        if "lawrefbook/" in named:
            answer = LAWREFBOOK.parent / named
        elif not named.startswith("the same") or answer is None:
            continue  # a file with no answer in the corpus (the scanned draft)
        name = match.group("file").strip()
        want = corpus_articles(Path(answer).read_text(encoding="utf-8"))
        data = (real_pdf_dir / name).read_bytes()
        began = time.perf_counter()
        got = extract_bytes(data, str(real_pdf_dir / name))
        secs = time.perf_counter() - began
        mine = segment_articles(list(got.blocks), name)
        mine_by_number = dict(mine)
        strict = [number for number, text in want if mine_by_number.get(number) == text]
        exact = [number for number, text in want if fold(mine_by_number.get(number, "")) == fold(text)]
        misses = [
            f"{number}: " + "; ".join(first_differences(text, mine_by_number.get(number, ""), 2))
            for number, text in want
            if mine_by_number.get(number) != text
        ]
        extra = [number for number, _ in mine if number not in dict(want)]
        out.append(
            {
                "file": name,
                "answer": str(answer.relative_to(SHARED)) if SHARED in answer.parents else str(answer),
                "articles": len(want),
                "found": len(mine),
                "exact": len(exact) / len(want) if want else 0.0,
                "exact_strict": len(strict) / len(want) if want else 0.0,
                "same_numbers": [n for n, _ in mine] == [n for n, _ in want],
                "misses": misses,
                "extra": extra,
                "pages": got.pages,
                "seconds": secs,
                "title": got.title,
            }
        )
    return out


def measure(
    fixtures_dir: Path, real_pdf_dir: Path | None, formats: set[str] | None = None, limit: int | None = None
) -> dict[str, Any]:
    """All the measurements as one dict: per-fixture results, summaries per format and overall, real PDFs, speed."""
    chosen = formats or {"pdf", "docx", "html", "txt"}
    fixtures = measure_fixtures(fixtures_dir, chosen, limit)
    results = fixtures["results"]
    report: dict[str, Any] = {
        "overall": summarise(results),
        "by_format": {fmt: summarise([r for r in results if r["format"] == fmt]) for fmt in sorted(chosen)},
        "results": results,
        "speed": {},
    }
    seconds = fixtures["seconds"]
    if seconds.get("pdf"):
        report["speed"]["pdf_pages_per_second"] = fixtures["pdf_pages"] / seconds["pdf"]
    for fmt, secs in seconds.items():
        count = sum(1 for r in results if r["format"] == fmt)
        report["speed"][f"{fmt}_files_per_second"] = count / secs if secs else 0.0
    if real_pdf_dir is not None:
        real = measure_real_pdfs(real_pdf_dir)
        report["real_pdf"] = real
        pages = sum(r["pages"] or 0 for r in real)
        secs = sum(r["seconds"] for r in real)
        if secs:
            report["speed"]["real_pdf_pages_per_second"] = pages / secs
    return report


def bars_met(report: dict[str, Any]) -> bool:
    overall = report["overall"]
    ok = bool(overall) and (
        overall["similarity_median"] >= BARS["median"]
        and overall["similarity_min"] >= BARS["min"]
        and overall["articles_exact"] >= BARS["articles"]
        and overall["titles"] >= BARS["titles"]
        and overall["furniture_hits"] == 0
    )
    return ok and all(r["exact"] >= BARS["real_pdf"] for r in report.get("real_pdf", []))


def print_report(report: dict[str, Any], show: int) -> None:
    for row in report["results"]:
        problems = []
        if "error" in row:
            problems.append(row["error"])
        else:
            if row["similarity"] < BARS["median"]:
                problems.append(f"similarity {row['similarity']:.4f}")
            if not row["articles_ok"]:
                blame = "" if row["segmenter_on_gold_ok"] else " (the segmenter misses on the gold blocks too)"
                problems.append(f"articles {row['articles'][0]}/{row['articles'][1]}{blame}: {row.get('article_diff')}")
            if not row["title_ok"]:
                problems.append(f"title {row['title']!r}")
            problems += row["furniture"]
        if problems:
            print(f"MISS {row['id']}.{row['format']}: " + "; ".join(problems))
            for line in row.get("differences", [])[:show]:
                print(f"    {line}")
    for name, summary in [("all", report["overall"]), *report["by_format"].items()]:
        if summary:
            print(
                f"{name:>4}: {summary['fixtures']} fixtures, similarity median {summary['similarity_median']:.4%}"
                f" min {summary['similarity_min']:.4%}, articles exact {summary['articles_exact']:.2%},"
                f" titles {summary['titles']:.2%}, furniture hits {summary['furniture_hits']},"
                f" errors {summary['errors']}"
            )
    for row in report.get("real_pdf", []):
        print(
            f"real-pdf {row['file']}: {row['exact']:.2%} of {row['articles']} articles exact with punctuation widths"
            f" folded ({row['exact_strict']:.2%} strictly), found {row['found']},"
            f" same numbers {row['same_numbers']}, title {row['title']!r}"
        )
        for miss in row["misses"][: max(show, 5)]:
            print(f"    {miss}")
        if row["extra"]:
            print(f"    extra articles: {row['extra'][:10]}")
    for name, value in report["speed"].items():
        print(f"speed {name}: {value:.1f}")
    print("bars met" if bars_met(report) else "bars NOT met")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--formats", default="pdf,docx,html,txt", help="comma-separated formats to measure")
    parser.add_argument("--limit", type=int, help="only the first N fixtures of INDEX.tsv")
    parser.add_argument("--show", type=int, default=2, help="differing stretches shown per miss")
    parser.add_argument("--no-real", action="store_true", help="skip the real PDFs")
    parser.add_argument("--json", action="store_true", help="print the whole report as JSON")
    parser.add_argument("--fixtures", type=Path, default=None, help="a folder with formats/ and real-pdf/ inside")
    args = parser.parse_args()
    formats = {f for f in args.formats.split(",") if f}
    formats_dir = args.fixtures / "formats" if args.fixtures else FORMATS_DIR
    real_dir = args.fixtures / "real-pdf" if args.fixtures else REAL_PDF_DIR
    report = measure(formats_dir, None if args.no_real or "pdf" not in formats else real_dir, formats, args.limit)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        print_report(report, args.show)
    return 0 if bars_met(report) else 1


if __name__ == "__main__":
    sys.exit(main())
