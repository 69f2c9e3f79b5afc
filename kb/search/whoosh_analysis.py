"""Whoosh analysis: kb's character normalisation (kb/search/analyzer.py) as Whoosh analyzers.

:data:`UNIGRAM_ANALYZER` yields one token per normalised character and :data:`BIGRAM_ANALYZER` the bigram starting
at each one: the same terms as :func:`kb.search.analyzer.unigrams` and :func:`kb.search.analyzer.bigrams`, for
Whoosh's own machinery (query parser, standard writer, merges). Only the Whoosh engine imports this module.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from whoosh.analysis import Filter, Token, Tokenizer

from kb.search.analyzer import normalize_with_offsets


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
