#!/usr/bin/env bash
# The whole test suite: lint, format, types, tests (the README's test command; .ci/run runs it after installing).
set -euo pipefail
cd "$(dirname "$0")/.."
ruff check .
ruff format --check .
mypy kb
# CI=1 loads hypothesis's fixed-seed profile (tests/conftest.py), so every run tests the same examples.
export CI=1
python -m pytest -q -p no:cacheprovider --cov=kb --cov-report=term:skip-covered "$@"
