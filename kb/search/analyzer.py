"""Analysis: text -> normalised characters -> character unigrams and bigrams, the same at index and query time.

Word segmentation alone loses matches whose query cuts across word boundaries (据安全, 共数据开), so kb indexes
characters: each kept character is a unigram term and, with its successor, a bigram term. A query string of n >= 2
characters is the run of its n - 1 bigrams and a one-character query is its unigram, so any string that occurs in
a text's normalised form finds that text. Normalisation is a one-to-one character map (full-width -> half-width,
traditional -> simplified from OpenCC's character table, A-Z -> a-z) followed by dropping whitespace, so
``总  则`` matches ``总则`` and ``第２１条`` matches ``第21条``.

These functions are what both engines' writers and the query side use; kb/search/whoosh_analysis.py wraps them
as Whoosh analyzers for Whoosh's own machinery (query parser, standard writer, merges), tested to agree.
"""

from __future__ import annotations

import operator
import re
from functools import lru_cache
from importlib import resources

# OpenCC's table of traditional characters and their simplified forms, one "繁<TAB>简[ 简...]" per line, e.g.
# "後\t后". A line with several targets (乾 -> 干 乾) is ambiguous and left out: the character stays as written.
OPENCC_PACKAGE = "opencc"
OPENCC_CHARACTERS = "dictionary/TSCharacters.txt"
# A line of that table with one character on each side ("後\t后"); lines with several targets do not match.
ONE_TO_ONE = re.compile(r"^([^\t\n])\t([^\s])[ \t]*$", re.M)

# Full-width ASCII forms U+FF01..U+FF5E sit exactly 0xFEE0 above their half-width forms (Ａ -> A, ２ -> 2).
_FULLWIDTH_FIRST, _FULLWIDTH_LAST, _FULLWIDTH_OFFSET = 0xFF01, 0xFF5E, 0xFEE0
IDEOGRAPHIC_SPACE = "\u3000"


@lru_cache(maxsize=1)
def traditional_map() -> dict[str, str]:
    """Traditional -> simplified for single characters with one unambiguous simplified form (load-once cache)."""
    text = resources.files(OPENCC_PACKAGE).joinpath(OPENCC_CHARACTERS).read_text(encoding="utf-8")
    # One pattern over the whole file: four times faster than splitting its 4,000 lines, and every search process
    # pays this once.
    return {source: target for source, target in ONE_TO_ONE.findall(text) if source != target}


@lru_cache(maxsize=1)
def char_table() -> dict[int, str]:
    """The one-to-one character map of :func:`normalize`, as a ``str.translate`` table."""
    table: dict[int, str] = {ord(k): v for k, v in traditional_map().items()}
    for code in range(_FULLWIDTH_FIRST, _FULLWIDTH_LAST + 1):
        table[code] = chr(code - _FULLWIDTH_OFFSET).lower()
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = chr(code).lower()
    table[ord(IDEOGRAPHIC_SPACE)] = " "
    return table


def fold(text: str) -> str:
    """Map each character to its normal form (one character to one character; whitespace kept)."""
    return text.translate(char_table())


def normalize(text: str) -> str:
    """The form kb indexes and searches: :func:`fold`, then every whitespace character dropped."""
    return "".join(text.translate(char_table()).split())


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """:func:`normalize` plus, for each character of the result, its offset in ``text`` (to highlight matches)."""
    folded = fold(text)
    if _SPACE.search(folded) is None:
        return folded, list(range(len(folded)))
    runs = list(_NON_SPACE.finditer(folded))  # a few long runs: offsets by range, not character by character
    offsets: list[int] = []
    for run in runs:
        offsets.extend(range(*run.span()))
    return "".join(run.group() for run in runs), offsets


_SPACE = re.compile(r"\s")  # the same whitespace as str.isspace and str.split
_NON_SPACE = re.compile(r"\S+")


def bigrams(norm: str) -> list[str]:
    """Overlapping character pairs of a normalised string: ``数据安全`` -> ``数据 据安 安全``."""
    return list(map(operator.add, norm, norm[1:]))


def unigrams(norm: str) -> list[str]:
    """The characters of a normalised string."""
    return list(norm)


def __getattr__(name: str) -> object:
    # Whoosh indexes written before the Whoosh adapters had their own module name them here, in the schema they
    # pickle; loading them from kb.search.whoosh_analysis only then keeps Whoosh out of commands that never use it.
    if name in ("NormalizingTokenizer", "BigramFilter"):
        from kb.search import whoosh_analysis

        return getattr(whoosh_analysis, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
