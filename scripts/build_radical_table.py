"""Build kb/data/radicals.tsv: CJK Radicals Supplement code points -> the ideograph they stand for in running text.

Usage: python scripts/build_radical_table.py

A PDF whose font draws 民 with the glyph of ⺠ (U+2EA0) hands that code point to text extraction, and a search for
人民 then misses it. Kangxi radicals (U+2F00-U+2FD5) carry a compatibility decomposition in the Unicode data, so
``unicodedata`` folds them; the CJK Radicals Supplement mostly does not. This script derives its table from the
Unicode character names: "CJK RADICAL C-SIMPLIFIED X" (and "SIMPLIFIED X") is the simplified form (OpenCC's
traditional -> simplified table) of the Kangxi radical named X, a character of its own (⻔ 门, ⻅ 见, ⻢ 马).
A plain "CJK RADICAL X" is mostly a positional form (⺘ 扌 for HAND, ⺮ for BAMBOO) that stands for a component, not
the character, and is left out, as are variant forms ("... ONE", "... TWO") and Japanese forms. The few standalone
forms the names cannot give are taken from Unicode's EquivalentUnifiedIdeograph.txt and listed in EXTRA below.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import opencc

OUT = Path(__file__).resolve().parent.parent / "kb" / "data" / "radicals.tsv"
# Supplement entries whose name is not a Kangxi radical's (EquivalentUnifiedIdeograph.txt): ⺠ CIVILIAN -> 民.
EXTRA = {0x2EA0: "民", 0x2ED8: "青"}
# "CJK RADICAL C-SIMPLIFIED GATE" -> ("C-SIMPLIFIED ", "GATE").
NAME = re.compile(r"^CJK RADICAL (?P<form>(?:C-|J-)?SIMPLIFIED )?(?P<what>.+)$")
# Names of variant and positional forms: "WATER ONE", "KNIFE TWO".
VARIANT = re.compile(r" (?:ONE|TWO|THREE|FOUR)$")


def table() -> dict[int, tuple[str, str]]:
    to_simplified = opencc.OpenCC("t2s")
    out: dict[int, tuple[str, str]] = {}
    for code in range(0x2E80, 0x2F00):
        ch = chr(code)
        name = unicodedata.name(ch, "")
        nfkc = unicodedata.normalize("NFKC", ch)
        if nfkc != ch:
            out[code] = (nfkc, "NFKC")
            continue
        if code in EXTRA:
            out[code] = (EXTRA[code], "EquivalentUnifiedIdeograph")
            continue
        m = NAME.match(name)
        form = m.group("form") if m else None
        if m is None or form is None or form.startswith("J-") or VARIANT.search(m.group("what")):
            continue
        try:
            kangxi = unicodedata.lookup(f"KANGXI RADICAL {m.group('what')}")
        except KeyError:
            continue
        target = to_simplified.convert(unicodedata.normalize("NFKC", kangxi))
        if target != unicodedata.normalize("NFKC", kangxi):
            out[code] = (target, "name")
    return out


def main() -> None:
    rows = [f"{code:04X}\t{chr(code)}\t{target}\t{source}" for code, (target, source) in sorted(table().items())]
    OUT.write_text("# code\tradical\tcharacter\tderived from\n" + "\n".join(rows) + "\n", encoding="utf-8")
    print(f"{len(rows)} entries -> {OUT}")


if __name__ == "__main__":
    main()
