"""Works and versions: linking, statuses and their rules, copies, parts, --as-of, diffs; on made-up records and
on the shared corpus."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.citations.patterns import title_key
from kb.cli import cli
from kb.models import Relation, Status
from kb.store.sqlite import Store
from kb.versions.diff import diff_articles, diff_text
from kb.versions.records import Act
from kb.versions.works import link_versions, status_on, text_fingerprint
from tests.conftest import LAWREFBOOK, require_shared
from tests.factories import make_clause, make_summary

TODAY = date(2026, 1, 1)


def _link(*summaries, acts=(), fingerprints=None):  # type: ignore[no-untyped-def]
    versions = link_versions(summaries, fingerprints or {}, list(acts), TODAY)
    return {v.doc_id: v for v in versions}


# -- linking on made-up records ------------------------------------------------------------------------------------


def test_two_versions_of_one_title_are_one_work_oldest_first() -> None:
    got = _link(make_summary("a", "测试条例", version_date=date(2018, 1, 1)),
                make_summary("b", "测试条例（2021年修正）", version_date=date(2021, 6, 1)))  # fmt: skip
    assert (got["a"].seq, got["b"].seq, got["a"].count) == (1, 2, 2)
    assert got["a"].work == got["b"].work
    assert got["a"].status is Status.AMENDED and "superseded by the version of 2021-06-01" in got["a"].rule
    assert got["b"].status is Status.IN_FORCE and "latest of 2 versions" in got["b"].rule
    assert got["a"].successor == "b" and got["a"].until == date(2021, 6, 1)


@pytest.mark.parametrize(
    ("first", "second", "same_work"),
    [
        ("测试条例", "测试条例", True),
        ("中华人民共和国测试法", "测试法", True),  # the 简称 is the same title
        ("宪法修正案（2004年）", "宪法修正案（2018年）", False),  # numbered amendments are told apart
        ("关于修改《测试条例》的决定", "关于修改《测试条例》的决定", False),  # two decisions are two acts
        ("测试条例", "测试条例实施细则", False),
    ],
)
def test_which_titles_are_one_work(first: str, second: str, same_work: bool) -> None:
    got = _link(make_summary("a", first, version_date=date(2018, 1, 1)),
                make_summary("b", second, version_date=date(2021, 1, 1)))  # fmt: skip
    assert (got["a"].work == got["b"].work) is same_work


def test_the_same_title_in_two_places_is_two_works() -> None:
    got = _link(make_summary("a", "物业管理条例", province="浙江", city=None),
                make_summary("b", "物业管理条例", province="河南", city=None,
                             version_date=date(2022, 1, 1)))  # fmt: skip
    assert got["a"].work != got["b"].work and got["a"].status is Status.IN_FORCE


def test_files_of_one_date_with_different_texts_are_parts_of_one_version() -> None:
    got = _link(make_summary("a", "测试法典", "/c/测试法典/总则.md"),
                make_summary("b", "测试法典", "/c/测试法典/合同编.md"), fingerprints={"a": "1", "b": "2"})  # fmt: skip
    assert got["a"].seq == got["b"].seq == 1 and got["a"].count == 1
    assert {got["a"].part, got["b"].part} == {"总则", "合同编"}


def test_the_same_text_twice_is_one_document_and_a_copy_whatever_the_file_names() -> None:
    got = _link(make_summary("a", "测试条例", "/c/x/测试条例(2021-06-29).md"),
                make_summary("b", "测试条例", "/c/yy/另一个名字.md", version_date=None),
                fingerprints={"a": "same", "b": "same"})  # fmt: skip
    assert got["b"].duplicate_of == "a" and got["a"].duplicate_of is None
    assert got["a"].count == 1


def test_texts_that_differ_only_in_spaces_have_one_fingerprint() -> None:
    assert text_fingerprint("第一条　本条例 适用。\n") == text_fingerprint("第一条本条例适用。")
    assert text_fingerprint("第一条 本条例适用。") != text_fingerprint("第一条 本办法适用。")


def test_a_document_repealing_the_latest_version_decides_repealed() -> None:
    got = _link(make_summary("a", "测试条例", version_date=date(2018, 1, 1)),
                make_summary("r", "深圳市数据条例", version_date=date(2021, 7, 1)),
                acts=[Act("r", "a", Relation.REPEALS)])  # fmt: skip
    assert got["a"].status is Status.REPEALED and "repealed by 《深圳市数据条例》" in got["a"].rule
    assert got["a"].ended_by == "r" and got["a"].until == date(2021, 7, 1)


def test_a_decision_amending_the_latest_version_decides_amended() -> None:
    got = _link(make_summary("a", "测试条例", version_date=date(2018, 1, 1)),
                make_summary("d", "关于修改《测试条例》的决定", version_date=date(2020, 1, 1)),
                acts=[Act("d", "a", Relation.AMENDS)])  # fmt: skip
    assert got["a"].status is Status.AMENDED and "not in the knowledge base" in got["a"].rule


def test_an_act_older_than_the_version_does_not_end_it() -> None:
    got = _link(make_summary("a", "测试条例", version_date=date(2021, 1, 1)),
                make_summary("d", "关于修改《测试条例》的决定", version_date=date(2020, 1, 1)),
                acts=[Act("d", "a", Relation.AMENDS)])  # fmt: skip
    assert got["a"].status is Status.IN_FORCE


def test_a_version_effective_after_today_is_not_yet_in_force_and_its_predecessor_still_is() -> None:
    got = _link(make_summary("a", "测试条例", version_date=date(2020, 1, 1)),
                make_summary("b", "测试条例", version_date=date(2025, 12, 1), effective=date(2026, 3, 1)))  # fmt: skip
    assert got["b"].status is Status.NOT_YET_IN_FORCE
    assert got["a"].status is Status.IN_FORCE and "takes effect on 2026-03-01" in got["a"].rule


def test_repeal_flag_copied_to_every_version_does_not_repeal_the_text_that_replaced_them() -> None:
    """Regression: a catalogue that keeps one status per title marked the newer version repealed too."""
    old = make_summary("a", "关于适用测试法的解释", version_date=date(2012, 12, 20), status=Status.REPEALED)
    new = make_summary("b", "关于适用测试法的解释", version_date=date(2021, 1, 26), status=Status.REPEALED)
    got = _link(old, new, acts=[Act("b", "a", Relation.REPEALS)])
    assert got["a"].status is Status.AMENDED
    assert got["b"].status is Status.IN_FORCE and "repeal flag" in got["b"].rule
    # without the newer text's own repeal of the older, the metadata's flag stands
    got = _link(old, new)
    assert got["b"].status is Status.REPEALED and got["b"].rule == "its metadata says repealed"


def test_status_on_a_day_follows_the_versions_in_force() -> None:
    versions = list(_link(make_summary("a", "测试条例", version_date=date(2018, 1, 1)),
                          make_summary("b", "测试条例", version_date=date(2021, 6, 1))).values())  # fmt: skip
    on = {day: {d: s for d, (s, _) in status_on(versions, day).items()} for day in (date(2019, 1, 1), TODAY)}
    assert on[date(2019, 1, 1)] == {"a": Status.IN_FORCE, "b": Status.NOT_YET_IN_FORCE}
    assert on[TODAY] == {"a": Status.AMENDED, "b": Status.IN_FORCE}


# -- diffs ---------------------------------------------------------------------------------------------------------


def test_diff_text_keeps_every_character_of_both_sides() -> None:
    ops = diff_text("各单位必须依法设置会计帐簿", "各单位必须依法设置会计账簿，并保证其真实")
    assert "".join(o.old for o in ops) == "各单位必须依法设置会计帐簿"
    assert "".join(o.new for o in ops) == "各单位必须依法设置会计账簿，并保证其真实"
    assert [o.op for o in ops if o.op != "equal"] == ["replace", "insert"]


def _articles(*texts: str) -> list:  # type: ignore[type-arg]
    numbers = "一二三四五"
    return [make_clause(f"art_{i}", number=f"第{numbers[i - 1]}条", ordinal=i, text=f"第{numbers[i - 1]}条 {t}")
            for i, t in enumerate(texts, 1)]  # fmt: skip


def test_diff_articles_tells_renumbered_changed_added_removed() -> None:
    old = _articles("甲乙丙丁戊己庚辛。", "子丑寅卯辰巳午未。", "天地玄黄宇宙洪荒。")
    new = _articles("新的一条全然不同的话。", "甲乙丙丁戊己庚辛。", "子丑寅卯辰巳午申。")
    changes = {(d.number, d.old_number, d.change) for d in diff_articles(old, new)}
    assert changes == {("第一条", None, "added"), ("第二条", "第一条", "renumbered"),
                       ("第三条", "第二条", "renumbered"), ("第三条", None, "removed")}  # fmt: skip
    kept = _articles("甲乙丙丁戊己庚辛。", "子丑寅卯辰巳午申。")
    changes = {(d.number, d.change) for d in diff_articles(old[:2], kept)}
    assert changes == {("第一条", "same"), ("第二条", "changed")}


# -- the shared corpus ---------------------------------------------------------------------------------------------


def _run(home: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--home", str(home), *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.slow
def test_every_document_of_the_corpus_has_a_status_and_a_rule(corpus_home: Path) -> None:
    with Store.open(corpus_home) as store:
        versions = store.versions()
        total = store.status().documents
    assert len(versions) == total == 3242
    assert all(v.rule for v in versions)
    by_status = {s: sum(1 for v in versions if v.status is s) for s in Status}
    assert by_status[Status.AMENDED] >= 90 and by_status[Status.REPEALED] >= 90  # the corpus has ~95 works twice


@pytest.mark.slow
def test_newer_judicial_interpretations_are_in_force_though_the_catalogue_flags_them(corpus_home: Path) -> None:
    """Regression: the 2021 versions were marked repealed because their title's older file is."""
    with Store.open(corpus_home) as store:
        latest = [v for v in store.versions() if v.count == 2 and v.seq == 2
                  and ("刑事诉讼法的解释" in v.work or "危害食品安全刑事案件" in v.work)]  # fmt: skip
    assert len(latest) == 2 and all(v.status is Status.IN_FORCE for v in latest)


@pytest.mark.slow
def test_copies_in_the_corpus_are_the_same_text_and_counted_once(corpus_home: Path) -> None:
    with Store.open(corpus_home) as store:
        copies = [v for v in store.versions() if v.duplicate_of]
        pairs = [(store.summary(v.doc_id), store.summary(v.duplicate_of or "")) for v in copies]
        listed = store.summaries(once=True)
    assert len(copies) == 8  # DATA.md: the corpus holds some documents twice
    for copy, original in pairs:
        assert copy is not None and original is not None
        texts = [re.sub(r"\s", "", Path(s.path).read_text(encoding="utf-8").split("<!-- INFO END -->")[-1])
                 for s in (copy, original)]  # fmt: skip
        assert texts[0] == texts[1] and title_key(copy.title or "") == title_key(original.title or "")
    assert len(listed) == 3242 - 8
    assert any(s.copies for s in listed)
    status = json.loads(_run(corpus_home, "status", "--json"))
    assert len(status["duplicates"]) == 8


@pytest.mark.slow
def test_civil_code_in_seven_files_is_one_work_for_show(corpus_home: Path) -> None:
    out = _run(corpus_home, "show", "民法典", "第五十四条")
    assert "第五十四条 自然人从事工商业经营" in out
    out = _run(corpus_home, "show", "民法典", "第一千一百六十五条")  # in 侵权责任编, another file
    assert "\n第一千一百六十五条 行为人因过错侵害他人民事权益" in out


@pytest.mark.slow
def test_constitutional_amendments_by_year_are_told_apart(corpus_home: Path) -> None:
    data = json.loads(_run(corpus_home, "show", "宪法修正案（2004年）", "--json"))
    assert data["title"] == "中华人民共和国宪法修正案（2004年）"


@pytest.mark.slow
def test_show_as_of_gives_the_text_of_the_version_in_force(corpus_home: Path) -> None:
    source = require_shared(LAWREFBOOK / "经济法" / "会计法(2017-11-04).md").read_text(encoding="utf-8")
    expected = next(line for line in source.splitlines() if line.startswith("第三条"))
    data = json.loads(_run(corpus_home, "show", "会计法 第三条", "--as-of", "2020-01-01", "--json"))
    assert data["text"] == expected.strip()
    assert (data["version_date"], data["status"]) == ("2017-11-04", "in_force")
    latest = json.loads(_run(corpus_home, "show", "会计法 第三条", "--json"))
    assert latest["version_date"] == "2024-06-28" and "账簿" in latest["text"]


@pytest.mark.slow
def test_diff_of_an_article_and_of_a_whole_law(corpus_home: Path) -> None:
    entry = json.loads(_run(corpus_home, "diff", "会计法 第三条", "--json"))
    assert entry["change"] == "changed"
    assert {(o["old"], o["new"]) for o in entry["ops"] if o["op"] == "replace"} == {("帐", "账")}
    work = json.loads(_run(corpus_home, "diff", "会计法", "--json"))
    counts = dict(work["counts"])
    assert counts["changed"] > 5 and counts["added"] >= 1 and counts["renumbered"] >= 1


@pytest.mark.slow
def test_list_and_search_take_status_and_as_of(corpus_home: Path) -> None:
    rows = json.loads(_run(corpus_home, "list", "--type", "法律", "--as-of", "2020-01-01", "--json"))
    titles = {r["title"]: r for r in rows}
    assert "中华人民共和国会计法" in titles and titles["中华人民共和国会计法"]["date"] == "2017-11-04"
    repealed = json.loads(_run(corpus_home, "list", "--status", "repealed", "--json"))
    assert repealed and all(r["status"] == "repealed" and r["status_rule"] for r in repealed)
    hits = json.loads(_run(corpus_home, "search", "会计凭证", "--type", "法律", "--as-of", "2020-01-01", "--json",
                           "--limit", "50"))  # fmt: skip
    latest = json.loads(_run(corpus_home, "search", "会计凭证", "--type", "法律", "--status", "in_force", "--json",
                             "--limit", "50"))  # fmt: skip
    assert {h["year"] for h in latest["hits"] if h["title"] == "中华人民共和国会计法"} == {2024}
    assert {h["year"] for h in hits["hits"] if h["title"] == "中华人民共和国会计法"} == {2017}


def test_status_typed_in_the_query_is_the_status_option(corpus_home: Path) -> None:
    """`status:amended` in the query reads the status the versions stage decided, as --status does (the index
    holds the status the metadata gave, which for most documents is none)."""
    for status in ("amended", "in_force", "repealed"):
        option = json.loads(_run(corpus_home, "search", "会计", "--status", status, "--json", "--limit", "5"))
        typed = json.loads(_run(corpus_home, "search", f"会计 status:{status}", "--json", "--limit", "5"))
        assert typed["total"] == option["total"] > 0, status
        assert [h["doc_id"] for h in typed["hits"]] == [h["doc_id"] for h in option["hits"]]


def test_the_worker_computes_the_fingerprint_the_store_would() -> None:
    # The one process writing the store takes the fingerprint the worker computed; it is the store's own.
    import tempfile
    from pathlib import Path

    from kb.pipeline.process import process_bytes
    from kb.store.sqlite import Store

    processed = process_bytes("第一条　本条例适用于本市。\n第二条 本条例自公布之日起施行。".encode(), "x/测试条例.txt")
    assert processed.fingerprint == text_fingerprint(processed.document.body)
    with tempfile.TemporaryDirectory() as home, Store.open(Path(home), create=True) as store:
        store.put(processed.document)  # no fingerprint given: the store computes the same
        row = store._conn.execute("SELECT fingerprint FROM documents").fetchone()
    assert row[0] == processed.fingerprint
