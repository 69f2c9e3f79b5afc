"""Analysis: text -> normalised characters -> character unigrams and bigrams, the same at index and query time.

Word segmentation alone loses matches whose query cuts across word boundaries (据安全, 共数据开), so kb indexes
characters: each kept character is a unigram term and, with its successor, a bigram term. A query string of n >= 2
characters is the run of its n - 1 bigrams and a one-character query is its unigram, so any string that occurs in
a text's normalised form finds that text. Normalisation is a one-to-one character map (full-width -> half-width,
traditional -> simplified from OpenCC's character table, A-Z -> a-z) followed by dropping whitespace, so
``总  则`` matches ``总则`` and ``第２１条`` matches ``第21条``.

The fast functions (:func:`normalize`, :func:`bigrams`, :func:`unigrams`) are what the index writer uses; the
Whoosh analyzers (:data:`BIGRAM_ANALYZER`, :data:`UNIGRAM_ANALYZER`, a tokenizer composed with filters) produce the
same terms for Whoosh's own machinery (query parser, standard writer, merges) and are tested to agree.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from typing import Any

from whoosh.analysis import Filter, Token, Tokenizer

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
    offsets = [i for i, ch in enumerate(folded) if not ch.isspace()]
    return "".join(folded[i] for i in offsets), offsets


_SPACE = re.compile(r"\s")


def bigrams(norm: str) -> list[str]:
    """Overlapping character pairs of a normalised string: ``数据安全`` -> ``数据 据安 安全``."""
    return list(map(operator.add, norm, norm[1:]))


def unigrams(norm: str) -> list[str]:
    """The characters of a normalised string."""
    return list(norm)


class NormalizingTokenizer(Tokenizer):
    """Whoosh tokenizer: one token per character of :func:`normalize`, positions counted over kept characters.

    ``startchar``/``endchar`` are offsets into the original value, so Whoosh's highlighter can mark matches.
    """

    def __call__(self, value: str, positions: bool = False, chars: bool = False, keeporiginal: bool = False,
                 removestops: bool = True, start_pos: int = 0, start_char: int = 0, mode: str = "",
                 **kwargs: Any) -> Iterator[Token]:  # fmt: skip
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        norm, offsets = normalize_with_offsets(value)
        for pos, (ch, offset) in enumerate(zip(norm, offsets, strict=True)):
            token.text = ch
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value[offset]
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + offset
                token.endchar = start_char + offset + 1
            yield token


class BigramFilter(Filter):
    """Whoosh filter: character tokens -> the bigram starting at each character (a lone character yields none)."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        previous: Token | None = None
        for token in tokens:
            if previous is not None:
                previous.text = previous.text + token.text
                if hasattr(previous, "endchar") and hasattr(token, "endchar"):
                    previous.endchar = token.endchar
                yield previous
            previous = token.copy()


UNIGRAM_ANALYZER = NormalizingTokenizer()
BIGRAM_ANALYZER = NormalizingTokenizer() | BigramFilter()
