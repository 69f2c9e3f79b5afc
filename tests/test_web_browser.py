"""The web interface in a real browser (headless Chromium from the OS, driven by Playwright): search -> a hit ->
the document at that clause -> a citation -> its trace -> the list with a filter -> the CSV download.

Fails, never skips, when Playwright or the browser is missing (`.ci/run` installs both). Screenshots of each page
type go to $KB_SCREENSHOTS (default: the test's temporary folder) to be looked at.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kb.cli.report import LIST_CSV_COLUMNS
from tests.conftest import HOSTILE_TITLE
from tests.web_server import running_server

CHROMIUM = os.environ.get("KB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        pytest.fail(f"playwright missing ({exc}); pip install playwright (no browser download needed)")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM}: no Chromium; apt-get install chromium (or set KB_CHROMIUM)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def base_url(web_home: Path) -> Iterator[str]:
    with running_server(web_home) as url:
        yield url


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("KB_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_search_document_citation_trace_list_csv(browser: Any, base_url: str, shots: Path) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(base_url) else outside.append(r.url))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    # Search: type a query, get highlighted hits and facets.
    page.goto(base_url + "/")
    page.fill("form.search input[name=q]", "数据安全法 个人信息保护法")
    page.press("form.search input[name=q]", "Enter")
    page.wait_for_selector("li.hit")
    assert "/search?q=" in page.url
    assert page.locator("li.hit mark").count() > 0
    assert page.locator("aside.facets a").count() > 0
    page.screenshot(path=str(shots / "search.png"))

    # Click the hit for 上海市数据条例 第一条: the document opens at that clause.
    page.click("li.hit a.title:has-text('上海市数据条例 第一条')")
    page.wait_for_load_state()
    assert page.url.endswith("#chp_1__art_1")
    clause = page.locator("#chp_1__art_1")
    assert clause.is_visible() and "第一条" in clause.inner_text()
    assert page.evaluate("document.querySelector(':target').id") == "chp_1__art_1"
    assert page.evaluate("document.querySelector(':target').getBoundingClientRect().top") < 450  # scrolled to it
    page.screenshot(path=str(shots / "document.png"))

    # Follow the citation 《中华人民共和国数据安全法》 in that clause to the cited law.
    page.click("#chp_1__art_1 a.cite:has-text('数据安全法')")
    page.wait_for_selector("h1:has-text('中华人民共和国数据安全法')")
    assert "/doc/" in page.url
    assert page.locator("aside.panels").inner_text().count("上海市数据条例") >= 1  # the cited-by panel

    # Its trace: who cites it, with the citing words.
    page.click("text=追溯全文 trace")
    page.wait_for_selector("section.group")
    cited_by = page.locator("section.group:has(h2:has-text('被引用'))")
    assert "上海市数据条例" in cited_by.inner_text() and "《中华人民共和国数据安全法》" in cited_by.inner_text()
    page.screenshot(path=str(shots / "trace.png"))

    # The list with a filter, then its CSV.
    page.click("header.top >> text=文件列表 List")
    page.fill("form.list input[name=province]", "上海")
    page.click("form.list button")
    page.wait_for_selector("table.rows tbody tr")
    rows = page.locator("table.rows tbody tr")
    assert rows.count() == 1 and "上海市数据条例" in rows.first.inner_text()
    page.screenshot(path=str(shots / "list.png"))
    with page.expect_download() as info:
        page.click("a.csv")
    download = info.value
    text = Path(download.path()).read_text(encoding="utf-8")
    assert text.startswith("\ufeff")  # a BOM, so Excel reads it as UTF-8
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert table[0] == list(LIST_CSV_COLUMNS)
    assert len(table) == 2 and table[1][LIST_CSV_COLUMNS.index("title")] == "上海市数据条例"

    # Counts with the chart, and an error page.
    page.goto(base_url + "/stats?by=year&by=level")
    page.wait_for_selector("figure.chart img")
    assert page.evaluate("document.querySelector('figure.chart img').naturalWidth") > 200  # the SVG drew
    page.screenshot(path=str(shots / "stats.png"))
    response = page.goto(base_url + "/doc/000000000000")
    assert response is not None and response.status == 404
    assert "没有找到" in page.inner_text("h1")
    page.screenshot(path=str(shots / "error.png"))

    assert not outside, outside  # nothing fetched from anywhere but the server
    assert not errors, errors
    context.close()


def test_hostile_title_runs_no_script(browser: Any, base_url: str, shots: Path) -> None:
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(base_url + "/search?q=" + "授权运营")
    hit = page.locator("li.hit a.title", has_text="测试数据条例").first
    assert HOSTILE_TITLE in hit.inner_text()  # shown as text
    hit.click()
    page.wait_for_selector("h1")
    assert page.inner_text("h1") == HOSTILE_TITLE
    assert "<img src=x onerror=alert(1)>" in page.inner_text("div.text")
    page.wait_for_timeout(200)
    assert not dialogs, dialogs
    assert page.evaluate("document.querySelectorAll('main script, main img').length") == 0
    page.close()


def test_search_form_works_without_javascript(browser: Any, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "/search")
    page.fill("form.search input[name=q]", "公共数据")
    page.select_option("form.search select[name=sort]", "date")
    page.click("form.search button")
    page.wait_for_selector("li.hit")
    assert "sort=date" in page.url
    page.click("aside.facets a:has-text('上海')")
    page.wait_for_selector("li.hit")
    assert "province=" in page.url and all("上海" in t for t in page.locator("li.hit .about").all_inner_texts())
    context.close()
