"""NLP: the one module that imports spaCy; phrase matching of lexicons (places, agencies, topics) over Chinese text.

spaCy's Chinese models are not on the package index, so kb uses a blank pipeline whose tokenizer makes one token of
each character: a lexicon term then matches wherever its characters occur, independent of word segmentation, and
token offsets are character offsets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import spacy
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

# Texts are matched in windows of this many characters: spaCy refuses a Doc longer than nlp.max_length (1,000,000),
# and a window's cost is linear in its length, so a document of any length costs linear time and bounded memory.
WINDOW = 200_000


class _CharTokenizer:
    """spaCy tokenizer: one token per character, no whitespace tokens kept apart."""

    def __init__(self, vocab: Any) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words = list(text)
        return Doc(self.vocab, words=words, spaces=[False] * len(words))


@lru_cache(maxsize=1)
def blank_pipeline() -> Any:
    """A blank multi-language spaCy pipeline with the character tokenizer (loaded once)."""
    nlp = spacy.blank("xx")
    nlp.tokenizer = _CharTokenizer(nlp.vocab)
    return nlp


@dataclass(frozen=True, slots=True)
class PhraseMatch:
    """A lexicon term found in a text: its label, the term, and character offsets."""

    label: str
    term: str
    start: int
    end: int


class Lexicon:
    """Terms grouped by label (a topic, a province, an agency), matched with spaCy's PhraseMatcher."""

    def __init__(self, terms: Mapping[str, Iterable[str]]) -> None:
        nlp = blank_pipeline()
        self._matcher = PhraseMatcher(nlp.vocab)
        self.labels: tuple[str, ...] = tuple(terms)
        self._longest_term = 1
        for label, words in terms.items():
            unique = [w for w in dict.fromkeys(words) if w]
            self._longest_term = max([self._longest_term, *(len(w) for w in unique)])
            patterns = [nlp.make_doc(w) for w in unique]
            if patterns:
                self._matcher.add(label, patterns)

    def find(self, text: str, *, longest: bool = True) -> list[PhraseMatch]:
        """Every match in ``text`` in order; with ``longest``, overlapping matches keep the longest."""
        nlp = blank_pipeline()
        found: dict[tuple[int, int, int], PhraseMatch] = {}
        overlap = self._longest_term - 1  # a term across a window's end is found whole in the next window
        for offset in range(0, max(len(text), 1), WINDOW):
            window = text[offset : offset + WINDOW + overlap]
            for mid, s, e in self._matcher(nlp.make_doc(window)):  # one token per character: offsets are characters
                found.setdefault((mid, offset + s, offset + e), PhraseMatch(nlp.vocab.strings[mid], window[s:e],
                                                                            offset + s, offset + e))  # fmt: skip
        return self._ordered(list(found.values()), longest)

    @staticmethod
    def _ordered(found: list[PhraseMatch], longest: bool) -> list[PhraseMatch]:
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        if not longest:
            return found
        kept: list[PhraseMatch] = []
        last_end = -1
        for match in found:
            if match.start >= last_end:
                kept.append(match)
                last_end = match.end
        return kept
