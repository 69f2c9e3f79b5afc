"""Query modes: a parsed query -> exact matching or a question to rank, and for zero hits, why and what to try.

How kb tells a question from keywords (also in ``kb search --help``): a query without quotes, OR, NOT, -word or
parentheses is a *question* when it holds a question marker (怎么办, 如何, 什么, 吗, 是否, ？, ... listed in
kb/data/question_words.txt) and has eight or more characters; a shorter one with a marker (什么是抵押), or one run
of eight or more characters without, is a question only when it occurs nowhere as typed.
A question is answered by ranked retrieval (kb/search/rank.py); everything else is matched exactly, so keywords and
quoted phrases keep finding every text that holds them.
"""

from __future__ import annotations

from dataclasses import dataclass

from kb.search.analyzer import normalize
from kb.search.evaluate import run_search
from kb.search.query import FIELD_TOKEN, And, Filter, Node, Not, Or, Text
from kb.search.snapshot import Snapshot

# Characters that make a query structured (a phrase, grouping, exclusion): such a query is never a question.
STRUCTURE = set('"＂()')  # (“...” inside a sentence quotes a word: 名为“个体工商户”实为“合伙”)
OPERATORS = {"OR", "NOT", "|", "||"}
MIN_MARKED = 4  # a question with a marker has at least this many characters (怎么办 alone is a word to find)
MIN_UNMARKED = 8  # a run of this many characters with no exact match is read as a question


@dataclass(frozen=True, slots=True)
class QuestionParts:
    """A query that may be a question: its text (filters left out) and which rule could make it one."""

    text: str
    marked: bool  # it holds a question marker
    long_enough: bool  # a single run long enough to be a question if exact matching finds nothing

    @property
    def certain(self) -> bool:
        """A question whatever exact matching finds: a marker and at least MIN_UNMARKED characters."""
        return self.marked and len(normalize(self.text)) >= MIN_UNMARKED

    @property
    def possible(self) -> bool:
        """A question when exact matching finds nothing."""
        return self.marked or self.long_enough


def question_parts(query: str, node: Node | None) -> QuestionParts | None:
    """The question in ``query``, or None when the query has structure (quotes, OR, NOT, -word, parentheses)."""
    if node is None or any(ch in STRUCTURE for ch in query):
        return None
    words: list[str] = []
    for token in query.split():
        if token in OPERATORS or (token.startswith("-") and len(token) > 1):
            return None
        if not FIELD_TOKEN.match(token):
            words.append(token)
    leaves = node.items if isinstance(node, And) else (node,)
    if not words or not all(isinstance(leaf, Text | Filter) for leaf in leaves):
        return None
    text = " ".join(words)
    from kb.search.rank import looks_like_question

    size = len(normalize(text))
    marked = size >= MIN_MARKED and looks_like_question(text)
    return QuestionParts(text, marked, len(words) == 1 and size >= MIN_UNMARKED)


def filters_of(tree: Node) -> list[Filter]:
    """The filters a question is restricted by: the Filter items of the query's top-level And."""
    if isinstance(tree, Filter):
        return [tree]
    if isinstance(tree, And):
        return [item for item in tree.items if isinstance(item, Filter)] + [
            f for item in tree.items if isinstance(item, And) for f in filters_of(item)
        ]
    return []


def explain_zero(snapshot: Snapshot, node: Node, tree: Node) -> tuple[tuple[tuple[str, int], ...], str | None]:
    """For a query with no hit: each word's hits alone (within the filters), and a relaxed query with hits.

    The relaxed query drops the words that match nothing; when the rest still have no hit together, it asks for
    any of them (OR). None when no word matches anything.
    """
    leaves = node.items if isinstance(node, And) else (node,)
    words = [leaf for leaf in leaves if isinstance(leaf, Text)]
    if not words:
        return (), None
    filters = filters_of(tree)
    counts: list[tuple[str, int]] = []
    for word in words:
        alone: Node = And((word, *filters)) if filters else word
        _, total, _ = run_search(snapshot, alone, docs=False, limit=0, sort="relevance", facets=False)
        counts.append((word.text, total))
    found = [w for w, n in counts if n > 0]
    if not found:
        return tuple(counts), None
    if len(found) < len(words):
        kept = [w for w in words if w.text in found]
        together: Node = And((*kept, *filters)) if len(kept) + len(filters) > 1 else kept[0]
        _, total, _ = run_search(snapshot, together, docs=False, limit=0, sort="relevance", facets=False)
        if total:
            return tuple(counts), " ".join(_quoted(w) for w in found)
    return tuple(counts), " OR ".join(_quoted(w) for w in found) if len(found) > 1 else None


def _quoted(word: str) -> str:
    return word if word and not any(ch.isspace() for ch in word) else f'"{word}"'


# Filter fields whose values come from the documents (checked against the index); the others are checked when parsed.
CHECKED_FIELDS = {"province": "province", "city": "city", "topic": "topic"}
KNOWN_SHOWN = 40  # known values listed in the error at most


def check_filters(snapshot: Snapshot, tree: Node) -> None:
    """Raise QuerySyntaxError for a province:, city: or topic: value no document has, listing the known ones."""
    from kb.errors import QuerySyntaxError

    for node in _all_filters(tree):
        if node.field not in CHECKED_FIELDS or node.value is None:
            continue
        known = known_values(snapshot, node.field)
        if node.value in known:
            continue
        values = sorted(known)
        more = f" … (+{len(values) - KNOWN_SHOWN})" if len(values) > KNOWN_SHOWN else ""
        listed = "、".join(values[:KNOWN_SHOWN]) + more
        raise QuerySyntaxError(f"{node.field}:{node.value}: no document in the knowledge base has this value; "
                               f"known values: {listed or '(none)'}")  # fmt: skip


def known_values(snapshot: Snapshot, field: str) -> frozenset[str]:
    """The values of a filter field among the index's live entries (topics: the topics tagged)."""
    known: frozenset[str] = snapshot.memo(("known_values", field), lambda: _known_values(snapshot, field))
    return known


def _known_values(snapshot: Snapshot, field: str) -> frozenset[str]:
    values: set[str] = set()
    for part in snapshot.parts:
        if field == "topic":
            values.update(term.decode("utf-8") for term in part.data.reader.lexicon("topic"))
            continue
        codes, names = part.data.column(field)
        present = set(codes[part.alive].tolist())
        values.update(name for code, name in enumerate(names) if name and code in present)
    return frozenset(values)


def _all_filters(node: Node) -> list[Filter]:
    if isinstance(node, Filter):
        return [node]
    if isinstance(node, And | Or):
        return [f for item in node.items for f in _all_filters(item)]
    if isinstance(node, Not):
        return _all_filters(node.item)
    return []
