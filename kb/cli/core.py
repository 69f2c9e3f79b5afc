"""CLI core commands: ingest, extract, show, status."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from kb.cli.render import KbContext, emit_json, handle_errors, raw_stream
from kb.models import DocMeta, Document, SubjectScore, to_jsonable
from kb.pipeline.limits import DEFAULT_MAX_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS
from kb.schema import document_json, shown_json
from kb.search.interface import INDEX_DIRTY, INDEX_STATE


def _meta_rows(meta: DocMeta) -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = [
        ("发文字号", meta.doc_number),
        ("发文机关", "、".join(meta.issuers) or None),
        ("类型", meta.doc_type.value if meta.doc_type else None),
        ("层级", meta.level.value if meta.level else None),
        ("省份", meta.province),
        ("城市", meta.city),
        ("通过", meta.adopted),
        ("公布", meta.promulgated),
        ("施行", meta.effective),
        ("版本日期", meta.version_date),
        ("状态", meta.status.value if meta.status else None),
    ]
    return [(k, v) for k, v in rows if v is not None]


def _echo_meta(meta: DocMeta) -> None:
    for key, value in _meta_rows(meta):
        click.echo(f"  {key}: {to_jsonable(value)}")
    for event in meta.events:
        click.echo(f"  · {event.date.isoformat()} {event.kind.value}" + (f" ({event.body})" if event.body else ""))


def _outline(doc: Document, limit: int | None = None) -> None:
    shown = 0
    for clause in doc.clauses:
        if clause.kind.value in ("paragraph", "point", "subpoint", "subitem"):
            continue
        first = clause.text.split("\n", 1)[0]
        if clause.number and first.startswith(clause.number):
            first = first[len(clause.number) :].strip()
        if len(first) > 40:
            first = first[:40] + "…"
        indent = "  " * clause.depth
        click.echo(f"  {indent}{clause.id:<28} {clause.number or ''} {first}".rstrip())
        shown += 1
        if limit is not None and shown >= limit:
            click.echo(f"  … ({len(doc.clauses)} clauses in all; `--json` lists every one)")
            return


# -- ingest ----------------------------------------------------------------------------------------------------------


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--metadata", "metadata_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV of metadata that overrides what is read from the texts (a path or title column).")  # fmt: skip
@click.option("--topics", "topics_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="An extra topic lexicon file to add to the built-in one.")  # fmt: skip
@click.option(
    "--subjects",
    "subjects_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="An extra subject lexicon file (the shape of kb/data/subjects.yaml) to add to the built-in one.",
)
@click.option("--ocr", is_flag=True, help="Read scanned PDF pages by OCR (Tesseract).")
@click.option("--strict", is_flag=True, help="Stop at the first file that fails.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes (default: all cores).")
@click.option("--scheduler", metavar="tcp://HOST:PORT", default=None,
              help="Run the per-document stages on this Dask scheduler's workers (kb[distributed]).")  # fmt: skip
@click.option("--engine", type=click.Choice(["whoosh", "tantivy"]), default=None,
              help="Search engine of a new knowledge base (default whoosh); an existing one keeps its.")  # fmt: skip
@click.option("--timeout", type=click.FloatRange(min=0.1), default=DEFAULT_TIMEOUT_SECONDS, show_default=True,
              help="Seconds one file may take; a file past it is stopped and reported.")  # fmt: skip
@click.option("--max-memory", type=click.IntRange(min=64), default=DEFAULT_MAX_MEMORY_MB, show_default=True,
              help="Megabytes of memory (address space) the process reading one file may use.")  # fmt: skip
@click.option("--follow-links", is_flag=True, help="Follow symbolic links that lead outside the folders given.")
@click.option("--no-wait", is_flag=True, help="Exit 1 at once if another kb process is writing this knowledge base.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_obj
@handle_errors
def ingest(
    obj: KbContext,
    paths: tuple[Path, ...],
    metadata_file: Path | None,
    topics_file: Path | None,
    subjects_file: Path | None,
    ocr: bool,
    strict: bool,
    jobs: int | None,
    scheduler: str | None,
    engine: str | None,
    timeout: float,
    max_memory: int,
    follow_links: bool,
    no_wait: bool,
    as_json: bool,
) -> None:
    """Add or update documents (files or folders, recursively) in the knowledge base.

    Reads .pdf .docx .html/.htm .txt .md; unchanged files do no work, changed ones are re-read, files gone from an
    ingested folder are removed. Files that fail are listed at the end (exit status 1); what was already in the
    knowledge base stays. Each file is read under a time and memory limit (--timeout, --max-memory); special
    files are never opened and links leading outside the folders given are not followed (--follow-links). One
    process writes a knowledge base at a time: a second waits for the first (--no-wait: exits 1 naming it).

    Lists (.csv, .xlsx) whose header has a title column (title, 标题, 文件名称) and no path column are read as one
    document per row: issue_date/成文日期, publish_date/发布日期, government/issuer/发文机关, doc_number/发文字号,
    url/链接 and text/正文 are recognised (see README). A row without a title or with a date that does not parse
    is reported by its row number; the other rows are stored.

    \b
    Examples:
      kb ingest ../shared/corpus/lawrefbook --metadata ../shared/corpus/manifest.csv
      kb ingest ../shared/lists/portals/
      kb ingest corpus/ --scheduler tcp://10.0.0.5:8786   # on a Dask cluster
    """
    from kb.pipeline import ingest as run_ingest
    from kb.pipeline.files import discover
    from kb.pipeline.limits import Limits

    def waiting(holder: Any) -> None:
        click.echo(f"waiting for {holder.describe()} to finish writing {obj.home}…", err=True)

    found = discover(paths, follow_links=follow_links)
    run = functools.partial(run_ingest, found, obj.home, metadata_file=metadata_file, topics_file=topics_file,
                            subjects_file=subjects_file, ocr=ocr, strict=strict, jobs=jobs, scheduler=scheduler,
                            engine=engine, limits=Limits(timeout, max_memory), wait=not no_wait,
                            on_wait=waiting)  # fmt: skip
    if sys.stderr.isatty() and not as_json:
        total = len(found.files) + len(found.lists)
        with click.progressbar(length=total, label="ingesting", file=raw_stream(sys.stderr), show_pos=True) as bar:
            report = run(progress=lambda _path, _ok: bar.update(1))
    else:
        report = run()
    if as_json:
        emit_json(report)
    else:
        click.echo(
            f"{report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
            f"{report.removed} removed, {len(report.failures)} failed in {report.seconds:.1f} s → {obj.home}"
        )
        for failure in report.failures:
            click.echo(f"failed: {failure.message}", err=True)
    if report.failures:
        sys.exit(1)


# -- extract ---------------------------------------------------------------------------------------------------------


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--metadata", "metadata_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV of metadata overrides, as for `kb ingest`.")  # fmt: skip
@click.option("--ocr", is_flag=True, help="Read scanned PDF pages with Tesseract.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file (one per line when several).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=DEFAULT_TIMEOUT_SECONDS, show_default=True,
              help="Seconds one file may take; a file past it is stopped and reported.")  # fmt: skip
@click.option("--max-memory", type=click.IntRange(min=64), default=DEFAULT_MAX_MEMORY_MB, show_default=True,
              help="Megabytes of memory (address space) the process reading one file may use.")  # fmt: skip
@click.pass_obj
@handle_errors
def extract(obj: KbContext, files: tuple[Path, ...], metadata_file: Path | None, ocr: bool, as_json: bool,
            timeout: float, max_memory: int) -> None:  # fmt: skip
    """Run files through extraction, metadata and segmentation; store nothing.

    \b
    Example:
      kb extract report.pdf --json | jq '.clauses[] | select(.kind == "article") | .number'
    """
    from kb.models import Failure
    from kb.pipeline import Options, process_file
    from kb.pipeline.incremental import process_or_failure
    from kb.pipeline.limits import Limits, run_bounded

    overrides = None
    if metadata_file is not None:
        from kb.metadata.read import load_overrides

        overrides = load_overrides(metadata_file)
    options = Options(ocr=ocr, overrides=overrides)
    failed = 0
    # Each file is read in a worker process under the time and memory limits, as `kb ingest` reads it (with
    # --debug in this process, so that a traceback shows where a file fails).
    if obj.debug:
        outcomes: Any = ((str(f), process_file(f, options)) for f in files)
    else:
        work = functools.partial(process_or_failure, options=options)
        outcomes = run_bounded([str(f) for f in files], work, 1, Limits(timeout, max_memory))
    for file, processed in outcomes:
        if isinstance(processed, Failure):
            click.echo(f"failed: {processed.message}", err=True)
            failed += 1
            continue
        doc = processed.document
        if as_json:
            data = document_json(doc)
            data["path"] = str(file)
            click.echo(json.dumps(data, ensure_ascii=False, indent=None if len(files) > 1 else 2))
        else:
            click.echo(f"{file}: {doc.title or '(no title)'}  [{doc.format.value}, {doc.grammar or 'unstructured'}]")
            _echo_meta(doc.meta)
            articles = sum(1 for c in doc.clauses if c.kind.value == "article")
            click.echo(f"  {len(doc.clauses)} clauses, {articles} articles, {len(processed.citations)} citations")
            for warning in doc.warnings:
                click.echo(f"  warning: {warning}")
            _outline(doc, limit=30)
    if failed:
        sys.exit(1)


# -- show ------------------------------------------------------------------------------------------------------------


@click.command()
@click.argument("ref", nargs=-1, required=True)
@click.option("--text", "full_text", is_flag=True, help="Print the whole document text instead of its outline.")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The version in force on this day (YYYY-MM-DD) instead of the latest.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the document or clause as JSON.")
@click.pass_obj
@handle_errors
def show(obj: KbContext, ref: tuple[str, ...], full_text: bool, as_of: Any, as_json: bool) -> None:
    """Show a document or a clause by id, title or short title, with the versions of its work.

    REF is DOC_ID, DOC_ID#CLAUSE_ID, or a title with an optional clause. A title names the latest version of its
    work, or with --as-of the version in force that day; a code stored in several files (民法典) is one work.

    \b
    Examples:
      kb show 数据安全法
      kb show 中华人民共和国数据安全法 第二十一条
      kb show '深圳经济特区数据条例#art_21'
      kb show "公司法 第二十一条" --as-of 2019-01-01 --json
    """
    from kb.citations.lookup import resolve_id
    from kb.store.sqlite import Store
    from kb.versions.query import clause_as_of, work_of

    day = as_of.date() if as_of is not None else None
    with Store.open(obj.home) as store:
        target = resolve_id(store, " ".join(ref), as_of=day)
        doc = store.get_document(target.doc_id)
        assert doc is not None
        work = work_of(store, doc.id)
        if target.clause_id is not None:
            clause = next(c for c in doc.clauses if c.id == target.clause_id)
            citations = store.citations(doc_id=doc.id, clause_id=clause.id)
            cited_by = store.citations(target_doc=doc.id, target_clause=clause.id)
            topics = store.topics(doc_id=doc.id, clause_id=clause.id)
            in_force = clause_as_of(store, f"{doc.id}#{clause.id}", day)
            if as_json:
                emit_json(shown_json(store, doc, clause.id, day))
                return
            click.echo(f"{doc.title}  {clause.number or ''}   [{doc.id}#{clause.id}]")
            when = in_force.version_date.isoformat() if in_force.version_date else "undated"
            on = f" on {day.isoformat()}" if day else ""
            count = work.versions[-1].version.count if work and work.versions else 1
            click.echo(f"  version of {when} ({count} in all), {in_force.status.value}{on}: {in_force.rule}")
            click.echo("")
            click.echo(clause.text)
            click.echo("")
            if topics:
                click.echo("topics: " + "、".join(t.topic for t in topics))
            if citations:
                click.echo("cites: " + "；".join(c.text for c in citations))
            if cited_by:
                click.echo(f"cited by {len(cited_by)} clause(s): `kb trace '{doc.id}#{clause.id}'`")
            return
        if as_json:
            emit_json(shown_json(store, doc))
            return
        scores = store.subject_scores(doc.id)
        click.echo(f"{doc.title}   [{doc.id}]")
        click.echo(f"  file: {doc.path}")
        for line in doc.info:
            click.echo(f"  {line}")
        _echo_meta(doc.meta)
        _echo_subjects(scores)
        if work is not None:
            _echo_work(work, doc.id)
        click.echo("")
        if full_text:
            click.echo(doc.body)
        else:
            _outline(doc)


def _echo_subjects(scores: Sequence[SubjectScore]) -> None:
    """What the document is mainly about, and why: each subject scored, its score and evidence lines."""
    from kb.topics.subjects import THRESHOLD

    if not scores:
        click.echo("  subjects: none (no title words, headings or clauses on any subject)")
        return
    held = [s for s in scores if s.score >= THRESHOLD]
    click.echo("  subjects: " + ("、".join(s.subject for s in held) if held else f"none reaches {THRESHOLD}"))
    for score in scores:
        mark = "✓" if score.score >= THRESHOLD else "·"
        click.echo(f"    {mark} {score.subject} {score.score:.2f}: " + "; ".join(score.evidence))


def _echo_work(work: Any, current: str) -> None:
    """The versions of a work, oldest first, with status and rule; parts and copies under their version."""
    click.echo(f"  versions of {work.title or work.key} ({len({v.version.seq for v in work.versions})}):")
    for item in work.versions:
        v = item.version
        mark = "*" if v.doc_id == current else " "
        when = v.date.isoformat() if v.date else "undated"
        part = f"  part {v.part}" if v.part else ""
        click.echo(f"   {mark}{v.seq}. {when}  {v.status.value:<16} {v.doc_id}{part}  — {v.rule}")
    for item in work.duplicates:
        click.echo(f"     copy {item.version.doc_id} of {item.version.duplicate_of}: {item.path}")
    for doc_id, title, relation in work.acts:
        click.echo(f"     {relation.value} by {title} [{doc_id}]")


# -- status ----------------------------------------------------------------------------------------------------------


@click.command()
@click.option("--failures", is_flag=True, help="List the files whose last ingest failed.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_obj
@handle_errors
def status(obj: KbContext, failures: bool, as_json: bool) -> None:
    """Counts of documents, clauses, citations and failures, and when the knowledge base was last built.

    \b
    Example:
      kb --home indexes status --failures
    """
    from kb.store.sqlite import Store

    with Store.open(obj.home) as store:
        info = store.status()
        copies = [v for v in store.versions() if v.duplicate_of is not None]
        failed = store.failures() if failures else []
        state = store.get_meta(INDEX_STATE)
    from kb.pipeline import index_gaps

    gaps = index_gaps(obj.home) if info.documents else ()
    if as_json:
        from kb.schema import status_json

        emit_json(status_json(obj.home, failures=failures))
        return
    click.echo(f"knowledge base: {info.home}")
    click.echo(f"  documents: {info.documents}")
    click.echo(f"  clauses:   {info.clauses}")
    click.echo(f"  citations: {info.citations}")
    click.echo(f"  failures:  {info.failures}")
    if copies:
        click.echo(f"  duplicates: {len(copies)} (the same title, date and text in two files; listed, counted and "
                   "searched once)")  # fmt: skip
        for v in copies:
            click.echo(f"    {v.doc_id} is a copy of {v.duplicate_of}")
    click.echo(f"  last built: {info.last_built or 'never'}")
    if state == INDEX_DIRTY:
        click.echo("  index: an ingest did not finish; run `kb ingest` again to complete it")
    if gaps:
        click.echo(f"  index: {len(gaps)} stored document(s) missing from the search index (e.g. {gaps[0]}); "
                   "run `kb ingest` on the same folders to repair it")  # fmt: skip
    for failure in failed:
        click.echo(f"  failed: {failure.message}")


COMMANDS = (ingest, extract, show, status)
