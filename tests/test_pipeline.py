"""The ingest pipeline on real files: ids, incremental work, bad files in a batch, nothing lost."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kb.pipeline import discover, document_id, ingest, process_file, source_key
from kb.store.sqlite import Store
from tests.conftest import BAD, FORMATS, LAWREFBOOK, require_shared

SHENZHEN = "DLC/广东地方法规/地方性法规/广东/深圳经济特区数据条例(2021-07-06).md"
DATA_SECURITY = "行政法/数据安全法(2021-06-10).md"
PIPL = "行政法/个人信息保护法(2021-08-20).md"


def _copy(names: list[str], dest: Path) -> list[Path]:
    out = []
    for name in names:
        src = require_shared(LAWREFBOOK / name)
        target = dest / Path(name).name
        shutil.copyfile(src, target)
        out.append(target)
    return out


def test_document_id_is_stable_and_independent_of_other_files(tmp_path: Path) -> None:
    a = source_key(tmp_path / "sub" / "a.md", tmp_path)
    assert a == "sub/a.md"
    assert document_id(a) == document_id(source_key(tmp_path / "." / "sub" / "a.md", tmp_path))
    assert document_id(a) != document_id(source_key(tmp_path / "sub" / "b.md", tmp_path))
    assert len(document_id(a)) == 12


def test_ids_are_the_same_wherever_the_folder_is(tmp_path: Path) -> None:
    """The same folder ingested from two absolute locations gives the same ids (README examples reproduce)."""
    source = require_shared(LAWREFBOOK / "宪法")
    ids = []
    for where in ("one/place", "another/deeper/place"):
        copy = tmp_path / where / "宪法"
        shutil.copytree(source, copy)
        home = tmp_path / where / "home"
        report = ingest([copy], home, jobs=1)
        assert not report.failures
        with Store.open(home) as store:
            ids.append(sorted((s.id, Path(s.path).name) for s in store.summaries()))
    assert ids[0] == ids[1] and len(ids[0]) >= 6


def test_two_folders_with_the_same_layout_keep_both_documents(tmp_path: Path) -> None:
    """Files at the same place under two ingested folders get different ids; neither replaces the other."""
    for name in ("a", "b"):
        (tmp_path / name / "docs").mkdir(parents=True)
        (tmp_path / name / "docs" / "x.md").write_text(f"# {name}条例\n\n第一条 {name}。\n", encoding="utf-8")
    home = tmp_path / "home"
    ingest([tmp_path / "a" / "docs"], home, jobs=1)
    ingest([tmp_path / "b" / "docs"], home, jobs=1)
    with Store.open(home) as store:
        titles = sorted(s.title or "" for s in store.summaries())
    assert titles == ["a条例", "b条例"]


def test_discover_walks_folders_skips_readmes_and_reports_missing(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "x.md").write_text("# x\n")
    (tmp_path / "README.md").write_text("# about this folder\n")
    (tmp_path / "notes.xlsx").write_bytes(b"PK")
    found = discover([tmp_path, tmp_path / "missing.pdf"])
    assert [f.name for f in found.files] == ["x.md"]
    assert found.skipped == 1
    assert [f.error for f in found.failures] == ["NotFound"]
    assert "missing.pdf: no such file or folder" in found.failures[0].message


def test_shenzhen_regulation_through_every_stage() -> None:
    processed = process_file(require_shared(LAWREFBOOK / SHENZHEN))
    doc = processed.document
    articles = [c for c in doc.clauses if c.kind.value == "article"]
    assert len(articles) == 100
    art21 = next(c for c in articles if c.number == "第二十一条")
    assert art21.text.startswith(
        "第二十一条 处理个人数据有下列情形之一的，可以在处理前不征得自然人的同意：\n（一）处理自然人"
    )
    assert art21.text.endswith("（六）法律、行政法规规定的其他情形。")
    assert art21.text.count("\n") == 6
    assert doc.meta.province == "广东"
    assert doc.meta.city == "深圳"
    assert doc.title == "深圳经济特区数据条例"


def test_incremental_ingest_does_no_work_for_unchanged_files(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    files = _copy([SHENZHEN, DATA_SECURITY], corpus)
    home = tmp_path / "kb"
    first = ingest([corpus], home, jobs=1)
    assert (first.added, first.updated, first.unchanged, first.removed) == (2, 0, 0, 0)
    again = ingest([corpus], home, jobs=1)
    assert (again.added, again.updated, again.unchanged, again.removed) == (0, 0, 2, 0)
    # A touched but identical file is still unchanged; an edited one is re-read; a deleted one goes.
    files[0].write_bytes(files[0].read_bytes())
    text = files[1].read_text(encoding="utf-8") + "\n第五十六条 本法的解释权属于全国人民代表大会常务委员会。\n"
    files[1].write_text(text, encoding="utf-8")
    changed = ingest([corpus], home, jobs=1)
    assert (changed.added, changed.updated, changed.unchanged) == (0, 1, 1)
    files[0].unlink()
    removed = ingest([corpus], home, jobs=1)
    assert removed.removed == 1
    with Store.open(home) as store:
        assert [s.title for s in store.summaries()] == ["中华人民共和国数据安全法"]


def test_bad_files_are_reported_one_line_each_and_the_rest_is_ingested(tmp_path: Path) -> None:
    corpus = tmp_path / "mixed"
    shutil.copytree(require_shared(BAD), corpus)
    good = _copy([SHENZHEN, PIPL], corpus)
    home = tmp_path / "kb"
    report = ingest([corpus], home, jobs=1)
    failed = {Path(f.path).name: f for f in report.failures}
    expected_bad = {"empty.pdf", "empty.txt", "truncated.pdf", "truncated.docx", "not_really.pdf",
                    "random_bytes.docx", "binary.html", "no_body.html", "encrypted.pdf", "scanned.pdf"}  # fmt: skip
    assert set(failed) == expected_bad
    for name, failure in failed.items():
        assert name in failure.message
        assert "\n" not in failure.message
        assert failure.error != "InternalError", failure.message
    with Store.open(home) as store:
        titles = {s.path: s.title for s in store.summaries()}
    for path in good:
        assert str(path) in titles
    assert str(corpus / "bad_bytes.txt") in titles  # three bad bytes are replaced, the text survives


def test_a_file_that_turns_bad_keeps_its_previous_version(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (target,) = _copy([SHENZHEN], corpus)
    home = tmp_path / "kb"
    ingest([corpus], home, jobs=1)
    target.write_bytes(b"")
    report = ingest([corpus], home, jobs=1)
    assert [f.error for f in report.failures] == ["EmptyFile"]
    with Store.open(home) as store:
        assert [s.title for s in store.summaries()] == ["深圳经济特区数据条例"]
        assert store.status().failures == 1


@pytest.mark.parametrize("suffix", [".pdf", ".docx", ".html", ".txt"])
def test_every_format_gives_the_same_kind_of_record(suffix: str) -> None:
    fixture = sorted(require_shared(FORMATS).glob(f"*{suffix}"))[0]
    processed = process_file(fixture)
    assert processed.document.format.value in (suffix[1:], "txt")
    assert processed.document.clauses
    assert processed.document.title


def test_progress_is_called_once_per_file_unchanged_ones_included(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _copy([SHENZHEN, DATA_SECURITY], corpus)
    found = discover([corpus])
    seen: list[tuple[str, bool]] = []
    ingest(found, tmp_path / "kb", jobs=1, progress=lambda path, ok: seen.append((Path(path).name, ok)))
    seen_again: list[tuple[str, bool]] = []
    again = ingest(found, tmp_path / "kb", jobs=1, progress=lambda path, ok: seen_again.append((Path(path).name, ok)))
    assert sorted(seen) == sorted(seen_again) == sorted((f.name, True) for f in found.files)
    assert again.unchanged == 2


def test_results_read_ahead_arrive_in_order_and_errors_reach_the_consumer() -> None:
    from kb.pipeline.incremental import read_ahead

    assert list(read_ahead(iter(range(1000)), 7)) == list(range(1000))

    def failing() -> Iterator[int]:
        yield 1
        raise ValueError("worker pool broke")

    got = read_ahead(failing(), 3)
    assert next(got) == 1
    with pytest.raises(ValueError, match="worker pool broke"):
        next(got)


def test_a_consumer_stopping_early_closes_the_results_it_read_ahead() -> None:
    # The worker pool stops its workers when its results are closed; a consumer that stops (a failure under
    # --strict, Ctrl-C) must not leave them running.
    import threading

    from kb.pipeline.incremental import read_ahead

    closed = threading.Event()

    def results() -> Iterator[int]:
        try:
            yield from range(10_000)
        finally:
            closed.set()

    got = read_ahead(results(), 5)
    assert [next(got) for _ in range(3)] == [0, 1, 2]
    got.close()
    assert closed.wait(5)
