"""Query language: the tree a query parses to, numeral variants, field values, and clear syntax errors."""

from __future__ import annotations

import pytest

from kb.errors import QuerySyntaxError
from kb.models import DocFilter, DocType, Level
from kb.search.query import (
    And,
    Filter,
    Not,
    Or,
    Text,
    filter_nodes,
    numeral_variants,
    parse_query,
    texts,
)


def t(text: str) -> Text:
    return Text(text, (text,))


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        ("数据", t("数据")),
        ("公共数据 开放", And((t("公共数据"), t("开放")))),
        ("数据 OR 信息", Or((t("数据"), t("信息")))),
        ("数据 AND 信息", And((t("数据"), t("信息")))),
        ("数据安全 NOT 草案", And((t("数据安全"), Not(t("草案"))))),
        ("数据安全 -草案", And((t("数据安全"), Not(t("草案"))))),
        ('"数据 安全"', Text("数据 安全", ("数据安全",))),
        ("“数据安全”", t("数据安全")),
        ("(数据 OR 信息) 安全", And((Or((t("数据"), t("信息"))), t("安全")))),
        ("a OR b c", Or((t("a"), And((t("b"), t("c")))))),
        ("province:浙江", Filter("province", "浙江")),
        ("province：浙江省", Filter("province", "浙江")),
        ("city:深圳市", Filter("city", "深圳")),
        ("year:2020", Filter("year", low=2020, high=2020)),
        ("year:2016..2020", Filter("year", low=2016, high=2020)),
        ("year:2016..", Filter("year", low=2016)),
        ("year:..2020", Filter("year", high=2020)),
        ("level:省级", Filter("level", "provincial")),
        ("level:national", Filter("level", "national")),
        ("type:地方性法规", Filter("doc_type", "地方性法规")),
        ("type:law", Filter("doc_type", "法律")),
        ("status:现行有效", Filter("status", "in_force")),
        ("topic:公共数据权属", Filter("topic", "公共数据权属")),
        ('topic:"公共数据 权属"', Filter("topic", "公共数据 权属")),
        ("数据：定义", Text("数据：定义", ("数据:定义",))),  # a colon after Chinese text is text, not a field
        ("ＡＰＰ", Text("ＡＰＰ", ("app",))),
    ],
)
def test_parse(query: str, tree: object) -> None:
    assert parse_query(query) == tree


@pytest.mark.parametrize("query", ["", "   ", "\n"])
def test_empty_query_is_none(query: str) -> None:
    assert parse_query(query) is None


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('"数据安全', "is not closed"),
        ("foo:bar", "unknown field 'foo'"),
        ("year:twenty", "expected a year"),
        ("year:2020..2016", "runs backwards"),
        ("level:galactic", "unknown value"),
        ("type:法规汇编", "unknown value"),
        ("数据 OR", "OR needs something on both sides"),
        ("OR 数据", "expected words before"),
        ("数据 NOT", "needs what to exclude"),
        ("数据 -", "must be followed"),
        ("(数据 OR 信息", "is not closed"),
        ("数据)", "unexpected"),
        ('""', "is empty"),
        ("province:", "needs a value"),
    ],
)
def test_syntax_errors_say_what_to_change(query: str, message: str) -> None:
    with pytest.raises(QuerySyntaxError, match=message):
        parse_query(query)


@pytest.mark.parametrize(
    ("norm", "variants"),
    [
        ("第21条", ("第21条", "第二十一条")),
        ("第二十一条", ("第二十一条", "第21条")),
        ("第10条", ("第10条", "第十条")),
        ("第三章", ("第三章", "第3章")),
        ("2020年", ("2020年", "二〇二〇年")),
        ("二〇二〇年", ("二〇二〇年", "2020年")),
        ("统一", ("统一",)),  # not a number in a numbering context
        ("一", ("一",)),
        ("5g网络", ("5g网络",)),
    ],
)
def test_numeral_variants(norm: str, variants: tuple[str, ...]) -> None:
    assert numeral_variants(norm) == variants


def test_numeral_variants_multiply_but_stay_bounded() -> None:
    variants = numeral_variants("第1条第2款第3项第4目第5章")
    assert len(variants) == 16
    assert variants[0] == "第1条第2款第3项第4目第5章"


def test_texts_leave_out_negated_words() -> None:
    tree = parse_query("数据 OR 信息 -草案 province:浙江")
    assert [leaf.text for leaf in texts(tree)] == ["数据", "信息"]


def test_doc_filter_becomes_filters() -> None:
    filters = DocFilter(province="浙江省", year_from=2016, year_to=2020, level=Level.PROVINCIAL,
                        doc_type=DocType.LOCAL_REGULATION, topic="公共数据权属")  # fmt: skip
    assert filter_nodes(filters) == [
        Filter("province", "浙江"),
        Filter("topic", "公共数据权属"),
        Filter("level", "provincial"),
        Filter("doc_type", "地方性法规"),
        Filter("year", low=2016, high=2020),
    ]
    assert filter_nodes(None) == []
