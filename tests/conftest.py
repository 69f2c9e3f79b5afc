"""Shared fixtures: the real documents in ../shared, which every test that needs them must find."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))  # the measuring helpers (gold_rule) the tests share with the scripts
# CI runs the property tests with a fixed seed, so a run is repeatable; locally they explore new examples each time.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

SHARED = Path(os.environ.get("KB_SHARED", ROOT.parent / "shared")).resolve()
CORPUS = SHARED / "corpus"
LAWREFBOOK = CORPUS / "lawrefbook"
FORMATS = SHARED / "fixtures" / "formats"
BAD = SHARED / "fixtures" / "bad"
REAL_PDF = SHARED / "fixtures" / "real-pdf"


def require_shared(path: Path) -> Path:
    """Fail (never skip) when the shared data is missing: CI has it beside the clone."""
    if not path.exists():
        pytest.fail(f"shared data missing: {path} (clone kb next to the 'shared' folder, or set KB_SHARED)")
    return path


@pytest.fixture(scope="session")
def shared() -> Path:
    return require_shared(SHARED)


@pytest.fixture(scope="session")
def lawrefbook() -> Path:
    return require_shared(LAWREFBOOK)


@pytest.fixture(scope="session")
def formats_dir() -> Path:
    return require_shared(FORMATS)


@pytest.fixture(scope="session")
def bad_dir() -> Path:
    return require_shared(BAD)


def corpus_file(relative: str) -> Path:
    """A file of the shared lawrefbook corpus by its path in the manifest."""
    return require_shared(LAWREFBOOK / relative)


MANIFEST = CORPUS / "manifest.csv"


@pytest.fixture(scope="session")
def corpus_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A knowledge base of the whole shared lawrefbook corpus, ingested once per test session with the
    answer-key manifest as metadata overrides (so counts can be checked against it)."""
    from kb.pipeline import ingest

    require_shared(LAWREFBOOK)
    home = tmp_path_factory.mktemp("kb-corpus")
    report = ingest([LAWREFBOOK], home, metadata_file=require_shared(MANIFEST))
    assert not report.failures, report.failures[:5]
    assert report.added == 3242
    return home


# A small knowledge base for the web tests: real laws that cite each other, plus one hostile document made here.
WEB_FILES = (
    "行政法/数据安全法(2021-06-10).md",
    "行政法/网络安全法(2016-11-07).md",
    "行政法/个人信息保护法(2021-08-20).md",
    "DLC/广东地方法规/地方性法规/广东/深圳经济特区数据条例(2021-07-06).md",
    "DLC/上海地方法规/地方性法规/上海/上海市数据条例(2021-11-25).md",
)
HOSTILE_TITLE = '<script>alert("title")</script>测试数据条例'
HOSTILE_MD = (
    f"# {HOSTILE_TITLE}\n\n"
    "第一条　为了规范数据处理活动，根据《中华人民共和国数据安全法》第二十一条，制定本条例。"
    "<img src=x onerror=alert(1)>\n\n"
    "第二条　公共数据授权运营应当遵守《中华人民共和国网络安全法》。\n"
)


@pytest.fixture(scope="session")
def web_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A knowledge base of a few real laws (and one document whose title and text hold HTML), built in seconds."""
    from kb.pipeline import ingest

    folder = tmp_path_factory.mktemp("web-docs")
    hostile = folder / "hostile.md"
    hostile.write_text(HOSTILE_MD, encoding="utf-8")
    home = tmp_path_factory.mktemp("web-home")
    report = ingest([corpus_file(f) for f in WEB_FILES] + [hostile], home, jobs=1)
    assert not report.failures and report.added == len(WEB_FILES) + 1
    return home
