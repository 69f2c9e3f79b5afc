"""Topic tagging: a Document + the topic lexicon (kb/data/topics.yaml) -> TopicTags per clause, with terms and spans.

A tag belongs to an article (条) when the match lies inside one -- an article is the unit a reader cites and
compares across provinces -- and otherwise to the deepest clause holding the match: a division or item of a policy
document, a preamble. Headings of chapters and sections and tables of contents are not tagged; the articles under
a heading that names a topic (第四章 数据安全保护义务) inherit it when they speak of data. Matching uses
spaCy's PhraseMatcher through kb.nlp.Lexicon, one token per character, so terms match wherever their characters
occur, whatever the word segmentation.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from kb.citations.resolve import ClauseTree
from kb.errors import TopicLexiconError
from kb.models import Clause, ClauseKind, Document, Span, TopicTag
from kb.nlp import Lexicon, PhraseMatch

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
TOPICS_FILE = DATA_DIR / "topics.yaml"
# Clauses whose own text is a heading or a table of contents: the articles under them carry the tags.
_NOT_TAGGED = frozenset({ClauseKind.TOC, ClauseKind.PART, ClauseKind.SUBPART, ClauseKind.CHAPTER, ClauseKind.SECTION})
# The label prefix under which a topic's context-bound terms (国有资产, 向社会开放) are matched.
_CONTEXT_LABEL = "context:"
# The label prefix of a topic's excluded phrases: a term inside one of them (隐私 in 隐私计算) does not count.
_EXCLUDE_LABEL = "exclude:"
# A title cited in book-title marks (《中华人民共和国网络安全法》) names a law, not the clause's topic.
_CITED_TITLE = re.compile(r"《[^《》\n]{1,100}》")
# Headings whose topic the articles below them inherit (第四章 数据安全保护义务 -> its articles are about 数据安全).
_HEADINGS = _NOT_TAGGED - {ClauseKind.TOC}
# What an article under such a heading must speak of to inherit its topic: data, networks, information systems or
# resources, personal information (a 法律责任 article that only cites others does not, nor one on 政务信息公开).
_DATA_WORDS = ("数据", "网络", "信息系统", "信息资源", "个人信息")


@dataclass(frozen=True, slots=True)
class Topic:
    """One topic of the lexicon: its terms, and terms that count only beside one of its context words."""

    name: str
    description: str | None
    terms: tuple[str, ...]
    context_terms: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    # What an article must hold besides a data word to inherit the topic from its chapter's heading (none: nothing).
    heading_context: tuple[str, ...] = ()
    # Phrases in which the topic's terms mean something else (隐私计算, 商业秘密和个人隐私): no match inside counts.
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, eq=False)  # one per loaded file set: hashed and compared by identity
class TopicLexicon:
    """The topics and the phrase matcher built from their terms."""

    topics: tuple[Topic, ...]
    matcher: Lexicon
    sources: tuple[str, ...]

    def topic(self, name: str) -> Topic | None:
        """The topic called ``name``, or None."""
        return next((t for t in self.topics if t.name == name), None)

    @property
    def names(self) -> tuple[str, ...]:
        """Topic names in lexicon order."""
        return tuple(t.name for t in self.topics)


def _strings(value: object, path: Path, topic: str, key: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TopicLexiconError(
            f"{path}: topic {topic!r}: '{key}' must be a list of phrases, e.g. [数据共享, 共享目录]"
        )
    return [v.strip() for v in value if v.strip()]


def read_topics(path: Path) -> list[Topic]:
    """The topics of one lexicon file; raises TopicLexiconError naming the file and what is wrong."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise TopicLexiconError(f"{path}: cannot read the topic lexicon ({exc.strerror or exc})") from exc
    except yaml.YAMLError as exc:
        raise TopicLexiconError(f"{path}: not valid YAML ({exc}); expected topic: {{terms: [...]}}") from exc
    if not isinstance(data, Mapping) or not data:
        raise TopicLexiconError(f"{path}: expected a mapping of topic names to {{description, terms}}")
    topics = []
    for name, entry in data.items():
        if not isinstance(name, str) or not isinstance(entry, Mapping):
            raise TopicLexiconError(f"{path}: topic {name!r} must map to {{description: ..., terms: [...]}}")
        description = entry.get("description")
        terms = _strings(entry.get("terms"), path, name, "terms")
        context_terms = _strings(entry.get("context_terms"), path, name, "context_terms")
        context = _strings(entry.get("context"), path, name, "context")
        heading_context = _strings(entry.get("heading_context"), path, name, "heading_context")
        exclude = _strings(entry.get("exclude"), path, name, "exclude")
        if not terms and not context_terms:
            raise TopicLexiconError(f"{path}: topic {name!r} has no terms; give at least one under 'terms'")
        if context_terms and not context:
            raise TopicLexiconError(f"{path}: topic {name!r} has context_terms but no 'context' words")
        topics.append(Topic(name, str(description) if description else None, tuple(terms), tuple(context_terms),
                            tuple(context), tuple(heading_context), tuple(exclude)))  # fmt: skip
    return topics


def _merge(base: list[Topic], extra: list[Topic]) -> list[Topic]:
    merged = {t.name: t for t in base}
    for topic in extra:
        old = merged.get(topic.name)
        if old is None:
            merged[topic.name] = topic
            continue
        merged[topic.name] = Topic(
            topic.name,
            topic.description or old.description,
            tuple(dict.fromkeys(old.terms + topic.terms)),
            tuple(dict.fromkeys(old.context_terms + topic.context_terms)),
            tuple(dict.fromkeys(old.context + topic.context)),
            tuple(dict.fromkeys(old.heading_context + topic.heading_context)),
            tuple(dict.fromkeys(old.exclude + topic.exclude)),
        )
    return list(merged.values())


@lru_cache(maxsize=8)
def load_lexicon(extra: Path | None = None) -> TopicLexicon:
    """kb's topic lexicon, extended by a user's file of the same shape when given (loaded once per file)."""
    topics = read_topics(TOPICS_FILE)
    sources = [str(TOPICS_FILE)]
    if extra is not None:
        topics = _merge(topics, read_topics(Path(extra)))
        sources.append(str(extra))
    terms: dict[str, list[str]] = {}
    for topic in topics:
        terms[topic.name] = list(topic.terms)
        if topic.context_terms:
            terms[_CONTEXT_LABEL + topic.name] = list(topic.context_terms)
        if topic.exclude:
            terms[_EXCLUDE_LABEL + topic.name] = list(topic.exclude)
    return TopicLexicon(tuple(topics), Lexicon(terms), tuple(sources))


def _unit(tree: ClauseTree, offset: int) -> Clause | None:
    """The clause a match at ``offset`` tags: its article, else the deepest clause holding it."""
    leaf = tree.leaf_at(offset)
    return tree.ancestor(leaf, ClauseKind.ARTICLE) or leaf


def _outermost(matches: list[PhraseMatch]) -> list[PhraseMatch]:
    """Matches of one topic, leftmost-longest, without overlaps (公共数据开放目录 counts 公共数据开放 once, not also
    its 数据开放 or 开放目录)."""
    ordered = sorted(matches, key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[PhraseMatch] = []
    for match in ordered:
        if kept and match.start < kept[-1].end:
            continue
        kept.append(match)
    return kept


def _counted(body: str, matches: list[PhraseMatch]) -> list[PhraseMatch]:
    """The matches that count: none inside a title cited in 《》, none inside one of its topic's excluded phrases."""
    titles = [(m.start(), m.end()) for m in _CITED_TITLE.finditer(body)]
    starts = [start for start, _ in titles]
    excluded: dict[str, list[tuple[int, int]]] = {}
    for match in matches:
        if match.label.startswith(_EXCLUDE_LABEL):
            excluded.setdefault(match.label.removeprefix(_EXCLUDE_LABEL), []).append((match.start, match.end))
    kept = []
    for match in matches:
        if match.label.startswith(_EXCLUDE_LABEL):
            continue
        i = bisect.bisect_right(starts, match.start) - 1
        if i >= 0 and match.end <= titles[i][1]:
            continue
        topic = match.label.removeprefix(_CONTEXT_LABEL)
        if any(start <= match.start and match.end <= end for start, end in excluded.get(topic, ())):
            continue
        kept.append(match)
    return kept


def tag_topics(doc: Document, lexicon: TopicLexicon) -> tuple[TopicTag, ...]:
    """One tag per (clause, topic) with the terms matched there, in document order; pure."""
    if not doc.body:
        return ()
    matches = lexicon.matcher.find(doc.body, longest=False)
    if not matches:
        return ()
    matches = _counted(doc.body, matches)
    tree = ClauseTree(doc.clauses)
    by_id = tree.by_id
    grouped: dict[tuple[str, str], list[PhraseMatch]] = {}
    order: dict[str, int] = {}
    headings: dict[tuple[str, str], list[PhraseMatch]] = {}
    for match in matches:
        unit = _unit(tree, match.start)
        negated = match.start > 0 and doc.body[match.start - 1] == "非"  # 非公共数据 is not 公共数据
        if unit is not None and unit.kind in _HEADINGS and match.end <= unit.own_end and not negated:
            headings.setdefault((unit.id, match.label), []).append(match)
        if unit is None or unit.kind in _NOT_TAGGED:
            continue
        order.setdefault(unit.id, unit.start)
        grouped.setdefault((unit.id, match.label), []).append(match)
    # A topic's own terms and its context-bound ones are pooled per clause before overlaps are dropped, so that
    # 个人隐私 is one match, not also its 隐私.
    pooled: dict[tuple[str, str], list[PhraseMatch]] = {}
    for topic in lexicon.topics:
        for (clause_id, label), found in grouped.items():
            if label == _CONTEXT_LABEL + topic.name:
                text = doc.body[by_id[clause_id].start : by_id[clause_id].end]
                if not any(word in text for word in topic.context):
                    continue
            elif label != topic.name:
                continue
            pooled.setdefault((clause_id, topic.name), []).extend(found)
    for key, found in _inherited(doc, tree, lexicon, headings, pooled).items():
        order.setdefault(key[0], by_id[key[0]].start)
        pooled[key] = found
    tags = [_tag(doc.id, key, found) for key, found in pooled.items()]
    return tuple(sorted(tags, key=lambda t: (order[t.clause_id], lexicon.names.index(t.topic))))


def _inherited(
    doc: Document,
    tree: ClauseTree,
    lexicon: TopicLexicon,
    headings: Mapping[tuple[str, str], list[PhraseMatch]],
    tagged: Mapping[tuple[str, str], list[PhraseMatch]],
) -> dict[tuple[str, str], list[PhraseMatch]]:
    """Tags the articles of a chapter or section get from its heading.

    A heading that names a topic with one of its own terms (not a context-bound one, not negated as in 非公共数据)
    makes each article below it a clause on that topic, with the heading's terms as the evidence, when the article
    has no topic of its own, speaks of data (``_DATA_WORDS``) and holds one of the topic's ``heading_context``
    words where it gives them. An article that names a topic itself is about that one: a 数据共享 article in a
    chapter headed 数据资源开发利用 is not also about 数据要素. The heading itself is still not tagged."""
    own = {clause_id for clause_id, _ in tagged}
    found: dict[tuple[str, str], list[PhraseMatch]] = {}
    for (clause_id, label), matches in headings.items():
        topic = lexicon.topic(label)  # None for a context-bound label: those terms name no heading's topic
        if topic is None:
            continue
        for article in tree.descendants(tree.by_id[clause_id]):
            key = (article.id, topic.name)
            if article.kind is not ClauseKind.ARTICLE or article.id in own or key in found:
                continue
            text = doc.body[article.start : article.end]
            if any(word in text for word in _DATA_WORDS) and (
                not topic.heading_context or any(word in text for word in topic.heading_context)
            ):
                found[key] = list(matches)
    return found


def _tag(doc_id: str, key: tuple[str, str], found: list[PhraseMatch]) -> TopicTag:
    kept = _outermost(found)
    spans: tuple[Span, ...] = tuple((m.start, m.end) for m in kept)
    return TopicTag(doc_id, key[0], key[1], tuple(dict.fromkeys(m.term for m in kept)), spans)


__all__ = ["Topic", "TopicLexicon", "TopicLexiconError", "load_lexicon", "read_topics", "tag_topics"]
