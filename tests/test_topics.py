"""Topic tagging: the lexicon (kb/data/topics.yaml, extendable) -> tags per article with matched terms and spans."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from kb.errors import TopicLexiconError
from kb.models import TopicTag
from kb.pipeline import Processed, process_file
from kb.topics.tag import load_lexicon, read_topics, tag_topics
from tests.conftest import CORPUS, require_shared
from tests.factories import make_document

REQUIRED = ("数据要素", "数据安全", "个人信息", "公共数据权属", "数据共享", "数据开放", "数据管理机构", "数字政府")


def _tags(body: str) -> tuple[TopicTag, ...]:
    return tag_topics(make_document(body), load_lexicon())


def test_the_lexicon_has_every_required_topic_with_terms() -> None:
    lexicon = load_lexicon()
    for name in REQUIRED:
        topic = lexicon.topic(name)
        assert topic is not None and len(topic.terms) >= 10 and topic.description
    assert lexicon.names[: len(REQUIRED)] == REQUIRED


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("培育数据要素市场，规范数据交易场所。", {"数据要素": ("数据要素市场", "数据交易场所")}),
        ("建立数据分类分级保护制度，加强对重要数据的保护。", {"数据安全": ("数据分类分级", "重要数据")}),
        ("实行分类分级保护。", {"数据安全": ("分类分级保护",)}),
        ("处理敏感个人信息应当取得个人的单独同意。", {"个人信息": ("敏感个人信息",)}),
        ("公共数据授权运营应当遵循依法合规原则。", {"公共数据": ("公共数据",), "公共数据权属": ("公共数据授权运营",)}),
        ("公共数据按照共享属性分为无条件共享、有条件共享和不予共享三类。",
         {"公共数据": ("公共数据",), "数据共享": ("无条件共享", "有条件共享", "不予共享")}),
        ("公共数据开放目录应当向社会公布。", {"公共数据": ("公共数据",), "数据开放": ("公共数据开放",)}),
        ("编制数据开放目录。", {"数据开放": ("数据开放目录",)}),
        ("市大数据管理局负责统筹全市数据管理工作。", {"数据管理机构": ("大数据管理局",)}),
        ("推进一网通办，建设一体化政务服务平台。", {"数字政府": ("一网通办", "一体化政务服务平台")}),
        # a term too common to count alone needs the topic's context in the same article
        ("加强国有资产管理，防止国有资产流失。", {}),
        ("公共数据属于国家所有，实行国有资产管理。",
         {"公共数据": ("公共数据",), "公共数据权属": ("国家所有", "国有资产管理")}),
        ("博物馆应当向社会开放。", {}),
        ("政务数据资源应当向社会开放。", {"公共数据": ("政务数据资源",), "数据开放": ("向社会开放",)}),
        # Regression: 隐私 alone and sharing words of other fields are no data-governance terms.
        ("医疗机构应当保护患者隐私。", {}),
        ("建立消防安全信息共享机制，实现资源共享。", {}),
        ("建立健全政务信息共享机制。", {"数据共享": ("信息共享",)}),
        ("不得泄露个人隐私信息。", {"个人信息": ("个人隐私",)}),
        ("保护计算机信息系统安全。", {"网络安全": ("计算机信息系统安全",)}),
        ("本条例自公布之日起施行。", {}),
    ],
)  # fmt: skip
def test_tags_of_sentences(sentence: str, expected: dict[str, tuple[str, ...]]) -> None:
    tags = _tags(f"第一条 {sentence}")
    assert {t.topic: t.terms for t in tags} == expected
    assert all(t.clause_id == "art_1" for t in tags)


def test_spans_cover_the_terms_and_nested_terms_are_not_counted_twice() -> None:
    body = "第一条 推进公共数据开放，建设数据开放平台。"
    doc = make_document(body)
    tags = tag_topics(doc, load_lexicon())
    assert [t.topic for t in tags] == ["数据开放", "公共数据"]
    tag = tags[0]
    assert [body[s:e] for s, e in tag.spans] == ["公共数据开放", "数据开放平台"]
    assert tag.terms == ("公共数据开放", "数据开放平台")


def test_a_tag_belongs_to_the_article_even_when_the_match_is_in_a_point() -> None:
    body = "第一章 数据共享\n第一条 有关部门应当：\n（一）建立数据共享机制；\n（二）依法保护个人隐私。\n第二条 甲。"
    tags = _tags(body)
    # the chapter heading names a topic too, but the articles carry the tags
    assert {(t.clause_id, t.topic) for t in tags} == {("chp_1__art_1", "数据共享"), ("chp_1__art_1", "个人信息")}


def test_articles_inherit_the_topic_their_chapter_heading_names() -> None:
    body = (
        "第一章 数据安全保护义务\n第一条 任何组织收集数据，应当采取合法、正当的方式。\n"
        "第二条 开展数据处理活动，应当依法办理。\n第三条 本条例自公布之日起施行。\n"
        "第二章 其他规定\n第四条 收集数据应当合法。"
    )
    tags = {(t.clause_id, t.topic): t for t in _tags(body)}
    # the articles that speak of data get the heading's topic, with the heading's words as the evidence
    assert set(tags) == {("chp_1__art_1", "数据安全"), ("chp_1__art_2", "数据安全")}
    tag = tags[("chp_1__art_1", "数据安全")]
    assert tag.terms == ("数据安全保护义务",) and [body[s:e] for s, e in tag.spans] == ["数据安全保护义务"]


def test_an_article_naming_a_topic_of_its_own_does_not_inherit_the_headings() -> None:
    body = "第一章 数据资源开发利用\n第一条 政务部门之间实行数据共享。\n第二条 政务部门应当做好数据归档。"
    pairs = {(t.clause_id, t.topic) for t in _tags(body)}
    assert ("chp_1__art_1", "数据要素") not in pairs and ("chp_1__art_1", "数据共享") in pairs
    assert ("chp_1__art_2", "数据要素") in pairs


def test_a_negated_heading_term_and_a_missing_heading_context_give_no_tag() -> None:
    # 非公共数据 is not 公共数据; a 数据资源 chapter's article is about public data only where it names its holders
    assert _tags("第一章 非公共数据\n第一条 鼓励企业开发利用数据。") == ()
    pairs = {(t.clause_id, t.topic) for t in _tags("第一章 数据资源\n第一条 企业可以依法使用数据。\n"
                                                   "第二条 政务部门应当依法使用数据。")}  # fmt: skip
    assert pairs == {("chp_1__art_2", "公共数据")}


def test_every_article_of_the_data_security_law_but_the_general_ones_has_a_topic() -> None:
    # Regression (issue: 14 of its 55 articles had none): the chapters 数据安全制度 and 数据安全保护义务 name the
    # topic of articles that do not repeat it. Left without a topic: complaints, liability in general, the date.
    processed = _real("lawrefbook/行政法/数据安全法(2021-06-10).md")
    tagged = {t.clause_id for t in processed.topics}
    articles = [c for c in processed.document.clauses if c.kind.value == "article"]
    assert len(articles) == 55
    assert [c.number for c in articles if c.id not in tagged] == ["第十二条", "第五十二条", "第五十五条"]


def test_tagging_is_pure_and_ordered() -> None:
    doc = make_document("第一条 保障数据安全。\n第二条 保护个人信息，保障数据安全。")
    lexicon = load_lexicon()
    tags = tag_topics(doc, lexicon)
    assert tags == tag_topics(doc, lexicon)
    assert [(t.clause_id, t.topic) for t in tags] == [
        ("art_1", "数据安全"),
        ("art_2", "数据安全"),
        ("art_2", "个人信息"),
    ]


def test_a_user_lexicon_extends_topics_and_adds_new_ones(tmp_path: Path) -> None:
    extra = tmp_path / "topics.yaml"
    extra.write_text(
        "数据安全:\n  terms: [数据安全官]\n算法治理:\n  description: 算法\n  terms: [算法推荐, 算法备案]\n", "utf-8"
    )
    lexicon = load_lexicon(extra)
    assert "数据安全官" in lexicon.topic("数据安全").terms  # type: ignore[union-attr]
    assert "重要数据" in lexicon.topic("数据安全").terms  # type: ignore[union-attr]
    tags = tag_topics(make_document("第一条 算法推荐服务提供者应当设立数据安全官。"), lexicon)
    assert {t.topic: t.terms for t in tags} == {"数据安全": ("数据安全官",), "算法治理": ("算法推荐",)}
    assert load_lexicon(extra) is lexicon  # loaded once


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "expected a mapping of topic names"),
        ("数据安全: [a, b]\n", "must map to \\{description"),
        ("数据安全:\n  terms: 数据\n", "'terms' must be a list of phrases"),
        ("数据安全:\n  description: x\n", "has no terms"),
        ("数据安全:\n  context_terms: [所有权]\n", "has context_terms but no 'context' words"),
        ("数据安全: {terms: [\n", "not valid YAML"),
    ],
)
def test_a_malformed_lexicon_is_named(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(content, "utf-8")
    with pytest.raises(TopicLexiconError, match=message) as info:
        read_topics(bad)
    assert str(bad) in str(info.value)


def test_a_missing_lexicon_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(TopicLexiconError, match="cannot read the topic lexicon"):
        read_topics(tmp_path / "missing.yaml")


@lru_cache(maxsize=4)
def _real(relative: str) -> Processed:
    return process_file(require_shared(CORPUS / relative))


@pytest.mark.parametrize(
    ("relative", "article", "topic", "term"),
    [
        ("provincial/浙江省/浙江省公共数据条例.md", "chp_5__art_35", "公共数据权属", "公共数据授权运营"),
        ("provincial/浙江省/浙江省公共数据条例.md", "chp_4__art_24", "数据共享", "公共数据共享"),
        ("lawrefbook/行政法/数据安全法(2021-06-10).md", "chp_3__art_21", "数据安全", "重要数据"),
        ("lawrefbook/行政法/个人信息保护法(2021-08-20).md", "chp_2__sec_2__art_28", "个人信息", "敏感个人信息"),
        ("lawrefbook/DLC/广东地方法规/地方性法规/广东/深圳经济特区数据条例(2021-07-06).md", "chp_1__art_6",
         "数据要素", "数据要素市场"),
    ],
)  # fmt: skip
def test_tags_of_real_articles(relative: str, article: str, topic: str, term: str) -> None:
    processed = _real(relative)
    tags = {(t.clause_id, t.topic): t for t in processed.topics}
    tag = tags[(article, topic)]
    assert term in tag.terms
    body = processed.document.body
    assert all(body[s:e] in tag.terms for s, e in tag.spans)


@pytest.mark.parametrize(
    ("labels_file", "overall_floor", "topic_floor"),
    [("clause_tags_fresh.tsv", 0.9, 0.7), ("clause_tags_blind.tsv", 0.75, 0.6)],
)
def test_clause_tag_precision_on_the_later_samples(
    corpus_home: Path, labels_file: str, overall_floor: float, topic_floor: float
) -> None:
    """Precision on tags drawn after the lexicon review and judged by hand, each labelled tag counted if the
    current tagging still gives it. The fresh sample's wrong tags were read for the second review; the blind one
    was judged by someone who saw neither the lexicon nor the earlier labels, and is the honest figure (0.773
    overall). The issue's bar, 0.9 for every topic, is not met (BENCHMARKS.md has the tables); these floors keep
    the tagging from falling further."""
    import csv

    from kb.store.sqlite import Store

    with (Path(__file__).parent / "data" / labels_file).open(encoding="utf-8") as fh:
        labels = list(csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t"))
    assert len(labels) >= 150
    given: dict[str, set[tuple[str, str]]] = {}
    with Store.open(corpus_home) as store:
        by_path = {Path(s.path).as_posix(): s.id for s in store.summaries()}
        for path in {row["path"] for row in labels}:
            doc_id = next((i for p, i in by_path.items() if p.endswith("/" + path.removeprefix("corpus/"))), None)
            if doc_id is not None:  # lawrefbook documents: the tags stored at ingest
                given[path] = {(t.clause_id, t.topic) for t in store.topics(doc_id=doc_id)}
            else:  # the rest of the shared corpus
                processed = process_file(require_shared(CORPUS / path.removeprefix("corpus/")))
                given[path] = {(t.clause_id, t.topic) for t in processed.topics}
    judged: dict[str, list[bool]] = {}
    for row in labels:
        if (row["clause_id"], row["topic"]) in given[row["path"]]:
            judged.setdefault(row["topic"], []).append(row["correct"] == "yes")
    assert sum(len(v) for v in judged.values()) >= 0.9 * len(labels)  # the sample still describes the tagging
    precision = {topic: sum(v) / len(v) for topic, v in judged.items()}
    overall = sum(sum(v) for v in judged.values()) / sum(len(v) for v in judged.values())
    assert overall >= overall_floor and all(p >= topic_floor for p in precision.values()), (overall, precision)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # a title cited in 《》 names a law, not the clause's topic
        ("根据《中华人民共和国网络安全法》，制定本条例。", {}),
        # privacy among the secrets a procedure keeps, and privacy computing, are not about personal information
        ("涉及国家秘密、商业秘密和个人隐私的证据，不得公开质证。", {}),
        ("采取数据加密、隐私计算等技术措施。", {"数据安全": ("数据加密",)}),
        ("经营电子数据交换业务。", {}),
        # 网络安全 alone in a code of conduct is not cybersecurity; beside the systems it protects it is
        ("自觉维护网络安全和网络秩序。", {}),
        ("网络运营者应当履行网络安全保护义务。", {"网络安全": ("网络安全保护",)}),
        ("网络运营者应当维护网络安全。", {"网络安全": ("网络安全",)}),
    ],
)  # fmt: skip
def test_excluded_phrases_and_cited_titles_do_not_count(sentence: str, expected: dict[str, tuple[str, ...]]) -> None:
    assert {t.topic: t.terms for t in _tags(f"第一条 {sentence}")} == expected
