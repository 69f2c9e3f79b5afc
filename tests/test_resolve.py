"""Citation resolution: title keys, aliases, versions, pinpoints into clause trees, and the knowledge-base pass."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from kb.citations.find import find_citations
from kb.citations.patterns import load_aliases, title_key
from kb.citations.resolve import TitleIndex, choose_version, renumbering_possible, resolve, resolve_all
from kb.errors import AliasFileError
from kb.models import Citation, CitationKind, DateEvent, DocSummary, Document, EventKind, Format
from kb.store.sqlite import Store
from tests.factories import make_citation, make_document, make_meta

LAW_BODY = (
    "第一章 总则\n"
    "第一条 为了保障数据安全，制定本法。\n"
    "第二条 国家建立数据分类分级保护制度。\n"
    "重要数据的目录由国家制定。\n"
    "第三条 有下列情形之一的，依法处理：\n"
    "（一）泄露数据的；\n"
    "（二）篡改数据的；\n"
    "（三）窃取数据的。"
)


def _law(doc_id: str, version: date, title: str = "中华人民共和国测试数据法", body: str = LAW_BODY,
         events: tuple[DateEvent, ...] = ()) -> Document:  # fmt: skip
    meta = make_meta(title=title, short_title=title.removeprefix("中华人民共和国"), province=None, city=None,
                     version_date=version, adopted=version, year=version.year, events=events)  # fmt: skip
    return make_document(body, id=doc_id, title=title, path=f"/x/{doc_id}.md", meta=meta)


def _summary(doc: Document) -> DocSummary:
    return DocSummary(doc.id, doc.path, Format.MARKDOWN, doc.title, doc.meta, len(doc.clauses))


def _index(*docs: Document) -> TitleIndex:
    by_id = {d.id: d for d in docs}
    return TitleIndex.build([_summary(d) for d in docs], lambda doc_id: by_id[doc_id].clauses)


def _citing(version: date = date(2021, 6, 29)) -> Document:
    return make_document("第一条 依照《测试数据法》第二条处理。", id="citing", meta=make_meta(version_date=version))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("《中华人民共和国网络安全法（2016年）》", "网络安全法"),
        ("中华人民共和国数据安全法（2021年修正）", "数据安全法"),
        ("北京市实施〈中华人民共和国水法〉办法", "北京市实施《水法》办法"),
        ("最高人民法院、最高人民检察院关于办理甲案件的解释", "最高人民法院 最高人民检察院关于办理甲案件的解释"),
        ("刑法修正案(九)", "中华人民共和国刑法修正案（九）"),
        ("修正后刑法", "刑法"),
    ],
)
def test_title_keys_agree(a: str, b: str) -> None:
    assert title_key(a) == title_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("民事诉讼法（试行）", "民事诉讼法"), ("刑法修正案（九）", "刑法修正案（十）"), ("水法", "北京市实施水法办法")],
)
def test_title_keys_keep_what_distinguishes_documents(a: str, b: str) -> None:
    assert title_key(a) != title_key(b)


def test_curated_aliases_and_law_names() -> None:
    aliases = load_aliases()
    assert aliases.expand("网安法") == "中华人民共和国网络安全法"
    assert aliases.expand("地方组织法") == "中华人民共和国地方各级人民代表大会和地方各级人民政府组织法"
    assert aliases.short_names["民事诉讼法"] == "中华人民共和国民事诉讼法"
    assert aliases.short_names["治安管理处罚法"] == "中华人民共和国治安管理处罚法"
    assert aliases.expand("数据安全法") is None  # differs only by the prefix: no alias needed


def test_an_extra_alias_file_extends_the_table(tmp_path: Path) -> None:
    extra = tmp_path / "aliases.yaml"
    extra.write_text("aliases:\n  测数法: 中华人民共和国测试数据法\nlaws:\n  - 中华人民共和国测试数据法\n", "utf-8")
    aliases = load_aliases(extra)
    assert aliases.expand("测数法") == "中华人民共和国测试数据法"
    assert aliases.short_names["测试数据法"] == "中华人民共和国测试数据法"
    found = find_citations(make_document("第一条 依照测试数据法第二条处理。"), aliases=aliases)
    assert [(c.text, c.title) for c in found] == [("测试数据法第二条", "中华人民共和国测试数据法")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("aliases: [a, b]\n", "'aliases' must map names to full titles"),
        ("laws: 网络安全法\n", "'laws' must be a list of full titles"),
        ("- 1\n- 2\n", "expected a mapping with 'aliases'"),
        ("aliases: {a: [\n", "cannot read the alias file"),
    ],
)
def test_a_malformed_alias_file_is_named(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(content, "utf-8")
    with pytest.raises(AliasFileError, match=message) as info:
        load_aliases(bad)
    assert str(bad) in str(info.value)


def test_a_title_resolves_with_its_pinpoint() -> None:
    law = _law("law", date(2020, 1, 1))
    citing = _citing()
    [c] = resolve(find_citations(citing), _index(law, citing), _summary(citing))
    assert (c.target_doc, c.target_clause) == ("law", "chp_1__art_2")
    assert c.reason == "resolved by title"


@pytest.mark.parametrize(
    ("pinpoint", "target"),
    [
        ("第二条第二款", "chp_1__art_2__para_2"),
        ("第三条第二项", "chp_1__art_3__para_1__point_2"),
        ("第一条第一款", "chp_1__art_1"),  # an article of one paragraph stands for its 第一款
        ("第一章", "chp_1"),
    ],
)
def test_pinpoints_locate_clauses(pinpoint: str, target: str) -> None:
    law = _law("law", date(2020, 1, 1))
    citation = make_citation(doc_id="citing", title="测试数据法", pinpoint=pinpoint, text=f"《测试数据法》{pinpoint}")
    [c] = resolve([citation], _index(law), _summary(_citing()))
    assert c.target_clause == target


def test_a_range_gives_one_citation_per_target_and_resolving_again_changes_nothing() -> None:
    law = _law("law", date(2020, 1, 1))
    citation = make_citation(
        doc_id="citing", title="测试数据法", pinpoint="第一条至第三条", text="《测试数据法》第一条至第三条"
    )
    index = _index(law)
    once = resolve([citation], index, _summary(_citing()))
    assert [c.target_clause for c in once] == ["chp_1__art_1", "chp_1__art_2", "chp_1__art_3"]
    assert resolve(once, index, _summary(_citing())) == once


def test_a_missing_article_leaves_the_document_as_the_target() -> None:
    law = _law("law", date(2020, 1, 1))
    citation = make_citation(doc_id="citing", title="测试数据法", pinpoint="第九条", text="《测试数据法》第九条")
    [c] = resolve([citation], _index(law), _summary(_citing()))
    assert (c.target_doc, c.target_clause) == ("law", None)
    assert "no 第九条 in this version" in (c.reason or "")


def test_an_unknown_title_stays_unresolved_with_a_reason_and_resolves_once_its_target_arrives() -> None:
    citation = make_citation(doc_id="citing", title="其他法", pinpoint=None, text="《其他法》")
    [c] = resolve([citation], _index(_law("law", date(2020, 1, 1))), _summary(_citing()))
    assert c.target_doc is None
    assert c.reason == "unresolved: no document with this title in the knowledge base"
    other = _law("other", date(2019, 1, 1), title="其他法")
    [again] = resolve([c], _index(other), _summary(_citing()))
    assert again.target_doc == "other"


@pytest.mark.parametrize(
    ("citing_date", "chosen", "later_only"),
    [
        (date(2020, 6, 1), date(2019, 3, 2), False),
        (date(2022, 3, 29), date(2022, 3, 29), False),
        (date(2024, 1, 1), date(2023, 7, 20), False),
        (None, date(2023, 7, 20), False),
        (date(2010, 1, 1), date(2019, 3, 2), True),
    ],
)
def test_the_version_in_force_on_the_citing_date(citing_date: date | None, chosen: date, later_only: bool) -> None:
    versions = [_summary(_law(f"v{d.year}", d)) for d in (date(2019, 3, 2), date(2022, 3, 29), date(2023, 7, 20))]
    picked, _note, later = choose_version(versions, citing_date)
    assert [p.meta.version_date for p in picked] == [chosen]
    assert later is later_only


def test_a_later_version_gets_a_clause_link_only_when_its_numbers_are_kept() -> None:
    amended = (DateEvent(date(2018, 1, 1), EventKind.AMENDED, None, "…修正"),)
    by_amendments = (DateEvent(date(2018, 1, 1), EventKind.ADOPTED, None, "…通过的《测试数据法修正案》"),)
    citation = make_citation(doc_id="citing", title="测试数据法", pinpoint="第二条", text="《测试数据法》第二条")
    citing = _summary(_citing(date(2010, 1, 1)))
    [renumbered] = resolve([citation], _index(_law("law", date(2018, 1, 1), events=amended)), citing)
    [kept] = resolve([citation], _index(_law("law", date(2018, 1, 1), events=by_amendments)), citing)
    assert (renumbered.target_doc, renumbered.target_clause) == ("law", None)
    assert kept.target_clause == "chp_1__art_2"
    assert renumbering_possible(_summary(_law("law", date(2018, 1, 1), events=amended)), date(2010, 1, 1))


def test_a_document_does_not_resolve_to_itself() -> None:
    own = _law(
        "own", date(2021, 1, 1), title="某市测试条例", body="第一条 本条例自公布之日起施行，《某市测试条例》同时废止。"
    )
    [c] = resolve(find_citations(own), _index(own), _summary(own))
    assert c.target_doc is None and c.reason == "unresolved: cites its own title"
    old = _law("old", date(2001, 1, 1), title="某市测试条例")
    [repealed] = resolve(find_citations(own), _index(own, old), _summary(own))
    assert repealed.target_doc == "old"


def test_an_alias_and_a_document_number_resolve() -> None:
    law = _law("law", date(2017, 6, 1), title="中华人民共和国网络安全法")
    notice_meta = make_meta(title="国务院关于甲的通知", doc_number="国发〔2015〕50号", doc_number_key="国发2015-50")
    notice = make_document("一、总体要求", id="notice", title="国务院关于甲的通知", meta=notice_meta)
    index = _index(law, notice)
    by_alias = make_citation(doc_id="citing", title="网安法", pinpoint=None, text="《网安法》")
    by_number = make_citation(doc_id="citing", title="促进乙发展的意见", pinpoint=None,
                              text="《促进乙发展的意见》（国发〔2015〕50号）")  # fmt: skip
    [a, b] = resolve([by_alias, by_number], index, _summary(_citing()))
    assert (a.target_doc, a.reason) == ("law", "resolved by alias 网安法")
    assert (b.target_doc, b.reason) == ("notice", "resolved by document number 国发〔2015〕50号")


def test_a_code_in_parts_resolves_internal_references_into_its_other_parts() -> None:
    general = _law("part1", date(2020, 5, 28), title="中华人民共和国测试法典", body="第一条 甲。\n第二条 乙。")
    contracts = _law("part2", date(2020, 5, 28), title="中华人民共和国测试法典", body="第三条 依照本法第一条处理。")
    [found] = find_citations(contracts)
    assert found.kind is CitationKind.INTERNAL and found.target_doc is None
    [c] = resolve([found], _index(general, contracts), _summary(contracts))
    assert (c.target_doc, c.target_clause) == ("part1", "art_1")
    pinned = make_citation(doc_id="citing", title="测试法典", pinpoint="第三条", text="《测试法典》第三条")
    [p] = resolve([pinned], _index(general, contracts), _summary(_citing()))
    assert (p.target_doc, p.target_clause) == ("part2", "art_3")


def _put(store: Store, doc: Document) -> None:
    store.put(doc, find_citations(doc), ())


def test_resolve_all_resolves_later_ingests_and_forgets_removed_targets(tmp_path: Path) -> None:
    citing = _citing()
    with Store.open(tmp_path, create=True) as store:
        _put(store, citing)
        first = resolve_all(store)
        assert (first.documents, first.resolved, first.unresolved) == (1, 0, 1)
        [c] = store.citations(doc_id="citing")
        assert c.target_doc is None and c.reason == "unresolved: no document with this title in the knowledge base"
        _put(store, _law("law", date(2020, 1, 1)))
        second = resolve_all(store)
        assert second.changed == 1
        [c] = store.citations(doc_id="citing")
        assert (c.target_doc, c.target_clause) == ("law", "chp_1__art_2")
        assert resolve_all(store).documents == 0  # nothing changed since: nothing to do
        store.delete("law")
        resolve_all(store)
        [c] = store.citations(doc_id="citing")
        assert c.target_doc is None


def test_resolve_all_moves_to_a_newer_version_in_force(tmp_path: Path) -> None:
    with Store.open(tmp_path, create=True) as store:
        _put(store, _citing(date(2021, 6, 29)))
        _put(store, _law("v2019", date(2019, 1, 1)))
        resolve_all(store)
        assert store.citations(doc_id="citing")[0].target_doc == "v2019"
        _put(store, _law("v2020", date(2020, 1, 1)))
        resolve_all(store)
        assert store.citations(doc_id="citing")[0].target_doc == "v2020"


def test_resolution_keeps_the_finders_note() -> None:
    citation: Citation = make_citation(doc_id="citing", title="测试数据法", pinpoint=None, text="测试数据法",
                                       reason="name before a pinpoint")  # fmt: skip
    [c] = resolve([citation], _index(_law("law", date(2020, 1, 1))), _summary(_citing()))
    assert c.reason == "name before a pinpoint → resolved by title"
    [again] = resolve([replace(c, target_doc=None)], _index(), _summary(_citing()))
    assert again.reason == "name before a pinpoint → unresolved: no document with this title in the knowledge base"


def test_a_title_without_its_issuer_names_a_national_text_or_one_of_the_citing_province() -> None:
    def local(doc_id: str, province: str) -> Document:
        title = f"{province}省人民代表大会常务委员会关于修改部分地方性法规的决定"
        meta = make_meta(title=title, short_title=title, province=province, city=None)
        return make_document("一、甲。", id=doc_id, title=title, meta=meta)

    index = _index(local("zj", "浙江"), local("gd", "广东"))
    citation = make_citation(doc_id="citing", title="关于修改部分地方性法规的决定", pinpoint=None,
                             text="《关于修改部分地方性法规的决定》")  # fmt: skip

    def citing(province: str) -> DocSummary:
        doc = make_document("第一条 甲。", id="citing", meta=make_meta(province=province))
        return _summary(doc)

    [in_zhejiang] = resolve([citation], index, citing("浙江"))
    [elsewhere] = resolve([citation], index, citing("山东"))
    assert (in_zhejiang.target_doc, in_zhejiang.reason) == ("zj", "resolved by title less its issuer")
    assert elsewhere.target_doc is None
