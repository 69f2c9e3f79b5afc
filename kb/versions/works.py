"""Works and versions: document summaries + text fingerprints + amending/repealing acts -> one Version per document.

A work is what a title names over time: 中华人民共和国数据安全法 as adopted and as amended. Documents are one work
when their titles reduce to the same key (:func:`kb.citations.patterns.title_key`: no 中华人民共和国, version notes,
brackets or spaces) in the same place; an act that amends or repeals (关于修改《…》的决定) is a work of its own
whatever its title, since two such decisions are two acts. Within a work:

- the same text twice (same title, same date or one undated, same characters less spaces) is one document and its
  copies (``duplicate_of``), whatever the file names;
- documents of the same date with different texts are the parts of one version (民法典's 编 stored as seven files);
- the versions are ordered by date, and each gets a status with the rule that decided it (see :func:`_statuses`).

Everything here is a pure function of its inputs: the pipeline gathers them from the store after citations are
resolved (an amending or repealing act is a resolved 修改/废止 citation) and stores what :func:`link_versions` returns.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from kb.citations.patterns import title_key
from kb.models import DocMeta, DocSummary, EventKind, Relation, Status
from kb.versions.records import Act, Version

if TYPE_CHECKING:
    from kb.store.sqlite import Store

# A title that names a one-off act rather than a text kept up to date: 关于修改《…》的决定, 关于废止部分规章的决定,
# 关于批准《…》的决议. Two documents so titled are two acts, never two versions of one.
ONE_OFF_ACT = re.compile(r"关于(?:修改|修正|废止|批准|停止执行|暂时调整|授权)")
# The date a file name of some collections ends with: 数据安全法(2021-06-10).md -> 数据安全法.
FILE_DATE = re.compile(r"(?<!\s)\s*[（(]\d{4}-\d{2}-\d{2}[)）]$")
# Events whose date is the date of a version of the text.
_VERSION_EVENTS = (EventKind.ADOPTED, EventKind.AMENDED, EventKind.REVISED, EventKind.PROMULGATED, EventKind.APPROVED)
# Whitespace and the full-width space, which transcriptions of one text differ in.
_SPACES = re.compile(r"[\s\u3000]+")


def text_fingerprint(body: str) -> str:
    """A digest of a text less its spaces and width differences: equal for two copies of one document."""
    text = _SPACES.sub("", unicodedata.normalize("NFKC", body))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def version_date(meta: DocMeta) -> date | None:
    """The date of the version a text is: its version date, else the latest adoption, amendment, revision,
    promulgation or approval in its header, else its effective date."""
    if meta.version_date is not None:
        return meta.version_date
    dates = [e.date for e in meta.events if e.kind in _VERSION_EVENTS]
    if dates:
        return max(dates)
    return meta.effective or meta.promulgated or meta.adopted


def start_date(meta: DocMeta, when: date | None) -> date | None:
    """When a version comes into force: its effective date when not before the version's own date, else its date."""
    if meta.effective is not None and (when is None or meta.effective >= when):
        return meta.effective
    return when


def work_key(summary: DocSummary) -> str:
    """The key of the work a document is a version of (see the module docstring)."""
    title = summary.title or summary.meta.title
    if not title or ONE_OFF_ACT.search(title):
        return f"#{summary.id}"
    place = "/".join(p for p in (summary.meta.province, summary.meta.city) if p)
    key = title_key(title)
    return f"{key}@{place}" if place else key


def part_name(summary: DocSummary) -> str:
    """What tells a part of a code from the others: its file name less the date (总则, 合同编)."""
    return FILE_DATE.sub("", PurePosixPath(summary.path.replace("\\", "/")).stem)


@dataclass(frozen=True, slots=True)
class _Member:
    summary: DocSummary
    when: date | None
    start: date | None


def link_versions(
    summaries: Iterable[DocSummary],
    fingerprints: Mapping[str, str],
    acts: Sequence[Act],
    today: date,
    articles: Mapping[str, frozenset[tuple[int, int | None]]] | None = None,
) -> tuple[Version, ...]:
    """One Version per document: its work, place among the work's versions, status on ``today`` and the rule.

    ``fingerprints`` maps doc ids to :func:`text_fingerprint` of their bodies (documents left out are never taken
    for copies); ``acts`` are the resolved amending and repealing citations; ``articles`` the (number, 之X) of each
    document's articles, which tell the parts of a code (disjoint articles) from two transcriptions of one text
    (the same articles: a copy).
    """
    articles = articles or {}
    works: dict[str, list[_Member]] = defaultdict(list)
    for summary in summaries:
        when = version_date(summary.meta)
        works[work_key(summary)].append(_Member(summary, when, start_date(summary.meta, when)))
    work_of = {m.summary.id: key for key, members in works.items() for m in members}
    acts_on: dict[str, list[tuple[Act, DocSummary]]] = defaultdict(list)
    by_id = {m.summary.id: m.summary for members in works.values() for m in members}
    for act in acts:
        if act.target_doc in work_of and act.doc_id in by_id:
            acts_on[work_of[act.target_doc]].append((act, by_id[act.doc_id]))
    out: list[Version] = []
    for key in sorted(works):
        out.extend(_link_work(key, works[key], fingerprints, acts_on.get(key, []), today, articles))
    return tuple(out)


def _sort_key(member: _Member) -> tuple[bool, date, str]:
    return (member.when is not None, member.when or date.min, member.summary.path)


def _link_work(key: str, members: list[_Member], fingerprints: Mapping[str, str],
               acts: list[tuple[Act, DocSummary]], today: date,
               articles: Mapping[str, frozenset[tuple[int, int | None]]]) -> list[Version]:  # fmt: skip
    members = sorted(members, key=_sort_key)
    # copies: the same text, and dates that do not differ (an unstated one does not); the copy whose metadata
    # states a date, then the one with the shortest path, is the document
    originals: list[_Member] = []
    copies: dict[str, str] = {}

    def stated(m: _Member) -> date | None:  # the date the metadata states, not one guessed from the header
        return m.summary.meta.version_date

    for member in sorted(members, key=lambda m: (stated(m) is None, len(m.summary.path), m.summary.path)):
        mark = fingerprints.get(member.summary.id)
        same = next(
            (o for o in originals if mark is not None and fingerprints.get(o.summary.id) == mark
             and (stated(o) is None or stated(member) is None or stated(o) == stated(member))),
            None,
        )  # fmt: skip
        if same is None:
            originals.append(member)
        else:
            copies[member.summary.id] = same.summary.id
    # versions: originals of one date are the parts of one version; undated originals are versions each
    groups: list[list[_Member]] = []
    retold: dict[str, str] = {}  # another transcription of a document of its group -> that document
    for member in sorted(originals, key=_sort_key):
        if groups and member.when is not None and groups[-1][0].when == member.when:
            mine = articles.get(member.summary.id, frozenset())
            twin = next((m for m in groups[-1] if _same_articles(mine, articles.get(m.summary.id, frozenset()))),
                        None)  # fmt: skip
            if twin is not None:
                retold[member.summary.id] = twin.summary.id
                continue
            groups[-1].append(member)
        else:
            groups.append([member])
    copies.update(retold)
    title = groups[-1][0].summary.title if groups else None
    decided = _statuses(groups, acts, today)
    out: list[Version] = []
    by_doc: dict[str, Version] = {}
    for seq, (group, (status, rule, until, ended_by)) in enumerate(zip(groups, decided, strict=True), 1):
        successor = groups[seq][0].summary.id if seq < len(groups) else None
        for member in group:
            version = Version(
                doc_id=member.summary.id, work=key, work_title=title, seq=seq, count=len(groups), date=member.when,
                start=member.start, until=until, status=status, rule=rule,
                part=part_name(member.summary) if len(group) > 1 else None, successor=successor, ended_by=ended_by,
            )  # fmt: skip
            out.append(version)
            by_doc[member.summary.id] = version
    for copy, original in sorted(copies.items()):
        base = by_doc[original]
        member = next(m for m in members if m.summary.id == copy)
        out.append(Version(
            doc_id=copy, work=key, work_title=title, seq=base.seq, count=base.count, date=base.date or member.when,
            start=base.start, until=base.until, status=base.status, rule=f"a copy of {original}: {base.rule}",
            part=base.part, duplicate_of=original, successor=base.successor, ended_by=base.ended_by,
        ))  # fmt: skip
    return out


def _same_articles(a: frozenset[tuple[int, int | None]], b: frozenset[tuple[int, int | None]]) -> bool:
    """True when two texts of one title and date hold mostly the same articles: two transcriptions of one text,
    not two parts of a code (whose articles are disjoint)."""
    if not a or not b:
        return False
    return len(a & b) > min(len(a), len(b)) // 2


def _flag(group: list[_Member]) -> Status | None:
    """The status the documents' own metadata (front matter, catalogue or sidecar) gives a version."""
    flags = {m.summary.meta.status for m in group} - {None}
    return flags.pop() if len(flags) == 1 else None


def _statuses(groups: list[list[_Member]], acts: list[tuple[Act, DocSummary]],
              today: date) -> list[tuple[Status, str, date | None, str | None]]:  # fmt: skip
    """(status, rule, in force until, ended by) of each version, oldest first.

    The rules, in the order they are tried:

    1. a draft (the text says so) is a draft;
    2. a version followed by a later one is amended (superseded) once the later one is in force, and in force
       until then;
    3. the latest version is repealed when a document of the knowledge base repeals it (《…》同时废止, 关于废止…
       的决定) after its date, or its own header records a repeal;
    4. … amended when a decision of the knowledge base amends it after its date (the amended text is not here);
    5. … takes the status its metadata gives (front matter, a catalogue's or sidecar's 有效/已修改/废止) — except a
       repeal flag that every version of the work carries while this version's own text repeals the one before:
       that flag describes the versions replaced, as catalogues that keep one status per title copy it to each;
    6. … is not yet in force before its effective date;
    7. … else in force: the latest text known, with nothing in the knowledge base ending it.
    """
    members_of = {m.summary.id: i for i, group in enumerate(groups) for m in group}
    out: list[tuple[Status, str, date | None, str | None]] = []
    for i, group in enumerate(groups):
        first = group[0]
        when = first.when
        shown = when.isoformat() if when else "undated"
        if any(m.summary.meta.is_draft or m.summary.meta.status is Status.DRAFT for m in group):
            out.append((Status.DRAFT, "a draft: the text says so", None, None))
            continue
        if i + 1 < len(groups):
            later = groups[i + 1][0]
            later_start = later.start or later.when
            if later_start is not None and later_start > today:
                out.append((Status.IN_FORCE, f"in force until the version of {later.when} takes effect on "
                                             f"{later_start}", later_start, None))  # fmt: skip
            else:
                out.append((Status.AMENDED, f"superseded by the version of {later.when or 'a later date'}",
                            later_start, None))  # fmt: skip
            continue
        own = {m.summary.id for m in group}
        outside = [(a, s) for a, s in acts if a.doc_id not in members_of]
        ended = _ending_act(outside, Relation.REPEALS, when)
        if ended is not None:
            act_date = version_date(ended.meta)
            out.append((Status.REPEALED, f"repealed by 《{ended.title}》 ({act_date or 'undated'})", act_date,
                        ended.id))  # fmt: skip
            continue
        header = [e for m in group for e in m.summary.meta.events if e.kind is EventKind.REPEALED]
        if header:
            out.append((Status.REPEALED, f"its header records a repeal on {header[0].date}", header[0].date, None))
            continue
        amended = _ending_act(outside, Relation.AMENDS, when)
        if amended is not None:
            act_date = version_date(amended.meta)
            out.append((Status.AMENDED, f"amended by 《{amended.title}》 ({act_date or 'undated'}), whose amended "
                                        "text is not in the knowledge base", act_date, amended.id))  # fmt: skip
            continue
        flag = _flag(group)
        if flag is Status.REPEALED and i > 0 and all(_flag(g) is Status.REPEALED for g in groups[:i]):
            replaces = any(a.relation is Relation.REPEALS and a.doc_id in own and members_of.get(a.target_doc, i) < i
                           for a, _ in acts)  # fmt: skip
            if replaces:
                flag = None
                note = (
                    "; the metadata's repeal flag, on every version of the work, is taken for the versions "
                    "this one's text repeals"
                )
            else:
                note = ""
        else:
            note = ""
        if flag is not None and flag is not Status.IN_FORCE:
            out.append((flag, f"its metadata says {flag.value}", None, None))
            continue
        start = first.start or when
        if start is not None and start > today:
            out.append((Status.NOT_YET_IN_FORCE, f"takes effect on {start}", None, None))
            continue
        if flag is Status.IN_FORCE:
            out.append((Status.IN_FORCE, "its metadata says in_force", None, None))
            continue
        alone = "the only version" if len(groups) == 1 else f"the latest of {len(groups)} versions ({shown})"
        out.append((Status.IN_FORCE, f"{alone} in the knowledge base, and nothing there repeals or amends it{note}",
                    None, None))  # fmt: skip
    return out


def _ending_act(acts: list[tuple[Act, DocSummary]], relation: Relation, after: date | None) -> DocSummary | None:
    """The earliest act of ``relation`` dated after ``after`` (any dated act when the version is undated)."""
    found = []
    for act, summary in acts:
        act_date = version_date(summary.meta)
        if act.relation is relation and act_date is not None and (after is None or act_date > after):
            found.append((act_date, summary.path, summary))
    return min(found, key=lambda f: (f[0], f[1]))[2] if found else None


def link_all(store: Store, today: date | None = None) -> tuple[Version, ...]:
    """Link the versions of every work in the store (after its citations are resolved) and store the result."""
    versions = link_versions(store.summaries(), store.fingerprints(), store.acts(), today or date.today(),
                             store.article_numbers())  # fmt: skip
    with store.transaction():
        store.put_versions(versions)
    return versions


def status_on(versions: Sequence[Version], day: date) -> dict[str, tuple[Status, str]]:
    """The status of each version of one work on ``day``, with its rule: the one in force then, the earlier ones
    superseded, the later ones not yet in force; after a repeal or amendment by a later act, the latest is that."""
    out: dict[str, tuple[Status, str]] = {}
    seqs = sorted({v.seq for v in versions if v.duplicate_of is None})
    starts = {v.seq: v.start or v.date for v in versions if v.duplicate_of is None}
    current = max((s for s in seqs if starts[s] is None or starts[s] <= day), default=None)  # type: ignore[operator]
    for v in versions:
        start = starts.get(v.seq)
        if v.status is Status.DRAFT:
            out[v.doc_id] = (Status.DRAFT, v.rule)
        elif start is not None and start > day:
            out[v.doc_id] = (Status.NOT_YET_IN_FORCE, f"takes effect on {start}")
        elif current is not None and v.seq < current:
            out[v.doc_id] = (Status.AMENDED, f"superseded by the version in force from {starts[current]}")
        elif v.until is not None and v.until <= day and v.status in (Status.REPEALED, Status.AMENDED):
            out[v.doc_id] = (v.status, v.rule)
        elif v.status in (Status.REPEALED, Status.AMENDED) and v.until is None and v.seq == max(seqs):
            out[v.doc_id] = (v.status, v.rule)  # ended on a day nothing tells
        else:
            out[v.doc_id] = (Status.IN_FORCE, "the version in force that day (the latest in force on or before it)")
    return out


__all__ = [
    "link_all",
    "link_versions",
    "part_name",
    "start_date",
    "status_on",
    "text_fingerprint",
    "version_date",
    "work_key",
]
