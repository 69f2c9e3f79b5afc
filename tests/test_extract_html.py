"""kb.extract.html on the real government pages (fixtures and gov.cn) and on the bad HTML files."""

from __future__ import annotations

import json
import re

import pytest
from bs4 import BeautifulSoup

from kb.errors import CorruptFile, NoBody
from kb.extract import extract, extract_bytes
from kb.extract.html import declared_charset
from kb.models import Format
from kb.normalize.clean import squeeze
from tests.conftest import BAD, CORPUS, FORMATS, require_shared
from tests.test_extract_text import _ids, check_against_gold

GOVCN = CORPUS / "govcn"
# The UCAP-CONTENT id as pages write it, with the spaces some put inside the attribute.
UCAP_ID = re.compile(rb'id="\s*UCAP-CONTENT"')
# Words of page chrome that never belong to a document's body.
CHROME_WORDS = ("当前位置：", "版权所有", "网站标识码", "主办单位：", "浏览次数", "【打印】", "请输入关键词")


def _govcn_pages() -> list[int]:
    return sorted(int(path.stem) for path in require_shared(GOVCN).glob("*.html"))


@pytest.mark.parametrize("doc_id", _ids("html"))
def test_html_fixture_matches_gold(doc_id: str) -> None:
    check_against_gold(require_shared(FORMATS / f"{doc_id}.html"))


@pytest.mark.parametrize("number", _govcn_pages())
def test_govcn_page_gives_the_gold_text_title_and_table(number: int) -> None:
    path = require_shared(GOVCN / f"{number}.html")
    gold = json.loads(path.with_suffix(".gold.json").read_text())
    got = extract(path)
    assert got.format is Format.HTML
    assert got.title == gold["title"]
    body = squeeze("".join(b.text for b in got.blocks))
    want = squeeze(gold["text"])
    # the page opens with its title, which the extractor lifts out of the body into ``title``
    assert body == want or squeeze(got.title) + body == want
    assert got.field("发文字号") == gold["doc_number"]
    assert got.field("索引号") == gold["index_no"]
    assert got.field("发文机关") == gold["issuer"]


def _link_texts_outside_content(data: bytes) -> set[str]:
    soup = BeautifulSoup(data, "lxml")
    content = soup.find(id=re.compile(r"^\s*UCAP-CONTENT$"))
    inside = {id(tag) for tag in content.find_all("a")} if content is not None else set()
    return {squeeze(a.get_text()) for a in soup.find_all("a") if id(a) not in inside and squeeze(a.get_text())}


@pytest.mark.parametrize("doc_id", _ids("html"))
def test_no_navigation_or_related_links_in_any_block(doc_id: str) -> None:
    path = require_shared(FORMATS / f"{doc_id}.html")
    data = path.read_bytes()
    got = extract(path)
    links = _link_texts_outside_content(data)
    assert links, "the page has navigation and related links to leave out"
    for block in got.blocks:
        assert squeeze(block.text) not in links | {"相关文件", "相关链接"}
        assert not any(word in block.text for word in CHROME_WORDS), block.text


@pytest.mark.parametrize("doc_id", _ids("html")[:20])
def test_content_is_found_without_the_ucap_id(doc_id: str) -> None:
    data = require_shared(FORMATS / f"{doc_id}.html").read_bytes()
    with_id = extract_bytes(data, "page.html")
    without = extract_bytes(UCAP_ID.sub(b"", data), "page.html")
    assert (without.title, without.info, without.blocks) == (with_id.title, with_id.info, with_id.blocks)


@pytest.mark.parametrize("number", [1, 4, 10, 19, 33, 36])
def test_govcn_content_is_found_without_the_ucap_id(number: int) -> None:
    data = require_shared(GOVCN / f"{number}.html").read_bytes()
    assert UCAP_ID.search(data)
    with_id = extract_bytes(data, "page.html")
    without = extract_bytes(UCAP_ID.sub(b"", data), "page.html")
    assert without.blocks == with_id.blocks


def test_metadata_table_cells_become_fields() -> None:
    got = extract(require_shared(FORMATS / "3d9088dd79.html"))
    assert ("标题", "上海市科学技术进步条例") in got.fields
    assert ("发布日期", "2010-09-17") in got.fields
    assert ("效力状态", "有效") in got.fields
    assert got.field("发文机关") is None  # an empty cell gives no field


def test_meta_tags_and_info_line_become_fields() -> None:
    got = extract(require_shared(FORMATS / "4b33e4ece3.html"))
    assert got.field("ArticleTitle") == "北京市人口与计划生育条例"
    assert got.field("PubDate") == "2021-11-26 10:33"
    assert got.field("ContentSource") == "北京市人民代表大会常务委员会"
    assert got.field("来源") == "北京市人民代表大会常务委员会"
    assert got.field("发布时间") == "2021-11-26"
    assert got.info[0] == "2003年7月18日 北京市第十二届人民代表大会常务委员会第五次会议通过"


@pytest.mark.parametrize(
    ("doc_id", "charset"),
    [("3d9088dd79", "gbk"), ("dde253acf7", "utf-8"), ("5a6f59579e", "gb2312"), ("4b33e4ece3", "GB2312")],
)
def test_declared_charset_is_read(doc_id: str, charset: str) -> None:
    assert declared_charset(require_shared(FORMATS / f"{doc_id}.html").read_bytes()) == charset


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_an_undeclared_charset_is_sniffed(encoding: str) -> None:
    path = require_shared(FORMATS / "3d9088dd79.html")  # declared gbk
    original = extract(path)
    text = path.read_bytes().decode("gb18030")
    undeclared = re.sub(r'<meta http-equiv="Content-Type"[^>]*>', "", text)
    assert declared_charset(undeclared.encode(encoding)) is None
    again = extract_bytes(undeclared.encode(encoding), "page.html")
    assert (again.title, again.blocks) == (original.title, original.blocks)


def test_a_wrongly_declared_charset_falls_back_to_the_one_that_reads() -> None:
    page = (
        '<html><head><meta charset="utf-8"><title>数据条例</title></head><body><div>'
        "<p>第一条 为了规范数据处理活动，保障数据安全，制定本条例。</p></div></body></html>"
    )
    got = extract_bytes(page.encode("gb18030"), "page.html")
    assert [b.text for b in got.blocks] == ["第一条 为了规范数据处理活动，保障数据安全，制定本条例。"]


SITE_PAGE = """<html><head><meta charset="utf-8"><title>某市数据条例 - 某市人民政府门户网站</title></head><body>
<div class="header"><ul class="menu"><li><a href="/">首页</a></li><li><a href="/a">政务公开</a></li>
<li><a href="/b">政务服务</a></li><li><a href="/c">互动交流</a></li></ul></div>
<div class="location">当前位置：<a href="/">首页</a> &gt; <a href="/z">政策文件</a></div>
<div class="sidebar"><p>热点：某市召开常务会议，研究部署当前经济工作。</p></div>
<div class="wrap"><div class="text">
&nbsp;&nbsp;第一条　为了规范公共数据管理，促进数据共享开放，制定本条例。<br>
　　第二条　本市行政区域内公共数据的收集、共享、开放适用本条例。<br>
　　第三条　市人民政府应当加强对公共数据工作的领导，建立协调机制。<br>
<table><tr><td>序号</td><td>事项</td></tr><tr><td>1</td><td>数据目录</td></tr></table>
<p>分享到：</p>
<div class="xgwj"><h4>相关文件</h4><ul><li><a href="/1">《某省公共数据条例》</a></li>
<li><a href="/2">《某市政务服务规定》</a></li></ul></div>
</div></div>
<div class="footer"><p>主办单位：某市人民政府办公厅　版权所有</p></div>
<script>var x = "第九条 不是正文";</script>
</body></html>"""


def test_main_content_of_another_site_by_text_density() -> None:
    got = extract_bytes(SITE_PAGE.encode(), "site.html")
    assert got.title == "某市数据条例"
    assert [b.text for b in got.blocks] == [
        "第一条　为了规范公共数据管理，促进数据共享开放，制定本条例。",
        "第二条　本市行政区域内公共数据的收集、共享、开放适用本条例。",
        "第三条　市人民政府应当加强对公共数据工作的领导，建立协调机制。",
        "序号\t事项",
        "1\t数据目录",
    ]


@pytest.mark.parametrize(
    ("title_tag", "expected"),
    [
        ("某市数据条例_政策文件_某市人民政府", "某市数据条例"),
        ("某市数据条例｜中国政府网", "某市数据条例"),
        ("某市数据条例", "某市数据条例"),
    ],
)
def test_title_from_the_title_tag_less_the_site_name(title_tag: str, expected: str) -> None:
    page = SITE_PAGE.replace("某市数据条例 - 某市人民政府门户网站", title_tag)
    assert extract_bytes(page.encode(), "site.html").title == expected


def test_binary_html_is_corrupt() -> None:
    path = require_shared(BAD / "binary.html")
    with pytest.raises(CorruptFile, match=re.escape(f"{path}: binary data, not an HTML page")):
        extract(path)


def test_page_without_body_text_has_no_body() -> None:
    path = require_shared(BAD / "no_body.html")
    with pytest.raises(NoBody, match=re.escape(f"{path}: the page has no body text")):
        extract(path)


def test_navigation_only_page_has_no_body() -> None:
    page = SITE_PAGE.split('<div class="wrap">')[0] + "</body></html>"
    page = page.replace('<div class="sidebar"><p>热点：某市召开常务会议，研究部署当前经济工作。</p></div>', "")
    with pytest.raises(NoBody, match=r"^nav\.html: the page has no body text"):
        extract_bytes(page.encode(), "nav.html")


def test_related_lists_inside_the_content_are_left_out_but_text_about_related_files_stays() -> None:
    page = """<html><body><div id="UCAP-CONTENT"><p>第一条 为了规范公共数据管理，制定本条例。</p>
    <h3>相关文件：</h3><ul><li><a href="1">《某某条例》</a></li><li><a href="2">《某某办法》</a></li></ul>
    <p><b>相关链接</b></p><p><a href="x">国务院关于某某的通知</a></p>
    <p>相关文件应当报送备案。</p>
    <div class="xglj">相关链接：<a href="1">《某某条例》</a></div>
    <p>【打印本页】【关闭窗口】</p>
    <p>第二条 本条例自公布之日起施行。</p></div></body></html>"""
    got = extract_bytes(page.encode(), "related.html")
    assert [b.text for b in got.blocks] == [
        "第一条 为了规范公共数据管理，制定本条例。",
        "相关文件应当报送备案。",
        "第二条 本条例自公布之日起施行。",
    ]


def test_br_splits_paragraphs_and_indentation_is_stripped() -> None:
    page = """<html><body><div id="UCAP-CONTENT"><p>&nbsp;&nbsp;&nbsp;&nbsp;第一条 为了规范。<br>
    　　第二条 本条例
    自公布之日起施行。</p></div></body></html>"""
    got = extract_bytes(page.encode(), "br.html")
    assert [b.text for b in got.blocks] == ["第一条 为了规范。", "第二条 本条例自公布之日起施行。"]


def test_an_empty_ucap_container_is_passed_over_for_the_scored_content() -> None:
    page = SITE_PAGE.replace('<div class="wrap">', '<div id="UCAP-CONTENT"></div><div class="wrap">')
    got = extract_bytes(page.encode(), "site.html")
    assert got.blocks[0].text == "第一条　为了规范公共数据管理，促进数据共享开放，制定本条例。"
