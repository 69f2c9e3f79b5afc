"""Check the HTML, Word and text extractors against the gold answers in ../shared: body, title, articles, speed.

Usage: python scripts/check_formats_text.py [--formats html,docx,txt] [--govcn] [--rewrap] [--limit N] [--show N]

For every fixture of ../shared/fixtures/formats in the chosen formats: body-text similarity to the gold blocks
(character level, whitespace ignored), title right, article list right (number + whitespace-insensitive text; the
articles are cut from the blocks by the gold's own rule: a paragraph starting 第X条 opens one, a heading closes it).
With --govcn, the 40 gov.cn pages: the page's content text equal to the gold `text` (whitespace ignored) and the
title right; the content text is the blocks, preceded by the title when the page opens with its title (which the
extractor lifts out of the body into ``title``). With --rewrap, every gold body hard-wrapped at 60/72/90 columns
(with and without paragraph indentation) and rejoined by normalize.clean.rejoin_wrapped_lines. Prints one line per miss
and the totals; speeds are files per second of wall time and of CPU time.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gold_rule import rule_articles as articles  # noqa: E402

from kb.extract import extract_bytes  # noqa: E402
from kb.models import ExtractedText  # noqa: E402
from kb.normalize.clean import rejoin_wrapped_lines, squeeze, structural_kind  # noqa: E402
from kb.normalize.width import display_width  # noqa: E402

SHARED = ROOT.parent / "shared"
FORMATS = SHARED / "fixtures" / "formats"
GOVCN = SHARED / "corpus" / "govcn"
# An article's first paragraph: 第X条 then a space or the text (the gold's rule for cutting articles).
ARTICLE = re.compile(r"^(第[零〇一二三四五六七八九十百千两\d]+条(?:之[一二三四五六七八九十]+)?)")


def similarity(a: str, b: str) -> float:
    """Character-level similarity of two texts with all whitespace removed."""
    x, y = squeeze(a), squeeze(b)
    if x == y:
        return 1.0
    return difflib.SequenceMatcher(None, x, y, autojunk=False).ratio()


def check_fixtures(formats: set[str], limit: int | None, show: int) -> bool:
    rows = [line.rstrip("\n").split("\t") for line in (FORMATS / "INDEX.tsv").read_text().splitlines()]
    sims: list[float] = []
    titles = arts = total = 0
    seconds: dict[str, float] = {}
    cpu: dict[str, float] = {}
    counts: dict[str, int] = {}
    for doc_id, _source, fmts in rows[: limit or None]:
        gold = json.loads((FORMATS / f"{doc_id}.gold.json").read_text())
        for fmt in fmts.split(","):
            if fmt not in formats:
                continue
            path = FORMATS / f"{doc_id}.{fmt}"
            data = path.read_bytes()
            began, cpu_began = time.perf_counter(), time.process_time()
            got: ExtractedText = extract_bytes(data, str(path))
            seconds[fmt] = seconds.get(fmt, 0.0) + time.perf_counter() - began
            cpu[fmt] = cpu.get(fmt, 0.0) + time.process_time() - cpu_began
            counts[fmt] = counts.get(fmt, 0) + 1
            total += 1
            body = "".join(b.text for b in got.blocks)
            sim = similarity("".join(b["text"] for b in gold["blocks"]), body)
            sims.append(sim)
            title_ok = squeeze(got.title or "") == squeeze(gold["title"] or "")
            titles += title_ok
            mine = articles([(b.kind, b.text) for b in got.blocks])
            want = [(a["number"], squeeze(a["text"])) for a in gold["articles"]]
            arts += mine == want
            if sim < 0.995 or not title_ok or mine != want:
                print(
                    f"MISS {doc_id}.{fmt} sim={sim:.4f} title={'ok' if title_ok else repr(got.title)}"
                    f" articles={'ok' if mine == want else f'{len(mine)}/{len(want)}'}"
                )
                if show:
                    diff = difflib.unified_diff(
                        [b["text"] for b in gold["blocks"]], [b.text for b in got.blocks], lineterm="", n=0
                    )
                    for line in list(diff)[2 : 2 + show]:
                        print("   ", line[:150])
    if not total:
        return True
    median, low = statistics.median(sims), min(sims)
    print(
        f"fixtures {total}: similarity median {median:.4%} min {low:.4%}; title {titles / total:.2%};"
        f" articles {arts / total:.2%}"
    )
    for fmt, secs in seconds.items():
        print(
            f"  {fmt}: {counts[fmt]} files in {secs:.2f}s = {counts[fmt] / secs:.1f} files/s"
            f" ({counts[fmt] / cpu[fmt]:.1f} per CPU second)"
        )
    return median >= 0.995 and low >= 0.98 and titles / total >= 0.98 and arts / total >= 0.97


def check_govcn(show: int) -> bool:
    equal = titles = 0
    began, cpu_began = time.perf_counter(), time.process_time()
    pages = sorted(GOVCN.glob("*.html"), key=lambda p: int(p.stem))
    for path in pages:
        gold = json.loads(path.with_suffix(".gold.json").read_text())
        got = extract_bytes(path.read_bytes(), str(path))
        body = squeeze("".join(b.text for b in got.blocks))
        title = squeeze(got.title or "")
        text = title + squeeze("".join(got.info)) + body if not body.startswith(title) else body
        want = squeeze(gold["text"])
        same = text == want or body == want
        equal += same
        title_ok = title == squeeze(gold["title"])
        titles += title_ok
        if not same or not title_ok:
            sim = difflib.SequenceMatcher(None, want, text, autojunk=False).ratio()
            print(f"MISS govcn/{path.name} sim={sim:.4f} title={'ok' if title_ok else got.title}")
            if show:
                matcher = difflib.SequenceMatcher(None, want, text, autojunk=False)
                for op, i1, i2, j1, j2 in matcher.get_opcodes():
                    if op != "equal":
                        print(f"    {op} gold={want[i1:i2][:80]!r} got={text[j1:j2][:80]!r}")
    secs, cpu = time.perf_counter() - began, time.process_time() - cpu_began
    n = len(pages)
    print(
        f"govcn {n}: text equal {equal / n:.2%}; title {titles / n:.2%}; {n / secs:.1f} pages/s"
        f" ({n / cpu:.1f} per CPU second)"
    )
    return equal / n >= 0.95 and titles == n


def _wrap(paragraphs: list[str], columns: int, indent: bool) -> list[str]:
    """Hard-wrap paragraphs at ``columns`` display columns, as text copied from a PDF; articles and paragraphs
    indented by two full-width spaces when ``indent``, headings never."""
    lines: list[str] = []
    for paragraph in paragraphs:
        text = paragraph if not indent or structural_kind(paragraph) else "\u3000\u3000" + paragraph
        while display_width(text) > columns:
            cut = 1
            while display_width(text[: cut + 1]) <= columns:
                cut += 1
            lines.append(text[:cut])
            text = text[cut:]
        lines.append(text)
    return lines


def check_rewrap() -> None:
    """Wrap every gold body at 60, 72 and 90 columns, with and without indentation, and rejoin it."""
    golds = [json.loads(path.read_text()) for path in sorted(FORMATS.glob("*.gold.json"))]
    bodies = [[b["text"] for b in gold["blocks"] if squeeze(b["text"])] for gold in golds]
    for indent in (True, False):
        for columns in (60, 72, 90):
            whole = lost = total = 0
            for paragraphs in bodies:
                out = [squeeze(p) for p in rejoin_wrapped_lines(_wrap(paragraphs, columns, indent))]
                want = [squeeze(p) for p in paragraphs]
                whole += out == want
                lost += len(set(want) - set(out))
                total += len(want)
            print(
                f"rewrap indent={indent!s:5} columns={columns}: {whole}/{len(bodies)} bodies exact, "
                f"{lost}/{total} paragraphs not recovered"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--formats", default="html,docx,txt")
    parser.add_argument("--govcn", action="store_true")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--show", type=int, default=0)
    parser.add_argument("--rewrap", action="store_true", help="also wrap the gold bodies and rejoin them")
    args = parser.parse_args()
    ok = check_fixtures(set(args.formats.split(",")) - {""}, args.limit, args.show)
    if args.govcn:
        ok = check_govcn(args.show) and ok
    if args.rewrap:
        check_rewrap()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
