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
