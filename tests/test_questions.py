"""Questions and names users type: ranked answers, zero-hit help, filter errors, aliases, 发文字号 (real laws)."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kb.errors import QuerySyntaxError
from kb.search.modes import question_parts
from kb.search.query import parse_query
from kb.search.rank import concepts, looks_like_question
from kb.search.whoosh_index import open_index
from kb.search.words import build_word_table, cut
from tests.conftest import corpus_file

FILES = ("社会法/社会保险法(2018-12-29).md", "社会法/劳动合同法(2012-12-28).md", "行政法/个人信息保护法(2021-08-20).md",
         "行政法/数据安全法(2021-06-10).md", "行政法/网络安全法(2016-11-07).md",
         "DLC/上海地方法规/地方性法规/上海/上海市数据条例(2021-11-25).md")  # fmt: skip


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kb.pipeline import ingest

    home = tmp_path_factory.mktemp("questions")
    report = ingest([corpus_file(relative) for relative in FILES], home)
    assert not report.failures
    return home


@pytest.fixture(scope="module")
def kb_cli() -> click.Group:
    from kb.cli import cli

    return cli


def run(kb_cli: click.Group, home: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(kb_cli, ["--home", str(home), *args])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("公司不给交社保怎么办", ["公司", "不", "给", "交", "社保", "怎么办"]),
        ("个人信息出境需要什么手续？", ["个人信息", "出境", "需要", "什么", "手续"]),
        ("GDPR 2021年", ["GDPR", "2021", "年"]),
    ],
)
def test_words_follow_the_dictionary(text: str, words: list[str]) -> None:
    assert cut(text) == words


def test_word_table_is_built_from_a_dictionary_file(tmp_path: Path) -> None:
    source = tmp_path / "dict.txt"
    source.write_text("数据 100 n\n数据安全 50 n\n安全 80 n\n", encoding="utf-8")
    from kb.search.words import WordTable

    build_word_table(source, tmp_path / "words.sqlite")
    table = WordTable(tmp_path / "words.sqlite")
    assert table.lookup(["数据", "数据安", "安全法"]) == {"数据": 100, "数据安": 0}
    assert table.segment("数据安全") == ["数据安全"]


@pytest.mark.parametrize(
    ("query", "question"),
    [
        ("公司不给交社保怎么办", True),
        ("个人信息出境需要什么手续", True),
        ("离婚后孩子归谁？", True),
        ("数据安全", False),
        ("公共数据 开放", False),
        ('"公司不给交社保怎么办"', False),  # quoted: an exact phrase
        ("怎么办", False),  # too short to be a question: a word to find
        ("是否符合", False),  # short, with a marker: exact first (a question only if nothing holds it)
        ("社保 OR 怎么办", False),
    ],
)
def test_questions_are_told_from_keywords(query: str, question: bool) -> None:
    parts = question_parts(query, parse_query(query))
    assert (parts is not None and parts.certain) is question


def test_thesaurus_expands_everyday_words() -> None:
    found = {c.word: [t.variants[0] for t in c.texts] for c in concepts("公司不给交社保怎么办")}
    assert "社会保险" in found["社保"]
    assert "怎么办" not in found and looks_like_question("怎么办呢")


@pytest.mark.parametrize(
    ("question", "title", "numbers"),
    [
        ("公司不给交社保怎么办", "社会保险法", {"第五十八条", "第六十条", "第六十三条", "第八十四条", "第八十六条"}),
        ("个人信息出境需要什么手续", "个人信息保护法", {"第三十八条", "第三十九条", "第四十条"}),
    ],
)
def test_questions_find_the_articles_that_answer_them(home: Path, question: str, title: str, numbers: set[str]) -> None:
    result = open_index(home).search(question, limit=10)
    assert result.mode == "question"
    assert all(hit.title and hit.number for hit in result.hits)
    assert any(title in (hit.title or "") and hit.number in numbers for hit in result.hits), [
        (h.title, h.number) for h in result.hits
    ]


def test_keywords_stay_exact(home: Path) -> None:
    result = open_index(home).search("出境")
    assert result.mode == "exact"
    assert all("出境" in hit.snippet for hit in result.hits)


def test_zero_hits_say_why_and_offer_a_relaxed_query(kb_cli: click.Group, home: Path) -> None:
    result = open_index(home).search("个人信息 火星人")
    assert result.total == 0
    counts = dict(result.word_hits)
    assert counts["火星人"] == 0 and counts["个人信息"] > 0
    assert result.relaxed == "个人信息"
    code, out = run(kb_cli, home, "search", "个人信息", "火星人")
    assert code == 0 and "火星人" in out and "try: kb search '个人信息'" in out


@pytest.mark.parametrize("args", [["个人信息", "-境外"], ["个人信息", "NOT", "境外"]])
def test_exclusion_reaches_the_query(kb_cli: click.Group, home: Path, args: list[str]) -> None:
    code, out = run(kb_cli, home, "search", *args, "--json")
    assert code == 0, out
    assert "No such option" not in out
    excluded = open_index(home).search(" ".join(args), limit=1000)
    assert excluded.total > 0
    assert excluded.total < open_index(home).search("个人信息", limit=0).total


@pytest.mark.parametrize("query", ["数据 province:火星", "数据 topic:不存在的主题", "数据 city:无名市"])
def test_unknown_filter_values_list_the_known_ones(home: Path, query: str) -> None:
    with pytest.raises(QuerySyntaxError, match="known values"):
        open_index(home).search(query)


def test_known_filter_value_is_accepted(home: Path) -> None:
    assert open_index(home).search("数据 province:上海").total > 0


@pytest.mark.parametrize(
    ("name", "title"),
    [("个保法", "个人信息保护法"), ("数安法", "数据安全法"), ("网络安全法", "网络安全法")],
)
def test_names_users_type_find_their_document(kb_cli: click.Group, home: Path, name: str, title: str) -> None:
    code, out = run(kb_cli, home, "show", name)
    assert code == 0 and title in out.splitlines()[0]
    result = open_index(home).search(name, docs=True, limit=3)
    assert result.hits and title in (result.hits[0].title or "")
    assert open_index(home).search(f"title:{name} 第一条").total >= 1


def test_names_with_an_article(kb_cli: click.Group, home: Path) -> None:
    code, out = run(kb_cli, home, "show", "个保法 第三十八条")
    assert code == 0 and "第三十八条" in out


@pytest.mark.parametrize("written", ["国办发[2018]124号", "国办发【2018】124号", "国办发(2018)124号"])
def test_document_numbers_in_any_brackets(written: str) -> None:
    from kb.citations.lookup import DOC_NUMBER, number_key

    assert DOC_NUMBER.match(written)
    assert number_key(written) == number_key("国办发〔2018〕124号")
    from kb.search.query import text_node

    assert "国办发〔2018〕124号" in text_node(written).variants


def test_single_characters_the_dictionary_left_apart_are_one_term() -> None:
    from kb.search.rank import merge_singles, question_words

    _, stop = question_words()
    assert merge_singles(["质", "权", "人", "有", "义务"], stop) == ["质权人", "有", "义务"]
    assert merge_singles(["不", "给", "交"], stop) == ["不", "给", "交"]


def test_versions_of_one_article_are_one_answer(home: Path) -> None:
    hits = open_index(home).search("用人单位不缴纳社会保险费怎么办", limit=20).hits
    keys = [(h.title, h.number) for h in hits]
    assert len(keys) == len(set(keys))


def test_short_text_with_a_question_word_matches_exactly_when_it_occurs(home: Path) -> None:
    result = open_index(home).search("是否合法")
    assert result.mode == "exact" and result.total > 0
    assert open_index(home).search("什么叫社保").mode == "question"  # occurs nowhere: ranked
