"""Versions benchmark: a built knowledge base -> status coverage, --as-of checked on every changed article, citations
to versions and to the parts of codes, and (with --before) the same citation figures of an earlier build.

    python scripts/measure_versions.py --home /tmp/kb-home --before /work/homes/corpus --out versions.json

What it reports, and how each figure is checked apart from the code it measures:

* status: documents with a status, by status and by the rule that decided it (the rule's words up to its first
  date or title);
* --as-of: for every work with two or more versions, every article whose wording differs between two consecutive
  versions (or that one of them lacks) is asked for with ``kb show "TITLE 第X条" --as-of DAY`` on the first day of
  each version; the answer is right when its text is that article's text in that version's own file (read here from
  the store's clause of that document, matched by article number), and absent when that version lacks the article;
* citations: of the pinpointed citations whose title names a work with several versions, the share resolved to the
  version in force on the citing document's date (a version dated on or before it with no later such version;
  the earliest when every version is later; the version before for an amending decision); of the pinpointed
  citations to a code stored in parts, the share resolved to a clause, and of those unresolved, how many name an
  article that one of the parts holds. ``--before`` reads an older knowledge base (any schema) and judges its
  citations by the same works, matched through the files' paths.
"""

from __future__ import annotations

import argparse
import collections
import itertools
import json
import re
import sqlite3
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.citations.patterns import parse_pinpoint  # noqa: E402
from kb.errors import KbError  # noqa: E402
from kb.store.sqlite import Store  # noqa: E402
from kb.versions.diff import articles, wording  # noqa: E402
from kb.versions.query import clause_as_of  # noqa: E402

# The words of a rule up to its first date, title or count: "superseded by the version of 2024-12-31" ->
# "superseded by the version of".
RULE_HEAD = re.compile(r"\s*(?:《|\(|\d{4}-\d{2}-\d{2}|[0-9a-f]{12}|\d+ versions).*$")


def rule_class(rule: str) -> str:
    return RULE_HEAD.sub("", rule.split(":", 1)[1] if rule.startswith("a copy of") else rule).strip() or rule


def status_figures(store: Store) -> dict[str, Any]:
    versions = store.versions()
    total = store.status().documents
    by_status = collections.Counter(v.status.value for v in versions)
    by_rule = collections.Counter((v.status.value, rule_class(v.rule)) for v in versions)
    return {
        "documents": total,
        "with_status": len(versions),
        "coverage": round(len(versions) / total, 4) if total else None,
        "by_status": dict(by_status.most_common()),
        "by_rule": [{"status": s, "rule": r, "count": n} for (s, r), n in by_rule.most_common()],
        "works_with_versions": len({v.work for v in versions if v.count > 1}),
        "documents_in_multi_version_works": sum(1 for v in versions if v.count > 1 and v.duplicate_of is None),
        "parts": sum(1 for v in versions if v.part),
        "copies": sum(1 for v in versions if v.duplicate_of),
    }


def as_of_figures(store: Store, limit_misses: int = 20) -> dict[str, Any]:
    """Ask for every changed article on the first day of each version; compare with the version's own clause."""
    by_work: dict[str, list[Any]] = collections.defaultdict(list)
    for v in store.versions():
        if v.count > 1 and v.duplicate_of is None:
            by_work[v.work].append(v)
    checked = right = 0
    misses: list[dict[str, Any]] = []
    for work, members in sorted(by_work.items()):
        seqs = sorted({v.seq for v in members})
        texts: dict[int, dict[tuple[int | None, int | None], Any]] = {}
        starts: dict[int, date | None] = {}
        for seq in seqs:
            docs = [v for v in members if v.seq == seq]
            starts[seq] = docs[0].start or docs[0].date
            clauses = {}
            for v in docs:
                doc = store.get_document(v.doc_id)
                for c in articles(doc.clauses if doc else ()):
                    clauses.setdefault((c.ordinal, c.sub), c)
            texts[seq] = clauses
        title = members[0].work_title
        for old, new in itertools.pairwise(seqs):
            numbers = set(texts[old]) | set(texts[new])
            changed = [
                n for n in numbers
                if n not in texts[old] or n not in texts[new] or wording(texts[old][n]) != wording(texts[new][n])
            ]  # fmt: skip
            for number in sorted(changed, key=lambda n: (n[0] or 0, n[1] or 0)):
                for seq in (old, new):
                    day = starts[seq]
                    if day is None:
                        continue
                    if seq == old and starts[new] is not None and starts[new] <= day:
                        continue  # the old version never came into force before the new one: no day to ask on
                    expected = texts[seq].get(number)
                    written = (expected or texts[new if seq == old else old][number]).number
                    checked += 1
                    try:
                        answer = clause_as_of(store, f"{title} {written}", day)
                        ok = expected is not None and answer.text == expected.text
                        got = answer.doc_id
                    except KbError as exc:
                        ok = expected is None and "no clause" in str(exc)
                        got = str(exc).split("\n", 1)[0][:120]
                    right += ok
                    if not ok and len(misses) < limit_misses:
                        misses.append({"work": work, "article": written, "as_of": day.isoformat(),
                                       "expected": expected.doc_id if expected else None, "got": got})  # fmt: skip
    return {"works": len(by_work), "checked": checked, "right": right,
            "share": round(right / checked, 4) if checked else None, "misses": misses}  # fmt: skip


def _works_by_path(store: Store) -> dict[str, tuple[str, int, date | None, date | None, bool]]:
    """Path -> (work, seq, start, date, is a part) for every original document of the knowledge base measured."""
    out = {}
    for v in store.versions():
        summary = store.summary(v.doc_id)
        if summary is not None and v.duplicate_of is None:
            out[summary.path] = (v.work, v.seq, v.start or v.date, v.date, v.part is not None)
    return out


def citation_figures(db_path: Path, works: dict[str, tuple[str, int, date | None, date | None, bool]],
                     doc_dates: dict[str, date | None]) -> dict[str, Any]:  # fmt: skip
    """Citations of the knowledge base at ``db_path`` judged against the works of the measured one (by path)."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    paths = dict(conn.execute("SELECT id, path FROM documents"))
    seqs: dict[str, list[tuple[int, date | None]]] = collections.defaultdict(list)
    for work, seq, start, _day, _part in works.values():
        if (seq, start) not in seqs[work]:
            seqs[work].append((seq, start))
    parts: dict[str, set[tuple[int, int | None]]] = collections.defaultdict(set)
    part_paths = {p: w for p, w in works.items() if w[4]}
    for doc_id, path in paths.items():
        if path in part_paths:
            for ordinal, sub in conn.execute(
                "SELECT ordinal, sub FROM clauses WHERE doc_id = ? AND kind = 'article'", (doc_id,)
            ):
                parts[part_paths[path][0]].add((ordinal, sub))
    versions_total = versions_right = 0
    code_total = code_clause = code_missing_present = 0
    rows = conn.execute(
        "SELECT doc_id, relation, pinpoint, target_doc, target_clause FROM citations WHERE pinpoint IS NOT NULL "
        "AND target_doc IS NOT NULL AND kind != 'internal'"
    )
    for doc_id, relation, pinpoint, target_doc, target_clause in rows:
        target = works.get(paths.get(target_doc, ""))
        if target is None:
            continue
        work = target[0]
        if target[4]:  # a part of a code
            code_total += 1
            if target_clause is not None:
                code_clause += 1
            else:
                parsed = parse_pinpoint(pinpoint)
                unit = parsed.units[0] if parsed and parsed.units else None
                if unit is not None and unit.unit == "条" and (unit.number, unit.sub) in parts[work]:
                    code_missing_present += 1
        if len(seqs[work]) < 2:
            continue
        when = doc_dates.get(paths.get(doc_id, ""))
        if when is None:
            continue
        if relation == "amends":
            when -= timedelta(days=1)
        ordered = sorted(seqs[work], key=lambda s: (s[1] is not None, s[1] or date.min))
        before = [s for s in ordered if s[1] is None or s[1] <= when]
        expected = (before[-1] if before else ordered[0])[0]
        versions_total += 1
        versions_right += target[1] == expected
    conn.close()
    return {
        "to_versions": versions_total, "to_version_in_force": versions_right,
        "share": round(versions_right / versions_total, 4) if versions_total else None,
        "to_code_parts": code_total, "to_code_parts_clause": code_clause,
        "code_unresolved_article_held_by_a_part": code_missing_present,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--home", required=True, type=Path, help="a knowledge base built by this kb")
    parser.add_argument("--before", type=Path, help="an older knowledge base, for the citation figures before")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()
    with Store.open(args.home) as store:
        figures: dict[str, Any] = {"status": status_figures(store), "as_of": as_of_figures(store)}
        works = _works_by_path(store)
        doc_dates = {}
        for v in store.versions():
            summary = store.summary(v.doc_id)
            if summary is not None:
                doc_dates[summary.path] = v.date
    figures["citations_after"] = citation_figures(args.home / "kb.sqlite", works, doc_dates)
    if args.before:
        figures["citations_before"] = citation_figures(args.before / "kb.sqlite", works, doc_dates)
    text = json.dumps(figures, ensure_ascii=False, indent=2, default=str)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
