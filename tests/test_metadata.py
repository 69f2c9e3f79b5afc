"""Metadata stage, piece by piece: 文号, header events, places, issuers and type, and read_metadata on small texts.

Header lines and bodies here are written for the tests in the shapes the corpus uses (the real documents are
measured in test_metadata_corpus.py).
"""

from __future__ import annotations

import json
from datetime import date
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.metadata.doctype import classify, issuer_kind
from kb.metadata.events import joint_bodies, read_events
from kb.metadata.read import read_metadata, short_title
from kb.models import Block, DocType, EventKind, ExtractedText, Format, Level, Status
from kb.normalize.docnumber import doc_number_key, find_doc_numbers
from kb.normalize.places import find_places, is_county, leading_place

A, M, R, P, E, AP, S = (
    EventKind.ADOPTED,
    EventKind.AMENDED,
    EventKind.REVISED,
    EventKind.PROMULGATED,
    EventKind.EFFECTIVE,
    EventKind.APPROVED,
    EventKind.SIGNED,
)


def _text(title: str | None, info: tuple[str, ...] = (), body: str = "", fields: tuple[tuple[str, str], ...] = (),
          fmt: Format = Format.MARKDOWN) -> tuple[ExtractedText, str]:  # fmt: skip
    blocks = tuple(Block(line) for line in body.split("\n") if line.strip())
    return ExtractedText("doc", fmt, title, info, blocks, fields), "\n".join(b.text for b in blocks)


# -- 文号 ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("国办发〔2015〕50号", "国办发2015-50"),
        ("黔府发[2020]5号", "黔府发2020-5"),
        ("浙政发（2020）3号", "浙政发2020-3"),
        ("京政发【2019】7号", "京政发2019-7"),
        ("国办发明电〔2018〕15号", "国办发明电2018-15"),
        ("国发〔1981〕第88号", "国发1981-88"),
        ("国务院令第707号", "国令707"),
        ("国令第707号", "国令707"),
        ("中华人民共和国国务院令第704号", "国令704"),
        ("国家市场监督管理总局令第45号", "国家市场监督管理总局令45"),
        ("食品药品监管局、海关总署第4号令", "食品药品监管局、海关总署令4"),
        ("公告 2020 第12号", "公告2020-12"),
        ("国家税务总局公告2020年第12号", "国家税务总局公告2020-12"),
        ("浙江省第十一届人民代表大会常务委员会公告第11号", "浙江省人民代表大会常务委员会公告11"),
        ("第二十九次会议", None),
    ],
)
def test_doc_number_key(written: str, key: str | None) -> None:
    assert doc_number_key(written) == key


def test_doc_number_is_found_in_running_text_as_written() -> None:
    text = "依据《某某办法》（浙政发（2020）3号）和国务院令第707号的规定"
    assert [(n.text, n.key) for n in find_doc_numbers(text)] == [
        ("浙政发（2020）3号", "浙政发2020-3"),
        ("国务院令第707号", "国令707"),
    ]


# -- header events -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            ["2021年6月10日 第十三届全国人民代表大会常务委员会第二十九次会议通过"],
            [(date(2021, 6, 10), A, "全国人民代表大会常务委员会")],
        ),
        (
            [
                "2001年3月2日 某某市第十二届人民代表大会常务委员会第三十次会议通过",
                "2001年5月31日 某某省第九届人民代表大会常务委员会第七次会议批准",
                "2018年10月26日 第十三届全国人民代表大会常务委员会第六次会议《关于修改〈某某法〉的决定》第二次修正",
            ],
            [
                (date(2001, 3, 2), A, "某某市人民代表大会常务委员会"),
                (date(2001, 5, 31), AP, "某某省人民代表大会常务委员会"),
                (date(2018, 10, 26), M, "全国人民代表大会常务委员会"),
            ],
        ),
        (  # two dates on one line, joined by 根据
            [
                (
                    "2005年1月14日 河南省第十届人民代表大会常务委员会第十三次会议修订根据20"
                    "10年7月30日河南省第十一届人民代表大会常务委员会第十六次会议《关于修改部"
                    "分地方性法规的决定》第二次修正"
                )
            ],
            [
                (date(2005, 1, 14), R, "河南省人民代表大会常务委员会"),
                (date(2010, 7, 30), M, "河南省人民代表大会常务委员会"),
            ],
        ),
        (  # a city adopts an amending decision and the province approves it
            [
                (
                    "2020年9月3日 东营市第八届人民代表大会常务委员会第28次会议通过并经2020年"
                    "9月25日山东省第十三届人民代表大会常务委员会第二十三次会议批准的《东营市"
                    "人民代表大会常务委员会关于修改〈某条例〉的决定》修正"
                )
            ],
            [
                (date(2020, 9, 3), M, "东营市人民代表大会常务委员会"),
                (date(2020, 9, 25), AP, "山东省人民代表大会常务委员会"),
            ],
        ),
        (  # two bodies, one verb; then a joint promulgation and entry into force
            [
                (
                    "2003年5月13日 最高人民法院审判委员会第1269次会议、2003年5月13日最高人民"
                    "检察院第十届检察委员会第3次会议通过"
                ),
                "2003年5月14日 最高人民法院、最高人民检察院公告公布",
                "2003年5月15日 施行",
            ],
            [
                (date(2003, 5, 13), A, "最高人民法院"),
                (date(2003, 5, 13), A, "最高人民检察院"),
                (date(2003, 5, 14), P, "最高人民法院、最高人民检察院"),
                (date(2003, 5, 15), E, None),
            ],
        ),
        (  # the same over two lines
            [
                "2018年2月23日 最高人民法院审判委员会第1734次会议",
                "2018年2月11日 最高人民检察院第十二届检察委员会第73次会议通过",
            ],
            [(date(2018, 2, 23), A, "最高人民法院"), (date(2018, 2, 11), A, "最高人民检察院")],
        ),
        (
            ["1997年12月11日 国务院批准", "1997年12月16日 公安部令第33号发布"],
            [(date(1997, 12, 11), AP, "国务院"), (date(1997, 12, 16), P, "公安部")],
        ),
        (  # an order number without a verb was a promulgation
            ["2017年11月22日 中华人民共和国国务院令第692号"],
            [(date(2017, 11, 22), P, "中华人民共和国国务院")],
        ),
        (  # the deciding body is the author of the bracketed decision
            ["2011年1月8日 《国务院关于废止和修改部分行政法规的决定》第一次修订"],
            [(date(2011, 1, 8), R, "国务院")],
        ),
        (  # promulgated, in force from a later day, amended later: three dates on one line
            [
                (
                    "2013年9月29日 青岛市人民代表大会常务委员会公告公布自2013年11月1日施行根"
                    "据2018年9月7日青岛市第十六届人民代表大会常务委员会第十一次会议《关于修"
                    "改〈某规定〉等十九件地方性法规的决定》修正"
                )
            ],
            [
                (date(2013, 9, 29), P, "青岛市人民代表大会常务委员会"),
                (date(2013, 11, 1), E, None),
                (date(2018, 9, 7), M, "青岛市人民代表大会常务委员会"),
            ],
        ),
        (  # a date wrapped over two lines; full-width digits
            ["２０１４年９月２６", "日山东省第十二届人民代表大会常务委员会第十次会议批准"],
            [(date(2014, 9, 26), AP, "山东省人民代表大会常务委员会")],
        ),
        (  # bracketed note as provincial copies write it; a term written without 第 is kept
            [
                (
                    "（2014年12月26日 市十四届人大常委会第二十次会议通过；2015年4月1日某省第"
                    "十二届人民代表大会常务委员会第十六次会议批准）"
                )
            ],
            [(date(2014, 12, 26), A, "市十四届人大常委会"), (date(2015, 4, 1), AP, "某省人民代表大会常务委员会")],
        ),
        (  # a date inside a bracketed title is not an event
            [
                (
                    "2019年3月1日 某省第十三届人民代表大会常务委员会第九次会议《关于〈某条例"
                    "（2018年3月1日修正本）〉的决定》修正"
                )
            ],
            [(date(2019, 3, 1), M, "某省人民代表大会常务委员会")],
        ),
        (  # a clause that names no body is the act of the issuers
            ["2012年7月9日 最高人民法院审判委员会第1550次会议通过", "2012年12月7日 公布"],
            [(date(2012, 7, 9), A, "最高人民法院"), (date(2012, 12, 7), P, "最高人民法院")],
        ),
        (
            ["2021年11月16日 国家互联网信息办公室2021年第20次室务会议审议通过"],
            [(date(2021, 11, 16), A, "国家互联网信息办公室")],
        ),
        (
            ["2012年12月13日 公安部令第127号修订发布。根据"],
            [(date(2012, 12, 13), R, "公安部"), (date(2012, 12, 13), P, "公安部")],
        ),
        (
            ["# 继承编", "2020年5月28日 第十三届全国人民代表大会第三次会议通过"],
            [(date(2020, 5, 28), A, "全国人民代表大会")],
        ),
        (["1985年12月30日"], []),  # a bare date tells no event
    ],
)
def test_read_events(lines: list[str], expected: list[tuple[date, EventKind, str | None]]) -> None:
    assert [(e.date, e.kind, e.body) for e in read_events(lines)] == expected


def test_events_keep_the_clause_they_were_read_from() -> None:
    line = (
        "2000年12月22日 山东省第九届人民代表大会常务委员会第十八次会议批准2000年"
        "12月22日青岛市人民代表大会常务委员会公告公布施行"
    )
    events = read_events([line])
    assert [(e.kind, e.text) for e in events] == [
        (AP, "2000年12月22日 山东省第九届人民代表大会常务委员会第十八次会议批准"),
        (P, "2000年12月22日青岛市人民代表大会常务委员会公告公布施行"),
        (E, "2000年12月22日青岛市人民代表大会常务委员会公告公布施行"),
    ]


@pytest.mark.parametrize(
    ("lines", "bodies"),
    [
        (["1990年12月24日 中华人民共和国国务院、中华人民共和国中央军事委员会令第71号发布"],
         ("中华人民共和国国务院", "中华人民共和国中央军事委员会")),
        (["2003年8月18日 食品药品监管局、海关总署第4号令公布"], ("食品药品监管局", "海关总署")),
        ([(
            "2021年6月23日 洛阳市第十五届人民代表大会常务委员会第二十五次会议通过20"
            "21年7月30日河南省第十三届人民代表大会常务委员会第二十六次会议批准"
        )],
         ("洛阳市人民代表大会常务委员会",)),
        (["2021年1月1日 施行"], ()),
    ],
)  # fmt: skip
def test_joint_bodies(lines: list[str], bodies: tuple[str, ...]) -> None:
    assert joint_bodies(lines) == bodies


# -- places ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "province", "city"),
    [
        ("深圳经济特区数据条例", "广东", "深圳"),
        ("潍坊市城市绿化条例", "山东", "潍坊"),
        ("上海口岸服务条例", "上海", None),
        ("雄安新区条例", "河北", None),
        ("浦东新区促进绿色金融若干规定", "上海", None),
        ("山东省济南市市容管理条例", "山东", "济南"),
        ("吉林市城市供水条例", "吉林", "吉林"),
        ("吉林省促进大数据发展应用条例", "吉林", None),
        ("广西壮族自治区大数据发展条例", "广西", None),
        ("内蒙古自治区草原管理条例", "内蒙古", None),
        ("延边朝鲜族自治州朝鲜语言文字工作条例", "吉林", "延边"),
        ("宁波杭州湾新区条例", "浙江", "宁波"),
        ("莱芜市钢结构建筑应用促进条例", "山东", "济南"),  # merged into 济南 in 2019
        ("中华人民共和国海南自由贸易港法", None, None),
        ("国务院关于河北雄安新区总体规划的批复", None, None),
    ],
)
def test_leading_place(text: str, province: str | None, city: str | None) -> None:
    place = leading_place(text)
    assert (place.province if place else None, place.city if place else None) == (province, city)


def test_prose_finds_full_names_only() -> None:
    assert [p.term for p in find_places("黄河南岸的潍坊市和河南省，世界大同")] == ["潍坊市", "河南省"]
    assert "大同" in [p.term for p in find_places("世界大同", short=True)]


def test_gazetteer_has_every_provincial_division_and_the_prefecture_cities() -> None:
    data = json.loads(resources.files("kb").joinpath("data/places.json").read_text("utf-8"))
    shorts = {p["short"] for p in data["provinces"]}
    assert len(shorts) == 34
    assert {"北京", "天津", "上海", "重庆", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门", "台湾"} <= shorts
    assert sum(len(p["cities"]) for p in data["provinces"]) >= 333
    for province in data["provinces"]:
        if province["kind"] in ("province", "autonomous_region") and province["short"] != "台湾":
            assert province["cities"], province["name"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("景宁畲族自治县水资源管理条例", True),
        ("长兴县人民政府", True),
        ("杭州市西湖区人民政府", True),
        ("县人民代表大会", True),
        ("中华人民共和国国旗法", False),
        ("广西壮族自治区大数据发展条例", False),
        ("深圳经济特区数据条例", False),
    ],
)
def test_is_county(name: str, expected: bool) -> None:
    assert is_county(name) is expected


# -- issuers and type ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issuer", "kind", "province"),
    [
        ("全国人民代表大会常务委员会", "legislature", None),
        ("中华人民共和国国务院", "state_council", None),
        ("国务院中央军委", "state_council", None),
        ("国务院办公厅", "state_council_office", None),
        ("最高人民检察院", "judiciary", None),
        ("国家市场监督管理总局", "ministry", None),
        ("深圳市人民代表大会常务委员会", "local_legislature", "广东"),
        ("临沂市人民代表会", "local_legislature", "山东"),  # a typo in a real header
        ("北京市人民政府", "local_government", "北京"),
        ("浙江省经济和信息化厅", "local_department", "浙江"),
    ],
)
def test_issuer_kind(issuer: str, kind: str, province: str | None) -> None:
    found = issuer_kind(issuer)
    assert (found.kind, found.place.province if found.place else None) == (kind, province)


def _events(*specs: tuple[EventKind, str]) -> list:
    return [e for kind, body in specs for e in read_events([f"2020年1月1日 {body}{_VERB[kind]}"])]


_VERB = {A: "第一次会议通过", P: "令第1号公布", AP: "批准", R: "第一次会议修订"}


@pytest.mark.parametrize(
    ("title", "issuers", "events", "number", "expected"),
    [
        ("中华人民共和国宪法修正案", ("全国人民代表大会",), [], None, DocType.CONSTITUTION),
        ("中华人民共和国数据安全法", ("全国人民代表大会常务委员会",), [], None, DocType.LAW),
        ("某某条例", ("国务院",), _events((A, "国务院")), None, DocType.ADMIN_REGULATION),
        ("某某登记管理规定", ("国家工商行政管理局",), _events((P, "国家工商行政管理局"), (R, "国务院")), None,
         DocType.ADMIN_REGULATION),
        ("国务院关于做好某项工作的意见", ("国务院",), [], "国发〔2018〕39号", DocType.NORMATIVE),
        ("国务院关于2018年度国家科学技术奖励的决定", ("国务院",), [], "国发〔2018〕44号", DocType.DECISION),
        ("国务院办公厅关于某事的通知", ("国务院办公厅",), [], "国办发〔2019〕3号", DocType.NORMATIVE),
        ("某某规定", ("国务院",), [], "国令第707号", DocType.ADMIN_REGULATION),
        ("最高人民法院关于审理某类案件适用法律若干问题的解释", ("最高人民法院",), [], None, DocType.JUDICIAL),
        ("某某监督管理办法", ("国家市场监督管理总局",), [], "国家市场监督管理总局令第45号", DocType.DEPT_RULE),
        ("深圳经济特区数据条例", ("深圳市人民代表大会常务委员会",), [], None, DocType.LOCAL_REGULATION),
        ("某市人民代表大会常务委员会关于某事的决定", ("潍坊市人民代表大会常务委员会",), [], None,
         DocType.LOCAL_REGULATION),
        ("北京市环境噪声污染防治办法", ("北京市人民政府",), [], None, DocType.LOCAL_GOV_RULE),
        ("浙江省人民政府关于某事的通知", ("浙江省人民政府",), [], "浙政发（2020）3号", DocType.NORMATIVE),
        ("山东省某某条例", ("全国人民代表大会常务委员会",), [], None, DocType.LOCAL_REGULATION),  # a wrong header
        ("上海市专利保护条例", (), [], None, DocType.LOCAL_REGULATION),
        ("中华人民共和国外商投资法", (), [], None, DocType.LAW),
        ("某某管理条例", (), [], None, DocType.ADMIN_REGULATION),
        ("", (), [], None, None),
    ],
)  # fmt: skip
def test_classify(title: str, issuers: tuple[str, ...], events: list, number: str | None, expected: DocType) -> None:
    assert classify(title, issuers, events, number, "", "") == expected


def test_classify_reads_a_ministry_rule_from_the_closing() -> None:
    closing = "第八十三条 本规定自2009年4月1日起施行。2004年发布的《某规定》（公安部第69号令）同时废止。"
    assert classify("道路交通某某程序规定", (), [], None, "", closing) == DocType.DEPT_RULE
    assert (
        classify("道路交通某某程序规定", (), [], None, "", "第八条 本规定自公布之日起施行。")
        == DocType.ADMIN_REGULATION
    )


@pytest.mark.parametrize(
    ("title", "short"),
    [
        ("中华人民共和国数据安全法", "数据安全法"),
        ("中华人民共和国个人所得税法（2018年修正）", "个人所得税法"),
        ("某某条例(2015修订)", "某某条例"),
        ("某某办法（试行）", "某某办法（试行）"),
        (None, None),
    ],
)
def test_short_title(title: str | None, short: str | None) -> None:
    assert short_title(title) == short


# -- read_metadata ----------------------------------------------------------------------------------------------------


def test_local_regulation_with_amendments() -> None:
    text, body = _text(
        "潍坊市某某保护条例",
        (
            "2017年12月15日 潍坊市第十八届人民代表大会常务委员会第八次会议通过",
            "2018年1月23日 山东省第十二届人民代表大会常务委员会第三十五次会议批准",
            (
                "2020年12月3日 潍坊市第十七届人民代表大会常务委员会第三十次会议通过并经"
                "2021年1月28日山东省第十三届人民代表大会常务委员会第二十五次会议批准的《"
                "潍坊市人民代表大会常务委员会关于修改〈潍坊市某某保护条例〉的决定》修正"
            ),
        ),
        "第一条 为了保护某某，结合本市实际，制定本条例。\n第三十条 本条例自2018年3月1日起施行。",
    )
    meta = read_metadata(text, body)
    assert (meta.province, meta.city, meta.level, meta.doc_type) == ("山东", "潍坊", Level.MUNICIPAL,
                                                                    DocType.LOCAL_REGULATION)  # fmt: skip
    assert meta.issuers == ("潍坊市人民代表大会常务委员会",)
    assert (meta.adopted, meta.version_date, meta.year, meta.first_year) == (
        date(2017, 12, 15),
        date(2021, 1, 28),
        2021,
        2017,
    )
    assert meta.effective == date(2018, 3, 1)
    assert [e.kind for e in meta.events] == [A, AP, M, AP]


def test_policy_document_signed_in_chinese_numerals() -> None:
    text, body = _text(
        None,
        body="国务院办公厅关于某项工作的通知\n国办函〔2004〕57号\n某省人民政府：\n现将有关事项通知如下。\n"
        "国务院办公厅\n二〇〇四年八月十二日\n附件\n某部\n二〇〇四年七月一日",
    )
    meta = read_metadata(text, body)
    assert meta.title == "国务院办公厅关于某项工作的通知"
    assert (meta.doc_number, meta.doc_number_key) == ("国办函〔2004〕57号", "国办函2004-57")
    assert meta.issuers == ("国务院办公厅",)
    assert [(e.date, e.kind, e.body) for e in meta.events] == [(date(2004, 8, 12), S, "国务院办公厅")]
    assert (meta.level, meta.doc_type, meta.province, meta.year) == (Level.NATIONAL, DocType.NORMATIVE, None, 2004)


def test_order_is_promulgated_when_signed() -> None:
    text, body = _text(
        "某某条例",
        body="中华人民共和国国务院令\n第707号\n现公布《某某条例》，自2019年1月1日起施行。\n"
        "总理　某某某\n2018年12月18日\n第一条 为了……",
    )
    meta = read_metadata(text, body)
    assert meta.doc_number == "中华人民共和国国务院令第707号"
    assert meta.doc_number_key == doc_number_key("国令第707号")
    assert meta.issuers == ("中华人民共和国国务院",)
    assert (meta.promulgated, meta.effective, meta.doc_type) == (date(2018, 12, 18), date(2019, 1, 1),
                                                                DocType.ADMIN_REGULATION)  # fmt: skip


def test_html_metadata_table_fields_win() -> None:
    fields = (("标　　题：", "某某意见"), ("发文机关：", "国务院"), ("发文字号：", "国发〔2019〕5号"),
              ("成文日期：", "2019年01月27日"), ("发布日期：", "2019年02月15日"),
              ("索 引 号：", "000014349/2019-00007"),
              ("主题分类：", "市场监管"))  # fmt: skip
    text, body = _text(None, body="各省人民政府：\n现提出如下意见。\n国务院\n2019年1月27日", fields=fields,
                       fmt=Format.HTML)  # fmt: skip
    meta = read_metadata(text, body)
    assert (meta.title, meta.issuers, meta.doc_number) == ("某某意见", ("国务院",), "国发〔2019〕5号")
    assert (meta.version_date, meta.promulgated) == (date(2019, 1, 27), date(2019, 2, 15))
    assert (meta.index_no, meta.subject) == ("000014349/2019-00007", "市场监管")


def test_web_publication_years_later_is_not_the_promulgation() -> None:
    fields = (("成文日期", "1996年06月29日"), ("发布日期", "2018年12月24日"))
    text, body = _text(
        "国务院办公厅关于某事的通知", body="各部门：\n国务院办公厅\n一九九六年六月二十九日", fields=fields
    )
    assert read_metadata(text, body).promulgated is None


def test_front_matter_fields() -> None:
    fields = (("title", "某省数据条例"), ("office", "吉林省人民代表大会常务委员会"), ("publish", "2020-11-27 00:00:00"),
              ("effective_date", "2021-01-01 00:00:00"), ("type", "地方性法规"), ("status", "已修改"))  # fmt: skip
    text, body = _text("某省数据条例", body="第一条 为了……", fields=fields)
    meta = read_metadata(text, body)
    assert (meta.issuers, meta.province, meta.level) == (("吉林省人民代表大会常务委员会",), "吉林", Level.PROVINCIAL)
    assert (meta.promulgated, meta.effective, meta.doc_type) == (date(2020, 11, 27), date(2021, 1, 1),
                                                                DocType.LOCAL_REGULATION)  # fmt: skip
    assert meta.status is Status.AMENDED


def test_bracketed_header_in_the_body_opening() -> None:
    body = (
        "某市某某条例\n(2020年6月28日某市第十六届人民代表大会\n常务委员会第二十"
        "次会议通过；\n2020年8月5日辽宁省第十三届人民代表大会\n常务委员会第二十"
        "次会议批准)\n第一条 为了……"
    )
    text, body = _text("沈阳市某某条例", body=body)
    meta = read_metadata(text, body)
    assert [(e.date, e.kind, e.body) for e in meta.events] == [
        (date(2020, 6, 28), A, "某市人民代表大会常务委员会"),
        (date(2020, 8, 5), AP, "辽宁省人民代表大会常务委员会"),
    ]
    assert (meta.province, meta.city, meta.level) == ("辽宁", "沈阳", Level.MUNICIPAL)


def test_national_law_that_names_places_has_none() -> None:
    text, body = _text(
        "中华人民共和国某某法",
        ("2021年6月10日 第十三届全国人民代表大会常务委员会第二十九次会议通过",),
        "第一条 为了支持广东省、深圳市和海南省的建设，本省、本市应当……",
    )
    meta = read_metadata(text, body)
    assert (meta.province, meta.city, meta.level, meta.doc_type) == (None, None, Level.NATIONAL, DocType.LAW)


def test_draft() -> None:
    text, body = _text("某某条例（征求意见稿）", body="第一条 为了……")
    meta = read_metadata(text, body)
    assert (meta.is_draft, meta.status) == (True, Status.DRAFT)


def test_nothing_known_stays_none() -> None:
    text, body = _text(None, body="一段没有标题、日期和机关的文字。")
    meta = read_metadata(text, body)
    assert (meta.doc_number, meta.issuers, meta.adopted, meta.year, meta.province, meta.level, meta.doc_type) == (
        None,
        (),
        None,
        None,
        None,
        None,
        None,
    )


def test_masthead_names_the_issuer() -> None:
    fields = (("版头", "浙江省人民政府办公厅文件"),)
    text, body = _text("关于某项工作的通知", body="各市人民政府：\n现通知如下。", fields=fields, fmt=Format.PDF)
    meta = read_metadata(text, body)
    assert meta.issuers == ("浙江省人民政府办公厅",)
    assert (meta.province, meta.level, meta.doc_type) == ("浙江", Level.PROVINCIAL, DocType.NORMATIVE)


def test_repeal_in_the_header_or_title() -> None:
    text, body = _text("某某办法（已废止）", body="第一条 为了……")
    assert read_metadata(text, body).status is Status.REPEALED
    text, body = _text(
        "某某办法", ("1990年1月1日 某某部令第1号发布", "2010年1月1日 某某部令第9号废止"), "第一条 为了……"
    )
    meta = read_metadata(text, body)
    assert (meta.status, [e.kind for e in meta.events]) == (Status.REPEALED, [P, EventKind.REPEALED])


# Characters the header and body grammars react to, so that generated texts hit the parsers' branches.
_ALPHABET = (
    "0123456789年月日〇一二三四五六七八九十第届次会议通过批准公布修正修订施行令号〔〕《》（）、"
    "省市县国务院人民代表大会常务委员会深圳广东\n "
)


@settings(max_examples=150, deadline=None)
@given(
    title=st.one_of(st.none(), st.text(_ALPHABET, max_size=30)),
    info=st.lists(st.text(_ALPHABET, max_size=80), max_size=4),
    body=st.text(_ALPHABET, max_size=300),
)
def test_any_text_gives_consistent_metadata(title: str | None, info: list[str], body: str) -> None:
    text, body = _text(title, tuple(info), body)
    meta = read_metadata(text, body)
    assert meta.year == (meta.version_date.year if meta.version_date else None)
    assert meta.first_year == (meta.adopted.year if meta.adopted else None)
    assert meta.doc_number_key == (doc_number_key(meta.doc_number) if meta.doc_number else None)
    if meta.level is Level.NATIONAL:
        assert meta.province is None and meta.city is None
    if meta.city is not None:
        assert meta.province is not None
    assert all(e.kind is not EventKind.EFFECTIVE or e.body is None for e in meta.events)
