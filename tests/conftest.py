"""Shared fixtures: the real documents in ../shared, which every test that needs them must find."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
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
