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
        for label, words in terms.items():
            patterns = [nlp.make_doc(w) for w in dict.fromkeys(words) if w]
            if patterns:
                self._matcher.add(label, patterns)

    def find(self, text: str, *, longest: bool = True) -> list[PhraseMatch]:
        """Every match in ``text`` in order; with ``longest``, overlapping matches keep the longest."""
        nlp = blank_pipeline()
        doc = nlp.make_doc(text)
        found = [
            PhraseMatch(nlp.vocab.strings[mid], text[s:e], s, e)
            for mid, s, e in self._matcher(doc)  # character tokenizer: token offsets are character offsets
        ]
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
