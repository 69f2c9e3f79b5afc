"""Records of the versions stage: a document's place among the versions of its work, and the diffs between them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from kb.models import Relation, Status


@dataclass(frozen=True, slots=True)
class Act:
    """A document of the knowledge base that amends or repeals another: a resolved 修改/废止 citation."""

    doc_id: str  # the amending or repealing document
    target_doc: str  # the document (version) it names
    relation: Relation  # AMENDS or REPEALS


@dataclass(frozen=True, slots=True)
class Version:
    """One document as a version of a work: where it stands among the work's versions and its status.

    ``status`` is the status on the day the knowledge base was built, ``rule`` says in words which evidence decided
    it. A code stored as several files (民法典's 编) has one version with several ``part`` documents, which share
    ``seq``; a copy of another document (same title, date and text) has ``duplicate_of`` set and is not a version
    of its own.
    """

    doc_id: str
    work: str  # the work's key: the title reduced for matching, with the place of a local document
    work_title: str | None  # the title of the work's latest version
    seq: int  # 1 for the oldest version of the work
    count: int  # how many versions the work has in the knowledge base
    date: datetime.date | None  # the version's date (its latest adoption, amendment or promulgation)
    start: datetime.date | None  # in force from: its effective date, else its date
    until: datetime.date | None  # in force until: the next version's start, or the repeal or amendment after it
    status: Status
    rule: str
    part: str | None = None  # the part of a code stored as several files (总则, 合同编 …)
    duplicate_of: str | None = None  # the document this one is a copy of
    successor: str | None = None  # the next version (its first part)
    ended_by: str | None = None  # the document that repealed or amended the latest version


@dataclass(frozen=True, slots=True)
class VersionSummary:
    """A version as `kb show TITLE` lists it: the version, its document's title and file."""

    version: Version
    title: str | None
    path: str


@dataclass(frozen=True, slots=True)
class Work:
    """A work and its versions, oldest first, with the documents that amend or repeal it."""

    key: str
    title: str | None
    versions: tuple[VersionSummary, ...]
    duplicates: tuple[VersionSummary, ...] = ()
    acts: tuple[tuple[str, str | None, Relation], ...] = ()  # (doc id, title, relation) of amending/repealing docs


@dataclass(frozen=True, slots=True)
class ArticleAsOf:
    """An article (or other clause) in the version of its work in force on a day."""

    doc_id: str
    clause_id: str
    title: str | None
    number: str | None
    text: str
    as_of: datetime.date | None
    version_date: datetime.date | None
    status: Status
    rule: str


@dataclass(frozen=True, slots=True)
class DiffOp:
    """One stretch of a word-by-word comparison: equal, insert, delete or replace."""

    op: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class ClauseDiff:
    """What changed in one article between two versions (``old_*`` None when it is new)."""

    number: str | None
    old_doc: str | None
    old_clause: str | None
    new_doc: str | None
    new_clause: str | None
    old_date: datetime.date | None
    new_date: datetime.date | None
    change: str  # same | changed | added | removed | renumbered
    ops: tuple[DiffOp, ...] = ()
    old_number: str | None = None  # for a renumbered article: its number in the old version


@dataclass(frozen=True, slots=True)
class WorkDiff:
    """What changed in a whole work between two versions: one entry per article that differs."""

    title: str | None
    old_doc: str
    new_doc: str
    old_date: datetime.date | None
    new_date: datetime.date | None
    articles: tuple[ClauseDiff, ...]
    counts: tuple[tuple[str, int], ...]  # change -> number of articles


__all__ = ["Act", "ArticleAsOf", "ClauseDiff", "DiffOp", "Version", "VersionSummary", "Work", "WorkDiff"]
