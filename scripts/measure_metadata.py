"""Measure kb's metadata stage against the answer keys in ../shared and list every miss.

    python scripts/measure_metadata.py [--shared ../shared] [--sample N] [--misses 40]

Corpus (lawrefbook, 3,242 Markdown files) against manifest.csv: province, type (the manifest's `level`), header
events, and per-year counts with the manifest applied as a sidecar; the format fixtures' gold (title, issuer,
adopted) on their Markdown sources; the gov.cn pages (发文字号, issuer, signature date) from the page and from the
gold text alone; the provincial copies (front matter and text) against INDEX.tsv.
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.errors import KbError  # noqa: E402
from kb.metadata.events import dates_outside_titles, logical_lines  # noqa: E402
from kb.metadata.read import apply_overrides, load_overrides, read_metadata  # noqa: E402
from kb.models import Block, DocMeta, EventKind, ExtractedText, Format  # noqa: E402
from kb.normalize.dates import find_dates, parse_date  # noqa: E402
from kb.segment.segmenter import build_body  # noqa: E402

COUNTRY = "中华人民共和国"
# The manifest's types that are measured (rows with an empty or 其他 level are left out and counted).
MEASURED_TYPES = {"法律", "行政法规", "地方性法规", "司法解释", "部门规章", "宪法"}
# Files kb's extractor refused (read with the minimal reader instead, so that metadata is still measured).
EXTRACT_FAILURES: list[str] = []


# -- reading -------------------------------------------------------------------------------------------------------


def _markdown_reader() -> Callable[[Path], ExtractedText]:
    """kb's Markdown extractor when it exists, else a minimal reader of the format DATA.md describes."""
    try:
        import kb.extract.markdown  # noqa: F401
        from kb.extract import extract
    except ImportError:
        return _read_markdown

    def read(path: Path) -> ExtractedText:
        try:
            return extract(path)
        except (KbError, TypeError) as exc:  # measured on the plain reading, and counted
            EXTRACT_FAILURES.append(f"{path.name}: {exc}")
            return _read_markdown(path)

    return read


def _read_markdown(path: Path) -> ExtractedText:
    """Front matter -> fields, `# ` -> title, lines up to `<!-- INFO END -->` -> info, the rest -> blocks."""
    import yaml

    text = path.read_text("utf-8").replace("\r\n", "\n")
    fields: list[tuple[str, str]] = []
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end > 0:
            data = yaml.safe_load(text[4:end]) or {}
            fields = [(str(k), str(v)) for k, v in data.items() if v not in (None, "")]
            text = text[end + 4 :]
    lines = text.split("\n")
    title = None
    start = 0
    for i, line in enumerate(lines):
        if line.startswith("# "):
            title, start = line[2:].strip(), i + 1
            break
    info: list[str] = []
    rest = lines[start:]
    if "<!-- INFO END -->" in text:
        marker = next(i for i, line in enumerate(rest) if line.strip() == "<!-- INFO END -->")
        info = [line.strip() for line in rest[:marker] if line.strip()]
        rest = rest[marker + 1 :]
    blocks = []
    for line in rest:
        if not line.strip():
            continue
        match = re.match(r"^(#+)\s*(.*)$", line)
        if match:
            blocks.append(Block(match[2].strip(), "heading", len(match[1])))
        else:
            blocks.append(Block(line.strip()))
    return ExtractedText(str(path), Format.MARKDOWN, title, tuple(info), tuple(blocks), tuple(fields))


def _read_govcn_page(path: Path) -> ExtractedText:
    """A gov.cn page: its metadata table as fields, <title> as title, the UCAP-CONTENT paragraphs as blocks."""
    try:
        from kb.extract import extract

        return extract(path)
    except ImportError:
        pass
    raw = path.read_text("utf-8", errors="replace")
    fields = []
    for label, value in re.findall(r"<td[^>]*><b>([^<]+)</b></td>\s*<td[^>]*>(.*?)</td>", raw, re.S):
        fields.append((label, html.unescape(re.sub(r"<[^>]+>", "", value)).strip()))
    title_match = re.search(r"<title>(.*?)</title>", raw, re.S)
    content = raw[raw.find('id="UCAP-CONTENT"') :]
    paragraphs = []
    for para in re.findall(r"<p[^>]*>(.*?)</p>", content, re.S):
        text = html.unescape(re.sub(r"<br\s*/?>", "\n", para))
        text = re.sub(r"<[^>]+>", "", text)
        for line in text.split("\n"):
            if line.strip():
                paragraphs.append(Block(line.strip()))
    title = html.unescape(title_match[1]).strip() if title_match else None
    return ExtractedText(str(path), Format.HTML, title, (), tuple(paragraphs), tuple(fields))


def _text_only(paragraphs: list[str], path: str) -> ExtractedText:
    return ExtractedText(path, Format.TEXT, None, (), tuple(Block(p) for p in paragraphs if p.strip()))


def _meta(text: ExtractedText) -> DocMeta:
    return read_metadata(text, build_body(text.blocks))


def _plain(name: str | None) -> str | None:
    return name.removeprefix(COUNTRY) if name else None


# -- checks --------------------------------------------------------------------------------------------------------


def header_events_read(info: tuple[str, ...], meta: DocMeta) -> list[str]:
    """The header dates not read as an event with a kind and (except entry into force) a body; [] when all are."""
    missing = []
    for line in logical_lines(info):
        stripped = line.strip("（）()〔〕[] 　")
        for span in dates_outside_titles(stripped, find_dates(stripped)):
            ok = any(
                e.date == span.date and e.kind is not None and (e.body is not None or e.kind is EventKind.EFFECTIVE)
                for e in meta.events
            )
            if not ok:
                missing.append(f"{span.date} in {line[:60]}")
    return missing


def measure_corpus(corpus_dir: Path, manifest: Path, sample: int | None) -> dict[str, Any]:
    rows = list(csv.DictReader(manifest.open(encoding="utf-8")))
    if sample:
        rows = rows[:: max(1, len(rows) // sample)]
    reader = _markdown_reader()
    started = time.perf_counter()
    metas: dict[str, DocMeta] = {}
    texts: dict[str, ExtractedText] = {}
    for row in rows:
        text = reader(corpus_dir / row["path"])
        texts[row["path"]] = text
        metas[row["path"]] = _meta(text)
    seconds = time.perf_counter() - started

    province_miss, type_miss, event_miss, year_miss = [], [], [], []
    typed = 0
    with_header = 0
    for row in rows:
        meta = metas[row["path"]]
        expected = row["province"] or None
        if meta.province != expected:
            province_miss.append(f"{row['path']}: read {meta.province!r} (city {meta.city!r}), key {expected!r}")
        if row["level"] in MEASURED_TYPES:
            typed += 1
            got = meta.doc_type.value if meta.doc_type else None
            if got != row["level"]:
                type_miss.append(f"{row['path']}: read {got!r} (issuers {list(meta.issuers)}), key {row['level']!r}")
        info = texts[row["path"]].info
        if any(find_dates(line) for line in info):
            with_header += 1
            missing = header_events_read(info, meta)
            if missing:
                event_miss.append(f"{row['path']}: {'; '.join(missing[:3])}")
        if row["file_date"] and (meta.year is None or str(meta.year) != row["file_date"][:4]):
            year_miss.append(row["path"])

    overrides = load_overrides(manifest)
    expected_years = Counter(row["file_date"][:4] for row in rows if row["file_date"])
    got_years: Counter[str] = Counter()
    undated_years: Counter[str] = Counter()
    for row in rows:
        meta = apply_overrides(metas[row["path"]], str(corpus_dir / row["path"]), overrides)
        if row["file_date"]:
            got_years[str(meta.year)] += 1
        else:
            undated_years[str(meta.year)] += 1
    year_diff = {
        y: (got_years[y], expected_years[y]) for y in expected_years | got_years if got_years[y] != expected_years[y]
    }
    return {
        "documents": len(rows),
        "seconds": round(seconds, 1),
        "province": _rate(len(rows), province_miss),
        "type": {**_rate(typed, type_miss), "excluded": len(rows) - typed},
        "events": {**_rate(with_header, event_miss), "without_dated_header": len(rows) - with_header},
        "year_from_text_vs_file_date": _rate(sum(1 for r in rows if r["file_date"]), year_miss, keep=0),
        "years_with_overrides": {
            "equal": not year_diff,
            "differences": year_diff,
            "dated_in_manifest": sum(expected_years.values()),
            "undated_in_manifest_years_from_text": dict(sorted(undated_years.items())),
        },
    }


def _rate(total: int, misses: list[str], keep: int | None = None) -> dict[str, Any]:
    right = total - len(misses)
    return {
        "right": right,
        "total": total,
        "rate": round(right / total, 4) if total else None,
        "misses": misses if keep is None else misses[:keep],
    }


def measure_fixtures(fixtures_dir: Path, corpus_dir: Path) -> dict[str, Any]:
    reader = _markdown_reader()
    title_miss, issuer_miss, adopted_miss, province_miss, named_miss = [], [], [], [], []
    named = 0
    golds = sorted(fixtures_dir.glob("*.gold.json"))
    for gold_path in golds:
        gold = json.loads(gold_path.read_text("utf-8"))
        meta = _meta(reader(corpus_dir / gold["source"]))
        where = f"{gold['id']} {gold['source']}"
        if meta.title != gold["title"]:
            title_miss.append(f"{where}: read {meta.title!r}, gold {gold['title']!r}")
        if _plain(meta.issuer) != _plain(gold["issuer"]):
            issuer_miss.append(f"{where}: read {meta.issuer!r}, gold {gold['issuer']!r}")
        if gold["issuer"] is not None:
            named += 1
            if _plain(meta.issuer) != _plain(gold["issuer"]):
                named_miss.append(f"{where}: read {meta.issuer!r}, gold {gold['issuer']!r}")
        adopted = meta.adopted.isoformat() if meta.adopted else None
        if adopted != gold["adopted"]:
            adopted_miss.append(f"{where}: read {adopted!r}, gold {gold['adopted']!r}")
        if meta.province != gold["province"]:
            province_miss.append(f"{where}: read {meta.province!r}, gold {gold['province']!r}")
    n = len(golds)
    return {
        "documents": n,
        "title": _rate(n, title_miss),
        "issuer": _rate(n, issuer_miss),
        "issuer_where_gold_names_one": _rate(named, named_miss),
        "adopted": _rate(n, adopted_miss),
        "province": _rate(n, province_miss),
    }


def measure_govcn(govcn_dir: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    golds = sorted(govcn_dir.glob("*.gold.json"), key=lambda p: int(p.name.split(".")[0]))
    for mode in ("page", "text"):
        number_miss, issuer_miss, date_miss, title_miss = [], [], [], []
        for gold_path in golds:
            gold = json.loads(gold_path.read_text("utf-8"))
            n = gold_path.name.split(".")[0]
            if mode == "page":
                text = _read_govcn_page(govcn_dir / f"{n}.html")
            else:
                text = _text_only(gold["text"].split("\n"), f"{n}.txt")
            meta = _meta(text)
            if meta.doc_number != gold["doc_number"]:
                number_miss.append(f"{n}: read {meta.doc_number!r}, gold {gold['doc_number']!r}")
            if "、".join(_plain(i) or "" for i in meta.issuers) != gold["issuer"]:
                issuer_miss.append(f"{n}: read {list(meta.issuers)}, gold {gold['issuer']!r}")
            signed = next((e.date for e in meta.events if e.kind is EventKind.SIGNED), None)
            if (signed.isoformat() if signed else None) != gold["body_date"]:
                date_miss.append(f"{n}: read {signed}, gold {gold['body_date']}")
            if mode == "page" and meta.title != gold["title"]:
                title_miss.append(f"{n}: read {meta.title!r}, gold {gold['title']!r}")
        total = len(golds)
        out[mode] = {
            "doc_number": _rate(total, number_miss),
            "issuer": _rate(total, issuer_miss),
            "signature_date": _rate(total, date_miss),
        }
        if mode == "page":
            out[mode]["title"] = _rate(total, title_miss)
    return out


def measure_provincial(provincial_dir: Path) -> dict[str, Any]:
    rows = list(csv.DictReader((provincial_dir / "INDEX.tsv").open(encoding="utf-8"), delimiter="\t"))
    out: dict[str, Any] = {}
    for mode in ("front matter and text", "text alone"):
        misses: list[str] = []
        for row in rows:
            text = _read_markdown(provincial_dir.parent / row["path"])
            if mode == "text alone":
                text = ExtractedText(text.path, text.format, text.title, text.info, text.blocks)
            meta = _meta(text)
            problems = []
            if meta.title != row["title"]:
                problems.append(f"title {meta.title!r}")
            office = row["office"].replace("人大常务委员会", "人民代表大会常务委员会")
            if meta.issuer != office:
                problems.append(f"issuer {meta.issuer!r} vs {row['office']!r}")
            if (meta.doc_type.value if meta.doc_type else None) != row["type"]:
                problems.append(f"type {meta.doc_type}")
            effective = parse_date(row["effective_date"])
            if effective is not None and meta.effective != effective:
                problems.append(f"effective {meta.effective} vs {effective}")
            place = row["path"].split("/")[1]
            if meta.province is None or not place.startswith(meta.province):
                problems.append(f"province {meta.province!r} vs folder {place}")
            publish = parse_date(row["publish"])
            if mode != "text alone" and publish != meta.promulgated:
                problems.append(f"publish {publish} read as {meta.promulgated}")
            if problems:
                misses.append(f"{row['path']}: {'; '.join(problems)}")
        out[mode] = _rate(len(rows), misses)
    return out


def measure(corpus_dir: Path, manifest: Path, fixtures_dir: Path, govcn_dir: Path, provincial_dir: Path,
            sample: int | None = None) -> dict[str, Any]:  # fmt: skip
    """Every metadata measurement, as a dict of rates and misses."""
    return {
        "corpus": measure_corpus(corpus_dir, manifest, sample),
        "fixtures": measure_fixtures(fixtures_dir, corpus_dir),
        "govcn": measure_govcn(govcn_dir),
        "provincial": measure_provincial(provincial_dir),
        "extraction_failures": list(EXTRACT_FAILURES),
    }


def _print(name: str, result: dict[str, Any], misses: int) -> None:
    if "rate" in result:
        print(f"  {name}: {result['right']}/{result['total']} = {result['rate']:.2%}")
        for miss in result["misses"][:misses]:
            print(f"      miss: {miss}")
        if len(result["misses"]) > misses:
            print(f"      ... {len(result['misses']) - misses} more")
        for key, value in result.items():
            if key not in {"right", "total", "rate", "misses"}:
                print(f"      {key}: {value}")
        return
    print(f"  {name}:")
    for key, value in result.items():
        if isinstance(value, dict):
            _print(f"  {key}", value, misses)
        else:
            print(f"    {key}: {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--sample", type=int, default=None, help="measure every k-th corpus file, about N in all")
    parser.add_argument("--misses", type=int, default=1000, help="misses listed per measurement")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    corpus = args.shared / "corpus"
    result = measure(corpus / "lawrefbook", corpus / "manifest.csv", args.shared / "fixtures" / "formats",
                     corpus / "govcn", corpus / "provincial", sample=args.sample)  # fmt: skip
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1, default=str))
        return
    for section, values in result.items():
        print(f"== {section}")
        if isinstance(values, list):
            print(f"  {len(values)} file(s)")
            for value in values:
                print(f"      {value}")
            continue
        for name, value in values.items():
            if isinstance(value, dict):
                _print(name, value, args.misses)
            else:
                print(f"  {name}: {value}")


if __name__ == "__main__":
    main()
