"""Hostile and broken input: special files, links, odd names, per-file time and memory limits, bounded queries."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kb.errors import KbError, QuerySyntaxError, QueryTooComplex
from kb.models import Failure
from kb.pipeline import ingest
from kb.pipeline.files import discover
from kb.pipeline.limits import Limits, run_bounded
from kb.search.query import parse_query
from kb.store.sqlite import Store
from tests.conftest import LAWREFBOOK, corpus_file, require_shared

LAW = "宪法/宪法.md"


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "law.md").write_bytes(corpus_file(LAW).read_bytes())
    return folder


def _kinds(found: object) -> dict[str, str]:
    return {Path(f.path).name: f.error for f in found.failures}  # type: ignore[attr-defined]


def test_fifo_in_a_folder_is_skipped_and_never_opened(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    os.mkfifo(folder / "pipe.md")  # opening it for reading would block forever
    found = discover([folder])
    assert [p.name for p in found.files] == ["law.md"]
    assert _kinds(found) == {"pipe.md": "SpecialFile"}
    assert "named pipe" in found.failures[0].message


def test_link_to_dev_zero_is_never_read(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "zero.txt").symlink_to("/dev/zero")
    found = discover([folder], follow_links=True)
    assert _kinds(found) == {"zero.txt": "SpecialFile"}


def test_symlink_loop_and_dangling_link_do_not_abort(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "loop.md").symlink_to(folder / "loop.md")
    (folder / "gone.md").symlink_to(folder / "missing.md")
    (folder / "sub").mkdir()
    (folder / "sub" / "up").symlink_to(folder)  # a folder loop
    found = discover([folder])
    assert [p.name for p in found.files] == ["law.md"]
    assert _kinds(found) == {"loop.md": "LinkLoop", "gone.md": "DanglingLink"}


def test_links_outside_the_folders_given_are_not_followed(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    outside = tmp_path / "secret.txt"
    outside.write_text("第一条 秘密。", encoding="utf-8")
    (folder / "passwd.txt").symlink_to(outside)
    found = discover([folder])
    assert _kinds(found) == {"passwd.txt": "OutsideLink"}
    assert folder / "passwd.txt" in discover([folder], follow_links=True).files


def test_file_name_that_is_not_utf8_is_reported_by_name(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    bad = os.fsencode(folder) + b"/\xff\xfe.md"
    with open(bad, "wb") as handle:
        handle.write("第一条 内容。".encode())
    home = tmp_path / "kb"
    report = ingest([folder], home, jobs=1)
    assert report.added == 1
    assert [f.error for f in report.failures] == ["BadName"]
    assert "\\xff\\xfe.md" in report.failures[0].message


def test_unreadable_folder_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _folder(tmp_path)
    (folder / "locked").mkdir()
    real = os.scandir

    def scandir(path: object) -> object:  # root reads every folder: simulate what a user meets
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    found = discover([folder])
    assert _kinds(found) == {"locked": "Unreadable"}
    assert "Permission denied" in found.failures[0].message


def _slow(path: str) -> object:
    if path == "slow":
        time.sleep(600)
    return path


def _hungry(path: str) -> object:
    if path == "hungry":
        return bytearray(2_000_000_000)
    return path


def test_a_file_past_its_time_limit_is_stopped_and_the_batch_goes_on() -> None:
    out = dict(run_bounded(["a", "slow", "b"], _slow, 2, Limits(timeout=2)))
    assert out["a"] == "a" and out["b"] == "b"
    failure = out["slow"]
    assert isinstance(failure, Failure) and failure.message == "slow: took more than 2 s; skipped"


def test_a_file_past_its_memory_limit_is_reported_and_the_batch_goes_on() -> None:
    out = dict(run_bounded(["hungry", "b"], _hungry, 1, Limits(max_memory_mb=512)))
    assert out["b"] == "b"
    failure = out["hungry"]
    assert isinstance(failure, Failure) and "needed more than 512 MB of memory" in failure.message


def _dies_once(path: str) -> object:
    marker = Path(path)
    if not marker.exists():
        marker.write_text("x", encoding="utf-8")
        os.kill(os.getpid(), 9)
    return "done"


def _dies_always(path: str) -> object:
    os.kill(os.getpid(), 9)
    return None


def test_sigkill_of_a_worker_retries_its_file_then_reports_it(tmp_path: Path) -> None:
    marker = str(tmp_path / "once")
    assert dict(run_bounded([marker], _dies_once, 1, Limits())) == {marker: "done"}
    failure = dict(run_bounded(["x"], _dies_always, 1, Limits()))["x"]
    assert isinstance(failure, Failure) and "killed by SIGKILL" in failure.message


@pytest.mark.parametrize(
    ("query", "error", "message"),
    [
        ("(" * 500 + "数据" + ")" * 500, QueryTooComplex, "nests parentheses or NOT more than"),
        ("数据 " + "NOT " * 5000 + "安全", QueryTooComplex, "characters long"),
        ("数据 " + "NOT " * 300 + "安全", QueryTooComplex, "terms and operators"),
        ("数据\udcff", QuerySyntaxError, "not UTF-8"),
    ],
    ids=["500-nested-parentheses", "5000-not", "300-not", "invalid-byte"],
)
def test_bounded_queries_give_clear_messages(query: str, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        parse_query(query)


def test_huge_year_is_refused_with_a_message(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kb.cli import cli

    result = CliRunner().invoke(cli, ["--home", str(tmp_path), "search", "数据", "--year", "99999999999999999999"])
    assert result.exit_code == 2 and "1000<=x<=9999" in result.output


def test_long_document_past_spacy_max_length_is_tagged(tmp_path: Path) -> None:
    from kb.nlp import Lexicon
    from kb.topics.tag import load_lexicon

    lexicon = Lexicon({"t": ["公共数据"]})
    text = "甲" * 1_200_000 + "公共数据" + "乙" * 199_998 + "公共数据"
    assert [m.start for m in lexicon.find(text)] == [1_200_000, 1_400_002]
    assert load_lexicon(None) is not None


def _python_calls(work: Callable[[], object]) -> int:
    """The Python function calls ``work`` makes: an operation count, the same on every run and machine."""
    count = 0

    def profile(frame: object, event: str, arg: object) -> None:
        nonlocal count
        if event == "call":
            count += 1

    sys.setprofile(profile)
    try:
        work()
    except KbError:
        pass  # a page without a body is reported; what it cost to find that out is what is counted
    finally:
        sys.setprofile(None)
    return count


def test_deeply_nested_html_costs_linear_operations() -> None:
    """100,000 nested elements once took over 300 s: every element asked its ancestors and descendants again
    (find_parent, find, the full list of parents). 10x the depth may cost at most ~20x the calls (it was ~100x)."""
    from kb.extract.html import extract

    def page(depth: int) -> bytes:
        body = "<p>第一条 为了规范公共数据授权运营，促进数据要素流通，制定本条例。</p>"
        return ("<html><body>" + "<div>" * depth + body + "</div>" * depth + "</body></html>").encode()

    small = _python_calls(lambda: extract(page(300), "x/nested.html"))
    large = _python_calls(lambda: extract(page(3_000), "x/nested.html"))
    assert large <= 20 * small, (small, large)


def test_full_disk_during_ingest_is_a_clear_error_and_the_next_ingest_completes(tmp_path: Path) -> None:
    """A write the file system refuses (here: past a file-size limit, as a full disk or a quota refuses it) stops
    the ingest with a message, no traceback; what was there stays searchable and the next ingest completes."""
    import json
    import resource
    import shutil
    import signal
    import subprocess

    source = sorted(require_shared(LAWREFBOOK / "DLC/浙江地方法规/地方性法规/浙江").glob("*.md"))[:50]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for src in source[:10]:
        shutil.copyfile(src, corpus / src.name)
    home = tmp_path / "home"
    assert not ingest([corpus], home, jobs=1).failures
    for src in source[10:]:
        shutil.copyfile(src, corpus / src.name)
    room = max(f.stat().st_size for f in home.rglob("*") if f.is_file()) + 64_000

    def full_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (room, room))

    def kb(*args: str, limited: bool = False) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "kb", "--home", str(home), *args], capture_output=True,
                              text=True, timeout=600, preexec_fn=full_disk if limited else None)  # fmt: skip

    refused = kb("ingest", str(corpus), limited=True)
    assert refused.returncode == 1 and "out of room" in refused.stderr and "Traceback" not in refused.stderr
    searched = kb("search", "条例", "--json")
    assert searched.returncode == 0, searched.stderr
    with Store.open(home) as store:
        live = store.live_versions()
    assert len(live) >= 10 and {hit["doc_id"] for hit in json.loads(searched.stdout)["hits"]} <= set(live)
    again = kb("ingest", str(corpus), "--json")
    assert again.returncode == 0, again.stderr
    with Store.open(home) as store:
        assert len(store.live_versions()) == 50 and store.get_meta("index_state") == "clean"


def _stepping_gutter(rows: list[list[list[Any]]], width: float) -> float | None:
    """The gutter search as it was, stepping 2 points at a time (the reference for the vectorised one)."""
    from kb.extract.pdf_layout import COLUMN_TEXT

    spans = [[(seg[0].x0, seg[-1].x1, seg[0].size) for seg in row] for row in rows]
    spans = [row for row in spans if row]
    if len(spans) < 3:
        return None
    best, band, x = 0, [], width * 0.25
    while x <= width * 0.75:
        crossing = sum(1 for row in spans for x0, x1, _ in row if x0 < x < x1)
        both = sum(1 for row in spans if any(x1 <= x for _, x1, _ in row) and any(x0 >= x for x0, _, _ in row))
        if crossing <= 0.1 * len(spans) and both >= max(3, 0.3 * len(spans)):
            if both > best:
                best, band = both, [x]
            elif both == best and band and x - band[-1] <= 2.0:
                band.append(x)
        x += 2.0
    if not band:
        return None
    gutter = (band[0] + band[-1]) / 2
    for side in (lambda x0, x1: x1 <= gutter, lambda x0, x1: x0 >= gutter):
        if sum(1 for row in spans for x0, x1, size in row if side(x0, x1) and x1 - x0 >= COLUMN_TEXT * size) < 2:
            return None
    return gutter


def _glyph(x0: float, x1: float) -> Any:
    from kb.extract.pdf_layout import _Glyph

    return _Glyph(text="字", x0=x0, x1=x1, top=0.0, bottom=10.0, size=10.0, font="SimSun", red=False)


_SEGMENT = st.tuples(st.integers(0, 600), st.integers(0, 300)).map(lambda p: (float(p[0]), float(p[0] + p[1])))


@given(rows=st.lists(st.lists(_SEGMENT, min_size=1, max_size=3), min_size=0, max_size=25),
       width=st.sampled_from([400.0, 595.0, 612.0, 841.0]))  # fmt: skip
def test_gutter_search_finds_what_stepping_across_the_page_found(rows: list[list[tuple[float, float]]],
                                                                width: float) -> None:  # fmt: skip
    from kb.extract.pdf_layout import find_gutter

    glyph_rows = [[[_glyph(x0, x1)] for x0, x1 in row] for row in rows]
    found, expected = find_gutter(glyph_rows, width), _stepping_gutter(glyph_rows, width)
    assert (found is None) == (expected is None)
    assert found is None or expected is None or abs(found - expected) < 1e-6


def test_page_millions_of_points_wide_is_searched_in_bounded_steps() -> None:
    """A page 5,000,000 points wide once meant 1.25 million steps, each over every segment of the page."""
    from kb.extract.pdf_layout import GUTTER_STEPS, find_gutter, gutter_candidates

    width = 5_000_000.0
    assert len(gutter_candidates(width)) <= GUTTER_STEPS + 1
    assert len(gutter_candidates(595.0)) == int(595.0 * 0.5 / 2.0) + 1  # real pages: every 2 points, as before
    left, right = (100_000.0, 2_000_000.0), (3_000_000.0, 4_900_000.0)
    rows = [[[_glyph(*left)], [_glyph(*right)]] for _ in range(40)]
    gutter = find_gutter(rows, width)
    assert gutter is not None and left[1] < gutter < right[0]


def test_two_column_pages_get_the_gutter_stepping_found() -> None:
    """Pages of two columns around a random gutter, with some full-width rows: the same gutter, or none, as the
    stepping search (random pages above rarely have two columns)."""
    import random

    from kb.extract.pdf_layout import find_gutter

    rng, two_columns = random.Random(11), 0
    for _ in range(400):
        width = rng.choice([595.0, 612.0, 841.0])
        middle = rng.uniform(0.3, 0.7) * width
        rows = []
        for _ in range(rng.randint(3, 30)):
            if rng.random() < 0.85:
                start, end = rng.uniform(20, middle - 60), middle + rng.uniform(2, 20)
                row = [(start, middle - rng.uniform(2, 20)), (end, rng.uniform(end + 50, width - 10))]
            else:
                start = rng.uniform(0, width / 2)
                row = [(start, start + rng.uniform(10, width / 2))]
            rows.append([[_glyph(x0, x1)] for x0, x1 in row])
        found, expected = find_gutter(rows, width), _stepping_gutter(rows, width)
        assert (found is None) == (expected is None)
        assert found is None or expected is None or abs(found - expected) < 1e-6
        two_columns += found is not None
    assert two_columns > 200


def test_pdf_page_millions_of_points_wide_is_read_in_two_columns() -> None:
    """A real PDF whose page is 5,000,000 points wide, set in two columns: read, columns in order."""
    from kb.extract.pdf import extract as extract_pdf
    from tests.test_extract_pdf import Run, make_pdf

    width = 5_000_000.0
    numbers = "一二三四五六七八九十"
    left = [Run(100_000, 60 + 30 * i, f"第{numbers[i]}条 左栏的条文内容，公共数据依法开放。") for i in range(10)]
    right = [Run(3_000_000, 60 + 30 * i, f"右栏第{i + 1}行，数据安全管理制度的内容。") for i in range(10)]
    text = "\n".join(block.text for block in extract_pdf(make_pdf([[*left, *right]], width=width), "wide.pdf").blocks)
    assert text.index("第十条") < text.index("右栏第1行")
