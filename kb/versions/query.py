"""Version queries: a name (title, id, clause) + the store -> the work's versions, the text in force on a day, diffs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from kb.errors import NotFound
from kb.models import Clause, ClauseKind, Relation, Status
from kb.versions.diff import diff_articles, diff_text, wording
from kb.versions.records import ArticleAsOf, ClauseDiff, Version, VersionSummary, Work, WorkDiff


def resolve_id(store: Store, ref: str, *, as_of: date | None = None) -> Target:
    """kb.citations.lookup.resolve_id, imported when a reference is to be read (its title patterns cost a search's
    start-up time, and a search reads no reference)."""
    from kb.citations.lookup import resolve_id as resolve

    return resolve(store, ref, as_of=as_of)


def version_docs(members: Sequence[Version], day: date | None, name: str) -> list[str]:
    """kb.citations.lookup.version_docs, imported when used (see :func:`resolve_id`)."""
    from kb.citations.lookup import version_docs as docs

    return docs(members, day, name)


if TYPE_CHECKING:
    from kb.citations.lookup import Target
    from kb.search.interface import LiveVersions
    from kb.store.sqlite import Store


def work_of(store: Store, doc_id: str) -> Work | None:
    """The work a document is a version of, with every version and copy and the acts amending or repealing it."""
    version = store.version(doc_id)
    if version is None:
        return None
    members = store.versions(work=version.work)
    summaries = {v.doc_id: store.summary(v.doc_id) for v in members}

    def listed(v: Version) -> VersionSummary:
        s = summaries[v.doc_id]
        return VersionSummary(v, s.title if s else None, s.path if s else v.doc_id)

    ids = {v.doc_id for v in members}
    acts: dict[str, tuple[str, str | None, Relation]] = {}
    for act in store.acts():
        if act.target_doc in ids and act.doc_id not in ids:
            s = store.summary(act.doc_id)
            acts.setdefault(act.doc_id, (act.doc_id, s.title if s else None, act.relation))
    return Work(
        key=version.work,
        title=version.work_title,
        versions=tuple(listed(v) for v in members if v.duplicate_of is None),
        duplicates=tuple(listed(v) for v in members if v.duplicate_of is not None),
        acts=tuple(sorted(acts.values(), key=lambda a: (a[1] or "", a[0]))),
    )


def clause_as_of(store: Store, ref: str, day: date | None) -> ArticleAsOf:
    """The clause ``ref`` names (``数据安全法 第二十一条``) in the version of its work in force on ``day`` (the
    latest version when None), with that version's date and its status on the day."""
    target = resolve_id(store, ref, as_of=day)
    if target.clause_id is None:
        raise NotFound(f"{ref}: name a clause too, e.g. '{ref} 第一条'")
    clause = store.get_clause(target.doc_id, target.clause_id)
    version = store.version(target.doc_id)
    assert clause is not None
    status, rule = (version.status, version.rule) if version else (Status.IN_FORCE, "no version information")
    if version is not None and day is not None:
        from kb.versions.works import status_on

        status, rule = status_on([v for v in store.versions(work=version.work)], day)[target.doc_id]
    return ArticleAsOf(
        doc_id=target.doc_id, clause_id=clause.id, title=target.title, number=clause.number, text=clause.text,
        as_of=day, version_date=version.date if version else None, status=status, rule=rule,
    )  # fmt: skip


def _version_pair(store: Store, ref: str, since: date | None, until: date | None) -> tuple[list[str], list[str]]:
    """The documents (parts) of the two versions to compare: in force on ``since`` and on ``until``; by default the
    version before the latest and the latest."""
    base = resolve_id(store, ref.split(" 第")[0].split("#")[0] if " " in ref or "#" in ref else ref)
    version = store.version(base.doc_id)
    if version is None:
        raise NotFound(f"{ref}: no version information; run `kb ingest` to build it")
    members = [v for v in store.versions(work=version.work) if v.duplicate_of is None]
    seqs = sorted({v.seq for v in members})
    if len(seqs) < 2:
        raise NotFound(f"{ref}: only one version in the knowledge base; nothing to compare")
    name = version.work_title or ref
    new = version_docs(members, until, name) if until else [v.doc_id for v in members if v.seq == seqs[-1]]
    if since is not None:
        old = version_docs(members, since, name)
    else:
        new_seq = next(v.seq for v in members if v.doc_id == new[0])
        earlier = [s for s in seqs if s < new_seq]
        if not earlier:
            raise NotFound(f"{ref}: the version compared is the first; give --from and --to")
        old = [v.doc_id for v in members if v.seq == earlier[-1]]
    return old, new


def _clauses(store: Store, doc_ids: list[str]) -> list[Clause]:
    out: list[Clause] = []
    for doc_id in doc_ids:
        doc = store.get_document(doc_id)
        if doc is not None:
            out.extend(doc.clauses)
    return out


def diff_clause(store: Store, ref: str, since: date | None = None, until: date | None = None) -> ClauseDiff:
    """What changed in one article (``数据安全法 第二十一条``) between the versions in force on ``since`` and
    ``until`` (by default the version before the latest and the latest), character by character.

    The article is followed by its wording when it was renumbered; an article absent from one side is added or
    removed."""
    from kb.segment.segmenter import find_clause

    target = resolve_id(store, ref, as_of=until)
    if target.clause_id is None:
        raise NotFound(f"{ref}: name an article, e.g. '{ref} 第一条'; `kb diff TITLE` compares whole versions")
    old_ids, new_ids = _version_pair(store, ref, since, until)
    clause_ref = ref[len(ref.split(" 第")[0]) :].strip() if " 第" in ref else target.clause_id
    new_clauses, old_clauses = _clauses(store, new_ids), _clauses(store, old_ids)
    new_dates = store.version(new_ids[0])
    old_dates = store.version(old_ids[0])
    new_date = new_dates.date if new_dates else None
    old_date = old_dates.date if old_dates else None
    new = find_clause(new_clauses, clause_ref)
    old = find_clause(old_clauses, clause_ref)
    if new is None and old is None:
        raise NotFound(f"{ref}: in neither version")
    if new is not None and new.kind is ClauseKind.ARTICLE:
        for entry in diff_articles(old_clauses, new_clauses, old_date, new_date):
            if entry.new_doc == new.doc_id and entry.new_clause == new.id:
                return entry
    if old is None:
        assert new is not None
        return ClauseDiff(new.number, None, None, new.doc_id, new.id, old_date, new_date, "added",
                          diff_text("", new.text))  # fmt: skip
    if new is None:
        return ClauseDiff(old.number, old.doc_id, old.id, None, None, old_date, new_date, "removed",
                          diff_text(old.text, ""))  # fmt: skip
    same = wording(old) == wording(new)
    return ClauseDiff(new.number, old.doc_id, old.id, new.doc_id, new.id, old_date, new_date,
                      "same" if same else "changed", () if same else diff_text(wording(old), wording(new)))  # fmt: skip


def diff_work(store: Store, ref: str, since: date | None = None, until: date | None = None) -> WorkDiff:
    """The articles added, removed, renumbered and changed between two versions of a work (as for diff_clause)."""
    old_ids, new_ids = _version_pair(store, ref, since, until)
    old_v, new_v = store.version(old_ids[0]), store.version(new_ids[0])
    entries = diff_articles(_clauses(store, old_ids), _clauses(store, new_ids), old_v.date if old_v else None,
                            new_v.date if new_v else None)  # fmt: skip
    changed = tuple(e for e in entries if e.change != "same")
    counts = Counter(e.change for e in entries)
    return WorkDiff(
        title=new_v.work_title if new_v else None, old_doc=old_ids[0], new_doc=new_ids[0],
        old_date=old_v.date if old_v else None, new_date=new_v.date if new_v else None, articles=changed,
        counts=tuple(sorted(counts.items())),
    )  # fmt: skip


def searchable_versions(store: Store, status: Status | None = None, as_of: date | None = None) -> LiveVersions | None:
    """doc id -> sha256 of the documents a search may return: each document once (not its copies), and with
    ``status`` / ``as_of`` only those with that status (on that day; in force when only ``as_of`` is given); None
    when every indexed document may be returned."""
    from kb.models import DocFilter
    from kb.search.interface import INDEX_CLEAN, INDEX_STATE, LiveVersions

    clean = store.get_meta(INDEX_STATE) == INDEX_CLEAN
    if status is None and as_of is None:
        copies = store.copy_ids()
        if clean and not copies:
            return None  # store and index agree and nothing is to be hidden: no filter to pay for
        live = store.live_versions()
        kept = {d: sha for d, sha in live.items() if d not in copies}
    else:
        live = store.live_versions()
        chosen = store.summaries(DocFilter(status=status, as_of=as_of), once=True)
        kept = {s.id: live[s.id] for s in chosen if s.id in live}
    # With a clean index the index holds exactly the store's versions, so the rest of them are what is hidden.
    hidden = {d: sha for d, sha in live.items() if d not in kept} if clean else None
    return LiveVersions(kept, hidden)


def version_fields(store: Store, doc_id: str, clause_id: str | None, day: date | None = None) -> dict[str, Any]:
    """The fields `kb show --json` adds for versions (CLI and web alike): for a document its work, for a clause
    the day asked for, its version's date, its status then and the rule that decided it."""
    from kb.models import to_jsonable

    if clause_id is None:
        return {"work": to_jsonable(work_of(store, doc_id))}
    found = clause_as_of(store, f"{doc_id}#{clause_id}", day)
    return {"as_of": to_jsonable(day), "version_date": to_jsonable(found.version_date), "status": found.status.value,
            "status_rule": found.rule}  # fmt: skip


def duplicates(store: Store) -> list[dict[str, str | None]]:
    """The copies of documents, as `kb status --json` lists them."""
    return [{"doc_id": v.doc_id, "duplicate_of": v.duplicate_of} for v in store.versions() if v.duplicate_of]


__all__ = ["clause_as_of", "diff_clause", "diff_work", "duplicates", "searchable_versions", "version_fields", "work_of"]
