"""The web front end through Starlette's test client on a small real knowledge base: the JSON API equals the CLI's
--json output, pages escape untrusted titles and texts, inputs are bounded, errors are pages without tracebacks."""

from __future__ import annotations

import csv
import html
import http.client
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from kb.cli import cli
from kb.cli.report import LIST_CSV_COLUMNS
from kb.store.sqlite import Store
from kb.web.app import create_app
from kb.web.params import MAX_PAGE_SIZE, MAX_QUERY_CHARS
from kb.web.render import FacetLinks, url
from tests.conftest import HOSTILE_TITLE
from tests.web_server import running_server


@pytest.fixture(scope="module")
def client(web_home: Path) -> Iterator[TestClient]:
    with TestClient(create_app(web_home), base_url="http://127.0.0.1") as test_client:
        yield test_client


@pytest.fixture(scope="module")
def shanghai(web_home: Path) -> str:
    """The id of 上海市数据条例 (ids derive from the file's path, so they are looked up)."""
    return doc_id(web_home, "上海市数据条例")


def cli_json(home: Path, *args: str) -> Any:
    result = CliRunner().invoke(cli, ["--home", str(home), *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def api_json(client: TestClient, path: str, params: list[tuple[str, str]]) -> Any:
    response = client.get(f"{path}?{urlencode(params)}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def without_seconds(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "seconds"}


def doc_id(home: Path, title: str) -> str:
    rows = cli_json(home, "list")
    return next(r["doc_id"] for r in rows if r["title"] == title)


# -- the JSON API is the CLI's --json ---------------------------------------------------------------------------

SEARCHES = [
    (["数据分类分级"], [("q", "数据分类分级")]),
    (["公共数据", "开放", "--province", "上海"], [("q", "公共数据 开放"), ("province", "上海")]),
    (['"个人信息" OR 数据处理', "--limit", "25", "--sort", "date"],
     [("q", '"个人信息" OR 数据处理'), ("limit", "25"), ("sort", "date")]),
    (["数据安全法", "--docs"], [("q", "数据安全法"), ("docs", "1")]),
    (["数据", "--from", "2021", "--to", "2021", "--type", "地方性法规"],
     [("q", "数据"), ("from", "2021"), ("to", "2021"), ("type", "地方性法规")]),
    (["--level", "provincial", "--topic", "数据安全"], [("level", "provincial"), ("topic", "数据安全")]),
    (["数据", "--subject", "数据治理"], [("q", "数据"), ("subject", "数据治理")]),
    (["数据", "--status", "in_force"], [("q", "数据"), ("status", "in_force")]),
]  # fmt: skip


@pytest.mark.parametrize(("cli_args", "params"), SEARCHES)
def test_api_search_equals_cli_json(web_home: Path, client: TestClient, cli_args: list[str],
                                    params: list[tuple[str, str]]) -> None:  # fmt: skip
    expected = cli_json(web_home, "search", *cli_args)
    got = api_json(client, "/api/search", params)
    assert without_seconds(got) == without_seconds(expected)
    assert got["total"] > 0


SHOWS = ["数据安全法", "数据安全法 第二十一条", "深圳经济特区数据条例#art_15", "上海市数据条例 第一条"]


@pytest.mark.parametrize("ref", SHOWS)
def test_api_show_equals_cli_json(web_home: Path, client: TestClient, ref: str) -> None:
    assert api_json(client, "/api/show", [("ref", ref)]) == cli_json(web_home, "show", ref)


TRACES = [
    (["数据安全法 第二十一条"], [("ref", "数据安全法 第二十一条")]),
    (["数据安全法", "--relation", "cited-by", "--relation", "cites"],
     [("ref", "数据安全法"), ("relation", "cited-by"), ("relation", "cites")]),
    (["深圳经济特区数据条例 第十四条", "--depth", "2", "--limit", "5"],
     [("ref", "深圳经济特区数据条例 第十四条"), ("depth", "2"), ("limit", "5")]),
    (["数据安全法 第二十一条", "--relation", "topic", "--province", "上海"],
     [("ref", "数据安全法 第二十一条"), ("relation", "topic"), ("province", "上海")]),
]  # fmt: skip


@pytest.mark.parametrize(("cli_args", "params"), TRACES)
def test_api_trace_equals_cli_json(web_home: Path, client: TestClient, cli_args: list[str],
                                   params: list[tuple[str, str]]) -> None:  # fmt: skip
    assert api_json(client, "/api/trace", params) == cli_json(web_home, "trace", *cli_args)


LISTS = [
    ([], []),
    (["--province", "上海"], [("province", "上海")]),
    (["--level", "national", "--sort", "title"], [("level", "national"), ("sort", "title")]),
    (["--from", "2020", "--topic", "数据安全"], [("from", "2020"), ("topic", "数据安全")]),
]


@pytest.mark.parametrize(("cli_args", "params"), LISTS)
def test_api_list_equals_cli_json(web_home: Path, client: TestClient, cli_args: list[str],
                                  params: list[tuple[str, str]]) -> None:  # fmt: skip
    assert api_json(client, "/api/list", params) == cli_json(web_home, "list", *cli_args)


STATS = [
    (["--by", "year"], [("by", "year")]),
    (["--by", "level", "--by", "year", "--from", "2016"], [("by", "level"), ("by", "year"), ("from", "2016")]),
    (["--by", "topic", "--province", "全国"], [("by", "topic"), ("province", "全国")]),
]


@pytest.mark.parametrize(("cli_args", "params"), STATS)
def test_api_stats_equals_cli_json(web_home: Path, client: TestClient, cli_args: list[str],
                                   params: list[tuple[str, str]]) -> None:  # fmt: skip
    assert api_json(client, "/api/stats", params) == cli_json(web_home, "stats", *cli_args)


def test_api_status_equals_cli_json(web_home: Path, client: TestClient) -> None:
    assert api_json(client, "/api/status", []) == cli_json(web_home, "status")


def test_csv_downloads_equal_cli_csv(web_home: Path, client: TestClient) -> None:
    for path, args in (("/list.csv", ["list", "--province", "上海"]), ("/stats.csv", ["stats", "--by", "year"])):
        response = client.get(path + ("?province=上海" if path == "/list.csv" else "?by=year"))
        assert response.status_code == 200
        assert response.headers["content-disposition"].startswith("attachment")
        printed = CliRunner().invoke(cli, ["--home", str(web_home), *args, "--format", "csv", "--bom"]).output
        assert response.content.decode("utf-8") == printed
    header = next(csv.reader(io.StringIO(client.get("/list.csv").text.lstrip("\ufeff"))))
    assert header == list(LIST_CSV_COLUMNS)


def test_openapi_document_lists_every_api_route(client: TestClient) -> None:
    doc = client.get("/api/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert set(doc["paths"]) == {"/api/search", "/api/show", "/api/trace", "/api/list", "/api/stats", "/api/status"}
    names = {p["name"] for p in doc["paths"]["/api/search"]["get"]["parameters"]}
    assert {"q", "province", "year", "from", "to", "level", "type", "topic", "docs", "limit", "sort"} <= names


# -- pages ------------------------------------------------------------------------------------------------------


def test_search_page_has_hits_snippets_facets_and_links(client: TestClient, shanghai: str) -> None:
    html = client.get("/search", params={"q": "公共数据 授权运营"}).text
    assert "<mark>公共数据</mark>" in html or "<mark>授权运营</mark>" in html
    assert f'href="/doc/{shanghai}#chp_3__sec_3__art_44"' in html
    assert "省份" in html and "?q=" in html and "province=%E4%B8%8A%E6%B5%B7" in html  # a facet link ticks 上海


def test_search_pages_and_facet_filter(client: TestClient) -> None:
    first = client.get("/search", params={"q": "数据", "n": "5"}).text
    second = client.get("/search", params={"q": "数据", "n": "5", "page": "2"}).text
    assert 'rel="next"' in first and 'start="6"' in second
    ticked = client.get("/search", params={"q": "数据", "province": "上海"}).text
    assert 'aria-checked="true"' in ticked and "深圳经济特区数据条例" not in ticked


def test_document_page_anchors_clauses_and_links_citations(web_home: Path, client: TestClient, shanghai: str) -> None:
    law = doc_id(web_home, "中华人民共和国数据安全法")
    html = client.get(f"/doc/{shanghai}").text
    assert 'id="chp_1__art_1"' in html and 'href="#chp_1"' in html  # anchors and the outline
    assert f'class="cite" href="/doc/{law}"' in html  # 《中华人民共和国数据安全法》 links to the law
    cited = client.get(f"/doc/{law}").text
    assert "被引用" in cited and f"/doc/{shanghai}#chp_1__art_1" in cited  # the cited-by panel


def test_show_redirects_a_title_to_the_clause_anchor(web_home: Path, client: TestClient) -> None:
    response = client.get("/show", params={"ref": "数据安全法 第二十一条"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/doc/{doc_id(web_home, '中华人民共和国数据安全法')}#chp_3__art_21"


def test_list_and_stats_pages_filter(client: TestClient) -> None:
    html = client.get("/list", params={"province": "上海"}).text
    assert "上海市数据条例" in html and "深圳经济特区数据条例" not in html and "/list.csv?province=" in html
    stats = client.get("/stats", params={"by": ["year", "level"]}).text
    assert '<img src="/stats.svg?by=year&amp;by=level"' in stats
    svg = client.get("/stats.svg", params={"by": "year"})
    assert svg.headers["content-type"] == "image/svg+xml" and b"<svg" in svg.content


# -- untrusted documents and bounded input ------------------------------------------------------------------------


def test_hostile_title_and_text_are_escaped(web_home: Path, client: TestClient) -> None:
    hostile = doc_id(web_home, HOSTILE_TITLE)
    for path in (f"/doc/{hostile}", "/search?q=%E6%8E%88%E6%9D%83%E8%BF%90%E8%90%A5",
                 "/list", f"/trace?ref={hostile}%23art_1"):  # fmt: skip
        page = client.get(path).text
        assert "<script>alert" not in page and "<img src=x" not in page, path
        assert "&lt;script&gt;alert" in page, path


def test_static_files_only_from_the_package(web_home: Path) -> None:
    with running_server(web_home) as base:
        host, port = base.removeprefix("http://").split(":")
        for path in ("/static/../../etc/passwd", "/static/..%2f..%2fetc/passwd", "/static/%2e%2e/app.py",
                     "/static/../app.py", "/static//etc/passwd"):  # fmt: skip
            conn = http.client.HTTPConnection(host, int(port), timeout=10)
            conn.request("GET", path)  # sent as written, not normalised by a client
            response = conn.getresponse()
            body = response.read()
            assert response.status == 404, path
            assert b"root:" not in body and b"create_app" not in body, path
            conn.close()
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.request("GET", "/static/kb.css")
        assert conn.getresponse().status == 200


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/search?q=" + "数" * (MAX_QUERY_CHARS + 1), 400, "at most 400"),
        (f"/search?q=数据&n={MAX_PAGE_SIZE + 1}", 400, "n=101"),
        ("/search?q=数据&page=0", 400, "page=0"),
        ("/search?q=数据&year=2020&from=2019", 400, "contradicts"),
        ("/search?q=数据&level=galactic", 400, "level='galactic'"),
        ("/search?q=(((", 400, ""),
        ("/api/search?q=数据&limit=100000", 400, "limit=100000"),
        ("/api/search", 400, "give words"),
        ("/api/show?ref=没有这部法律的标题", 404, "no document"),
        ("/api/show", 400, "ref: missing"),
        ("/api/trace?ref=数据安全法&depth=9", 400, "depth=9"),
        ("/api/stats?by=colour", 400, "by='colour'"),
        ("/doc/000000000000", 404, "no document"),
        ("/nowhere", 404, "no such page"),
    ],
)
def test_bad_input_is_an_error_page_without_traceback(client: TestClient, path: str, status: int, words: str) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert words in html.unescape(response.text)
    assert "Traceback" not in response.text and 'File "' not in response.text
    if path.startswith("/api/"):
        assert response.json()["status"] == status
    else:
        assert response.headers["content-type"].startswith("text/html") and "<title>" in response.text


def test_read_only_methods_and_security_headers(client: TestClient) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        assert client.request(method, "/search?q=数据").status_code == 405
    response = client.get("/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_other_host_names_are_refused(web_home: Path) -> None:
    with TestClient(create_app(web_home), base_url="http://attacker.example") as other:
        assert other.get("/").status_code == 400


def test_no_page_loads_anything_from_elsewhere(client: TestClient, shanghai: str) -> None:
    for path in ("/", "/search?q=数据", f"/doc/{shanghai}", "/list", "/stats"):
        html = client.get(path).text
        assert "http://" not in html and "https://" not in html and "//cdn" not in html, path


def test_slow_request_is_answered_503(web_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from kb.web import api

    def slow(*args: object, **kwargs: object) -> object:
        time.sleep(1.0)
        raise AssertionError("the answer should have been dropped")

    monkeypatch.setattr(api, "list_rows", slow)
    with TestClient(create_app(web_home, request_seconds=0.2), base_url="http://127.0.0.1") as slow_client:
        response = slow_client.get("/list")
    assert response.status_code == 503 and "longer than 0.2 s" in response.text


def test_knowledge_base_is_not_written(web_home: Path, client: TestClient, shanghai: str) -> None:
    store = web_home / "kb.sqlite"
    before = (store.stat().st_size, store.stat().st_mtime_ns)
    for path in ("/search?q=数据", f"/doc/{shanghai}", "/trace?ref=数据安全法", "/list", "/stats?by=year"):
        assert client.get(path).status_code == 200
    assert (store.stat().st_size, store.stat().st_mtime_ns) == before


def test_concurrent_searches_read_the_index_one_at_a_time(web_home: Path) -> None:
    """Regression: the index's segment readers share file handles; threads reading at once got each other's bytes
    (truncated pickles, short struct reads) and answered 500."""
    from concurrent.futures import ThreadPoolExecutor

    queries = ["数据", "公共数据 开放", "个人信息", '"数据分类分级"', "网络安全 等级保护", "授权运营", "数据 -安全",
               "province:上海 数据", "数据处理 OR 数据出境", "法律责任"] * 4  # fmt: skip
    with running_server(web_home) as base:
        host, port = base.removeprefix("http://").split(":")

        def fetch(query: str) -> int:
            conn = http.client.HTTPConnection(host, int(port), timeout=30)
            conn.request("GET", "/search?" + urlencode({"q": query}))
            status = conn.getresponse().status
            conn.close()
            return status

        with ThreadPoolExecutor(max_workers=16) as pool:
            statuses = list(pool.map(fetch, queries))
    assert statuses == [200] * len(queries)


def test_search_results_follow_an_ingest(web_home: Path, tmp_path: Path) -> None:
    """The server keeps recent results; an ingest while it runs must show at once, not after a restart."""
    import shutil

    from kb.pipeline import ingest

    home = tmp_path / "home"
    shutil.copytree(web_home, home)
    with TestClient(create_app(home), base_url="http://127.0.0.1") as live:
        before = live.get("/api/search", params={"q": "首席数据官 述职"}).json()
        page_before = live.get("/search", params={"q": "首席数据官 述职"}).text
        note = tmp_path / "new" / "首席数据官办法.md"
        note.parent.mkdir()
        note.write_text("# 首席数据官办法\n\n第一条　首席数据官每年向本级人民政府述职。\n", encoding="utf-8")
        assert not ingest([note.parent], home, jobs=1).failures
        after = live.get("/api/search", params={"q": "首席数据官 述职"}).json()
        page_after = live.get("/search", params={"q": "首席数据官 述职"}).text
    assert before["total"] == 0 and after["total"] == 1
    assert "首席数据官办法" not in page_before and "首席数据官办法 第一条" in page_after
    assert after["hits"][0]["title"] == "首席数据官办法"


def test_ambiguous_title_lists_the_candidates(web_home: Path, client: TestClient, shanghai: str) -> None:
    page = client.get("/show", params={"ref": "数据条例"})
    assert page.status_code == 409
    assert f'href="/doc/{shanghai}">上海市数据条例</a>' in page.text and "深圳经济特区数据条例" in page.text
    data = client.get("/api/show", params={"ref": "数据条例"}).json()
    assert data["status"] == 409 and shanghai in data["candidates"] and len(data["candidates"]) == 3
    printed = CliRunner().invoke(cli, ["--home", str(web_home), "show", "数据条例"])
    assert printed.exit_code == 1 and data["error"] in printed.output


def test_api_search_equals_cli_json_on_a_tantivy_home(tmp_path: Path) -> None:
    """The web opens the engine the knowledge base was built with, as the CLI does."""
    from kb.pipeline import ingest
    from tests.conftest import WEB_FILES, corpus_file

    home = tmp_path / "tantivy-home"
    assert not ingest([corpus_file(f) for f in WEB_FILES[:3]], home, jobs=1, engine="tantivy").failures
    with TestClient(create_app(home), base_url="http://127.0.0.1") as other:
        for params in ([("q", "数据分类分级")], [("q", "个人信息 处理者"), ("limit", "5"), ("sort", "date")]):
            cli_args = [params[0][1], *[f"--{k}={v}" for k, v in params[1:]]]
            expected = without_seconds(cli_json(home, "search", *cli_args))
            assert without_seconds(api_json(other, "/api/search", params)) == expected
            assert expected["total"] > 0
        assert other.get("/trace", params={"ref": "数据安全法 第二十一条", "relation": "similar"}).status_code == 200


def test_facets_count_level_subject_and_status_as_the_store_says(web_home: Path, client: TestClient) -> None:
    """Level comes from the index; subject and status from the store, joined per document version, so a status or
    subject the versions and subjects stages decide after indexing is what is counted (and what a tick filters)."""
    data = cli_json(web_home, "search", "数据")
    facets = data["facets"]
    assert set(facets) == {"province", "year", "type", "level", "subject", "status"}
    assert sum(facets["level"].values()) == data["total"]
    assert sum(facets["status"].values()) == data["total"]  # every document has a status
    with Store.open(web_home) as store:
        about = store.document_facets()
    governed = {doc for doc, (_, subjects) in about.items() if "数据治理" in subjects}
    assert governed and facets["subject"]["数据治理"] > 0
    ticked = cli_json(web_home, "search", "数据", "--subject", "数据治理", "--limit", "1000")
    assert ticked["total"] == facets["subject"]["数据治理"]
    assert {hit["doc_id"] for hit in ticked["hits"]} <= governed
    page = client.get("/search", params={"q": "数据"})
    assert page.status_code == 200 and "主题分类" in page.text and "状态" in page.text
    assert "subject=%E6%95%B0%E6%8D%AE%E6%B2%BB%E7%90%86" in page.text  # the tick link of 数据治理


_KEYS = st.sampled_from(["q", "province", "year", "from", "to", "page", "subject", "n", "sort"])
_VALUES = st.one_of(st.text(max_size=6), st.integers(0, 3000), st.booleans(), st.none(),
                    st.lists(st.text(max_size=4), max_size=3))  # fmt: skip


@given(params=st.dictionaries(_KEYS, _VALUES, max_size=6), name=_KEYS, value=st.text(max_size=6))
def test_facet_links_are_the_urls_the_page_would_build(params: dict[str, Any], name: str, value: str) -> None:
    chosen = str(params.get(name, "")) == value
    changes: dict[str, object] = {"page": None, name: None if chosen else value}
    if name == "year":
        changes.update({"from": None, "to": None})
    assert FacetLinks(params).href(name, value) == (url("/search", params, **changes), chosen)
    kept = [(k, v) for k, v in params.items() if v is not None and v != "" and v is not False]
    pairs = [(k, str(x)) for k, v in kept for x in (v if isinstance(v, list) else ["1" if v is True else v])]
    assert url("/search", params) == "/search" + ("?" + urlencode(pairs) if pairs else "")
