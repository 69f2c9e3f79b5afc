"""Subjects: a document's title, clause tree and topic tags + the subject lexicon -> SubjectScores with evidence.

A clause topic says a clause mentions something; a subject says what the whole document is mainly about. The
scorer weighs four kinds of evidence (kb/data/subjects.yaml explains the data):

- the title's subject words, looked for in the part of the title after its issuers (上海市人民政府办公厅关于…) and
  inside the title it transmits (关于印发《…》的通知), so an issuer's name (经济和信息化委员会) never counts;
- the share of articles under chapters or sections devoted to the subject (第三章 数据共享);
- the share of the document's articles (or, in a policy document, its items) tagged with the subject's topics;
- the type: news items, explainers and staff notices are not policies and carry no subject.

Each kind gives a strength in [0, 1]; they combine as independent evidence, ``1 - Π(1 - s)``, and a document has
the subject when the result reaches :data:`THRESHOLD`. An umbrella subject (数据治理) counts the topics and headings
of all its sub-subjects as its own, and scores at least its best sub-subject. A document known by its title only
(a row of a portal's list) is judged on the title alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from kb.errors import TopicLexiconError
from kb.models import Clause, ClauseKind, SubjectScore, TopicTag

SUBJECTS_FILE = Path(__file__).resolve().parent.parent / "data" / "subjects.yaml"

# A document has a subject when the combined evidence reaches this.
THRESHOLD = 0.75
# Share of a document's articles tagged with the subject's topics at which that evidence is full (1.0): a text
# half of whose articles speak of data sharing is about data sharing.
FULL_TOPIC_SHARE = 0.5
# Share of articles under chapters devoted to the subject at which that evidence is full.
FULL_HEADING_SHARE = 0.3
# Fewest tagged articles for the topic share to count at all: a three-article notice with one hit says little.
MIN_TAGGED_UNITS = 3

# The transmitted title of a notice: 关于印发《上海市公共数据开放暂行办法》的通知 -> 上海市公共数据开放暂行办法.
QUOTED_TITLE = re.compile(r"《([^《》]{2,80})》")
# Where a title's issuers end and its subject begins: the first 关于 (国务院办公厅关于…, 市政府关于印发…).
ABOUT = re.compile(r"关于")
# Clause kinds whose heading can devote a part of the text to a subject.
_HEADED = frozenset({ClauseKind.PART, ClauseKind.CHAPTER, ClauseKind.SECTION, ClauseKind.DIVISION})
# Units of a policy document when it has no articles: its items at any depth that hold text of their own.
_POLICY_UNITS = frozenset(
    {ClauseKind.DIVISION, ClauseKind.SUBDIVISION, ClauseKind.ITEM, ClauseKind.SUBITEM, ClauseKind.PREAMBLE}
)


@dataclass(frozen=True, slots=True)
class Subject:
    """One subject of the lexicon: its title phrases with weights, heading words, clause topics and parent."""

    name: str
    description: str | None
    title: tuple[tuple[str, float], ...]
    headings: tuple[str, ...]
    topics: tuple[str, ...]
    parent: str | None = None


@dataclass(frozen=True, slots=True, eq=False)  # one per loaded file set: hashed and compared by identity
class SubjectLexicon:
    """The subjects, with the title phrases that mark non-policies and the phrases blanked before matching."""

    subjects: tuple[Subject, ...]
    not_policy: tuple[str, ...]
    not_terms: tuple[str, ...]
    sources: tuple[str, ...]

    def subject(self, name: str) -> Subject | None:
        """The subject called ``name``, or None."""
        return next((s for s in self.subjects if s.name == name), None)

    @property
    def names(self) -> tuple[str, ...]:
        """Subject names in lexicon order."""
        return tuple(s.name for s in self.subjects)

    def descendants(self, name: str) -> tuple[str, ...]:
        """``name`` and every subject below it, in lexicon order."""
        found = [name]
        for subject in self.subjects:
            if subject.parent in found and subject.name not in found:
                found.append(subject.name)
        return tuple(found)

    def children(self, name: str) -> tuple[str, ...]:
        """The subjects directly below ``name``."""
        return tuple(s.name for s in self.subjects if s.parent == name)


def _phrases(value: object, path: Path, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TopicLexiconError(f"{path}: {where} must be a list of phrases, e.g. [数据共享, 共享开放]")
    return [v.strip() for v in value if v.strip()]


def _weights(value: object, path: Path, name: str) -> list[tuple[str, float]]:
    if value is None:
        return []
    if not isinstance(value, Mapping):
        raise TopicLexiconError(
            f"{path}: subject {name!r}: 'title' must map phrases to weights, e.g. {{数据共享: 1.0}}"
        )
    out = []
    for phrase, weight in value.items():
        if not isinstance(phrase, str) or not isinstance(weight, int | float) or not 0 < float(weight) <= 1:
            raise TopicLexiconError(
                f"{path}: subject {name!r}: title phrase {phrase!r} needs a weight in (0, 1], got {weight!r}"
            )
        out.append((phrase.strip(), float(weight)))
    return out


def read_subjects(path: Path) -> tuple[list[Subject], list[str], list[str]]:
    """The subjects, non-policy phrases and blanked phrases of one file; TopicLexiconError names what is wrong."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise TopicLexiconError(f"{path}: cannot read the subject lexicon ({exc.strerror or exc})") from exc
    except yaml.YAMLError as exc:
        raise TopicLexiconError(f"{path}: not valid YAML ({exc}); expected subjects: {{name: {{title: ...}}}}") from exc
    if not isinstance(data, Mapping) or not isinstance(data.get("subjects", {}), Mapping):
        raise TopicLexiconError(f"{path}: expected a mapping with 'subjects' (and optional not_policy, not_terms)")
    subjects = []
    for name, entry in (data.get("subjects") or {}).items():
        if not isinstance(name, str) or not isinstance(entry, Mapping):
            raise TopicLexiconError(f"{path}: subject {name!r} must map to {{title: ..., topics: [...]}}")
        parent = entry.get("parent")
        if parent is not None and not isinstance(parent, str):
            raise TopicLexiconError(f"{path}: subject {name!r}: 'parent' must be a subject name")
        description = entry.get("description")
        subjects.append(
            Subject(
                name,
                str(description) if description else None,
                tuple(_weights(entry.get("title"), path, name)),
                tuple(_phrases(entry.get("headings"), path, f"subject {name!r}: 'headings'")),
                tuple(_phrases(entry.get("topics"), path, f"subject {name!r}: 'topics'")),
                parent,
            )
        )
    return subjects, _phrases(data.get("not_policy"), path, "not_policy"), _phrases(data.get("not_terms"), path,
                                                                                      "not_terms")  # fmt: skip


def _merge(base: list[Subject], extra: list[Subject]) -> list[Subject]:
    merged = {s.name: s for s in base}
    for subject in extra:
        old = merged.get(subject.name)
        if old is None:
            merged[subject.name] = subject
            continue
        title = dict(old.title)
        title.update(subject.title)
        merged[subject.name] = Subject(
            subject.name,
            subject.description or old.description,
            tuple(title.items()),
            tuple(dict.fromkeys(old.headings + subject.headings)),
            tuple(dict.fromkeys(old.topics + subject.topics)),
            subject.parent or old.parent,
        )
    return list(merged.values())


@lru_cache(maxsize=8)
def load_subjects(extra: Path | None = None) -> SubjectLexicon:
    """kb's subject lexicon, extended by a user's file of the same shape when given (loaded once per file)."""
    subjects, not_policy, not_terms = read_subjects(SUBJECTS_FILE)
    sources = [str(SUBJECTS_FILE)]
    if extra is not None:
        more, more_policy, more_terms = read_subjects(Path(extra))
        subjects = _merge(subjects, more)
        not_policy += more_policy
        not_terms += more_terms
        sources.append(str(extra))
    names = {s.name for s in subjects}
    for subject in subjects:
        if subject.parent is not None and subject.parent not in names:
            raise TopicLexiconError(
                f"{sources[-1]}: subject {subject.name!r} has parent {subject.parent!r}, which is no subject"
            )
    return SubjectLexicon(tuple(subjects), tuple(dict.fromkeys(not_policy)), tuple(dict.fromkeys(not_terms)),
                          tuple(sources))  # fmt: skip


# -- evidence --------------------------------------------------------------------------------------------------


def subject_part(title: str) -> str:
    """The words of a title that say what it is about: after its issuers' 关于, plus any title it transmits.

    国务院办公厅关于印发《科学数据管理办法》的通知 -> 印发《科学数据管理办法》的通知 (the issuers dropped);
    上海市经济和信息化委员会关于开展…的通知 keeps only what follows 关于.
    """
    quoted = " ".join(QUOTED_TITLE.findall(title))
    about = list(ABOUT.finditer(title))
    rest = title[about[0].end() :] if about else title
    return f"{rest} {quoted}".strip()


def _blank(text: str, phrases: Sequence[str]) -> str:
    for phrase in phrases:
        if phrase in text:
            text = text.replace(phrase, "□" * len(phrase))
    return text


def _phrase_in(phrase: str, text: str) -> bool:
    return all(part in text for part in phrase.split("&"))


def _title_evidence(subject: Subject, text: str) -> tuple[float, str | None]:
    """The strongest title phrase of ``subject`` in ``text`` (already blanked), and its evidence line."""
    best, found = 0.0, []
    for phrase, weight in subject.title:
        if _phrase_in(phrase, text):
            found.append(phrase.replace("&", "+"))
            best = max(best, weight)
    if not found:
        return 0.0, None
    return best, f"title: {'、'.join(found[:4])} ({best:.2f})"


@dataclass(frozen=True, slots=True)
class _Body:
    """What the scorer needs of a document's clauses: its units and the topics and headings above each."""

    units: tuple[str, ...]  # clause ids of the counted units (articles, or a policy document's items)
    topics_of: Mapping[str, frozenset[str]]  # unit id -> topics tagged in it
    headings_of: Mapping[str, tuple[str, ...]]  # unit id -> headings of the chapters/sections/divisions above it


def _body(clauses: Sequence[Clause], tags: Sequence[TopicTag]) -> _Body:
    articles = [c for c in clauses if c.kind is ClauseKind.ARTICLE]
    if articles:
        units = articles
    else:
        parents = {c.parent for c in clauses}
        units = [c for c in clauses if c.kind in _POLICY_UNITS and c.id not in parents]
    by_id = {c.id: c for c in clauses}
    unit_ids = {c.id for c in units}

    def unit_of(clause_id: str) -> str | None:
        clause = by_id.get(clause_id)
        while clause is not None:
            if clause.id in unit_ids:
                return clause.id
            clause = by_id.get(clause.parent) if clause.parent else None
        return None

    topics_of: dict[str, set[str]] = {}
    for tag in tags:
        unit_id = unit_of(tag.clause_id)
        if unit_id is not None:
            topics_of.setdefault(unit_id, set()).add(tag.topic)
    headings_of: dict[str, tuple[str, ...]] = {}
    for unit in units:
        heads: list[str] = []
        clause = by_id.get(unit.parent) if unit.parent else None
        while clause is not None:
            if clause.kind in _HEADED and clause.heading:
                heads.append(f"{clause.number or ''} {clause.heading}".strip())
            clause = by_id.get(clause.parent) if clause.parent else None
        headings_of[unit.id] = tuple(heads)
    return _Body(tuple(c.id for c in units), {k: frozenset(v) for k, v in topics_of.items()}, headings_of)


def _share_evidence(topics: set[str], body: _Body) -> tuple[float, str | None]:
    if not body.units or not topics:
        return 0.0, None
    tagged = sum(1 for u in body.units if body.topics_of.get(u, frozenset()) & topics)
    if tagged < MIN_TAGGED_UNITS:
        return 0.0, None
    share = tagged / len(body.units)
    strength = min(1.0, share / FULL_TOPIC_SHARE)
    names = "/".join(sorted(topics))
    return strength, f"clauses: {tagged} of {len(body.units)} units tagged {names} ({share:.0%}; {strength:.2f})"


def _heading_evidence(words: set[str], body: _Body) -> tuple[float, str | None]:
    if not body.units or not words:
        return 0.0, None
    devoted: dict[str, int] = {}
    for unit in body.units:
        for heading in body.headings_of.get(unit, ()):
            if any(word in heading for word in words):
                devoted[heading] = devoted.get(heading, 0) + 1
                break
    if not devoted:
        return 0.0, None
    under = sum(devoted.values())
    share = under / len(body.units)
    strength = min(1.0, share / FULL_HEADING_SHARE)
    shown = "、".join(list(devoted)[:3])
    return strength, f"headings: {shown} — {under} of {len(body.units)} units ({strength:.2f})"


def _combine(strengths: Sequence[float]) -> float:
    remaining = 1.0
    for s in strengths:
        remaining *= 1.0 - s
    return 1.0 - remaining


def score_subjects(
    title: str | None,
    clauses: Sequence[Clause] = (),
    tags: Sequence[TopicTag] = (),
    lexicon: SubjectLexicon | None = None,
    *,
    all_scores: bool = False,
) -> tuple[SubjectScore, ...]:
    """The subjects a document is mainly about, best first, each with its score and evidence; pure.

    ``clauses`` and ``tags`` may be empty (a document known by its title only). With ``all_scores`` every subject
    with any evidence is returned, also below the threshold (for `kb show` and measuring).
    """
    lexicon = lexicon or load_subjects()
    text = _blank(subject_part(title or ""), lexicon.not_terms)
    blocked = next((p for p in lexicon.not_policy if p in (title or "")), None)
    body = _body(clauses, tags)
    raw: dict[str, tuple[float, tuple[str, ...]]] = {}
    # Leaves first, so that an umbrella can take the best of its children.
    for subject in reversed(lexicon.subjects):
        family = lexicon.descendants(subject.name)
        members = [s for s in lexicon.subjects if s.name in family]
        strengths: list[float] = []
        evidence: list[str] = []
        t, line = _title_evidence(subject, text)
        if line:
            strengths.append(t)
            evidence.append(line)
        for value, line in (
            _heading_evidence({w for s in members for w in s.headings}, body),
            _share_evidence({t for s in members for t in s.topics}, body),
        ):
            if line:
                strengths.append(value)
                evidence.append(line)
        score = _combine(strengths)
        for child in lexicon.children(subject.name):
            child_score, _ = raw.get(child, (0.0, ()))
            if child_score > score:
                score = child_score
                evidence.append(f"sub-subject {child} ({child_score:.2f})")
        if blocked is not None and score > 0:
            evidence.append(f"type: not a policy document ({blocked})")
            score = 0.0
        raw[subject.name] = (score, tuple(evidence))
    out = [
        SubjectScore(name, round(score, 3), evidence, lexicon.subject(name).parent)  # type: ignore[union-attr]
        for name, (score, evidence) in raw.items()
        if evidence and (all_scores or score >= THRESHOLD)
    ]
    order = {name: i for i, name in enumerate(lexicon.names)}
    return tuple(sorted(out, key=lambda s: (-s.score, order[s.subject])))


def has_subject(scores: Sequence[SubjectScore]) -> frozenset[str]:
    """The subjects whose score reaches the threshold."""
    return frozenset(s.subject for s in scores if s.score >= THRESHOLD)


__all__ = [
    "THRESHOLD",
    "Subject",
    "SubjectLexicon",
    "has_subject",
    "load_subjects",
    "read_subjects",
    "score_subjects",
    "subject_part",
]
